/** loadConfig: the worker count from REDSQS_WORKERS and --workers. */
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { securityWarnings } from '../../src/credentials.js';

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

describe('loadConfig: the door', () => {
  it('listens on loopback unless told otherwise', () => {
    expect(loadConfig({}).host).toBe('127.0.0.1');
    expect(loadConfig({ HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
    expect(loadConfig({}, ['--host', '0.0.0.0']).host).toBe('0.0.0.0');
  });

  it('names an unknown flag as unknown, with or without a value', () => {
    expect(() => loadConfig({}, ['--prot', '9324'])).toThrow(/^unknown flag --prot\n/);
    expect(() => loadConfig({}, ['--verbose'])).toThrow(/^unknown flag --verbose\n/);
    expect(() => loadConfig({}, ['--nope=1'])).toThrow(/^unknown flag --nope\n/);
    expect(() => loadConfig({}, ['--port'])).toThrow('--port needs a value');
    expect(() => loadConfig({}, ['--port', '--host', 'x'])).toThrow('--port needs a value');
  });

  it('has a test profile without cool-downs, which explicit settings override', () => {
    const plain = loadConfig({});
    expect([plain.deleteCooldownSeconds, plain.purgeCooldownSeconds, plain.profile]).toEqual([60, 60, undefined]);
    for (const profiled of [loadConfig({ REDSQS_PROFILE: 'test' }), loadConfig({}, ['--profile', 'test'])]) {
      expect([profiled.deleteCooldownSeconds, profiled.purgeCooldownSeconds, profiled.profile]).toEqual([0, 0, 'test']);
    }
    const mixed = loadConfig({ REDSQS_PROFILE: 'test', REDSQS_DELETE_COOLDOWN_SECONDS: '60' });
    expect([mixed.deleteCooldownSeconds, mixed.purgeCooldownSeconds]).toEqual([60, 0]);
    expect(() => loadConfig({ REDSQS_PROFILE: 'fast' })).toThrow(
      'REDSQS_PROFILE (--profile) can only be "test", got "fast"',
    );
  });

  it('switches the developer endpoints and sets the shutdown deadline', () => {
    expect(loadConfig({}).devEndpoints).toBe(true);
    for (const off of ['off', 'false', '0', 'no', 'OFF'])
      expect(loadConfig({ REDSQS_DEV_ENDPOINTS: off }).devEndpoints).toBe(false);
    expect(loadConfig({ REDSQS_DEV_ENDPOINTS: 'off' }, ['--dev-endpoints', 'on']).devEndpoints).toBe(true);
    expect(() => loadConfig({ REDSQS_DEV_ENDPOINTS: 'maybe' })).toThrow('must be on or off, got "maybe"');
    expect(loadConfig({}).shutdownTimeoutMs).toBe(10_000);
    expect(loadConfig({ REDSQS_SHUTDOWN_TIMEOUT_SECONDS: '3' }).shutdownTimeoutMs).toBe(3_000);
    expect(() => loadConfig({ REDSQS_SHUTDOWN_TIMEOUT_SECONDS: '0' })).toThrow(/REDSQS_SHUTDOWN_TIMEOUT_SECONDS/);
  });
});

describe('loadConfig: the log format', () => {
  it('is auto unless REDSQS_LOG_FORMAT or --log-format says json or pretty', () => {
    expect(loadConfig({}).logFormat).toBe('auto');
    expect(loadConfig({ REDSQS_LOG_FORMAT: '' }).logFormat).toBe('auto');
    expect(loadConfig({ REDSQS_LOG_FORMAT: 'json' }).logFormat).toBe('json');
    expect(loadConfig({ REDSQS_LOG_FORMAT: 'json' }, ['--log-format', 'pretty']).logFormat).toBe('pretty');
    expect(loadConfig({}, ['--log-format=json']).logFormat).toBe('json');
  });

  it.each(['JSON', 'text', 'yes'])('refuses %j naming the setting', (raw) => {
    expect(() => loadConfig({ REDSQS_LOG_FORMAT: raw })).toThrow(
      `REDSQS_LOG_FORMAT (--log-format) must be one of auto, json, pretty, got "${raw}"`,
    );
    expect(() => loadConfig({}, ['--log-format', raw])).toThrow(ConfigError);
  });
});

describe('loadConfig: the log level', () => {
  it('takes LOG_LEVEL in any case, and names a wrong value in its refusal', () => {
    expect(loadConfig({ LOG_LEVEL: 'DEBUG' }).logLevel).toBe('debug');
    expect(() => loadConfig({ LOG_LEVEL: 'verbose' })).toThrow(
      'LOG_LEVEL must be one of debug, info, warn, error, silent (got "verbose")',
    );
  });
});

describe('loadConfig security settings', () => {
  const KEY = 'AKIAIOSFODNN7EXAMPLE:secret/with:colon:111111111111';

  it('reads credentials (the account is the last field; a secret may hold colons), and names a bad key id', () => {
    expect(loadConfig({ REDSQS_CREDENTIALS: KEY }).credentials).toEqual([
      { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'secret/with:colon', accountId: '111111111111' },
    ]);
    expect(() => loadConfig({ REDSQS_CREDENTIALS: 'test:test:000000000000' })).toThrow(
      /REDSQS_CREDENTIALS: the access key id "test" must be 16 to 128/,
    );
    expect(() => loadConfig({ REDSQS_CREDENTIALS: `${KEY},${KEY}` })).toThrow(/listed twice/);
  });

  it('warns at start of a token without credentials, and of credentials without a token', () => {
    expect(securityWarnings(loadConfig({ REDSQS_DEV_TOKEN: 't' }))).toEqual([
      expect.stringMatching(/^REDSQS_DEV_TOKEN is set but no credentials are/),
    ]);
    expect(securityWarnings(loadConfig({ REDSQS_CREDENTIALS: KEY }))).toEqual([
      expect.stringMatching(/^credentials are configured but REDSQS_DEV_TOKEN is not/),
    ]);
    expect(securityWarnings(loadConfig({ REDSQS_CREDENTIALS: KEY, REDSQS_DEV_TOKEN: 't' }))).toEqual([
      expect.stringMatching(/^REDSQS_DEV_TOKEN is shorter than 16 characters/),
    ]);
    expect(securityWarnings(loadConfig({ REDSQS_CREDENTIALS: KEY, REDSQS_DEV_TOKEN: 'x'.repeat(16) }))).toEqual([]);
    expect(securityWarnings(loadConfig({}))).toEqual([]);
  });
});
