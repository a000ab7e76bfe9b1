/**
 * The processes around the embedded redis-server: whether one is running, how to stop one that is
 * not our child, and how to recognise the redis-server a killed redsqs left serving a directory.
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { resolve } from 'node:path';
import type { Logger } from './log.js';

/** What the data directory records of its redis-server, to recognise it after a kill. */
export interface Recorded {
  pid: number;
  port: number;
  persistence: boolean;
}

export const RECORD = 'redis.json';

/** Running: a zombie has stopped, though its pid answers until its parent (init, for a leftover) reaps it. */
export function alive(pid: number): boolean {
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

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitFor(check: () => boolean, ms: number, every = 25): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (check()) return true;
    await sleep(every);
  }
  return check();
}

export function cmdline(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return undefined;
  }
}

/** Stops a redis-server that is not our child: SIGTERM, then SIGKILL after 10 s. */
export async function stopPid(pid: number): Promise<void> {
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
export function ask(port: number, command: string, ms = 1_000): Promise<string | undefined> {
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
export async function leftover(dir: string, persistence: boolean, log: Logger): Promise<Recorded | undefined> {
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
