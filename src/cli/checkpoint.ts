import { writeFileSync } from 'node:fs';
import { LedgerError } from '../ledger/errors.js';
import { latestCheckpointAt, latestCheckpointInFile } from '../ledger/ledger-file.js';
import { isDatabaseUrl } from '../ledger/ledger-location.js';
import type { Command } from './command.js';
import { UsageError } from './command.js';
import { ledgerPathFrom, parseOptions } from './ledger-cli.js';
import { plural } from '../core/format.js';

const HELP = `Usage: changeproof checkpoint [--ledger PATH|URL] [--out FILE.json] [--json]

Prints the ledger's latest signed checkpoint as JSON ({format, size,
head_hash, time, key_id, signature, seq}). Keep it somewhere the ledger's
writer cannot change it; later, \`changeproof verify --checkpoint FILE\`
proves the ledger still contains exactly that history (a cut tail or a
rewrite is detected).

Options:
  --ledger PATH|URL the SQLite ledger or a postgres:// URL (default: $LEDGER_PATH,
                    else ./data/ledger.db)
  --out FILE        write it to FILE instead of standard output
  --json            with --out: print {out, seq, size, head_hash} as JSON (without
                    --out the checkpoint itself is printed, as JSON)
  -h, --help        show this help`;

/** `changeproof checkpoint`: an anchor to keep outside the ledger. */
export const checkpointCommand: Command = {
  name: 'checkpoint',
  summary: "Print the ledger's latest signed checkpoint (an anchor for verify --checkpoint)",
  help: HELP,
  async run(argv, io) {
    const values = parseOptions(argv, { ledger: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' } });
    const path = ledgerPathFrom(values.ledger, io);
    let checkpoint;
    try {
      checkpoint = isDatabaseUrl(path) ? await latestCheckpointAt(path) : latestCheckpointInFile(path);
    } catch (error) {
      if (error instanceof LedgerError) throw new UsageError(error.message);
      throw error;
    }
    if (!checkpoint) throw new UsageError(`${path} has no checkpoint yet (the app signs one at least every 1,000 entries or 10 minutes, and on shutdown)`);
    const text = `${JSON.stringify(checkpoint, null, 2)}\n`;
    if (values.out === undefined) io.stdout.write(text);
    else {
      writeFileSync(values.out, text);
      if (values.json) io.stdout.write(`${JSON.stringify({ out: values.out, seq: checkpoint.seq, size: checkpoint.size, head_hash: checkpoint.head_hash }, null, 2)}\n`);
      else io.stdout.write(`Checkpoint of ${plural(checkpoint.size, 'entry', 'entries')} (seq ${checkpoint.seq}) written to ${values.out}\n`);
    }
    return 0;
  },
};
