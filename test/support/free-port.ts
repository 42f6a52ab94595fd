import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP port free on 127.0.0.1 right now. Probot's `Server` reads port 0 as
 * "use 3000", so test apps, child apps and benchmarks ask for one first.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
