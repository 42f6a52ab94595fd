import { describe, expect, it } from 'vitest';
import type { ExceptionRecord, PushRecord } from '../../src/core/records.js';
import { acmeScenario, INSTALLATION_ID as INSTALLATION, useApp } from '../support/app-harness.js';
import type { ScenarioBuilder } from '../support/scenario.js';
import type { GitHubSimulator } from '../support/simulator/server.js';
import { pullRequestPayload, pushPayload } from '../support/webhooks.js';
import { followSim, mergeCompliant } from '../support/merge-and-push.js';
import { requestDeployment } from '../support/deployments.js';

/**
 * Attacks on the deployment gate by someone who can push to the default branch
 * past its protection, each of which once got unreviewed code approved: a merge
 * commit made by hand with content of its own, a commit stacked on a reviewed
 * head and merged with it, and a deployer who renamed the account.
 */
const env = useApp();
const data = <T,>(e: { data: unknown } | undefined) => e!.data as unknown as T;

type Person = { name: string; email: string; date: string };
/** A commit made by hand (`git commit`), as someone with push rights would. */
function makeCommit(s: ScenarioBuilder, parents: string[], message: string, person: Person, changes: Record<string, string | null>): string {
  return s.makeCommit(s.currentRepository(), parents, message, person, person, changes);
}


/**
 * mallory merges an approved pull request by hand: `git merge --no-ff feature-2`, amends the merge
 * commit with a file nobody reviewed, and pushes it to main. GitHub sees the pull request's head on
 * main and marks it merged, with the pushed commit as its merge commit (merged_by mallory).
 */
function evilMerge(s: ScenarioBuilder, sim: GitHubSimulator, options: { extraCommit?: boolean; asGitHub?: boolean; clean?: boolean } = {}): { before: string; after: string; extra: string | null } {
  const repo = sim.world.repo('acme/api');
  const pr = s.pr();
  const before = repo.branches.get('main')!;
  const mallory = () => ({ name: 'mallory', email: 'mallory@example.com', date: sim.world.tick() });
  let head = pr.commits.at(-1)!;
  let extra: string | null = null;
  if (options.extraCommit) {
    // Variant: the backdoor in a commit of mallory's on top of the reviewed head (never pushed to the pull request), merged in.
    extra = makeCommit(s, [head], 'tweak', mallory(), { 'src/backdoor.ts': 'export const open = true;\n' });
    head = extra;
  }
  const files = Object.fromEntries(repo.commits.get(head)!.files);
  const content = options.extraCommit || options.clean ? files : { ...files, 'src/backdoor.ts': 'export const open = true;\n' };
  // Variant: the merge written in GitHub's name (`GitHub <noreply@github.com>` as author and committer), as
  // GitHub's own merges are, but unsigned: only GitHub can sign as GitHub.
  const person = options.asGitHub ? { name: 'GitHub', email: 'noreply@github.com', date: sim.world.tick() } : mallory();
  const message = options.asGitHub ? `Merge pull request #${pr.number} from acme/${pr.headRef}` : `Merge branch '${pr.headRef}'`;
  const after = s.makeCommit(s.currentRepository(), [before, head], message, person, person, content);
  repo.branches.set('main', after);
  Object.assign(pr, { state: 'closed', mergedAt: sim.world.tick(), mergedBy: 'mallory', mergeCommitSha: after, closedAt: sim.world.now() });
  return { before, after, extra };
}

describe('the deployment gate against hand-made merges and renamed accounts', () => {
  // Attack: "evil merge" — a hand-made merge commit of a reviewed pull request, carrying unreviewed content, pushed to main.
  it('a hand-pushed merge commit that adds content the pull request never had is a direct push, not a reviewed change', async () => {
    const s = acmeScenario().user('mallory');
    const { sim, app } = await env.start(s, followSim);
    await mergeCompliant(s, sim, app);
    s.pullRequest({ author: 'alice' }).approvedBy('bob').check('ci', 'success');
    const { before, after } = evilMerge(s, sim);
    expect(sim.world.repo('acme/api').commits.get(after)!.files.get('src/backdoor.ts')).toBeDefined();
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 2, 'closed', { installationId: INSTALLATION }));
    await app.deliverAndSettle('push', pushPayload(sim, 'acme/api', { before, after, pusher: 'mallory', installationId: INSTALLATION }));
    // Recorded today: the push's commits all "introduced by #2", no unreviewed commit; #2's change record compliant, no exception.
    const exceptions = (await app.entries('exception')).map((e) => data<ExceptionRecord>(e));
    expect(exceptions.some((x) => (x.type === 'direct_push' && x.reason.includes(`${before.slice(0, 7)}..${after.slice(0, 7)}`)) || x.subject === 'pull/2')).toBe(true);
  });

  // Attack: "evil merge" deployed — the deployment gate approves a merge commit whose content nobody reviewed.
  it('deploying a hand-pushed merge commit that adds unreviewed content is rejected', async () => {
    const s = acmeScenario().user('mallory');
    const { sim, app } = await env.start(s, followSim);
    await mergeCompliant(s, sim, app);
    expect((await requestDeployment(sim, app)).answer.body.state).toBe('approved');
    s.pullRequest({ author: 'alice' }).approvedBy('bob').check('ci', 'success');
    const { before, after } = evilMerge(s, sim);
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 2, 'closed', { installationId: INSTALLATION }));
    await app.deliverAndSettle('push', pushPayload(sim, 'acme/api', { before, after, pusher: 'mallory', installationId: INSTALLATION }));
    const { answer, record } = await requestDeployment(sim, app, { sha: after });
    expect(answer.body.state).toBe('rejected');
    expect(record.decision.offending.map((o) => o.sha)).toContain(after);
  });

  // Attack: a hand-made merge whose second parent is an unreviewed commit on top of the reviewed head.
  it('deploying a hand-pushed merge of an unreviewed commit stacked on a reviewed head is rejected', async () => {
    const s = acmeScenario().user('mallory');
    const { sim, app } = await env.start(s, followSim);
    await mergeCompliant(s, sim, app);
    expect((await requestDeployment(sim, app)).answer.body.state).toBe('approved');
    s.pullRequest({ author: 'alice' }).approvedBy('bob').check('ci', 'success');
    const { before, after, extra } = evilMerge(s, sim, { extraCommit: true });
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 2, 'closed', { installationId: INSTALLATION }));
    await app.deliverAndSettle('push', pushPayload(sim, 'acme/api', { before, after, pusher: 'mallory', installationId: INSTALLATION }));
    const { answer, record } = await requestDeployment(sim, app, { sha: after });
    expect(answer.body.state).toBe('rejected');
    expect(record.decision.offending.map((o) => o.sha)).toContain(extra);
  });

  // Attack: the evil merge again, written in GitHub's name (committer web-flow) so that it looks like GitHub's own merge.
  it('a hand-pushed merge in GitHub\'s name but unsigned, carrying content the pull request never had, is a direct push naming why', async () => {
    const s = acmeScenario().user('mallory');
    const { sim, app } = await env.start(s, followSim);
    await mergeCompliant(s, sim, app);
    s.pullRequest({ author: 'alice' }).approvedBy('bob').check('ci', 'success');
    const { before, after } = evilMerge(s, sim, { asGitHub: true });
    await app.deliverAndSettle('push', pushPayload(sim, 'acme/api', { before, after, pusher: 'mallory', installationId: INSTALLATION }));
    const push = data<PushRecord>((await app.entries('push')).at(-1));
    expect(push.unreviewed).toContain(after);
    expect(push.commits.find((c) => c.sha === after)?.note).toMatch(/in GitHub's name but not signed by GitHub.*merge [0-9a-f]{7} added src\/backdoor\.ts to the change/);
    const exception = (await app.entries('exception')).map((e) => data<ExceptionRecord>(e)).find((x) => x.type === 'direct_push');
    expect(exception?.reason).toContain('added src/backdoor.ts to the change');
    // The deployment gate, even on a first deployment (no earlier one to compare with), will not take it for #2's merge.
    const { answer, record } = await requestDeployment(sim, app, { sha: after });
    expect(answer.body.state).toBe('rejected');
    expect(record.decision.offending.find((o) => o.sha === after)?.why).toMatch(/not signed by GitHub/);
  });

  // The same unsigned merge in GitHub's name without extra content (a server that does not sign its merges) is the pull request's.
  it('an unsigned merge in GitHub\'s name whose content is exactly the reviewed change still counts for its pull request', async () => {
    const s = acmeScenario().user('mallory');
    const { sim, app } = await env.start(s, followSim);
    await mergeCompliant(s, sim, app);
    s.pullRequest({ author: 'alice' }).approvedBy('bob').check('ci', 'success');
    const { before, after } = evilMerge(s, sim, { asGitHub: true, clean: true });
    await app.deliverAndSettle('push', pushPayload(sim, 'acme/api', { before, after, pusher: 'mallory', installationId: INSTALLATION }));
    const push = data<PushRecord>((await app.entries('push')).at(-1));
    expect(push.unreviewed).toEqual([]);
    expect(push.commits.find((c) => c.sha === after)?.introducedBy?.number).toBe(2);
    expect((await app.entries('exception')).map((e) => data<ExceptionRecord>(e)).filter((x) => x.type === 'direct_push')).toEqual([]);
  });

  // Attack: a first deployment (nothing earlier to compare with) of a merge commit made by hand.
  it('a first deployment of a hand-made merge commit is rejected: the deployed commit is read, not taken on its SHA', async () => {
    const s = acmeScenario().user('mallory');
    const { sim, app } = await env.start(s, followSim);
    s.pullRequest({ author: 'alice' }).approvedBy('bob').check('ci', 'success');
    const { after } = evilMerge(s, sim);
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'closed', { installationId: INSTALLATION }));
    const { answer, record } = await requestDeployment(sim, app, { sha: after });
    expect(answer.body.state).toBe('rejected');
    expect(record.decision.offending.map((o) => o.sha)).toContain(after);
  });

  // Attack: the author renames their GitHub account, then deploys their own change under the new login.
  it('deployer_must_differ_from_authors: an author who renamed their account is still the author', async () => {
    const s = acmeScenario().file('.github/changeproof.yml', 'separation_of_duties:\n  deployer_must_differ_from_authors: true\n');
    const { sim, app } = await env.start(s, followSim);
    await mergeCompliant(s, sim, app, 'alice');
    const alice = sim.world.account('alice')!;
    sim.world.accounts.delete('alice');
    alice.login = 'alice-renamed';
    sim.world.accounts.set('alice-renamed', alice);
    const { answer, payload } = await requestDeployment(sim, app, { sender: 'alice-renamed' });
    expect(payload['sender']).toMatchObject({ login: 'alice-renamed', id: alice.id });
    expect(answer.body.state).toBe('rejected');
  });
});
