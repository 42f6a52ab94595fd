import { describe, expect, it } from 'vitest';
import type { CheckFacts } from '../../src/core/facts.js';
import { PublishedCheckRuns, stillShown, type PublishedCheckRun } from '../../src/github/published-check-runs.js';

const written: PublishedCheckRun = { checkRunId: 7, digest: 'd', status: 'completed', conclusion: 'failure', completedAt: '2026-03-05T12:00:00.480Z' };
const onGitHub = (over: Partial<CheckFacts> = {}): CheckFacts => ({
  source: 'check_run', name: 'Change control (CC8.1)', status: 'completed', conclusion: 'failure', databaseId: 7, at: '2026-03-05T12:00:00Z', reporter: 'changeproof', url: null, ...over,
});

describe('whether GitHub still shows the run this process wrote', () => {
  it.each([
    { name: 'the same run, as written (GitHub keeps whole seconds)', latest: onGitHub(), shown: true },
    { name: 'no run on GitHub', latest: null, shown: false },
    { name: 'a newer run of the name', latest: onGitHub({ databaseId: 8 }), shown: false },
    { name: 'turned green by another writer', latest: onGitHub({ conclusion: 'success' }), shown: false },
    { name: 'set back in progress', latest: onGitHub({ status: 'in_progress', conclusion: null }), shown: false },
    { name: 'the same conclusion, completed again later by another writer', latest: onGitHub({ at: '2026-03-05T12:00:01Z' }), shown: false },
    { name: 'no completion time', latest: onGitHub({ at: null }), shown: false },
  ])('$name → $shown', ({ latest, shown }) => {
    expect(stillShown(written, latest)).toBe(shown);
  });

  it('an in-progress run is matched by id and status', () => {
    const pending: PublishedCheckRun = { ...written, status: 'in_progress', conclusion: null, completedAt: null };
    expect(stillShown(pending, onGitHub({ status: 'in_progress', conclusion: null, at: '2026-03-05T11:00:00Z' }))).toBe(true);
    expect(stillShown(pending, onGitHub())).toBe(false);
  });

  it('remembers a bounded number of runs, the least recently used going first', () => {
    const runs = new PublishedCheckRuns(2);
    runs.remember('a', written);
    runs.remember('b', written);
    runs.last('a');
    runs.remember('c', written);
    expect([runs.last('a'), runs.last('b'), runs.last('c')]).toEqual([written, undefined, written]);
    runs.forget('a');
    expect(runs.last('a')).toBeUndefined();
  });
});
