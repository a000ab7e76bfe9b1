/**
 * The clock routes (GET/POST /_redsqs/clock) and the reset that returns the clock to real time,
 * on two instances of one deployment: a change made on A is seen on B as soon as A has answered.
 * What the clock drives is in clock.test.ts and clock-pollers.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { errorOf, uniqueName } from '../helpers/clients.js';
import { call, changeClock, readClock, sleep, until, useDeployment } from '../helpers/clock.js';

const deployment = useDeployment();
const a = () => deployment().a.url;
const b = () => deployment().b.url;
const change = (body: Record<string, unknown>) => changeClock(a(), body);
const post = (url: string, path: string, body: string) => call(url, 'POST', path, body);

/** offsetMs is now() - real() read at two instants, so equal offsets may differ by a millisecond. */
const near = (x: number, y: number) => Math.abs(x - y) <= 2;

describe('the clock routes', () => {
  it('GET /_redsqs/clock gives now, frozen and offsetMs; a fresh deployment runs on real time', async () => {
    const before = Date.now();
    const view = await readClock(a());
    const after = Date.now();
    expect(Object.keys(view).sort()).toEqual(['frozen', 'now', 'offsetMs']);
    expect(view.frozen).toBe(false);
    expect(near(view.offsetMs, 0)).toBe(true);
    expect(view.now).toBeGreaterThanOrEqual(before - 2);
    expect(view.now).toBeLessThanOrEqual(after + 2);
  });

  it('advanceMs moves the clock forward by exactly that much, and B sees it as soon as A answered', async () => {
    const before = await readClock(a());
    const moved = await change({ advanceMs: 60_000 });
    expect(near(moved.offsetMs - before.offsetMs, 60_000)).toBe(true);
    expect(moved.now - before.now).toBeGreaterThanOrEqual(60_000);
    const onB = await readClock(b());
    expect(near(onB.offsetMs, moved.offsetMs)).toBe(true);
    expect(onB.frozen).toBe(false);
  });

  it('setMs moves it forward to that time; an earlier time is refused with 400 and changes nothing', async () => {
    const start = await readClock(a());
    const target = start.now + 3_600_000;
    const set = await change({ setMs: target });
    expect(set.now).toBeGreaterThanOrEqual(target);
    expect(set.now - target).toBeLessThan(1_000);
    expect(near((await readClock(b())).offsetMs, set.offsetMs)).toBe(true);

    const earlier = set.now - 60_000;
    const refused = await post(a(), '/_redsqs/clock', JSON.stringify({ setMs: earlier }));
    expect(refused.status).toBe(400);
    expect(refused.json.__type).toBe('com.amazon.coral.service#InvalidParameterValueException');
    expect(refused.json.message).toMatch(/cannot go backwards/);
    expect(refused.json.message).toContain(String(earlier));
    // Nor past the last time a JavaScript Date holds (8.64e15 ms, in the year 275760), whether set
    // or advanced to: no date could show it.
    const tooLate = [{ setMs: 8_640_000_000_000_001 }, { advanceMs: 8_640_000_000_000_000 - set.now + 60_000 }];
    for (const body of tooLate) {
      const r = await post(a(), '/_redsqs/clock', JSON.stringify(body));
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.json.message).toMatch(/cannot go past 8640000000000000 \(\+275760-09-13T00:00:00.000Z\)/);
    }
    for (const url of [a(), b()]) {
      const after = await readClock(url);
      expect(near(after.offsetMs, set.offsetMs)).toBe(true);
      expect(after.frozen).toBe(false);
    }
  });

  it('freeze stops time on every instance; an advance while frozen moves the instant; unfreeze runs on from it', async () => {
    const frozen = await change({ freeze: true });
    expect(frozen.frozen).toBe(true);
    const first = await readClock(a());
    await sleep(200); // real time passes; the clock must not
    const second = await readClock(a());
    expect(second.now).toBe(first.now);
    expect(second.now).toBe(frozen.now);
    expect(await readClock(b())).toMatchObject({ now: frozen.now, frozen: true });

    const moved = await change({ advanceMs: 600_000 });
    expect(moved).toMatchObject({ now: frozen.now + 600_000, frozen: true });
    expect((await readClock(b())).now).toBe(frozen.now + 600_000);

    // Unfrozen, time runs on from the frozen instant: it moves no more than the real time the
    // request took, neither back to where real time plus the old offset would put it (600 s
    // earlier), nor forward by the 200 ms and more spent frozen.
    const sent = Date.now();
    const thawed = await change({ freeze: false });
    const answered = Date.now();
    expect(thawed.frozen).toBe(false);
    expect(thawed.now).toBeGreaterThanOrEqual(moved.now);
    expect(thawed.now - moved.now).toBeLessThanOrEqual(answered - sent + 1);
    const onB = await readClock(b());
    expect(onB.frozen).toBe(false);
    expect(onB.now).toBeGreaterThanOrEqual(thawed.now);
    await until(
      'the clock to run again',
      () => readClock(b()),
      (v) => v.now > thawed.now,
    );
  });

  it('refuses malformed changes with a 400 in the AWS JSON error shape, changing nothing', async () => {
    const before = await readClock(a());
    const bad: [string, RegExp][] = [
      ['{"advanceMs": 1000, "freeze": true}', /exactly one of advanceMs, setMs and freeze; got advanceMs, freeze/],
      ['{}', /exactly one .* got none/],
      ['{"rewindMs": 1000}', /Unknown field rewindMs/],
      ['{"advanceMs": -1}', /advanceMs must be a whole number of milliseconds, 0 or more; got -1/],
      ['{"advanceMs": 1.5}', /advanceMs must be a whole number .* got 1.5/],
      ['{"advanceMs": "1000"}', /advanceMs must be a whole number .* got "1000"/],
      ['{"setMs": 1e300}', /setMs must be a whole number/],
      ['{"freeze": "yes"}', /freeze must be true or false; got "yes"/],
      ['[{"advanceMs": 1000}]', /must be a JSON object/],
      ['{"advanceMs": 1000', /not valid JSON/],
    ];
    for (const [body, message] of bad) {
      const r = await post(a(), '/_redsqs/clock', body);
      expect(r.status, body).toBe(400);
      expect(r.type, body).toMatch(/json/);
      expect(r.json.__type, body).toBe('com.amazon.coral.service#InvalidParameterValueException');
      expect(r.json.message, body).toMatch(message);
    }
    const after = await readClock(b());
    expect(near(after.offsetMs, before.offsetMs)).toBe(true);
    expect(after.frozen).toBe(false);
  });

  it("takes a JSON body sent with curl -d's form content type", async () => {
    const before = await readClock(a());
    const body = JSON.stringify({ advanceMs: 1_000 });
    const r = await call(a(), 'POST', '/_redsqs/clock', body, 'application/x-www-form-urlencoded');
    expect(r.status).toBe(200);
    expect(near((r.json.offsetMs as number) - before.offsetMs, 1_000)).toBe(true);
  });
});

describe('reset', () => {
  it('a reset of one account keeps the clock; a reset of the whole deployment returns it to real time everywhere', async () => {
    await change({ freeze: true });
    const moved = await change({ advanceMs: 86_400_000 });
    const { sqsA } = deployment();
    const QueueName = uniqueName('clock-reset');
    await sqsA.createQueue({ QueueName });

    const oneAccount = await post(a(), '/_redsqs/reset', JSON.stringify({ account: '111111111111' }));
    expect(oneAccount.status).toBe(200);
    expect(await readClock(b())).toMatchObject({ now: moved.now, frozen: true });

    const all = await post(b(), '/_redsqs/reset', '{}');
    expect(all.status).toBe(200);
    expect(all.json.deletedQueues).toBe(1);
    for (const url of [a(), b()]) {
      const view = await readClock(url);
      expect(view.frozen).toBe(false);
      expect(near(view.offsetMs, 0)).toBe(true);
      expect(Math.abs(view.now - Date.now())).toBeLessThan(1_000);
    }
    expect((await errorOf(() => sqsA.getQueueUrl({ QueueName }))).code).toBe('QueueDoesNotExist');
    // Real time again, and movable from there.
    const after = await change({ advanceMs: 1_000 });
    expect(near(after.offsetMs, 1_000)).toBe(true);
    expect(near((await readClock(b())).offsetMs, 1_000)).toBe(true);
  });
});
