import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, type AppServices, type Log } from '../../src/app/services.js';
import { DeliveryWorker } from '../../src/app/worker.js';
import { PostgresLedger } from '../../src/ledger/postgres/postgres-ledger.js';
import { generateSigningKey } from '../../src/ledger/signing-key.js';
import { dropFileDatabase, freshSchema, postgresUnavailable } from '../ledger/support/postgres.js';

// Two workers (two replicas) on one PostgreSQL inbox: each delivery is
// processed by exactly one of them, whichever replica accepted it.

const skip = await postgresUnavailable();
if (skip) console.warn(`Skipping the work-sharing tests: ${skip}`);

const opened: Array<{ worker: DeliveryWorker; ledger: PostgresLedger }> = [];
afterEach(async () => {
  for (const { worker, ledger } of opened.splice(0)) {
    await worker.stop();
    await ledger.close();
  }
});
afterAll(dropFileDatabase);

/** A replica: its own pool and claims connection; records which deliveries it processed (they carry no installation, so processing is only claiming, logging and completing). */
async function replica(url: string, processed: string[]): Promise<{ worker: DeliveryWorker; ledger: PostgresLedger }> {
  const ledger = await PostgresLedger.open(url, { signingKey: generateSigningKey(), shareWork: true, rescanMs: 100, poolSize: 3 });
  const log: Log = {
    debug: () => undefined, info: () => undefined, error: () => undefined,
    warn: (obj: unknown) => {
      const delivery = (obj as { delivery?: string }).delivery;
      if (delivery) processed.push(delivery);
    },
  };
  const services = {
    ledger, log, clock: () => new Date(), appId: null, settings: { ...DEFAULT_SETTINGS, pushSettleMs: 0 },
    installationClient: () => Promise.reject(new Error('not used')), appClient: () => Promise.reject(new Error('not used')),
  } as unknown as AppServices;
  const worker = new DeliveryWorker(services);
  opened.push({ worker, ledger });
  return { worker, ledger };
}

describe.skipIf(skip)('replicas sharing one PostgreSQL inbox', () => {
  it('process each delivery exactly once, whichever replica accepted it, and leave nothing pending', async () => {
    const url = await freshSchema();
    const processed: string[][] = [[], []];
    const replicas = [await replica(url, processed[0]!), await replica(url, processed[1]!)];
    for (const r of replicas) r.worker.start();
    const ids: string[] = [];
    for (let i = 0; i < 120; i++) {
      const id = `d-${i}`;
      ids.push(id);
      const target = replicas[i % 2]!;
      await target.ledger.inbox.accept(id, 'pull_request', JSON.stringify({ action: 'opened', repository: { full_name: `acme/repo-${i % 5}` } }));
      target.worker.notify(id);
    }
    const deadline = Date.now() + 20_000;
    while ((await replicas[0]!.ledger.inbox.pendingIds()).length > 0) {
      if (Date.now() > deadline) throw new Error('the replicas did not finish');
      await new Promise((r) => setTimeout(r, 50));
    }
    const all = [...processed[0]!, ...processed[1]!];
    expect(all.sort()).toEqual([...ids].sort());
    // Both took part: work accepted by one was also done by the other.
    expect(processed[0]!.length).toBeGreaterThan(0);
    expect(processed[1]!.length).toBeGreaterThan(0);
  });

  it('a delivery accepted by a replica that is gone is done by another', async () => {
    const url = await freshSchema();
    const gone = await PostgresLedger.open(url, { signingKey: generateSigningKey() });
    await gone.inbox.accept('orphan', 'push', JSON.stringify({ repository: { full_name: 'acme/api' } }));
    await gone.close();
    const processed: string[] = [];
    const { worker, ledger } = await replica(url, processed);
    worker.start();
    await worker.idle();
    const deadline = Date.now() + 5000;
    while ((await ledger.inbox.pendingIds()).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(processed).toEqual(['orphan']);
  });
});
