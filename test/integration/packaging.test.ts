/**
 * What users install, tried for real. The package is packed from this repository (dist/ as
 * `npm run build` left it; `npm test` builds first) and
 *   - installed from the tarball into an empty project, as `npm install redsqs` would: its bin, its
 *     library entry and the service it starts;
 *   - laid out as the Dockerfile's runtime stage lays out the image (its COPY and `npm ci` lines,
 *     followed here without Docker): the image's CMD and HEALTHCHECK against that layout.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SQS } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { argsOf, execForm, healthcheck, runtime, stageEnv, stages } from '../helpers/dockerfile.js';
import { alive, freePort } from '../helpers/launch.js';
import { requireBuild } from '../helpers/process.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  dependencies: Record<string, string>;
};
const NPM_TIMEOUT = 240_000;

/**
 * The environment for npm and redsqs here: without the npm_* settings of an outer `npm test` (they
 * would override the child npm's own, its prefix among them) and without redsqs settings meant for
 * other tests (a REDIS_URL would stop the embedded Redis from starting).
 */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (/^npm_/i.test(name) || /^(REDIS_URL|REDIS_CLUSTER_NODES|PORT|HOST|DATA_DIR)$/.test(name)) continue;
    if (name.startsWith('REDSQS_')) continue;
    env[name] = value;
  }
  return { ...env, ...extra };
}

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], cwd: string, env = cleanEnv()): Promise<Result> {
  const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function ok(cmd: string, args: string[], cwd: string, env?: NodeJS.ProcessEnv): Promise<string> {
  const r = await run(cmd, args, cwd, env);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.code}:\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

const started = new Set<ChildProcess>();

/** Starts a redsqs command and resolves with its URL once it says it listens. */
function serve(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv) {
  const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  started.add(child);
  child.once('exit', () => started.delete(child));
  let out = '';
  let listening = false;
  return new Promise<{ child: ChildProcess; url: string; output: () => string }>((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`redsqs exited with ${code} before listening:\n${out}`));
    child.once('exit', onExit);
    const collect = (c: Buffer) => {
      out += c.toString();
      const m = /listening on \S+: (http:\/\/[\d.]+:\d+)/.exec(out);
      if (!m || listening) return;
      listening = true;
      child.off('exit', onExit);
      resolve({ child, url: m[1] as string, output: () => out });
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
  });
}

function stop(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

async function until(what: string, probe: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

let tmp: string;
let packed: { filename: string; files: { path: string }[] };
/** The empty project the tarball is installed into, and the Docker runtime stage's /app. */
let app: string;
let image: string;

/** Follows the runtime stage's COPY lines into `image` (the build stage's dist/ is this repository's). */
function copyLikeTheImage(): void {
  const buildDir = argsOf(stages[0] ?? [], 'WORKDIR').at(-1) ?? '/';
  for (const args of argsOf(runtime, 'COPY')) {
    const words = args.split(/\s+/);
    const fromStage = words.some((w) => w.startsWith('--from='));
    const [dest, ...sources] = words.filter((w) => !w.startsWith('--')).reverse();
    for (const source of sources) {
      const from = fromStage ? join(ROOT, source.replace(new RegExp(`^${buildDir}/?`), '')) : join(ROOT, source);
      const to = dest?.endsWith('/') ? join(image, dest, basename(source)) : join(image, dest ?? '');
      cpSync(from, to, { recursive: true });
    }
  }
}

beforeAll(async () => {
  requireBuild();
  tmp = mkdtempSync(join(tmpdir(), 'redsqs-packaging-'));
  app = join(tmp, 'app');
  image = join(tmp, 'image');
  mkdirSync(app);
  mkdirSync(image);
  const json = await ok('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], ROOT);
  packed = (JSON.parse(json) as (typeof packed)[])[0] as typeof packed;

  // The versions this repository's lock pins for redsqs's runtime dependencies: what CI tested.
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version?: string }>;
  };
  const overrides = Object.fromEntries(
    Object.keys(pkg.dependencies).map((name) => [name, lock.packages[`node_modules/${name}`]?.version as string]),
  );
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, overrides }));
  const consumer = ok(
    'npm',
    ['install', join(tmp, packed.filename), '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'],
    app,
  );
  copyLikeTheImage();
  // Only the `npm ci` of its RUN line: the rest (e.g. `npm cache clean`) is not for this machine.
  const ci = argsOf(runtime, 'RUN')
    .flatMap((r) => r.split('&&').map((s) => s.trim()))
    .find((s) => s.startsWith('npm ci'));
  if (!ci) throw new Error('the runtime stage has no `npm ci`');
  const layout = ok('npm', [...ci.split(/\s+/).slice(1), '--prefer-offline', '--loglevel=error'], image);
  // Both settle before a failure is reported, so that afterAll removes no directory npm still writes.
  for (const r of await Promise.allSettled([consumer, layout])) if (r.status === 'rejected') throw r.reason;
}, NPM_TIMEOUT);

afterAll(async () => {
  // SIGTERM, so that each stops its own redis-server too.
  await Promise.all([...started].map(stop));
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('the npm package', () => {
  it('holds dist/ with the Lua scripts, the dashboard, README and LICENSE, and no sources or tests', () => {
    const files = packed.files.map((f) => f.path);
    const dashboard = ['index.html', 'dashboard.js', 'dashboard.css'].map((f) => `dist/dashboard/${f}`);
    for (const f of ['package.json', 'README.md', 'LICENSE', 'dist/main.js', 'dist/index.js', 'dist/index.d.ts']) {
      expect(files).toContain(f);
    }
    for (const f of [...dashboard, 'dist/store/lua/composed.json']) {
      expect(files).toContain(f);
    }
    const lua = readdirSync(join(ROOT, 'src/store/lua')).filter((f) => f.endsWith('.lua'));
    expect(lua.length).toBeGreaterThan(0);
    for (const f of lua) expect(files).toContain(`dist/store/lua/${f}`);
    expect(files.filter((f) => /^(src|test|scripts|node_modules)\//.test(f))).toEqual([]);
  });

  it('ships no compiled file whose source is gone (a stale dist/ would be published as is)', () => {
    const stale = packed.files
      .map((f) => f.path)
      .filter((f) => f.startsWith('dist/') && f.endsWith('.js'))
      // Compiled from src/<f>.ts, or copied as is from src/<f>.js (the dashboard's browser script).
      .filter((f) => {
        const source = join(ROOT, f.replace(/^dist\//, 'src/'));
        return !existsSync(source.replace(/\.js$/, '.ts')) && !existsSync(source);
      });
    expect(stale, 'rebuild from scratch: rm -rf dist && npm run build').toEqual([]);
  });

  it('depends only on what its code imports at run time', () => {
    const dist = join(app, 'node_modules/redsqs/dist');
    const code = readdirSync(dist, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.js'))
      .map((f) => readFileSync(join(dist, f), 'utf8'))
      .join('\n');
    for (const name of Object.keys(pkg.dependencies)) {
      const quoted = name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      // An import, a dynamic import, or a require() of a module loaded on first use.
      expect(code, `dist/ imports ${name}`).toMatch(new RegExp(`(from |import\\(|require\\()'${quoted}(/[^']*)?'`));
    }
  });

  it('installs a redsqs bin that `npx redsqs --version` runs', async () => {
    const main = join(app, 'node_modules/redsqs/dist/main.js');
    expect(readFileSync(main, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
    expect(statSync(main).mode & 0o111, 'dist/main.js is executable once installed').toBe(0o111);
    expect((await ok('npx', ['--no', '--', 'redsqs', '--version'], app)).trim()).toBe(`redsqs ${pkg.version}`);
  });

  it('resolves import("redsqs") to the library', async () => {
    const script = `const m = await import('redsqs');
      process.stdout.write(JSON.stringify(Object.fromEntries(Object.entries(m).map(([k, v]) => [k, typeof v]))));`;
    const exports = JSON.parse(await ok(process.execPath, ['--input-type=module', '-e', script], app));
    expect(exports).toMatchObject({ startService: 'function', startRedsqs: 'function', redsqsAt: 'function' });
  });

  it("installs the versions of redsqs's dependencies that this repository's lock pins", () => {
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { version?: string }>;
    };
    for (const name of Object.keys(pkg.dependencies)) {
      const installed = JSON.parse(readFileSync(join(app, 'node_modules', name, 'package.json'), 'utf8')) as {
        version: string;
      };
      expect(installed.version, name).toBe(lock.packages[`node_modules/${name}`]?.version);
    }
  });

  it("runs the README's CI steps that start redsqs, wait for it and stop it", async () => {
    // The job's `run:` steps, as the README writes them; only the port is this test's own.
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const from = readme.indexOf('```yaml', readme.indexOf('**A CI job**'));
    const yamlText = readme.slice(readme.indexOf('\n', from) + 1, readme.indexOf('```', from + 7));
    const job = (parse(yamlText) as { jobs: { test: { steps: { run?: string }[] } } }).jobs.test;
    const step = (has: string): string => {
      const found = job.steps.find((s) => s.run?.includes(has))?.run;
      if (!found) throw new Error(`the README's CI job has no step that runs "${has}"`);
      return found;
    };
    const port = String(await freePort());
    const githubEnv = join(tmp, 'github-env');
    writeFileSync(githubEnv, '');
    const env = cleanEnv({ RUNNER_TEMP: tmp, PORT: port, GITHUB_ENV: githubEnv });
    await ok('bash', ['-c', step('node_modules/.bin/redsqs')], app, env);
    const waited = await run('bash', ['-c', step('timeout 30').replaceAll('9324', port)], app, env);
    expect(waited.code, waited.stderr).toBe(0);
    const health = JSON.parse(waited.stdout) as { status: string; pid: number };
    expect(health.status).toBe('ok');
    // The pid the start step wrote for the stop step is redsqs itself.
    const pid = /REDSQS_PID=(\d+)/.exec(readFileSync(githubEnv, 'utf8'))?.[1];
    expect(Number(pid)).toBe(health.pid);
    const redisPid = Number(readFileSync(join(tmp, 'redsqs', 'redis.pid'), 'utf8'));
    const stopped = await run('bash', ['-c', step('kill')], app, { ...env, REDSQS_PID: String(pid) });
    expect(stopped.stdout).toMatch(/SIGTERM: shutting down[\s\S]*stopped/);
    await until("the CI step's redsqs stopped", async () => !alive(health.pid) && !alive(redisPid), 10_000);
  });

  it('starts the service from the bin: SQS works, and SIGTERM stops it with its redis-server', async () => {
    const dataDir = join(tmp, 'app-data');
    const env = cleanEnv({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'info' });
    const service = await serve(join(app, 'node_modules/.bin/redsqs'), [], app, env);
    await until('/health answers 200', async () => (await fetch(`${service.url}/health`)).status === 200);
    const redisPid = Number(readFileSync(join(dataDir, 'redis.pid'), 'utf8'));
    expect(alive(redisPid)).toBe(true);

    const credentials = { accessKeyId: 'x', secretAccessKey: 'x' };
    const sqs = new SQS({ endpoint: service.url, region: 'us-east-1', credentials, maxAttempts: 1 });
    const { QueueUrl } = await sqs.createQueue({ QueueName: 'packaged' });
    const sent = await sqs.sendMessage({ QueueUrl, MessageBody: 'from the tarball' });
    expect(sent.MessageId).toBeTruthy();
    const { Messages = [] } = await sqs.receiveMessage({ QueueUrl, WaitTimeSeconds: 1 });
    expect(Messages.map((m) => m.Body)).toEqual(['from the tarball']);
    sqs.destroy();

    expect(await stop(service.child), service.output()).toBe(0);
    await until('its redis-server is gone', async () => !alive(redisPid), 5_000);
  });
});

describe("the Docker image's runtime stage, laid out without Docker", () => {
  const cmd = execForm(argsOf(runtime, 'CMD').at(-1) ?? 'null');
  const node = (argv: string[]) => (argv[0] === 'node' ? process.execPath : (argv[0] as string));

  it('answers --version through its CMD', async () => {
    const out = await ok(node(cmd), [...cmd.slice(1), '--version'], image, cleanEnv(stageEnv(runtime)));
    expect(out.trim()).toBe(`redsqs ${pkg.version}`);
  });

  it('serves from its CMD until the HEALTHCHECK passes, and stops cleanly', async () => {
    // The image's environment, but on loopback, an ephemeral port and a temporary data directory.
    const dataDir = join(tmp, 'image-data');
    const env = cleanEnv({ ...stageEnv(runtime), HOST: '127.0.0.1', PORT: '0', DATA_DIR: dataDir });
    const service = await serve(node(cmd), cmd.slice(1), image, env);
    const port = new URL(service.url).port;
    const probe = healthcheck(runtime)?.argv ?? [];
    expect(probe.length).toBeGreaterThan(0);
    await until('the HEALTHCHECK passes', async () => {
      const r = await run(node(probe), probe.slice(1), image, cleanEnv({ PORT: port }));
      return r.code === 0;
    });
    expect(await stop(service.child), service.output()).toBe(0);
  });
});
