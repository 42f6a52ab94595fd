import { describe, expect, it } from 'vitest';
import { acmeScenario as base, INSTALLATION_ID as INSTALLATION, useApp } from '../support/app-harness.js';
import { checkRunPayload, pullRequestPayload, pullRequestReviewPayload, pushPayload } from '../support/webhooks.js';

const env = useApp();

describe('GitHub requests per kind of delivery, through the real app (docs/github.md)', () => {
  it('a pull request from opening to the push of its merge', async () => {
    const s = base();
    const before = s.currentRepository().branches.get('main')!;
    s.pullRequest({ author: 'alice' }).check('ci', 'success');
    const { sim, app } = await env.start(s);
    const installation = { installationId: INSTALLATION };
    const costs: Record<string, Record<string, number>> = {};
    const measure = async (kind: string, deliver: () => Promise<unknown>) => {
      sim.resetRequests();
      await deliver();
      costs[kind] = sim.counts();
    };

    await measure('opened', () => app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'opened', installation)));
    await measure('edited, verdict unchanged', () => app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'edited', installation)));
    s.check('lint', 'success');
    const lint = sim.world.repo('acme/api').checkRuns.at(-1)!;
    await measure('another check completes', () => app.deliverAndSettle('check_run', checkRunPayload(sim, 'acme/api', lint.id, 'completed', installation)));
    await measure('the same check reported again', () => app.deliverAndSettle('check_run', checkRunPayload(sim, 'acme/api', lint.id, 'completed', installation)));
    s.approvedBy('bob');
    const review = s.pr().reviews.at(-1)!;
    await measure('an approval', () => app.deliverAndSettle('pull_request_review', pullRequestReviewPayload(sim, 'acme/api', 1, review.id, installation)));
    s.merge({ by: 'carol' });
    const after = s.currentRepository().branches.get('main')!;
    await measure('merged', () => app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'closed', installation)));
    await measure('push of the merge', () => app.deliverAndSettle('push', pushPayload(sim, 'acme/api', { before, after, pusher: 'carol', ...installation })));

    const graphql = 'POST /graphql';
    const create = 'POST /repos/{owner}/{repo}/check-runs';
    const update = 'PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}';
    expect(costs).toEqual({
      // The installation token is fetched once (app JWT) and cached.
      opened: { 'POST /app/installations/{installation_id}/access_tokens': 1, [graphql]: 1, [create]: 1 },
      'edited, verdict unchanged': { [graphql]: 1 },
      'another check completes': { [graphql]: 1, [update]: 1 }, // the checks table changed
      'the same check reported again': { [graphql]: 1 },
      'an approval': { [graphql]: 1, [update]: 1 },
      merged: { [graphql]: 1, [update]: 1 },
      // No pull request query: the policy over REST (the repository's file and the `.github` fallback),
      // the pushed range, and each commit's pull requests.
      'push of the merge': {
        'GET /repos/{owner}/{repo}/contents/{path}': 2,
        'GET /repos/{owner}/{repo}/compare/{basehead}': 1,
        'GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls': 2,
      },
    });
    expect(await app.entries('evaluation')).toHaveLength(5);
  });
});
