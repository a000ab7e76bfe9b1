/**
 * The README's test-suite recipes, run as written: examples/vitest and examples/jest are the
 * files the README shows (checked verbatim), each run by its own test runner in a child process
 * against a throwaway redsqs from its globalSetup. Afterwards no redis-server of theirs is left.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { requireBuild } from '../helpers/process.js';

const ROOT = new URL('../../', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, ROOT), 'utf8');

const RECIPES = {
  vitest: ['vitest.config.mts', 'redsqs-setup.ts', 'orders.test.ts'],
  jest: ['jest.config.cjs', 'redsqs-setup.mjs', 'redsqs-teardown.mjs', 'orders.test.js'],
} as const;

/** redis-servers started by startRedsqs: their working directory is a redsqs- temporary directory. */
function throwawayRedisServers(): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cwd = readlinkSync(`/proc/${entry}/cwd`);
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cwd.startsWith(`${tmpdir()}/redsqs-`) && cmd.startsWith('redis-server')) found.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

/** Runs a command in `cwd` with a clean environment (no endpoint, no settings of this test run). */
function run(command: string, args: string[], cwd: URL): Promise<{ code: number | null; output: string; ms: number }> {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(VITEST|AWS_|JEST|REDIS_URL|NODE_OPTIONS)/.test(k)),
  );
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env: { ...env, CI: 'true' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.once('exit', (code) => resolve({ code, output, ms: performance.now() - started }));
  });
}

describe('the README recipes for test suites', () => {
  it('shows the example files verbatim', () => {
    const readme = read('README.md');
    for (const [runner, files] of Object.entries(RECIPES)) {
      for (const file of files)
        expect(readme, `${runner}/${file}`).toContain(read(`examples/${runner}/${file}`).trim());
    }
  });

  it('Vitest: the globalSetup recipe runs its test against a throwaway redsqs', async () => {
    requireBuild();
    const before = throwawayRedisServers();
    const result = await run('npx', ['vitest', 'run'], new URL('examples/vitest/', ROOT));
    expect(result.code, result.output).toBe(0);
    expect(result.output).toMatch(/Tests\s+.*1 passed/);
    console.log(`Vitest recipe: one-test run took ${Math.round(result.ms)} ms (wall, npx vitest run)`);
    expect(throwawayRedisServers().filter((p) => !before.includes(p))).toEqual([]);
  }, 60_000);

  it('Jest: the globalSetup recipe runs its test against a throwaway redsqs', async () => {
    requireBuild();
    const before = throwawayRedisServers();
    const result = await run('npx', ['jest'], new URL('examples/jest/', ROOT));
    expect(result.code, result.output).toBe(0);
    expect(result.output).toMatch(/Tests:\s+1 passed/);
    console.log(`Jest recipe: one-test run took ${Math.round(result.ms)} ms (wall, npx jest)`);
    expect(throwawayRedisServers().filter((p) => !before.includes(p))).toEqual([]);
  }, 60_000);
});
