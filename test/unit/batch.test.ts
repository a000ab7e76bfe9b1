/** runBatch, the one loop of the three batch actions: request checks, per-entry failures, order. */
import { describe, expect, it, vi } from 'vitest';
import { type BatchSteps, runBatch } from '../../src/actions/batch.js';
import { invalidParameter, SqsError } from '../../src/errors.js';

interface Entry {
  Id?: string;
  n?: number;
}

/** Entries with n < 0 fail their own check, n > 100 fail at settle; the store doubles n. */
function steps(overrides: Partial<BatchSteps<Entry, number, number[], { n: number }>> = {}) {
  return {
    entryName: 'TestBatchRequestEntry',
    prepare: (e: Entry) => {
      if ((e.n ?? 0) < 0) throw invalidParameter(`negative ${e.n}`);
      return e.n ?? 0;
    },
    apply: vi.fn(async (ns: number[]) => ns.map((n) => n * 2)),
    settle: (n: number, i: number, doubled: number[]) => {
      if (n > 100) throw new SqsError('OverLimit', `too big ${n}`);
      return { n: doubled[i] as number };
    },
    ...overrides,
  };
}

async function failure(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (err) {
    if (err instanceof SqsError) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error('did not fail');
}

describe('runBatch', () => {
  it('refuses an empty request, more than 10 entries, repeated and malformed ids', async () => {
    expect(await failure(runBatch([], steps()))).toEqual({
      code: 'EmptyBatchRequest',
      message: 'There should be at least one TestBatchRequestEntry in the request.',
    });
    const eleven = Array.from({ length: 11 }, (_, i) => ({ Id: `e${i}` }));
    expect(await failure(runBatch(eleven, steps()))).toEqual({
      code: 'TooManyEntriesInBatchRequest',
      message: 'Maximum number of entries per request are 10. You have sent 11.',
    });
    expect(await failure(runBatch([{ Id: 'a' }, { Id: 'a' }], steps()))).toEqual({
      code: 'BatchEntryIdsNotDistinct',
      message: 'Id a repeated.',
    });
    for (const Id of [undefined, '', 'a b', 'x'.repeat(81)]) {
      expect(await failure(runBatch([{ Id }], steps()))).toEqual({
        code: 'InvalidBatchEntryId',
        message:
          'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.',
      });
    }
    const ten = Array.from({ length: 10 }, (_, i) => ({ Id: `${'x'.repeat(79)}${i}` }));
    expect((await runBatch(ten, steps())).Successful).toHaveLength(10);
  });

  it('fails entries alone, their own checks first, and keeps request order', async () => {
    const entries = [
      { Id: 'a', n: 1 },
      { Id: 'b', n: -1 },
      { Id: 'c', n: 101 },
      { Id: 'd', n: 2 },
      { Id: 'e', n: -2 },
    ];
    const result = await runBatch(entries, steps());
    expect(result.Successful).toEqual([
      { Id: 'a', n: 2 },
      { Id: 'd', n: 4 },
    ]);
    expect(Object.keys(result.Successful[0] ?? {})[0]).toBe('Id');
    expect(result.Failed).toEqual([
      { Id: 'b', SenderFault: true, Code: 'InvalidParameterValue', Message: 'negative -1' },
      { Id: 'e', SenderFault: true, Code: 'InvalidParameterValue', Message: 'negative -2' },
      { Id: 'c', SenderFault: true, Code: 'OverLimit', Message: 'too big 101' },
    ]);
  });

  it('makes no store call when no entry passed', async () => {
    const s = steps({});
    const result = await runBatch([{ Id: 'a', n: -1 }], s);
    expect(result.Successful).toEqual([]);
    expect(result.Failed).toHaveLength(1);
    expect(s.apply).not.toHaveBeenCalled();
  });

  it('fails the whole request on an error of its own checks, of the store, or that is no SqsError', async () => {
    const whole = invalidParameter('whole request');
    const entries = [{ Id: 'a', n: 1 }];
    const rejecting = async (): Promise<never> => {
      throw whole;
    };
    await expect(
      runBatch(
        entries,
        steps({
          checkRequest: () => {
            throw whole;
          },
        }),
      ),
    ).rejects.toBe(whole);
    await expect(runBatch(entries, steps({ apply: rejecting }))).rejects.toBe(whole);
    const bug = new TypeError('bug');
    await expect(
      runBatch(
        entries,
        steps({
          prepare: () => {
            throw bug;
          },
        }),
      ),
    ).rejects.toBe(bug);
  });
});
