import { describe, expect, it } from 'vitest';
import { settingsOf } from '../../src/app/start.js';

describe('settings from the environment', () => {
  it.each([
    [{}, {}],
    [{ CHANGEPROOF_COALESCE_MS: '' }, {}],
    [{ CHANGEPROOF_COALESCE_MS: '0' }, { coalesceMs: 0 }],
    [{ CHANGEPROOF_COALESCE_MS: '2500' }, { coalesceMs: 2500 }],
    [{ CHANGEPROOF_RATE_LIMIT_RESERVE: '0' }, { rateLimitReserve: 0 }],
    [{ CHANGEPROOF_RATE_LIMIT_RESERVE: '0.25' }, { rateLimitReserve: 0.25 }],
    [{ CHANGEPROOF_RATE_LIMIT_RESERVE: '.2', CHANGEPROOF_COALESCE_MS: '500' }, { rateLimitReserve: 0.2, coalesceMs: 500 }],
  ])('%j → %j', (env, expected) => {
    expect(settingsOf(env)).toEqual(expected);
  });

  it.each([
    [{ CHANGEPROOF_COALESCE_MS: '1s' }, /CHANGEPROOF_COALESCE_MS must be a whole number of milliseconds from 0 to 60000 \(got "1s"\)/],
    [{ CHANGEPROOF_COALESCE_MS: '-5' }, /CHANGEPROOF_COALESCE_MS/],
    [{ CHANGEPROOF_COALESCE_MS: '600000' }, /CHANGEPROOF_COALESCE_MS/],
    [{ CHANGEPROOF_RATE_LIMIT_RESERVE: '10%' }, /CHANGEPROOF_RATE_LIMIT_RESERVE must be a share from 0 to 0.5, such as 0.1 for 10 % \(got "10%"\)/],
    [{ CHANGEPROOF_RATE_LIMIT_RESERVE: '0.9' }, /CHANGEPROOF_RATE_LIMIT_RESERVE/],
    [{ CHANGEPROOF_RATE_LIMIT_RESERVE: '1' }, /CHANGEPROOF_RATE_LIMIT_RESERVE/],
  ])('%j is refused with the reason', (env, message) => {
    expect(() => settingsOf(env)).toThrow(message);
  });
});
