import type { PolicyChangeRecord, PolicyRecord, PolicySourceFile } from '../../core/records.js';
import type { EntryInput } from '../../ledger/index.js';
import type { JobContext } from './job.js';

/**
 * A `policy` entry when the repository's effective policy differs from the
 * last one recorded for it (other files, or other blob SHAs), so the export
 * can show which control design was in force when. Recorded beside the first
 * entry that used it; nothing when unchanged, or already recorded by this
 * delivery. An unreadable policy (`null`) records nothing: there are no sources to show.
 *
 * @example entries.push(...(await policyEntries(ctx, 'acme/api', record.policy, 'pull/7')));
 */
export async function policyEntries(ctx: JobContext, repo: string, policy: PolicyRecord | null, usedBy: string): Promise<EntryInput[]> {
  if (!policy) return [];
  const key = sourcesKey(policy.files);
  const memo = (ctx.policySources ??= new Map<string, string>());
  if (memo.get(repo) === key) return [];
  let previous: { seq: number; hash: string; key: string } | null = null;
  for await (const entry of ctx.services.ledger.read({ repo, subject: 'policy', kinds: ['policy'], order: 'desc', limit: 1 })) {
    previous = { seq: entry.seq, hash: entry.hash, key: sourcesKey((entry.data as unknown as PolicyChangeRecord).files ?? []) };
  }
  memo.set(repo, key);
  if (previous?.key === key) return [];
  const data: PolicyChangeRecord = {
    files: policy.files,
    valid: policy.valid,
    settings: policy.valid ? policy.settings : null,
    problems: policy.valid ? null : policy.problems,
    previous: previous ? { seq: previous.seq, hash: previous.hash } : null,
    firstUsedBy: { subject: usedBy, trigger: ctx.trigger },
  };
  return [{ kind: 'policy', repo, subject: 'policy', data }];
}

/** The identity of a policy: its files and their exact contents (blob SHAs), in merge order. */
function sourcesKey(files: readonly PolicySourceFile[]): string {
  return JSON.stringify(files.map((f) => [f.repository.toLowerCase(), f.path, f.blobSha]));
}
