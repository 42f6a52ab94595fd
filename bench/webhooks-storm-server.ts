// The server side of `bench/webhooks.ts --storm`, used by bench/webhooks-server.ts
// when BENCH_CAPTURE is set: it records each GitHub request of the app as it
// leaves through `fetch` (GraphQL queries with the pull request they ask about
// and the `rateLimit { cost }` GitHub answered; check-run writes with their
// head or run id and when they were answered), and answers the storm's IPC
// questions: mark the start, settle (including evaluations that wait to be
// coalesced), and report the ledger's evaluations since the mark.
import type { Ledger } from '../src/ledger/index.js';

/** One GitHub request of the app. */
export interface CapturedRequest {
  /** When the answer arrived (ms since the epoch; the processes share the clock). */
  at: number;
  kind: 'graphql' | 'check-run-write' | 'other';
  method: string;
  path: string;
  status: number;
  /** `owner/name` of the repository the request is about, where it names one. */
  repo?: string;
  /** The pull request a GraphQL query asks about (its `number` variable). */
  number?: number;
  /** GraphQL: the points GitHub charged (`rateLimit { cost }`), when the query asked. */
  cost?: number;
  operation?: string;
  /** Check-run writes: the name written (POST), the head (POST), the run (PATCH, and POST's answer). */
  name?: string;
  headSha?: string;
  runId?: number;
  conclusion?: string | null;
}

export type StormServerRequest =
  | { id: number; type: 'storm-mark' }
  | { id: number; type: 'storm-settle'; quietMs: number }
  | { id: number; type: 'storm-report'; fromSeq: number; deliveryIds: string[] };

/** A `fetch` that records what the app asks GitHub (reading bodies only as far as attribution needs). */
export function capturingFetch(inner: typeof fetch, log: CapturedRequest[]): typeof fetch {
  return async (input, init) => {
    const response = await inner(input, init);
    try {
      const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
      const method = (init?.method ?? 'GET').toUpperCase();
      const path = url.pathname.replace(/^\/api\/v3/, '');
      const entry: CapturedRequest = { at: Date.now(), kind: 'other', method, path, status: response.status };
      const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as Record<string, any>) : {};
      const repoMatch = /^\/repos\/([^/]+\/[^/]+)\//.exec(path);
      if (repoMatch) entry.repo = repoMatch[1]!.toLowerCase();
      if (method === 'POST' && path.endsWith('/graphql')) {
        entry.kind = 'graphql';
        const variables = (body['variables'] ?? {}) as Record<string, unknown>;
        if (typeof variables['owner'] === 'string' && typeof variables['name'] === 'string') entry.repo = `${variables['owner']}/${variables['name']}`.toLowerCase();
        if (typeof variables['number'] === 'number') entry.number = variables['number'];
        entry.operation = /^\s*query\s+(\w+)/.exec(String(body['query'] ?? ''))?.[1] ?? 'anonymous';
        const cost = ((await response.clone().json()) as { data?: { rateLimit?: { cost?: unknown } } })?.data?.rateLimit?.cost;
        if (typeof cost === 'number') entry.cost = cost;
      } else if ((method === 'POST' && /^\/repos\/[^/]+\/[^/]+\/check-runs$/.test(path)) || (method === 'PATCH' && /\/check-runs\/\d+$/.test(path))) {
        entry.kind = 'check-run-write';
        if (typeof body['name'] === 'string') entry.name = body['name'];
        if (typeof body['head_sha'] === 'string') entry.headSha = body['head_sha'];
        entry.conclusion = typeof body['conclusion'] === 'string' ? body['conclusion'] : null;
        const id = /\/check-runs\/(\d+)$/.exec(path)?.[1];
        if (id) entry.runId = Number(id);
        else if (response.ok) entry.runId = Number(((await response.clone().json()) as { id?: unknown }).id);
      }
      log.push(entry);
    } catch {
      // Attribution is best effort; the app's request is never affected.
    }
    return response;
  };
}

/** An evaluation recorded during the storm. */
export interface StormEvaluation {
  seq: number;
  repo: string;
  subject: string;
  recordedAt: string;
  outcome: string;
  deliveryId: string | null;
  event: string | null;
}

/** The storm's IPC questions, answered for the running app. */
export function stormHandler(options: { ledger: Ledger; idle: () => Promise<void>; captured: CapturedRequest[] }) {
  const { ledger, captured } = options;
  return async (message: StormServerRequest): Promise<object> => {
    switch (message.type) {
      case 'storm-mark':
        captured.length = 0;
        return { seq: (await ledger.head()).size };
      case 'storm-settle': {
        // Finished when the worker is idle, the inbox empty and the ledger has not grown for
        // `quietMs` (a re-evaluation waiting to fold in more deliveries may hold none of them
        // in the inbox, and runs up to its wait after the last one).
        let size = (await ledger.head()).size;
        let since = Date.now();
        for (;;) {
          await options.idle();
          const pending = (await ledger.inbox.pendingIds()).length;
          const now = (await ledger.head()).size;
          if (now !== size || pending > 0) {
            size = now;
            since = Date.now();
          } else if (Date.now() - since >= message.quietMs) {
            return { seq: now };
          }
          await new Promise((r) => setTimeout(r, 25));
        }
      }
      case 'storm-report': {
        const evaluations: StormEvaluation[] = [];
        for await (const entry of ledger.read({ kinds: ['evaluation'], fromSeq: message.fromSeq + 1 })) {
          const data = entry.data as { trigger?: { deliveryId?: string; event?: string }; verdict?: { outcome?: string } };
          evaluations.push({
            seq: entry.seq, repo: String(entry.repo).toLowerCase(), subject: entry.subject, recordedAt: entry.recorded_at,
            outcome: String(data.verdict?.outcome), deliveryId: data.trigger?.deliveryId ?? null, event: data.trigger?.event ?? null,
          });
        }
        let pending = 0;
        for (const id of message.deliveryIds) if ((await ledger.inbox.pendingItem(id)) !== null) pending += 1;
        return { evaluations, captured: captured.splice(0), pending };
      }
    }
  };
}
