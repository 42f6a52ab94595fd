import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A round-robin HTTP proxy on 127.0.0.1, as a load balancer in front of app
 * replicas: each request goes to the next slot, whether that replica is up or
 * not (no health checks, so a killed replica's share of requests fails with
 * 502 until it is back, and GitHub — here the sender — redelivers them).
 *
 * @example
 * const proxy = await startRoundRobinProxy(['http://127.0.0.1:4001', …]);
 * proxy.setTarget(1, 'http://127.0.0.1:4005'); // replica 1 restarted elsewhere
 */
export async function startRoundRobinProxy(targets: Array<string | null>): Promise<{ url: string; setTarget(slot: number, url: string | null): void; close(): Promise<void> }> {
  let next = 0;
  const server: Server = createServer((req, res) => {
    const target = targets[next++ % targets.length];
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (!target) {
        res.writeHead(502).end('replica down');
        return;
      }
      const upstream = request(`${target}${req.url}`, { method: req.method, headers: { ...req.headers, connection: 'close' } }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => {
        if (!res.headersSent) res.writeHead(502);
        res.end();
      });
      upstream.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    setTarget: (slot, url) => {
      targets[slot] = url;
    },
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
