import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseSelectionList } from '../../src/sampling/auditor-selection.js';
import { SeededRandom, shuffle } from '../../src/sampling/prng.js';
import { allocate, selectSample, type SampleItem } from '../../src/sampling/select-sample.js';

const population: SampleItem[] = Array.from({ length: 300 }, (_, i) => ({
  id: `acme/${i % 3 === 0 ? 'web' : 'api'}#${1000 + i}`,
  month: `2026-${String(1 + (i % 6) + (i % 7 === 0 ? 0 : 0)).padStart(2, '0')}`,
  repo: `acme/${i % 3 === 0 ? 'web' : 'api'}`,
}));

describe('sha256-ctr-v1', () => {
  it('draws exactly as documented (an independent re-computation)', () => {
    const digest = createHash('sha256').update('audit-2026:main:0').digest();
    const first = digest.readUIntBE(0, 6);
    const limit = 2 ** 48 - (2 ** 48 % 1000);
    expect(first).toBeLessThan(limit); // (rejection is vanishingly rare; this vector does not hit it)
    expect(new SeededRandom('audit-2026').below(1000)).toBe(first % 1000);
  });

  it('is reproducible and depends on the seed and the stream', () => {
    const draw = (seed: string, stream?: string) => Array.from({ length: 20 }, ((r) => () => r.below(1_000_000))(new SeededRandom(seed, stream)));
    expect(draw('s1')).toEqual(draw('s1'));
    expect(draw('s1')).not.toEqual(draw('s2'));
    expect(draw('s1', 'stratum:2026-01')).not.toEqual(draw('s1'));
  });

  it('is uniform enough: a chi-square test over 10 buckets', () => {
    const r = new SeededRandom('uniformity');
    const counts = new Array(10).fill(0);
    for (let i = 0; i < 20_000; i++) counts[r.below(10)]++;
    const chi2 = counts.reduce((s, c) => s + (c - 2000) ** 2 / 2000, 0);
    expect(chi2).toBeLessThan(27.88); // p = 0.001 with 9 degrees of freedom
  });

  it('shuffle is a permutation', () => {
    const items = Array.from({ length: 50 }, (_, i) => i);
    const out = shuffle(items, new SeededRandom('x'));
    expect([...out].sort((a, b) => a - b)).toEqual(items);
    expect(out).not.toEqual(items);
  });
});

describe('selection', () => {
  it('the same population and seed give the same sample, whatever the input order', () => {
    const a = selectSample(population, 25, 'seed-1', 'none');
    const b = selectSample([...population].reverse(), 25, 'seed-1', 'none');
    expect(a).toEqual(b);
    expect(a.ids).toHaveLength(25);
    expect(new Set(a.ids).size).toBe(25);
  });

  it('a different seed gives a different sample', () => {
    expect(selectSample(population, 25, 'seed-1', 'none').ids).not.toEqual(selectSample(population, 25, 'seed-2', 'none').ids);
  });

  it.each(['month', 'repo'] as const)('stratified by %s covers every stratum, proportionally', (strata) => {
    const s = selectSample(population, 25, 'seed-1', strata);
    const key = (id: string) => population.find((p) => p.id === id)![strata];
    const covered = new Set(s.ids.map(key));
    expect(covered.size).toBe(new Set(population.map((p) => p[strata])).size);
    expect(s.ids).toHaveLength(s.allocation.reduce((n, a) => n + a.sample, 0));
    for (const a of s.allocation) expect(Math.abs(a.sample - (a.population * 25) / 300)).toBeLessThanOrEqual(1);
  });

  it('at least one per stratum, even when the sample is smaller than the strata', () => {
    const alloc = allocate(
      [
        { stratum: '2026-01', population: 100 },
        { stratum: '2026-02', population: 1 },
        { stratum: '2026-03', population: 1 },
      ],
      2,
    );
    expect(alloc.map((a) => a.sample)).toEqual([1, 1, 1]);
  });

  it('never selects more than the population', () => {
    expect(selectSample(population.slice(0, 4), 25, 's', 'none').ids).toHaveLength(4);
    expect(selectSample(population.slice(0, 4), 25, 's', 'month').ids).toHaveLength(4);
    expect(selectSample([], 25, 's', 'month').ids).toEqual([]);
  });
});

describe("an auditor's own selection", () => {
  const ids = new Set(population.map((p) => p.id));
  it.each([
    ['one id per line', 'acme/api#1001\n# comment\n\nacme/web#1000\n'],
    ['a CSV with an id column', 'repo,id,note\nacme/api,acme/api#1001,x\nacme/web,"acme/web#1000",y\n'],
    ['a JSON array', '["acme/web#1000", "acme/api#1001"]'],
    ['a selection.json', '{"ids": ["acme/web#1000", "acme/api#1001"]}'],
  ])('reads %s', (_name, text) => {
    expect(parseSelectionList(text, ids)).toMatchObject({ method: 'auditor_list', ids: ['acme/api#1001', 'acme/web#1000'] });
  });

  it.each([
    ['', /names no change id/],
    ['acme/api#1001\nacme/api#1001\n', /repeats acme\/api#1001/],
    ['acme/api#9999\n', /1 id\(s\) of the selection list are not in the population: acme\/api#9999/],
    ['{"ids": 3}', /array of ids/],
    ['[1,2', /not valid JSON/],
    ['repo,note\nacme/api,x\n', /needs an `id` column/],
  ])('refuses %j', (text, message) => {
    expect(() => parseSelectionList(text, ids)).toThrow(message);
  });
});

describe('packages drawn with the earlier allocation (v1)', () => {
  it('are re-drawn with the algorithm they name, so they still verify', async () => {
    const { allocateV1 } = await import('../../src/sampling/allocate-v1.js');
    const { allocateStrata } = await import('../../src/sampling/allocate.js');
    const { selectSample, SELECTION_ALGORITHM_V1 } = await import('../../src/sampling/select-sample.js');
    // A layout where v1's floating-point allocation and v2's exact one differ.
    const found = {
      counts: [{ stratum: '2026-01', population: 4 }, { stratum: '2026-02', population: 7 }, { stratum: '2026-03', population: 12 }, { stratum: '2026-04', population: 9 }],
      n: 6,
    };
    expect(allocateV1(found.counts, found.n)).not.toEqual(allocateStrata(found.counts, found.n).allocation);
    const items = found!.counts.flatMap((c) => Array.from({ length: c.population }, (_, i) => ({ id: `acme/api#${c.stratum}-${i}`, month: c.stratum, repo: 'acme/api' })));
    const v1 = selectSample(items, found!.n, 'seed', 'month', SELECTION_ALGORITHM_V1);
    expect(v1.algorithm).toBe(SELECTION_ALGORITHM_V1);
    expect(v1.allocation).toEqual(allocateV1(found!.counts, found!.n));
    expect(selectSample(items, found!.n, 'seed', 'month').allocation).toEqual(allocateStrata(found!.counts, found!.n).allocation);
    expect(() => selectSample(items, 1, 'seed', 'month', 'fisher-yates-v9')).toThrow(/unknown selection algorithm/);
  });
});
