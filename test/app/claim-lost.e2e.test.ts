import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { EvaluationRecord } from '../../src/core/records.js';
import { PostgresLedger } from '../../src/ledger/postgres/postgres-ledger.js';
import { generateSigningKey } from '../../src/ledger/signing-key.js';
import { acmeScenario, INSTALLATION_ID, startApp, type RunningApp } from '../support/app-harness.js';
import { startGitHubSimulator, type GitHubSimulator } from '../support/simulator/server.js';
import { pullRequestPayload } from '../support/webhooks.js';
import { asSuperuser, dropFileDatabase, freshSchema, postgresUnavailable } from '../ledger/support/postgres.js';

// Two replicas on one PostgreSQL ledger. Replica A is evaluating a pull request
// when its claims session is cut (a network blip, a server restart, an admin's
// pg_terminate_backend): PostgreSQL drops A's claim, replica B takes the
// delivery over and shows the verdict. A, once its slow GitHub read returns,
// must neither record a second verdict nor show one: without the check, it
// created a second "Change control (CC8.1)" run on the same head.

const skip = await postgresUnavailable();
if (skip) console.warn(`Skipping the lost-claim tests: ${skip}`);

let sim: GitHubSimulator | undefined;
const apps: RunningApp[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
  await sim?.close();
  sim = undefined;
});
afterAll(dropFileDatabase);

async function replica(url: string, key: ReturnType<typeof generateSigningKey>): Promise<RunningApp> {
  const ledger = await PostgresLedger.open(url, { signingKey: key, shareWork: true, rescanMs: 50, poolSize: 3 });
  const app = await startApp(sim!, { ledger });
  apps.push(app);
  return app;
}

async function until(what: string, done: () => Promise<boolean> | boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.skipIf(skip)('a replica whose claim ends while it works', () => {
  it('leaves the delivery to the replica that holds the claim now: one verdict recorded, one check run shown', async () => {
    const s = acmeScenario().pullRequest({ author: 'alice' }).approvedBy('bob').check('ci', 'success');
    sim = await startGitHubSimulator(s);
    const url = await freshSchema();
    const key = generateSigningKey();
    const a = await replica(url, key);
    // A's read of the pull request takes 1.5 s: time to cut A's session and for B to finish.
    sim.faults.add('POST /graphql', { kind: 'delay', ms: 1500 });
    const res = await a.deliver('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'opened', { installationId: INSTALLATION_ID }));
    expect(res.status).toBe(200);
    await until('replica A to read the pull request', () => sim!.faults.served.length === 1);

    // The one session holding an advisory lock is A's (B is not started yet): cut it.
    const cut = await asSuperuser(url, (c) => c.query<{ pid: number }>(
      "SELECT pg_terminate_backend(pid), pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"));
    expect(cut.rowCount).toBe(1);

    const b = await replica(url, key);
    await until('replica B to show the verdict', () => ourRuns(sim!).length > 0);
    await until('the inbox to empty', async () => (await b.ledger.inbox.pendingIds()).length === 0);
    // A's read returns now; A finds its claim gone and leaves the delivery alone.
    await new Promise((r) => setTimeout(r, 1800));
    await a.worker.idle();
    await b.worker.idle();

    expect(ourRuns(sim)).toHaveLength(1);
    expect(sim.count('POST /repos/{owner}/{repo}/check-runs')).toBe(1);
    const evaluations = await b.entries('evaluation');
    expect(evaluations).toHaveLength(1);
    expect((evaluations[0]!.data as unknown as EvaluationRecord).verdict.outcome).toBe('compliant');
    expect(await a.ledger.inbox.pendingIds()).toEqual([]);
  }, 30_000);
});

function ourRuns(s: GitHubSimulator) {
  return s.world.repo('acme/api').checkRuns.filter((r) => r.name === 'Change control (CC8.1)');
}
