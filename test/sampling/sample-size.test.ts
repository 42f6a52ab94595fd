import { describe, expect, it } from 'vitest';
import { sampleSize, statisticalSize } from '../../src/sampling/sample-size.js';

// reference/sampling.md: attribute sampling, zero expected deviations.
const TABLE: Record<string, number[]> = {
  '0.95': [149, 99, 74, 59, 49, 42, 36, 32, 29, 19, 14],
  '0.9': [114, 76, 57, 45, 38, 32, 28, 25, 22, 15, 11],
};
const RATES = [0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.1, 0.15, 0.2];

describe('statistical sample size', () => {
  for (const [confidence, sizes] of Object.entries(TABLE)) {
    it.each(RATES.map((rate, i) => [rate, sizes[i]!]))(`confidence ${confidence}, tolerable rate %s → %i`, (rate, expected) => {
      expect(statisticalSize(Number(confidence), rate)).toBe(expected);
      expect(sampleSize({ method: 'statistical', confidence: Number(confidence), tolerableRate: rate }, 10_000, 365).size).toBe(expected);
    });
  }

  it('is capped at the population', () => {
    expect(sampleSize({ method: 'statistical', confidence: 0.95, tolerableRate: 0.05 }, 40, 90)).toMatchObject({ size: 40, derivation: expect.stringContaining('capped at the population of 40') });
  });

  it.each([[0, 0.05], [1, 0.05], [0.95, 0], [0.95, 1], [Number.NaN, 0.1]])('refuses confidence %s with rate %s', (c, r) => {
    expect(() => statisticalSize(c, r)).toThrow(RangeError);
  });
});

describe('auto sample size: the frequency table on the annualised population', () => {
  it.each([
    { population: 1000, days: 365, size: 25 },
    { population: 250, days: 365, size: 25 },
    { population: 249, days: 365, size: 10 },
    { population: 62, days: 90, size: 25 }, // 251 a year
    { population: 52, days: 365, size: 10 },
    { population: 51, days: 365, size: 3 },
    { population: 12, days: 365, size: 3 },
    { population: 11, days: 365, size: 2 },
    { population: 4, days: 365, size: 2 },
    { population: 3, days: 365, size: 1 },
    { population: 1, days: 90, size: 1 },
    { population: 2, days: 30, size: 2 }, // 24 a year → monthly → 3, capped at 2
    { population: 0, days: 90, size: 0 },
  ])('$population items in $days days → $size', ({ population, days, size }) => {
    const s = sampleSize({ method: 'auto' }, population, days);
    expect(s.size).toBe(size);
    expect(s.size).toBeLessThanOrEqual(population);
  });

  it('a fixed size is capped at the population', () => {
    expect(sampleSize({ method: 'fixed', size: 30 }, 12, 90).size).toBe(12);
    expect(sampleSize({ method: 'fixed', size: 5 }, 12, 90).size).toBe(5);
  });
});
