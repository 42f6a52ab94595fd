// Worker thread of sqlite-source.ts: verifies and indexes a SQLite ledger
// while the export's main thread reads the rows it needs, then answers one
// lookup into the index and ends (the index never crosses threads whole).
import { parentPort, workerData } from 'node:worker_threads';
import { verifyAndIndexSqlite } from './verify-index.js';

const { path, publicKeyPem, toSeq } = workerData as { path: string; publicKeyPem: string; toSeq: number };
const port = parentPort!;
try {
  const { report, subjects } = verifyAndIndexSqlite(path, publicKeyPem, toSeq);
  port.once('message', (keys: string[]) => {
    port.postMessage(keys.map((k) => subjects.get(k) ?? []));
    port.close();
  });
  port.postMessage({ ok: true, report });
} catch (error) {
  port.postMessage({ ok: false, message: (error as Error).message, code: (error as { code?: string }).code ?? null });
  port.close();
}
