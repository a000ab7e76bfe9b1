/** What the benchmark reads besides the SQS API: Redis INFO, and a process's resident memory. */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { Redis } from 'ioredis';

/** @param {string} text INFO output */
function parseInfo(text) {
  /** @type {Map<string, string>} */
  const fields = new Map();
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) fields.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return fields;
}

/**
 * A connection to the Redis behind the service (loopback only).
 * @param {number} port
 */
export function redisProbe(port) {
  const redis = new Redis({
    host: '127.0.0.1',
    port,
    enableReadyCheck: false,
    lazyConnect: true,
    maxRetriesPerRequest: 1,
  });
  redis.on('error', () => {});
  /** @param {string} section */
  const info = async (section) => parseInfo(await redis.info(section));
  return {
    port,
    async version() {
      return (await info('server')).get('redis_version') ?? 'unknown';
    },
    /** used_memory in bytes */
    async usedMemory() {
      return Number((await info('memory')).get('used_memory'));
    },
    /** Calls per command since start (commandstats), without the probe's own INFO calls. */
    async commandCalls() {
      /** @type {Map<string, number>} */
      const calls = new Map();
      for (const [key, value] of await info('commandstats')) {
        const name = key.replace(/^cmdstat_/, '');
        if (name === 'info') continue;
        const m = value.match(/calls=(\d+)/);
        if (m) calls.set(name, Number(m[1]));
      }
      return calls;
    },
    /**
     * Counts the commands clients send from now on (MONITOR, on a connection of its own), per
     * command name; commands that scripts run inside Redis (source "lua") are not round trips.
     * Call stop() in every case: a MONITOR left open slows Redis down for everyone.
     */
    monitor() {
      return startMonitor(port);
    },
    async persistence() {
      const p = await info('persistence');
      return {
        aofEnabled: p.get('aof_enabled') === '1',
        rewriteInProgress: p.get('aof_rewrite_in_progress') === '1' || p.get('aof_rewrite_scheduled') === '1',
        rewrites: Number((await info('stats')).get('aof_rewrites') ?? p.get('aof_rewrites') ?? 0),
      };
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

/** @typedef {ReturnType<typeof redisProbe>} RedisProbe */

/**
 * MONITOR over a plain socket (ioredis's monitor mode can lose track of its replies under load).
 * Each line reads: +<time> [<db> <source>] "<command>" "<arg>" ...
 * @param {number} port
 * @returns {Promise<{ snapshot: () => Map<string, number>, stop: () => void }>}
 */
function startMonitor(port) {
  /** @type {Map<string, number>} */
  const calls = new Map();
  const socket = net.connect({ host: '127.0.0.1', port });
  let pending = '';
  let ready = false;
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.on('connect', () => socket.write('MONITOR\r\n'));
    socket.setEncoding('latin1');
    socket.on('data', (/** @type {string} */ chunk) => {
      pending += chunk;
      let nl = pending.indexOf('\r\n');
      while (nl >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 2);
        nl = pending.indexOf('\r\n');
        if (!ready) {
          if (line !== '+OK') return reject(new Error(`MONITOR: ${line}`));
          ready = true;
          resolve({ snapshot: () => new Map(calls), stop: () => socket.destroy() });
          continue;
        }
        const m = /^\+[\d.]+ \[\d+ ([^\]]+)\] "([^"]*)"/.exec(line);
        if (!m || m[1] === 'lua') continue;
        const name = /** @type {string} */ (m[2]).toLowerCase();
        calls.set(name, (calls.get(name) ?? 0) + 1);
      }
    });
  });
}

/**
 * Resident set size of a process, in bytes (Linux /proc).
 * @param {number} pid
 */
export function rssOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = status.match(/^VmRSS:\s+(\d+) kB/m);
  return m ? Number(m[1]) * 1024 : Number.NaN;
}
