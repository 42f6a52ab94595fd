import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { BACKENDS, closeAll, freshLedger } from './support/backends.js';
import { removeTempDirs, steppingClock } from './support/ledger-fixture.js';
import { dropFileDatabase } from './support/postgres.js';

// The durable inbox, once per backend (SQLite, PostgreSQL).

afterEach(async () => {
  await closeAll();
  removeTempDirs();
});
afterAll(dropFileDatabase);

describe.each(BACKENDS)('the delivery inbox ($name)', (backend) => {
  const open = () => freshLedger(backend, { clock: steppingClock() });
  if (backend.skip) it.skip(`(skipped: ${backend.skip})`, () => undefined);
  const it_ = backend.skip ? it.skip : it;

  it_('accepts a delivery once; a redelivery is recognised, pending or completed', async () => {
    const ledger = await open();
    expect(await ledger.inbox.accept('d1', 'pull_request', '{"action":"opened"}')).toEqual({ accepted: true, completed: false });
    expect(await ledger.inbox.accept('d1', 'pull_request', '{"action":"opened"}')).toEqual({ accepted: false, completed: false });
    expect(await ledger.inbox.complete('d1')).toBe(true);
    expect(await ledger.inbox.complete('d1')).toBe(false);
    expect(await ledger.inbox.complete('unknown')).toBe(false);
    expect(await ledger.inbox.accept('d1', 'pull_request', '{}')).toEqual({ accepted: false, completed: true });
  });

  it_('lists pending deliveries oldest first, with failed attempts, and forgets completed payloads', async () => {
    const ledger = await open();
    await ledger.inbox.accept('b', 'push', '{"n":1}');
    await ledger.inbox.accept('a', 'status', '{"n":2}');
    await ledger.inbox.accept('c', 'check_run', '{"n":3}');
    await ledger.inbox.fail('a', 'GitHub answered 502');
    await ledger.inbox.fail('a', 'GitHub answered 503');
    await ledger.inbox.complete('c');
    expect(await ledger.inbox.pending()).toEqual([
      { deliveryId: 'b', event: 'push', payloadJson: '{"n":1}', acceptedAt: '2026-03-01T09:00:00.000Z', attempts: 0, lastError: null },
      { deliveryId: 'a', event: 'status', payloadJson: '{"n":2}', acceptedAt: '2026-03-01T09:00:01.000Z', attempts: 2, lastError: 'GitHub answered 503' },
    ]);
  });

  it_('lists pending ids without payloads, and reads one pending delivery', async () => {
    const ledger = await open();
    await ledger.inbox.accept('b', 'push', '{"n":1}');
    await ledger.inbox.accept('a', 'status', '{"n":2}');
    await ledger.inbox.complete('b');
    await ledger.inbox.fail('a', 'GitHub answered 502');
    expect(await ledger.inbox.pendingIds()).toEqual(['a']);
    expect(await ledger.inbox.pendingItem('a')).toEqual({ deliveryId: 'a', event: 'status', payloadJson: '{"n":2}', acceptedAt: '2026-03-01T09:00:01.000Z', attempts: 1, lastError: 'GitHub answered 502' });
    expect(await ledger.inbox.pendingItem('b')).toBeNull();
    expect(await ledger.inbox.pendingItem('unknown')).toBeNull();
  });

  it_('answers each of several deliveries accepted at once; a delivery accepted twice at once is stored once', async () => {
    const ledger = await open();
    await ledger.inbox.accept('done', 'push', '{}');
    await ledger.inbox.complete('done');
    const results = await Promise.all([
      ledger.inbox.accept('d1', 'pull_request', '{"n":1}'),
      ledger.inbox.accept('d2', 'pull_request', '{"n":2}'),
      ledger.inbox.accept('d1', 'pull_request', '{"n":1}'),
      ledger.inbox.accept('done', 'push', '{}'),
    ]);
    expect(results[1]).toEqual({ accepted: true, completed: false });
    expect(results[3]).toEqual({ accepted: false, completed: true });
    // Which of the two d1 arrives first is the storage's business; exactly one stores it.
    expect([results[0], results[2]]).toContainEqual({ accepted: true, completed: false });
    expect([results[0], results[2]]).toContainEqual({ accepted: false, completed: false });
    expect((await ledger.inbox.pendingIds()).sort()).toEqual(['d1', 'd2']);
  });

  it_('survives a restart (beside the ledger), so accepted work is replayed', async () => {
    const location = await backend.fresh();
    const first = await backend.open(location);
    await first.inbox.accept('d1', 'pull_request', '{"x":1}');
    // No close(): as after a crash.
    const second = await backend.open(location);
    expect((await second.inbox.pending()).map((item) => item.deliveryId)).toEqual(['d1']);
    await second.close();
    await first.close();
  });

  it_('is not part of the hash chain', async () => {
    const ledger = await open();
    await ledger.inbox.accept('d1', 'push', '{}');
    expect(await ledger.head()).toEqual({ size: 0, hash: '0'.repeat(64) });
  });
});

describe('the SQLite inbox', () => {
  it('commits deliveries accepted in one turn of the event loop as one transaction, in call order', async () => {
    const ledger = await freshLedger(BACKENDS[0]!, { clock: steppingClock() });
    const results = await Promise.all([
      ledger.inbox.accept('d1', 'pull_request', '{"n":1}'),
      ledger.inbox.accept('d2', 'pull_request', '{"n":2}'),
      ledger.inbox.accept('d1', 'pull_request', '{"n":1}'),
    ]);
    expect(results).toEqual([{ accepted: true, completed: false }, { accepted: true, completed: false }, { accepted: false, completed: false }]);
  });
});
