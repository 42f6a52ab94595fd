import Database from 'better-sqlite3';
import { chmodSync, closeSync, mkdirSync, openSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LedgerError } from '../../src/ledger/errors.js';
import { SqliteLedger } from '../../src/ledger/sqlite-ledger.js';
import { publicKeyFromPem } from '../../src/ledger/signing-key.js';
import { verifyLedger } from '../../src/ledger/verify.js';
import { startChild } from './support/child.js';
import { buildLedger, removeTempDirs, sampleEntry, seededRandom, steppingClock, tempDir } from './support/ledger-fixture.js';

afterEach(removeTempDirs);

const randomBytes = (n: number, seed: number) => {
  const random = seededRandom(seed);
  return Buffer.from(Array.from({ length: n }, () => Math.floor(random() * 256)));
};

describe('a ledger that cannot be written', () => {
  it('read-only file or folder: LEDGER_READ_ONLY with what to do, at open', async () => {
    const built = await buildLedger({ count: 3 });
    const readOnlyDir = join(tempDir(), 'locked');
    mkdirSync(readOnlyDir);
    for (const dir of [built.dir, readOnlyDir]) chmodSync(dir, 0o755);
    chmodSync(built.path, 0o444);
    chmodSync(readOnlyDir, 0o555);
    chmodSync(join(readOnlyDir, '..'), 0o755);
    // Root ignores permissions, so when the tests run as root the attempt is made as "nobody".
    const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534, env: { HOME: '/tmp' } } : {};
    const child = startChild('./try-open.ts', [built.path, join(readOnlyDir, 'new.db')], asNobody);
    await child.exited;
    const results = child.lines.map((line) => JSON.parse(line) as { code?: string; message?: string });
    expect(results, child.stderr()).toHaveLength(2);
    for (const result of results) {
      expect(result.code).toBe('LEDGER_READ_ONLY');
      expect(result.message).toMatch(/writable/);
    }
    chmodSync(built.path, 0o644);
  });

  it('full disk (max_page_count): LEDGER_FULL, and the failed append leaves nothing behind', async () => {
    const path = join(tempDir(), 'ledger.db');
    const ledger = SqliteLedger.open(path, { clock: steppingClock(), maxSizeBytes: 160 * 1024 });
    const big = (i: number) => ({ ...sampleEntry(i), data: { filler: 'x'.repeat(3000), i } });
    let failure: unknown;
    let i = 0;
    for (; i < 500 && !failure; i++) {
      const head = await ledger.head();
      try {
        await ledger.append([big(i), big(i + 1000), big(i + 2000)], { deliveryId: `d-${i}` });
      } catch (error) {
        failure = error;
        expect(await ledger.head()).toEqual(head);
        expect(await ledger.hasDelivery(`d-${i}`)).toBe(false);
      }
    }
    expect(failure).toBeInstanceOf(LedgerError);
    expect(failure).toMatchObject({ code: 'LEDGER_FULL', message: expect.stringMatching(/nothing was written/) });
    expect(i).toBeGreaterThan(3);
    // Still readable and intact; the final checkpoint may not fit, and close() says so.
    const pem = ledger.publicKeyPem();
    await ledger.close().catch((error: unknown) => expect(error).toMatchObject({ code: 'LEDGER_FULL' }));
    expect(await verifyLedger(path, { publicKey: publicKeyFromPem(pem) })).toMatchObject({ ok: true });
  });

  it('held by another writer past the busy timeout: LEDGER_UNAVAILABLE, nothing written', async () => {
    const path = join(tempDir(), 'ledger.db');
    const ledger = SqliteLedger.open(path, { busyTimeoutMs: 50 });
    await ledger.append(sampleEntry(0));
    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE');
    await expect(ledger.append(sampleEntry(1))).rejects.toMatchObject({ code: 'LEDGER_UNAVAILABLE', message: expect.stringMatching(/lock/) });
    other.exec('ROLLBACK');
    other.close();
    expect((await ledger.head()).size).toBe(1);
    await ledger.close();
  });
});

describe('a ledger that cannot be read', () => {
  it('random bytes: LEDGER_CORRUPT at open; verify does not call it intact', async () => {
    const path = join(tempDir(), 'ledger.db');
    writeFileSync(path, randomBytes(64 * 1024, 7));
    expect(() => SqliteLedger.open(path)).toThrow(expect.objectContaining({ code: 'LEDGER_CORRUPT', message: expect.stringMatching(/backup|export/) }));
    const report = await verifyLedger(path, { publicKey: (await buildLedger({ count: 0 })).publicKey });
    expect(report.failure).toMatchObject({ seq: 1, reason: expect.stringMatching(/malformed|truncated/) });
  });

  it('damaged pages inside a real ledger: never reported intact', async () => {
    const built = await buildLedger({ count: 300, everyEntries: 50 });
    const size = statSync(built.path).size;
    const fd = openSync(built.path, 'r+');
    writeSync(fd, randomBytes(4096 * 6, 11), 0, 4096 * 6, Math.floor(size / 2 / 4096) * 4096);
    closeSync(fd);
    const outcome = await verifyLedger(built.path, { publicKey: built.publicKey }).then(
      (report) => report.ok ? 'intact' : report.failure!.reason,
      (error: unknown) => (error as LedgerError).code,
    );
    expect(outcome).not.toBe("intact");
  });

  it("another application's SQLite file: LEDGER_CORRUPT, untouched", async () => {
    const path = join(tempDir(), 'other.db');
    const other = new Database(path);
    other.exec('CREATE TABLE customers (id INTEGER PRIMARY KEY)');
    other.close();
    expect(() => SqliteLedger.open(path)).toThrow(expect.objectContaining({ code: 'LEDGER_CORRUPT', message: expect.stringMatching(/not a changeproof ledger/) }));
    const check = new Database(path);
    expect(check.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").pluck().all()).toEqual(['customers']);
    check.close();
  });

  it('a ledger from a newer version: LEDGER_TOO_NEW', async () => {
    const built = await buildLedger({ count: 1 });
    const db = new Database(built.path);
    db.pragma('user_version = 99');
    db.close();
    expect(() => SqliteLedger.open(built.path)).toThrow(expect.objectContaining({ code: 'LEDGER_TOO_NEW' }));
  });
});
