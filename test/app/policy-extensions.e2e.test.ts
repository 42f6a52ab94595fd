import { describe, expect, it } from 'vitest';
import type { EvaluationRecord } from '../../src/core/records.js';
import { acmeScenario, INSTALLATION_ID, useApp, type RunningApp } from '../support/app-harness.js';
import type { ScenarioBuilder } from '../support/scenario.js';
import type { GitHubSimulator } from '../support/simulator/server.js';
import { pullRequestPayload } from '../support/webhooks.js';

const POLICY = '.github/changeproof.yml';
const TOKEN_ROUTE = 'POST /app/installations/{installation_id}/access_tokens';
const ourRuns = (sim: GitHubSimulator) => sim.world.repo('acme/api').checkRuns.filter((r) => r.name === 'Change control (CC8.1)');
const cost = (sim: GitHubSimulator) => Object.fromEntries(Object.entries(sim.counts()).filter(([route]) => route !== TOKEN_ROUTE));
const lastRecord = async (app: RunningApp) => (await app.entries('evaluation')).at(-1)!.data as unknown as EvaluationRecord;

const SETTINGS = `peer_review:
  code_owners: true
  keep_approvals_on_update_merge: true
  rules:
    - name: infrastructure
      paths: ['terraform/**']
      from: ['@acme/sre']
`;

/** alice changes terraform/ (the SRE team's rule) and src/ (owned by the core team); dave (SRE) and bob (core) approve. */
function approvedChange(): ScenarioBuilder {
  return acmeScenario()
    .file(POLICY, SETTINGS)
    .file('.github/CODEOWNERS', '* @acme/core\n/terraform/ @acme/sre\n')
    .team('acme/sre', ['dave'])
    .team('acme/core', ['bob'])
    .pullRequest({ author: 'alice', commits: 0 })
    .commit({ files: { 'terraform/main.tf': 'resource "x" {}\n', 'src/app.ts': 'v1\n' } })
    .approvedBy('dave')
    .approvedBy('bob')
    .check('ci', 'success');
}

describe('path rules, teams, code owners and update merges in the running app', () => {
  const env = useApp();

  it('a path rule with a team and code owners: compliant, evidenced; an "Update branch" keeps the approvals', async () => {
    const s = approvedChange();
    const { sim, app } = await env.start(s);
    sim.resetRequests();
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'opened', { installationId: INSTALLATION_ID }));
    let run = ourRuns(sim).at(-1)!;
    expect(run.conclusion).toBe('SUCCESS');
    expect(run.output.summary).toContain('| ✅ | Path rule: infrastructure |');
    expect(run.output.summary).toContain('| ✅ | Code owners |');
    expect(run.output.summary).toContain('| `terraform/main.tf` | @acme/sre | 2: `/terraform/` | @dave |');
    expect(run.output.summary).toMatch(/Counted: @dave \(as @acme\/sre\)\. Not counted: @bob \(is not in @acme\/sre\)\. Teams as read: @acme\/sre \(1 member read at 20\d\d-/);
    // First evaluation: the pull request, then its files and CODEOWNERS, then each team; one check-run write.
    expect(cost(sim)).toEqual({ 'POST /graphql': 4, 'POST /repos/{owner}/{repo}/check-runs': 1 });
    const first = await lastRecord(app);
    expect(first.facts!.codeOwners).toMatchObject({ ref: 'main', file: { path: '.github/CODEOWNERS' } });
    expect(first.facts!.teams!.map((t) => t.team).sort()).toEqual(['acme/core', 'acme/sre']);

    // Again: files and CODEOWNERS come with the pull request, teams from the short cache; the verdict is unchanged, so no write.
    sim.resetRequests();
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'edited', { installationId: INSTALLATION_ID }));
    expect(cost(sim)).toEqual({ 'POST /graphql': 1 });

    // main moves on; alice presses "Update branch": a clean merge keeps both approvals.
    s.file('README.md', '# api\n\nNow documented.\n', { author: 'carol' });
    s.updateBranch('alice').check('ci', 'success');
    sim.resetRequests();
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'synchronize', { installationId: INSTALLATION_ID, sender: 'alice' }));
    run = ourRuns(sim).at(-1)!;
    expect(run.headSha).toBe(s.headSha());
    expect(run.conclusion).toBe('SUCCESS');
    const updated = await lastRecord(app);
    expect(updated.facts!.updateMerges).toHaveLength(1);
    expect(cost(sim)).toEqual({ 'POST /graphql': 1, 'GET /repos/{owner}/{repo}/compare/{basehead}': 3, 'POST /repos/{owner}/{repo}/check-runs': 1 });
  });

  it('an "Update branch" that slips in an edit voids the approvals: pending again', async () => {
    const s = approvedChange();
    s.file('README.md', '# api\n\nNow documented.\n', { author: 'carol' });
    s.updateBranch('alice', { files: { 'terraform/main.tf': 'resource "x" { public = true }\n' } }).check('ci', 'success');
    const { sim, app } = await env.start(s);
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'synchronize', { installationId: INSTALLATION_ID, sender: 'alice' }));
    const run = ourRuns(sim).at(-1)!;
    expect(run.status).toBe('IN_PROGRESS');
    expect(run.output.summary).toContain('the merges changed terraform/main.tf in the change');
  });

  it('an approver who presses "Update branch" becomes a contributor: the approval no longer counts', async () => {
    const s = approvedChange();
    s.file('README.md', '# api\n\nNow documented.\n', { author: 'carol' });
    s.updateBranch('dave').check('ci', 'success');
    const { sim, app } = await env.start(s);
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'synchronize', { installationId: INSTALLATION_ID, sender: 'dave' }));
    const run = ourRuns(sim).at(-1)!;
    expect(run.status).toBe('IN_PROGRESS');
    expect(run.output.title).toMatch(/infrastructure: 0 of 1 approval/);
  });

  it('without `members: read` the team cannot be read: an evaluation error that says which permission to grant', async () => {
    const s = approvedChange();
    s.world.membersPermission = false;
    const { sim, app } = await env.start(s);
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'opened', { installationId: INSTALLATION_ID }));
    const run = ourRuns(sim).at(-1)!;
    expect(run.conclusion).toBe('FAILURE');
    expect(run.output.title).toMatch(/^Evaluation error: incomplete evidence \(teams: the members of @acme\//);
    expect(run.output.summary).toContain('`members: read`');
    expect((await lastRecord(app)).verdict.outcome).toBe('error');
  });
});
