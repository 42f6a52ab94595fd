import { createHash } from 'node:crypto';
import type { Client, QueryResult, QueryResultRow } from 'pg';
import type { WorkClaim, WorkClaims } from '../inbox.js';
import { loadPg, toPgLedgerError } from './pg-pool.js';

/**
 * Work sharing between replicas through PostgreSQL session-level advisory
 * locks, held on one connection of this replica's own. A replica claims a
 * serial key (one repository's deliveries) before it processes a delivery
 * and releases it after the delivery is completed in the inbox, so:
 * - one key's deliveries run one at a time across all replicas;
 * - a delivery is processed by exactly one replica: the next claimant of the
 *   key re-reads the delivery and finds it completed;
 * - a replica that dies releases everything at once: its connection closes
 *   with the process (SIGKILL included), and PostgreSQL drops the session's
 *   locks as soon as it sees the socket close.
 * A replica that hangs without dying keeps its claims until the connection
 * is cut; docs/deploying.md sets TCP keepalives for that case. A claim can
 * thus end under a replica still at work (its session cut by the network or
 * the server): the worker asks `held()` before it records or shows anything,
 * and leaves the work to whichever replica holds the claim now.
 *
 * @example
 * const claims = await PgWorkClaims.connect(url);
 * const claim = await claims.tryClaim('acme/api');
 * if (claim) try { … } finally { await claim.release(); }
 */
export class PgWorkClaims implements WorkClaims {
  /** Other replicas' deliveries (accepted there, or left by a replica that died) are looked for this often. */
  readonly rescanMs: number;
  private client: Client | null = null;
  private connecting: Promise<Client> | null = null;
  private closed = false;
  private last: Promise<unknown> = Promise.resolve();

  private constructor(private readonly url: string, rescanMs: number) {
    this.rescanMs = rescanMs;
  }

  static async connect(url: string, options: { rescanMs?: number } = {}): Promise<PgWorkClaims> {
    const claims = new PgWorkClaims(url, options.rescanMs ?? 1000);
    await claims.session();
    return claims;
  }

  async tryClaim(key: string): Promise<WorkClaim | null> {
    const client = await this.session();
    const lockKey = lockKeyOf(key);
    const { rows } = await this.query<{ ok: boolean }>(client, 'SELECT pg_try_advisory_lock($1::bigint) AS ok', [lockKey]);
    if (!rows[0]?.ok) return null;
    let released = false;
    return {
      held: async () => {
        if (released || client !== this.client) return false;
        try {
          let timer: NodeJS.Timeout | undefined;
          const timeout = new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`no answer within ${HELD_TIMEOUT_MS} ms`)), HELD_TIMEOUT_MS);
          });
          const { rows } = await Promise.race([this.query<{ held: boolean }>(client, HELD_SQL, [lockKey]), timeout]).finally(() => clearTimeout(timer));
          return rows[0]?.held === true && client === this.client;
        } catch {
          // A session that cannot answer may still hold locks no one can see it use: end it, so they end too.
          await this.endSession(client);
          return false;
        }
      },
      release: async () => {
        // A claim of a session that has ended was released with it.
        if (released || client !== this.client) return;
        released = true;
        await this.query(client, 'SELECT pg_advisory_unlock($1::bigint)', [lockKey]);
      },
    };
  }

  /**
   * One query at a time on the claims' session: claims of different
   * repositories are taken, checked and released concurrently, and a `pg`
   * client must not be handed a query while it runs another (deprecated in
   * pg 8, removed in pg 9).
   */
  private query<R extends QueryResultRow>(client: Client, text: string, values: unknown[]): Promise<QueryResult<R>> {
    const run = this.last.then(() => client.query<R>(text, values));
    this.last = run.catch(() => undefined);
    return run;
  }

  private async endSession(client: Client): Promise<void> {
    if (this.client === client) this.client = null;
    await client.end().catch(() => undefined);
  }

  async close(): Promise<void> {
    this.closed = true;
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  /**
   * The claims' session, reconnected when it broke (a database restart, a
   * cut connection): every claim it held ended with it, as PostgreSQL
   * released its locks, so a new session starts with none.
   */
  private async session(): Promise<Client> {
    if (this.client) return this.client;
    if (this.closed) throw toPgLedgerError(new Error('the work claims are closed'), this.url, 'claim work in');
    this.connecting ??= (async () => {
      const pg = await loadPg();
      const client = new pg.Client({ connectionString: this.url, application_name: 'changeproof-claims', keepAlive: true });
      client.on('error', () => {
        if (this.client === client) this.client = null;
      });
      client.on('end', () => {
        if (this.client === client) this.client = null;
      });
      try {
        await client.connect();
      } catch (error) {
        throw toPgLedgerError(error, this.url, 'connect to');
      }
      this.client = client;
      return client;
    })().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }
}

/** How long the claims' session has to confirm a claim before it is taken for lost (and the session ended). */
const HELD_TIMEOUT_MS = 5000;

/** Whether this session holds the advisory lock on a bigint key: PostgreSQL lists it as two 32-bit halves. */
const HELD_SQL = `SELECT EXISTS (
  SELECT 1 FROM pg_locks
  WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted AND objsubid = 1
    AND classid = ((($1::bigint) >> 32) & 4294967295)::oid AND objid = (($1::bigint) & 4294967295)::oid
) AS held`;

/** A serial key as a signed 64-bit lock key: the first 8 bytes of its SHA-256. */
export function lockKeyOf(key: string): string {
  return createHash('sha256').update(key).digest().readBigInt64BE(0).toString();
}
