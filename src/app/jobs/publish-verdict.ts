import { createHash } from 'node:crypto';
import { CHECK_RUN_NAME } from '../../core/constants.js';
import type { CheckFacts } from '../../core/facts.js';
import type { EvaluationRecord, PolicySourceFile } from '../../core/records.js';
import { renderCheckRun } from '../../core/render/check-run.js';
import type { GitHubClient } from '../../github/octokit.js';
import { publishCheckRun, type CheckRunContent } from '../../github/publish-check-run.js';
import { stillShown, type PublishedCheckRun, type PublishedCheckRuns } from '../../github/published-check-runs.js';
import type { LedgerEntry } from '../../ledger/index.js';
import type { Log } from '../services.js';
import type { JobContext } from './job.js';

export interface PublishVerdictOptions {
  now: () => Date;
  /** What this process last wrote to each check run; without it every verdict is written. */
  published?: PublishedCheckRuns;
  log?: Log;
}

/** What a publication did: wrote the check run, or left it as it was because it already shows this verdict. */
export type Publication = 'written' | 'unchanged' | 'nothing';

/**
 * Shows a recorded verdict on the pull request as the `Change control (CC8.1)`
 * check run of its head commit (created, or updated in place). Rendered from
 * the ledger entry, so what GitHub shows is what was recorded.
 *
 * The run is not written again when it already shows this verdict: same
 * status, conclusion, title and summary, apart from when the evaluation ran and
 * which ledger entry it is (the run then keeps naming the first entry that
 * reached this verdict; every later one is in the ledger). It is written
 * whenever GitHub's latest run is not, as just read, the one this process last
 * wrote (another replica's write, a failed write, a restart), and always on a
 * re-run a user asked for.
 *
 * @example await publishVerdict(octokit, entry, { now: clock, published });
 */
export async function publishVerdict(octokit: GitHubClient, entry: LedgerEntry, options: PublishVerdictOptions): Promise<Publication> {
  const record = entry.data as unknown as EvaluationRecord;
  const { verdict, facts, policy } = record;
  if (!verdict.subject.headSha) return 'nothing'; // nothing to attach a check run to (the pull request could not be read at all)
  const [owner, repo] = verdict.subject.repository.split('/') as [string, string];
  const content = checkRunContent(record);
  // The facts list our own run on this head when there is one: update it without looking it up.
  const latest = latestOwnRun(facts?.checks ?? []);
  const key = `${verdict.subject.repository}@${verdict.subject.headSha}#${CHECK_RUN_NAME}`;
  const digest = shownContentDigest(record);
  const remembered = options.published?.last(key);
  if (remembered && alreadyShown(record, digest, remembered, latest)) {
    options.log?.debug({ check: key, entry: entry.seq, checkRunId: remembered.checkRunId }, 'verdict unchanged: check run not written');
    return 'unchanged';
  }
  // GitHub does not reopen a completed check run: set back to in_progress it keeps its old
  // conclusion (a success would still read as a success). A verdict that is not final after a
  // final one gets a new run, which GitHub then shows as the check's latest.
  const reopens = content.status !== 'completed' && latest?.status === 'completed';
  const checkRunId = facts ? (latest && !reopens ? latest.databaseId : null) : undefined;
  const at = options.now();
  const now = () => at;
  // A write that fails may still have reached GitHub: until one succeeds, nothing is known to be shown.
  options.published?.forget(key);
  const written = await publishCheckRun(
    octokit,
    { owner, repo, headSha: verdict.subject.headSha },
    { ...content, summary: `${content.summary}\n\nLedger entry #${entry.seq} (\`${entry.hash}\`).`, externalId: `ledger:${entry.seq}` },
    { now, checkRunId },
  );
  options.published?.remember(key, {
    checkRunId: written.id,
    digest,
    status: content.status,
    conclusion: content.conclusion ?? null,
    completedAt: content.status === 'completed' ? at.toISOString() : null,
  });
  return 'written';
}

/**
 * A digest of what the check run shows for a record, leaving out what differs
 * between evaluations reaching the same verdict: when it ran (`evaluatedAt`)
 * and its ledger entry (number, hash, external id).
 */
export function shownContentDigest(record: EvaluationRecord): string {
  const timeless: EvaluationRecord = { ...record, verdict: { ...record.verdict, evaluatedAt: '' } };
  const { status, conclusion, title, summary, text } = checkRunContent(timeless);
  return createHash('sha256')
    .update(JSON.stringify([CHECK_RUN_NAME, status, conclusion ?? null, title, summary, text ?? null]))
    .digest('hex');
}

/** The publishing options of a job: the app's clock, log and memory of what it wrote. */
export function publishing(ctx: JobContext): PublishVerdictOptions {
  const { clock, publishedCheckRuns, log, settings } = ctx.services;
  return { now: clock, ...(settings.skipUnchangedCheckRuns ? { published: publishedCheckRuns } : {}), log };
}

export function describePolicy(files: PolicySourceFile[]): string {
  if (!files.length) return 'the default policy (no .github/changeproof.yml)';
  return [...files].reverse().map((f) => `${f.repository}:${f.path} (blob ${f.blobSha.slice(0, 12)})`).join(' over ');
}

function checkRunContent({ verdict, policy }: EvaluationRecord): CheckRunContent & { status: 'in_progress' | 'completed' } {
  const view = renderCheckRun(verdict, policy ? { description: describePolicy(policy.files) } : undefined);
  return { status: view.status, ...(view.conclusion ? { conclusion: view.conclusion } : {}), title: view.title, summary: view.summary };
}

function latestOwnRun(checks: CheckFacts[]): CheckFacts | null {
  const ours = checks.filter((c) => c.source === 'check_run' && c.name === CHECK_RUN_NAME && c.databaseId !== null);
  return ours.reduce<CheckFacts | null>((a, c) => (a && a.databaseId! > c.databaseId! ? a : c), null);
}

/**
 * Whether GitHub shows this verdict already: what this process last wrote has the same
 * digest and is still GitHub's latest run as the evaluation read it. Never without that
 * read (no facts), and never for a re-run a user asked for.
 */
function alreadyShown(record: EvaluationRecord, digest: string, remembered: PublishedCheckRun, latest: CheckFacts | null): boolean {
  return record.facts !== null && !rerunRequested(record) && remembered.digest === digest && stillShown(remembered, latest);
}

/** "Re-run" on the check run or its suite: the user asked to see it written again. */
function rerunRequested({ trigger }: EvaluationRecord): boolean {
  return (trigger.event === 'check_run' || trigger.event === 'check_suite') && trigger.action === 'rerequested';
}
