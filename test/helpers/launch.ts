/**
 * The built process watched from its very first moment, for the start-up and shutdown tests: a
 * port chosen before launch (so /health can be polled before any log line), the exit with its
 * time, and what Linux's /proc says about the processes around it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAIN } from './process.js';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => done(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** performance.now() when the test saw the exit. */
  at: number;
}

export interface Launched {
  child: ChildProcess;
  pid: number;
  url: string;
  /** performance.now() right after spawn. */
  startedAt: number;
  exited: Promise<Exit>;
  output(): string;
  /** Resolves when the output matches (rejects if the process exits first or after `ms`). */
  waitFor(pattern: RegExp, ms?: number): Promise<RegExpExecArray>;
}

/** Starts dist/main.js on `port` (127.0.0.1), with a quiet environment of its own plus `env`. */
export function launch(port: number, env: Record<string, string>, args: string[] = []): Launched {
  const child = spawn(process.execPath, [MAIN.pathname, ...args], {
    // Readable lines (as on a terminal): the tests match them as text.
    env: {
      ...process.env,
      REDIS_URL: '',
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      REDSQS_LOG_FORMAT: 'pretty',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const startedAt = performance.now();
  let out = '';
  const listeners = new Set<() => void>();
  const collect = (chunk: Buffer): void => {
    out += chunk.toString();
    for (const l of listeners) l();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<Exit>((done) =>
    child.once('exit', (code, signal) => {
      const exit = { code, signal, at: performance.now() };
      for (const l of listeners) l();
      done(exit);
    }),
  );
  return {
    child,
    pid: child.pid as number,
    url: `http://127.0.0.1:${port}`,
    startedAt,
    exited,
    output: () => out,
    waitFor(pattern, ms = 10_000) {
      return new Promise((done, fail) => {
        const timer = setTimeout(() => finish(new Error(`no ${pattern} within ${ms} ms:\n${out}`)), ms);
        const check = (): void => {
          const m = pattern.exec(out);
          if (m) finish(m);
          else if (child.exitCode !== null || child.signalCode !== null)
            finish(new Error(`exited before ${pattern}:\n${out}`));
        };
        const finish = (r: RegExpExecArray | Error): void => {
          clearTimeout(timer);
          listeners.delete(check);
          if (r instanceof Error) fail(r);
          else done(r);
        };
        listeners.add(check);
        check();
      });
    },
  };
}

export type Answer = { status: number; body: string } | 'refused' | 'timeout';

/** One GET on a fresh connection: the answer, 'refused' when nothing listens, 'timeout' after `ms`. */
export function get(url: string, ms = 2_000): Promise<Answer> {
  return new Promise((done) => {
    const req = request(url, { agent: false, timeout: ms }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => done({ status: res.statusCode ?? 0, body }));
      res.on('error', () => done('refused'));
    });
    req.on('timeout', () => {
      req.destroy();
      done('timeout');
    });
    req.on('error', () => done('refused'));
    req.end();
  });
}

/** Polls `url` every `every` ms (one request at a time) until `until` holds; every answer on the way. */
export async function pollUntil(
  url: string,
  until: (a: Answer) => boolean,
  { every = 5, ms = 10_000 }: { every?: number; ms?: number } = {},
): Promise<{ answers: Answer[]; last: Answer; at: number }> {
  const answers: Answer[] = [];
  const end = performance.now() + ms;
  for (;;) {
    const a = await get(url);
    answers.push(a);
    if (until(a)) return { answers, last: a, at: performance.now() };
    if (performance.now() > end)
      throw new Error(`${url}: condition not met within ${ms} ms; last ${JSON.stringify(a)}`);
    await sleep(every);
  }
}

/** An SQS call in the AWS JSON 1.0 protocol: status and parsed body. */
export async function sqsCall(
  url: string,
  action: string,
  input: Record<string, unknown>,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AmazonSQS.${action}` },
    body: JSON.stringify(input),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Running, and not merely a zombie waiting for its parent (or init) to reap it. */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

export async function gone(pid: number, ms = 5_000): Promise<boolean> {
  const until = performance.now() + ms;
  while (alive(pid) && performance.now() < until) await sleep(20);
  return !alive(pid);
}

function pids(): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number);
}

function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/** Live processes whose parent is `pid`. */
export function childrenOf(pid: number): number[] {
  return pids().filter((p) => parentOf(p) === pid && alive(p));
}

/**
 * Live redis-servers serving `dir`: redis-server changes its working directory to its --dir (its
 * command line is rewritten to "redis-server host:port", so it cannot tell).
 */
export function redisServersIn(dir: string): number[] {
  if (!existsSync(dir)) return []; // no process can have it as its working directory
  const wanted = realpathSync(dir);
  return pids().filter((p) => {
    try {
      return (
        readFileSync(`/proc/${p}/comm`, 'utf8').startsWith('redis-server') &&
        readlinkSync(`/proc/${p}/cwd`) === wanted &&
        alive(p)
      );
    } catch {
      return false;
    }
  });
}

/** Median and range of some durations, rounded to ms, for the figures printed by the tests. */
export function summary(ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  const median = s[Math.floor(s.length / 2)] ?? Number.NaN;
  return `median ${Math.round(median)} ms, min ${Math.round(s[0] ?? Number.NaN)}, max ${Math.round(s.at(-1) ?? Number.NaN)} (n=${s.length})`;
}

/**
 * After a file's tests: what a failed assertion may have left running is stopped (SIGTERM, then
 * SIGKILL), then any redis-server still serving one of the file's directories, then the directories go.
 */
export async function cleanUp(running: Set<Launched>, dirs: string[]): Promise<void> {
  for (const r of running) {
    r.child.kill('SIGCONT');
    r.child.kill('SIGTERM');
    const timer = setTimeout(() => r.child.kill('SIGKILL'), 5_000);
    await r.exited;
    clearTimeout(timer);
  }
  running.clear();
  for (const d of dirs) {
    for (const pid of redisServersIn(d)) process.kill(pid, 'SIGKILL');
    rmSync(d, { recursive: true, force: true });
  }
}

/**
 * The launches and temporary directories of one test file: `tempDir` makes a directory that
 * `cleanUp(running, dirs)` (in afterAll) removes, with any redis-server left in it.
 */
export function launchScope(): { running: Set<Launched>; dirs: string[]; tempDir(tag: string): string } {
  const running = new Set<Launched>();
  const dirs: string[] = [];
  return {
    running,
    dirs,
    tempDir(tag) {
      const dir = mkdtempSync(join(tmpdir(), `redsqs-${tag}-`));
      dirs.push(dir);
      return dir;
    },
  };
}
