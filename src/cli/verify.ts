import { readFileSync } from 'node:fs';
import type { VerifyReport } from '../ledger/chain-verifier.js';
import { parseSignedCheckpoint, type SignedCheckpoint } from '../ledger/checkpoint.js';
import { LedgerError } from '../ledger/errors.js';
import { detectLedgerFormat, verifyLedger } from '../ledger/verify.js';
import type { CliIo, Command } from './command.js';
import { UsageError } from './command.js';
import { count, ledgerPathFrom, parseOptions, progressLine, resolvePublicKey, type ResolvedPublicKey } from './ledger-cli.js';

const HELP = `Usage: changeproof verify [--ledger PATH|FILE.ndjson|-] [--public-key PEM] [options]

Checks a ledger's hash chain and every signed checkpoint, with nothing but
the entries and the public key. Reports the FIRST bad sequence number and why.

Options:
  --ledger PATH             SQLite ledger or NDJSON export; "-" reads NDJSON from stdin
                            (default: $LEDGER_PATH, else ./data/ledger.db)
  --public-key FILE         the ledger's public key (PEM). Default for a SQLite ledger:
                            the key beside it, which proves less than a key obtained
                            independently (whoever can rewrite the file can replace it)
  --checkpoint FILE         a signed checkpoint kept elsewhere (\`changeproof checkpoint\`):
                            the ledger must contain it; this is what detects a cut tail
  --require-final-checkpoint
                            fail if entries follow the last checkpoint (a ledger
                            closed cleanly ends with one)
  --canonical               re-serialise every entry with RFC 8785 (slower; what the
                            independent recipe in docs/ledger.md does)
  --partial                 accept a segment that does not start at seq 1
  --json                    print the report as JSON
  -h, --help                show this help

Exit status: 0 intact; 1 not intact (or unreadable); 2 bad usage.`;

/** `changeproof verify`: SPEC §1.2. */
export const verifyCommand: Command = {
  name: 'verify',
  summary: 'Verify a ledger (SQLite or NDJSON): hash chain and signed checkpoints',
  help: HELP,
  async run(argv, io) {
    const values = parseOptions(argv, {
      ledger: { type: 'string' }, 'public-key': { type: 'string' }, checkpoint: { type: 'string' },
      'require-final-checkpoint': { type: 'boolean' }, canonical: { type: 'boolean' }, partial: { type: 'boolean' },
      json: { type: 'boolean' },
    });
    const stdin = values.ledger === '-';
    const path = stdin ? '-' : ledgerPathFrom(values.ledger, io);
    let format: 'sqlite' | 'ndjson';
    try {
      format = stdin ? 'ndjson' : await detectLedgerFormat(path);
    } catch (error) {
      throw new UsageError(error instanceof LedgerError ? error.message : String(error));
    }
    const key = resolvePublicKey(values['public-key'], path, format === 'sqlite');
    const anchor = values.checkpoint === undefined ? undefined : readCheckpoint(values.checkpoint);
    const progress = progressLine(io, 'verified');
    let report: VerifyReport;
    try {
      report = await verifyLedger(stdin ? process.stdin : path, {
        publicKey: key.key, anchor, canonical: values.canonical, partial: values.partial,
        requireFinalCheckpoint: values['require-final-checkpoint'], onProgress: progress.update,
      });
    } catch (error) {
      if (!(error instanceof LedgerError)) throw error;
      return fail(io, values.json, path, key, error.message);
    } finally {
      progress.done();
    }
    if (values.json) {
      io.stdout.write(`${JSON.stringify({ ledger: path, format, publicKey: describeKey(key), ...report }, null, 2)}\n`);
    } else {
      io.stdout.write(`${renderReport(report, key)}\n`);
    }
    return report.ok ? 0 : 1;
  },
};

function readCheckpoint(path: string): SignedCheckpoint {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`cannot read the checkpoint ${path}: ${(error as Error).message}`);
  }
  const checkpoint = parseSignedCheckpoint(value);
  if (!checkpoint) throw new UsageError(`${path} is not a signed changeproof checkpoint (from \`changeproof checkpoint\`)`);
  return checkpoint;
}

function fail(io: CliIo, json: boolean | undefined, path: string, key: ResolvedPublicKey, message: string): number {
  if (json) io.stdout.write(`${JSON.stringify({ ledger: path, publicKey: describeKey(key), ok: false, error: message }, null, 2)}\n`);
  else io.stderr.write(`changeproof verify: ${message}\n`);
  return 1;
}

function describeKey(key: ResolvedPublicKey): { path: string; keyId: string; source: string } {
  return { path: key.path, keyId: key.keyId, source: key.source };
}

const n = (value: number): string => value.toLocaleString('en-US');

function renderReport(r: VerifyReport, key: ResolvedPublicKey): string {
  const lines: string[] = [];
  if (r.failure) {
    const f = r.failure;
    const range = f.range ? ` (the change lies in seq ${f.range[0]}–${f.range[1]})` : '';
    lines.push(`Ledger NOT intact: first bad seq ${f.seq}: ${f.reason}: ${f.message}${range}.`);
    lines.push(`Checked before it: ${count(r.entries, 'entry', 'entries')}, ${count(r.checkpoints, 'checkpoint', 'checkpoints')}.`);
  } else {
    const span = r.entries === 0 ? '' : ` (seq ${n(r.firstSeq ?? 1)}–${n(r.lastSeq)})`;
    lines.push(`Ledger intact: ${count(r.entries, 'entry', 'entries')} checked${span}, ${count(r.checkpoints, 'checkpoint', 'checkpoints')} verified.`);
    lines.push(`Head: seq ${r.lastSeq}, hash ${r.headHash}`);
    if (r.lastCheckpoint) {
      lines.push(`Last checkpoint: seq ${r.lastCheckpoint.seq}, covering seq 1–${r.lastCheckpoint.size}, signed ${r.lastCheckpoint.time}.`);
    }
    if (r.anchorMatched) lines.push('The supplied checkpoint matches the ledger.');
  }
  lines.push(`Public key: ${key.path} (id ${key.keyId.slice(0, 16)}…), ${key.source === 'given' ? 'given with --public-key' : 'found beside the ledger'}.`);
  if (key.source === 'beside') {
    lines.push('Note: a key stored beside the data proves less than one obtained independently; compare its id with the published key, or pass --public-key.');
  }
  for (const warning of r.warnings) lines.push(`Warning: ${warning}.`);
  return lines.join('\n');
}
