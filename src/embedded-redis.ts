/**
 * The embedded default: a redis-server child on loopback with append-only persistence in the
 * data directory, so messages survive restarts without any setup.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { resolve } from 'node:path';
import type { Logger } from './log.js';

export interface EmbeddedRedis {
  url: string;
  /** Shutdown has begun: an exit of redis-server from now on is expected, not an error. */
  expectExit(): void;
  stop(): Promise<void>;
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

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(check: () => boolean, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}

/** A redis-server left running by a previous run that was killed must not share our files. */
async function stopLeftover(pidFile: string, log: Logger): Promise<void> {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) return;
  let cmdline = '';
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return;
  }
  if (!cmdline.includes('redis-server')) return;
  log.warn(`stopping redis-server ${pid}, left running by an earlier redsqs that did not stop cleanly`);
  process.kill(pid, 'SIGTERM');
  if (!(await waitFor(() => !alive(pid), 10_000))) process.kill(pid, 'SIGKILL');
}

function accepts(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
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
  try {
    return /node|redsqs/.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
  } catch {
    return true; // no /proc (macOS): trust the pid
  }
}

export async function startEmbeddedRedis(
  dataDir: string,
  log: Logger,
  onExit?: (code: number | null) => void,
): Promise<EmbeddedRedis> {
  const dir = resolve(dataDir);
  mkdirSync(dir, { recursive: true });
  claimDataDir(dir);
  const pidFile = resolve(dir, 'redis.pid');
  await stopLeftover(pidFile, log);
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
    'yes',
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
  const child: ChildProcess = spawn('redis-server', args, { stdio: 'ignore', detached: true });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  await new Promise<void>((done, fail) => {
    child.once('spawn', done);
    child.once('error', (err: NodeJS.ErrnoException) => fail(err.code === 'ENOENT' ? new Error(INSTALL_HINT) : err));
  });
  const until = Date.now() + 15_000;
  while (!(await accepts(port))) {
    if (child.exitCode !== null || Date.now() > until) {
      child.kill('SIGKILL');
      throw new Error(`redis-server did not start; see ${resolve(dir, 'redis.log')}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  log.info(`started redis-server (pid ${child.pid}) on 127.0.0.1:${port}, data in ${dir}`);
  let stopped = false;
  let expected = false;
  void exited.then((code) => {
    if (stopped || expected) return;
    log.error(`redis-server exited unexpectedly (code ${code}); see ${resolve(dir, 'redis.log')}`);
    onExit?.(code);
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    expectExit() {
      expected = true;
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
