import { Readable } from 'node:stream';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteLedger } from '../../src/ledger/sqlite-ledger.js';
import { loadSigningKey, defaultSigningKeyPath } from '../../src/ledger/signing-key.js';
import { verifyLedger } from '../../src/ledger/verify.js';
import { buildLedger, removeTempDirs, sampleEntry, steppingClock, tempDir } from './support/ledger-fixture.js';

afterEach(removeTempDirs);

async function exported(path: string): Promise<string[]> {
  const ledger = SqliteLedger.open(path);
  const lines: string[] = [];
  for await (const line of ledger.readLines()) lines.push(line);
  await ledger.close();
  return lines;
}

describe('NDJSON import', () => {
  it('restores an export into an empty ledger with the same key, byte for byte; the ledger then goes on', async () => {
    const built = await buildLedger({ count: 12 });
    const lines = await exported(built.path);
    const key = loadSigningKey(defaultSigningKeyPath(built.path))!;
    const target = SqliteLedger.open(join(tempDir(), 'restored.db'), { signingKey: key, clock: steppingClock('2026-04-01T00:00:00.000Z') });
    const result = await target.importNdjson(Readable.from(lines.map((l) => `${l}\n`)));
    expect(result).toMatchObject({ entries: lines.length, head: { size: lines.length } });
    const again: string[] = [];
    for await (const line of target.readLines()) again.push(line);
    expect(again).toEqual(lines);
    await target.append(sampleEntry(99));
    await target.close();
    expect(await verifyLedger(target.path, { publicKey: built.publicKey, requireFinalCheckpoint: true })).toMatchObject({ ok: true, entries: lines.length + 2 });
  });

  it('refuses, writing nothing, an export that does not verify', async () => {
    const built = await buildLedger({ count: 12 });
    const lines = await exported(built.path);
    lines[4] = lines[4]!.replace('compliant', 'COMPLIANT');
    const key = loadSigningKey(defaultSigningKeyPath(built.path))!;
    const target = SqliteLedger.open(join(tempDir(), 'restored.db'), { signingKey: key });
    await expect(target.importNdjson(Readable.from(lines.map((l) => `${l}\n`)))).rejects.toMatchObject({ code: 'LEDGER_IMPORT_REJECTED', message: expect.stringMatching(/seq 5: hash_mismatch/) });
    expect(await target.head()).toEqual({ size: 0, hash: '0'.repeat(64) });
  });

  it("refuses an export whose checkpoints are not signed by the target's key", async () => {
    const built = await buildLedger({ count: 6 });
    const target = SqliteLedger.open(':memory:');
    await expect(target.importNdjson(Readable.from((await exported(built.path)).map((l) => `${l}\n`)))).rejects.toMatchObject({ code: 'LEDGER_IMPORT_REJECTED', message: expect.stringMatching(/bad_signature/) });
  });

  it('refuses a target that already has entries (chains are never merged)', async () => {
    const built = await buildLedger({ count: 3 });
    const target = SqliteLedger.open(':memory:');
    await target.append(sampleEntry(0));
    await expect(target.importNdjson(Readable.from((await exported(built.path)).map((l) => `${l}\n`)))).rejects.toMatchObject({ code: 'LEDGER_IMPORT_REJECTED', message: expect.stringMatching(/not empty/) });
  });
});
