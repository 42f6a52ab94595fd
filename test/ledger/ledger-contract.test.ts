import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { GENESIS_HASH, entryHash } from '../../src/ledger/hash.js';
import type { LedgerEntry } from '../../src/ledger/ledger.js';
import { publicKeyFromPem } from '../../src/ledger/signing-key.js';
import { verifyLedger } from '../../src/ledger/verify.js';
import { BACKENDS, closeAll, freshLedger, type BackendOptions } from './support/backends.js';
import { removeTempDirs, sampleEntry, steppingClock } from './support/ledger-fixture.js';
import { dropFileDatabase } from './support/postgres.js';

// What every Ledger does, whatever stores it: this suite runs once per backend
// (SQLite, PostgreSQL). What only one backend does is in sqlite-ledger.test.ts
// and postgres-ledger.test.ts.

afterEach(async () => {
  await closeAll();
  removeTempDirs();
});
afterAll(dropFileDatabase);

async function all(iterable: AsyncIterable<LedgerEntry>): Promise<LedgerEntry[]> {
  const out: LedgerEntry[] = [];
  for await (const entry of iterable) out.push(entry);
  return out;
}

describe.each(BACKENDS)('the $name ledger', (backend) => {
  const open = (options: BackendOptions = {}) => freshLedger(backend, { clock: steppingClock(), ...options });
  if (backend.skip) it.skip(`(skipped: ${backend.skip})`, () => undefined);
  const describe_ = backend.skip ? describe.skip : describe;

  describe_('append', () => {
    it('chains entries: seq from 1, prev_hash = previous hash, hash over prev_hash and the body', async () => {
      const ledger = await open();
      const { entries: [first] } = await ledger.append(sampleEntry(0));
      const { entries: [second] } = await ledger.append(sampleEntry(1));
      expect(first).toMatchObject({ seq: 1, prev_hash: GENESIS_HASH, recorded_at: '2026-03-01T09:00:00.000Z', kind: 'evaluation', repo: 'acme/api', subject: 'pull/0' });
      expect(second).toMatchObject({ seq: 2, prev_hash: first!.hash, recorded_at: '2026-03-01T09:00:01.000Z' });
      const { hash, ...body } = second!;
      expect(hash).toBe(entryHash(first!.hash, JSON.stringify(Object.fromEntries(Object.entries(body).sort(([a], [b]) => (a < b ? -1 : 1))))));
      expect(await ledger.head()).toEqual({ size: 2, hash: second!.hash });
    });

    it('appends a batch atomically, with one recorded_at, and returns it', async () => {
      const ledger = await open();
      const { entries, duplicate } = await ledger.append([sampleEntry(0), sampleEntry(3)], { deliveryId: 'd-1' });
      expect(duplicate).toBe(false);
      expect(entries.map((e) => [e.seq, e.kind, e.recorded_at])).toEqual([
        [1, 'evaluation', '2026-03-01T09:00:00.000Z'], [2, 'exception', '2026-03-01T09:00:00.000Z'],
      ]);
    });

    it('returns the data as stored (dates through toJSON)', async () => {
      const ledger = await open();
      const { entries } = await ledger.append({ kind: 'push', repo: 'acme/api', subject: 'push/1', data: { at: new Date('2026-01-02T03:04:05Z'), skip: undefined } });
      expect(entries[0]!.data).toEqual({ at: '2026-01-02T03:04:05.000Z' });
    });

    it('never lets recorded_at go backwards when the clock does', async () => {
      const times = ['2026-03-01T10:00:00Z', '2026-03-01T09:00:00Z', '2026-03-01T11:00:00Z'];
      const ledger = await open({ clock: () => new Date(times.shift()!) });
      const recorded = [];
      for (let i = 0; i < 3; i++) recorded.push((await ledger.append(sampleEntry(i))).entries[0]!.recorded_at);
      expect(recorded).toEqual(['2026-03-01T10:00:00.000Z', '2026-03-01T10:00:00.000Z', '2026-03-01T11:00:00.000Z']);
    });

    it.each([
      ['a checkpoint (only the ledger writes those)', { kind: 'checkpoint', repo: null, subject: 'x', data: {} }, /not appendable/],
      ['an unknown kind', { kind: 'deploy', repo: null, subject: 'x', data: {} }, /not appendable/],
      ['a repo that is not owner/name', { kind: 'push', repo: 'acme', subject: 'x', data: {} }, /owner\/name/],
      ['an empty subject', { kind: 'push', repo: 'acme/api', subject: '', data: {} }, /subject/],
      ['undefined data', { kind: 'push', repo: 'acme/api', subject: 'x', data: undefined }, /data/],
      ['a function in data', { kind: 'push', repo: 'acme/api', subject: 'x', data: { f: () => 1 } }, /JSON/],
      ['NaN in data', { kind: 'push', repo: 'acme/api', subject: 'x', data: { n: Number.NaN } }, /NaN/],
    ])('refuses %s and writes nothing', async (_, input, message) => {
      const ledger = await open();
      await ledger.append(sampleEntry(0));
      const before = await ledger.head();
      // A good entry first: the bad one must not leave it behind either.
      await expect(ledger.append([sampleEntry(1), input as never])).rejects.toMatchObject({ code: 'LEDGER_INVALID_ENTRY', message });
      expect(await ledger.head()).toEqual(before);
    });

    it('refuses an empty batch', async () => {
      await expect((await open()).append([])).rejects.toMatchObject({ code: 'LEDGER_INVALID_ENTRY' });
    });
  });

  describe_('idempotency by delivery id', () => {
    it('a repeated delivery returns the entries recorded the first time and writes nothing', async () => {
      const ledger = await open();
      const first = await ledger.append([sampleEntry(0), sampleEntry(3)], { deliveryId: 'abc' });
      await ledger.append(sampleEntry(5), { deliveryId: 'other' });
      const head = await ledger.head();
      const again = await ledger.append([sampleEntry(9)], { deliveryId: 'abc' });
      expect(again).toEqual({ entries: first.entries, duplicate: true });
      expect(await ledger.head()).toEqual(head);
      expect(await ledger.hasDelivery('abc')).toBe(true);
      expect(await ledger.hasDelivery('never')).toBe(false);
    });

    it('returns the earlier entries even when checkpoints were written among them', async () => {
      const ledger = await open({ checkpointPolicy: { everyEntries: 2 } });
      const first = await ledger.append([0, 1, 2, 3, 4].map((i) => sampleEntry(i)), { deliveryId: 'batch' });
      expect(first.entries.map((e) => e.seq)).toEqual([1, 2, 4, 5, 7]);
      expect((await ledger.append(sampleEntry(9), { deliveryId: 'batch' })).entries).toEqual(first.entries);
    });
  });

  describe_('read', () => {
    async function filled() {
      const times = ['2026-03-01T00:00:00Z', '2026-03-05T00:00:00Z', '2026-03-10T00:00:00Z', '2026-04-01T00:00:00Z', '2026-04-02T00:00:00Z'];
      // Days apart: without a long time policy every append would also sign a checkpoint.
      const ledger = await open({ clock: () => new Date(times.shift() ?? '2026-05-01T00:00:00Z'), checkpointPolicy: { everyMs: 1e12 } });
      await ledger.append(sampleEntry(0, 'acme/api'));
      await ledger.append([sampleEntry(1, 'acme/web'), sampleEntry(3, 'acme/web')]);
      await ledger.append(sampleEntry(2, 'acme/api'));
      await ledger.checkpoint();
      await ledger.append(sampleEntry(4, 'acme/web'));
      return ledger;
    }
    const seqs = (entries: LedgerEntry[]) => entries.map((e) => e.seq);

    it('iterates everything in seq order', async () => {
      expect(seqs(await all((await filled()).read()))).toEqual([1, 2, 3, 4, 5, 6]);
    });

    it('filters by seq, time ([from, to)), repo and kind, combined', async () => {
      const ledger = await filled();
      expect(seqs(await all(ledger.read({ fromSeq: 3, toSeq: 5 })))).toEqual([3, 4, 5]);
      expect(seqs(await all(ledger.read({ from: '2026-03-05', to: '2026-04-01T00:00:00Z' })))).toEqual([2, 3, 4]);
      expect(seqs(await all(ledger.read({ repo: 'acme/web' })))).toEqual([2, 3, 6]);
      expect(seqs(await all(ledger.read({ kinds: ['exception'] })))).toEqual([3]);
      expect(seqs(await all(ledger.read({ kinds: ['checkpoint'] })))).toEqual([5]);
      expect(seqs(await all(ledger.read({ repo: 'acme/web', from: '2026-03-06', kinds: ['evaluation'] })))).toEqual([6]);
      expect(seqs(await all(ledger.read({ from: '2027-01-01' })))).toEqual([]);
    });

    it('filters by subject within a repository, newest first and limited on request', async () => {
      const ledger = await filled();
      await ledger.append([{ ...sampleEntry(1, 'acme/web'), kind: 'head_push' }, sampleEntry(1, 'acme/api')]);
      expect(seqs(await all(ledger.read({ repo: 'acme/web', subject: 'pull/1' })))).toEqual([2, 7]);
      expect(seqs(await all(ledger.read({ repo: 'acme/web', subject: 'pull/1', kinds: ['head_push'] })))).toEqual([7]);
      expect(seqs(await all(ledger.read({ repo: 'acme/web', subject: 'pull/1', order: 'desc', limit: 1 })))).toEqual([7]);
      expect(seqs(await all(ledger.read({ repo: 'acme/api', subject: 'pull/1' })))).toEqual([8]);
      expect(seqs(await all(ledger.read({ repo: 'acme/web', order: 'desc', limit: 2 })))).toEqual([7, 6]);
      await expect(all(ledger.read({ subject: 'pull/1' }))).rejects.toMatchObject({ code: 'LEDGER_INVALID_ENTRY' });
    });

    it('refuses a time bound that is not ISO-8601', async () => {
      await expect(all((await filled()).read({ from: 'last tuesday' }))).rejects.toMatchObject({ code: 'LEDGER_INVALID_ENTRY' });
    });

    it('readLines yields the NDJSON lines that verify', async () => {
      const ledger = await open();
      for (let i = 0; i < 4; i++) await ledger.append(sampleEntry(i));
      const lines: string[] = [];
      for await (const line of ledger.readLines()) lines.push(line);
      expect(lines.map((l) => JSON.parse(l).seq)).toEqual([1, 2, 3, 4]);
      const report = await verifyLedger([lines.map((l) => `${l}\n`).join('')], { publicKey: publicKeyFromPem(ledger.publicKeyPem()) });
      expect(report).toMatchObject({ ok: true, entries: 4 });
      await ledger.close();
    });

    it('lets the ledger append while a reader is part-way through (the reader keeps its snapshot)', async () => {
      const ledger = await open();
      for (let i = 0; i < 3; i++) await ledger.append(sampleEntry(i));
      const seen: number[] = [];
      for await (const entry of ledger.read()) {
        seen.push(entry.seq);
        if (entry.seq === 1) await ledger.append(sampleEntry(10));
      }
      expect(seen).toEqual([1, 2, 3]);
      expect((await ledger.head()).size).toBe(4);
      await ledger.close();
    });
  });

  describe_('checkpoints', () => {
    it('are written every N entries, even inside one batch', async () => {
      const ledger = await open({ checkpointPolicy: { everyEntries: 3 } });
      await ledger.append([0, 1, 2, 3, 4, 5, 6].map((i) => sampleEntry(i)));
      const checkpoints = await all(ledger.read({ kinds: ['checkpoint'] }));
      expect(checkpoints.map((c) => [c.seq, (c.data as { size: number }).size])).toEqual([[4, 3], [8, 7]]);
    });

    it('are written once the oldest unsigned entry is 10 minutes old (injected time)', async () => {
      let now = Date.parse('2026-03-01T09:00:00Z');
      const ledger = await open({ clock: () => new Date(now) });
      await ledger.append(sampleEntry(0));
      now += 9 * 60_000;
      await ledger.append(sampleEntry(1));
      expect(await ledger.checkpointIfDue()).toBeNull();
      now += 60_000;
      const checkpoint = await ledger.checkpointIfDue();
      expect(checkpoint).toMatchObject({ seq: 3, kind: 'checkpoint', subject: 'checkpoint/2', recorded_at: '2026-03-01T09:10:00.000Z' });
      expect(await ledger.checkpointIfDue()).toBeNull(); // nothing unsigned
      now += 11 * 60_000;
      await ledger.append(sampleEntry(2));
      now += 10 * 60_000;
      const { entries } = await ledger.append(sampleEntry(3)); // the append itself notices
      expect((await ledger.latestCheckpoint())).toMatchObject({ seq: entries[0]!.seq + 1, size: entries[0]!.seq });
    });

    it('latestCheckpoint is signed over size and head, verifiable with the exported public key', async () => {
      const ledger = await open();
      expect(await ledger.latestCheckpoint()).toBeNull();
      await ledger.append([sampleEntry(0), sampleEntry(1)]);
      const head = await ledger.head();
      await ledger.checkpoint();
      expect(await ledger.checkpoint()).toBeNull();
      const checkpoint = await ledger.latestCheckpoint();
      expect(checkpoint).toMatchObject({ seq: 3, size: 2, head_hash: head.hash, format: 'changeproof-checkpoint/v1' });
      expect(ledger.publicKeyPem()).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    });

    it('close() signs a final checkpoint, then refuses further use', async () => {
      const path = await backend.fresh();
      const ledger = await backend.open(path, { clock: steppingClock() });
      await ledger.append(sampleEntry(0));
      await ledger.close();
      await ledger.close(); // idempotent
      await expect(ledger.append(sampleEntry(1))).rejects.toMatchObject({ code: 'LEDGER_CLOSED' });
      const report = await verifyLedger(path, { publicKey: publicKeyFromPem(ledger.publicKeyPem()), requireFinalCheckpoint: true });
      expect(report).toMatchObject({ ok: true, entries: 2, checkpoints: 1, unsignedTail: 0 });
    });
  });
});
