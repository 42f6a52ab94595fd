import { describe, expect, it } from 'vitest';
import { decideDeployment, renderDeploymentComment, type ChangeSummary, type DeployedCommit, type DeploymentFacts } from '../../src/core/policy/deployment-range.js';
import { policy, sha } from './facts-builder.js';

const NOW = new Date('2026-03-10T12:00:00Z');

const change = (n: number, over: Partial<ChangeSummary> = {}): ChangeSummary => ({
  subject: `pull/${n}`, seq: n * 10, hash: 'h'.repeat(64), outcome: 'compliant', enforced: true, authors: ['alice'], emergency: null, ...over,
});
const commit = (label: string, c: ChangeSummary | null, prNumber: number | null = c ? Number(c.subject.slice(5)) : null, author = 'alice'): DeployedCommit => ({
  sha: sha(label), author, pullRequest: prNumber === null ? null : { number: prNumber, url: `https://github.com/acme/api/pull/${prNumber}` }, change: c,
});
const facts = (commits: DeployedCommit[], over: Partial<DeploymentFacts> = {}): DeploymentFacts => ({
  repository: 'acme/api', environment: 'production', deploymentId: 9, sha: sha('head'), ref: 'main', deployer: 'carol', creator: 'github-actions[bot]',
  baseSha: sha('base'), rangeStatus: 'ahead', commits, gap: null, ...over,
});

describe('the deployment gate', () => {
  it.each([
    { name: 'a range of compliant changes is approved', commits: [commit('a', change(1)), commit('b', change(2))], state: 'approved', summary: /^Approved: 2 commits since the last approved deployment \([0-9a-f]{7}\.\.[0-9a-f]{7}\), 2 changes \(#1 and #2\), all compliant\.$/ },
    { name: 'a commit no merged pull request introduced is rejected', commits: [commit('a', change(1)), commit('x', null, null, 'mallory')], state: 'rejected', offending: [/no merged pull request's merge commit on the deployed history contains it \(pushed directly/] },
    { name: 'a merged pull request without a change record is rejected', commits: [commit('a', null, 7)], state: 'rejected', offending: [/pull request #7 has no change record/] },
    { name: 'a non-compliant change is rejected', commits: [commit('a', change(3, { outcome: 'non_compliant' }))], state: 'rejected', offending: [/#3: merged non-compliant/] },
    { name: 'a change merged while pending is rejected', commits: [commit('a', change(3, { outcome: 'pending' }))], state: 'rejected', offending: [/#3: merged while pending/] },
    { name: 'an emergency within its deadline is approved', commits: [commit('a', change(4, { outcome: 'emergency', emergency: { deadline: '2026-03-11T00:00:00Z', resolution: null } }))], state: 'approved' },
    { name: 'an emergency past its deadline is rejected', commits: [commit('a', change(4, { outcome: 'emergency', emergency: { deadline: '2026-03-10T11:59:59Z', resolution: null } }))], state: 'rejected', offending: [/emergency change past its deadline \(2026-03-10T11:59:59Z\)/] },
    { name: 'an emergency approved late is approved', commits: [commit('a', change(4, { outcome: 'emergency', emergency: { deadline: '2026-03-01T00:00:00Z', resolution: 'resolved_late' } }))], state: 'approved' },
    { name: "an ignored author's change (not enforced) is approved", commits: [commit('a', change(5, { outcome: 'pending', enforced: false }))], state: 'approved' },
    { name: 'nothing new (a redeploy) is approved', commits: [], state: 'approved', summary: /nothing new/ },
  ])('$name', ({ commits, state, summary, offending }) => {
    const d = decideDeployment(policy(), facts(commits), NOW);
    expect(d.state).toBe(state);
    expect(d.gated).toBe(true);
    if (summary) expect(d.summary).toMatch(summary);
    (offending ?? []).forEach((re, i) => expect(d.offending[i]?.why).toMatch(re));
    expect(d.offending).toHaveLength(offending?.length ?? 0);
  });

  it('an environment the policy does not gate is approved, saying so', () => {
    const d = decideDeployment(policy(), facts([commit('x', null, null)], { environment: 'staging' }), NOW);
    expect(d).toMatchObject({ state: 'approved', gated: false });
    expect(d.summary).toBe('Environment staging is not gated by the Changeproof policy (deployments.environments: production).');
  });

  it('evidence that could not be read is a rejection with the reason', () => {
    const d = decideDeployment(policy(), facts([], { gap: 'GitHub listed 250 of 300 commits' }), NOW);
    expect(d.state).toBe('rejected');
    expect(d.summary).toContain('GitHub listed 250 of 300 commits');
  });

  it('the deployer rule rejects a deployer who wrote a deployed change', () => {
    const commits = [commit('a', change(1, { authors: ['alice', 'carol'] }))];
    expect(decideDeployment(policy(), facts(commits), NOW).state).toBe('approved');
    const d = decideDeployment(policy({ separation_of_duties: { deployer_must_differ_from_authors: true } }), facts(commits), NOW);
    expect(d.state).toBe('rejected');
    expect(d.offending[0]!.why).toBe('deployed by @carol, who wrote it (separation_of_duties.deployer_must_differ_from_authors)');
    expect(decideDeployment(policy({ separation_of_duties: { deployer_must_differ_from_authors: true } }), facts(commits, { deployer: 'dave' }), NOW).state).toBe('approved');
  });

  it.each([
    { deployer: 'github-actions[bot]', shown: '@github-actions[bot]' },
    { deployer: null, shown: 'an account GitHub does not name' },
  ])('the deployer rule cannot be met when $shown deploys: the person behind it is not known', ({ deployer, shown }) => {
    const commits = [commit('a', change(1, { authors: ['alice'] }))];
    const rule = policy({ separation_of_duties: { deployer_must_differ_from_authors: true } });
    const d = decideDeployment(rule, facts(commits, { deployer }), NOW);
    expect(d.state).toBe('rejected');
    expect(d.offending[0]!.why).toBe(`deployed by ${shown}, not a person: who deployed cannot be established, so it cannot be shown to differ from the authors (separation_of_duties.deployer_must_differ_from_authors)`);
    expect(decideDeployment(policy(), facts(commits, { deployer }), NOW).state).toBe('approved');
  });

  it('the first deployment judges the change that produced the SHA', () => {
    const d = decideDeployment(policy(), facts([commit('head', change(8))], { baseSha: null, rangeStatus: 'first' }), NOW);
    expect(d.summary).toMatch(/first deployment to production/);
    expect(d.changes).toEqual(['pull/8']);
  });
});

describe('the deployment comment', () => {
  it('lists every offending commit with SHA, author and why, and where the full list is', () => {
    const d = decideDeployment(policy(), facts([commit('x', null, null, 'mallory'), commit('a', change(3, { outcome: 'non_compliant' }), 3, 'bob')]), NOW);
    const text = renderDeploymentComment(d, 'ledger entry #42');
    expect(text).toMatch(/^❌ Changeproof: Rejected: 2 of 2 commits/);
    expect(text).toContain(`- ${sha('x').slice(0, 7)} by @mallory: no change record`);
    expect(text).toContain(`- ${sha('a').slice(0, 7)} by @bob: #3: merged non-compliant`);
    expect(text.endsWith('Full evidence: ledger entry #42.')).toBe(true);
  });

  it('fits GitHub’s 1,024 characters however many commits offend, saying how many more', () => {
    const commits = Array.from({ length: 200 }, (_, i) => commit(`c${i}`, null, null, `dev${i}`));
    const text = renderDeploymentComment(decideDeployment(policy(), facts(commits), NOW), 'ledger entry #42');
    expect(text.length).toBeLessThanOrEqual(1024);
    expect(text).toMatch(/- … and \d+ more\nFull evidence: ledger entry #42\.$/);
  });
});
