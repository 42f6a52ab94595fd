import type { Database, Statement } from 'better-sqlite3';
import { canonicalWithValue } from './canonical.js';
import {
  DEFAULT_CHECKPOINT_POLICY, isCheckpointDue, parseSignedCheckpoint, signCheckpoint,
  type CheckpointPolicy, type UnsignedTail,
} from './checkpoint.js';
import { closedError, toLedgerError } from './errors.js';
import { GENESIS_HASH, entryHash } from './hash.js';
import { importNdjson, type ImportResult } from './import-ndjson.js';
import type { ChunkSource } from './ndjson.js';
import { validateAppend } from './validate-append.js';
import type {
  AppendOptions, AppendResult, CheckpointRecord, EntryInput, EntryKind, JsonValue, Ledger, LedgerEntry, LedgerHead, ReadQuery,
} from './ledger.js';
import { openReadOnly, openWritable, type ConnectionOptions } from './sqlite-connection.js';
import { SqliteInbox } from './sqlite-inbox.js';
import { iterateStored, toLedgerEntry, toLine, type StoredEntry } from './sqlite-reader.js';
import { publicKeyPem, type SigningKey } from './signing-key.js';
import { resolveSigningKey } from './resolve-signing-key.js';

export interface SqliteLedgerOptions extends ConnectionOptions {
  /** The time source for `recorded_at` and checkpoints (default: the system clock). */
  clock?: () => Date;
  /** Consulted for `CHANGEPROOF_SIGNING_KEY_PATH` (default: `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Where the signing key lives; default `CHANGEPROOF_SIGNING_KEY_PATH`, else beside the ledger. */
  signingKeyPath?: string;
  /** A key to use as is (tests, `:memory:`); takes precedence over any path. */
  signingKey?: SigningKey;
  checkpointPolicy?: Partial<CheckpointPolicy>;
}

interface Head {
  seq: number;
  hash: string;
  recorded_at: string | null;
}

type Row = [number, string, string, string | null, string, string];

/**
 * The SQLite ledger (better-sqlite3, WAL). Appends run in `BEGIN IMMEDIATE`
 * transactions that read the head under the write lock, so writers in any
 * number of processes extend one chain; `seq` is the primary key, so even a
 * bug could not record two entries at one position.
 *
 * @example
 * const ledger = SqliteLedger.open('./data/ledger.db', { clock: () => new Date() });
 * await ledger.append({ kind: 'push', repo: 'acme/api', subject: `push/${sha}`, data }, { deliveryId });
 * await ledger.close();
 */
export class SqliteLedger implements Ledger {
  readonly inbox: SqliteInbox;
  private readonly insertEntry: Statement<Row>;
  private readonly insertDelivery: Statement<[string, number]>;
  private readonly selectHead: Statement<[], Head>;
  private readonly selectDelivery: Statement<[string], StoredEntry>;
  private readonly selectHasDelivery: Statement<[string], unknown>;
  private readonly selectLastCheckpoint: Statement<[], { seq: number; body: string }>;
  private readonly selectRecordedAt: Statement<[number], { recorded_at: string }>;
  private readonly appendTx: (inputs: readonly EntryInput[], deliveryId: string | undefined) => AppendResult;
  private readonly checkpointTx: (force: boolean) => LedgerEntry | null;
  private readonly readers = new Set<Database>();
  private importing = false;

  /** Opens (creating and migrating) the ledger at `path`; `:memory:` for a throwaway one. */
  static open(path: string, options: SqliteLedgerOptions = {}): SqliteLedger {
    const db = openWritable(path, options);
    try {
      return new SqliteLedger(db, path, options);
    } catch (error) {
      db.close();
      throw toLedgerError(error, path, 'open');
    }
  }

  private readonly clock: () => Date;
  private readonly policy: CheckpointPolicy;
  private readonly key: SigningKey;

  private constructor(private readonly db: Database, readonly path: string, options: SqliteLedgerOptions) {
    this.clock = options.clock ?? (() => new Date());
    this.policy = { ...DEFAULT_CHECKPOINT_POLICY, ...options.checkpointPolicy };
    this.insertEntry = db.prepare(
      'INSERT INTO entries (seq, recorded_at, kind, repo, hash, body) VALUES (?, ?, ?, ?, ?, ?)');
    this.insertDelivery = db.prepare('INSERT INTO deliveries (delivery_id, seq) VALUES (?, ?)');
    this.selectHead = db.prepare('SELECT seq, hash, recorded_at FROM entries ORDER BY seq DESC LIMIT 1');
    this.selectDelivery = db.prepare(
      'SELECT e.body, e.hash FROM deliveries d JOIN entries e ON e.seq = d.seq WHERE d.delivery_id = ? ORDER BY d.seq');
    this.selectHasDelivery = db.prepare('SELECT 1 FROM deliveries WHERE delivery_id = ? LIMIT 1');
    // Served by the partial index entries_checkpoints: constant time, whatever the ledger's size.
    this.selectLastCheckpoint = db.prepare("SELECT seq, body FROM entries WHERE kind = 'checkpoint' ORDER BY seq DESC LIMIT 1");
    this.selectRecordedAt = db.prepare('SELECT recorded_at FROM entries WHERE seq = ?');
    this.appendTx = wrapImmediate(db, (inputs, deliveryId) => this.appendLocked(inputs, deliveryId));
    this.checkpointTx = wrapImmediate(db, (force) => this.checkpointLocked(force));
    this.inbox = new SqliteInbox(db, path, this.clock);
    this.key = resolveSigningKey(path, options, this.lastCheckpointLocked()?.key_id ?? null);
  }

  async append(input: EntryInput | readonly EntryInput[], options: AppendOptions = {}): Promise<AppendResult> {
    const inputs = validateAppend(input, options);
    return this.guard('append to', () => this.appendTx(inputs, options.deliveryId));
  }

  async hasDelivery(deliveryId: string): Promise<boolean> {
    return this.guard('read', () => this.selectHasDelivery.get(deliveryId) !== undefined);
  }

  async head(): Promise<LedgerHead> {
    return this.guard('read', () => {
      const head = this.readHead();
      return { size: head.seq, hash: head.hash };
    });
  }

  read(query: ReadQuery = {}): AsyncIterable<LedgerEntry> {
    return this.iterate(query, toLedgerEntry);
  }

  readLines(query: ReadQuery = {}): AsyncIterable<string> {
    return this.iterate(query, toLine);
  }

  async latestCheckpoint(): Promise<CheckpointRecord | null> {
    return this.guard('read', () => this.lastCheckpointLocked());
  }

  async checkpoint(): Promise<LedgerEntry | null> {
    return this.guard('sign a checkpoint in', () => this.checkpointTx(true));
  }

  async checkpointIfDue(): Promise<LedgerEntry | null> {
    return this.guard('sign a checkpoint in', () => this.checkpointTx(false));
  }

  publicKeyPem(): string {
    return publicKeyPem(this.key.publicKey);
  }

  /** Hex id of the signing key (SHA-256 of its SPKI DER). */
  get keyId(): string {
    return this.key.keyId;
  }

  /**
   * Fills an EMPTY ledger from an NDJSON export, verifying every entry and
   * signature (with this ledger's key) first; all or nothing.
   */
  async importNdjson(input: ChunkSource): Promise<ImportResult> {
    this.guard('import into', () => undefined);
    this.importing = true;
    try {
      return await importNdjson(this.db, this.path, this.key.publicKey, input);
    } finally {
      this.importing = false;
    }
  }

  async close(): Promise<void> {
    if (!this.db.open) return;
    let failure: unknown;
    try {
      if (!this.importing) this.checkpointTx(true);
    } catch (error) {
      failure = error;
    } finally {
      for (const reader of this.readers) reader.close();
      this.readers.clear();
      this.db.close();
    }
    if (failure) throw toLedgerError(failure, this.path, 'sign the final checkpoint of');
  }

  private appendLocked(inputs: readonly EntryInput[], deliveryId: string | undefined): AppendResult {
    if (deliveryId !== undefined) {
      const earlier = this.selectDelivery.all(deliveryId);
      if (earlier.length > 0) return { entries: earlier.map(toLedgerEntry), duplicate: true };
    }
    const now = this.clock();
    let head = this.readHead();
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
      if (tail.count >= this.policy.everyEntries) {
        const checkpoint = this.insertCheckpoint(head, time);
        head = { seq: checkpoint.seq, hash: checkpoint.hash, recorded_at: time };
        tail = { count: 0, oldestAt: null };
      }
    }
    if (isCheckpointDue(tail, this.policy, now)) this.insertCheckpoint(head, time);
    return { entries, duplicate: false };
  }

  private checkpointLocked(force: boolean): LedgerEntry | null {
    const now = this.clock();
    const head = this.readHead();
    const tail = this.unsignedTail(head);
    if (tail.count === 0 || (!force && !isCheckpointDue(tail, this.policy, now))) return null;
    const time = latest(now.toISOString(), head.recorded_at);
    return this.insertCheckpoint(head, time);
  }

  /** Signs `{size, head_hash, time}` of the entries so far and records it as the next entry. */
  private insertCheckpoint(head: Head, time: string): LedgerEntry {
    const checkpoint = signCheckpoint(this.key, { size: head.seq, head_hash: head.hash, time });
    return this.insert(head, time, 'checkpoint', null, `checkpoint/${head.seq}`, checkpoint);
  }

  private insert(head: Head, time: string, kind: string, repo: string | null, subject: string, data: unknown): LedgerEntry {
    const seq = head.seq + 1;
    const { text: body, value } = canonicalWithValue({ data, kind, prev_hash: head.hash, recorded_at: time, repo, seq, subject });
    const hash = entryHash(head.hash, body);
    this.insertEntry.run(seq, time, kind, repo, hash, body);
    return { seq, recorded_at: time, kind: kind as EntryKind, repo, subject, data: (value as { data: JsonValue }).data, prev_hash: head.hash, hash };
  }

  private readHead(): Head {
    return this.selectHead.get() ?? { seq: 0, hash: GENESIS_HASH, recorded_at: null };
  }

  private unsignedTail(head: Head): UnsignedTail {
    const last = this.selectLastCheckpoint.get();
    const count = head.seq - (last?.seq ?? 0);
    return { count, oldestAt: count === 0 ? null : this.selectRecordedAt.get(head.seq - count + 1)?.recorded_at ?? null };
  }

  private lastCheckpointLocked(): CheckpointRecord | null {
    const row = this.selectLastCheckpoint.get();
    const checkpoint = row ? parseSignedCheckpoint((JSON.parse(row.body) as { data: unknown }).data) : null;
    return row && checkpoint ? { ...checkpoint, seq: row.seq } : null;
  }

  private async *iterate<T>(query: ReadQuery, map: (stored: StoredEntry) => T): AsyncGenerator<T> {
    this.guard('read', () => undefined);
    // A file ledger is read through its own read-only connection: appends can
    // go on while a slow consumer iterates. `:memory:` has only this one.
    const db = this.path === ':memory:' ? this.db : openReadOnly(this.path);
    if (db !== this.db) this.readers.add(db);
    try {
      for (const stored of iterateStored(db, query)) yield map(stored);
    } catch (error) {
      throw toLedgerError(error, this.path, 'read');
    } finally {
      if (db !== this.db) {
        this.readers.delete(db);
        db.close();
      }
    }
  }

  private guard<T>(doing: string, work: () => T): T {
    if (!this.db.open) throw closedError(this.path);
    if (this.importing) throw toLedgerError(new Error('an NDJSON import is in progress'), this.path, doing);
    try {
      return work();
    } catch (error) {
      throw toLedgerError(error, this.path, doing);
    }
  }
}

/** better-sqlite3's transaction wrapper, run as `BEGIN IMMEDIATE`: take the write lock before reading the head. */
function wrapImmediate<A extends unknown[], R>(db: Database, fn: (...args: A) => R): (...args: A) => R {
  const tx = db.transaction(fn);
  return (...args: A) => tx.immediate(...args);
}

/** ISO strings of one format compare as times; recorded_at never goes backwards even if the clock does. */
function latest(now: string, previous: string | null): string {
  return previous !== null && previous > now ? previous : now;
}
