/**
 * Loads the Lua scripts of lua/ once, each with the shared definitions of lua/lib/ it uses
 * (lua-helpers.ts), and runs them by SHA (EVALSHA), falling back to EVAL when Redis has not seen a
 * script yet (after a restart or on a new cluster node). Callers use the typed wrappers of
 * scripts/, not run().
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Cluster, Redis } from 'ioredis';
import { compose, parseHelpers } from './lua-helpers.js';

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
  'delete-message',
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

export interface LoadedScript {
  /** What Redis runs: the included definitions and the script, its lines where the file has them. */
  source: string;
  sha: string;
  /** The lib/ definitions on its first line. */
  included: string[];
}

const LUA_DIR = new URL('./lua/', import.meta.url);

/**
 * The files of lua/lib/, in the order their definitions are included: a definition uses only
 * those before it.
 */
export const LIB_FILES = ['status', 'queue-keys', 'fifo', 'messages', 'outbox', 'receive'] as const;

const readLua = (file: string): string => readFileSync(new URL(file, LUA_DIR), 'utf8');

/** The definitions of lua/lib/, in order, as one text. */
export function readLib(): string {
  return LIB_FILES.map((name) => readLua(`lib/${name}.lua`)).join('\n');
}

/** A script as Redis runs it, from its text (the files of lua/, or a test's). */
export function loadScript(text: string, lib = readLib()): LoadedScript {
  const { source, included } = compose(text, parseHelpers(lib));
  return { source, included, sha: createHash('sha1').update(source).digest('hex') };
}

let loaded: Record<ScriptName, LoadedScript> | undefined;

/**
 * The build composes every script once (scripts/copy-assets.mjs writes them here), so that a start
 * does not parse the Lua again; from the sources (tests), they are composed on first use.
 */
export const COMPOSED_FILE = 'composed.json';

/** Every script of lua/, composed once per process (or read as the build composed them). */
export function loadScripts(): Record<ScriptName, LoadedScript> {
  if (loaded) return loaded;
  loaded = readComposed() ?? composeScripts();
  return loaded;
}

function readComposed(): Record<ScriptName, LoadedScript> | undefined {
  let text: string;
  try {
    text = readLua(COMPOSED_FILE);
  } catch {
    return undefined;
  }
  const scripts = JSON.parse(text) as Record<ScriptName, LoadedScript>;
  return SCRIPT_NAMES.every((name) => scripts[name] !== undefined) ? scripts : undefined;
}

/** Reads and composes every script of lua/ (what the build writes to COMPOSED_FILE). */
export function composeScripts(): Record<ScriptName, LoadedScript> {
  const helpers = parseHelpers(readLib());
  const out = {} as Record<ScriptName, LoadedScript>;
  for (const name of SCRIPT_NAMES) {
    const { source, included } = compose(readLua(`${name}.lua`), helpers);
    out[name] = { source, included, sha: createHash('sha1').update(source).digest('hex') };
  }
  return out;
}

export type Reply = string | number | null | Reply[];

/**
 * Names the script file in a Redis error about a script ("user_script:12: ..."): line n is line n
 * of `<name>.lua`, and line 1 holds the included definitions too.
 */
export function explainScriptError(err: unknown, file: string, included: readonly string[]): void {
  if (!(err instanceof Error)) return;
  const line = /user_script:(\d+)/.exec(err.message)?.[1];
  if (line === undefined) return;
  const where = line === '1' && included.length > 0 ? ` or the lib/ definitions on it (${included.join(', ')})` : '';
  err.message += ` [${file} line ${line}${where}]`;
}

export class Scripts {
  private readonly scripts = loadScripts();
  constructor(private readonly redis: Redis | Cluster) {}

  async run(name: ScriptName, keys: readonly string[], args: readonly (string | number)[]): Promise<Reply> {
    const script = this.scripts[name];
    try {
      try {
        return (await this.redis.evalsha(script.sha, keys.length, ...keys, ...args)) as Reply;
      } catch (err) {
        if (err instanceof Error && err.message.startsWith('NOSCRIPT')) {
          return (await this.redis.eval(script.source, keys.length, ...keys, ...args)) as Reply;
        }
        throw err;
      }
    } catch (err) {
      explainScriptError(err, `${name}.lua`, script.included);
      throw err;
    }
  }
}
