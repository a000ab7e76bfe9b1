/**
 * The script runner against a real Redis: errors name the right line of the .lua file (the lib/
 * definitions share line 1), the kind of queue is said, not guessed, and a lease is released only
 * by its holder, however two instances race.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { KeyCache, leaseKey } from '../../src/store/keys.js';
import { RedisMoves } from '../../src/store/redis-moves.js';
import { COMPOSED_FILE, composeScripts, explainScriptError, loadScript, Scripts } from '../../src/store/scripts.js';

const T0 = 1_800_000_000_000;
const prefix = `scripts-${randomUUID().slice(0, 8)}`;
let redis: Redis;
let other: Redis;
beforeAll(() => {
  redis = new Redis(inject('redisUrl'));
  other = new Redis(inject('redisUrl'));
});
afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.unlink(...keys);
  await Promise.all([redis.quit(), other.quit()]);
});

/** The 1-based number of the line of `file` (in lua/) that contains `text`. */
function lineOf(file: string, text: string): number {
  const lines = readFileSync(new URL(`../../src/store/lua/${file}`, import.meta.url), 'utf8').split('\n');
  const n = lines.findIndex((l) => l.includes(text));
  if (n < 0) throw new Error(`${file} has no line with ${text}`);
  return n + 1;
}

async function errorOf(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('no error');
}

describe('Redis error line numbers', () => {
  it('name the line of the script file, in a script that includes lib/ definitions', async () => {
    const script = [
      '-- A test script that fails on line 5, after lines that use lib/ definitions.',
      "local seq = parse_info('7|0|0||0|g')",
      'local status = S.OK',
      'local missing = nil',
      'return seq + status + missing',
      '',
    ].join('\n');
    const { source, included } = loadScript(script);
    expect(included).toEqual(['S', 'parse_info']);
    const err = await errorOf(redis.eval(source, 0));
    expect(err.message).toMatch(/user_script:5: attempt to perform arithmetic on local 'missing'/);
  });

  it('name line 1, and the definitions on it, for an error inside one of them', async () => {
    const script = "-- fifo_member gets a sequence number that is not one.\nreturn fifo_member('g', 'x', 'id')\n";
    const { source, included } = loadScript(script);
    const err = await errorOf(redis.eval(source, 0));
    expect(err.message).toMatch(/user_script:1: bad argument #2 to 'format'/);
    explainScriptError(err, 'test.lua', included);
    expect(err.message).toMatch(/\[test\.lua line 1 or the lib\/ definitions on it \(fifo_member\)\]$/);
  });

  it("name the line of a store script, and Scripts.run adds the script's file", async () => {
    // A lifetime that is not a number reaches SET ... PX, which Redis refuses.
    const line = lineOf('lease.lua', "redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])");
    const err = await errorOf(new Scripts(redis).run('lease', [leaseKey(prefix, 'bad')], ['me', 'soon']));
    expect(err.message).toContain(`@user_script:${line}.`);
    expect(err.message).toMatch(new RegExp(`\\[lease\\.lua line ${line}\\]$`));
  });

  it('name the line of a store script whose own Lua fails', async () => {
    // purge-queue on a standard queue told it is a FIFO queue: queue_keys refuses 10 keys.
    const q = new KeyCache(prefix).get({ account: '000000000000', name: 'std' });
    const line = lineOf('purge-queue.lua', "local k = queue_keys(ARGV[1] == '1')");
    const err = await errorOf(new Scripts(redis).run('purge-queue', q.message, [1, T0, 0]));
    expect(err.message).toContain('expected the 17 message keys, got 10');
    // queue_keys (on line 1) raises the error at the line of the script that called it.
    expect(err.message).toContain(`user_script:${line}: expected the 17`);
    expect(err.message).toMatch(new RegExp(`\\[purge-queue\\.lua line ${line}\\]$`));
  });
});

describe('leases', () => {
  const name = 'sweeper';
  const key = leaseKey(prefix, name);
  // Two instances: their own connections and scripts, one Redis.
  const a = () => new RedisMoves(redis, new Scripts(redis), prefix, 'us-east-1');
  const b = () => new RedisMoves(other, new Scripts(other), prefix, 'us-east-1');

  it('are taken by one owner at a time, renewed by it, and released by it only', async () => {
    await redis.del(key);
    expect(await a().lease(name, 'a', 10_000)).toBe(true);
    expect(await b().lease(name, 'b', 10_000)).toBe(false);
    expect(await a().lease(name, 'a', 20_000)).toBe(true);
    expect(await redis.pttl(key)).toBeGreaterThan(10_000);
    await b().releaseLease(name, 'b');
    expect(await redis.get(key)).toBe('a');
    await a().releaseLease(name, 'a');
    expect(await redis.get(key)).toBeNull();
  });

  it("are not released by a former holder whose lease ran out and another owner took (A's late release)", async () => {
    await redis.del(key);
    expect(await a().lease(name, 'a', 10_000)).toBe(true);
    await redis.del(key); // as if A's lease ran out while A was still busy
    expect(await b().lease(name, 'b', 10_000)).toBe(true);
    await a().releaseLease(name, 'a'); // A finishes and lets go of what it believes it holds
    expect(await redis.get(key)).toBe('b');
    expect(await a().lease(name, 'a', 10_000)).toBe(false);
  });

  it('survive a release racing a take-over: the new holder keeps its lease every time', async () => {
    const [ma, mb] = [a(), b()];
    for (let i = 0; i < 100; i++) {
      await redis.del(key);
      expect(await ma.lease(name, 'a', 5)).toBe(true);
      // B tries back to back while A's lease runs out and A lets go of it, at about the same moment.
      const started = Date.now();
      let taken = false;
      const takeOver = (async () => {
        while (!taken && Date.now() - started < 100) taken = await mb.lease(name, 'b', 10_000);
      })();
      await new Promise((r) => setTimeout(r, 4));
      await ma.releaseLease(name, 'a');
      await takeOver;
      expect(taken).toBe(true);
      expect(await redis.get(key)).toBe('b');
    }
  });
});

describe('the build', () => {
  it('ships every script composed as the sources compose it (dist/store/lua/composed.json; npm run build)', () => {
    const built = JSON.parse(
      readFileSync(new URL(`../../dist/store/lua/${COMPOSED_FILE}`, import.meta.url), 'utf8'),
    ) as unknown;
    expect(built).toEqual(composeScripts());
  });
});
