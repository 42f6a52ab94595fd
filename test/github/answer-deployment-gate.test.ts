import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { answerDeploymentGate, parseDeploymentCallbackUrl } from '../../src/github/answer-deployment-gate.js';
import nock from '../support/nock.js';
import { scenario } from '../support/scenario.js';
import { startGitHubSimulator } from '../support/simulator/server.js';
import { offlineOctokit, simulatorOctokit } from '../support/simulator-octokit.js';
import { deploymentProtectionRulePayload } from '../support/webhooks.js';
import fixture from '../../fixtures/github/deployment_protection_rule.requested.json' with { type: 'json' };

describe('answerDeploymentGate (nock)', () => {
  beforeAll(() => nock.disableNetConnect());
  afterAll(() => nock.enableNetConnect());
  afterEach(() => nock.cleanAll());

  test("answers through the callback of a real payload, with GitHub's body", async () => {
    const scope = nock('https://api.github.com')
      .post('/repos/Codertocat/Hello-World/actions/runs/4836201245/deployment_protection_rule', {
        environment_name: fixture.environment,
        state: 'rejected',
        comment: 'f95f852 is not part of a compliant change record',
      })
      .reply(204);
    await answerDeploymentGate(offlineOctokit('https://api.github.com'), {
      callbackUrl: fixture.deployment_callback_url,
      environment: fixture.environment,
      state: 'rejected',
      comment: 'f95f852 is not part of a compliant change record',
    });
    expect(scope.isDone()).toBe(true);
  });

  test('a comment longer than 1,024 characters is cut, saying where the rest is', async () => {
    const scope = nock('https://api.github.com')
      .post(/deployment_protection_rule$/, (body: { comment: string }) => body.comment.length <= 1024 && body.comment.endsWith('(full list in the Changeproof ledger)'))
      .reply(204);
    await answerDeploymentGate(offlineOctokit('https://api.github.com'), { callbackUrl: fixture.deployment_callback_url, environment: 'production', state: 'approved', comment: 'c'.repeat(5000) });
    expect(scope.isDone()).toBe(true);
  });

  test('a GitHub failure is a GitHubEvidenceError', async () => {
    const scope = nock('https://api.github.com').post(/deployment_protection_rule$/).reply(422, { message: 'No pending deployment protection rule' });
    await expect(
      answerDeploymentGate(offlineOctokit('https://api.github.com'), { callbackUrl: fixture.deployment_callback_url, environment: 'production', state: 'approved', comment: 'ok' }),
    ).rejects.toMatchObject({ name: 'GitHubEvidenceError', status: 422 });
    expect(scope.isDone()).toBe(true);
  });
});

describe('parseDeploymentCallbackUrl', () => {
  test.each([
    ['https://api.github.com/repos/acme/api/actions/runs/42/deployment_protection_rule', { owner: 'acme', repo: 'api', runId: 42 }],
    ['https://ghe.example.com/api/v3/repos/acme/api/actions/runs/7/deployment_protection_rule', { owner: 'acme', repo: 'api', runId: 7 }],
  ])('%s', (url, expected) => {
    expect(parseDeploymentCallbackUrl(url)).toEqual(expected);
  });

  test('anything else is refused', () => {
    expect(() => parseDeploymentCallbackUrl('https://evil.example/steal')).toThrow(/not a deployment protection rule callback/);
    expect(() => parseDeploymentCallbackUrl('not a url')).toThrow(/is not a URL/);
  });
});

test('the simulator records the decision sent to its callback URL', async () => {
  const s = scenario().repo('acme/api');
  const sim = await startGitHubSimulator(s);
  try {
    const payload = deploymentProtectionRulePayload(sim, 'acme/api', { sha: s.currentRepository().branches.get('main')!, runId: 77, installationId: 3 });
    await answerDeploymentGate(simulatorOctokit(sim), { callbackUrl: payload['deployment_callback_url'], environment: payload['environment'], state: 'approved', comment: 'All changes compliant' });
    expect(sim.world.protectionCallbacks).toEqual([
      { owner: 'acme', repo: 'api', runId: 77, body: { environment_name: 'production', state: 'approved', comment: 'All changes compliant' }, at: expect.any(String) },
    ]);
  } finally {
    await sim.close();
  }
});
