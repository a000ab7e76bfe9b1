/** The Redis version check at start: ZMSCORE needs Redis 6.2. */
import { describe, expect, it } from 'vitest';
import { atLeast } from '../../src/service.js';

describe('Redis version check', () => {
  it.each([
    ['7.0.15', true],
    ['6.2.0', true],
    ['6.2.14', true],
    ['10.0.0', true],
    ['6.0.16', false],
    ['5.0.7', false],
    ['6', false],
  ])('%s is %s for 6.2', (version, ok) => {
    expect(atLeast(version, [6, 2])).toBe(ok);
  });
});
