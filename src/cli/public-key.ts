import { existsSync, readFileSync } from 'node:fs';
import type { KeyObject } from 'node:crypto';
import { ledgerKeyFrom, readCheckpointKeys } from '../ledger/checkpoint-keys.js';
import { LedgerError } from '../ledger/errors.js';
import { isDatabaseUrl } from '../ledger/ledger-location.js';
import { defaultLedgerPath } from '../ledger/ledger-path.js';
import { defaultSigningKeyPath, keyIdOf, publicKeyFromPem, publicKeyPathFor, publicKeyPem } from '../ledger/signing-key.js';
import type { Command } from './command.js';
import { UsageError } from './command.js';
import { ledgerPathFrom, parseOptions } from './ledger-cli.js';

const HELP = `Usage: changeproof public-key [--ledger PATH|URL] [--json]

Prints the public key (SPKI PEM, after a line naming its id) that the
ledger's checkpoints are signed with, read from the ledger alone (SQLite, PostgreSQL or an NDJSON export): every
checkpoint carries it. No key file is needed, and the private key is never
read. Checkpoints that name different keys are refused.

A key read from the ledger is what the ledger claims, not proof: whoever can
rewrite the ledger can put another key in it. The ledger's operator runs this
and publishes the key (or its id) somewhere the ledger's writer cannot change;
an auditor compares the id printed here with the one obtained from the
operator, then runs \`changeproof verify --key-id ID\` (or --public-key FILE).

A ledger whose checkpoints do not carry their key yet (no checkpoint so far,
or written by an older version) falls back to the public key file the app
keeps beside the ledger (…-signing-key.pub.pem), and says so.

Options:
  --ledger PATH|URL the ledger: SQLite, NDJSON or postgres:// URL (default: $LEDGER_PATH,
                    else ./data/ledger.db)
  --json            print {keyId, pem, source, seq, note}
  -h, --help        show this help`;

/** `changeproof public-key`: the key a ledger's checkpoints name, from the ledger itself. */
export const publicKeyCommand: Command = {
  name: 'public-key',
  summary: "Print the public key the ledger's checkpoints carry (PEM), to compare with the published one",
  help: HELP,
  async run(argv, io) {
    const values = parseOptions(argv, { ledger: { type: 'string' }, json: { type: 'boolean' } });
    const path = ledgerPathFrom(values.ledger, io);
    let found;
    try {
      found = ledgerKeyFrom(await readCheckpointKeys(path));
    } catch (error) {
      if (error instanceof LedgerError) throw new UsageError(error.message);
      throw error;
    }
    if (!found.found && (found.why === 'several-keys' || found.why === 'inconsistent')) {
      io.stderr.write(`changeproof public-key: ${path}: ${found.message}. Ask the ledger's operator for the published key, then run \`changeproof verify --public-key FILE\`.\n`);
      return 1;
    }
    let key: KeyObject;
    let source: string;
    let seq: number | null = null;
    if (found.found) {
      ({ key, seq } = found);
      source = `the ledger's checkpoint at seq ${seq} (${found.checkpoints === 1 ? 'its only checkpoint' : `all ${found.checkpoints} checkpoints name this key`})`;
    } else {
      // A database has no folder: its key file is where the app keeps it by default.
      const keyHome = isDatabaseUrl(path) ? defaultLedgerPath(io.env) : path;
      const beside = publicKeyPathFor(io.env.CHANGEPROOF_SIGNING_KEY_PATH || defaultSigningKeyPath(keyHome));
      key = readKeyBeside(beside, path, found.message);
      if (found.keyIds.length === 1 && keyIdOf(key) !== found.keyIds[0]) {
        io.stderr.write(`changeproof public-key: ${beside} is the key with id ${keyIdOf(key)}, but the ledger's checkpoints name ${found.keyIds[0]}: it is not the ledger's key.\n`);
        return 1;
      }
      source = `${beside}, the public key file beside the ledger (${found.message})`;
    }
    const keyId = keyIdOf(key);
    const note = `This is the key the ledger claims, not proof: compare its id ${keyId} with the one obtained from the ledger's operator, then run \`changeproof verify --key-id ${keyId}\`.`;
    const pem = publicKeyPem(key);
    if (values.json) {
      io.stdout.write(`${JSON.stringify({ keyId, pem, source, seq, note })}\n`);
    } else {
      // Text before the BEGIN line is explanatory text that PEM readers skip
      // (RFC 7468 §5.2), so the output still serves as a key file.
      io.stdout.write(`Key id ${keyId} (SHA-256 of the DER public key), as the ledger claims it\n${pem}`);
      io.stderr.write(`Read from ${source}.\n${note}\n`);
    }
    return 0;
  },
};

function readKeyBeside(beside: string, ledgerPath: string, why: string): KeyObject {
  if (!existsSync(beside)) {
    throw new UsageError(`${ledgerPath} names no public key (${why}), and there is no public key file at ${beside}; ask the ledger's operator for it`);
  }
  try {
    return publicKeyFromPem(readFileSync(beside, 'utf8'));
  } catch (error) {
    throw new UsageError(`${beside} is not an Ed25519 public key in PEM form (${(error as Error).message})`);
  }
}
