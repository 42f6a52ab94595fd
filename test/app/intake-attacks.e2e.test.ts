import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import type { ExceptionRecord, PushRecord } from '../../src/core/records.js';
import { acmeScenario, INSTALLATION_ID as INSTALLATION, useApp } from '../support/app-harness.js';
import { pushPayload } from '../support/webhooks.js';
import { runCli } from '../ledger/support/run-cli.js';

/**
 * Attacks on intake, pushes and exception responses, each of which once made a
 * direct push vanish, let someone answer for their own exception, or recorded
 * an event that never happened — end to end, through signed webhooks.
 */
const env = useApp();
const POLICY = '.github/changeproof.yml';
const data = <T,>(e: { data: unknown } | undefined) => e!.data as unknown as T;

describe('pushes, responses and intake an insider cannot game', () => {
  // Attack: the same before→after pushed to a second in-scope branch (main after release/1) is taken for a replay and vanishes.
  it('the same unreviewed commit pushed to release/1 and then to main is recorded for both branches', async () => {
    const s = acmeScenario().user('mallory').file(POLICY, "scope:\n  branches: ['default', 'release/*']\n");
    const repo = s.currentRepository();
    const base = repo.branches.get('main')!;
    repo.branches.set('release/1', base);
    s.file('src/backdoor.ts', 'export const open = true;\n', { branch: 'release/1', author: 'mallory' });
    const unreviewed = repo.branches.get('release/1')!;
    repo.branches.set('main', unreviewed);
    const { sim, app } = await env.start(s, (sim) => ({ clock: () => new Date(sim.world.now()), ledgerOnClock: true }));

    await app.deliverAndSettle('push', pushPayload(sim, 'acme/api', { before: base, after: unreviewed, pusher: 'mallory', ref: 'refs/heads/release/1', installationId: INSTALLATION, pushedAt: '2026-03-02T10:00:00Z' }));
    await app.deliverAndSettle('push', pushPayload(sim, 'acme/api', { before: base, after: unreviewed, pusher: 'mallory', ref: 'refs/heads/main', installationId: INSTALLATION, pushedAt: '2026-03-02T10:05:00Z' }));

    const pushes = (await app.entries('push')).map((e) => data<PushRecord>(e).ref);
    expect(pushes).toEqual(['refs/heads/release/1', 'refs/heads/main']);
    const reasons = (await app.entries('exception')).map((e) => data<ExceptionRecord>(e).reason);
    expect(reasons.some((r) => / to main at /.test(r))).toBe(true);
    // Each push is an item of its own in the export, with its own exception.
    expect((await app.entries('push')).map((e) => e.subject)).toEqual([`push/${unreviewed}`, `push/${unreviewed}~2`]);
    const out = join(mkdtempSync(join(tmpdir(), 'changeproof-pushes-')), 'march');
    const exported = await runCli(['export', '--ledger', app.ledgerPath, '--from', '2026-03-01', '--to', '2026-03-31', '--out', out, '--seed', 's', '--allow-partial-coverage', '--json']);
    expect(exported.code, exported.err).toBe(0);
    const population = parse(readFileSync(join(out, 'population.csv')), { columns: true }) as Record<string, string>[];
    expect(population.filter((r) => r['kind'] === 'direct_push').map((r) => [r['id'], r['title']])).toEqual([
      [`acme/api@${unreviewed}`, expect.stringMatching(/^Direct push to release\/1: /)],
      [`acme/api@${unreviewed}~2`, expect.stringMatching(/^Direct push to main: /)],
    ]);
    expect(population.find((r) => r['id'] === `acme/api@${unreviewed}~2`)!['merge_sha']).toBe(unreviewed);
    rmSync(dirname(out), { recursive: true, force: true });
  });

  // Attack: an in-scope release branch is rewound by deleting it and re-creating it at an older commit: no push record, no exception.
  it('deleting an in-scope branch and re-creating it at an older commit is a direct-push exception naming the commit removed', async () => {
    const s = acmeScenario().user('mallory').file(POLICY, "scope:\n  branches: ['default', 'release/*']\n");
    const repo = s.currentRepository();
    const base = repo.branches.get('main')!;
    repo.branches.set('release/1', base);
    // A reviewed fix on release/1 (how it got there does not matter: it was recorded before); mallory wants it gone.
    s.file('src/security-fix.ts', 'export const patched = true;\n', { branch: 'release/1', author: 'carol' });
    const fix = repo.branches.get('release/1')!;
    const { sim, app } = await env.start(s);

    // mallory deletes release/1 …
    const deletion = pushPayload(sim, 'acme/api', { before: fix, after: base, pusher: 'mallory', ref: 'refs/heads/release/1', installationId: INSTALLATION, pushedAt: '2026-03-02T10:00:00Z' });
    Object.assign(deletion, { after: '0'.repeat(40), deleted: true, commits: [], head_commit: null });
    await app.deliverAndSettle('push', deletion);
    // … and pushes it again at the commit before the fix.
    repo.branches.set('release/1', base);
    const recreation = pushPayload(sim, 'acme/api', { before: '0'.repeat(40), after: base, pusher: 'mallory', ref: 'refs/heads/release/1', created: true, installationId: INSTALLATION, pushedAt: '2026-03-02T10:01:00Z' });
    await app.deliverAndSettle('push', recreation);

    const exceptions = (await app.entries('exception')).map((e) => data<ExceptionRecord>(e));
    expect(exceptions.filter((e) => e.type === 'direct_push').length).toBeGreaterThan(0);
    expect(exceptions.some((e) => e.reason.includes(fix.slice(0, 7)))).toBe(true);
  });

  // Attack: the maintainer who committed a directly pushed commit (someone else pushed it) answers its exception himself through the API.
  it("the committer of a directly pushed commit cannot respond to the push's exception, even with the maintain role", async () => {
    const s = acmeScenario().role('dave', 'maintain').user('mallory');
    const repo = s.currentRepository();
    const before = repo.branches.get('main')!;
    // dave commits (mallory is named author); mallory pushes it straight to main.
    s.pullRequest({ author: 'mallory', commits: 0 }).commit({ author: 'mallory', committer: 'dave', message: 'Disable audit logging' });
    const after = s.pr().commits[0]!;
    repo.branches.set('main', after);
    s.world.userTokens.set('dave-token', 'dave');
    const { sim, app } = await env.start(s, { signingToken: 'sign-me' });
    await app.deliverAndSettle('push', pushPayload(sim, 'acme/api', { before, after, pusher: 'mallory', installationId: INSTALLATION }));
    expect(await app.entries('exception')).toHaveLength(1);

    const res = await fetch(`${app.url}/api/changeproof/exception-response`, {
      method: 'POST',
      headers: { authorization: 'Bearer sign-me', 'content-type': 'application/json', 'x-github-token': 'dave-token' },
      body: JSON.stringify({ repository: 'acme/api', subject: `push/${after}`, text: 'Reviewed after the fact: fine.' }),
    });
    expect(res.status).toBe(403);
    expect(await app.entries('exception_response')).toHaveLength(0);
  });

  // Attack: an unreviewed commit pushed to main, rewound away, then pushed again later (same before→after) lands on main unrecorded the second time.
  it('pushing the same unreviewed commit to main again after a rewind is recorded again, at its own push time', async () => {
    const s = acmeScenario().user('mallory');
    const repo = s.currentRepository();
    const base = repo.branches.get('main')!;
    s.file('src/backdoor.ts', 'export const open = true;\n', { author: 'mallory' });
    const unreviewed = repo.branches.get('main')!;
    const { sim, app } = await env.start(s);

    await app.deliverAndSettle('push', pushPayload(sim, 'acme/api', { before: base, after: unreviewed, pusher: 'mallory', installationId: INSTALLATION, pushedAt: '2026-03-02T10:00:00Z' }));
    repo.branches.set('main', base);
    await app.deliverAndSettle('push', pushPayload(sim, 'acme/api', { before: unreviewed, after: base, pusher: 'mallory', forced: true, installationId: INSTALLATION, pushedAt: '2026-03-02T10:01:00Z' }));
    // A week later, the same commit goes back onto main: a new push, not a replay (a different push time, a new delivery).
    repo.branches.set('main', unreviewed);
    await app.deliverAndSettle('push', pushPayload(sim, 'acme/api', { before: base, after: unreviewed, pusher: 'mallory', installationId: INSTALLATION, pushedAt: '2026-03-09T10:00:00Z' }));

    const pushes = (await app.entries('push')).map((e) => data<PushRecord>(e).pushedAt);
    expect(pushes).toEqual(['2026-03-02T10:00:00Z', '2026-03-02T10:01:00Z', '2026-03-09T10:00:00Z']);
    const exceptions = (await app.entries('exception')).map((e) => data<ExceptionRecord>(e).occurredAt);
    expect(exceptions).toContain('2026-03-09T10:00:00Z');
  });

  // Attack: a captured, correctly signed push body replayed with `X-GitHub-Event: installation` (the header is not signed) adds a made-up installation record.
  it('a signed push body delivered under the installation event header records no installation', async () => {
    const s = acmeScenario().user('mallory');
    const repo = s.currentRepository();
    const before = repo.branches.get('main')!;
    s.file('src/backdoor.ts', 'export const open = true;\n', { author: 'mallory' });
    const after = repo.branches.get('main')!;
    const { sim, app } = await env.start(s);
    const captured = pushPayload(sim, 'acme/api', { before, after, pusher: 'mallory', installationId: INSTALLATION });
    await app.deliverAndSettle('installation', captured);
    expect(await app.entries('installation')).toHaveLength(0);
  });
});
