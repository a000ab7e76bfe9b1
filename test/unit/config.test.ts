/** loadConfig: the worker count from REDSQS_WORKERS and --workers. */
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('loadConfig workers', () => {
  it('defaults to one process', () => {
    expect(loadConfig({}).workers).toBe(1);
    expect(loadConfig({ REDSQS_WORKERS: '' }).workers).toBe(1);
  });

  it('reads REDSQS_WORKERS, and --workers overrides it', () => {
    expect(loadConfig({ REDSQS_WORKERS: '3' }).workers).toBe(3);
    expect(loadConfig({ REDSQS_WORKERS: '3' }, ['--workers', '2']).workers).toBe(2);
    expect(loadConfig({}, ['--workers=4']).workers).toBe(4);
  });

  it('takes auto as the number of CPUs', () => {
    expect(loadConfig({}, ['--workers', 'auto']).workers).toBe(Math.min(availableParallelism(), 256));
    expect(loadConfig({ REDSQS_WORKERS: 'auto' }).workers).toBe(Math.min(availableParallelism(), 256));
  });

  it.each(['0', '-1', '1.5', 'abc', '2x', ' 2', '257', 'AUTO'])('refuses %j naming the setting', (raw) => {
    expect(() => loadConfig({ REDSQS_WORKERS: raw })).toThrow(ConfigError);
    expect(() => loadConfig({}, ['--workers', raw])).toThrow(
      `REDSQS_WORKERS (--workers) must be "auto" or an integer from 1 to 256, got "${raw}"`,
    );
  });
});
