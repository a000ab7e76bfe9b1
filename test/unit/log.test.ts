/** createLogger on pino: the format chosen, the fields of an entry, levels, bindings and errors. */
import { describe, expect, it, vi } from 'vitest';
import { lambdaContext } from '../../src/lambda/event.js';
import { captureHandlerConsole, invoke } from '../../src/lambda/handler.js';
import { createLogger, type LogFormat, resolveLogFormat } from '../../src/log.js';

function capture(level: Parameters<typeof createLogger>[0], format?: LogFormat, tag?: string) {
  const lines: string[] = [];
  const log = createLogger(level, { write: (l) => lines.push(l), ...(format ? { format } : {}) }, tag);
  const entries = (): Record<string, unknown>[] => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  return { log, lines, entries };
}

describe('log format', () => {
  it('auto is readable on a terminal and JSON elsewhere; json and pretty are what they say', () => {
    expect(resolveLogFormat('auto', true)).toBe('pretty');
    expect(resolveLogFormat('auto', false)).toBe('json');
    expect(resolveLogFormat('json', true)).toBe('json');
    expect(resolveLogFormat('pretty', false)).toBe('pretty');
  });

  it('writes one JSON object per line by default when the output is not a terminal', () => {
    const { log, lines, entries } = capture('info');
    log.info('listening on 127.0.0.1:9324');
    log.warn('careful');
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line.endsWith('\n') && !line.slice(0, -1).includes('\n')).toBe(true);
    const [first, second] = entries();
    expect(first).toMatchObject({ level: 'info', msg: 'listening on 127.0.0.1:9324', pid: process.pid });
    expect(new Date(first?.time as string).toISOString()).toBe(first?.time);
    expect(second).toMatchObject({ level: 'warn', msg: 'careful' });
  });

  it('writes readable lines in pretty: time, level, worker, message, then the fields', () => {
    const { log, lines } = capture('debug', 'pretty', 'w2');
    log.info('worker ready (pid 1)', { queue: 'orders', status: 200 });
    log.debug('plain');
    expect(lines[0]).toMatch(
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO \[w2\] worker ready \(pid 1\) \{"queue":"orders","status":200\}\n$/,
    );
    expect(lines[1]).toMatch(/^\S+Z DEBUG \[w2\] plain\n$/);
    expect(() => JSON.parse(lines[0] as string)).toThrow();
  });
});

describe('log entries', () => {
  it('carry the structured fields given', () => {
    const { log, entries } = capture('debug', 'json');
    log.debug('SendMessage json 200', { action: 'SendMessage', queue: 'q', durationMs: 1.5 });
    expect(entries()[0]).toMatchObject({ level: 'debug', action: 'SendMessage', queue: 'q', durationMs: 1.5 });
  });

  it('write nothing below the level, nothing at all when silent', () => {
    const info = capture('info', 'json');
    info.log.debug('hidden');
    info.log.info('shown');
    expect(info.log.debugEnabled).toBe(false);
    expect(info.entries().map((e) => e.msg)).toEqual(['shown']);

    const warn = capture('warn', 'pretty');
    warn.log.info('hidden');
    warn.log.warn('shown');
    expect(warn.lines).toHaveLength(1);

    const silent = capture('silent', 'json');
    silent.log.error('hidden', new Error('x'));
    expect(silent.lines).toEqual([]);
    expect(capture('debug').log.debugEnabled).toBe(true);
  });

  it('name the worker of a tagged logger and carry the bindings of a child', () => {
    const { log, entries } = capture('info', 'json', 'w3');
    log.info('worker ready');
    const child = log.child({ function: 'f', invocation: 'i-1' });
    child.warn('from the handler', { extra: true });
    log.info('parent again');
    const [ready, fromChild, parent] = entries();
    expect(ready).toMatchObject({ worker: 'w3', msg: 'worker ready' });
    expect(fromChild).toMatchObject({ worker: 'w3', function: 'f', invocation: 'i-1', extra: true, level: 'warn' });
    expect(parent).not.toHaveProperty('function');
    expect(child.debugEnabled).toBe(false);
  });

  it('give an error with its type, message and stack, and a thrown non-error as text', () => {
    const { log, entries } = capture('info', 'json');
    log.error('GET /x failed', new TypeError('boom'), { path: '/x' });
    log.error('request failed', 'just a string');
    log.error('no error');
    const [withError, withString, bare] = entries();
    expect(withError).toMatchObject({ level: 'error', msg: 'GET /x failed', path: '/x' });
    const err = withError?.err as { type: string; message: string; stack: string };
    expect(err.type).toBe('TypeError');
    expect(err.message).toBe('boom');
    expect(err.stack).toMatch(/^TypeError: boom\n\s+at /);
    expect(withString).toMatchObject({ err: 'just a string' });
    expect(bare).not.toHaveProperty('err');
  });

  it('show an error stack on the lines after a readable entry', () => {
    const { log, lines } = capture('info', 'pretty');
    log.error('it failed', new Error('boom'));
    const text = lines.join('');
    expect(text).toMatch(/^\S+Z ERROR it failed/);
    expect(text).toMatch(/\n\s+Error: boom\n\s+at /);
  });
});

describe('handler output', () => {
  const context = lambdaContext('resize', 'us-east-1', '000000000000', 3_000);

  it('goes to the logger with the function and invocation, async continuations included', async () => {
    const { log, entries } = capture('debug', 'json');
    // What the console did before the pollers started: it gets the calls made outside invocations.
    const before = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const release = captureHandlerConsole();
    try {
      const result = await invoke(
        async (event) => {
          console.log('got %d record(s)', event.Records.length);
          await new Promise((r) => setTimeout(r, 5));
          console.warn('slow');
          setImmediate(() => console.error({ oops: 1 }));
          await new Promise((r) => setImmediate(r));
          console.debug('detail');
          console.info('done');
          return 'ok';
        },
        { Records: [] },
        context,
        3_000,
        undefined,
        undefined,
        log,
      );
      expect(result).toEqual({ ok: true, value: 'ok' });
      console.log('not from a handler');
      expect(before.mock.calls).toEqual([['not from a handler']]);
    } finally {
      release();
      before.mockRestore();
    }
    const attributed = { function: 'resize', invocation: context.awsRequestId };
    expect(
      entries().map(({ level, msg, function: f, invocation }) => ({ level, msg, function: f, invocation })),
    ).toEqual([
      { level: 'info', msg: 'got 0 record(s)', ...attributed },
      { level: 'warn', msg: 'slow', ...attributed },
      { level: 'error', msg: '{ oops: 1 }', ...attributed },
      { level: 'debug', msg: 'detail', ...attributed },
      { level: 'info', msg: 'done', ...attributed },
    ]);
  });

  it('is left alone once the pollers let go of the console', async () => {
    const before = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      const first = captureHandlerConsole();
      const second = captureHandlerConsole();
      expect(console.log).not.toBe(before);
      first();
      first();
      expect(console.log).not.toBe(before);
      second();
      expect(console.log).toBe(before);
      const { log, lines } = capture('info', 'json');
      await invoke(async () => console.log('plain'), { Records: [] }, context, 3_000, undefined, undefined, log);
      expect(lines).toEqual([]);
      expect(before.mock.calls).toEqual([['plain']]);
    } finally {
      before.mockRestore();
    }
  });
});
