import { readFileSync } from 'node:fs';
import type { VerifyReport } from '../ledger/chain-verifier.js';
import { parseSignedCheckpoint, type SignedCheckpoint } from '../ledger/checkpoint.js';
import { LedgerError } from '../ledger/errors.js';
import { detectLedgerFormat, verifyLedger } from '../ledger/verify.js';
import { printableLocation } from '../ledger/ledger-location.js';
import type { CliIo, Command } from './command.js';
import { UsageError } from './command.js';
import { count, ledgerPathFrom, parseOptions, progressLine, resolveTrustedKey, sqliteEntryCount, type TrustedKey } from './ledger-cli.js';

const HELP = `Usage: changeproof verify [--ledger PATH|FILE.ndjson|-] (--public-key FILE | --key-id HEX) [options]

Checks a ledger, entry by entry: every entry's text is exactly its canonical
JSON, hashes to its stored hash and links to the one before it, in order;
every signed checkpoint matches the entries it covers and is signed by the
key you trust. Reports the FIRST bad sequence number and why.

Signatures are judged only against a key you obtained yourself, from the
ledger's operator, not from the ledger's folder: a key stored with the data
proves nothing, since whoever can rewrite the ledger can replace it too.

Options:
  --ledger PATH|URL         SQLite ledger, NDJSON export, or postgres:// URL; "-" reads
                            NDJSON from stdin (default: $LEDGER_PATH, else ./data/ledger.db)
  --public-key FILE         the ledger's public key (PEM) as you obtained it
  --key-id HEX              or only its id (64 hex digits, as \`changeproof public-key\`
                            prints it): the public key is then taken from the ledger's
                            checkpoints, and must have exactly this id
  --checkpoint FILE         a signed checkpoint kept elsewhere (\`changeproof checkpoint\`):
                            the ledger must contain it; this is what detects a cut tail
  --require-final-checkpoint
                            fail if entries follow the last checkpoint (a ledger
                            closed cleanly ends with one)
  --canonical               also re-serialise every entry with an independent RFC 8785
                            library and compare (slower; what the recipe in
                            docs/ledger.md does; the same verdicts)
  --partial                 accept a segment that does not start at seq 1
  --json                    print the report as JSON
  -h, --help                show this help

Without --public-key or --key-id, everything but the signatures is checked and
the result is "signatures unverified".

Exit status: 0 intact, signatures verified with your key; 1 not intact (an entry
changed, removed, reordered or malformed, a bad signature, or a checkpoint
signed by another key than yours); 2 bad usage or a file that cannot be read;
3 intact as far as checked, but signatures unverified (no key given, or entries
that no checkpoint signs yet: an empty ledger exits 0).`;

type Status = 'intact' | 'tampered' | 'signatures unverified';
const EXIT: Record<Status, number> = { intact: 0, tampered: 1, 'signatures unverified': 3 };

/** `changeproof verify`: SPEC §1.2, §6.5. */
export const verifyCommand: Command = {
  name: 'verify',
  summary: 'Verify a ledger (SQLite or NDJSON) against your copy of its public key',
  help: HELP,
  async run(argv, io) {
    const values = parseOptions(argv, {
      ledger: { type: 'string' }, 'public-key': { type: 'string' }, 'key-id': { type: 'string' }, checkpoint: { type: 'string' },
      'require-final-checkpoint': { type: 'boolean' }, canonical: { type: 'boolean' }, partial: { type: 'boolean' },
      json: { type: 'boolean' },
    });
    const stdin = values.ledger === '-';
    const path = stdin ? '-' : ledgerPathFrom(values.ledger, io);
    let format: 'sqlite' | 'ndjson' | 'postgres';
    try {
      format = stdin ? 'ndjson' : await detectLedgerFormat(path);
    } catch (error) {
      throw new UsageError(error instanceof LedgerError ? error.message : String(error));
    }
    const trusted = resolveTrustedKey(values['public-key'], values['key-id']);
    const anchor = values.checkpoint === undefined ? undefined : readCheckpoint(values.checkpoint);
    const progress = progressLine(io, 'verified', 'changeproof verify');
    const total = format === 'sqlite' ? await sqliteEntryCount(path) : null;
    let report: VerifyReport;
    try {
      report = await verifyLedger(stdin ? process.stdin : path, {
        publicKey: trusted.key ?? undefined, keyId: trusted.keyId ?? undefined, anchor, canonical: values.canonical,
        partial: values.partial, requireFinalCheckpoint: values['require-final-checkpoint'], onProgress: (n) => progress.update(n, total),
      });
    } catch (error) {
      if (!(error instanceof LedgerError)) throw error;
      // A damaged file or another application's database is not an intact ledger; anything else could not be read.
      if (error.code !== 'LEDGER_CORRUPT') throw new UsageError(error.message);
      return fail(io, values.json, path, trusted, error.message);
    } finally {
      progress.done();
    }
    const signatures = unsigned(report) ? 'unverified' : report.signatures;
    const status: Status = report.failure ? 'tampered' : signatures === 'verified' ? 'intact' : 'signatures unverified';
    if (values.json) {
      const { ok: _chainOk, ...rest } = report;
      io.stdout.write(`${JSON.stringify({ ledger: printableLocation(path), format, status, ok: status === 'intact', publicKey: describeKey(trusted), ...rest, signatures }, null, 2)}\n`);
    } else {
      io.stdout.write(`${renderReport(report, status, trusted)}\n`);
    }
    return EXIT[status];
  },
};

/**
 * Entries that no checkpoint signs — none in the data, and no kept checkpoint
 * (`--checkpoint`) matched — even though a key was given: nothing ties them
 * to that key, since anyone can write a hash chain. Not "intact" (exit 0) but
 * "signatures unverified" (exit 3). An empty ledger has nothing to sign.
 */
function unsigned(r: VerifyReport): boolean {
  return r.failure === null && r.keyId !== null && r.entries > 0 && r.checkpoints === 0 && r.anchorMatched !== true;
}

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

function fail(io: CliIo, json: boolean | undefined, path: string, trusted: TrustedKey, message: string): number {
  if (json) {
    io.stdout.write(`${JSON.stringify({ ledger: printableLocation(path), status: 'tampered', ok: false, signatures: 'unverified', publicKey: describeKey(trusted), error: message }, null, 2)}\n`);
  } else {
    io.stderr.write(`changeproof verify: ${message}\n`);
  }
  return EXIT.tampered;
}

/** The key used and where it came from, for --json. */
function describeKey(trusted: TrustedKey): { keyId: string | null; source: TrustedKey['source']; path: string | null; from: string } {
  const from = {
    'public-key-file': 'the public key file given with --public-key',
    'key-id': "the public key carried by the ledger's checkpoints, accepted because its id equals --key-id",
    none: 'no key was given: signatures are not verified',
  }[trusted.source];
  return { keyId: trusted.keyId, source: trusted.source, path: trusted.path, from };
}

const n = (value: number): string => value.toLocaleString('en-US');

function renderReport(r: VerifyReport, status: Status, trusted: TrustedKey): string {
  const lines: string[] = [];
  const span = r.entries === 0 ? '' : ` (seq ${n(r.firstSeq ?? 1)}–${n(r.lastSeq)})`;
  if (r.failure) {
    const f = r.failure;
    const range = f.range ? ` (the change lies in seq ${f.range[0]}–${f.range[1]})` : '';
    lines.push(`Ledger NOT intact: first bad seq ${f.seq}: ${f.reason}: ${f.message}${range}.`);
    lines.push(`Checked before it: ${count(r.entries, 'entry', 'entries')}, ${count(r.checkpoints, 'checkpoint', 'checkpoints')}.`);
  } else if (status === 'intact') {
    lines.push(`Ledger intact: ${count(r.entries, 'entry', 'entries')} checked${span}, ${count(r.checkpoints, 'checkpoint', 'checkpoints')} verified.`);
  } else {
    lines.push(`Chain intact: ${count(r.entries, 'entry', 'entries')} checked${span} (text, hashes, order, ${count(r.checkpoints, 'checkpoint', 'checkpoints')}); signatures NOT verified.`);
  }
  if (!r.failure) {
    lines.push(`Head: seq ${r.lastSeq}, hash ${r.headHash}`);
    if (r.lastCheckpoint) lines.push(`Last checkpoint: seq ${r.lastCheckpoint.seq}, covering seq 1–${r.lastCheckpoint.size}, signed ${r.lastCheckpoint.time}.`);
    if (r.anchorMatched) lines.push('The supplied checkpoint matches the ledger.');
  }
  lines.push(signatureLine(r, trusted));
  for (const warning of r.warnings) lines.push(`Warning: ${warning}.`);
  return lines.join('\n');
}

function signatureLine(r: VerifyReport, trusted: TrustedKey): string {
  const given = trusted.source === 'public-key-file' ? `the public key given (${trusted.path}, id ${trusted.keyId})` : `the key id given (${trusted.keyId})`;
  if (r.failure) {
    return trusted.source === 'none' ? 'Signatures: no key was given; the fault above lies within the ledger itself.' : `Signatures: judged against ${given}.`;
  }
  if (unsigned(r)) {
    return `Signatures UNVERIFIED: no checkpoint signs ${r.entries === 1 ? 'this entry' : `any of these ${n(r.entries)} entries`}, so nothing ties ${r.entries === 1 ? 'it' : 'them'} to ${given}: ` +
      'a hash chain alone can be written by anyone. Verify again once the ledger has signed a checkpoint (the app signs one within ' +
      'ten minutes of new entries, and when it stops), or give a checkpoint you kept (--checkpoint FILE).';
  }
  if (r.signatures === 'verified') {
    return r.checkpoints === 0 ? `Signatures: none to check yet (the key given is ${trusted.keyId}).` : `Signatures: verified with ${given}.`;
  }
  if (trusted.source !== 'none') {
    return `Signatures UNVERIFIED: the last ${count(r.uncheckedCheckpoints, 'checkpoint carries', 'checkpoints carry')} no public key ` +
      '(written before checkpoints carried one), so a key id alone cannot check them: pass --public-key FILE.';
  }
  const claimed = r.claimedKeyId === null
    ? 'The ledger has no checkpoint yet.'
    : `Its checkpoints name key ${r.claimedKeyId}: that is what the ledger claims, not proof, since whoever can rewrite the ledger can sign it with a key of their own.`;
  return `Signatures UNVERIFIED: no public key was given. ${claimed} Compare that id with the one you obtained from the ledger's operator, then run again with --key-id ID or --public-key FILE.`;
}
