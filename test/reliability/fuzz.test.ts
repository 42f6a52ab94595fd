import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { HANDLED_EVENTS } from '../../src/app/dispatch.js';
import { parsePolicy } from '../../src/config/parse-policy.js';
import { matchBranch } from '../../src/core/policy/scope.js';
import type { EvaluationRecord, ConfigErrorRecord } from '../../src/core/records.js';
import { publicKeyFromPem, verifyLedger, type InboxItem, type LedgerEntry } from '../../src/ledger/index.js';
import { acmeScenario, freshConnectionFetch, INSTALLATION_ID, useApp, WEBHOOK_SECRET, type RunningApp } from '../support/app-harness.js';
import type { GitHubSimulator } from '../support/simulator/server.js';
import {
  checkRunPayload, deploymentProtectionRulePayload, deploymentStatusPayload, examplePayload, pullRequestPayload, pullRequestReviewPayload, pushPayload, signWebhook, statusPayload, issueCommentPayload } from '../support/webhooks.js';
import { byDelivery, inboxIds } from './support/deliveries.js';
import { RELIABILITY, useFigures } from './support/figures.js';
import { expectedRun, shownRun, verdictOf } from './support/verdicts.js';

// Fuzzed input against the running app: correctly signed webhook payloads
// (mutated real ones, wrong shapes, wrong events) and `.github/changeproof.yml`
// files served by the simulator. No crash, no unhandled rejection, no 5xx for
// bad input, no wedged queue, and a clear error for each bad case.

const env = useApp();
const figures = useFigures('fuzz', ['sent', 'acknowledged', 'refused', 'falseSuccesses', 'fuzzCases', 'crashes']);

const unhandled: unknown[] = [];
const onUnhandled = (error: unknown) => void unhandled.push(error);
beforeAll(() => {
  process.on('unhandledRejection', onUnhandled);
  process.on('uncaughtException', onUnhandled);
});
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
  process.off('uncaughtException', onUnhandled);
});

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Payload = Record<string, any>;

/** A correctly signed POST of any body. */
async function postRaw(app: RunningApp, event: string, body: string, id: string): Promise<{ status: number; text: string }> {
  figures.sent += 1;
  const res = await freshConnectionFetch(app.webhookUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-github-event': event, 'x-github-delivery': id, 'x-hub-signature-256': signWebhook(body, WEBHOOK_SECRET) },
    body,
  });
  return { status: res.status, text: await res.text() };
}

/** What Probot's webhook middleware answers, before the app's code runs, for a body it cannot make an event of. */
const PRE_APP_5XX = /^$|Event name not passed|installationId option is required/;

/** A bare JavaScript error about the payload's shape instead of words about what is wrong. */
const RAW_ERROR = /Cannot read properties of|is not a function|is not iterable|Cannot convert undefined or null/;

async function inboxItem(app: RunningApp, id: string): Promise<InboxItem | undefined> {
  return (await app.ledger.inbox.pending()).find((i) => i.deliveryId === id);
}

async function healthy(app: RunningApp): Promise<boolean> {
  const res = await freshConnectionFetch(`${app.url}/api/changeproof/health`);
  return res.status === 200;
}

/** Real payloads of every event the app handles, about the simulated acme/api. */
function basePayloads(sim: GitHubSimulator, merged: { before: string; after: string }): Record<string, Payload> {
  const repo = sim.world.repo('acme/api');
  const pr = repo.pulls.get(1)!;
  const withRepo = (p: Payload): Payload => ({ ...p, repository: pullRequestPayload(sim, 'acme/api', 1, 'opened')['repository'], installation: { id: INSTALLATION_ID } });
  const install = (p: Payload): Payload => ({ ...p, installation: { ...p['installation'], id: INSTALLATION_ID } });
  const suite = withRepo(examplePayload('check_suite', 'completed'));
  suite['check_suite'] = { ...suite['check_suite'], head_sha: pr.commits.at(-1), app: { id: 15368, slug: 'github-actions' }, pull_requests: [] };
  return {
    pull_request: pullRequestPayload(sim, 'acme/api', 1, 'opened', { installationId: INSTALLATION_ID }),
    pull_request_review: pullRequestReviewPayload(sim, 'acme/api', 1, pr.reviews[0]!.id, { installationId: INSTALLATION_ID }),
    check_run: checkRunPayload(sim, 'acme/api', repo.checkRuns.find((r) => r.name === 'ci')!.id, 'completed', { installationId: INSTALLATION_ID }),
    check_suite: suite,
    status: statusPayload(sim, 'acme/api', repo.statuses[0]!.id, { installationId: INSTALLATION_ID }),
    push: pushPayload(sim, 'acme/api', { ...merged, pusher: 'alice', installationId: INSTALLATION_ID }),
    installation: install(examplePayload('installation', 'created')),
    installation_repositories: install(examplePayload('installation_repositories', 'added')),
    deployment: withRepo(examplePayload('deployment', 'created')),
    deployment_status: deploymentStatusPayload(sim, 'acme/api', { deploymentId: 9001, sha: merged.after, state: 'success', installationId: INSTALLATION_ID }),
    deployment_protection_rule: deploymentProtectionRulePayload(sim, 'acme/api', { sha: merged.after, installationId: INSTALLATION_ID }),
    merge_group: withRepo(examplePayload('merge_group', 'checks_requested')),
    issue_comment: issueCommentPayload(sim, 'acme/api', 1, 'bob', '/changeproof respond fuzzed', { installationId: INSTALLATION_ID }),
  };
}

/** Every path to a value in a JSON tree (to depth 5), for picking where to mutate. */
function paths(value: unknown, prefix: Array<string | number> = [], depth = 0): Array<Array<string | number>> {
  if (depth > 5 || value === null || typeof value !== 'object') return [];
  const keys = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  return keys.flatMap((k) => [[...prefix, k], ...paths((value as Record<string | number, unknown>)[k], [...prefix, k], depth + 1)]);
}

const setOwn = (target: object, key: string | number, value: unknown) =>
  Object.defineProperty(target, key, { value, enumerable: true, configurable: true, writable: true });

type Mutation = { op: 'set' | 'delete' | 'add'; at: number; key: string; value: Json };

function mutate(payload: Payload, mutations: Mutation[]): Payload {
  const copy = structuredClone(payload);
  for (const m of mutations) {
    const all = paths(copy);
    if (!all.length) break;
    const path = all[m.at % all.length]!;
    let parent: any = copy;
    for (const k of path.slice(0, -1)) parent = parent[k];
    const last = path.at(-1)!;
    if (m.op === 'delete') {
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last];
    } else if (m.op === 'set') setOwn(parent, last, m.value);
    else if (parent[last] !== null && typeof parent[last] === 'object' && !Array.isArray(parent[last])) setOwn(parent[last], m.key, m.value);
    else setOwn(parent, last, { [m.key]: m.value });
  }
  return copy;
}

const nasty = fc.constantFrom<Json>(
  null, '', 0, -1, 1.5, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, true, false, [], {}, 'x'.repeat(70_000), '../../../etc/passwd', '\u0000\u0001\u0002',
  '__proto__', 'constructor', 'toString', 'hasOwnProperty', '0000000000000000000000000000000000000000', 'refs/heads/', 'refs/tags/v1', 'acme/api', 'acme', 'closed',
  'https://evil.example/repos/acme/api/actions/runs/1/deployment_protection_rule', '2026-13-45T25:61:61Z', '${jndi:ldap://x}', '<script>alert(1)</script>', '🔥💥', '\uD800',
  { id: '77' }, { id: -77 }, { id: 77.5 }, { login: null }, [null], [[[[[]]]]], { full_name: 'acme/api' }, { number: 'one' },
);
const mutation: fc.Arbitrary<Mutation> = fc.record({
  op: fc.constantFrom('set', 'set', 'delete', 'add'),
  at: fc.nat(),
  key: fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('__proto__', 'constructor', 'action', 'installation', 'changeproof', 'merged', 'number')),
  value: fc.oneof(nasty, fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>),
});

type PayloadCase =
  | { kind: 'mutated'; event: string; mutations: Mutation[] }
  | { kind: 'wrong-event'; event: string; payloadOf: string }
  | { kind: 'any-json'; event: string; body: Json }
  | { kind: 'action'; event: string; action: Json };

const EVENTS = [...HANDLED_EVENTS];
const payloadCase: fc.Arbitrary<PayloadCase> = fc.oneof(
  { weight: 12, arbitrary: fc.record({ kind: fc.constant('mutated' as const), event: fc.constantFrom(...EVENTS), mutations: fc.array(mutation, { minLength: 1, maxLength: 5 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('wrong-event' as const), event: fc.constantFrom(...EVENTS, 'ping', 'issues', 'repository', 'member'), payloadOf: fc.constantFrom(...EVENTS) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('any-json' as const), event: fc.constantFrom(...EVENTS), body: fc.jsonValue({ maxDepth: 4 }) as fc.Arbitrary<Json> }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('action' as const), event: fc.constantFrom(...EVENTS), action: fc.oneof(fc.string({ maxLength: 20 }), nasty, fc.constantFrom('opened', 'closed', 'synchronize', 'submitted', 'dismissed', 'completed', 'rerequested', 'requested', 'created', 'deleted', 'added', 'removed')) }) },
);

describe.runIf(RELIABILITY)('fuzzed webhook payloads (correctly signed)', () => {
  it('are stored and processed or refused with a 4xx, never a crash, a 5xx or a wedged queue (fast-check, 400 cases)', async () => {
    const s = acmeScenario().pullRequest({ author: 'alice' }).approvedBy('bob').check('ci', 'success').status('ci/jenkins', 'success');
    const repo = s.currentRepository();
    const before = repo.branches.get('main')!;
    s.pullRequest({ author: 'carol' }).approvedBy('bob').check('ci', 'success').merge({ by: 'bob' });
    const after = repo.branches.get('main')!;
    s.pullRequest({ author: 'alice' }).approvedBy('bob').check('ci', 'success'); // #3: the control delivery
    const { sim, app } = await env.start(s, { settings: { maxAttempts: 2, retryDelaysMs: [5], reevaluationDelaysMs: [] } });
    const bases = basePayloads(sim, { before, after });
    const tally = { accepted: 0, refused4xx: 0, preApp5xx: 0, processed: 0, recordedSomething: 0, stalled: 0 };
    const stalledErrors = new Map<string, number>();
    const preApp = new Map<string, number>();
    const crashes: string[] = [];

    await fc.assert(
      fc.asyncProperty(payloadCase, async (c) => {
        figures.fuzzCases += 1;
        const id = `fuzz-${randomUUID()}`;
        let body: string;
        if (c.kind === 'mutated') body = JSON.stringify(mutate(bases[c.event]!, c.mutations));
        else if (c.kind === 'wrong-event') body = JSON.stringify(bases[c.payloadOf]);
        else if (c.kind === 'any-json') body = JSON.stringify(c.body);
        else body = JSON.stringify({ ...bases[c.event], action: c.action });
        const res = await postRaw(app, c.event, body, id);
        if (res.status >= 500) {
          // Probot's webhook middleware answers some bodies with a 5xx before the app runs:
          // JSON that is not an object, or an `installation` without a usable id. Nothing is stored.
          const stored = inboxIds(app.ledgerPath).has(id);
          if (!stored && PRE_APP_5XX.test(res.text)) {
            tally.preApp5xx += 1;
            const reason = res.text.slice(0, 100) || '(empty body)';
            preApp.set(reason, (preApp.get(reason) ?? 0) + 1);
          } else crashes.push(`${c.kind} ${c.event}: HTTP ${res.status} ${res.text.slice(0, 200)}${stored ? ' (stored)' : ''}`);
        } else if (res.status >= 400) tally.refused4xx += 1;
        else tally.accepted += 1;
        await app.worker.idle();
        const left = await inboxItem(app, id);
        if (left) {
          tally.stalled += 1;
          // Left for a later attempt, with the reason recorded and logged.
          if (!left.lastError || RAW_ERROR.test(left.lastError)) crashes.push(`${c.kind} ${c.event}: left in the inbox without a clear reason (${left.lastError})`);
          const reason = left.lastError?.replace(/[0-9a-f-]{36}|\d+/g, 'N').slice(0, 120) ?? '';
          stalledErrors.set(reason, (stalledErrors.get(reason) ?? 0) + 1);
        } else if (res.status < 300) tally.processed += 1;
        if (unhandled.length) crashes.push(`${c.kind} ${c.event}: unhandled ${String(unhandled.splice(0)[0])}`);
        if (figures.fuzzCases % 50 === 0 && !(await healthy(app))) crashes.push('health check failed');
      }),
      { seed: 42, numRuns: 400 },
    );
    tally.recordedSomething = byDelivery(await app.entries()).size;

    // Bad input did not stop good work: a real delivery is still evaluated and shown.
    const control = await postRaw(app, 'pull_request', JSON.stringify(pullRequestPayload(sim, 'acme/api', 3, 'opened', { installationId: INSTALLATION_ID })), 'control');
    expect(control.status).toBe(200);
    await app.worker.idle();
    const last = (await app.entries('evaluation')).at(-1)!;
    expect(verdictOf(last)).toMatchObject({ outcome: 'compliant', subject: { number: 3 } });
    expect(shownRun(sim, 'acme/api', sim.world.repo('acme/api').pulls.get(3)!.commits.at(-1)!)).toMatchObject(expectedRun('compliant'));
    // No evaluation of a fuzzed delivery passed a change other than the two compliant ones (#1, #3).
    const passed = (await app.entries('evaluation')).map(verdictOf).filter((v) => v.outcome === 'compliant' && ![1, 3].includes(v.subject.number));
    figures.falseSuccesses += passed.length;
    expect(passed).toEqual([]);
    figures.acknowledged += tally.accepted + 1;
    expect((await verifyLedger(app.ledgerPath, { publicKey: publicKeyFromPem(app.ledger.publicKeyPem()) })).failure).toBeNull();

    figures.crashes += crashes.length + unhandled.length;
    figures.refused += tally.refused4xx + tally.preApp5xx;
    figures.note('payloads', { ...tally, stalledReasons: Object.fromEntries(stalledErrors), preApp5xxAnswers: Object.fromEntries(preApp) });
    expect(crashes).toEqual([]);
    expect(unhandled).toEqual([]);
    expect(tally.processed).toBeGreaterThan(200);
  });
});

/** Near-valid policies: known keys with values of any type. */
const policyObject = fc.record(
  {
    peer_review: fc.record({
      required_approvals: fc.oneof(fc.integer({ min: -3, max: 14 }), fc.double(), fc.string(), fc.constant(null)),
      approval_on_head: fc.oneof(fc.boolean(), fc.string(), fc.integer()),
      require_write_access: fc.boolean(),
      count_bot_approvals: fc.oneof(fc.boolean(), fc.constantFrom('yes', 'no', 'on', 'off', 'true')),
      block_on_changes_requested: fc.boolean(),
    }, { requiredKeys: [] }),
    separation_of_duties: fc.record({ author_can_approve: fc.oneof(fc.boolean(), fc.string()), contributors_can_approve: fc.boolean(), allow_unattributed_commits: fc.boolean(), merger_must_differ_from_author: fc.boolean() }, { requiredKeys: [] }),
    checks: fc.record({ required: fc.oneof(fc.array(fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('ci', '*', '**', '[', '{a,b', '!', 'ci/*'))), fc.string(), fc.constant(null)), min_passing: fc.oneof(fc.integer({ min: -2, max: 200 }), fc.string()) }, { requiredKeys: [] }),
    change_request: fc.record({ ticket_pattern: fc.oneof(fc.constantFrom('[A-Z]+-\\d+', '(', '[', '*', '\\', '(?<=x)', '\\p{L}', '', 'a{2,1}', '(?<n>x)\\k<m>'), fc.string({ maxLength: 8 }), fc.constant(null), fc.integer()) }, { requiredKeys: [] }),
    emergency: fc.record({ label: fc.oneof(fc.string({ maxLength: 12 }), fc.constant(null), fc.integer()), retrospective_approval_hours: fc.oneof(fc.integer({ min: -5, max: 100_000 }), fc.double(), fc.string()) }, { requiredKeys: [] }),
    scope: fc.record({ branches: fc.oneof(fc.array(fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('default', 'main', 'release/*', '**', '['))), fc.string()), ignore_authors: fc.array(fc.string({ maxLength: 10 })) }, { requiredKeys: [] }),
    deployments: fc.record({ environments: fc.oneof(fc.array(fc.string({ maxLength: 10 })), fc.string(), fc.integer()) }, { requiredKeys: [] }),
    _extends: fc.oneof(fc.constantFrom('.github', 'acme/.github', 'acme/api', 'acme/api:.github/changeproof.yml', 'other/repo', '../../etc/passwd', 'https://example.com/x.yml', ':', '/', ''), fc.string({ maxLength: 20 }), fc.integer()),
  } as Record<string, fc.Arbitrary<unknown>>,
  { requiredKeys: [] },
);
/** Policies within the schema, to exercise what a valid file does. */
const validPolicy = fc.record(
  {
    peer_review: fc.record({ required_approvals: fc.integer({ min: 0, max: 10 }), approval_on_head: fc.boolean(), require_write_access: fc.boolean(), count_bot_approvals: fc.boolean(), block_on_changes_requested: fc.boolean() }, { requiredKeys: [] }),
    separation_of_duties: fc.record({ author_can_approve: fc.boolean(), contributors_can_approve: fc.boolean(), allow_unattributed_commits: fc.boolean(), merger_must_differ_from_author: fc.boolean(), deployer_must_differ_from_authors: fc.boolean() }, { requiredKeys: [] }),
    checks: fc.record({ required: fc.array(fc.constantFrom('ci', 'lint', 'ci/*', '*', 'deploy-*'), { maxLength: 3 }), min_passing: fc.integer({ min: 0, max: 3 }) }, { requiredKeys: [] }),
    change_request: fc.record({ ticket_pattern: fc.constantFrom(null, '[A-Z]+-\\d+', 'OPS-\\d+', 'JIRA-\\d+', '#\\d+') }, { requiredKeys: [] }),
    emergency: fc.record({ label: fc.constantFrom('emergency', 'hotfix'), retrospective_approval_hours: fc.integer({ min: 1, max: 168 }) }, { requiredKeys: [] }),
    scope: fc.record({ branches: fc.constantFrom(['default'], ['main'], ['main', 'release/*'], ['*']), ignore_authors: fc.constantFrom([], ['dependabot[bot]'], ['alice']) }, { requiredKeys: [] }),
  },
  { requiredKeys: [] },
);

/** …and now and then a key the schema does not know. */
const policyWithExtras = fc.tuple(policyObject, fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 2 })).map(([known, extra]) => ({ ...extra, ...known }));

const VALID = "peer_review:\n  required_approvals: 1\nchecks:\n  required: [ci]\nchange_request:\n  ticket_pattern: '[A-Z]+-\\d+'\nscope:\n  branches: [default]\n";
const YAML_BITS = [':', '- ', '  ', '\t', '&a ', '*a', '!!python/object:os.system ', '!!binary ', '{', '}', '[', ']', '---\n', '...\n', '%YAML 1.2\n', '\uFEFF', '#', '"', "'", '|', '>', '<<: *a\n', '? ', '\r\n', '\u0000', 'peer_review', 'required_approvals', '\n'];
const BOMBS = [
  // "Billion laughs": aliases multiplying.
  'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n',
  `${'['.repeat(5000)}${']'.repeat(5000)}`,
  `peer_review:\n${'  '.repeat(1)}required_approvals: 1\n`.repeat(3),
  'peer_review: *undefined_alias\n',
  `x: ${'y'.repeat(400_000)}\n`,
  '--- \npeer_review: {}\n---\npeer_review: {required_approvals: 0}\n',
  'peer_review:\n  required_approvals: !!int "2"\n',
  'peer_review: !!map\n  ? required_approvals\n  : 2\n',
  '__proto__:\n  required_approvals: 0\n',
  'constructor:\n  prototype:\n    polluted: true\n',
  'peer_review:\n\trequired_approvals: 1\n',
  '\u0000\u0001\u0002\u0003',
];

const policyText: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: policyWithExtras.map((o) => stringify(o)) },
  { weight: 3, arbitrary: validPolicy.map((o) => stringify(o)) },
  { weight: 2, arbitrary: (fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<unknown>).map((v) => stringify(v)) },
  { weight: 2, arbitrary: fc.array(fc.oneof(fc.constantFrom(...YAML_BITS), fc.string({ maxLength: 6 })), { maxLength: 30 }).map((parts) => parts.join('')) },
  { weight: 3, arbitrary: fc.array(fc.record({ at: fc.nat(), del: fc.nat({ max: 3 }), ins: fc.oneof(fc.constantFrom(...YAML_BITS), fc.string({ maxLength: 3 })) }), { minLength: 1, maxLength: 4 }).map((edits) => edits.reduce((text, e) => { const at = e.at % (text.length + 1); return text.slice(0, at) + e.ins + text.slice(at + e.del); }, VALID)) },
  { weight: 1, arbitrary: fc.constantFrom(...BOMBS) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
);

/** A valid policy file whose scope does not include the default branch `main`. */
function outOfScope(text: string): boolean {
  const parsed = parsePolicy(text);
  return parsed.ok && matchBranch(parsed.policy.scope.branches, 'main', 'main') === null;
}

describe.runIf(RELIABILITY)('fuzzed .github/changeproof.yml files', () => {
  it('each gives a recorded verdict naming the problem (or a valid policy), never a crash or a pass on an invalid file (fast-check, 300 files)', async () => {
    const s = acmeScenario().pullRequest({ author: 'alice', title: 'Change 1', body: 'Fixes OPS-1' }).approvedBy('bob').check('ci', 'success');
    const { sim, app } = await env.start(s, { settings: { maxAttempts: 2, retryDelaysMs: [5], reevaluationDelaysMs: [] } });
    const repo = sim.world.repo('acme/api');
    const head = () => repo.pulls.get(1)!.commits.at(-1)!;
    const tally = { valid: 0, invalid: 0, outOfScope: 0, pushes: 0, configErrors: 0, outcomes: {} as Record<string, number> };
    const crashes: string[] = [];
    let n = 0;

    await fc.assert(
      fc.asyncProperty(policyText, async (text) => {
        figures.fuzzCases += 1;
        n += 1;
        const previous = repo.branches.get('main')!;
        const fromSeq = (await app.ledger.head()).size + 1;
        const since = async () => {
          const out: LedgerEntry[] = [];
          for await (const e of app.ledger.read({ fromSeq })) out.push(e);
          return byDelivery(out);
        };
        s.file('.github/changeproof.yml', text);
        const id = `policy-${n}-${randomUUID()}`;
        const res = await postRaw(app, 'pull_request', JSON.stringify(pullRequestPayload(sim, 'acme/api', 1, 'edited', { installationId: INSTALLATION_ID })), id);
        expect(res.status).toBe(200);
        // Every fifth file also arrives as the push that changed it, which records a config_error when it is invalid.
        let pushId: string | null = null;
        if (n % 5 === 0) {
          pushId = `policy-push-${n}-${randomUUID()}`;
          const payload = pushPayload(sim, 'acme/api', { before: previous, after: repo.branches.get('main')!, pusher: 'alice', installationId: INSTALLATION_ID });
          for (const c of payload['commits']) c.modified = ['.github/changeproof.yml'];
          expect((await postRaw(app, 'push', JSON.stringify(payload), pushId)).status).toBe(200);
          tally.pushes += 1;
        }
        await app.worker.idle();
        if (unhandled.length) crashes.push(`unhandled: ${String(unhandled.splice(0)[0])}`);
        const left = (await app.ledger.inbox.pending()).filter((i) => i.deliveryId === id || i.deliveryId === pushId);
        if (left.length) {
          crashes.push(`${JSON.stringify(text.slice(0, 80))}: not finished (${left.map((i) => i.lastError).join('; ')})`);
          return;
        }
        const recorded = await since();
        const entries = recorded.get(id) ?? [];
        if (entries.length === 0 && outOfScope(text)) {
          tally.outOfScope += 1; // a valid policy whose scope leaves out main: neither recorded nor checked (SPEC §2)
          return;
        }
        if (entries.length !== 1 || entries[0]!.kind !== 'evaluation') {
          crashes.push(`${JSON.stringify(text.slice(0, 80))}: recorded ${entries.map((e) => e.kind).join(',') || 'nothing'}`);
          return;
        }
        const record = entries[0]!.data as unknown as EvaluationRecord;
        const outcome = record.verdict.outcome;
        tally.outcomes[outcome] = (tally.outcomes[outcome] ?? 0) + 1;
        const run = shownRun(sim, 'acme/api', head());
        if (record.policy?.valid === false) {
          tally.invalid += 1;
          if (outcome === 'compliant' || run?.conclusion === 'SUCCESS') figures.falseSuccesses += 1;
          // SPEC §2: an invalid file fails the check with the file, line and key at fault and a hint.
          expect(outcome, JSON.stringify(text.slice(0, 80))).toBe('non_compliant');
          expect(record.policy.problems.length).toBeGreaterThan(0);
          for (const p of record.policy.problems) {
            expect(p.file).toMatch(/^acme\/api:\.github\/changeproof\.yml$|\.yml$/);
            expect(p.message.trim().length).toBeGreaterThan(0);
            expect(p.hint.trim().length).toBeGreaterThan(0);
          }
          expect(run).toMatchObject({ status: 'COMPLETED', conclusion: 'FAILURE' });
          expect(run!.output.title).toMatch(/^Not compliant: invalid policy file .*\.yml/);
          if (pushId) {
            const configError = (recorded.get(pushId) ?? []).find((e) => e.kind === 'config_error');
            expect(configError, 'a push of an invalid policy records a config_error').toBeDefined();
            expect((configError!.data as unknown as ConfigErrorRecord).problems.length).toBeGreaterThan(0);
            tally.configErrors += 1;
          }
        } else if (record.policy?.valid === true) {
          tally.valid += 1;
          // An author the policy ignores is recorded and shown as not enforced (neutral).
          expect(run).toMatchObject(record.verdict.enforced ? expectedRun(outcome) : { status: 'COMPLETED', conclusion: 'NEUTRAL' });
        } else {
          // The policy could not be read at all (an `_extends` GitHub would not serve): an error, never a pass.
          expect(outcome).toBe('error');
          expect(record.verdict.error).toBeTruthy();
          expect(run).toMatchObject({ conclusion: 'FAILURE' });
        }
      }),
      { seed: 42, numRuns: 300 },
    );
    expect(await healthy(app)).toBe(true);
    expect(inboxIds(app.ledgerPath).size).toBe(n + tally.pushes);
    expect((await verifyLedger(app.ledgerPath, { publicKey: publicKeyFromPem(app.ledger.publicKeyPem()) })).failure).toBeNull();
    figures.crashes += crashes.length;
    figures.acknowledged += n + tally.pushes;
    figures.note('policies', tally);
    expect(crashes).toEqual([]);
    expect(tally.invalid).toBeGreaterThan(50);
    expect(tally.valid).toBeGreaterThan(50);
  });
});
