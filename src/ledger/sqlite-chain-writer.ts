import type { Database, Statement } from 'better-sqlite3';
import { canonicalWithValue } from './canonical.js';
import { isCheckpointDue, signCheckpoint, type CheckpointPolicy, type UnsignedTail } from './checkpoint.js';
import { GENESIS_HASH, entryHash } from './hash.js';
import type { AppendResult, CheckpointRecord, EntryInput, EntryKind, JsonValue, LedgerEntry } from './ledger.js';
import type { SigningKey } from './signing-key.js';
import { checkpointFromRow, toLedgerEntry, type StoredEntry } from './sqlite-reader.js';
import { tailProblem, tamperedError, type ChainPosition, type TailRow } from './verify-tail.js';

interface Head {
  seq: number;
  hash: string;
  recorded_at: string | null;
}

type Row = [number, string, string, string | null, string, string];

/**
 * The write side of the SQLite ledger. Every write runs in a `BEGIN
 * IMMEDIATE` transaction that takes SQLite's write lock BEFORE reading the
 * head, so writers in any number of processes extend one chain (the busy
 * timeout queues them); `seq` is the primary key, so even a bug could not
 * record two entries at one position. All or nothing: a failure anywhere rolls
 * the whole append back, checkpoints included.
 *
 * @example
 * const writer = new SqliteChainWriter(db, { clock, policy: DEFAULT_CHECKPOINT_POLICY, key });
 * writer.append([{ kind: 'push', repo: 'acme/api', subject: 'push/abc', data: {} }], 'delivery-1');
 */
export class SqliteChainWriter {
  private readonly insertEntry: Statement<Row>;
  private readonly insertDelivery: Statement<[string, number]>;
  private readonly insertSubject: Statement<[string, string, number]>;
  private readonly selectHead: Statement<[], Head>;
  private readonly selectDelivery: Statement<[string], StoredEntry>;
  private readonly selectHasDelivery: Statement<[string], unknown>;
  private readonly selectLastCheckpoint: Statement<[], { seq: number; body: string }>;
  private readonly selectRecordedAt: Statement<[number], { recorded_at: string }>;
  private readonly selectRange: Statement<[number, number], TailRow>;
  private readonly selectHash: Statement<[number], { hash: string }>;
  private readonly appendTx: (inputs: readonly EntryInput[], deliveryId: string | undefined) => AppendResult;
  private readonly checkpointTx: (force: boolean) => LedgerEntry | null;
  /** The unsigned tail as this writer left it, valid while the head is still the one it wrote. */
  private tailAfter: { hash: string; tail: UnsignedTail } | null = null;
  /**
   * The last head this writer wrote (committed) or verified. While the stored
   * head is still this one, the writer builds on it without reading; else it
   * checks what changed before it signs or extends anything.
   */
  private known: ChainPosition | null = null;
  /** The head an append or checkpoint wrote, adopted as `known` once its transaction commits. */
  private wrote: ChainPosition | null = null;

  constructor(db: Database, private readonly config: { clock: () => Date; policy: CheckpointPolicy; key: SigningKey; where?: string }) {
    this.insertEntry = db.prepare('INSERT INTO entries (seq, recorded_at, kind, repo, hash, body) VALUES (?, ?, ?, ?, ?, ?)');
    this.insertDelivery = db.prepare('INSERT INTO deliveries (delivery_id, seq) VALUES (?, ?)');
    this.insertSubject = db.prepare('INSERT INTO entry_subjects (repo, subject, seq) VALUES (?, ?, ?)');
    this.selectHead = db.prepare('SELECT seq, hash, recorded_at FROM entries ORDER BY seq DESC LIMIT 1');
    this.selectDelivery = db.prepare(
      'SELECT e.body, e.hash FROM deliveries d JOIN entries e ON e.seq = d.seq WHERE d.delivery_id = ? ORDER BY d.seq');
    this.selectHasDelivery = db.prepare('SELECT 1 FROM deliveries WHERE delivery_id = ? LIMIT 1');
    // Served by the partial index entries_checkpoints: constant time, whatever the ledger's size.
    this.selectLastCheckpoint = db.prepare("SELECT seq, body FROM entries WHERE kind = 'checkpoint' ORDER BY seq DESC LIMIT 1");
    this.selectRecordedAt = db.prepare('SELECT recorded_at FROM entries WHERE seq = ?');
    this.selectRange = db.prepare('SELECT seq, recorded_at, kind, repo, hash, body FROM entries WHERE seq >= ? AND seq <= ? ORDER BY seq');
    this.selectHash = db.prepare('SELECT hash FROM entries WHERE seq = ?');
    const appendTx = db.transaction((inputs: readonly EntryInput[], deliveryId: string | undefined) => this.appendLocked(inputs, deliveryId));
    const checkpointTx = db.transaction((force: boolean) => this.checkpointLocked(force));
    this.appendTx = (inputs, deliveryId) => appendTx.immediate(inputs, deliveryId);
    this.checkpointTx = (force) => checkpointTx.immediate(force);
  }

  /** Appends the inputs (validated already) as one transaction; a known delivery writes nothing. */
  append(inputs: readonly EntryInput[], deliveryId: string | undefined): AppendResult {
    return this.committed(() => this.appendTx(inputs, deliveryId));
  }

  /** Signs a checkpoint if anything is unsigned and (unless `force`) the policy says it is due. */
  checkpoint(force: boolean): LedgerEntry | null {
    return this.committed(() => this.checkpointTx(force));
  }

  /** Runs a write transaction; the head it wrote becomes `known` only if it committed. */
  private committed<T>(write: () => T): T {
    this.wrote = null;
    const result = write();
    if (this.wrote !== null) this.known = this.wrote;
    this.wrote = null;
    return result;
  }

  head(): { size: number; hash: string } {
    const head = this.readHead();
    return { size: head.seq, hash: head.hash };
  }

  hasDelivery(deliveryId: string): boolean {
    return this.selectHasDelivery.get(deliveryId) !== undefined;
  }

  latestCheckpoint(): CheckpointRecord | null {
    return checkpointFromRow(this.selectLastCheckpoint.get());
  }

  private appendLocked(inputs: readonly EntryInput[], deliveryId: string | undefined): AppendResult {
    if (deliveryId !== undefined) {
      const earlier = this.selectDelivery.all(deliveryId);
      if (earlier.length > 0) return { entries: earlier.map(toLedgerEntry), duplicate: true };
    }
    const now = this.config.clock();
    let head = this.verifiedHead();
    const time = latest(now.toISOString(), head.recorded_at);
    let tail = this.unsignedTail(head);
    const entries: LedgerEntry[] = [];
    for (const input of inputs) {
      const entry = this.insert(head, time, input.kind, input.repo, input.subject, input.data);
      if (deliveryId !== undefined) this.insertDelivery.run(deliveryId, entry.seq);
      entries.push(entry);
      head = { seq: entry.seq, hash: entry.hash, recorded_at: time };
      tail = { count: tail.count + 1, oldestAt: tail.oldestAt ?? time };
      // Inside the batch, so no run of more than everyEntries entries goes unsigned.
      if (tail.count >= this.config.policy.everyEntries) {
        const checkpoint = this.insertCheckpoint(head, time);
        head = { seq: checkpoint.seq, hash: checkpoint.hash, recorded_at: time };
        tail = { count: 0, oldestAt: null };
      }
    }
    if (isCheckpointDue(tail, this.config.policy, now)) {
      const checkpoint = this.insertCheckpoint(head, time);
      head = { seq: checkpoint.seq, hash: checkpoint.hash, recorded_at: time };
      tail = { count: 0, oldestAt: null };
    }
    this.tailAfter = { hash: head.hash, tail };
    this.wrote = { seq: head.seq, hash: head.hash };
    return { entries, duplicate: false };
  }

  private checkpointLocked(force: boolean): LedgerEntry | null {
    const now = this.config.clock();
    const head = this.readHead();
    const tail = this.unsignedTail(head);
    if (tail.count === 0 || (!force && !isCheckpointDue(tail, this.config.policy, now))) return null;
    this.verifiedHead(head);
    const checkpoint = this.insertCheckpoint(head, latest(now.toISOString(), head.recorded_at));
    this.tailAfter = { hash: checkpoint.hash, tail: { count: 0, oldestAt: null } };
    this.wrote = { seq: checkpoint.seq, hash: checkpoint.hash };
    return checkpoint;
  }

  /** Signs `{size, head_hash, time}` of the entries so far and records it as the next entry. */
  private insertCheckpoint(head: Head, time: string): LedgerEntry {
    const checkpoint = signCheckpoint(this.config.key, { size: head.seq, head_hash: head.hash, time });
    return this.insert(head, time, 'checkpoint', null, `checkpoint/${head.seq}`, checkpoint);
  }

  private insert(head: Head, time: string, kind: EntryKind, repo: string | null, subject: string, data: unknown): LedgerEntry {
    const seq = head.seq + 1;
    const { text: body, value } = canonicalWithValue({ data, kind, prev_hash: head.hash, recorded_at: time, repo, seq, subject });
    const hash = entryHash(head.hash, body);
    this.insertEntry.run(seq, time, kind, repo, hash, body);
    if (repo !== null) this.insertSubject.run(repo, subject, seq);
    return { seq, recorded_at: time, kind, repo, subject, data: (value as { data: JsonValue }).data, prev_hash: head.hash, hash };
  }

  private readHead(): Head {
    return this.selectHead.get() ?? { seq: 0, hash: GENESIS_HASH, recorded_at: null };
  }

  /**
   * The stored head, once it is known to be sound: the head this writer last
   * wrote or checked (the common case: no read beyond the head), or one whose
   * entries since then — since the last checkpoint, the first time — hash,
   * link and carry valid signatures. Someone with write access to the file
   * but not the key could otherwise rewrite the unsigned tail, re-hash it,
   * and have this writer sign a checkpoint over it. Called under the write
   * lock; throws LEDGER_TAMPERED rather than build on or sign anything else.
   */
  private verifiedHead(head: Head = this.readHead()): Head {
    const known = this.known;
    if (known !== null && known.seq === head.seq && known.hash === head.hash) return head;
    const checkpointSeq = this.selectLastCheckpoint.get()?.seq ?? 0;
    // From the entry this writer last knew (its hash checked: it fixes every
    // entry before it), else from the last checkpoint, whose signature anchors the rest.
    const from = known !== null && known.seq > checkpointSeq && known.seq <= head.seq ? known.seq : Math.max(1, checkpointSeq);
    const rows = head.seq === 0 ? [] : this.selectRange.all(from, head.seq);
    const storedHash = known === null ? undefined : known.seq >= from ? rows[known.seq - from]?.hash : this.selectHash.get(known.seq)?.hash;
    const problem = tailProblem(rows, { from, head, publicKey: this.config.key.publicKey, known, storedHash });
    if (problem !== null) throw tamperedError(this.config.where ?? 'this path', problem);
    this.known = head.seq === 0 ? null : { seq: head.seq, hash: head.hash };
    return head;
  }

  private unsignedTail(head: Head): UnsignedTail {
    // A head hash determines the whole chain before it, so if the head is the
    // one this writer last produced, the tail is the one it computed then —
    // even if that append was rolled back and the same head written again.
    // Another writer's append changes the head: then ask the database.
    if (this.tailAfter?.hash === head.hash) return this.tailAfter.tail;
    const last = this.selectLastCheckpoint.get();
    const count = head.seq - (last?.seq ?? 0);
    return { count, oldestAt: count === 0 ? null : this.selectRecordedAt.get(head.seq - count + 1)?.recorded_at ?? null };
  }
}

/** ISO strings of one format compare as times; recorded_at never goes backwards even if the clock does. */
function latest(now: string, previous: string | null): string {
  return previous !== null && previous > now ? previous : now;
}
