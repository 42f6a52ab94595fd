// Appends to a ledger until killed, printing "seq hash" for every entry
// only after its transaction committed. Used by the crash and concurrency
// tests. Args: ledgerPathOrUrl label [count] — with a count it waits for "go" on
// stdin, appends that many, and exits.
// It runs the compiled ledger (lib/, as the app and the CLI run it) under plain
// Node: a writer is started forty times per crash run, and a TypeScript loader
// would triple each start. The tests build lib/ first when it is stale.
import { writeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { openLedger } from '../../../lib/ledger/open-ledger.js';

const [path, label = 'writer', countArg] = process.argv.slice(2);
const count = countArg === undefined ? Infinity : Number(countArg);
// writeSync: a report is on the pipe before the next append starts, so a
// SIGKILL can lose a report, never invent one.
const say = (text) => void writeSync(1, `${text}\n`);

// A SQLite path or a postgres:// URL (the key then comes from CHANGEPROOF_SIGNING_KEY_PATH).
const ledger = await openLedger(path, { checkpointPolicy: { everyEntries: 7 } });
say('ready');
if (countArg !== undefined) {
  const lines = createInterface({ input: process.stdin });
  await new Promise((resolve) => lines.on('line', (l) => l === 'go' && resolve()));
  lines.close(); // an open stdin would keep this process alive after the last append
}
for (let i = 0; i < count; i++) {
  const batch = 1 + (i % 3);
  const inputs = Array.from({ length: batch }, (_, j) => ({
    kind: 'evaluation', repo: 'acme/api', subject: `${label}/${i}/${j}`, data: { label, i, j, pid: process.pid },
  }));
  const { entries } = await ledger.append(inputs, { deliveryId: `${label}-${process.pid}-${i}` });
  say(entries.map((e) => `${e.seq} ${e.hash} ${e.subject}`).join('\n'));
  // With a count (the concurrency test) pause a moment, as webhooks do: SQLite's
  // lock is not fair, and a writer in a tight loop would run in long bursts.
  if (countArg !== undefined) await new Promise((resolve) => setTimeout(resolve, 2));
}
await ledger.close();
say('done');
