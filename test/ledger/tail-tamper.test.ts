import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Ledger } from '../../src/ledger/ledger.js';
import { generateSigningKey, publicKeyFromPem, type SigningKey } from '../../src/ledger/signing-key.js';
import { verifyLedger } from '../../src/ledger/verify.js';
import { BACKENDS, type Backend, type BackendOptions } from './support/backends.js';
import { removeTempDirs, sampleEntry, steppingClock, tamperWith } from './support/ledger-fixture.js';
import { dropFileDatabase } from './support/postgres.js';
import { rewriteEntry } from './support/rewrite-tail.js';

// Someone who can write the storage but does not hold the key rewrites
// entries after the last checkpoint: no writer may then sign a checkpoint
// over them (that would make the forgery verify as signed). Runs once per backend.

const opened: Ledger[] = [];
afterEach(async () => {
  for (const ledger of opened.splice(0)) await ledger.close().catch(() => undefined);
  removeTempDirs();
});
afterAll(dropFileDatabase);

const flip = (entry: Record<string, unknown>) => ({ ...entry, data: { ...(entry.data as object), verdict: 'compliant', forged: true } });

describe.each(BACKENDS)('a $name ledger whose unsigned tail was changed outside changeproof', (backend: Backend) => {
  const describe_ = backend.skip ? describe.skip : describe;
  let key: SigningKey;
  let location: string;
  /** A writer (a replica, or another process) on the one ledger, all with the ledger's key. */
  const writer = async (options: BackendOptions = {}): Promise<Ledger> => {
    const ledger = await backend.open(location, { clock: steppingClock(), signingKey: key, ...options });
    opened.push(ledger);
    return ledger;
  };
  /** Two entries, a checkpoint (seq 3), then an unsigned entry (seq 4). */
  const withUnsignedTail = async (): Promise<Ledger> => {
    key = generateSigningKey();
    location = await backend.fresh();
    const ledger = await writer();
    await ledger.append([sampleEntry(0), sampleEntry(1)]);
    await ledger.checkpoint();
    await ledger.append(sampleEntry(3));
    return ledger;
  };

  describe_('refuses to sign', () => {
    it('a tail rewritten and re-hashed after this writer wrote it (LEDGER_TAMPERED); nothing is signed', async () => {
      const ledger = await withUnsignedTail();
      await rewriteEntry(backend, location, 4, flip);
      await expect(ledger.checkpoint()).rejects.toMatchObject({ code: 'LEDGER_TAMPERED', message: expect.stringMatching(/seq 4 no longer has the hash this writer recorded/) });
      expect((await ledger.latestCheckpoint())?.seq).toBe(3);
      await expect(ledger.close()).rejects.toMatchObject({ code: 'LEDGER_TAMPERED' });
      expect((await verifyLedger(location, { publicKey: key.publicKey })).lastCheckpoint?.seq).toBe(3);
    });

    it('a tail whose entry no longer hashes to its stored hash, by a writer that never saw it', async () => {
      await withUnsignedTail();
      await rewriteEntry(backend, location, 4, flip, false);
      const other = await writer();
      await expect(other.checkpoint()).rejects.toMatchObject({ code: 'LEDGER_TAMPERED', message: expect.stringMatching(/seq 4: .*hash_mismatch/) });
      expect((await other.latestCheckpoint())?.seq).toBe(3);
    });

    it('a tail from which entries this writer wrote were removed', async () => {
      const ledger = await withUnsignedTail();
      await ledger.append([sampleEntry(4), sampleEntry(5)]);
      if (backend.name === 'sqlite') {
        const db = tamperWith(location);
        db.prepare('DELETE FROM entries WHERE seq > 5').run();
        db.close();
      } else {
        const { asSuperuser } = await import('./support/postgres.js');
        await asSuperuser(location, (c) => c.query("BEGIN; SET LOCAL session_replication_role = replica; DELETE FROM entry_subjects WHERE seq > 5; DELETE FROM deliveries WHERE seq > 5; DELETE FROM entries WHERE seq > 5; COMMIT"));
      }
      await expect(ledger.checkpoint()).rejects.toMatchObject({ code: 'LEDGER_TAMPERED', message: expect.stringMatching(/entries were removed/) });
    });
  });

  describe_('still signs', () => {
    it('a tail several writers appended to, checkpoints in and between batches included', async () => {
      key = generateSigningKey();
      location = await backend.fresh();
      const writers = [await writer({ checkpointPolicy: { everyEntries: 5 } }), await writer({ checkpointPolicy: { everyEntries: 5 } })];
      let i = 0;
      for (let round = 0; round < 12; round++) {
        const w = writers[round % 2]!;
        await w.append(Array.from({ length: 1 + (round % 3) }, () => sampleEntry(i++)));
        if (round % 5 === 4) await writers[(round + 1) % 2]!.checkpoint();
      }
      await writers[0]!.checkpoint();
      const report = await verifyLedger(location, { publicKey: publicKeyFromPem(writers[1]!.publicKeyPem()), requireFinalCheckpoint: true });
      expect(report).toMatchObject({ ok: true, signatures: 'verified' });
      expect(report.checkpoints).toBeGreaterThan(4);
    });

    it('a ledger reopened after a clean close, and an empty one', async () => {
      const ledger = await withUnsignedTail();
      await ledger.close();
      const reopened = await writer();
      await reopened.append(sampleEntry(7));
      expect(await reopened.checkpoint()).toMatchObject({ kind: 'checkpoint' });
      location = await backend.fresh();
      expect(await (await writer()).checkpoint()).toBeNull();
    });
  });
});

describe('a SQLite writer', () => {
  it('appends nothing onto a tail rewritten since it wrote it', async () => {
    const { SqliteLedger } = await import('../../src/ledger/sqlite-ledger.js');
    const { tempDir } = await import('./support/ledger-fixture.js');
    const path = `${tempDir()}/ledger.db`;
    const ledger = SqliteLedger.open(path, { clock: steppingClock() });
    opened.push(ledger);
    await ledger.append([sampleEntry(0), sampleEntry(1)]);
    await ledger.checkpoint();
    await ledger.append(sampleEntry(3));
    await rewriteEntry(BACKENDS[0]!, path, 4, flip);
    const head = await ledger.head();
    await expect(ledger.append(sampleEntry(4))).rejects.toMatchObject({ code: 'LEDGER_TAMPERED' });
    expect(await ledger.head()).toEqual(head);
  });
});
