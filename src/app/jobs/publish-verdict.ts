import { CHECK_RUN_NAME } from '../../core/constants.js';
import type { EvaluationRecord, PolicySourceFile } from '../../core/records.js';
import { renderCheckRun } from '../../core/render/check-run.js';
import type { GitHubClient } from '../../github/octokit.js';
import { publishCheckRun } from '../../github/publish-check-run.js';
import type { LedgerEntry } from '../../ledger/index.js';

/**
 * Shows a recorded verdict on the pull request as the `Change control (CC8.1)`
 * check run of its head commit (created, or updated in place). Rendered from
 * the ledger entry, so what GitHub shows is what was recorded.
 */
export async function publishVerdict(octokit: GitHubClient, entry: LedgerEntry, now: () => Date): Promise<void> {
  const record = entry.data as unknown as EvaluationRecord;
  const { verdict, facts, policy } = record;
  if (!verdict.subject.headSha) return; // nothing to attach a check run to (the pull request could not be read at all)
  const [owner, repo] = verdict.subject.repository.split('/') as [string, string];
  const view = renderCheckRun(verdict, policy ? { description: describePolicy(policy.files) } : undefined);
  // The facts list our own run on this head when there is one: update it without looking it up.
  const ours = facts?.checks.filter((c) => c.source === 'check_run' && c.name === CHECK_RUN_NAME && c.databaseId !== null) ?? [];
  const latest = ours.reduce<(typeof ours)[number] | null>((a, c) => (a && a.databaseId! > c.databaseId! ? a : c), null);
  // GitHub does not reopen a completed check run: set back to in_progress it keeps its old
  // conclusion (a success would still read as a success). A verdict that is not final after a
  // final one gets a new run, which GitHub then shows as the check's latest.
  const reopens = view.status !== 'completed' && latest?.status === 'completed';
  const checkRunId = facts ? (latest && !reopens ? latest.databaseId : null) : undefined;
  await publishCheckRun(
    octokit,
    { owner, repo, headSha: verdict.subject.headSha },
    {
      status: view.status,
      ...(view.conclusion ? { conclusion: view.conclusion } : {}),
      title: view.title,
      summary: `${view.summary}\n\nLedger entry #${entry.seq} (\`${entry.hash}\`).`,
      externalId: `ledger:${entry.seq}`,
    },
    { now, checkRunId },
  );
}

export function describePolicy(files: PolicySourceFile[]): string {
  if (!files.length) return 'the default policy (no .github/changeproof.yml)';
  return [...files].reverse().map((f) => `${f.repository}:${f.path} (blob ${f.blobSha.slice(0, 12)})`).join(' over ');
}
