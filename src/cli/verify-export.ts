import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ndjsonFileSource, type LedgerSource } from '../export/ledger-source.js';
import { verifyExport, VerifyExportUsageError, type VerifyExportReport } from '../export/verify-export.js';
import { detectLedgerFormat } from '../ledger/ledger-format.js';
import type { Command } from './command.js';
import { UsageError } from './command.js';

const HELP = `Usage: changeproof verify-export DIR (--public-key FILE | --key-id HEX) [--ledger PATH] [--json]

Checks an export package: the manifest's Ed25519 signature, every file's
SHA-256 against the manifest and SHA256SUMS (nothing changed, added or
removed), the ledger checkpoint it names, and the sample — re-drawn from the
recorded seed over the ids in population.csv, and compared.

Signatures are judged only against a key YOU obtained, outside the package:
  --public-key FILE   the ledger's public key (PEM): from the app
                      (GET /api/changeproof/public-key) or its owner
  --key-id HEX        or the key's id (64 hex): the package's public-key.pem
                      must have exactly that id
Without either, the files are still checked against each other, and the
result is "signatures unverified" (exit 3): a key inside the package proves
nothing by itself.

  --ledger PATH       also re-derive the population, the sample, the exceptions
                      and the evidence pages from this ledger (a SQLite file or
                      an NDJSON export, read up to the head the package names)
                      and compare them with the package, independently of its
                      manifest; needs --public-key or --key-id
  --json              print every check as JSON
  -h, --help          show this help

The package is read as hostile: a bad signature stops the check before any
other file is read, and manifest paths that are absolute, contain "..", or
name a symbolic link or anything but a regular file are refused unopened.

Exit status: 0 intact (signatures verified with your key); 1 tampered (a check
failed); 2 bad usage; 3 signatures unverified (no key given, nothing failed).`;

/** `changeproof verify-export`. */
export const verifyExportCommand: Command = {
  name: 'verify-export',
  summary: 'Verify an export against your key: signature, file hashes, the sample re-drawn from its seed',
  help: HELP,
  async run(argv, io) {
    let values;
    let positionals: string[];
    try {
      ({ values, positionals } = parseArgs({
        args: argv,
        allowPositionals: true,
        strict: true,
        options: { 'public-key': { type: 'string' }, 'key-id': { type: 'string' }, ledger: { type: 'string' }, json: { type: 'boolean' } },
      }));
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    if (positionals.length !== 1) throw new UsageError('give exactly one export directory');
    let publicKeyPem: string | null = null;
    if (values['public-key'] !== undefined) {
      try {
        publicKeyPem = readFileSync(values['public-key'], 'utf8');
      } catch (error) {
        throw new UsageError(`cannot read the public key ${values['public-key']}: ${(error as Error).message}`);
      }
    }
    const keyId = values['key-id'] ?? null;
    if (keyId !== null && !/^[0-9a-f]{64}$/.test(keyId)) throw new UsageError('--key-id must be the key\'s 64 lowercase hex digits (SHA-256 of its SPKI DER)');
    let ledger: ((toSeq: number) => LedgerSource) | null = null;
    if (values.ledger !== undefined) {
      if (!publicKeyPem && !keyId) throw new UsageError('--ledger needs the ledger\'s key: give --public-key FILE or --key-id HEX');
      ledger = await ledgerSource(values.ledger, io.env);
    }
    let report: VerifyExportReport;
    try {
      report = await verifyExport(positionals[0]!, { publicKeyPem, keyId, ledger });
    } catch (error) {
      if (error instanceof VerifyExportUsageError) throw new UsageError(error.message);
      throw error;
    }
    if (values.json) io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else io.stdout.write(describe(report));
    return report.status === 'intact' ? 0 : report.status === 'unverified' ? 3 : 1;
  },
};

function describe(report: VerifyExportReport): string {
  const lines: string[] = [];
  const failed = report.checks.filter((c) => !c.ok);
  if (report.status === 'intact') {
    lines.push(`Export intact: ${report.checks.length} checks passed; population ${report.populationSize}, sample ${report.sampleSize}; signed by key ${report.keyId} (${report.keySource === 'public-key' ? 'the key given' : 'the id given'}).`);
    for (const c of report.checks) lines.push(`  ✓ ${c.name}: ${c.detail}`);
  } else if (report.status === 'unverified') {
    lines.push(`Signatures UNVERIFIED: the files agree with each other (${report.checks.length - 1} checks), but no key was given, so nothing shows who made them.`);
    lines.push('  Give the ledger\'s public key (--public-key FILE) or its id (--key-id HEX), obtained from the app or its owner.');
    for (const c of report.checks) lines.push(`  ${c.skipped ? '?' : '✓'} ${c.name}: ${c.detail}`);
  } else {
    lines.push(`Export NOT intact: ${failed.length} of ${report.checks.length} checks failed.`);
    for (const c of failed) lines.push(`  ✗ ${c.file ?? ''}: ${c.name}: ${c.detail}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The ledger to re-derive from: a SQLite file (read-only) or an NDJSON export, read up to a seq. */
async function ledgerSource(path: string, env: NodeJS.ProcessEnv): Promise<(toSeq: number) => LedgerSource> {
  if (!existsSync(path)) throw new UsageError(`the ledger ${path} does not exist`);
  if ((await detectLedgerFormat(path)) === 'sqlite') {
    const { sqliteSource } = await import('../export/sqlite-source.js');
    return (toSeq) => sqliteSource(path, env, { toSeq });
  }
  return (toSeq) => {
    const source = ndjsonFileSource(path);
    return { ...source, stored: (bound?: number) => source.stored(Math.min(bound ?? toSeq, toSeq)) };
  };
}
