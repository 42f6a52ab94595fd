import { describe, expect, it } from 'vitest';
import type { ChangeFacts } from '../../src/core/facts.js';
import { collectPathEvidence } from '../../src/github/collect-pull-request-paths.js';
import type { GitHubClient } from '../../src/github/octokit.js';
import { TeamMembershipCache } from '../../src/github/team-membership-cache.js';
import { commit, policy, pullRequest, review, sha } from '../core/facts-builder.js';

/**
 * What GitHub can withhold from path rules and code owners, with a stub
 * client answering exactly what each case needs: never a shorter list, never
 * the pull request's own CODEOWNERS, never an empty team.
 */

const ref = { owner: 'acme', repo: 'api', number: 42 };
const now = () => new Date('2026-03-10T12:00:00Z');
const RULES = policy({ peer_review: { rules: [{ name: 'infra', paths: ['terraform/**'], from: ['@acme/sre'] }] } });
const OWNERS = policy({ peer_review: { code_owners: true } });

function client(answers: { graphql?: (query: string, variables: Record<string, unknown>) => unknown; request?: (route: string, params: Record<string, unknown>) => unknown }) {
  const calls: string[] = [];
  const octokit = {
    graphql: async (query: string, variables: Record<string, unknown>) => {
      calls.push(/query (\w+)/.exec(query)![1]!);
      return answers.graphql!(query, variables);
    },
    request: async (route: string, params: Record<string, unknown>) => {
      calls.push(route);
      return { data: answers.request!(route, params) };
    },
    log: { debug() {}, info() {}, warn() {}, error() {} },
  } as unknown as GitHubClient;
  return { octokit, calls };
}

const page = <T,>(nodes: T[], totalCount = nodes.length) => ({ totalCount, pageInfo: { hasNextPage: false, endCursor: null }, nodes });
const blob = (text: string, extra: Record<string, unknown> = {}) => ({ path: '.github/CODEOWNERS', oid: sha(text), object: { __typename: 'Blob', byteSize: text.length, isBinary: false, isTruncated: false, text, ...extra } });
const team = (members: string[]) => ({ organization: { team: { slug: 'sre', members: page(members.map((login) => ({ login }))) } } });
const facts = (overrides: Partial<ChangeFacts> = {}) => pullRequest(overrides);

describe('collectPathEvidence', () => {
  it('reads nothing for a policy without path rules, code owners or kept approvals', async () => {
    const { octokit, calls } = client({});
    const out = await collectPathEvidence(octokit, ref, facts(), policy({}), { now, teams: new TeamMembershipCache(), prefetched: {} });
    expect(calls).toEqual([]);
    expect(out.changedFiles).toBeUndefined();
  });

  it("reads a renamed file's old path over REST: moving a file out of terraform/ touches terraform/", async () => {
    const { octokit, calls } = client({
      graphql: (q) => (q.includes('TeamMembers') ? team(['dave']) : { repository: { pullRequest: { changedFiles: 1, files: page([{ path: 'old/main.tf', changeType: 'RENAMED' }]) } } }),
      request: () => [{ filename: 'old/main.tf', previous_filename: 'terraform/main.tf', status: 'renamed' }],
    });
    const out = await collectPathEvidence(octokit, ref, facts(), RULES, { now, teams: new TeamMembershipCache(), prefetched: {} });
    expect(out.gaps).toEqual([]);
    expect(out.changedFiles).toEqual([{ path: 'old/main.tf', previousPath: 'terraform/main.tf', changeType: 'RENAMED' }]);
    expect(out.teams).toEqual([{ team: 'acme/sre', members: ['dave'], readAt: '2026-03-10T12:00:00Z' }]);
    expect(calls).toEqual(['ChangeproofPullRequestPaths', 'GET /repos/{owner}/{repo}/pulls/{pull_number}/files', 'ChangeproofTeamMembers']);
  });

  it('a file list shorter than the pull request says it changes is a gap (GitHub lists at most 3,000)', async () => {
    const { octokit } = client({ graphql: () => ({ repository: { pullRequest: { changedFiles: 3001, files: page([{ path: 'a.ts', changeType: 'MODIFIED' }]) } } }) });
    const out = await collectPathEvidence(octokit, ref, facts(), RULES, { now, teams: new TeamMembershipCache(), prefetched: {} });
    expect(out.gaps).toEqual([{ what: 'files', reason: 'GitHub listed 1 of the 3001 files the pull request changes' }]);
  });

  it('CODEOWNERS that GitHub serves only in part is a gap, with what to do', async () => {
    const { octokit } = client({
      graphql: () => ({ repository: { pullRequest: { changedFiles: 0, files: page([]), baseRef: { name: 'main', target: { oid: sha('main'), codeOwnersGithub: blob('* @a\n', { isTruncated: true }) } } } } }),
    });
    const out = await collectPathEvidence(octokit, ref, facts(), OWNERS, { now, teams: new TeamMembershipCache(), prefetched: {} });
    expect(out.gaps).toEqual([expect.objectContaining({ what: 'code_owners', fix: expect.stringContaining('3 MB') })]);
    expect(out.codeOwners).toBeUndefined();
  });

  it('prefers .github/CODEOWNERS to the root and docs/, as GitHub does, and uses what the pull request query read', async () => {
    const { octokit, calls } = client({ graphql: () => team(['bob']) });
    const baseRef = { name: 'main', target: { oid: sha('main'), codeOwnersGithub: blob('* @acme/sre\n'), codeOwnersRoot: blob('* @mallory\n'), codeOwnersDocs: null } };
    const out = await collectPathEvidence(octokit, ref, facts(), OWNERS, { now, teams: new TeamMembershipCache(), prefetched: { changedFiles: 1, files: page([{ path: 'a.ts', changeType: 'MODIFIED' }]), baseRef } });
    expect(out.codeOwners?.file?.text).toBe('* @acme/sre\n');
    expect(calls).toEqual(['ChangeproofTeamMembers']);
  });

  it('a team reused within five minutes keeps the time it was read', async () => {
    const teams = new TeamMembershipCache();
    const prefetched = { changedFiles: 1, files: page([{ path: 'terraform/x.tf', changeType: 'MODIFIED' }]) };
    const first = client({ graphql: () => team(['dave']) });
    await collectPathEvidence(first.octokit, ref, facts(), RULES, { now, teams, prefetched });
    const later = client({ graphql: () => team(['erin']) });
    const out = await collectPathEvidence(later.octokit, ref, facts(), RULES, { now: () => new Date('2026-03-10T12:04:59Z'), teams, prefetched });
    expect(later.calls).toEqual([]);
    expect(out.teams).toEqual([{ team: 'acme/sre', members: ['dave'], readAt: '2026-03-10T12:00:00Z' }]);
    const expired = client({ graphql: () => team(['erin']) });
    const fresh = await collectPathEvidence(expired.octokit, ref, facts(), RULES, { now: () => new Date('2026-03-10T12:05:00Z'), teams, prefetched });
    expect(fresh.teams![0]!.members).toEqual(['erin']);
  });

  it('a compare GitHub will not answer is a gap for the kept approval, never a kept one', async () => {
    const keep = policy({ peer_review: { keep_approvals_on_update_merge: true } });
    const A = sha('a');
    const { octokit } = client({
      request: () => {
        throw Object.assign(new Error('Server Error'), { status: 500 });
      },
    });
    const f = facts({ commits: [commit('a', { parents: [sha('base')] }), commit('head', { parents: [A, sha('base-2')] })], reviews: [review('bob', 'APPROVED', { on: A })] });
    const out = await collectPathEvidence(octokit, ref, f, keep, { now, teams: new TeamMembershipCache(), prefetched: {} });
    expect(out.gaps).toEqual([expect.objectContaining({ what: 'update_merge' })]);
  });
});
