import { readFileSync } from 'node:fs';
import { defaultSigningKeyPath, keyIdOf, publicKeyFromPem, publicKeyPem } from '../ledger/signing-key.js';
import type { Command } from './command.js';
import { UsageError } from './command.js';
import { ledgerPathFrom, parseOptions } from './ledger-cli.js';

const HELP = `Usage: changeproof public-key [--ledger PATH] [--json]

Prints the public key that verifies the ledger's checkpoints (SPKI PEM), from
the signing key the app uses: $CHANGEPROOF_SIGNING_KEY_PATH, else the key
beside the ledger. Publish it somewhere the ledger's writer cannot change.

Options:
  --ledger PATH     the SQLite ledger (default: $LEDGER_PATH, else ./data/ledger.db)
  --json            print {keyId, path, pem}
  -h, --help        show this help`;

/** `changeproof public-key`: the checkpoint verification key. */
export const publicKeyCommand: Command = {
  name: 'public-key',
  summary: "Print the ledger's checkpoint verification key (PEM)",
  help: HELP,
  async run(argv, io) {
    const values = parseOptions(argv, { ledger: { type: 'string' }, json: { type: 'boolean' } });
    const path = io.env.CHANGEPROOF_SIGNING_KEY_PATH || defaultSigningKeyPath(ledgerPathFrom(values.ledger, io));
    let pem: string;
    try {
      pem = readFileSync(path, 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read the signing key ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'}); the app creates it on first start, or set CHANGEPROOF_SIGNING_KEY_PATH`);
    }
    let key;
    try {
      key = publicKeyFromPem(pem);
    } catch (error) {
      throw new UsageError(`${path} is not an Ed25519 key in PEM form (${(error as Error).message})`);
    }
    const publicPem = publicKeyPem(key);
    if (values.json) io.stdout.write(`${JSON.stringify({ keyId: keyIdOf(key), path, pem: publicPem })}\n`);
    else io.stdout.write(publicPem);
    return 0;
  },
};
