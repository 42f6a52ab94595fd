import { createHook } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Octokit } from '@octokit/core';
import Bottleneck from 'bottleneck';
import BottleneckLight from 'bottleneck/light.js';
import { ProbotOctokit } from 'probot';
import { afterEach, describe, expect, test } from 'vitest';
import { useMicrotaskYieldsInBottleneck } from '../../src/github/fast-bottleneck.js';
import { createOctokit, withChangeproofDefaults, type Resilience } from '../../src/github/octokit.js';
import { UNSPACED_WRITES } from '../support/simulator-octokit.js';

// The limits and retries of Changeproof's Octokit, through both of its classes,
// with Bottleneck's in-memory limiters handing jobs on as microtasks (src/github/fast-bottleneck.ts).
// A loopback server answers from a script: no network.

interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Drop the connection instead of answering (a network error). */
  drop?: boolean;
}

interface FakeGitHub {
  baseUrl: string;
  /** Answers for the next requests, in order; then 200 `{ id: 1 }`. */
  answers: Answer[];
  seen: Array<{ method: string; url: string; at: number }>;
}

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

async function fakeGitHub(): Promise<FakeGitHub> {
  const github: FakeGitHub = { baseUrl: '', answers: [], seen: [] };
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      github.seen.push({ method: req.method!, url: req.url!, at: performance.now() });
      const answer = github.answers.shift() ?? { status: 200, body: { id: 1 } };
      if (answer.drop) return void req.socket.destroy();
      res.writeHead(answer.status, { 'content-type': 'application/json', 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': '4999', ...answer.headers });
      res.end(JSON.stringify(answer.body ?? {}));
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  github.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return github;
}

const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
const secondaryLimit = (retryAfter: number, status: 403 | 429 = 403): Answer => ({
  status,
  headers: { 'retry-after': String(retryAfter) },
  body: { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' },
});
const primaryLimit = (resetInSeconds: number): Answer => ({
  status: 403,
  headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + resetInSeconds) },
  body: { message: 'API rate limit exceeded for installation.' },
});

type Client = Pick<Octokit, 'request'>;
/** The Action's/CLI's class and the app's (Probot's, as an installation client gets it), writes unspaced unless asked. */
const classes: Array<[string, (baseUrl: string, resilience: Partial<Resilience>, spaceWrites?: boolean) => Client]> = [
  [
    'createOctokit',
    (baseUrl, resilience, spaceWrites = false) =>
      createOctokit({ auth: 't', baseUrl, resilience, log: quiet, throttleId: randomUUID(), throttle: spaceWrites ? {} : { write: UNSPACED_WRITES } }),
  ],
  [
    'withChangeproofDefaults(ProbotOctokit)',
    (baseUrl, resilience, spaceWrites = false) => {
      const AppOctokit = withChangeproofDefaults(ProbotOctokit, resilience);
      // What Probot passes for an installation client: its own handlers (no retry) and the installation's id.
      return new AppOctokit({
        auth: { token: 't' },
        baseUrl,
        log: quiet,
        throttle: { id: randomUUID(), onSecondaryRateLimit: () => false, onRateLimit: () => false, ...(spaceWrites ? {} : { write: UNSPACED_WRITES }) },
      });
    },
  ],
];
const repo = { owner: 'acme', repo: 'api' };

describe.each(classes)('%s', (_name, make) => {
  test("a secondary rate limit (403) is retried after GitHub's retry-after", async () => {
    const github = await fakeGitHub();
    github.answers.push(secondaryLimit(2));
    const { status } = await make(github.baseUrl, { delayUnitMs: 50 }).request('GET /repos/{owner}/{repo}', repo);
    expect(status).toBe(200);
    expect(github.seen).toHaveLength(2);
    expect(github.seen[1]!.at - github.seen[0]!.at).toBeGreaterThanOrEqual(95); // 2 × 50 ms, less timer rounding
  });

  test('a 429 is retried too, and a write as well as a read', async () => {
    const github = await fakeGitHub();
    github.answers.push(secondaryLimit(1, 429));
    const { status } = await make(github.baseUrl, { delayUnitMs: 1 }).request('PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}', { ...repo, check_run_id: 4, status: 'completed' });
    expect(status).toBe(200);
    expect(github.seen.map((r) => r.method)).toEqual(['PATCH', 'PATCH']);
  });

  test('the primary rate limit is retried after its reset', async () => {
    const github = await fakeGitHub();
    github.answers.push(primaryLimit(1));
    const { status } = await make(github.baseUrl, { delayUnitMs: 1 }).request('GET /repos/{owner}/{repo}', repo);
    expect(status).toBe(200);
    expect(github.seen).toHaveLength(2);
  });

  test('a wait longer than maxRetryAfterSeconds gives up at once', async () => {
    const github = await fakeGitHub();
    github.answers.push(secondaryLimit(61), primaryLimit(3600));
    const octokit = make(github.baseUrl, { delayUnitMs: 1000, maxRetryAfterSeconds: 60 });
    const started = performance.now();
    await expect(octokit.request('GET /repos/{owner}/{repo}', repo)).rejects.toMatchObject({ status: 403 });
    await expect(octokit.request('GET /repos/{owner}/{repo}', repo)).rejects.toMatchObject({ status: 403 });
    expect(github.seen).toHaveLength(2);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  test('rate limits are retried at most maxRetries times', async () => {
    const github = await fakeGitHub();
    github.answers.push(...Array.from({ length: 5 }, () => secondaryLimit(1)));
    await expect(make(github.baseUrl, { delayUnitMs: 1, maxRetries: 2 }).request('GET /repos/{owner}/{repo}', repo)).rejects.toMatchObject({ status: 403 });
    expect(github.seen).toHaveLength(3);
  });

  test('a 502 is retried with back-off, at most maxRetries times', async () => {
    const github = await fakeGitHub();
    github.answers.push({ status: 502, body: { message: 'Server Error' } });
    const { status } = await make(github.baseUrl, { delayUnitMs: 20 }).request('GET /repos/{owner}/{repo}', repo);
    expect(status).toBe(200);
    expect(github.seen[1]!.at - github.seen[0]!.at).toBeGreaterThanOrEqual(19); // 1² × 20 ms

    github.seen.length = 0;
    github.answers.push(...Array.from({ length: 5 }, () => ({ status: 502, body: { message: 'Server Error' } })));
    await expect(make(github.baseUrl, { delayUnitMs: 1, maxRetries: 3 }).request('GET /repos/{owner}/{repo}', repo)).rejects.toMatchObject({ status: 502 });
    expect(github.seen).toHaveLength(4);
  });

  test('a network error is retried', async () => {
    const github = await fakeGitHub();
    github.answers.push({ status: 0, drop: true });
    const { status } = await make(github.baseUrl, { delayUnitMs: 1 }).request('GET /repos/{owner}/{repo}', repo);
    expect(status).toBe(200);
    expect(github.seen).toHaveLength(2);
  });

  test.each([404, 409, 422])('a %i is not retried', async (code) => {
    const github = await fakeGitHub();
    github.answers.push({ status: code, body: { message: 'No' } });
    await expect(make(github.baseUrl, { delayUnitMs: 1 }).request('GET /repos/{owner}/{repo}', repo)).rejects.toMatchObject({ status: code });
    expect(github.seen).toHaveLength(1);
  });

  test("production spacing: an installation's writes go one second apart, its reads do not wait", async () => {
    const github = await fakeGitHub();
    const octokit = make(github.baseUrl, { delayUnitMs: 1 }, true);
    const write = () => octokit.request('POST /repos/{owner}/{repo}/statuses/{sha}', { ...repo, sha: 'abc', state: 'success' });
    const asked = performance.now();
    await Promise.all([write(), write(), octokit.request('GET /repos/{owner}/{repo}', repo)]);
    const writes = github.seen.filter((r) => r.method === 'POST');
    const read = github.seen.find((r) => r.method === 'GET')!;
    expect(writes).toHaveLength(2);
    // The limiter spaces its registrations, which come after `asked` (Bottleneck counts whole Date.now() milliseconds).
    expect(writes[1]!.at - asked).toBeGreaterThanOrEqual(995);
    expect(read.at - asked).toBeLessThan(500);
  });

  test('without spacing (the tests and benchmarks) writes do not wait', async () => {
    const github = await fakeGitHub();
    const octokit = make(github.baseUrl, { delayUnitMs: 1 });
    const write = () => octokit.request('POST /repos/{owner}/{repo}/statuses/{sha}', { ...repo, sha: 'abc', state: 'success' });
    await Promise.all([write(), write()]);
    expect(Math.abs(github.seen[1]!.at - github.seen[0]!.at)).toBeLessThan(500);
  });

  test("a request starts no Bottleneck timers: at most one setTimeout more than bare @octokit/core (the request's timeout)", async () => {
    const github = await fakeGitHub();
    const timeoutsPerRequest = async (client: Client) => {
      await client.request('GET /repos/{owner}/{repo}', repo);
      let timeouts = 0;
      const hook = createHook({ init: (_id, type) => void (type === 'Timeout' && (timeouts += 1)) }).enable();
      for (let i = 0; i < 10; i += 1) await client.request('GET /repos/{owner}/{repo}', repo);
      hook.disable();
      return timeouts / 10;
    };
    const bare = await timeoutsPerRequest(new Octokit({ baseUrl: github.baseUrl, auth: 't' }));
    const changeproof = await timeoutsPerRequest(make(github.baseUrl, { delayUnitMs: 1 }));
    // Stock Bottleneck: 3 limiters (retry, throttling's retry limiter, the installation's group) × 4 timers = 12 more.
    // Below 3, not ≤ 1: a busy test worker may start an unrelated timer meanwhile.
    expect(changeproof - bare).toBeLessThan(3);
  });
});

describe('useMicrotaskYieldsInBottleneck', () => {
  test('is applied by building a Changeproof class, once, to the light build only', () => {
    expect(useMicrotaskYieldsInBottleneck()).toBe(true);
    expect(useMicrotaskYieldsInBottleneck()).toBe(true);
    const lightRun = (BottleneckLight.prototype as unknown as { _run: () => void })._run;
    const mainRun = (Bottleneck.prototype as unknown as { _run: () => void })._run;
    expect(String(lightRun)).toContain('queueMicrotask');
    expect(String(mainRun)).not.toContain('queueMicrotask'); // Probot's Redis clustering uses the main entry
  });

  test('minTime spacing and maxConcurrent still hold', async () => {
    const limiter = new BottleneckLight({ maxConcurrent: 1, minTime: 40 });
    const starts: number[] = [];
    let running = 0;
    let most = 0;
    const job = async () => {
      starts.push(performance.now());
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setImmediate(resolve));
      running -= 1;
    };
    const asked = performance.now();
    await Promise.all([limiter.schedule(job), limiter.schedule(job), limiter.schedule(job)]);
    expect(most).toBe(1);
    // minTime spaces the registrations (each at least 40 ms after the one before), not the starts, so count from `asked`.
    expect(starts[1]! - asked).toBeGreaterThanOrEqual(38);
    expect(starts[2]! - asked).toBeGreaterThanOrEqual(78);
  });

  test("a job retried by a 'failed' handler runs again, after the handler's wait", async () => {
    const limiter = new BottleneckLight();
    limiter.on('failed', (_error, info) => (info.retryCount < 2 ? (info.retryCount === 0 ? 0 : 30) : undefined));
    const starts: number[] = [];
    const result = await limiter.schedule(async () => {
      starts.push(performance.now());
      if (starts.length < 3) throw new Error('again');
      return 'done';
    });
    expect(result).toBe('done');
    expect(starts).toHaveLength(3);
    expect(starts[2]! - starts[1]!).toBeGreaterThanOrEqual(28);
  });

  test('stop() drops jobs still waiting for their turn, and a job dropped meanwhile never starts (no "Invalid job status")', async () => {
    const limiter = new BottleneckLight({ maxConcurrent: 1 });
    const ran: string[] = [];
    let release!: () => void;
    const first = limiter.schedule(() => new Promise<void>((resolve) => (release = () => resolve(void ran.push('first')))));
    const waiting = limiter.schedule(async () => void ran.push('waiting'));
    await new Promise((resolve) => setTimeout(resolve, 5));
    const stopped = limiter.stop({ dropWaitingJobs: true });
    await expect(waiting).rejects.toThrow(/stopped/);
    release();
    await first.catch(() => undefined);
    await stopped;
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(ran).not.toContain('waiting');
  });
});
