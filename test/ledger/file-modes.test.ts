import Database from 'better-sqlite3';
import { chmodSync, existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteLedger } from '../../src/ledger/sqlite-ledger.js';
import { defaultSigningKeyPath, generateSigningKey, publicKeyPathFor } from '../../src/ledger/signing-key.js';
import { removeTempDirs, sampleEntry, steppingClock, tempDir } from './support/ledger-fixture.js';

afterEach(removeTempDirs);

const modeOf = (file: string) => statSync(file).mode & 0o777;

/** The modes of the ledger, its WAL and shared-memory files, and its signing key (public half apart). */
function modes(path: string): Record<string, number> {
  const key = defaultSigningKeyPath(path);
  return Object.fromEntries([path, `${path}-wal`, `${path}-shm`, key].map((file) => [file.slice(file.lastIndexOf('/') + 1), modeOf(file)]));
}

const OWNER_ONLY = { 'ledger.db': 0o600, 'ledger.db-wal': 0o600, 'ledger.db-shm': 0o600, 'ledger-signing-key.pem': 0o600 };

describe('the ledger, its WAL, its inbox and its key are readable by their owner only', () => {
  it('mode 0600 from the first start, after appends, inbox deliveries and checkpoints, whatever the umask', async () => {
    // umask 0: SQLite alone would create the ledger 0644 and give its WAL and SHM files that mode.
    const umask = process.umask(0);
    try {
      const path = join(tempDir(), 'data', 'ledger.db');
      const ledger = SqliteLedger.open(path, { env: {}, clock: steppingClock() });
      expect(modes(path)).toEqual(OWNER_ONLY);
      for (let i = 0; i < 20; i++) await ledger.append(sampleEntry(i));
      await ledger.inbox.accept('delivery-1', 'pull_request', JSON.stringify({ action: 'opened', secret_looking: 'x'.repeat(100_000) }));
      await ledger.checkpoint();
      expect(modes(path)).toEqual(OWNER_ONLY);
      // The public half is meant to be handed out.
      expect(modeOf(publicKeyPathFor(defaultSigningKeyPath(path)))).toBe(0o644);
      await ledger.close();
      const reopened = SqliteLedger.open(path, { env: {}, clock: steppingClock() });
      await reopened.append(sampleEntry(99));
      expect(modes(path)).toEqual(OWNER_ONLY);
      await reopened.close();
    } finally {
      process.umask(umask);
    }
  });

  it('files an earlier version or an operator left readable by others are tightened when the ledger opens', async () => {
    const path = join(tempDir(), 'ledger.db');
    // A ledger as SQLite alone makes it, still open in another process (its WAL and SHM exist), and a key copied in 0644.
    const first = SqliteLedger.open(path, { env: {}, clock: steppingClock() });
    await first.append(sampleEntry(0));
    await first.close();
    const other = new Database(path);
    other.pragma('journal_mode = WAL');
    other.prepare('SELECT count(*) FROM entries').get();
    for (const file of [path, `${path}-wal`, `${path}-shm`, defaultSigningKeyPath(path)]) chmodSync(file, 0o644);
    expect(Object.values(modes(path))).toEqual([0o644, 0o644, 0o644, 0o644]);
    const ledger = SqliteLedger.open(path, { env: {}, clock: steppingClock() });
    expect(modes(path)).toEqual(OWNER_ONLY);
    await ledger.append(sampleEntry(1));
    expect(modes(path)).toEqual(OWNER_ONLY);
    other.close();
    await ledger.close();
  });

  it('keeps the owner\'s own bits: a group-writable file loses group and others, nothing more', async () => {
    const path = join(tempDir(), 'ledger.db');
    (await SqliteLedger.open(path, { env: {} }).close());
    chmodSync(path, 0o666);
    const ledger = SqliteLedger.open(path, { env: {} });
    expect(modeOf(path)).toBe(0o600);
    await ledger.close();
  });

  it('a key at CHANGEPROOF_SIGNING_KEY_PATH is created 0600, and tightened if it was wider', async () => {
    const dir = tempDir();
    const keyPath = join(dir, 'keys', 'checkpoints.pem');
    const ledger = SqliteLedger.open(join(dir, 'ledger.db'), { env: { CHANGEPROOF_SIGNING_KEY_PATH: keyPath } });
    expect(modeOf(keyPath)).toBe(0o600);
    await ledger.close();
    const wide = join(dir, 'wide.pem');
    writeFileSync(wide, generateSigningKey().privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), { mode: 0o644 });
    chmodSync(wide, 0o644);
    const other = SqliteLedger.open(join(dir, 'other.db'), { env: { CHANGEPROOF_SIGNING_KEY_PATH: wide } });
    expect(modeOf(wide)).toBe(0o600);
    await other.close();
  });

  it('an in-memory ledger touches no file', async () => {
    const ledger = SqliteLedger.open(':memory:', { env: {} });
    await ledger.append(sampleEntry(0));
    expect(existsSync(':memory:')).toBe(false);
    await ledger.close();
  });
});
