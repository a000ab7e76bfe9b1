/**
 * The primary of `--workers N`: forks N worker processes (node:cluster, which shares one listening
 * port among them), waits until all of them listen, replaces a worker that dies, and stops them
 * all on shutdown. Workers are ordinary instances on one Redis: long polls wake across them over
 * Redis pub/sub, and Redis leases share out the background work.
 */
import cluster, { type Worker } from 'node:cluster';
import type { Config } from './config.js';
import type { Logger } from './log.js';

/** Messages between the primary and its workers, marked so that other IPC traffic is ignored. */
export type FromWorker = { redsqs: true; type: 'listening'; port: number };
/**
 * ready: the primary has done its part of the start (/health may say ok); stopping: shutdown has
 * begun (/health says so while the pollers stop); stop: close and exit.
 */
export type ToWorker = { redsqs: true; type: 'ready' | 'stopping' | 'stop' };

function isMessage(m: unknown): m is { redsqs: true; type: string } {
  return typeof m === 'object' && m !== null && (m as { redsqs?: unknown }).redsqs === true;
}
export const isFromWorker = (m: unknown): m is FromWorker => isMessage(m) && m.type === 'listening';
export const isToWorker = (m: unknown): m is ToWorker =>
  isMessage(m) && (m.type === 'ready' || m.type === 'stopping' || m.type === 'stop');

/** A worker that dies sooner than this after its start counts towards giving up. */
const EARLY_DEATH_MS = 5_000;
/** More early deaths than this within a minute: something is wrong that restarts will not fix. */
const MAX_EARLY_DEATHS = 5;
/** Workers still running this long after being asked to stop are killed. */
const STOP_GRACE_MS = 20_000;

export interface Workers {
  /** The port all workers listen on (the one chosen for them with port 0). */
  port: number;
  pids(): number[];
  /** Everything the primary starts is in place: the workers' /health may answer 200. */
  markReady(): void;
  /** Shutdown has begun: workers that exit from now on are not replaced. */
  beginStop(): void;
  /** Asks every worker to close (open long polls are answered) and waits until all have exited. */
  stop(): Promise<void>;
}

export interface WorkersOptions {
  config: Config;
  /** Variables the workers get on top of this process's environment, e.g. the embedded REDIS_URL. */
  env: Record<string, string>;
  log: Logger;
  /** Workers keep dying right after their start: the caller shuts everything down. */
  onGiveUp: (reason: string) => void;
}

const name = (w: Worker): string => `worker w${w.id} (pid ${w.process.pid})`;
const how = (code: number | null, signal: string | null): string =>
  signal ? `was killed by ${signal}` : `exited with code ${code}`;

/** Forks the workers and resolves once every one of them listens; rejects if one dies first. */
export function startWorkers(options: WorkersOptions): Promise<Workers> {
  const { config, env, log } = options;
  const started = new Map<Worker, number>();
  const earlyDeaths: number[] = [];
  let port = 0;
  let stopping = false;
  let gaveUp = false;
  let ready = false;
  const tell = (w: Worker, type: 'ready' | 'stopping'): void => {
    const message: ToWorker = { redsqs: true, type };
    try {
      w.send(message);
    } catch {
      // its channel is gone: it is exiting, and is replaced or stopped as any other
    }
  };

  const fork = (): Worker => {
    const worker = cluster.fork(env);
    started.set(worker, Date.now());
    return worker;
  };

  const stopAll = async (): Promise<void> => {
    stopping = true;
    const live = [...started.keys()].filter((w) => !w.isDead());
    await Promise.all(
      live.map(
        (w) =>
          new Promise<void>((done) => {
            if (w.isDead()) return done();
            w.once('exit', () => done());
            const kill = setTimeout(() => {
              log.warn(`${name(w)} did not stop within ${STOP_GRACE_MS / 1000} s: killing it`);
              w.process.kill('SIGKILL');
            }, STOP_GRACE_MS);
            w.once('exit', () => clearTimeout(kill));
            const stop: ToWorker = { redsqs: true, type: 'stop' };
            try {
              w.send(stop);
            } catch {
              w.process.kill('SIGTERM'); // its channel is gone already
            }
          }),
      ),
    );
  };

  const workers: Workers = {
    get port() {
      return port;
    },
    pids: () => [...started.keys()].filter((w) => !w.isDead()).map((w) => w.process.pid as number),
    markReady: () => {
      ready = true;
      for (const w of started.keys()) if (!w.isDead()) tell(w, 'ready');
    },
    beginStop: () => {
      stopping = true;
      for (const w of started.keys()) if (!w.isDead()) tell(w, 'stopping');
    },
    stop: stopAll,
  };

  return new Promise((resolve, reject) => {
    let listening = 0;
    cluster.on('message', (worker, message: unknown) => {
      if (!isFromWorker(message)) return;
      port = message.port;
      // A worker started in place of one that died is ready as soon as it listens.
      if (ready) tell(worker, 'ready');
      if (listening < config.workers && ++listening === config.workers) resolve(workers);
    });
    cluster.on('exit', (worker, code, signal) => {
      const lived = Date.now() - (started.get(worker) ?? 0);
      started.delete(worker);
      if (stopping || gaveUp) return;
      if (listening < config.workers) {
        // At start a failure is a configuration or environment problem: restarts would not help.
        void stopAll().then(() => reject(new Error(`${name(worker)} ${how(code, signal)} before it was listening`)));
        return;
      }
      const now = Date.now();
      if (lived < EARLY_DEATH_MS) earlyDeaths.push(now);
      while (earlyDeaths.length > 0 && (earlyDeaths[0] as number) < now - 60_000) earlyDeaths.shift();
      if (earlyDeaths.length > MAX_EARLY_DEATHS) {
        gaveUp = true;
        const reason = `${earlyDeaths.length} workers died within ${EARLY_DEATH_MS / 1000} s of their start in the last minute`;
        log.error(`${name(worker)} ${how(code, signal)}; ${reason}: giving up`);
        options.onGiveUp(reason);
        return;
      }
      const next = fork();
      log.error(
        `${name(worker)} ${how(code, signal)} unexpectedly; started worker w${next.id} (pid ${next.process.pid}) in its place`,
      );
    });
    for (let i = 0; i < config.workers; i++) fork();
  });
}
