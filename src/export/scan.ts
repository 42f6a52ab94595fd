import { closeSync, openSync, writeSync } from 'node:fs';
import type { ChangeRecord, DeploymentDecisionRecord, DeploymentRecord, ExceptionRecord, ExceptionResolvedRecord, ExceptionResponseRecord, PushRecord } from '../core/records.js';
import { ChainVerifier, type VerifyFailure, type VerifyReport } from '../ledger/chain-verifier.js';
import { parseSignedCheckpoint, type SignedCheckpoint } from '../ledger/checkpoint.js';
import { readEntryHeader, type EntryHeader } from '../ledger/entry-text.js';
import type { LedgerEntry } from '../ledger/ledger.js';
import { publicKeyFromPem } from '../ledger/signing-key.js';
import { toLedgerEntry, type StoredEntry } from '../ledger/sqlite-reader.js';
import { indexSubject, localLookup, type SubjectIndex, type SubjectLookup } from './subject-index.js';
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
  /** Only these repositories (compared as GitHub does, ignoring case); null for all. */
  repos: ReadonlySet<string> | null;
  /** The ledger's public key (PEM): every checkpoint must be signed by it. */
  publicKeyPem: string;
  /** Where change rows are spooled (JSON lines of PopulationItem). */
  spoolPath: string;
  /** Keep the commits and pull requests recorded per repository, for completeness. */
  collectRecorded: boolean;
  /** Entries read so far, and the ledger's size when known (the seq of the entry reached, of the last). */
  onProgress?: (entries: number, total: number | null) => void;
}

/** What the ledger recorded for one repository: merged pull requests and commits that reached a branch. */
export interface RecordedInRepo {
  pulls: Set<number>;
  /** Merge commits of change records, and every commit of a recorded push. */
  commits: Set<string>;
  /** Every push recorded to a branch in scope (ref, before, after, GitHub's push time), in ledger order: where each branch's head was when. */
  pushes: Array<{ ref: string; before: string; after: string; at: string }>;
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
  /** `exception_response` entries by the seq of each exception they answer, in seq order. */
  responses: Map<number, LedgerEntry[]>;
  /** `policy` entries of the selected repositories (any time), in seq order: the control designs and when each came into use. */
  policies: LedgerEntry[];
  /** The `push` entry of each direct-push exception, by item id. */
  directPushes: Map<string, LedgerEntry>;
  /** Every deployment's entries, by item id. */
  deployments: Map<string, DeploymentEntries>;
  /** Gated deployments (with a decision) that carried each change, by change id. */
  deploymentLinks: Map<string, DeploymentLink[]>;
  recorded: Map<string, RecordedInRepo>;
  /** Change ids recorded more than once (the first record is used). */
  duplicates: string[];
  /**
   * From when the ledger covers each repository: the earlier of its first
   * entry and the installation record that added it (ISO-8601), up to the head read.
   */
  coverage: Map<string, string>;
  /** The seqs of the entries about given subjects, for reading the sampled items' evidence; answers once. */
  lookup: SubjectLookup;
  /** Lets go of the index (a worker thread may hold it); call when the export ends. */
  release(): Promise<void>;
}

export class LedgerIntegrityError extends Error {
  override name = 'LedgerIntegrityError';
  constructor(readonly failure: VerifyFailure, source: string) {
    super(`the ledger ${source} does not verify: seq ${failure.seq}: ${failure.message} (${failure.reason}); no export was written`);
  }
}

const INDEXED_KINDS = ['change', 'exception', 'exception_resolved', 'exception_response', 'policy', 'push', 'deployment', 'deployment_decision', 'checkpoint', 'installation'] as const;
const INDEXED = new Set<string>(INDEXED_KINDS);
const SPOOL_CHUNK = 1 << 20;
const PROGRESS_EVERY = 8192;

/**
 * Reads a ledger once: verifies it and indexes the population. A source with
 * random access (SQLite) is verified in a worker thread while this thread
 * reads only the kinds it needs; any other is verified entry by entry here.
 */
export async function scanLedger(source: LedgerSource, options: ScanOptions): Promise<ScanResult> {
  const indexer = new Indexer(options);
  let count = 0;
  try {
    if (source.parallel) {
      const toSeq = source.parallel.headSeq();
      const verification = source.parallel.verifyAndIndex(options.publicKeyPem, toSeq);
      verification.catch(() => undefined); // awaited below; a failure here must not go unhandled meanwhile
      try {
        for (const stored of source.parallel.firstOfEachRepo(toSeq)) indexer.seen(readEntryHeader(stored.body) as EntryHeader);
        for (const stored of source.parallel.select(INDEXED_KINDS, toSeq)) {
          const header = readEntryHeader(stored.body) as EntryHeader;
          indexer.add(stored, header);
          if (++count % PROGRESS_EVERY === 0) options.onProgress?.(header.seq, toSeq);
        }
        count = toSeq;
      } catch (error) {
        await verification.then((v) => v.release(), () => undefined);
        throw error;
      }
      const verified = await verification;
      if (!verified.report.ok && verified.report.failure) {
        await verified.release();
        throw new LedgerIntegrityError(verified.report.failure, source.description);
      }
      return indexer.finish(verified.report, verified.lookup, verified.release);
    }
    const verifier = new ChainVerifier({ publicKey: publicKeyFromPem(options.publicKeyPem) });
    const subjects: SubjectIndex = new Map();
    for await (const stored of source.stored()) {
      if (!verifier.add(stored)) break;
      const header = readEntryHeader(stored.body) as EntryHeader;
      indexSubject(subjects, header.repo, header.subject, header.seq);
      indexer.seen(header);
      if (INDEXED.has(header.kind)) indexer.add(stored, header);
      if (++count % PROGRESS_EVERY === 0) options.onProgress?.(count, null);
    }
    const report = verifier.finish();
    if (!report.ok && report.failure) throw new LedgerIntegrityError(report.failure, source.description);
    return indexer.finish(report, localLookup(subjects), async () => undefined);
  } finally {
    indexer.close();
    options.onProgress?.(count, source.parallel ? count : null);
  }
}

/** Builds the {@link ScanResult} from the entries of the indexed kinds, in seq order. */
class Indexer {
  private readonly result: ScanResult;
  private readonly seenChanges = new Set<string>();
  /**
   * The latest push of each repository, unparsed: a direct-push exception is
   * appended together with (right after) its push, and only that push is read.
   */
  private readonly lastPush = new Map<string, { subject: string; stored: StoredEntry }>();
  private readonly spool: number;
  private buffered: string[] = [];
  private bufferedLength = 0;

  constructor(private readonly options: ScanOptions) {
    this.result = {
      head: { size: 0, hash: '' }, verifiedEntries: 0, checkpoint: null, changes: 0, changeIndex: [], exceptions: [],
      resolutions: new Map(), responses: new Map(), policies: [], directPushes: new Map(), deployments: new Map(), deploymentLinks: new Map(), recorded: new Map(),
      duplicates: [], coverage: new Map(), lookup: async () => new Map(), release: async () => undefined,
    };
    this.spool = openSync(options.spoolPath, 'w');
  }

  /** An entry about a repository (or the first of one): the ledger covers that repository from then on. */
  seen(header: EntryHeader): void {
    if (header.repo !== null) this.covers(header.repo, header.recorded_at);
  }

  add(stored: StoredEntry, header: EntryHeader): void {
    const { period, repos } = this.options;
    const result = this.result;
    if (header.kind === 'checkpoint') {
      const signed = parseSignedCheckpoint((JSON.parse(stored.body) as { data: unknown }).data);
      if (signed) result.checkpoint = { ...signed, seq: header.seq };
      return;
    }
    if (header.kind === 'installation') {
      const data = (JSON.parse(stored.body) as { data: { repositoriesAdded?: unknown } }).data;
      for (const repo of Array.isArray(data?.repositoriesAdded) ? data.repositoriesAdded : []) if (typeof repo === 'string') this.covers(repo, header.recorded_at);
      return;
    }
    if (header.repo === null || (repos !== null && !repos.has(header.repo.toLowerCase()))) return;
    if (header.kind === 'push') {
      const repo = header.repo;
      this.lastPush.set(repo, { subject: header.subject, stored });
      if (this.options.collectRecorded) {
        const r = this.recordedIn(repo);
        const push = toLedgerEntry(stored).data as unknown as PushRecord;
        for (const c of push.commits) r.commits.add(c.sha);
        r.pushes.push({ ref: push.ref, before: push.before, after: push.after, at: push.pushedAt ?? push.receivedAt });
      }
      return;
    }
    // Strings kept from here on come from JSON.parse, never from the header:
    // V8 keeps the whole entry text alive behind any substring of it.
    const entry = toLedgerEntry(stored);
    const repo = entry.repo!;
    switch (entry.kind) {
      case 'change': {
        const data = entry.data as unknown as ChangeRecord;
        if (this.options.collectRecorded) {
          const r = this.recordedIn(repo);
          r.pulls.add(Number(entry.subject.slice('pull/'.length)));
          if (data.mergeCommitSha) r.commits.add(data.mergeCommitSha);
        }
        if (!inPeriod(period, data.mergedAt)) break;
        const id = changeId(repo, entry.subject);
        if (this.seenChanges.has(id)) {
          result.duplicates.push(id);
          break;
        }
        this.seenChanges.add(id);
        const item = changeItem(entry, period.timeZone);
        result.changeIndex.push({ id, repo, month: item.month, kind: 'change', seq: entry.seq });
        const line = `${JSON.stringify(item)}\n`;
        this.buffered.push(line);
        this.bufferedLength += line.length;
        if (this.bufferedLength >= SPOOL_CHUNK) this.flush();
        result.changes += 1;
        break;
      }
      case 'exception': {
        result.exceptions.push(entry);
        if ((entry.data as unknown as ExceptionRecord).type === 'direct_push') {
          const push = this.lastPush.get(repo);
          if (push?.subject === entry.subject) result.directPushes.set(pushId(repo, entry.subject), toLedgerEntry(push.stored));
        }
        break;
      }
      case 'exception_resolved':
        result.resolutions.set((entry.data as unknown as ExceptionResolvedRecord).exceptionSeq, entry);
        break;
      case 'policy':
        result.policies.push(entry);
        break;
      case 'exception_response': {
        const answered = (entry.data as unknown as ExceptionResponseRecord).exceptions;
        for (const e of Array.isArray(answered) ? answered : []) {
          const list = result.responses.get(e.seq);
          if (list) list.push(entry);
          else result.responses.set(e.seq, [entry]);
        }
        break;
      }
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

  finish(report: VerifyReport, lookup: SubjectLookup, release: () => Promise<void>): ScanResult {
    this.flush();
    this.result.head = { size: report.lastSeq, hash: report.headHash };
    this.result.verifiedEntries = report.entries;
    this.result.lookup = lookup;
    this.result.release = release;
    return this.result;
  }

  close(): void {
    closeSync(this.spool);
  }

  private flush(): void {
    if (this.buffered.length) writeSync(this.spool, this.buffered.join(''));
    this.buffered = [];
    this.bufferedLength = 0;
  }

  private recordedIn(repo: string): RecordedInRepo {
    let r = this.result.recorded.get(repo);
    if (!r) this.result.recorded.set(repo, (r = { pulls: new Set(), commits: new Set(), pushes: [] }));
    return r;
  }

  private covers(repo: string, at: string): void {
    const known = this.result.coverage.get(repo);
    // JSON.parse copies the text: no substring keeps an entry's body alive.
    if (known === undefined || at < known) this.result.coverage.set(repo, JSON.parse(JSON.stringify(at)) as string);
  }
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
      // The gate's latest decision about the deployment stands (a rejection may be followed by an approval).
      if (decision !== null && decision !== undefined) {
        existing.decision = decision;
        existing.at = at ?? existing.at;
      }
    } else {
      list.push({ itemId, environment, deploymentId: deploymentIdNumber, sha, decision, at });
      links.set(id, list);
    }
  }
}
