import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteLedger } from '../../src/ledger/sqlite-ledger.js';
import { removeTempDirs, steppingClock, tempDir } from './support/ledger-fixture.js';

afterEach(removeTempDirs);

describe('the delivery inbox', () => {
  it('accepts a delivery once; a redelivery is recognised, pending or completed', async () => {
    const ledger = SqliteLedger.open(':memory:', { clock: steppingClock() });
    expect(await ledger.inbox.accept('d1', 'pull_request', '{"action":"opened"}')).toEqual({ accepted: true, completed: false });
    expect(await ledger.inbox.accept('d1', 'pull_request', '{"action":"opened"}')).toEqual({ accepted: false, completed: false });
    expect(await ledger.inbox.complete('d1')).toBe(true);
    expect(await ledger.inbox.complete('d1')).toBe(false);
    expect(await ledger.inbox.complete('unknown')).toBe(false);
    expect(await ledger.inbox.accept('d1', 'pull_request', '{}')).toEqual({ accepted: false, completed: true });
  });

  it('lists pending deliveries oldest first, with failed attempts, and forgets completed payloads', async () => {
    const ledger = SqliteLedger.open(':memory:', { clock: steppingClock() });
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

  it('lists pending ids without payloads, and reads one pending delivery', async () => {
    const ledger = SqliteLedger.open(':memory:', { clock: steppingClock() });
    await ledger.inbox.accept('b', 'push', '{"n":1}');
    await ledger.inbox.accept('a', 'status', '{"n":2}');
    await ledger.inbox.complete('b');
    await ledger.inbox.fail('a', 'GitHub answered 502');
    expect(await ledger.inbox.pendingIds()).toEqual(['a']);
    expect(await ledger.inbox.pendingItem('a')).toEqual({ deliveryId: 'a', event: 'status', payloadJson: '{"n":2}', acceptedAt: '2026-03-01T09:00:01.000Z', attempts: 1, lastError: 'GitHub answered 502' });
    expect(await ledger.inbox.pendingItem('b')).toBeNull();
    expect(await ledger.inbox.pendingItem('unknown')).toBeNull();
  });

  it('commits deliveries accepted together as one transaction, answering each', async () => {
    const ledger = SqliteLedger.open(':memory:', { clock: steppingClock() });
    await ledger.inbox.accept('done', 'push', '{}');
    await ledger.inbox.complete('done');
    const results = await Promise.all([
      ledger.inbox.accept('d1', 'pull_request', '{"n":1}'),
      ledger.inbox.accept('d2', 'pull_request', '{"n":2}'),
      ledger.inbox.accept('d1', 'pull_request', '{"n":1}'),
      ledger.inbox.accept('done', 'push', '{}'),
    ]);
    expect(results).toEqual([
      { accepted: true, completed: false },
      { accepted: true, completed: false },
      { accepted: false, completed: false },
      { accepted: false, completed: true },
    ]);
    expect(await ledger.inbox.pendingIds()).toEqual(['d1', 'd2']);
  });

  it('survives a restart (same file as the ledger), so accepted work is replayed', async () => {
    const path = join(tempDir(), 'ledger.db');
    const first = SqliteLedger.open(path);
    await first.inbox.accept('d1', 'pull_request', '{"x":1}');
    // No close(): as after a crash.
    const second = SqliteLedger.open(path);
    expect((await second.inbox.pending()).map((item) => item.deliveryId)).toEqual(['d1']);
    await second.close();
    await first.close();
  });

  it('is not part of the hash chain', async () => {
    const ledger = SqliteLedger.open(':memory:', { clock: steppingClock() });
    await ledger.inbox.accept('d1', 'push', '{}');
    expect(await ledger.head()).toEqual({ size: 0, hash: '0'.repeat(64) });
  });
});
