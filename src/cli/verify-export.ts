import { readFileSync } from 'node:fs';
import { verifyExport } from '../export/verify-export.js';
import type { Command } from './command.js';
import { UsageError } from './command.js';

const HELP = `Usage: changeproof verify-export DIR [--public-key PEM] [--json]

Checks an export (SPEC §5.1): the manifest's Ed25519 signature, every file's
SHA-256 against the manifest and SHA256SUMS (nothing changed, added or
removed), the ledger checkpoint it names, and the sample — re-drawn from the
recorded seed over the ids in population.csv, and compared.

Options:
  --public-key FILE   the ledger's public key obtained from the app
                      (GET /api/changeproof/public-key); default: the export's
                      own public-key.pem, which proves less
  --json              print every check as JSON
  -h, --help          show this help

Exit status: 0 every check passed; 1 a check failed; 2 bad usage.`;

/** \`changeproof verify-export\`: SPEC §5.1. */
export const verifyExportCommand: Command = {
  name: 'verify-export',
  summary: 'Verify an export: signature, file hashes, and the sample re-drawn from its seed',
  help: HELP,
  async run(argv, io) {
    const dirs = argv.filter((a, i) => !a.startsWith('--') && argv[i - 1] !== '--public-key');
    const unknown = argv.filter((a) => a.startsWith('--') && a !== '--public-key' && a !== '--json');
    if (unknown.length) throw new UsageError(`unknown option ${unknown[0]}`);
    if (dirs.length !== 1) throw new UsageError('give exactly one export directory');
    const keyAt = argv.indexOf('--public-key');
    let publicKeyPem: string | null = null;
    if (keyAt >= 0) {
      const path = argv[keyAt + 1];
      if (!path) throw new UsageError('--public-key needs a file');
      try {
        publicKeyPem = readFileSync(path, 'utf8');
      } catch (error) {
        throw new UsageError(`cannot read the public key ${path}: ${(error as Error).message}`);
      }
    }
    const report = await verifyExport(dirs[0]!, { publicKeyPem });
    if (argv.includes('--json')) {
      io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    } else {
      const failed = report.checks.filter((c) => !c.ok);
      if (report.ok) {
        io.stdout.write(`Export intact: ${report.checks.length} checks passed; population ${report.populationSize}, sample ${report.sampleSize}; signed by key ${report.keyId}.\n`);
        for (const c of report.checks) io.stdout.write(`  ✓ ${c.name}: ${c.detail}\n`);
      } else {
        io.stdout.write(`Export NOT intact: ${failed.length} of ${report.checks.length} checks failed.\n`);
        for (const c of failed) io.stdout.write(`  ✗ ${c.file ?? ''}: ${c.name}: ${c.detail}\n`);
      }
    }
    return report.ok ? 0 : 1;
  },
};
