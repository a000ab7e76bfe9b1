/**
 * The processes the benchmark starts: redsqs from dist/ (with its embedded redis-server) and the
 * ceiling server. Each is stopped by its pid on every way out: normal end, error, Ctrl-C.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { sleep } from './load.mjs';

/** @typedef {{ name: string, stop: () => Promise<void>, killNow: () => void }} Child */

/** @type {Set<Child>} */
const children = new Set();

/** @param {number} pid */
export function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** @param {number} pid */
function isRedisServer(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('redis-server');
  } catch {
    return false;
  }
}

/**
 * SIGTERM, then SIGKILL if the process is still there after `graceMs`.
 * @param {number} pid
 * @param {number} graceMs
 */
async function terminate(pid, graceMs) {
  if (!isAlive(pid)) return;
  process.kill(pid, 'SIGTERM');
  const until = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < until) await sleep(50);
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
}

/** @param {number | undefined} pid */
function killQuietly(pid) {
  try {
    if (pid && isAlive(pid)) process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Stops every child still running, the last started first. */
export async function stopAll() {
  for (const child of [...children].reverse()) {
    await child.stop().catch(() => child.killNow());
  }
}

/** Last resort on process exit: SIGKILL whatever is left, synchronously. */
export function killAllNow() {
  for (const child of children) child.killNow();
}

/**
 * Spawns a child in its own process group (so a Ctrl-C reaches only the benchmark, which then
 * stops the child in order) and resolves with the first stderr/stdout line matching `ready`.
 * @param {{ args: string[], cwd: string, env?: NodeJS.ProcessEnv, ready: RegExp, stream: 'stdout' | 'stderr',
 *   onLine?: (line: string) => void, timeoutMs: number, what: string }} o
 */
function spawnUntil(o) {
  const child = spawn(process.execPath, o.args, {
    cwd: o.cwd,
    env: o.env ?? process.env,
    detached: true,
    stdio: ['ignore', o.stream === 'stdout' ? 'pipe' : 'ignore', o.stream === 'stderr' ? 'pipe' : 'ignore'],
  });
  const out = /** @type {import('node:stream').Readable} */ (o.stream === 'stdout' ? child.stdout : child.stderr);
  const exited = new Promise((done) => child.once('exit', (code, signal) => done(signal ?? code)));
  /** @type {Promise<RegExpMatchArray>} */
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${o.what} did not start within ${o.timeoutMs} ms`)), o.timeoutMs);
    createInterface({ input: out }).on('line', (line) => {
      o.onLine?.(line);
      const m = line.match(o.ready);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${o.what} exited (${code}) before it was ready`));
    });
    child.once('error', reject);
  });
  return { child, ready, exited };
}

/**
 * The ceiling server, as a separate node process like the service.
 * @returns {Promise<{ endpoint: URL, pid: number }>}
 */
export async function startCeiling() {
  const script = fileURLToPath(new URL('./ceiling-server.mjs', import.meta.url));
  const { child, ready } = spawnUntil({
    args: [script],
    cwd: process.cwd(),
    ready: /^listening (\d+)$/,
    stream: 'stdout',
    timeoutMs: 10_000,
    what: 'the ceiling server',
  });
  const pid = /** @type {number} */ (child.pid);
  /** @type {Child} */
  const entry = {
    name: 'ceiling server',
    stop: async () => {
      await terminate(pid, 5_000);
      children.delete(entry);
    },
    killNow: () => killQuietly(pid),
  };
  children.add(entry);
  const m = await ready;
  return { endpoint: new URL(`http://127.0.0.1:${m[1]}/`), pid };
}

/**
 * @typedef {object} Service
 * @property {URL} endpoint
 * @property {number} pid the node process of redsqs
 * @property {number} redisPid its embedded redis-server
 * @property {number} redisPort
 * @property {string} logFile
 * @property {() => string[]} warnings WARN and ERROR lines the service logged so far
 */

/**
 * Starts redsqs from dist/ on a free loopback port, with its embedded redis-server (append-only
 * persistence, as by default) in a fresh data directory under the system temp directory.
 * @param {{ root: string, nodeArgs: string[] }} o
 * @returns {Promise<Service>}
 */
export async function startRedsqs({ root, nodeArgs }) {
  const main = join(root, 'dist', 'main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: run npm run build first`);
  const work = mkdtempSync(join(tmpdir(), 'redsqs-bench-'));
  const dataDir = join(work, 'data');
  const logFile = join(tmpdir(), `${work.slice(work.lastIndexOf('/') + 1)}.log`);
  const log = createWriteStream(logFile);
  /** @type {string[]} */
  const warnings = [];
  let redisPid = 0;
  let redisPort = 0;
  const { child, ready } = spawnUntil({
    args: [...nodeArgs, main, '--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir],
    cwd: root,
    env: { ...process.env, REDIS_URL: '', LOG_LEVEL: 'info' },
    ready: /redsqs listening on \S+ (http:\/\/\S+)/,
    stream: 'stderr',
    timeoutMs: 30_000,
    what: 'redsqs',
    onLine: (line) => {
      log.write(`${line}\n`);
      const redis = line.match(/started redis-server \(pid (\d+)\) on 127\.0\.0\.1:(\d+)/);
      if (redis) {
        redisPid = Number(redis[1]);
        redisPort = Number(redis[2]);
      }
      if (/ (WARN|ERROR) /.test(line)) warnings.push(line);
    },
  });
  const pid = /** @type {number} */ (child.pid);
  const removeData = () => rmSync(work, { recursive: true, force: true });
  /** @type {Child} */
  const entry = {
    name: 'redsqs',
    stop: async () => {
      // redsqs stops its redis-server itself on SIGTERM; make sure of it, by pid.
      await terminate(pid, 20_000);
      if (redisPid && isRedisServer(redisPid)) await terminate(redisPid, 10_000);
      removeData();
      log.end();
      children.delete(entry);
    },
    killNow: () => {
      killQuietly(pid);
      if (redisPid && isRedisServer(redisPid)) killQuietly(redisPid);
      removeData();
    },
  };
  children.add(entry);
  let m;
  try {
    m = await ready;
  } catch (err) {
    throw new Error(`${err instanceof Error ? err.message : err}; see ${logFile}`);
  }
  if (!redisPort) throw new Error(`redsqs did not report its redis-server; see ${logFile}`);
  return {
    endpoint: new URL(/** @type {string} */ (m[1])),
    pid,
    redisPid,
    redisPort,
    logFile,
    warnings: () => warnings,
  };
}
