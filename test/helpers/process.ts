/** The real redsqs process (dist/main.js), as `npm start` runs it, for end-to-end tests. */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

export const MAIN = new URL('../../dist/main.js', import.meta.url);

export interface RunningService {
  child: ChildProcess;
  url: string;
  /** Everything it printed so far. */
  output(): string;
}

export function requireBuild(): void {
  if (!existsSync(MAIN)) throw new Error('dist/main.js is missing: run `npm run build` (npm test does it)');
}

/** Starts redsqs on an ephemeral loopback port and resolves once it listens. */
export function startProcess(env: Record<string, string>, args: string[] = []): Promise<RunningService> {
  const child = spawn(process.execPath, [MAIN.pathname, ...args], {
    // Readable lines (as on a terminal): the tests read them as text. test/integration/logs.test.ts reads JSON.
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', REDSQS_LOG_FORMAT: 'pretty', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const collect = (chunk: Buffer) => {
    out += chunk.toString();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`redsqs exited with ${code} before listening:\n${out}`));
    child.once('exit', onExit);
    const check = setInterval(() => {
      const m = /listening on \S+: (http:\/\/[\d.]+:\d+)/.exec(out);
      if (!m) return;
      clearInterval(check);
      child.off('exit', onExit);
      resolve({ child, url: m[1] as string, output: () => out });
    }, 20);
    child.once('exit', () => clearInterval(check));
  });
}

/** Sends a signal and resolves with the exit code. */
export function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) {
      resolve(child.exitCode);
      return;
    }
    child.once('exit', (code) => resolve(code));
    child.kill(signal);
  });
}

/** Runs the built service to its exit (a start that must fail): its exit code and standard error. */
export async function runToExit(
  env: Record<string, string>,
  args: string[] = [],
): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [MAIN.pathname, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  return { code, stderr };
}
