import type { PolicyChangeRecord } from '../core/records.js';
import type { LedgerEntry } from '../ledger/ledger.js';
import type { ObservationPeriod } from '../sampling/period.js';
import type { DesignInForce } from './model.js';
import { refOf } from './population.js';

/**
 * The control designs in force during the period: for each repository, its
 * `policy` entries (each records a change of the effective policy, the first
 * time an evaluation used it) as intervals — from that entry until the next —
 * keeping those that overlap the period.
 *
 * @example designsInForce(scan.policies, period) // [{ repository: 'acme/api', from: '2026-02-27T…', until: null, … }]
 */
export function designsInForce(policies: readonly LedgerEntry[], period: ObservationPeriod): DesignInForce[] {
  const byRepo = new Map<string, LedgerEntry[]>();
  for (const entry of policies) {
    if (entry.repo === null) continue;
    byRepo.set(entry.repo, [...(byRepo.get(entry.repo) ?? []), entry]);
  }
  const out: DesignInForce[] = [];
  for (const repository of [...byRepo.keys()].sort()) {
    const entries = byRepo.get(repository)!.sort((a, b) => a.seq - b.seq);
    entries.forEach((entry, i) => {
      const until = entries[i + 1]?.recorded_at ?? null;
      if (entry.recorded_at >= period.end || (until !== null && until <= period.start)) return;
      out.push(designOf(repository, entry, until));
    });
  }
  return out;
}

function designOf(repository: string, entry: LedgerEntry, until: string | null): DesignInForce {
  const record = entry.data as unknown as Partial<PolicyChangeRecord>;
  const files = Array.isArray(record.files) ? record.files : [];
  return {
    repository,
    from: entry.recorded_at,
    until,
    sources: files.map((f) => `${f.repository}:${f.path}@${String(f.blobSha).slice(0, 12)}`),
    valid: record.valid === true,
    settings: record.settings ? flatten(record.settings as unknown as Record<string, unknown>) : [],
    problems: Array.isArray(record.problems) ? record.problems.map((p) => (typeof p === 'object' && p && 'message' in p ? String((p as { message: unknown }).message) : JSON.stringify(p))) : [],
    ledger: refOf(entry),
  };
}

/** `{ peer_review: { required_approvals: 1 } }` → `[['peer_review.required_approvals', '1']]`; lists as JSON. */
export function flatten(value: Record<string, unknown>, prefix = ''): [string, string][] {
  const out: [string, string][] = [];
  for (const [key, v] of Object.entries(value)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) out.push(...flatten(v as Record<string, unknown>, name));
    else out.push([name, typeof v === 'string' ? v : JSON.stringify(v)]);
  }
  return out;
}
