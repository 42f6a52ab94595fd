import type { ChangeRecord, DeploymentDecisionRecord, EvaluationRecord, ExceptionRecord, ExceptionResolvedRecord } from '../../src/core/records.js';
import type { LedgerEntry } from '../../src/ledger/index.js';

/** What the app wrote to its ledger during the replay, counted. */
export interface LedgerStats {
  entries: number;
  byKind: Record<string, number>;
  /** Every evaluation's outcome (an open pull request is evaluated on each event). */
  evaluations: Record<string, number>;
  /** The verdict recorded at merge, per change record. */
  changes: Record<string, number>;
  /** Exceptions by type, and how each stands (`open`, `resolved`, `resolved_late`). */
  exceptions: Record<string, Record<string, number>>;
  decisions: { approved: number; rejected: number };
}

const bump = (counts: Record<string, number>, key: string) => {
  counts[key] = (counts[key] ?? 0) + 1;
};

export function ledgerStats(entries: LedgerEntry[]): LedgerStats {
  const stats: LedgerStats = { entries: entries.length, byKind: {}, evaluations: {}, changes: {}, exceptions: {}, decisions: { approved: 0, rejected: 0 } };
  const resolutions = new Map<number, string>();
  for (const e of entries) {
    if (e.kind === 'exception_resolved') {
      const r = e.data as unknown as ExceptionResolvedRecord;
      resolutions.set(r.exceptionSeq, r.resolution);
    }
  }
  for (const e of entries) {
    bump(stats.byKind, e.kind);
    switch (e.kind) {
      case 'evaluation':
        bump(stats.evaluations, (e.data as unknown as EvaluationRecord).verdict.outcome);
        break;
      case 'change':
        bump(stats.changes, (e.data as unknown as ChangeRecord).verdict.outcome);
        break;
      case 'exception': {
        const type = (e.data as unknown as ExceptionRecord).type;
        stats.exceptions[type] ??= {};
        bump(stats.exceptions[type]!, resolutions.get(e.seq) ?? 'open');
        break;
      }
      case 'deployment_decision':
        if ((e.data as unknown as DeploymentDecisionRecord).decision.state === 'approved') stats.decisions.approved += 1;
        else stats.decisions.rejected += 1;
        break;
      default:
        break;
    }
  }
  return stats;
}
