/**
 * Loads the Lua scripts of lua/ once and runs them by SHA (EVALSHA), falling back to EVAL when
 * Redis has not seen a script yet (after a restart or on a new cluster node).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Cluster, Redis } from 'ioredis';

export const SCRIPT_NAMES = [
  'create-queue',
  'delete-queue',
  'set-queue-attributes',
  'get-queue-attributes',
  'peek-messages',
  'swap-queue-attribute',
  'send-messages',
  'send-fifo-messages',
  'receive-messages',
  'receive-fifo-messages',
  'delete-messages',
  'change-visibility',
  'purge-queue',
  'tag-queue',
  'untag-queue',
  'read-queue-hash',
  'accept-moved',
  'outbox-read',
  'outbox-finish',
  'claim-for-move',
  'sweep-queue',
  'start-move-task',
  'update-move-task',
  'lease',
  'clock',
] as const;

export type ScriptName = (typeof SCRIPT_NAMES)[number];

interface Script {
  source: string;
  sha: string;
}

const LUA_DIR = new URL('./lua/', import.meta.url);

function load(): Record<ScriptName, Script> {
  const out = {} as Record<ScriptName, Script>;
  // Redis Lua has no modules: the shared functions are prepended to every script.
  const lib = readFileSync(new URL('lib.lua', LUA_DIR), 'utf8');
  for (const name of SCRIPT_NAMES) {
    const source = lib + readFileSync(new URL(`${name}.lua`, LUA_DIR), 'utf8');
    out[name] = { source, sha: createHash('sha1').update(source).digest('hex') };
  }
  return out;
}

export type Reply = string | number | null | Reply[];

export class Scripts {
  private readonly scripts = load();
  constructor(private readonly redis: Redis | Cluster) {}

  async run(name: ScriptName, keys: readonly string[], args: readonly (string | number)[]): Promise<Reply> {
    const { sha, source } = this.scripts[name];
    try {
      return (await this.redis.evalsha(sha, keys.length, ...keys, ...args)) as Reply;
    } catch (err) {
      if (err instanceof Error && err.message.startsWith('NOSCRIPT')) {
        return (await this.redis.eval(source, keys.length, ...keys, ...args)) as Reply;
      }
      throw err;
    }
  }
}
