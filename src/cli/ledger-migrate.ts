import { createReadStream, existsSync } from 'node:fs';
import type { KeyObject } from 'node:crypto';
import type { Command, CliIo } from './command.js';
import { UsageError } from './command.js';
import { count, parseOptions, resolveTrustedKey } from './ledger-cli.js';

const HELP = `Usage: changeproof ledger-migrate --from FILE.db|FILE.ndjson --to postgres://… [options]

Moves a ledger into PostgreSQL, so that several app replicas can share it
(DATABASE_URL). Every entry is copied exactly as it was hashed and signed, so
the chain and its checkpoints are the same chain; every entry and checkpoint
is checked on the way, all in one transaction (a fault writes nothing), and
the result is verified again once written. From a SQLite ledger the delivery
ids (so redelivered webhooks are still recognised) and the inbox (pending
work) move too. The target must be empty; the schema is created.

Stop the app (or let it write to PostgreSQL only) while migrating: entries
it appends to the file afterwards are not copied.

Options:
  --from FILE         the SQLite ledger, or an NDJSON export (\`changeproof ledger-export\`)
  --to URL            the PostgreSQL database (postgres://USER@HOST:5432/DATABASE)
  --public-key FILE   check the checkpoints' signatures against this key
  --key-id HEX        or against the key the checkpoints carry, if it has this id
                      (without either, each checkpoint is checked against the key
                      the ledger itself carries, and the result says "unverified")
  --json              print {entries, checkpoints, head, signatures} as JSON
  -h, --help          show this help`;

/** `changeproof ledger-migrate`: a SQLite (or NDJSON) ledger into PostgreSQL. */
export const ledgerMigrateCommand: Command = {
  name: 'ledger-migrate',
  summary: 'Move a ledger into PostgreSQL (chain and checkpoints intact, verified after)',
  help: HELP,
  async run(argv, io) {
    const values = parseOptions(argv, {
      from: { type: 'string' }, to: { type: 'string' }, 'public-key': { type: 'string' }, 'key-id': { type: 'string' }, json: { type: 'boolean' },
    });
    const { isDatabaseUrl, printableLocation } = await import('../ledger/ledger-location.js');
    if (!values.from) throw new UsageError('--from FILE is required (the SQLite ledger or an NDJSON export)');
    if (!values.to || !isDatabaseUrl(values.to)) throw new UsageError('--to must be a postgres:// URL');
    if (!existsSync(values.from)) throw new UsageError(`${values.from} does not exist`);
    const trusted = resolveTrustedKey(values['public-key'], values['key-id']);
    const { LedgerError } = await import('../ledger/errors.js');
    try {
      const key = trusted.key ?? (await carriedKey(values.from, trusted.keyId));
      const source = await openSource(values.from);
      const { importIntoPostgres } = await import('../ledger/postgres/pg-import.js');
      const copied = await importIntoPostgres(values.to, source.lines(), key ?? undefined, source.extras);
      const { verifyLedger } = await import('../ledger/verify.js');
      const after = await verifyLedger(values.to, { publicKey: key ?? undefined, canonical: true });
      const same = after.ok && after.lastSeq === copied.lastSeq && after.headHash === copied.headHash;
      if (!same) {
        io.stderr.write(`changeproof ledger-migrate: ${printableLocation(values.to)} does not verify after the copy: ${after.failure?.message ?? 'its head differs from the source\'s'}.\n`);
        return 1;
      }
      const signatures = trusted.key || trusted.keyId ? after.signatures : 'unverified';
      report(io, values.json, { entries: after.entries, checkpoints: after.checkpoints, head: { seq: after.lastSeq, hash: after.headHash }, signatures, to: printableLocation(values.to) });
      return 0;
    } catch (error) {
      if (error instanceof LedgerError) throw new UsageError(error.message);
      throw error;
    }
  },
};

function report(io: CliIo, json: boolean | undefined, r: { entries: number; checkpoints: number; head: { seq: number; hash: string }; signatures: string; to: string }): void {
  if (json) {
    io.stdout.write(`${JSON.stringify(r)}\n`);
    return;
  }
  io.stdout.write(`Migrated ${count(r.entries, 'entry', 'entries')} and ${count(r.checkpoints, 'checkpoint', 'checkpoints')} to ${r.to}; verified after the copy.\n`
    + `Head: seq ${r.head.seq}, hash ${r.head.hash}\n`
    + (r.signatures === 'verified' ? 'Signatures: verified with the key given.\n' : 'Signatures: checked against the key the ledger carries only (pass --public-key or --key-id to verify them).\n'));
}

/** The key the source's checkpoints carry (with --key-id, only if it has that id). */
async function carriedKey(path: string, keyId: string | null): Promise<KeyObject | null> {
  const { ledgerKeyFrom, readCheckpointKeys } = await import('../ledger/checkpoint-keys.js');
  const found = ledgerKeyFrom(await readCheckpointKeys(path));
  if (!found.found) {
    if (found.why === 'no-checkpoint' && keyId === null) return null;
    throw new UsageError(`${path}: ${found.message}; pass --public-key FILE`);
  }
  if (keyId !== null && found.keyId !== keyId) throw new UsageError(`${path}'s checkpoints are signed by key ${found.keyId}, not ${keyId}`);
  return found.key;
}

interface Source {
  lines(): AsyncIterable<string>;
  extras: import('../ledger/postgres/pg-import.js').ImportExtras;
}

/** The source's NDJSON lines and, from a SQLite ledger, its delivery ids and inbox. */
async function openSource(path: string): Promise<Source> {
  const { detectLedgerFormat } = await import('../ledger/ledger-format.js');
  if ((await detectLedgerFormat(path)) === 'ndjson') {
    const { readNdjsonLines } = await import('../ledger/ndjson.js');
    return {
      async *lines() {
        for await (const line of readNdjsonLines(createReadStream(path))) yield line.text;
      },
      extras: {},
    };
  }
  const { openReadOnly } = await import('../ledger/sqlite-connection.js');
  const { iterateStored, toLine } = await import('../ledger/sqlite-reader.js');
  const db = openReadOnly(path);
  db.exec('BEGIN'); // one snapshot for the entries, the delivery ids and the inbox
  const inbox = db.prepare<[], { delivery_id: string; event: string; payload: string; accepted_at: string; completed_at: string | null; attempts: number; last_error: string | null }>(
    'SELECT delivery_id, event, payload, accepted_at, completed_at, attempts, last_error FROM inbox ORDER BY accepted_at, delivery_id').all();
  return {
    async *lines() {
      try {
        for (const stored of iterateStored(db)) yield toLine(stored);
      } catch (error) {
        db.close();
        throw error;
      }
    },
    extras: {
      deliveries: (function* () {
        try {
          yield* db.prepare<[], { delivery_id: string; seq: number }>('SELECT delivery_id, seq FROM deliveries ORDER BY seq').iterate();
        } finally {
          db.close();
        }
      })(),
      inbox: inbox.map((r) => ({ deliveryId: r.delivery_id, event: r.event, payloadJson: r.payload, acceptedAt: r.accepted_at, completedAt: r.completed_at, attempts: r.attempts, lastError: r.last_error })),
    },
  };
}
