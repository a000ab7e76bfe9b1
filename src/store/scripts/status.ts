/**
 * The status vocabulary of the Lua scripts: the TS twin of the table `S` in lua/lib/status.lua (a
 * test compares the two). A script's reply starts with one of these; batch scripts give one per
 * entry.
 */
import type { Reply, ScriptName } from '../scripts.js';

export const S = {
  OK: 1,
  MISSING: 2,
  EMPTY: 3,
  EXISTS: 4,
  DIFFERS: 5,
  DELETED_RECENTLY: 6,
  CONFLICT: 7,
  TOO_SOON: 8,
  TOO_MANY: 9,
  OVER_LIMIT: 10,
  BUSY: 11,
  NO_TASK: 12,
  WRONG_STATUS: 13,
  HELD: 14,
  BACKWARDS: 15,
  PAST_END: 16,
  DUPLICATE: 17,
  TOO_LARGE: 18,
  NO_DEDUP_ID: 19,
  GONE: 20,
  EXPIRED: 21,
  NOT_INFLIGHT: 22,
} as const;

export type StatusName = keyof typeof S;

const NAMES = new Map<unknown, StatusName>(Object.entries(S).map(([name, code]) => [code, name as StatusName]));

/** The name of a status code, or undefined if the vocabulary has none for it. */
export function statusName(code: Reply | undefined): StatusName | undefined {
  return NAMES.get(code);
}

/** A script answered with something its header does not list. */
export class UnexpectedReply extends Error {
  constructor(script: ScriptName, reply: Reply) {
    super(`${script}.lua: unexpected reply ${JSON.stringify(reply)?.slice(0, 200)}`);
  }
}

/**
 * The status a reply starts with, one of those `expected`; the reply itself, whose values after
 * the status are read from index 1.
 */
export function decode<K extends StatusName>(
  script: ScriptName,
  reply: Reply,
  expected: readonly K[],
): { status: K; reply: Reply[] } {
  if (Array.isArray(reply)) {
    const status = NAMES.get(reply[0]);
    if (status !== undefined && (expected as readonly StatusName[]).includes(status)) {
      return { status: status as K, reply };
    }
  }
  throw new UnexpectedReply(script, reply);
}

/** The per-entry status at `reply[i]`, one of those `expected`. */
export function entryStatus<K extends StatusName>(
  script: ScriptName,
  reply: Reply[],
  i: number,
  expected: readonly K[],
): K {
  const status = NAMES.get(reply[i]);
  if (status !== undefined && (expected as readonly StatusName[]).includes(status)) return status as K;
  throw new UnexpectedReply(script, reply);
}

/** A flag of ARGV, as the scripts read it ('1' true). */
export const flag = (on: boolean): number => (on ? 1 : 0);

/** A record as the flat name/value pairs of ARGV. */
export function pairs(record: Record<string, string>): string[] {
  return Object.entries(record).flat();
}
