import { toGitHubEvidenceError } from '../../github/errors.js';
import type { GitHubClient } from '../../github/octokit.js';
import { ROUTES } from '../../github/routes.js';

interface HookDelivery {
  id: number;
  guid: string;
  delivered_at: string;
  redelivery: boolean;
  status_code: number;
  event: string;
}

export interface RedeliveryReport {
  examined: number;
  redelivered: string[];
}

/**
 * Asks GitHub to redeliver every webhook delivery of the last `since` that
 * never reached the app successfully (GitHub keeps three days of them): each
 * delivery GUID whose attempts all failed — the app was down, or refused it
 * because the ledger could not record it — is attempted once more. What the
 * app already recorded is harmless to redeliver (deliveries are idempotent).
 *
 * @example await redeliverFailed(appOctokit, { since: new Date(Date.now() - 3 * 86_400_000) });
 */
export async function redeliverFailed(octokit: GitHubClient, options: { since: Date; maxPages?: number }): Promise<RedeliveryReport> {
  const attempts = new Map<string, HookDelivery[]>();
  let examined = 0;
  let cursor: string | undefined;
  for (let page = 0; page < (options.maxPages ?? 50); page++) {
    let data: HookDelivery[];
    let link: string | undefined;
    try {
      const res = await octokit.request(ROUTES.listWebhookDeliveries, { per_page: 100, ...(cursor ? { cursor } : {}) });
      data = res.data as HookDelivery[];
      link = res.headers.link;
    } catch (error) {
      throw toGitHubEvidenceError(error, "the app's webhook deliveries");
    }
    let older = false;
    for (const d of data) {
      if (Date.parse(d.delivered_at) < options.since.getTime()) {
        older = true;
        continue;
      }
      examined++;
      attempts.set(d.guid, [...(attempts.get(d.guid) ?? []), d]);
    }
    cursor = /[?&]cursor=([^&>]+)[^>]*>;\s*rel="next"/.exec(link ?? '')?.[1];
    if (older || !cursor) break;
  }
  const redelivered: string[] = [];
  for (const [guid, list] of attempts) {
    if (list.some((d) => d.status_code >= 200 && d.status_code < 300)) continue;
    const latest = list.reduce((a, b) => (Date.parse(b.delivered_at) > Date.parse(a.delivered_at) ? b : a));
    try {
      await octokit.request(ROUTES.redeliverWebhookDelivery, { delivery_id: latest.id });
      redelivered.push(guid);
    } catch (error) {
      throw toGitHubEvidenceError(error, `a redelivery of ${guid}`);
    }
  }
  return { examined, redelivered };
}
