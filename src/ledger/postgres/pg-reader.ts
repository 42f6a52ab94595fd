import type { Pool, PoolClient } from 'pg';
import { isoBound, LedgerError } from '../errors.js';
import type { ReadQuery } from '../ledger.js';
import type { StoredEntry } from '../sqlite-reader.js';

/** Rows per round trip: large enough to amortise it, small enough to keep memory flat. */
const PAGE = 1000;

interface Bounds {
  lo: number;
  hi: number;
  repo: string | null;
  subject: string | null;
  kinds: string[] | null;
  limit: number;
}

/**
 * Iterates the stored entries matching `query` (in seq order, or reversed),
 * page by page by seq, inside one REPEATABLE READ transaction: a consistent
 * snapshot while other replicas append, memory bounded by one page. Times map
 * to a seq range first (recorded_at never decreases), as in the SQLite reader.
 *
 * @example
 * for await (const { body, hash } of iterateStoredPg(pool, { repo: 'acme/api' })) …
 */
export async function* iterateStoredPg(pool: Pool, query: ReadQuery = {}): AsyncGenerator<StoredEntry & { seq: string }> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const bounds = await resolveBounds(client, query);
    if (!bounds || bounds.lo > bounds.hi) return;
    const desc = query.order === 'desc';
    const params: unknown[] = [];
    const param = (value: unknown) => `$${params.push(value) + 3}`;
    const where = [
      bounds.subject !== null ? `seq IN (SELECT seq FROM entry_subjects WHERE repo = ${param(bounds.repo)} AND subject = ${param(bounds.subject)})` : null,
      bounds.repo !== null ? `repo = ${param(bounds.repo)}` : null,
      bounds.kinds !== null ? `kind = ANY(${param(bounds.kinds)}::text[])` : null,
    ].filter(Boolean).map((c) => ` AND ${c}`).join('');
    const sql = `SELECT seq, body, hash FROM entries WHERE seq BETWEEN $1 AND $2${where} ORDER BY seq ${desc ? 'DESC' : 'ASC'} LIMIT $3`;
    let lo = bounds.lo;
    let hi = bounds.hi;
    let left = bounds.limit;
    while (left > 0 && lo <= hi) {
      const { rows } = await client.query<StoredEntry & { seq: string }>(sql, [lo, hi, Math.min(PAGE, left), ...params]);
      for (const row of rows) yield row;
      if (rows.length < Math.min(PAGE, left)) return;
      left -= rows.length;
      const last = Number(rows.at(-1)!.seq);
      if (desc) hi = last - 1;
      else lo = last + 1;
    }
  } catch (error) {
    broken = true;
    throw error;
  } finally {
    try {
      await client.query('ROLLBACK');
    } catch {
      broken = true;
    }
    client.release(broken);
  }
}

async function resolveBounds(client: PoolClient, query: ReadQuery): Promise<Bounds | null> {
  let lo = Math.max(1, query.fromSeq ?? 1);
  let hi = query.toSeq ?? Number.MAX_SAFE_INTEGER;
  if (query.subject !== undefined && query.repo === undefined) {
    throw new LedgerError('LEDGER_INVALID_ENTRY', 'A read by subject needs the repository too.', 'Pass { repo, subject }.');
  }
  const from = query.from === undefined ? undefined : isoBound(query.from, 'from');
  const to = query.to === undefined ? undefined : isoBound(query.to, 'to');
  if (from !== undefined) {
    const first = await firstSeqAtOrAfter(client, from);
    if (first === null) return null;
    lo = Math.max(lo, first);
  }
  if (to !== undefined) {
    const first = await firstSeqAtOrAfter(client, to);
    if (first !== null) hi = Math.min(hi, first - 1);
  }
  return {
    lo, hi, repo: query.repo ?? null, subject: query.subject ?? null,
    kinds: query.kinds === undefined ? null : [...query.kinds], limit: query.limit ?? Number.MAX_SAFE_INTEGER,
  };
}

/** The first seq recorded at or after `time`: a binary search over seq (primary-key lookups), as recorded_at never decreases. */
async function firstSeqAtOrAfter(client: PoolClient, time: string): Promise<number | null> {
  const at = async (seq: number) =>
    (await client.query<{ seq: string; recorded_at: string }>('SELECT seq, recorded_at FROM entries WHERE seq >= $1 ORDER BY seq LIMIT 1', [seq])).rows[0];
  const max = (await client.query<{ seq: string | null }>('SELECT max(seq) AS seq FROM entries')).rows[0]?.seq ?? null;
  if (max === null) return null;
  let lo = 1;
  let hi = Number(max) + 1;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    const row = await at(mid);
    if (row && row.recorded_at < time) lo = Number(row.seq) + 1;
    else hi = mid;
  }
  const row = await at(lo);
  return row && row.recorded_at >= time ? Number(row.seq) : null;
}

