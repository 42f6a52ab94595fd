import { describe, expect, it } from 'vitest';
import { foldKey } from '../../src/app/dispatch.js';
import { examplePayload } from '../support/webhooks.js';

const APP = 4242;
const SHA = 'a'.repeat(40);
const repository = { name: 'api', full_name: 'acme/api', owner: { login: 'acme' } };
const pr = (extra: object = {}) => ({ number: 7, head: { sha: SHA, ref: 'feature' }, base: { ref: 'main' }, merged_at: null, ...extra });
const check = (extra: object = {}) => ({ name: 'ci', head_sha: SHA, head_branch: 'feature', app: { id: 15368 }, pull_requests: [{ number: 7 }], ...extra });

describe('foldKey: which deliveries only ask for a re-evaluation (and may be folded), by head commit', () => {
  const cases: Array<[string, string, object, string | null]> = [
    ['a check finishing', 'check_run', { action: 'completed', check_run: check() }, `acme/api@${SHA}`],
    ['a suite finishing', 'check_suite', { action: 'completed', check_suite: check() }, `acme/api@${SHA}`],
    ['a commit status', 'status', { sha: SHA }, `acme/api@${SHA}`],
    ['a review submitted', 'pull_request_review', { action: 'submitted', pull_request: pr() }, `acme/api@${SHA}`],
    ['a review dismissed', 'pull_request_review', { action: 'dismissed', pull_request: pr() }, `acme/api@${SHA}`],
    ['a title edited', 'pull_request', { action: 'edited', pull_request: pr() }, `acme/api@${SHA}`],
    ['a label added', 'pull_request', { action: 'labeled', pull_request: pr() }, `acme/api@${SHA}`],
    ['marked ready for review', 'pull_request', { action: 'ready_for_review', pull_request: pr() }, `acme/api@${SHA}`],
    // Never folded: each records evidence of its own, or must be answered on its own.
    ['opened (records who pushed)', 'pull_request', { action: 'opened', pull_request: pr() }, null],
    ['synchronize (records who pushed)', 'pull_request', { action: 'synchronize', pull_request: pr() }, null],
    ['reopened (records who pushed)', 'pull_request', { action: 'reopened', pull_request: pr() }, null],
    ['a merge', 'pull_request', { action: 'closed', pull_request: pr({ merged: true }) }, null],
    ['a review after merge (retrospective approval)', 'pull_request_review', { action: 'submitted', pull_request: pr({ merged_at: '2026-03-02T10:00:00Z' }) }, null],
    ['"Re-run" on our check run', 'check_run', { action: 'rerequested', check_run: check({ name: 'Change control (CC8.1)', app: { id: APP } }) }, null],
    ['our own check run completing', 'check_run', { action: 'completed', check_run: check({ name: 'Change control (CC8.1)', app: { id: APP } }) }, null],
    ['our own suite re-requested', 'check_suite', { action: 'rerequested', check_suite: check({ app: { id: APP } }) }, null],
    ['a check created (not finished)', 'check_run', { action: 'created', check_run: check() }, null],
    ['a check on a merge queue branch', 'check_run', { action: 'completed', check_run: check({ head_branch: 'gh-readonly-queue/main/pr-7-' + SHA }) }, null],
    ['a direct push', 'push', { ref: 'refs/heads/main', commits: [] }, null],
    ['a merge group', 'merge_group', { action: 'checks_requested' }, null],
    ['a deployment gate', 'deployment_protection_rule', { action: 'requested' }, null],
    ['a comment', 'issue_comment', { action: 'created', issue: { number: 7 }, comment: { id: 1 } }, null],
    ['an automatic retry', 'changeproof.reevaluate', { changeproof: { number: 7 } }, null],
    ['a malformed check payload', 'check_run', { action: 'completed', check_run: 'nonsense' }, null],
  ];
  it.each(cases)('%s', (_name, event, payload, expected) => {
    expect(foldKey(event, { repository, ...payload }, APP)).toBe(expected);
  });

  it("GitHub's own example payloads: a finished check run is folded by its head commit", () => {
    const payload = examplePayload('check_run', 'completed');
    const run = payload['check_run'];
    expect(foldKey('check_run', payload, APP)).toBe(`${payload['repository']['full_name']}@${run['head_sha']}`);
  });
});
