import type { ChangeSummary } from '../../core/policy/deployment-range.js';
import type { SeparationOfDutiesEvidence } from '../../core/policy/verdict.js';
import type { ChangeRecord, DeploymentDecisionRecord, DeploymentRecord, ExceptionRecord, ExceptionResolvedRecord } from '../../core/records.js';
import type { Ledger } from '../../ledger/index.js';

/**
 * Every change record of a repository, by subject (`pull/<n>`), with the state
 * of its emergency exception — what the deployment gate checks commits against.
 */
export async function readChangeSummaries(ledger: Ledger, repo: string): Promise<Map<string, ChangeSummary>> {
  const summaries = new Map<string, ChangeSummary>();
  const emergencies = new Map<number, string>(); // exception seq → subject
  for await (const entry of ledger.read({ repo, kinds: ['change', 'exception', 'exception_resolved'] })) {
    if (entry.kind === 'change') {
      const record = entry.data as unknown as ChangeRecord;
      summaries.set(entry.subject, {
        subject: entry.subject,
        seq: entry.seq,
        hash: entry.hash,
        outcome: record.verdict.outcome,
        enforced: record.verdict.enforced,
        authors: authorsOf(record),
        authorIds: authorIdsOf(record),
        emergency: record.verdict.outcome === 'emergency' ? { deadline: record.verdict.emergency?.deadline ?? null, resolution: null } : null,
      });
    } else if (entry.kind === 'exception' && (entry.data as unknown as ExceptionRecord).type === 'emergency_change') {
      emergencies.set(entry.seq, entry.subject);
    } else if (entry.kind === 'exception_resolved') {
      const resolved = entry.data as unknown as ExceptionResolvedRecord;
      const summary = summaries.get(emergencies.get(resolved.exceptionSeq) ?? '');
      if (summary?.emergency) summary.emergency.resolution = resolved.resolution;
    }
  }
  return summaries;
}

/** Subjects (`pull/<n>`) with a change record written since `since` (a merge is recorded after it happens, so older entries need not be read). */
export async function changesRecordedSince(ledger: Ledger, repo: string, since: Date): Promise<Set<string>> {
  const subjects = new Set<string>();
  for await (const entry of ledger.read({ repo, kinds: ['change'], from: since.toISOString() })) subjects.add(entry.subject);
  return subjects;
}

/** The SHA of the last deployment to `environment` the gate approved and GitHub did not report as failed; null when there is none. */
export async function lastApprovedDeployment(ledger: Ledger, repo: string, environment: string): Promise<string | null> {
  const approved: Array<{ id: number; sha: string }> = [];
  // A deployment GitHub reported as failed (`failure`, `error`) never put its commits in the environment:
  // it is no base, or its commits would reach production later through a range that starts after them.
  const failed = new Set<number>();
  for await (const entry of ledger.read({ repo, kinds: ['deployment_decision', 'deployment'] })) {
    if (entry.kind === 'deployment') {
      const status = entry.data as unknown as DeploymentRecord;
      if (status.state === 'failure' || status.state === 'error') failed.add(status.deploymentId);
      else if (status.state === 'success') failed.delete(status.deploymentId);
      continue;
    }
    const record = entry.data as unknown as DeploymentDecisionRecord;
    if (record.decision.gated && record.decision.state === 'approved' && record.facts.environment.toLowerCase() === environment.toLowerCase()) {
      approved.push({ id: record.facts.deploymentId, sha: record.facts.sha });
    }
  }
  for (let i = approved.length - 1; i >= 0; i -= 1) if (!failed.has(approved[i]!.id)) return approved[i]!.sha;
  return null;
}

/** The account ids of the pull request's author and of every commit's linked author, co-author and committer, where recorded. */
function authorIdsOf(record: ChangeRecord): number[] {
  const ids = new Set<number>();
  const add = (id: number | null | undefined) => {
    if (typeof id === 'number') ids.add(id);
  };
  add(record.facts?.author?.id);
  for (const commit of record.facts?.commits ?? []) for (const person of [...commit.authors, commit.committer]) add(person.user?.id);
  return [...ids];
}

/** Everyone who wrote the change: its author, commit authors and committers, and every contributor the verdict named (pushers, signers). */
function authorsOf(record: ChangeRecord): string[] {
  const logins = new Set<string>();
  if (record.verdict.subject.author) logins.add(record.verdict.subject.author);
  for (const commit of record.facts?.commits ?? []) {
    for (const person of [...commit.authors, commit.committer]) if (person.user) logins.add(person.user.login);
  }
  const sod = record.verdict.rules.find((r) => r.rule === 'separation_of_duties')?.evidence as SeparationOfDutiesEvidence | undefined;
  for (const c of sod?.contributors ?? []) logins.add(c.login);
  return [...logins];
}
