/**
 * The processes the benchmark starts: redsqs from dist/ (with its embedded redis-server) and the
 * ceiling server. Each runs in its own process group (a Ctrl-C reaches only the benchmark, which
 * then stops them in order), writes its output to a log file in the run's work directory (so it
 * does not depend on the benchmark's pipes), and is stopped by its pid on every way out.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sleep } from './load.mjs';

/** @typedef {{ name: string, stop: () => Promise<void>, killNow: () => void }} Child */

/** @type {Child[]} */
const children = [];

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

/**
 * Stops one child now (a fresh process per scenario), and forgets it.
 * @param {Child} child
 */
async function stopChild(child) {
  try {
    await child.stop();
  } catch {
    child.killNow();
  } finally {
    const at = children.indexOf(child);
    if (at >= 0) children.splice(at, 1);
  }
}

/** Stops every child still running, the last started first. */
export async function stopAll() {
  while (children.length > 0) {
    const child = /** @type {Child} */ (children.pop());
    await child.stop().catch(() => child.killNow());
  }
}

/** Last resort on process exit: SIGKILL whatever is left, synchronously. */
export function killAllNow() {
  for (const child of children) child.killNow();
}

/**
 * The run's work directory under the system temp directory: logs and the service's data.
 * `finish()` removes it, or only the data when the service's log is worth keeping.
 */
export function createWorkDir() {
  const dir = mkdtempSync(join(tmpdir(), 'redsqs-bench-'));
  return {
    dir,
    /**
     * @param {boolean} keepLogs
     * @returns {boolean} whether the logs were kept
     */
    finish(keepLogs) {
      // A comparison's logs are in a directory per server start.
      const keep =
        keepLogs &&
        (existsSync(join(dir, 'service.log')) ||
          readdirSync(dir, { withFileTypes: true }).some((e) => e.isDirectory() && e.name !== 'data'));
      rmSync(keep ? join(dir, 'data') : dir, { recursive: true, force: true });
      return keep;
    },
  };
}

/**
 * Starts `node args` detached, stdout and stderr into `logFile`, and waits for a log line that
 * matches `ready`.
 * @param {{ args: string[], cwd: string, env?: NodeJS.ProcessEnv, logFile: string, ready: RegExp,
 *   timeoutMs: number, what: string, onExitEarly?: () => void }} o
 */
async function startNode(o) {
  const fd = openSync(o.logFile, 'w');
  let child;
  try {
    child = spawn(process.execPath, o.args, {
      cwd: o.cwd,
      env: o.env ?? process.env,
      detached: true,
      stdio: ['ignore', fd, fd],
    });
  } finally {
    closeSync(fd);
  }
  /** @type {number | string | null | undefined} */
  let exit;
  child.once('exit', (code, signal) => {
    exit = signal ?? code;
  });
  child.once('error', (err) => {
    exit = err.message;
  });
  const pid = /** @type {number} */ (child.pid);
  const until = Date.now() + o.timeoutMs;
  for (;;) {
    const m = readFileSync(o.logFile, 'utf8').match(o.ready);
    if (m) return { pid, match: m };
    if (exit !== undefined) throw new Error(`${o.what} exited (${exit}) before it was ready; see ${o.logFile}`);
    if (Date.now() > until) {
      killQuietly(pid);
      throw new Error(`${o.what} did not start within ${o.timeoutMs} ms; see ${o.logFile}`);
    }
    await sleep(25);
  }
}

/**
 * The ceiling server, as a separate node process like the service.
 * @param {string} workDir
 * @returns {Promise<{ endpoint: URL, pid: number }>}
 */
export async function startCeiling(workDir) {
  const logFile = join(workDir, 'ceiling.log');
  /** @type {number | undefined} */
  let pid;
  /** @type {Child} */
  const entry = {
    name: 'ceiling server',
    stop: async () => {
      if (pid) await terminate(pid, 5_000);
    },
    killNow: () => killQuietly(pid),
  };
  children.push(entry);
  const started = await startNode({
    args: [fileURLToPath(new URL('./ceiling-server.mjs', import.meta.url))],
    cwd: workDir,
    logFile,
    ready: /^listening (\d+)$/m,
    timeoutMs: 10_000,
    what: 'the ceiling server',
  });
  pid = started.pid;
  return { endpoint: new URL(`http://127.0.0.1:${started.match[1]}/`), pid };
}

/**
 * @typedef {object} Service
 * @property {URL} endpoint
 * @property {number} pid the node process of redsqs
 * @property {number} redisPid its embedded redis-server
 * @property {number} redisPort
 * @property {string} logFile
 * @property {() => string[]} warnings WARN and ERROR lines the service logged so far
 * @property {() => Promise<void>} stop stops the service and its redis-server now
 */

/**
 * Starts redsqs from dist/ on a free loopback port, with its embedded redis-server (append-only
 * persistence, as by default) and its data in the work directory; with `workers` above 1, as a
 * primary with that many worker processes (`--workers N`), which it stops itself.
 * @param {{ root: string, workDir: string, nodeArgs: string[], workers?: number }} o
 * @returns {Promise<Service>}
 */
export async function startRedsqs({ root, workDir, nodeArgs, workers = 1 }) {
  const main = join(root, 'dist', 'main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: run npm run build first`);
  const dataDir = join(workDir, 'data');
  mkdirSync(dataDir);
  const logFile = join(workDir, 'service.log');
  let pid = 0;
  let redisPid = 0;
  /** @type {Child} */
  const entry = {
    name: 'redsqs',
    stop: async () => {
      // redsqs stops its redis-server itself on SIGTERM; make sure of it, by pid.
      if (pid) await terminate(pid, 20_000);
      if (redisPid && isRedisServer(redisPid)) await terminate(redisPid, 10_000);
    },
    killNow: () => {
      killQuietly(pid);
      if (redisPid && isRedisServer(redisPid)) killQuietly(redisPid);
    },
  };
  children.push(entry);
  const started = await startNode({
    args: [
      ...nodeArgs,
      main,
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--data-dir',
      dataDir,
      ...(workers > 1 ? ['--workers', String(workers)] : []),
    ],
    cwd: root,
    env: { ...process.env, REDIS_URL: '', LOG_LEVEL: 'info' },
    logFile,
    ready: /redsqs (?:\S+ )?listening on \S+ (http:\/\/\S+)/,
    timeoutMs: 30_000,
    what: 'redsqs',
  });
  pid = started.pid;
  const redis = readFileSync(logFile, 'utf8').match(/started redis-server \(pid (\d+)\) on 127\.0\.0\.1:(\d+)/);
  if (!redis) throw new Error(`redsqs did not report its redis-server; see ${logFile}`);
  redisPid = Number(redis[1]);
  return {
    endpoint: new URL(/** @type {string} */ (started.match[1])),
    pid,
    redisPid,
    redisPort: Number(redis[2]),
    logFile,
    warnings: () =>
      readFileSync(logFile, 'utf8')
        .split('\n')
        .filter((line) => / (WARN|ERROR) /.test(line)),
    stop: () => stopChild(entry),
  };
}

/**
 * Starts a peer (peers.mjs) in its own node process through peer-server.mjs, from its installed
 * package, on a free loopback port; its output goes to `<workDir>/<name>.log`.
 * @param {{ workDir: string, name: string, entry: string }} o
 * @returns {Promise<{ endpoint: URL, pid: number, logFile: string, stop: () => Promise<void> }>}
 */
export async function startPeer({ workDir, name, entry }) {
  const logFile = join(workDir, `${name}.log`);
  /** @type {number | undefined} */
  let pid;
  /** @type {Child} */
  const child = {
    name,
    stop: async () => {
      if (pid) await terminate(pid, 10_000);
    },
    killNow: () => killQuietly(pid),
  };
  children.push(child);
  try {
    const started = await startNode({
      args: [fileURLToPath(new URL('./peer-server.mjs', import.meta.url)), name, entry],
      cwd: workDir,
      logFile,
      ready: /^listening (\d+)$/m,
      timeoutMs: 30_000,
      what: name,
    });
    pid = started.pid;
    return { endpoint: new URL(`http://127.0.0.1:${started.match[1]}/`), pid, logFile, stop: () => stopChild(child) };
  } catch (err) {
    await stopChild(child);
    // Its own words say most, e.g. a Node built-in module this Node does not have.
    let said = '';
    try {
      said = readFileSync(logFile, 'utf8')
        .split('\n')
        .filter((line) => /error/i.test(line))
        .slice(0, 2)
        .join(' | ');
    } catch {
      // no log
    }
    throw new Error(`${err instanceof Error ? err.message : String(err)}${said ? `: ${said.trim()}` : ''}`);
  }
}
