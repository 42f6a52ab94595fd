import type { KeyObject } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import type { ChangeRecord, DeploymentDecisionRecord, DeploymentRecord, ExceptionRecord, ExceptionResolvedRecord, PushRecord } from '../core/records.js';
import { ChainVerifier, type VerifyFailure } from '../ledger/chain-verifier.js';
import { parseSignedCheckpoint, type SignedCheckpoint } from '../ledger/checkpoint.js';
import { readEntryHeader, type EntryHeader } from '../ledger/entry-text.js';
import type { LedgerEntry } from '../ledger/ledger.js';
import { inPeriod, type ObservationPeriod } from '../sampling/period.js';
import type { DeploymentLink } from './model.js';
import { changeId, changeItem, deploymentId, pushId } from './population.js';
import type { LedgerSource } from './ledger-source.js';

/**
 * The export's first pass over the ledger: verify the whole chain and every
 * checkpoint signature, and index what the population needs. Change rows
 * (the bulk of the population) are written to a spool file as they are
 * found; only ids, exceptions, deployments and the commits GitHub will be
 * reconciled against stay in memory. Evaluations — most of the ledger — are
 * hashed but never parsed.
 */
export interface ScanOptions {
  period: ObservationPeriod;
  /** Only these repositories; null for all. */
  repos: ReadonlySet<string> | null;
  publicKey: KeyObject;
  /** Where change rows are spooled (JSON lines of PopulationItem). */
  spoolPath: string;
  /** Keep the commits and pull requests recorded per repository, for completeness. */
  collectRecorded: boolean;
  onProgress?: (entries: number) => void;
}

/** What the ledger recorded for one repository: merged pull requests and commits that reached a branch. */
export interface RecordedInRepo {
  pulls: Set<number>;
  /** Merge commits of change records, and every commit of a recorded push. */
  commits: Set<string>;
}

/** One population item's place in the index: enough to draw the sample. */
export interface IndexedItem {
  id: string;
  repo: string;
  month: string;
  kind: 'change' | 'direct_push' | 'deployment';
  /** The seq of the entry the row comes from: population.csv is in this order. */
  seq: number;
}

export interface DeploymentEntries {
  records: LedgerEntry[];
  decision: LedgerEntry | null;
}

export interface ScanResult {
  head: { size: number; hash: string };
  verifiedEntries: number;
  checkpoint: (SignedCheckpoint & { seq: number }) | null;
  changes: number;
  /** Every in-period change (in seq order); pushes and deployments are added by the export. */
  changeIndex: IndexedItem[];
  /** Exception entries of the selected repositories (any time; the export keeps those in the period). */
  exceptions: LedgerEntry[];
  /** `exception_resolved` entries by the seq of the exception they resolve. */
  resolutions: Map<number, LedgerEntry>;
  /** The `push` entry of each direct-push exception, by item id. */
  directPushes: Map<string, LedgerEntry>;
  /** Every deployment's entries, by item id. */
  deployments: Map<string, DeploymentEntries>;
  /** Gated deployments (with a decision) that carried each change, by change id. */
  deploymentLinks: Map<string, DeploymentLink[]>;
  recorded: Map<string, RecordedInRepo>;
  /** Change ids recorded more than once (the first record is used). */
  duplicates: string[];
}

export class LedgerIntegrityError extends Error {
  override name = 'LedgerIntegrityError';
  constructor(readonly failure: VerifyFailure, source: string) {
    super(`the ledger ${source} does not verify: seq ${failure.seq}: ${failure.message} (${failure.reason}); no export was written`);
  }
}

const INDEXED = new Set(['change', 'exception', 'exception_resolved', 'push', 'deployment', 'deployment_decision', 'checkpoint']);
const SPOOL_CHUNK = 1 << 20;

export async function scanLedger(source: LedgerSource, options: ScanOptions): Promise<ScanResult> {
  const { period, repos } = options;
  const verifier = new ChainVerifier({ publicKey: options.publicKey });
  const result: ScanResult = {
    head: { size: 0, hash: '' },
    verifiedEntries: 0,
    checkpoint: null,
    changes: 0,
    changeIndex: [],
    exceptions: [],
    resolutions: new Map(),
    directPushes: new Map(),
    deployments: new Map(),
    deploymentLinks: new Map(),
    recorded: new Map(),
    duplicates: [],
  };
  const seenChanges = new Set<string>();
  const lastPush = new Map<string, LedgerEntry>();
  const spool = openSync(options.spoolPath, 'w');
  let buffered: string[] = [];
  let bufferedLength = 0;
  const flush = () => {
    if (buffered.length) writeSync(spool, buffered.join(''));
    buffered = [];
    bufferedLength = 0;
  };
  const recordedIn = (repo: string): RecordedInRepo => {
    let r = result.recorded.get(repo);
    if (!r) result.recorded.set(repo, (r = { pulls: new Set(), commits: new Set() }));
    return r;
  };
  let count = 0;
  try {
    for await (const stored of source.stored()) {
      if (!verifier.add(stored)) break;
      if (++count % 8192 === 0) options.onProgress?.(count);
      const header = readEntryHeader(stored.body) as EntryHeader;
      if (!INDEXED.has(header.kind)) continue;
      if (header.kind === 'checkpoint') {
        const signed = parseSignedCheckpoint((JSON.parse(stored.body) as { data: unknown }).data);
        if (signed) result.checkpoint = { ...signed, seq: header.seq };
        continue;
      }
      const repo = header.repo;
      if (repo === null || (repos !== null && !repos.has(repo))) continue;
      const entry = { ...(JSON.parse(stored.body) as Omit<LedgerEntry, 'hash'>), hash: stored.hash } as LedgerEntry;
      switch (entry.kind) {
        case 'change': {
          const data = entry.data as unknown as ChangeRecord;
          if (options.collectRecorded) {
            const r = recordedIn(repo);
            r.pulls.add(Number(entry.subject.slice('pull/'.length)));
            if (data.mergeCommitSha) r.commits.add(data.mergeCommitSha);
          }
          if (!inPeriod(period, data.mergedAt)) break;
          const id = changeId(repo, entry.subject);
          if (seenChanges.has(id)) {
            result.duplicates.push(id);
            break;
          }
          seenChanges.add(id);
          const item = changeItem(entry, period.timeZone);
          result.changeIndex.push({ id, repo, month: item.month, kind: 'change', seq: entry.seq });
          const line = `${JSON.stringify(item)}\n`;
          buffered.push(line);
          bufferedLength += line.length;
          if (bufferedLength >= SPOOL_CHUNK) flush();
          result.changes += 1;
          break;
        }
        case 'push': {
          lastPush.set(`${repo} ${entry.subject}`, entry);
          if (options.collectRecorded) {
            const r = recordedIn(repo);
            for (const c of (entry.data as unknown as PushRecord).commits) r.commits.add(c.sha);
          }
          break;
        }
        case 'exception': {
          result.exceptions.push(entry);
          const data = entry.data as unknown as ExceptionRecord;
          if (data.type === 'direct_push') {
            const push = lastPush.get(`${repo} ${entry.subject}`);
            if (push) result.directPushes.set(pushId(repo, entry.subject), push);
          }
          break;
        }
        case 'exception_resolved':
          result.resolutions.set((entry.data as unknown as ExceptionResolvedRecord).exceptionSeq, entry);
          break;
        case 'deployment':
        case 'deployment_decision': {
          const id = deploymentId(repo, entry.subject);
          let d = result.deployments.get(id);
          if (!d) result.deployments.set(id, (d = { records: [], decision: null }));
          if (entry.kind === 'deployment') d.records.push(entry);
          else d.decision = entry;
          linkChanges(result.deploymentLinks, id, entry);
          break;
        }
      }
    }
    flush();
  } finally {
    closeSync(spool);
  }
  const report = verifier.finish();
  if (!report.ok && report.failure) throw new LedgerIntegrityError(report.failure, source.description);
  result.head = { size: report.lastSeq, hash: report.headHash };
  result.verifiedEntries = report.entries;
  options.onProgress?.(count);
  return result;
}

/** Records which changes a gated deployment carried (from its decision, or its records when the gate was not asked). */
function linkChanges(links: Map<string, DeploymentLink[]>, itemId: string, entry: LedgerEntry): void {
  const repo = entry.repo!;
  let environment: string;
  let deploymentIdNumber: number;
  let sha: string;
  let decision: DeploymentLink['decision'];
  let at: string | null;
  let changes: string[];
  if (entry.kind === 'deployment_decision') {
    const d = entry.data as unknown as DeploymentDecisionRecord;
    if (!d.decision.gated) return;
    ({ environment, deploymentId: deploymentIdNumber, sha } = d.facts);
    decision = d.decision.state;
    at = d.decision.evaluatedAt;
    changes = d.decision.changes;
  } else {
    const d = entry.data as unknown as DeploymentRecord;
    if (!d.gated) return;
    ({ environment, deploymentId: deploymentIdNumber, sha } = d);
    decision = d.decision?.state ?? null;
    at = d.decision?.decidedAt ?? d.at;
    changes = d.changes;
  }
  for (const subject of changes) {
    const id = changeId(repo, subject);
    const list = links.get(id) ?? [];
    const existing = list.find((l) => l.itemId === itemId);
    if (existing) {
      existing.decision = existing.decision ?? decision;
      existing.at = existing.at ?? at;
    } else {
      list.push({ itemId, environment, deploymentId: deploymentIdNumber, sha, decision, at });
      links.set(id, list);
    }
  }
}
