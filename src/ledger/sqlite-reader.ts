import type { Database, Statement } from 'better-sqlite3';
import { entryLine } from './entry-text.js';
import { isoBound, LedgerError } from './errors.js';
import type { CheckpointRecord, LedgerEntry, ReadQuery } from './ledger.js';
import { parseSignedCheckpoint } from './checkpoint.js';

/** One stored entry: the exact hashed text and its hash. */
export interface StoredEntry {
  body: string;
  hash: string;
}

interface Bounds {
  lo: number;
  hi: number;
  repo: string | null;
  subject: string | null;
  kinds: string | null;
  limit: number;
}

const SELECT = 'SELECT body, hash FROM entries';
const KINDS = '(@kinds IS NULL OR kind IN (SELECT value FROM json_each(@kinds)))';

/**
 * Iterates the stored entries matching `query` in seq order with
 * better-sqlite3's `.iterate()`, one row at a time, inside one read
 * transaction (a consistent snapshot). Times map to a seq range first: the
 * ledger never lets `recorded_at` decrease, so the range is contiguous and
 * found by binary search. With a repo the (repo, seq) index keeps the rows in
 * seq order without a sort.
 *
 * @example
 * for (const { body, hash } of iterateStored(db, { repo: 'acme/api' })) …
 */
export function* iterateStored(db: Database, query: ReadQuery = {}): Generator<StoredEntry> {
  const ownTransaction = !db.inTransaction;
  if (ownTransaction) db.exec('BEGIN');
  try {
    const bounds = resolveBounds(db, query);
    if (!bounds || bounds.lo > bounds.hi) return;
    const order = query.order === 'desc' ? 'DESC' : 'ASC';
    const sql = bounds.subject !== null
      ? `SELECT e.body, e.hash FROM entry_subjects s JOIN entries e ON e.seq = s.seq
         WHERE s.repo = @repo AND s.subject = @subject AND s.seq BETWEEN @lo AND @hi AND ${KINDS} ORDER BY s.seq ${order} LIMIT @limit`
      : bounds.repo === null
        ? `${SELECT} WHERE seq BETWEEN @lo AND @hi AND ${KINDS} ORDER BY seq ${order} LIMIT @limit`
        : `${SELECT} WHERE repo = @repo AND seq BETWEEN @lo AND @hi AND ${KINDS} ORDER BY seq ${order} LIMIT @limit`;
    yield* cached<Bounds, StoredEntry>(db, sql).iterate(bounds);
  } finally {
    if (ownTransaction && db.open && db.inTransaction) db.exec('COMMIT');
  }
}

/** Prepared statements by connection and SQL: preparing costs more than most reads the app makes. */
const statements = new WeakMap<Database, Map<string, Statement<unknown[], unknown>>>();

/**
 * The connection's prepared statement for `sql`, prepared once; a fresh one
 * while the cached one is still iterating (a read inside a read on one connection).
 */
function cached<P extends unknown[] | object, R>(db: Database, sql: string): Statement<P, R> {
  let byText = statements.get(db);
  if (!byText) statements.set(db, (byText = new Map()));
  const known = byText.get(sql) as Statement<P, R> | undefined;
  if (known && !known.busy) return known;
  const statement = db.prepare<P, R>(sql);
  if (!known) byText.set(sql, statement as unknown as Statement<unknown[], unknown>);
  return statement;
}

function resolveBounds(db: Database, query: ReadQuery): Bounds | null {
  let lo = Math.max(1, query.fromSeq ?? 1);
  let hi = query.toSeq ?? Number.MAX_SAFE_INTEGER;
  if (query.from !== undefined) {
    const first = firstSeqAtOrAfter(db, isoBound(query.from, 'from'));
    if (first === null) return null;
    lo = Math.max(lo, first);
  }
  if (query.to !== undefined) {
    const first = firstSeqAtOrAfter(db, isoBound(query.to, 'to'));
    if (first !== null) hi = Math.min(hi, first - 1);
  }
  const kinds = query.kinds === undefined ? null : JSON.stringify(query.kinds);
  if (query.subject !== undefined && query.repo === undefined) {
    throw new LedgerError('LEDGER_INVALID_ENTRY', 'A read by subject needs the repository too.', 'Pass { repo, subject }.');
  }
  return { lo, hi, repo: query.repo ?? null, subject: query.subject ?? null, kinds, limit: query.limit ?? -1 };
}

/**
 * The first seq recorded at or after `time`, or null: a binary search over
 * seq (primary key lookups only), valid because the ledger never lets
 * recorded_at decrease — which `verify` checks.
 */
function firstSeqAtOrAfter(db: Database, time: string): number | null {
  const at = cached<[number], { seq: number; recorded_at: string }>(db, 'SELECT seq, recorded_at FROM entries WHERE seq >= ? ORDER BY seq LIMIT 1');
  const last = cached<[], { seq: number | null }>(db, 'SELECT max(seq) AS seq FROM entries').get()?.seq ?? null;
  if (last === null) return null;
  let lo = 1;
  let hi = last + 1;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    const row = at.get(mid);
    if (row && row.recorded_at < time) lo = row.seq + 1;
    else hi = mid;
  }
  const row = at.get(lo);
  return row && row.recorded_at >= time ? row.seq : null;
}


/** A stored entry as the {@link LedgerEntry} object (members in SPEC §3 order). */
export function toLedgerEntry({ body, hash }: StoredEntry): LedgerEntry {
  const e = JSON.parse(body) as Omit<LedgerEntry, 'hash'>;
  return { seq: e.seq, recorded_at: e.recorded_at, kind: e.kind, repo: e.repo, subject: e.subject, data: e.data, prev_hash: e.prev_hash, hash };
}

/** A stored entry as its NDJSON line (no newline). */
export function toLine({ body, hash }: StoredEntry): string {
  return entryLine(body, hash);
}

/** The latest signed checkpoint in a ledger database (through the partial checkpoint index), or null. */
export function latestCheckpointIn(db: Database): CheckpointRecord | null {
  return checkpointFromRow(db.prepare<[], { seq: number; body: string }>(
    "SELECT seq, body FROM entries WHERE kind = 'checkpoint' ORDER BY seq DESC LIMIT 1").get());
}

/** A checkpoint entry's row as the signed checkpoint it carries (null if none, or not well-formed). */
export function checkpointFromRow(row: { seq: number; body: string } | undefined): CheckpointRecord | null {
  const checkpoint = row ? parseSignedCheckpoint((JSON.parse(row.body) as { data: unknown }).data) : null;
  return row && checkpoint ? { ...checkpoint, seq: row.seq } : null;
}
