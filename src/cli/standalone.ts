import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VERSION } from '../version.js';
import type { CliIo, Command } from './command.js';
import { UsageError } from './command.js';
import { publicKeyCommand } from './public-key.js';
import { verifyExportCommand } from './verify-export.js';
import { verifyCommand } from './verify.js';

/**
 * `changeproof-verify.mjs`: the auditor's verifier, one file, no install —
 * plain Node 18 or later. Built from the same code as `changeproof` (see
 * scripts/build-verifier.mjs) and attached to every export package:
 *
 *   node changeproof-verify.mjs --public-key ledger-public-key.pem
 *       verifies the package the file sits in (verify-export of its folder)
 *   node changeproof-verify.mjs verify-export DIR --public-key FILE
 *   node changeproof-verify.mjs verify --ledger ledger.ndjson --public-key FILE
 *   node changeproof-verify.mjs public-key --ledger ledger.ndjson
 *
 * It reads NDJSON ledgers (a SQLite ledger: `changeproof ledger-export` it
 * first) and leaves out re-deriving a package from a ledger (`--ledger` of
 * verify-export), which needs the full `changeproof` CLI.
 */
const COMMANDS: Command[] = [verifyExportCommand, verifyCommand, publicKeyCommand];

export async function standalone(argv: string[], io: CliIo, here: string): Promise<number> {
  const [first, ...rest] = argv;
  if (first === '--version' || first === '-v') {
    // Its own SHA-256, to compare with that of the copy the company's app
    // serves (GET /api/changeproof/verifier) before trusting its verdicts.
    const self = createHash('sha256').update(readFileSync(fileURLToPath(import.meta.url))).digest('hex');
    io.stdout.write(`changeproof-verify ${VERSION}\nsha256 ${self}\n`);
    return 0;
  }
  if (first === '--help' || first === '-h' || first === 'help') {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const named = COMMANDS.find((c) => c.name === first);
  // No command: verify the package this file belongs to.
  const [command, args] = named ? [named, rest] : [verifyExportCommand, argv.some((a) => !a.startsWith('-') && !isOptionValue(argv, a)) ? argv : [here, ...argv]];
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout.write(`${command.help}\n`);
    return 0;
  }
  try {
    return await command.run(args, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`changeproof-verify ${command.name}: ${error.message}\n`);
      return 2;
    }
    io.stderr.write(`changeproof-verify ${command.name}: ${(error as Error).message ?? String(error)}\n`);
    return 1;
  }
}

/** Whether `arg` is the value of the option before it (`--public-key FILE`). */
function isOptionValue(argv: string[], arg: string): boolean {
  const i = argv.indexOf(arg);
  return i > 0 && ['--public-key', '--key-id', '--ledger', '--checkpoint'].includes(argv[i - 1]!);
}

const USAGE = `changeproof-verify ${VERSION}: checks a Changeproof export package or ledger, offline, with nothing to install (Node 18+).

  node changeproof-verify.mjs --public-key FILE        verify the package this file is in
  node changeproof-verify.mjs verify-export DIR --public-key FILE | --key-id HEX
  node changeproof-verify.mjs verify --ledger FILE.ndjson --public-key FILE
  node changeproof-verify.mjs public-key --ledger FILE.ndjson

Obtain the ledger's public key (or its id) from the company's Changeproof app or
its owner, not from the package. Exit status: 0 intact; 1 tampered; 2 bad usage;
3 signatures unverified (no key given).`;

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  process.exitCode = await standalone(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env }, dirname(fileURLToPath(import.meta.url)));
}
