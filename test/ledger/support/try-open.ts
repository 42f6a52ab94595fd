// Tries to open each ledger path given and append one entry; prints one JSON
// line per path: {"ok":true} or {"code":"LEDGER_…","message":"…"}. Run as
// another user by the error tests, because root ignores file permissions.
import { LedgerError } from '../../../src/ledger/errors.js';
import { SqliteLedger } from '../../../src/ledger/sqlite-ledger.js';

for (const path of process.argv.slice(2)) {
  try {
    const ledger = SqliteLedger.open(path);
    await ledger.append({ kind: 'push', repo: 'acme/api', subject: 'push/abc', data: {} });
    await ledger.close();
    console.log(JSON.stringify({ ok: true }));
  } catch (error) {
    const e = error as LedgerError;
    console.log(JSON.stringify({ code: e instanceof LedgerError ? e.code : 'UNEXPECTED', message: e.message }));
  }
}
