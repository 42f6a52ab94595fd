import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { toLedgerError } from '../ledger/errors.js';
import type { EntryKind } from '../ledger/ledger.js';
import { publicKeyPathFor, defaultSigningKeyPath } from '../ledger/signing-key.js';
import { openReadOnly } from '../ledger/sqlite-connection.js';
import { iterateStored, type StoredEntry } from '../ledger/sqlite-reader.js';
import type { LedgerSource } from './ledger-source.js';
import type { VerifyReport } from '../ledger/chain-verifier.js';
import { localLookup } from './subject-index.js';
import { verifyAndIndexSqlite, type VerifiedLedger } from './verify-index.js';

/**
 * A SQLite ledger file, read-only and safe while the app appends to it:
 * every read is bounded to the head seen when the export began. The public
 * key is the one published beside the signing key (`CHANGEPROOF_SIGNING_KEY_PATH`,
 * else beside the ledger). CLI only: the Action must not bundle better-sqlite3.
 *
 * Its `parallel` reader lets the export verify the whole chain in a worker
 * thread while it reads only the kinds it needs, and fetch entries by seq.
 *
 * With `toSeq`, the ledger reads as it was at that size (the app re-deriving
 * an export made then); with `publicKeyPem`, that is the key it publishes.
 *
 * @example const source = sqliteSource('./data/ledger.db', process.env);
 */
export function sqliteSource(path: string, env: NodeJS.ProcessEnv = process.env, options: { toSeq?: number; publicKeyPem?: string } = {}): LedgerSource {
  const db = openReadOnly(path);
  const bound = (toSeq?: number) => (options.toSeq === undefined ? toSeq : Math.min(toSeq ?? options.toSeq, options.toSeq));
  const guard = function* (rows: () => Iterable<StoredEntry>): Generator<StoredEntry> {
    try {
      yield* rows();
    } catch (error) {
      throw toLedgerError(error, path, 'read');
    }
  };
  return {
    description: path,
    stored: (toSeq?: number) => guard(() => iterateStored(db, bound(toSeq) === undefined ? {} : { toSeq: bound(toSeq) })),
    async publicKeyPem() {
      if (options.publicKeyPem) return options.publicKeyPem;
      const keyPath = publicKeyPathFor(env['CHANGEPROOF_SIGNING_KEY_PATH'] || defaultSigningKeyPath(path));
      return existsSync(keyPath) ? readFileSync(keyPath, 'utf8') : null;
    },
    parallel: {
      headSeq: () => bound(db.prepare<[], { seq: number | null }>('SELECT max(seq) AS seq FROM entries').get()?.seq ?? 0)!,
      verifyAndIndex: (publicKeyPem, toSeq) => verifyInWorker(path, publicKeyPem, bound(toSeq)!),
      select: (kinds: readonly EntryKind[], toSeq: number) => guard(() => iterateStored(db, { kinds, toSeq: bound(toSeq)! })),
      // Through the (repo, seq) index: one step per repository.
      firstOfEachRepo: (toSeq: number) => guard(() => db.prepare<[number], StoredEntry>(
        'SELECT e.body, e.hash FROM entries e JOIN (SELECT repo, min(seq) AS seq FROM entries WHERE repo IS NOT NULL AND seq <= ? GROUP BY repo) f ON e.seq = f.seq ORDER BY e.seq',
      ).iterate(bound(toSeq)!)),
      *bySeq(seqs: readonly number[]) {
        const one = db.prepare<[number], StoredEntry>('SELECT body, hash FROM entries WHERE seq = ?');
        for (const seq of seqs) {
          if (options.toSeq !== undefined && seq > options.toSeq) continue;
          const row = one.get(seq);
          if (row) yield row;
        }
      },
    },
    async close() {
      db.close();
    },
  };
}

/**
 * In a worker thread when the compiled worker exists (lib/), else in line
 * (tests running the sources). The worker keeps the index and answers one
 * lookup; `lookup([])` ends it when nothing is wanted.
 */
function verifyInWorker(path: string, publicKeyPem: string, toSeq: number): Promise<VerifiedLedger> {
  const script = new URL('./verify-worker.js', import.meta.url);
  if (!existsSync(fileURLToPath(script))) {
    return new Promise((resolve, reject) => setImmediate(() => {
      try {
        const { report, subjects } = verifyAndIndexSqlite(path, publicKeyPem, toSeq);
        resolve({ report, lookup: localLookup(subjects), release: async () => undefined });
      } catch (error) {
        reject(toLedgerError(error, path, 'verify'));
      }
    }));
  }
  return new Promise((resolve, reject) => {
    // No execArgv: the parent's flags (e.g. `--input-type` of `node -e`) are not the worker's.
    const worker = new Worker(script, { workerData: { path, publicKeyPem, toSeq }, execArgv: [] });
    const failed = (error: Error) => reject(toLedgerError(error, path, 'verify'));
    worker.once('error', failed);
    worker.once('message', (m: { ok: true; report: VerifyReport } | { ok: false; message: string; code: string | null }) => {
      if (!m.ok) {
        failed(Object.assign(new Error(m.message), { code: m.code }));
        void worker.terminate();
        return;
      }
      let asked = false;
      const release = async () => {
        asked = true;
        await worker.terminate();
      };
      const lookup = (keys: readonly string[]) => new Promise<Map<string, number[]>>((answer, refuse) => {
        if (asked) return answer(new Map());
        asked = true;
        worker.off('error', failed);
        worker.once('error', refuse);
        worker.once('message', (seqs: number[][]) => {
          answer(new Map(keys.map((k, i) => [k, seqs[i] ?? []])));
          void worker.terminate();
        });
        worker.postMessage(keys);
      });
      resolve({ report: m.report, lookup, release });
    });
  });
}
