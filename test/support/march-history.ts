import type { ScenarioBuilder } from './scenario.js';
import type { GitHubSimulator } from './simulator/server.js';
import { INSTALLATION_ID, type RunningApp } from './app-harness.js';
import { installationPayload, pullRequestPayload, pushPayload } from './webhooks.js';

/**
 * A March of `acme/api` recorded by a running app: installed before the period
 * (so the ledger covers all of March), two compliant changes, a non-compliant
 * one and a direct push — what a forger would like gone. Starts from a
 * scenario begun on 2026-02-26 and moved to 2026-03-02; ends with the world at
 * {@link EXPORTED_AT}, when the exports of March are made and signed (the app
 * signs an export only when it is dated now by its clock).
 */
export const EXPORTED_AT = '2026-04-02T08:00:00Z';

export async function recordMarch(s: ScenarioBuilder, sim: GitHubSimulator, app: RunningApp): Promise<void> {
  s.world.tick(-3 * 24 * 60);
  await app.deliverAndSettle('installation', installationPayload(sim, ['acme/api'], INSTALLATION_ID));
  s.world.tick(3 * 24 * 60);
  for (const [author, approver] of [['alice', 'bob'], ['bob', 'carol']] as const) {
    s.pullRequest({ author }).approvedBy(approver).check('ci', 'success').merge({ by: approver });
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', s.pr().number, 'closed', { installationId: INSTALLATION_ID }));
    sim.world.tick(24 * 60);
  }
  s.pullRequest({ author: 'mallory' }).check('ci', 'failure').merge({ by: 'mallory' });
  await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', s.pr().number, 'closed', { installationId: INSTALLATION_ID }));
  const repo = s.currentRepository();
  const before = repo.branches.get('main')!;
  s.file('src/hotfix.ts', 'export const hot = 1;\n', { author: 'mallory' });
  await app.deliverAndSettle('push', pushPayload(sim, 'acme/api', { before, after: repo.branches.get('main')!, pusher: 'mallory', installationId: INSTALLATION_ID }));
  s.world.tick((Date.parse(EXPORTED_AT) - Date.parse(s.world.now())) / 60_000);
}
