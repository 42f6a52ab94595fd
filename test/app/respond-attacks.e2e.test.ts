import { describe, expect, it } from 'vitest';
import type { ExceptionResponseRecord } from '../../src/core/records.js';
import { acmeScenario, INSTALLATION_ID as INSTALLATION, useApp } from '../support/app-harness.js';
import type { ScenarioBuilder } from '../support/scenario.js';
import type { GitHubSimulator } from '../support/simulator/server.js';
import { issueCommentPayload, pullRequestPayload, pushPayload } from '../support/webhooks.js';

/**
 * Management's response to an exception must come from someone independent of the
 * change: not whoever caused the exception, not a contributor — by account, whatever
 * the login now — and never when who shaped the change cannot be established.
 */
const env = useApp();

const replies = (sim: GitHubSimulator, repo = 'acme/api') =>
  ((sim.world.repo(repo) as unknown as { issueComments?: { body: string }[] }).issueComments ?? []).map((c) => c.body);

/** GitHub's self-service rename: same account (same id), new login; the old login is free again. */
function rename(sim: GitHubSimulator, from: string, to: string, role?: string) {
  const account = sim.world.account(from)!;
  sim.world.accounts.delete(from.toLowerCase());
  account.login = to;
  sim.world.accounts.set(to.toLowerCase(), account);
  const repo = sim.world.repo('acme/api');
  if (role) (repo.roles ??= new Map()).set(to.toLowerCase(), role);
  repo.writers.add(to.toLowerCase());
  for (const [token, login] of sim.world.userTokens) if (login === from) sim.world.userTokens.set(token, to);
  return account;
}

function post(app: { url: string }, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${app.url}/api/changeproof/exception-response`, {
    method: 'POST',
    headers: { authorization: 'Bearer sign-me', 'content-type': 'application/json', 'x-github-token': 'dave-token', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** A direct push to main of one commit, made as `author`/`committer`, optionally signed, pushed by `pusher`. */
function directPush(s: ScenarioBuilder, o: { author: string; committer?: string; signer?: string }) {
  const repo = s.currentRepository();
  const before = repo.branches.get('main')!;
  const person = (login: string) => ({ name: login, email: s.world.account(login)!.emails[0] ?? `${login}@example.com`, date: s.world.tick() });
  const after = s.makeCommit(repo, [before], 'Hotfix', person(o.author), person(o.committer ?? o.author), { 'src/hotfix.ts': 'export const fixed = true;\n' },
    o.signer ? { isValid: true, state: 'VALID', wasSignedByGitHub: false, signer: o.signer } : undefined);
  repo.branches.set('main', after);
  return { before, after };
}

describe('who may answer an exception in a comment', () => {
  it('an admin who merged a failing change cannot answer its exception after renaming the account', async () => {
    const s = acmeScenario().role('alice', 'admin').pullRequest({ author: 'bob' }).check('ci', 'failure').merge({ by: 'alice' });
    const { sim, app } = await env.start(s);
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'closed', { installationId: INSTALLATION }));
    expect(await app.entries('exception')).toHaveLength(1);
    const alice = rename(sim, 'alice', 'alice-renamed', 'admin');
    const payload = issueCommentPayload(sim, 'acme/api', 1, 'alice-renamed', '/changeproof respond Reviewed after the fact; fine.', { installationId: INSTALLATION });
    expect(payload['comment']['user']).toMatchObject({ login: 'alice-renamed', id: alice.id });
    await app.deliverAndSettle('issue_comment', payload);
    const recorded = (await app.entries('exception_response')).map((e) => e.data as unknown as ExceptionResponseRecord);
    expect(recorded.map((r) => ({ responder: r.responder, excluded: r.excluded }))).toEqual([]);
    expect(replies(sim).at(-1)).toBe('Not recorded: @alice-renamed is the same account as @alice (renamed since), which caused this exception (merged or pushed it); a response must come from someone else.');
  });

  it('a contributor (commit author) cannot answer after renaming the account', async () => {
    const s = acmeScenario().role('dave', 'maintain').pullRequest({ author: 'alice' }).commit({ author: 'dave' }).check('ci', 'failure').merge({ by: 'carol' });
    const { sim, app } = await env.start(s);
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'closed', { installationId: INSTALLATION }));
    rename(sim, 'dave', 'dave-renamed', 'maintain');
    await app.deliverAndSettle('issue_comment', issueCommentPayload(sim, 'acme/api', 1, 'dave-renamed', '/changeproof respond fine by me', { installationId: INSTALLATION }));
    const recorded = (await app.entries('exception_response')).map((e) => e.data as unknown as ExceptionResponseRecord);
    expect(recorded.map((r) => ({ responder: r.responder, excluded: r.excluded }))).toEqual([]);
    expect(replies(sim).at(-1)).toBe('Not recorded: @dave-renamed is the same account as @dave (renamed since), which contributed to pull request #1; a response must come from someone who did not.');
  });

  it.each([
    ['co-author', { author: 'alice', coAuthors: ['dave'] }],
    ['committer', { author: 'alice', committer: 'dave' }],
    ['verified signer', { author: 'alice', signature: { signer: 'dave' } }],
  ])('the %s of a pull request commit is a contributor', async (_who, commit) => {
    const s = acmeScenario().role('dave', 'maintain').pullRequest({ author: 'alice', commits: 0 }).commit(commit as never).check('ci', 'failure').merge({ by: 'carol' });
    const { sim, app } = await env.start(s);
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'closed', { installationId: INSTALLATION }));
    await app.deliverAndSettle('issue_comment', issueCommentPayload(sim, 'acme/api', 1, 'dave', '/changeproof respond fine', { installationId: INSTALLATION }));
    expect(await app.entries('exception_response')).toHaveLength(0);
    expect(replies(sim).at(-1)).toBe('Not recorded: @dave contributed to pull request #1; a response must come from someone who did not.');
  });

  it('the pusher of a synchronize to the head branch is a contributor', async () => {
    const s = acmeScenario().role('dave', 'maintain').pullRequest({ author: 'alice' });
    const { sim, app } = await env.start(s);
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'opened', { installationId: INSTALLATION }));
    s.commit({ author: 'alice' });
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'synchronize', { installationId: INSTALLATION, sender: 'dave' } as never));
    s.check('ci', 'failure').merge({ by: 'carol' });
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'closed', { installationId: INSTALLATION }));
    expect(await app.entries('exception')).toHaveLength(1);
    await app.deliverAndSettle('issue_comment', issueCommentPayload(sim, 'acme/api', 1, 'dave', '/changeproof respond fine', { installationId: INSTALLATION }));
    expect(await app.entries('exception_response')).toHaveLength(0);
    expect(replies(sim).at(-1)).toMatch(/@dave contributed to pull request #1/);
  });

  it('maintain revoked before the comment is processed; a bot; an edited comment; a pull request without an exception or not merged', async () => {
    const s = acmeScenario().role('dave', 'maintain').role('olga', 'admin').bot('helper')
      .pullRequest({ author: 'alice' }).check('ci', 'failure').merge({ by: 'alice' })
      .pullRequest({ author: 'bob' });
    const { sim, app } = await env.start(s);
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'closed', { installationId: INSTALLATION }));
    // Role revoked between the comment and its processing: GitHub is asked at processing time.
    const comment = issueCommentPayload(sim, 'acme/api', 1, 'dave', '/changeproof respond accepted', { installationId: INSTALLATION });
    sim.world.repo('acme/api').roles!.set('dave', 'write');
    await app.deliverAndSettle('issue_comment', comment);
    expect(replies(sim).at(-1)).toMatch(/@dave has the write role/);
    // A bot (even one GitHub would give admin) is ignored.
    sim.world.repo('acme/api').roles!.set('helper[bot]', 'admin');
    await app.deliverAndSettle('issue_comment', issueCommentPayload(sim, 'acme/api', 1, 'helper[bot]', '/changeproof respond accepted', { installationId: INSTALLATION }));
    // An edit that adds the command to an existing comment changes nothing.
    await app.deliverAndSettle('issue_comment', issueCommentPayload(sim, 'acme/api', 1, 'olga', '/changeproof respond accepted', { installationId: INSTALLATION, action: 'edited' }));
    // Open pull request #2: nothing to answer.
    await app.deliverAndSettle('issue_comment', issueCommentPayload(sim, 'acme/api', 2, 'olga', '/changeproof respond accepted', { installationId: INSTALLATION }));
    expect(replies(sim).at(-1)).toBe('Not recorded: pull request #2 has no exception recorded, so there is nothing to respond to.');
    expect(replies(sim)).toHaveLength(2);
    expect(await app.entries('exception_response')).toHaveLength(0);
  });

  it("another repository's pull request of the same number does not answer acme/api's exception", async () => {
    const s = acmeScenario().role('dave', 'maintain').pullRequest({ author: 'alice' }).check('ci', 'failure').merge({ by: 'alice' })
      .repo('acme/web').role('dave', 'maintain').pullRequest({ author: 'alice' }).approvedBy('bob').check('ci', 'success').merge({ by: 'carol' });
    const { sim, app } = await env.start(s);
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'closed', { installationId: INSTALLATION }));
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/web', 1, 'closed', { installationId: INSTALLATION }));
    await app.deliverAndSettle('issue_comment', issueCommentPayload(sim, 'acme/web', 1, 'dave', '/changeproof respond accepted', { installationId: INSTALLATION }));
    expect(await app.entries('exception_response')).toHaveLength(0);
    expect(replies(sim, 'acme/web').at(-1)).toMatch(/nothing to respond to/);
  });

  it('two maintainers respond; both recorded, each naming the exception by seq and hash; a replay adds nothing', async () => {
    const s = acmeScenario().role('dave', 'maintain').role('olga', 'admin').pullRequest({ author: 'alice' }).check('ci', 'failure').merge({ by: 'alice' });
    const { sim, app } = await env.start(s);
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'closed', { installationId: INSTALLATION }));
    const [exception] = await app.entries('exception');
    const first = issueCommentPayload(sim, 'acme/api', 1, 'dave', '/changeproof respond one', { installationId: INSTALLATION });
    await app.deliverAndSettle('issue_comment', first);
    await app.deliverAndSettle('issue_comment', issueCommentPayload(sim, 'acme/api', 1, 'olga', '/changeproof respond two', { installationId: INSTALLATION }));
    await app.deliverAndSettle('issue_comment', first, { deliveryId: 'replayed-under-new-id' });
    const responses = (await app.entries('exception_response')).map((e) => e.data as unknown as ExceptionResponseRecord);
    expect(responses.map((r) => [r.responder, r.text])).toEqual([['dave', 'one'], ['olga', 'two']]);
    for (const r of responses) expect(r.exceptions).toEqual([{ seq: exception!.seq, hash: exception!.hash, type: 'merged_without_passing_control' }]);
    expect(replies(sim)).toHaveLength(2);
  });

  it('a maintainer posting instructions in an indented code block does not record a response', async () => {
    const s = acmeScenario().role('dave', 'maintain').pullRequest({ author: 'alice' }).check('ci', 'failure').merge({ by: 'alice' });
    const { sim, app } = await env.start(s);
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'closed', { installationId: INSTALLATION }));
    await app.deliverAndSettle('issue_comment', issueCommentPayload(sim, 'acme/api', 1, 'dave', '@olga this needs a management response. Write:\n\n    /changeproof respond <why it was acceptable>\n\nthanks', { installationId: INSTALLATION }));
    expect((await app.entries('exception_response')).map((e) => (e.data as unknown as ExceptionResponseRecord).text)).toEqual([]);
  });
});

describe("who may answer a direct push's exception through the API", () => {
  it('the signer of a directly pushed commit may not answer its exception', async () => {
    const s = acmeScenario().role('dave', 'maintain').user('mallory');
    const { before, after } = directPush(s, { author: 'mallory', signer: 'dave' });
    s.world.userTokens.set('dave-token', 'dave');
    const { sim, app } = await env.start(s, { signingToken: 'sign-me' });
    await app.deliverAndSettle('push', pushPayload(sim, 'acme/api', { before, after, pusher: 'mallory', installationId: INSTALLATION }));
    expect(await app.entries('exception')).toHaveLength(1);
    const res = await post(app, { repository: 'acme/api', subject: `push/${after}`, text: 'fine' });
    const recorded = (await app.entries('exception_response')).map((e) => e.data as unknown as ExceptionResponseRecord);
    expect(recorded.map((r) => ({ responder: r.responder, excluded: r.excluded }))).toEqual([]);
    expect(res.status).toBe(403);
  });

  it('the pusher of a direct push cannot answer it after renaming the account', async () => {
    const s = acmeScenario().role('dave', 'maintain').user('mallory');
    const { before, after } = directPush(s, { author: 'mallory' });
    s.world.userTokens.set('dave-token', 'dave');
    const { sim, app } = await env.start(s, { signingToken: 'sign-me' });
    await app.deliverAndSettle('push', pushPayload(sim, 'acme/api', { before, after, pusher: 'dave', installationId: INSTALLATION }));
    expect(await app.entries('exception')).toHaveLength(1);
    // Before the rename: refused as the actor.
    const own = await post(app, { repository: 'acme/api', subject: `push/${after}`, text: 'fine' });
    expect(own.status).toBe(403);
    rename(sim, 'dave', 'dave-renamed', 'maintain');
    const res = await post(app, { repository: 'acme/api', subject: `push/${after}`, text: 'fine' });
    const recorded = (await app.entries('exception_response')).map((e) => e.data as unknown as ExceptionResponseRecord);
    expect(recorded.map((r) => ({ responder: r.responder, excluded: r.excluded }))).toEqual([]);
    expect(res.status).toBe(403);
  });

  it("the author of a direct push's commit cannot answer when the app could not list the push's commits", async () => {
    const s = acmeScenario().role('dave', 'maintain').user('mallory');
    const { before, after } = directPush(s, { author: 'dave' });
    s.world.userTokens.set('dave-token', 'dave');
    const { sim, app } = await env.start(s, { signingToken: 'sign-me' });
    sim.faults.add('GET /repos/{owner}/{repo}/compare/{basehead}', { kind: 'status', status: 404, message: 'Not Found' }, 20);
    await app.deliverAndSettle('push', pushPayload(sim, 'acme/api', { before, after, pusher: 'mallory', installationId: INSTALLATION }));
    const [push] = await app.entries('push');
    expect((push!.data as { gap: string | null; commits: unknown[] }).gap).toBeTruthy();
    expect((push!.data as { commits: unknown[] }).commits).toEqual([]);
    expect(await app.entries('exception')).toHaveLength(1);
    const res = await post(app, { repository: 'acme/api', subject: `push/${after}`, text: 'fine' });
    const recorded = (await app.entries('exception_response')).map((e) => e.data as unknown as ExceptionResponseRecord);
    expect(recorded.map((r) => ({ responder: r.responder, excluded: r.excluded }))).toEqual([]);
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: string }).error).toMatch(/^not recorded: who wrote the push [0-9a-f]{7} cannot be established \(its commits could not all be read when it was recorded: .+\), so nobody can be shown independent of it\.$/);
  });

  it('wrong token kinds, a pull subject, unknown push, other-case repository, malformed and oversized bodies', async () => {
    const s = acmeScenario().role('dave', 'maintain').user('mallory').bot('helper');
    const { before, after } = directPush(s, { author: 'mallory' });
    s.world.userTokens.set('dave-token', 'dave');
    s.world.userTokens.set('bot-token', 'helper[bot]');
    const { sim, app } = await env.start(s, { signingToken: 'sign-me', apiToken: 'read-me', respondingPerHour: 100 });
    await app.deliverAndSettle('push', pushPayload(sim, 'acme/api', { before, after, pusher: 'mallory', installationId: INSTALLATION }));
    const body = { repository: 'acme/api', subject: `push/${after}`, text: 'fine' };
    expect((await post(app, body, { authorization: 'Bearer read-me' })).status).toBe(401);
    expect((await post(app, body, { 'x-github-token': 'sign-me' })).status).toBe(401);
    expect((await post(app, body, { 'x-github-token': 'bot-token' })).status).toBe(401);
    expect((await post(app, { ...body, subject: 'pull/1' })).status).toBe(400);
    expect((await post(app, { ...body, subject: `push/${after.toUpperCase()}` })).status).toBe(400);
    expect((await post(app, { ...body, subject: `push/${'a'.repeat(40)}` })).status).toBe(404);
    expect((await post(app, { ...body, repository: 'ACME/API' })).status).toBe(404);
    expect((await post(app, { ...body, repository: 'acme/api/../web' })).status).toBe(400);
    expect((await post(app, '{"repository":')).status).toBe(400);
    expect((await post(app, { ...body, text: 42 })).status).toBe(400);
    expect((await post(app, { ...body, text: '   ' })).status).toBe(422);
    expect((await post(app, { ...body, text: 'x'.repeat(8_001) })).status).toBe(422);
    expect((await post(app, { ...body, text: 'x'.repeat(70_000) })).status).toBe(413);
    // Chunked, no Content-Length.
    const big = new TextEncoder().encode(JSON.stringify({ ...body, text: 'y'.repeat(200_000) }));
    const chunked = await fetch(`${app.url}/api/changeproof/exception-response`, {
      method: 'POST', headers: { authorization: 'Bearer sign-me', 'x-github-token': 'dave-token', 'content-type': 'application/json' },
      body: new ReadableStream({ start(c) { c.enqueue(big); c.close(); } }), duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(await app.entries('exception_response')).toHaveLength(0);
    const ok = await post(app, body);
    expect(ok.status).toBe(201);
    const [entry] = await app.entries('exception_response');
    expect(entry!.repo).toBe('acme/api');
    expect(entry!.data).toMatchObject({ responder: 'dave', excluded: ['mallory'], permission: { roleName: 'maintain' } });
  });
});
