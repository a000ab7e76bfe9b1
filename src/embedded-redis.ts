/**
 * The embedded default: a redis-server child on loopback with append-only persistence in the
 * data directory, so messages survive restarts without any setup. A redis-server left running
 * by a redsqs that was killed is taken over (after checking it serves this very directory), so a
 * restart after `kill -9` is as quick as any other.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import type { Logger } from './log.js';
import { alive, ask, cmdline, leftover, RECORD, type Recorded, sleep, stopPid } from './redis-leftover.js';

export interface EmbeddedRedis {
  url: string;
  pid: number;
  /** Shutdown has begun: an exit of redis-server from now on is expected, not an error. */
  expectExit(): void;
  stop(): Promise<void>;
  /** Last resort before the process exits: asks redis-server to stop, without waiting. */
  stopNow(): void;
}

export interface EmbeddedRedisOptions {
  dataDir: string;
  log: Logger;
  /** redis-server exited while it was needed. */
  onExit?: (code: number | null) => void;
  /** Aborting while it starts stops it again and rejects. */
  signal?: AbortSignal;
  /** Append-only persistence (default true); throwaway instances run without. */
  persistence?: boolean;
  /**
   * Its own process group (default true): a terminal's Ctrl-C reaches redsqs only, which stops Redis
   * last. false (a test suite's throwaway): Ctrl-C stops it with the test runner.
   */
  ownProcessGroup?: boolean;
}

export const INSTALL_HINT =
  'redis-server was not found on PATH. Install it (Debian/Ubuntu: sudo apt-get install -y redis-server; ' +
  'macOS: brew install redis) or point redsqs at a running Redis with REDIS_URL=redis://host:6379.';

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => done(port));
    });
  });
}

/**
 * One redsqs per data directory: the owner's pid is kept in redsqs.pid. A live owner means the
 * directory is in use; a dead one means its redis-server, if still running, was left behind.
 */
function claimDataDir(dir: string): void {
  const ownerFile = resolve(dir, 'redsqs.pid');
  if (existsSync(ownerFile)) {
    const owner = Number(readFileSync(ownerFile, 'utf8').trim());
    if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && alive(owner) && isNode(owner)) {
      throw new Error(
        `another redsqs (pid ${owner}) is using the data directory ${dir}; stop it, or give this one its own DATA_DIR (--data-dir)`,
      );
    }
  }
  writeFileSync(ownerFile, `${process.pid}\n`);
}

function isNode(pid: number): boolean {
  const cmd = cmdline(pid);
  return cmd === undefined || /node|redsqs/.test(cmd); // no /proc (macOS): trust the pid
}

function abortError(): Error {
  const err = new Error('stopped while starting');
  err.name = 'AbortError';
  return err;
}

export async function startEmbeddedRedis(options: EmbeddedRedisOptions): Promise<EmbeddedRedis> {
  const { log, signal } = options;
  const persistence = options.persistence !== false;
  const dir = resolve(options.dataDir);
  mkdirSync(dir, { recursive: true });
  claimDataDir(dir);
  const release = (): void => rmSync(resolve(dir, 'redsqs.pid'), { force: true });
  try {
    if (signal?.aborted) throw abortError();
    const adopted = await leftover(dir, persistence, log);
    if (signal?.aborted) {
      if (adopted) await stopPid(adopted.pid);
      throw abortError();
    }
    return adopted ? watchAdopted(adopted, dir, options) : await spawnRedis(dir, persistence, options);
  } catch (err) {
    release();
    throw err;
  }
}

async function spawnRedis(dir: string, persistence: boolean, options: EmbeddedRedisOptions): Promise<EmbeddedRedis> {
  const { log, signal } = options;
  const pidFile = resolve(dir, 'redis.pid');
  const port = await freePort();
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--pidfile',
    pidFile,
    '--appendonly',
    persistence ? 'yes' : 'no',
    '--appendfsync',
    'everysec',
    '--save',
    '',
    '--daemonize',
    'no',
    '--logfile',
    'redis.log',
  ];
  // Its own process group: a terminal's Ctrl-C goes to redsqs, which stops Redis last, after the
  // open requests (and the pollers' deletes) that still need it.
  const detached = options.ownProcessGroup !== false;
  const child: ChildProcess = spawn('redis-server', args, { stdio: 'ignore', detached });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  await new Promise<void>((done, fail) => {
    child.once('spawn', done);
    child.once('error', (err: NodeJS.ErrnoException) => fail(err.code === 'ENOENT' ? new Error(INSTALL_HINT) : err));
  });
  const pid = child.pid as number;
  writeFileSync(resolve(dir, RECORD), `${JSON.stringify({ pid, port, persistence } satisfies Recorded)}\n`);
  const until = Date.now() + 15_000;
  while ((await ask(port, 'PING', 500)) === undefined) {
    if (signal?.aborted || child.exitCode !== null || Date.now() > until) {
      child.kill(signal?.aborted ? 'SIGTERM' : 'SIGKILL');
      await exited;
      if (signal?.aborted) throw abortError();
      throw new Error(`redis-server did not start; see ${resolve(dir, 'redis.log')}`);
    }
    await sleep(5);
  }
  log.info(`started redis-server (pid ${pid}) on 127.0.0.1:${port}, data in ${dir}`);
  let stopped = false;
  let expected = false;
  void exited.then((code) => {
    if (stopped || expected) return;
    log.error(`redis-server exited unexpectedly (code ${code}); see ${resolve(dir, 'redis.log')}`);
    options.onExit?.(code);
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    pid,
    expectExit() {
      expected = true;
    },
    stopNow() {
      if (child.exitCode === null) child.kill('SIGTERM');
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(resolve(dir, 'redsqs.pid'), { force: true });
    },
  };
}

/** A taken-over redis-server is not our child: its exit is noticed by polling its pid. */
function watchAdopted(r: Recorded, dir: string, options: EmbeddedRedisOptions): EmbeddedRedis {
  let stopped = false;
  let expected = false;
  const watch = setInterval(() => {
    if (alive(r.pid)) return;
    clearInterval(watch);
    if (stopped || expected) return;
    options.log.error(`redis-server exited unexpectedly; see ${resolve(dir, 'redis.log')}`);
    options.onExit?.(null);
  }, 500);
  watch.unref();
  return {
    url: `redis://127.0.0.1:${r.port}`,
    pid: r.pid,
    expectExit() {
      expected = true;
    },
    stopNow() {
      try {
        process.kill(r.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(watch);
      await stopPid(r.pid);
      rmSync(resolve(dir, 'redsqs.pid'), { force: true });
    },
  };
}
