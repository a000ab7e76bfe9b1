/** Typed call of clock.lua: read or change the deployment's clock. */
import type { ClockState } from '../../clock.js';
import type { Scripts } from '../scripts.js';
import { decode } from './status.js';

export type ClockOperation = 'get' | 'advance' | 'set' | 'freeze' | 'unfreeze';

export interface ClockReply {
  /** 'backwards': set to a time before now; 'past-end': past the last JavaScript Date. Nothing changed then. */
  status: 'ok' | 'backwards' | 'past-end';
  state: ClockState;
  /** The clock's time (ms). */
  now: number;
}

const STATUS = { OK: 'ok', BACKWARDS: 'backwards', PAST_END: 'past-end' } as const;

/** `value`: ms to add (advance) or the new time (set); `real`: the caller's real time (ms). */
export async function clock(
  scripts: Scripts,
  a: { key: string; op: ClockOperation; real: number; value?: number },
): Promise<ClockReply> {
  const raw = await scripts.run('clock', [a.key], [a.op, a.real, a.value ?? 0]);
  const { status, reply } = decode('clock', raw, ['OK', 'BACKWARDS', 'PAST_END']);
  const [offset, frozen, frozenAt, version, now] = reply.slice(1, 6).map(Number) as number[];
  return {
    status: STATUS[status],
    state: {
      offsetMs: offset as number,
      ...(frozen === 1 ? { frozenAtMs: frozenAt as number } : {}),
      version: version as number,
    },
    now: now as number,
  };
}
