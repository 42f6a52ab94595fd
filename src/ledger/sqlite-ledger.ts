import type { Database } from 'better-sqlite3';
import { DEFAULT_CHECKPOINT_POLICY } from './checkpoint.js';
import { closedError, toLedgerError } from './errors.js';
import { importNdjson, type ImportResult } from './import-ndjson.js';
import type {
  AppendOptions, AppendResult, CheckpointRecord, EntryInput, Ledger, LedgerEntry, LedgerHead, ReadQuery,
} from './ledger.js';
import type { ChunkSource } from './ndjson.js';
import { resolveSigningKey, type SigningKeyOptions } from './resolve-signing-key.js';
import { signExportDigest, type ExportSignedRecord } from './export-signature.js';
import { publicKeyPem, type SigningKey } from './signing-key.js';
import { SqliteChainWriter } from './sqlite-chain-writer.js';
import { openReadOnly, openWritable, type ConnectionOptions } from './sqlite-connection.js';
import { SqliteInbox } from './sqlite-inbox.js';
import { iterateStored, latestCheckpointIn, toLedgerEntry, toLine, type StoredEntry } from './sqlite-reader.js';
import type { CheckpointPolicy } from './checkpoint.js';
import { validateAppend } from './validate-append.js';

export interface SqliteLedgerOptions extends ConnectionOptions, SigningKeyOptions {
  /** The time source for `recorded_at` and checkpoints (default: the system clock). */
  clock?: () => Date;
  checkpointPolicy?: Partial<CheckpointPolicy>;
}

/** Read-only connections a ledger keeps open between reads. */
const MAX_IDLE_READERS = 4;

/**
 * The SQLite {@link Ledger} (better-sqlite3, WAL, `synchronous=FULL` by
 * default): an append resolves only once it is durable. Writes go through
 * {@link SqliteChainWriter}; reads of a file ledger use their own read-only
 * connection (kept open for the next read), so a slow reader never blocks the app.
 *
 * @example
 * const ledger = SqliteLedger.open(defaultLedgerPath(process.env));
 * await ledger.append({ kind: 'push', repo: 'acme/api', subject: `push/${sha}`, data }, { deliveryId });
 * await ledger.close();
 */
export class SqliteLedger implements Ledger {
  readonly inbox: SqliteInbox;
  private readonly writer: SqliteChainWriter;
  private readonly key: SigningKey;
  private readonly readers = new Set<Database>();
  /** Read-only connections kept open between reads (opening one costs more than a typical read). */
  private readonly idleReaders: Database[] = [];
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

  private constructor(private readonly db: Database, readonly path: string, options: SqliteLedgerOptions) {
    const clock = options.clock ?? (() => new Date());
    this.key = resolveSigningKey(path, options, latestCheckpointIn(db)?.key_id ?? null);
    this.writer = new SqliteChainWriter(db, { clock, key: this.key, where: path, policy: { ...DEFAULT_CHECKPOINT_POLICY, ...options.checkpointPolicy } });
    this.inbox = new SqliteInbox(db, path, clock);
  }

  async append(input: EntryInput | readonly EntryInput[], options: AppendOptions = {}): Promise<AppendResult> {
    const inputs = validateAppend(input, options);
    return this.guard('append to', () => this.writer.append(inputs, options.deliveryId));
  }

  async hasDelivery(deliveryId: string): Promise<boolean> {
    return this.guard('read', () => this.writer.hasDelivery(deliveryId));
  }

  async head(): Promise<LedgerHead> {
    return this.guard('read', () => this.writer.head());
  }

  read(query: ReadQuery = {}): AsyncIterable<LedgerEntry> {
    return this.iterate(query, toLedgerEntry);
  }

  readLines(query: ReadQuery = {}): AsyncIterable<string> {
    return this.iterate(query, toLine);
  }

  async latestCheckpoint(): Promise<CheckpointRecord | null> {
    return this.guard('read', () => this.writer.latestCheckpoint());
  }

  async checkpoint(): Promise<LedgerEntry | null> {
    return this.guard('sign a checkpoint in', () => this.writer.checkpoint(true));
  }

  async checkpointIfDue(): Promise<LedgerEntry | null> {
    return this.guard('sign a checkpoint in', () => this.writer.checkpoint(false));
  }

  publicKeyPem(): string {
    return publicKeyPem(this.key.publicKey);
  }

  async signExport(manifestSha256: string, requestedBy: string, details: Record<string, unknown> = {}): Promise<{ signature: string; keyId: string; entry: LedgerEntry }> {
    const signature = signExportDigest(this.key, manifestSha256);
    const data: ExportSignedRecord = { ...details, manifestSha256, keyId: this.key.keyId, signature, requestedBy };
    const { entries } = await this.append({ kind: 'export', repo: null, subject: `export/${manifestSha256}`, data });
    return { signature, keyId: this.key.keyId, entry: entries[0]! };
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
      if (!this.importing) this.writer.checkpoint(true);
    } catch (error) {
      failure = error;
    } finally {
      for (const reader of [...this.readers, ...this.idleReaders]) reader.close();
      this.readers.clear();
      this.idleReaders.length = 0;
      this.db.close();
    }
    if (failure) throw toLedgerError(failure, this.path, 'sign the final checkpoint of');
  }

  private async *iterate<T>(query: ReadQuery, map: (stored: StoredEntry) => T): AsyncGenerator<T> {
    this.guard('read', () => undefined);
    // A file ledger is read through its own read-only connection, so appends
    // go on while a slow consumer iterates. `:memory:` has only this one
    // connection: do not append while iterating an in-memory ledger.
    const db = this.path === ':memory:' ? this.db : (this.idleReaders.pop() ?? openReadOnly(this.path));
    if (db !== this.db) this.readers.add(db);
    try {
      for (const stored of iterateStored(db, query)) yield map(stored);
    } catch (error) {
      throw toLedgerError(error, this.path, 'read');
    } finally {
      if (db !== this.db) {
        this.readers.delete(db);
        // Kept for the next read only when it ended cleanly, outside a transaction.
        if (this.db.open && db.open && !db.inTransaction && this.idleReaders.length < MAX_IDLE_READERS) this.idleReaders.push(db);
        else db.close();
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
