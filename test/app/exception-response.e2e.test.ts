import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { ExceptionResponseRecord } from '../../src/core/records.js';
import { evidencePath } from '../../src/export/model.js';
import { acmeScenario, INSTALLATION_ID as INSTALLATION, useApp } from '../support/app-harness.js';
import { installationPayload, issueCommentPayload, pullRequestPayload, pushPayload } from '../support/webhooks.js';

const env = useApp();

/** Text an attacker would like to see run: markup in the pages, a formula in a spreadsheet. */
const HOSTILE = '<script>alert(1)</script> =HYPERLINK("http://evil.example","x") reviewed & accepted';

/** acme/api where dave maintains, erin can only write, olga administers; alice merges a failing change (an admin bypass). */
function bypassScenario() {
  return acmeScenario({ start: '2026-03-02T09:00:00Z' }).role('dave', 'maintain').role('erin', 'write').role('olga', 'admin').role('alice', 'admin')
    .pullRequest({ author: 'alice' }).check('ci', 'failure').merge({ by: 'alice' });
}

const replies = (sim: { world: { repo(n: string): { issueComments?: { number: number; body: string }[] } } }) =>
  (sim.world.repo('acme/api').issueComments ?? []).map((c) => c.body);

async function cli(argv: string[], cliEnv: NodeJS.ProcessEnv = {}) {
  let out = '';
  let err = '';
  const stream = (append: (s: string) => void) => new Writable({ write(chunk, _e, cb) { append(String(chunk)); cb(); } });
  const code = await main(argv, { stdout: stream((s) => (out += s)), stderr: stream((s) => (err += s)), env: cliEnv });
  return { code, out, err };
}

describe('responses to exceptions, end to end', () => {
  it("a maintainer's `/changeproof respond` on a merged non-compliant change is recorded, and shown in exceptions.csv, the workbook, the report and the evidence page", async () => {
    // Installed in February (the ledger covers March), the bypass happens in March.
    const s = acmeScenario({ start: '2026-02-27T09:00:00Z' }).role('dave', 'maintain');
    const { sim, app } = await env.start(s, (sim) => ({ clock: () => new Date(Date.parse(sim.world.now()) + 60_000), ledgerOnClock: true }));
    await app.deliverAndSettle('installation', installationPayload(sim, ['acme/api'], INSTALLATION));
    s.world.tick(3 * 24 * 60);
    s.pullRequest({ author: 'alice' }).check('ci', 'failure').merge({ by: 'alice' });
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'closed', { installationId: INSTALLATION }));
    const [exception] = await app.entries('exception');
    expect(exception).toBeDefined();

    await app.deliverAndSettle('issue_comment', issueCommentPayload(sim, 'acme/api', 1, 'dave', `/changeproof respond ${HOSTILE}`, { installationId: INSTALLATION }));
    const [response] = await app.entries('exception_response');
    const record = response!.data as unknown as ExceptionResponseRecord;
    expect(record).toMatchObject({
      subject: 'pull/1', responder: 'dave', text: HOSTILE, permission: { roleName: 'maintain', permission: 'write' },
      exceptions: [{ seq: exception!.seq, hash: exception!.hash, type: 'merged_without_passing_control' }], source: { via: 'comment' },
    });
    expect(record.excluded).toEqual(expect.arrayContaining(['alice']));
    expect(replies(sim).at(-1)).toMatch(/^Recorded @dave's response to the exception of this pull request \(ledger entry #\d+\)/);

    // Editing the comment afterwards changes nothing recorded; the same comment delivered again (a replay under a new delivery id) adds nothing.
    const commentId = record.source.via === 'comment' ? record.source.commentId : 0;
    await app.deliverAndSettle('issue_comment', issueCommentPayload(sim, 'acme/api', 1, 'dave', '/changeproof respond never mind', { action: 'edited', installationId: INSTALLATION, commentId }));
    await app.deliverAndSettle('issue_comment', issueCommentPayload(sim, 'acme/api', 1, 'dave', `/changeproof respond ${HOSTILE}`, { installationId: INSTALLATION, commentId }));
    expect(await app.entries('exception_response')).toHaveLength(1);
    expect(replies(sim)).toHaveLength(1);

    // The export shows the response beside the exception everywhere.
    const ledgerPath = app.ledgerPath;
    await app.close();
    const out = join(mkdtempSync(join(tmpdir(), 'changeproof-respond-')), 'march');
    const r = await cli(['export', '--ledger', ledgerPath, '--from', '2026-03-01', '--to', '2026-03-31', '--out', out, '--seed', 's', '--repo', 'acme/api', '--json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);

    const rows = parse(readFileSync(join(out, 'exceptions.csv')), { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(1);
    expect(rows[0]!['responses']).toBe(`dave (maintain, ${record.respondedAt}): ${HOSTILE}`);
    expect(rows[0]!['response_ledger_seqs']).toBe(String(response!.seq));
    const population = parse(readFileSync(join(out, 'population.csv')), { columns: true }) as Record<string, string>[];
    expect(population.find((p) => p['id'] === 'acme/api#1')!['exceptions']).toMatch(/: open \(1 response\)$/);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { ledger: { source: string } };
    expect(manifest.ledger.source).toBe(`file ${basename(ledgerPath)}`);

    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(join(out, 'sample.xlsx'));
    const sheet = workbook.getWorksheet('Exceptions')!;
    const headers = (sheet.getRow(1).values as unknown[]).slice(1);
    const cell = sheet.getRow(2).getCell(headers.indexOf('Management response') + 1);
    expect(cell.type).toBe(ExcelJS.ValueType.String);
    expect(String(cell.value)).toContain(HOSTILE);
    expect(String(cell.value)).not.toContain("'=");

    const report = readFileSync(join(out, 'report.html'), 'utf8');
    expect(report).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(report).not.toContain('<script>');
    expect(report).toMatch(/<strong>@dave<\/strong> \(maintain\)/);

    const page = readFileSync(join(out, evidencePath('acme/api#1')), 'utf8');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).not.toContain('<script>');
    expect(page).toContain('Management response');
    rmSync(dirname(out), { recursive: true, force: true });
  }, 60_000);

  it.each([
    ['the author of the change, an admin', 'alice', /@alice caused this exception|@alice contributed/],
    ['a person with the write role only', 'erin', /@erin has the write role on this repository; only a person with the admin or maintain role/],
  ])('the same comment by %s is refused with a reply saying why, and nothing is recorded', async (_who, login, why) => {
    const { sim, app } = await env.start(bypassScenario());
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'closed', { installationId: INSTALLATION }));
    const before = (await app.entries()).length;
    // The payload's own claim of membership is not believed: GitHub's role is.
    await app.deliverAndSettle('issue_comment', issueCommentPayload(sim, 'acme/api', 1, login, '/changeproof respond Accepted, see INC-7.', { installationId: INSTALLATION, authorAssociation: 'OWNER' }));
    expect(await app.entries('exception_response')).toHaveLength(0);
    expect((await app.entries()).length).toBe(before);
    expect(replies(sim).at(-1)).toMatch(/^Not recorded: /);
    expect(replies(sim).at(-1)).toMatch(why);
  });

  it('a contributor who pushed to the change cannot respond, even with the maintain role', async () => {
    const s = acmeScenario().role('dave', 'maintain').pullRequest({ author: 'alice' }).commit({ author: 'dave' }).check('ci', 'failure').merge({ by: 'carol' });
    const { sim, app } = await env.start(s);
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'closed', { installationId: INSTALLATION }));
    await app.deliverAndSettle('issue_comment', issueCommentPayload(sim, 'acme/api', 1, 'dave', '/changeproof respond fine by me', { installationId: INSTALLATION }));
    expect(await app.entries('exception_response')).toHaveLength(0);
    expect(replies(sim).at(-1)).toBe('Not recorded: @dave contributed to pull request #1; a response must come from someone who did not.');
  });

  it('a response to a change without an exception is refused; an empty one too; ordinary comments are ignored', async () => {
    const s = acmeScenario().role('dave', 'maintain').pullRequest({ author: 'alice' }).approvedBy('bob').check('ci', 'success').merge({ by: 'carol' });
    const { sim, app } = await env.start(s);
    await app.deliverAndSettle('pull_request', pullRequestPayload(sim, 'acme/api', 1, 'closed', { installationId: INSTALLATION }));
    await app.deliverAndSettle('issue_comment', issueCommentPayload(sim, 'acme/api', 1, 'dave', '/changeproof respond all good', { installationId: INSTALLATION }));
    expect(replies(sim).at(-1)).toBe('Not recorded: pull request #1 has no exception recorded, so there is nothing to respond to.');
    await app.deliverAndSettle('issue_comment', issueCommentPayload(sim, 'acme/api', 1, 'dave', 'LGTM, nice work', { installationId: INSTALLATION }));
    expect(replies(sim)).toHaveLength(1);
    expect(await app.entries('exception_response')).toHaveLength(0);
  });

  // Attack: a maintainer co-authors a direct push (a `Co-authored-by:` trailer on mallory's commit), then answers its exception.
  it("a co-author of a direct push's commit may not answer its exception: GitHub's co-author links are read when someone responds", async () => {
    const s = acmeScenario().role('dave', 'maintain').user('mallory');
    const repo = s.currentRepository();
    const before = repo.branches.get('main')!;
    const mallory = { name: 'mallory', email: 'mallory@example.com', date: s.world.tick() };
    const dave = s.world.account('dave')!;
    // 29 commits of mallory's own, then the co-authored one: the authors are read 25 commits a request.
    let parent = before;
    for (let i = 0; i < 29; i++) parent = s.makeCommit(repo, [parent], `Step ${i}`, mallory, mallory, { [`src/step-${i}.ts`]: `export const n = ${i};\n` });
    const after = s.makeCommit(repo, [parent], `Hotfix\n\nCo-authored-by: Dave <${dave.emails[0]}>`, mallory, mallory, { 'src/hotfix.ts': 'export const fixed = true;\n' });
    repo.branches.set('main', after);
    s.world.userTokens.set('dave-token', 'dave');
    const { sim, app } = await env.start(s, { signingToken: 'sign-me', respondingPerHour: 1 });
    await app.deliverAndSettle('push', pushPayload(sim, 'acme/api', { before, after, pusher: 'mallory', forced: false, installationId: INSTALLATION }));
    const respond = () => fetch(`${app.url}/api/changeproof/exception-response`, {
      method: 'POST', headers: { authorization: 'Bearer sign-me', 'content-type': 'application/json', 'x-github-token': 'dave-token' },
      body: JSON.stringify({ repository: 'acme/api', subject: `push/${after}`, text: 'Looked at it again: fine.' }),
    });
    const res = await respond();
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: string }).error).toMatch(/@dave contributed to the push/);
    expect(await app.entries('exception_response')).toHaveLength(0);
    // Each response asks GitHub several questions: the API answers a signing token a limited number of times an hour.
    const again = await respond();
    expect(again.status).toBe(429);
    expect(again.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(((await again.json()) as { error: string }).error).toMatch(/^at most 1 response an hour per signing token/);
  });

  it("a direct push's exception is answered through the API with the signing token and the responder's own GitHub token", async () => {
    const s = acmeScenario().role('dave', 'maintain').user('mallory');
    const before = s.currentRepository().branches.get('main')!;
    s.file('src/hotfix.ts', 'export const fixed = true;\n', { author: 'mallory' });
    const after = s.currentRepository().branches.get('main')!;
    s.world.userTokens.set('dave-token', 'dave');
    s.world.userTokens.set('mallory-token', 'mallory');
    const { sim, app } = await env.start(s, { signingToken: 'sign-me' });
    await app.deliverAndSettle('push', pushPayload(sim, 'acme/api', { before, after, pusher: 'mallory', forced: false, installationId: INSTALLATION }));
    const post = (token: string, githubToken: string | null, body: object) => fetch(`${app.url}/api/changeproof/exception-response`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(githubToken ? { 'x-github-token': githubToken } : {}) }, body: JSON.stringify(body),
    });
    const body = { repository: 'acme/api', subject: `push/${after}`, text: 'Hotfix reviewed after the fact; INC-12.' };
    expect((await post('wrong', 'dave-token', body)).status).toBe(401);
    expect((await post('sign-me', null, body)).status).toBe(401);
    const self = await post('sign-me', 'mallory-token', body);
    expect(self.status).toBe(403);
    expect(((await self.json()) as { error: string }).error).toMatch(/@mallory has the write role|@mallory caused this exception/);
    expect((await post('sign-me', 'dave-token', { ...body, subject: `push/${'0'.repeat(40)}` })).status).toBe(404);
    const ok = await post('sign-me', 'dave-token', body);
    expect(ok.status).toBe(201);
    const [entry] = await app.entries('exception_response');
    expect(entry!.data).toMatchObject({ subject: `push/${after}`, responder: 'dave', permission: { roleName: 'maintain' }, source: { via: 'api' }, text: body.text });
    expect(JSON.stringify(entry!.data)).not.toContain('dave-token');

    // The same through the CLI: by the pusher refused (exit 1, nothing recorded), by the maintainer recorded.
    const respond = (githubToken: string) => cli(['respond', '--app', app.url, '--repo', 'acme/api', '--push', after, '--text', 'Second look: fine.'], { CHANGEPROOF_SIGNING_TOKEN: 'sign-me', GITHUB_TOKEN: githubToken });
    const refused = await respond('mallory-token');
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/^changeproof respond: not recorded: @mallory/);
    const recorded = await respond('dave-token');
    expect(recorded.code).toBe(0);
    expect(recorded.out).toMatch(/^Recorded @dave's response \(maintain\) to acme\/api@[0-9a-f]{7} as ledger entry #\d+/);
    expect(await app.entries('exception_response')).toHaveLength(2);
  });
});
