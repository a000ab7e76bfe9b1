/**
 * The embedded default: a redis-server child on loopback with append-only persistence in the
 * data directory, so messages survive restarts without any setup. A redis-server left running
 * by a redsqs that was killed is taken over (after checking it serves this very directory), so a
 * restart after `kill -9` is as quick as any other.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { resolve } from 'node:path';
import type { Logger } from './log.js';

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

/** What the data directory records of its redis-server, to recognise it after a kill. */
interface Recorded {
  pid: number;
  port: number;
  persistence: boolean;
}

const RECORD = 'redis.json';

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

/** Running: a zombie has stopped, though its pid answers until its parent (init, for a leftover) reaps it. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat[stat.lastIndexOf(')') + 2] !== 'Z';
  } catch {
    return true; // no /proc (macOS): the signal's answer stands
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitFor(check: () => boolean, ms: number, every = 25): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (check()) return true;
    await sleep(every);
  }
  return check();
}

function cmdline(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return undefined;
  }
}

/** Stops a redis-server that is not our child: SIGTERM, then SIGKILL after 10 s. */
async function stopPid(pid: number): Promise<void> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  if (!(await waitFor(() => !alive(pid), 10_000))) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
    await waitFor(() => !alive(pid), 2_000);
  }
}

/** Sends one inline command and returns the raw reply (enough for PING and CONFIG GET dir). */
function ask(port: number, command: string, ms = 1_000): Promise<string | undefined> {
  return new Promise((done) => {
    let reply = '';
    const socket: Socket = connect(port, '127.0.0.1');
    const finish = (value: string | undefined): void => {
      clearTimeout(timer);
      socket.destroy();
      done(value);
    };
    const timer = setTimeout(() => finish(undefined), ms);
    socket.once('connect', () => socket.write(`${command}\r\n`));
    socket.on('data', (d) => {
      reply += d.toString();
      // CONFIG GET answers an array of two bulk strings (whole once six parts end in CRLF); PING a status line.
      const whole = reply.endsWith('\r\n');
      if (whole && (reply.startsWith('+') || reply.startsWith('-') || reply.split('\r\n').length >= 6)) finish(reply);
    });
    socket.once('error', () => finish(undefined));
  });
}

/**
 * A redis-server left running by a redsqs that was killed: taken over when it is alive, is a
 * redis-server, answers on the port recorded and serves this directory with the persistence
 * asked for; otherwise stopped, so that two servers never share the files.
 */
async function leftover(dir: string, persistence: boolean, log: Logger): Promise<Recorded | undefined> {
  const pidFile = resolve(dir, 'redis.pid');
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) return undefined;
  const cmd = cmdline(pid);
  if (cmd !== undefined && !cmd.includes('redis-server')) return undefined; // the pid was reused
  let recorded: Recorded | undefined;
  try {
    recorded = JSON.parse(readFileSync(resolve(dir, RECORD), 'utf8')) as Recorded;
  } catch {
    recorded = undefined;
  }
  if (recorded && recorded.pid === pid && recorded.persistence === persistence) {
    const reply = await ask(recorded.port, 'CONFIG GET dir');
    // Redis reports the directory it changed into: symbolic links resolved.
    if (reply?.includes(`\r\n${realpathSync(dir)}\r\n`) || reply?.includes(`\r\n${dir}\r\n`)) {
      log.info(`took over redis-server ${pid} on 127.0.0.1:${recorded.port}, left running by an earlier redsqs`);
      return recorded;
    }
  }
  log.warn(`stopping redis-server ${pid}, left running by an earlier redsqs that did not stop cleanly`);
  await stopPid(pid);
  return undefined;
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
