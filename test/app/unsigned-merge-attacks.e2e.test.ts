import { describe, expect, it } from 'vitest';
import type { PushRecord } from '../../src/core/records.js';
import { acmeScenario, INSTALLATION_ID as INSTALLATION, useApp, type RunningApp } from '../support/app-harness.js';
import type { ScenarioBuilder } from '../support/scenario.js';
import type { GitHubSimulator } from '../support/simulator/server.js';
import { pullRequestPayload, pushPayload } from '../support/webhooks.js';
import { followSim, mergeCompliant } from '../support/merge-and-push.js';

/**
 * Merges in GitHub's name that GitHub did not sign, with the reviewed head as
 * their merged side, counted for their pull request only when their content is
 * exactly the reviewed change: an octopus merge, a deletion, an edited file of
 * the change, an older first parent.
 */
const env = useApp();
const data = <T,>(e: { data: unknown } | undefined) => e!.data as unknown as T;
const GH = (sim: GitHubSimulator) => ({ name: 'GitHub', email: 'noreply@github.com', date: sim.world.tick() });
const MAL = (sim: GitHubSimulator) => ({ name: 'mallory', email: 'mallory@example.com', date: sim.world.tick() });

/** An unsigned merge in GitHub's name with the given parents (after main's head) and content changes on top of the head's tree. */
async function pushMerge(s: ScenarioBuilder, sim: GitHubSimulator, app: RunningApp, o: { extraParents?: string[]; firstParent?: string; changes?: Record<string, string | null> }) {
  const repo = sim.world.repo('acme/api');
  const pr = s.pr();
  const before = repo.branches.get('main')!;
  const head = pr.commits.at(-1)!;
  const files: Record<string, string | null> = { ...Object.fromEntries(repo.commits.get(head)!.files), ...(o.changes ?? {}) };
  const after = s.makeCommit(s.currentRepository(), [o.firstParent ?? before, head, ...(o.extraParents ?? [])], `Merge pull request #${pr.number} from acme/${pr.headRef}`, GH(sim), GH(sim), files);
  repo.branches.set('main', after);
  Object.assign(pr, { state: 'closed', mergedAt: sim.world.tick(), mergedBy: 'mallory', mergeCommitSha: after, closedAt: sim.world.now() });
  await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', pr.number, 'closed', { installationId: INSTALLATION }));
  await app.deliverAndSettle('push', pushPayload(sim, 'acme/api', { before, after, pusher: 'mallory', installationId: INSTALLATION }));
  return { before, after, push: data<PushRecord>((await app.entries('push')).at(-1)) };
}

describe('unsigned merges in GitHub\'s name: attacks that are caught', () => {
  it('octopus [main, reviewed head, Z]: Z (mallory\'s, content dropped from the tree) is unreviewed', async () => {
    const s = acmeScenario().user('mallory');
    const { sim, app } = await env.start(s, followSim);
    await mergeCompliant(s, sim, app);
    s.pullRequest({ author: 'alice' }).approvedBy('bob').check('ci', 'success');
    const before = sim.world.repo('acme/api').branches.get('main')!;
    const z = s.makeCommit(s.currentRepository(), [before], 'z', MAL(sim), MAL(sim), { 'src/backdoor.ts': 'x\n' });
    const { push } = await pushMerge(s, sim, app, { extraParents: [z], changes: {} });
    expect(push.unreviewed).toContain(z);
  });

  it('octopus [main, reviewed head, Z] with Z\'s backdoor in the tree: the merge is not #2\'s', async () => {
    const s = acmeScenario().user('mallory');
    const { sim, app } = await env.start(s, followSim);
    await mergeCompliant(s, sim, app);
    s.pullRequest({ author: 'alice' }).approvedBy('bob').check('ci', 'success');
    const before = sim.world.repo('acme/api').branches.get('main')!;
    const z = s.makeCommit(s.currentRepository(), [before], 'z', MAL(sim), MAL(sim), { 'src/backdoor.ts': 'x\n' });
    const { push, after } = await pushMerge(s, sim, app, { extraParents: [z], changes: { 'src/backdoor.ts': 'x\n' } });
    expect(push.unreviewed).toEqual(expect.arrayContaining([z, after]));
  });

  it('a merge that deletes a file outside the change is not #2\'s', async () => {
    const s = acmeScenario().user('mallory');
    const { sim, app } = await env.start(s, followSim);
    await mergeCompliant(s, sim, app);
    s.pullRequest({ author: 'alice' }).approvedBy('bob').check('ci', 'success');
    const { push, after } = await pushMerge(s, sim, app, { changes: { 'README.md': null } });
    expect(push.unreviewed).toContain(after);
  });

  it('a merge that edits a file of the change to other content is not #2\'s', async () => {
    const s = acmeScenario().user('mallory');
    const { sim, app } = await env.start(s, followSim);
    await mergeCompliant(s, sim, app);
    s.pullRequest({ author: 'alice' }).approvedBy('bob').check('ci', 'success');
    const file = [...sim.world.repo('acme/api').commits.get(s.pr().commits.at(-1)!)!.files.keys()].find((p) => p.startsWith('src/change-2'))!;
    const { push, after } = await pushMerge(s, sim, app, { changes: { [file]: 'export const open = true;\n' } });
    expect(push.unreviewed).toContain(after);
  });

  it('a merge whose first parent is an older main (silently reverting main\'s later work) is flagged', async () => {
    const s = acmeScenario().user('mallory');
    const { sim, app } = await env.start(s, followSim);
    const old = sim.world.repo('acme/api').branches.get('main')!;
    await mergeCompliant(s, sim, app);
    s.pullRequest({ author: 'alice' }).approvedBy('bob').check('ci', 'success');
    // content: the reviewed head's tree; first parent: main before #1. Main (with #1) is reachable via the head.
    const { push, after } = await pushMerge(s, sim, app, { firstParent: old });
    // Either the merge is not #2's, or its tree is exactly the reviewed head's (nothing unreviewed in it).
    const tree = sim.world.repo('acme/api').commits.get(after)!.files;
    const headTree = sim.world.repo('acme/api').commits.get(s.pr().commits.at(-1)!)!.files;
    expect(push.unreviewed.includes(after) || JSON.stringify([...tree]) === JSON.stringify([...headTree])).toBe(true);
  });
});
