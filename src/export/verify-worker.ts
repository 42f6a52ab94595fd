// Worker thread of sqlite-source.ts: verifies and indexes a SQLite ledger
// while the export's main thread reads the rows it needs.
import { parentPort, workerData } from 'node:worker_threads';
import { verifyAndIndexSqlite } from './verify-index.js';

const { path, publicKeyPem, toSeq } = workerData as { path: string; publicKeyPem: string; toSeq: number };
try {
  parentPort!.postMessage({ ok: true, result: verifyAndIndexSqlite(path, publicKeyPem, toSeq) });
} catch (error) {
  parentPort!.postMessage({ ok: false, message: (error as Error).message, code: (error as { code?: string }).code ?? null });
}
