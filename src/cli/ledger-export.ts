import { createWriteStream, renameSync, rmSync } from 'node:fs';
import { finished } from 'node:stream/promises';
import { exportLedgerFile } from '../ledger/ledger-file.js';
import type { Command } from './command.js';
import { UsageError } from './command.js';
import { count, ledgerPathFrom, parseOptions, positiveInteger, progressLine, sqliteEntryCount } from './ledger-cli.js';

const HELP = `Usage: changeproof ledger-export [--ledger PATH|URL] [--out FILE.ndjson] [--from-seq N] [--json]

Writes the ledger as NDJSON (one entry per line, exactly as hashed), the
interchange format \`changeproof verify\` and auditors read. Read-only: safe
while the app is running.

Options:
  --ledger PATH|URL the SQLite ledger or a postgres:// URL (default: $LEDGER_PATH,
                    else ./data/ledger.db)
  --out FILE        write here (atomically: FILE appears only when complete);
                    default: standard output
  --from-seq N      start at seq N (a segment; verify it with --partial)
  --json            with --out: print {entries, lastSeq, lastHash, out} as JSON
  -h, --help        show this help`;

/** `changeproof ledger-export`: the ledger as NDJSON. */
export const ledgerExportCommand: Command = {
  name: 'ledger-export',
  summary: 'Export the ledger as NDJSON (the interchange format)',
  help: HELP,
  async run(argv, io) {
    const values = parseOptions(argv, { ledger: { type: 'string' }, out: { type: 'string' }, 'from-seq': { type: 'string' }, json: { type: 'boolean' } });
    if (values.json && values.out === undefined) throw new UsageError('--json needs --out (standard output carries the NDJSON)');
    const path = ledgerPathFrom(values.ledger, io);
    const fromSeq = positiveInteger(values['from-seq'], '--from-seq');
    const progress = progressLine(io, 'exported', 'changeproof ledger-export');
    const total = /^postgres(?:ql)?:\/\//.test(path) ? null : await sqliteEntryCount(path);
    const partial = values.out === undefined ? null : `${values.out}.partial`;
    const out = partial === null ? io.stdout : createWriteStream(partial);
    try {
      const result = await exportLedgerFile(path, out, { fromSeq, onProgress: (count) => count % 8192 === 0 && progress.update(count, total) });
      if (partial !== null && values.out !== undefined) {
        out.end();
        await finished(out);
        renameSync(partial, values.out);
      }
      progress.done();
      if (values.json) {
        io.stdout.write(`${JSON.stringify({ entries: result.entries, lastSeq: result.head.size, lastHash: result.head.hash, out: values.out })}\n`);
      } else if (values.out !== undefined) {
        io.stderr.write(`Exported ${count(result.entries, 'entry', 'entries')} to ${values.out} (last seq ${result.head.size}).\n`);
      }
      return 0;
    } catch (error) {
      progress.done();
      if (partial !== null) {
        out.end();
        rmSync(partial, { force: true });
      }
      throw error;
    }
  },
};
