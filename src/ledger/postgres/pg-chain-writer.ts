import type { Pool, PoolClient } from 'pg';
import { canonicalWithValue } from '../canonical.js';
import { isCheckpointDue, parseSignedCheckpoint, signCheckpoint, type CheckpointPolicy, type UnsignedTail } from '../checkpoint.js';
import { LedgerError } from '../errors.js';
import { GENESIS_HASH, entryHash } from '../hash.js';
import type { AppendResult, CheckpointRecord, EntryInput, EntryKind, JsonValue, LedgerEntry } from '../ledger.js';
import type { SigningKey } from '../signing-key.js';
import { toLedgerEntry } from '../sqlite-reader.js';
import { tailProblem, tamperedError, type ChainPosition } from '../verify-tail.js';
import { APPEND_LOCK, LOCK_NAMESPACE, inTransaction } from './pg-pool.js';

interface Head {
  seq: number;
  hash: string;
  recorded_at: string | null;
}

/** What the writer reads once it holds the lock: the head, the unsigned tail, the last checkpoint, an earlier delivery. */
interface LockedState {
  seq: string | null;
  hash: string | null;
  recorded_at: string | null;
  checkpoint_seq: string | null;
  checkpoint_body: string | null;
  oldest_unsigned_at: string | null;
  earlier_bodies: string[] | null;
  earlier_hashes: string[] | null;
}

interface Row {
  seq: number;
  recorded_at: string;
  kind: EntryKind;
  repo: string | null;
  subject: string;
  hash: string;
  body: string;
}

// Begin and lock in one round trip. The head is read by the NEXT statement:
// under READ COMMITTED each statement takes a fresh snapshot, so it sees
// every append committed before the lock was granted.
const BEGIN_LOCKED = `BEGIN; SELECT pg_advisory_xact_lock(${LOCK_NAMESPACE}, ${APPEND_LOCK})`;

const READ_STATE = `
  WITH h AS (SELECT seq, hash, recorded_at FROM entries ORDER BY seq DESC LIMIT 1),
       c AS (SELECT seq, body FROM entries WHERE kind = 'checkpoint' ORDER BY seq DESC LIMIT 1)
  SELECT h.seq, h.hash, h.recorded_at, c.seq AS checkpoint_seq, c.body AS checkpoint_body,
         (SELECT recorded_at FROM entries WHERE seq = COALESCE(c.seq, 0) + 1) AS oldest_unsigned_at,
         (SELECT array_agg(e.body ORDER BY e.seq) FROM deliveries d JOIN entries e ON e.seq = d.seq WHERE d.delivery_id = $1) AS earlier_bodies,
         (SELECT array_agg(e.hash ORDER BY e.seq) FROM deliveries d JOIN entries e ON e.seq = d.seq WHERE d.delivery_id = $1) AS earlier_hashes
  FROM (SELECT 1) AS one LEFT JOIN h ON true LEFT JOIN c ON true`;

// One statement writes the entries and both indexes. Foreign keys are checked
// at its end, so the indexes may name entries of the same statement.
const INSERT_ROWS = `
  WITH e AS (
    INSERT INTO entries (seq, recorded_at, kind, repo, hash, body)
    SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
  ), d AS (
    INSERT INTO deliveries (delivery_id, seq) SELECT $7::text, s FROM unnest($8::bigint[]) AS s WHERE $7::text IS NOT NULL
  )
  INSERT INTO entry_subjects (repo, subject, seq) SELECT * FROM unnest($9::text[], $10::text[], $11::bigint[])`;

/**
 * The write side of the PostgreSQL ledger. Every append and checkpoint is one
 * transaction that first takes a transaction-scoped advisory lock, then reads
 * the head: appends from any number of replicas queue on that lock and
 * extend one chain. The lock ends with the transaction — committed, rolled
 * back, or aborted because the replica died — so a killed writer never
 * holds it, and an append is all or nothing. `seq` is the primary key and a
 * trigger requires each entry to name its predecessor's hash, so even a
 * writer that skipped the lock could not fork the chain.
 *
 * The common case takes one round trip: the entries are computed on the head
 * this writer last saw and sent to `changeproof_append`, which takes the same
 * lock and writes them only if that is still the head.
 *
 * Why an advisory lock rather than a row lock on a head row, or SERIALIZABLE
 * with retries: it needs no mutable row beside append-only tables, never
 * makes a replica redo its work (under SERIALIZABLE, replicas appending at
 * once would fail and retry), and queues writers in arrival order.
 *
 * @example
 * const writer = new PgChainWriter(pool, { clock, policy: DEFAULT_CHECKPOINT_POLICY, key });
 * await writer.append([{ kind: 'push', repo: 'acme/api', subject: 'push/abc', data: {} }], 'delivery-1');
 */
export class PgChainWriter {
  /** The chain's state after this writer's last write or read: valid while the head is still that head. */
  private seen: Seen | null = null;
  /** True when another writer appended between this writer's last two appends. */
  private interleaved = false;
  /** The latest entry this replica wrote (committed) or verified: it must keep its hash. */
  private known: ChainPosition | null = null;

  constructor(private readonly pool: Pool, private readonly config: { clock: () => Date; policy: CheckpointPolicy; key: SigningKey }) {}

  /**
   * Appends the inputs (validated already) as one transaction; a known
   * delivery writes nothing. First in one round trip, on the head this writer
   * last saw (changeproof_append refuses if another replica has appended
   * since, or the delivery is recorded); else the general path: lock, read
   * the head, write.
   */
  async append(inputs: readonly EntryInput[], deliveryId: string | undefined): Promise<AppendResult> {
    const seen = this.seen;
    // While other replicas are appending too, the head this writer saw is
    // mostly stale: go straight to the general path until it is alone again.
    // An append that signs a checkpoint takes the general path: the tail is verified under the lock first.
    // The time an unsent plan read, reused by the general path (the clock is read once per attempt).
    let unsent: Date | null = null;
    const fast = seen && !this.interleaved ? this.plan(inputs, seen, this.config.clock()) : null;
    if (fast?.rows.some((r) => r.kind === 'checkpoint')) unsent = fast.now;
    else if (seen && fast) {
      const status = await this.appendIfHead(seen.head, fast.rows, deliveryId ?? null, fast.entries.map((e) => e.seq));
      if (status === 'appended') {
        this.seen = fast.after;
        this.advance(fast.after.head);
        return { entries: fast.entries, duplicate: false };
      }
    }
    let wrote: Head | null = null;
    const result = await this.locked(deliveryId ?? null, async (client, state) => {
      this.interleaved = this.seen !== null && headOf(state).hash !== this.seen.head.hash;
      if (state.earlier_bodies && state.earlier_hashes) {
        const hashes = state.earlier_hashes;
        this.seen = seenOf(state);
        return { entries: state.earlier_bodies.map((body, i) => toLedgerEntry({ body, hash: hashes[i]! })), duplicate: true };
      }
      const plan = this.plan(inputs, seenOf(state), unsent ?? this.config.clock());
      if (plan.rows.some((r) => r.kind === 'checkpoint')) await this.verifyTail(client, state);
      await insertRows(client, plan.rows, deliveryId ?? null, plan.entries.map((e) => e.seq));
      this.seen = plan.after;
      wrote = plan.after.head;
      return { entries: plan.entries, duplicate: false };
    });
    if (wrote) this.advance(wrote);
    return result;
  }

  /**
   * Before this replica signs a checkpoint: every entry since the last one
   * (at most the policy's everyEntries, or ten minutes' worth) must hash,
   * link and match its columns, the last checkpoint must be validly signed
   * by this replica's key, and the latest entry this replica wrote or
   * verified must still have its hash. Other replicas append too, so the
   * head this replica last wrote says nothing about the entries after it.
   * Someone with write access to the database but not the key could
   * otherwise rewrite the unsigned tail, re-hash it, and have a replica sign
   * over it. Runs under the append lock; throws LEDGER_TAMPERED.
   */
  private async verifyTail(client: PoolClient, state: LockedState): Promise<void> {
    const head = headOf(state);
    const known = this.known;
    const from = Math.max(1, Number(state.checkpoint_seq ?? 0));
    const { rows } = await client.query<{ seq: string; recorded_at: string; kind: string; repo: string | null; hash: string; body: string }>(
      'SELECT seq, recorded_at, kind, repo, hash, body FROM entries WHERE (seq >= $1 AND seq <= $2) OR seq = $3 ORDER BY seq',
      [from, head.seq, known?.seq ?? 0]);
    const all = rows.map((r) => ({ ...r, seq: Number(r.seq) }));
    const storedHash = known === null ? undefined : all.find((r) => r.seq === known.seq)?.hash;
    const tail = all.filter((r) => r.seq >= from && r.seq <= head.seq);
    const problem = tailProblem(tail, { from, head, publicKey: this.config.key.publicKey, known, storedHash });
    if (problem !== null) throw tamperedError('this database', problem);
    this.advance(head);
  }

  /** Records an entry this replica wrote (committed) or verified, if it is the latest so far. */
  private advance(position: ChainPosition): void {
    if (position.seq > 0 && (this.known === null || position.seq >= this.known.seq)) this.known = { seq: position.seq, hash: position.hash };
  }

  /** The rows an append writes on `seen` (checkpoints included, as the policy asks), and the state after them. */
  private plan(inputs: readonly EntryInput[], seen: Seen, now: Date): { rows: Row[]; entries: LedgerEntry[]; after: Seen; now: Date } {
    let head = seen.head;
    const time = latest(now.toISOString(), head.recorded_at);
    let tail = seen.tail;
    let keyId = seen.keyId;
    const rows: Row[] = [];
    const entries: LedgerEntry[] = [];
    for (const input of inputs) {
      const entry = this.entry(head, time, input.kind, input.repo, input.subject, input.data, rows);
      entries.push(entry);
      head = { seq: entry.seq, hash: entry.hash, recorded_at: time };
      tail = { count: tail.count + 1, oldestAt: tail.oldestAt ?? time };
      // Inside the batch, so no run of more than everyEntries entries goes unsigned.
      if (tail.count >= this.config.policy.everyEntries) {
        head = this.checkpointEntry(head, time, keyId, rows);
        tail = { count: 0, oldestAt: null };
        keyId = this.config.key.keyId;
      }
    }
    if (isCheckpointDue(tail, this.config.policy, now)) {
      head = this.checkpointEntry(head, time, keyId, rows);
      tail = { count: 0, oldestAt: null };
      keyId = this.config.key.keyId;
    }
    return { rows, entries, after: { head, tail, keyId }, now };
  }

  private async appendIfHead(head: Head, rows: readonly Row[], deliveryId: string | null, deliverySeqs: readonly number[]): Promise<string> {
    const indexed = rows.filter((r) => r.repo !== null);
    // A named statement: each connection parses and plans it once.
    const { rows: [result] } = await this.pool.query<{ status: string }>({
      name: 'changeproof_append',
      text: 'SELECT changeproof_append($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) AS status',
      values: [
        head.seq, head.hash, deliveryId,
        rows.map((r) => r.seq), rows.map((r) => r.recorded_at), rows.map((r) => r.kind), rows.map((r) => r.repo), rows.map((r) => r.hash), rows.map((r) => r.body),
        deliveryId === null ? [] : deliverySeqs, indexed.map((r) => r.repo), indexed.map((r) => r.subject), indexed.map((r) => r.seq),
      ],
    });
    return result!.status;
  }

  /** Signs a checkpoint if anything is unsigned and (unless `force`) the policy says it is due. */
  async checkpoint(force: boolean): Promise<LedgerEntry | null> {
    let wrote: Head | null = null;
    const result = await this.locked(null, async (client, state) => {
      const now = this.config.clock();
      const head = headOf(state);
      const tail = tailOf(state, head);
      if (tail.count === 0 || (!force && !isCheckpointDue(tail, this.config.policy, now))) return null;
      await this.verifyTail(client, state);
      const rows: Row[] = [];
      const after = this.checkpointEntry(head, latest(now.toISOString(), head.recorded_at), seenOf(state).keyId, rows);
      await insertRows(client, rows, null, []);
      this.seen = { head: after, tail: { count: 0, oldestAt: null }, keyId: this.config.key.keyId };
      wrote = after;
      const row = rows[0]!;
      return toLedgerEntry({ body: row.body, hash: row.hash });
    });
    if (wrote) this.advance(wrote);
    return result;
  }

  async head(): Promise<{ size: number; hash: string }> {
    const { rows } = await this.pool.query<{ seq: string; hash: string }>('SELECT seq, hash FROM entries ORDER BY seq DESC LIMIT 1');
    return rows[0] ? { size: Number(rows[0].seq), hash: rows[0].hash } : { size: 0, hash: GENESIS_HASH };
  }

  async hasDelivery(deliveryId: string): Promise<boolean> {
    return ((await this.pool.query('SELECT 1 FROM deliveries WHERE delivery_id = $1 LIMIT 1', [deliveryId])).rowCount ?? 0) > 0;
  }

  async latestCheckpoint(): Promise<CheckpointRecord | null> {
    const { rows } = await this.pool.query<{ seq: string; body: string }>("SELECT seq, body FROM entries WHERE kind = 'checkpoint' ORDER BY seq DESC LIMIT 1");
    return checkpointFromRow(rows[0]);
  }

  private async locked<T>(deliveryId: string | null, work: (client: PoolClient, state: LockedState) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, BEGIN_LOCKED, async (client) => {
      const { rows } = await client.query<LockedState>(READ_STATE, [deliveryId]);
      return work(client, rows[0]!);
    });
  }

  /**
   * Signs `{size, head_hash, time}` and adds it as the next entry. Replicas
   * must share one key: a ledger signed by two keys would not verify, so a
   * checkpoint by another key than the last one's is refused, under the lock.
   */
  private checkpointEntry(head: Head, time: string, lastKey: string | null, rows: Row[]): Head {
    if (lastKey !== null && lastKey !== this.config.key.keyId) {
      throw new LedgerError('LEDGER_KEY_MISMATCH',
        `This replica's signing key (id ${this.config.key.keyId.slice(0, 16)}…) is not the key that signed the ledger (id ${lastKey.slice(0, 16)}…).`,
        'Give every replica the same key (CHANGEPROOF_SIGNING_KEY_PATH).');
    }
    const checkpoint = signCheckpoint(this.config.key, { size: head.seq, head_hash: head.hash, time });
    const entry = this.entry(head, time, 'checkpoint', null, `checkpoint/${head.seq}`, checkpoint, rows);
    return { seq: entry.seq, hash: entry.hash, recorded_at: time };
  }

  private entry(head: Head, time: string, kind: EntryKind, repo: string | null, subject: string, data: unknown, rows: Row[]): LedgerEntry {
    const seq = head.seq + 1;
    const { text: body, value } = canonicalWithValue({ data, kind, prev_hash: head.hash, recorded_at: time, repo, seq, subject });
    const hash = entryHash(head.hash, body);
    rows.push({ seq, recorded_at: time, kind, repo, subject, hash, body });
    return { seq, recorded_at: time, kind, repo, subject, data: (value as { data: JsonValue }).data, prev_hash: head.hash, hash };
  }
}

async function insertRows(client: PoolClient, rows: readonly Row[], deliveryId: string | null, deliverySeqs: readonly number[]): Promise<void> {
  const indexed = rows.filter((r) => r.repo !== null);
  await client.query(INSERT_ROWS, [
    rows.map((r) => r.seq), rows.map((r) => r.recorded_at), rows.map((r) => r.kind), rows.map((r) => r.repo), rows.map((r) => r.hash), rows.map((r) => r.body),
    deliveryId, deliveryId === null ? [] : deliverySeqs,
    indexed.map((r) => r.repo), indexed.map((r) => r.subject), indexed.map((r) => r.seq),
  ]);
}

/** What an append is computed on: the head, the unsigned tail, and the key of the last checkpoint. */
interface Seen {
  head: Head;
  tail: UnsignedTail;
  keyId: string | null;
}

function seenOf(state: LockedState): Seen {
  const head = headOf(state);
  const keyId = state.checkpoint_body === null ? null : parseSignedCheckpoint((JSON.parse(state.checkpoint_body) as { data: unknown }).data)?.key_id ?? null;
  return { head, tail: tailOf(state, head), keyId };
}

function headOf(state: LockedState): Head {
  return state.seq === null ? { seq: 0, hash: GENESIS_HASH, recorded_at: null } : { seq: Number(state.seq), hash: state.hash!, recorded_at: state.recorded_at };
}

function tailOf(state: LockedState, head: Head): UnsignedTail {
  const count = head.seq - Number(state.checkpoint_seq ?? 0);
  return { count, oldestAt: count === 0 ? null : state.oldest_unsigned_at };
}

/** A checkpoint entry's row as the signed checkpoint it carries (null if none). */
export function checkpointFromRow(row: { seq: string | number; body: string } | undefined): CheckpointRecord | null {
  const checkpoint = row ? parseSignedCheckpoint((JSON.parse(row.body) as { data: unknown }).data) : null;
  return row && checkpoint ? { ...checkpoint, seq: Number(row.seq) } : null;
}

/** ISO strings of one format compare as times; recorded_at never goes backwards even if the clock does, or another replica's runs ahead. */
function latest(now: string, previous: string | null): string {
  return previous !== null && previous > now ? previous : now;
}
