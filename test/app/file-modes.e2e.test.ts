import { statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultSigningKeyPath } from '../../src/ledger/signing-key.js';
import { acmeScenario, INSTALLATION_ID, useApp } from '../support/app-harness.js';
import { pullRequestPayload } from '../support/webhooks.js';

const modeOf = (file: string) => statSync(file).mode & 0o777;

describe('the running app keeps its ledger, WAL, inbox and key to itself', () => {
  const env = useApp();

  it('mode 0600 after a first start, deliveries, evaluations and a checkpoint', async () => {
    const { sim, app } = await env.start(acmeScenario().pullRequest({ author: 'alice' }).approvedBy('bob').check('ci', 'success'));
    const files = [app.ledgerPath, `${app.ledgerPath}-wal`, `${app.ledgerPath}-shm`, defaultSigningKeyPath(app.ledgerPath)];
    expect(files.map(modeOf)).toEqual([0o600, 0o600, 0o600, 0o600]);
    const res = await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'opened', { installationId: INSTALLATION_ID }));
    expect(res.status).toBe(200);
    expect(await app.entries('evaluation')).toHaveLength(1);
    await app.ledger.checkpoint();
    expect(files.map(modeOf)).toEqual([0o600, 0o600, 0o600, 0o600]);
  });
});
