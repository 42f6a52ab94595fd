import type { Pool } from 'pg';
import { DEFAULT_CHECKPOINT_POLICY, type CheckpointPolicy } from '../checkpoint.js';
import { LedgerError } from '../errors.js';
import { signExportDigest, type ExportSignedRecord } from '../export-signature.js';
import type { AppendOptions, AppendResult, CheckpointRecord, EntryInput, Ledger, LedgerEntry, LedgerHead, ReadQuery } from '../ledger.js';
import { defaultLedgerPath } from '../ledger-path.js';
import { printableLocation } from '../ledger-location.js';
import { resolveSigningKey, type SigningKeyOptions } from '../resolve-signing-key.js';
import { publicKeyPem, type SigningKey } from '../signing-key.js';
import { toLedgerEntry, toLine, type StoredEntry } from '../sqlite-reader.js';
import { validateAppend } from '../validate-append.js';
import { PgChainWriter, checkpointFromRow } from './pg-chain-writer.js';
import { PgInbox } from './pg-inbox.js';
import { migratePostgres } from './pg-migrate.js';
import { createPool, toPgLedgerError } from './pg-pool.js';
import { iterateStoredPg } from './pg-reader.js';
import { PgWorkClaims } from './pg-work-claims.js';

export interface PostgresLedgerOptions extends SigningKeyOptions {
  /** The time source for `recorded_at`, checkpoints and the inbox (default: the system clock). */
  clock?: () => Date;
  checkpointPolicy?: Partial<CheckpointPolicy>;
  /** Connections in this process's pool (default 10). */
  poolSize?: number;
  /**
   * Share the inbox's work with other replicas (the app): opens one more
   * connection, which holds this replica's work claims. Off for the CLI and tools.
   */
  shareWork?: boolean;
  /** With `shareWork`: how often to look for other replicas' work (ms, default 1000). */
  rescanMs?: number;
}

/**
 * The PostgreSQL {@link Ledger}: one database shared by several app
 * replicas. Appends are serialised by an advisory lock (pg-chain-writer.ts),
 * the inbox is shared and its work claimed per repository
 * (pg-work-claims.ts). Every replica signs checkpoints with the same key
 * (`CHANGEPROOF_SIGNING_KEY_PATH`, else `./data/ledger-signing-key.pem`),
 * whichever holds the lock when one is due.
 *
 * @example
 * const ledger = await PostgresLedger.open(process.env.DATABASE_URL!, { env: process.env, shareWork: true });
 * await ledger.append({ kind: 'push', repo: 'acme/api', subject: `push/${sha}`, data }, { deliveryId });
 * await ledger.close();
 */
export class PostgresLedger implements Ledger {
  readonly inbox: PgInbox;
  readonly path: string;
  private readonly writer: PgChainWriter;
  private closed = false;

  private constructor(private readonly pool: Pool, readonly url: string, private readonly key: SigningKey, options: PostgresLedgerOptions, private readonly claims: PgWorkClaims | null) {
    const clock = options.clock ?? (() => new Date());
    this.path = printableLocation(url);
    this.writer = new PgChainWriter(pool, { clock, key, policy: { ...DEFAULT_CHECKPOINT_POLICY, ...options.checkpointPolicy } });
    this.inbox = new PgInbox(pool, url, clock, claims ?? undefined);
  }

  /** Connects, migrates the schema when needed, and resolves the signing key. */
  static async open(url: string, options: PostgresLedgerOptions = {}): Promise<PostgresLedger> {
    const pool = await createPool(url, { max: options.poolSize ?? 10 });
    let claims: PgWorkClaims | null = null;
    try {
      await migratePostgres(pool, url);
      const { rows } = await pool.query<{ seq: string; body: string }>("SELECT seq, body FROM entries WHERE kind = 'checkpoint' ORDER BY seq DESC LIMIT 1");
      const keyHome = defaultLedgerPath(options.env ?? process.env);
      const key = resolveSigningKey(keyHome, options, checkpointFromRow(rows[0])?.key_id ?? null);
      if (options.shareWork) claims = await PgWorkClaims.connect(url, { rescanMs: options.rescanMs });
      return new PostgresLedger(pool, url, key, options, claims);
    } catch (error) {
      await claims?.close();
      await pool.end().catch(() => undefined);
      throw toPgLedgerError(error, url, 'open');
    }
  }

  async append(input: EntryInput | readonly EntryInput[], options: AppendOptions = {}): Promise<AppendResult> {
    const inputs = validateAppend(input, options);
    return this.guard('append to', () => this.writer.append(inputs, options.deliveryId));
  }

  hasDelivery(deliveryId: string): Promise<boolean> {
    return this.guard('read', () => this.writer.hasDelivery(deliveryId));
  }

  head(): Promise<LedgerHead> {
    return this.guard('read', () => this.writer.head());
  }

  read(query: ReadQuery = {}): AsyncIterable<LedgerEntry> {
    return this.iterate(query, toLedgerEntry);
  }

  readLines(query: ReadQuery = {}): AsyncIterable<string> {
    return this.iterate(query, toLine);
  }

  latestCheckpoint(): Promise<CheckpointRecord | null> {
    return this.guard('read', () => this.writer.latestCheckpoint());
  }

  checkpoint(): Promise<LedgerEntry | null> {
    return this.guard('sign a checkpoint in', () => this.writer.checkpoint(true));
  }

  checkpointIfDue(): Promise<LedgerEntry | null> {
    return this.guard('sign a checkpoint in', () => this.writer.checkpoint(false));
  }

  publicKeyPem(): string {
    return publicKeyPem(this.key.publicKey);
  }

  /** Hex id of the signing key (SHA-256 of its SPKI DER). */
  get keyId(): string {
    return this.key.keyId;
  }

  async signExport(manifestSha256: string, requestedBy: string, details: Record<string, unknown> = {}): Promise<{ signature: string; keyId: string; entry: LedgerEntry }> {
    const signature = signExportDigest(this.key, manifestSha256);
    const data: ExportSignedRecord = { ...details, manifestSha256, keyId: this.key.keyId, signature, requestedBy };
    const { entries } = await this.append({ kind: 'export', repo: null, subject: `export/${manifestSha256}`, data });
    return { signature, keyId: this.key.keyId, entry: entries[0]! };
  }

  /** Signs a final checkpoint (if anything is unsigned) and closes the connections. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    let failure: unknown;
    try {
      await this.writer.checkpoint(true);
    } catch (error) {
      failure = error;
    } finally {
      await this.claims?.close();
      await this.pool.end().catch(() => undefined);
    }
    if (failure) throw toPgLedgerError(failure, this.url, 'sign the final checkpoint of');
  }

  private async *iterate<T>(query: ReadQuery, map: (stored: StoredEntry) => T): AsyncGenerator<T> {
    if (this.closed) throw closed(this.path);
    try {
      for await (const stored of iterateStoredPg(this.pool, query)) yield map(stored);
    } catch (error) {
      throw toPgLedgerError(error, this.url, 'read');
    }
  }

  private async guard<T>(doing: string, work: () => Promise<T>): Promise<T> {
    if (this.closed) throw closed(this.path);
    try {
      return await work();
    } catch (error) {
      throw toPgLedgerError(error, this.url, doing);
    }
  }
}

function closed(where: string): LedgerError {
  return new LedgerError('LEDGER_CLOSED', `The ledger at ${where} is closed.`, 'Open it again with PostgresLedger.open().');
}
