import { describe, expect, it } from 'vitest';
import { isoSeconds } from '../../src/core/format.js';

describe('isoSeconds', () => {
  it.each([
    '2026-03-04T10:15:00.000Z',
    '2026-03-04T10:15:59.999Z',
    '1999-12-31T23:59:59.000Z',
    '2000-01-01T00:00:00.000Z',
    '1970-01-01T00:00:00.000Z',
    '9999-12-31T23:59:59.999Z',
    '0999-06-01T05:04:03.000Z',
    '+010000-01-01T00:00:00.000Z',
  ])('writes %s as toISOString does, to the second', (iso) => {
    const date = new Date(iso);
    expect(isoSeconds(date)).toBe(`${date.toISOString().slice(0, -5)}Z`);
  });

  it('agrees with toISOString on a spread of times', () => {
    for (let ms = Date.UTC(1000, 0, 1); ms < Date.UTC(9999, 0, 1); ms += 86_400_000 * 97 + 3_723_456) {
      const date = new Date(ms);
      expect(isoSeconds(date)).toBe(`${date.toISOString().slice(0, 19)}Z`);
    }
  });
});
