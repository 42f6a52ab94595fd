import type { Policy } from '../config/policy.schema.js';
import { CODEOWNERS_PATHS } from '../core/codeowners.js';
import type { ChangedFile, ChangeFacts, CodeOwnersFacts, EvidenceGap, TeamFacts } from '../core/facts.js';
import { policyNeeds, TEAM_PERMISSION_FIX, teamsNeeded, updateMergesNeeded } from '../core/policy/needed-evidence.js';
import { readConnection } from './connection-reader.js';
import { toGitHubEvidenceError } from './errors.js';
import { PULL_REQUEST_FILES_PAGE_QUERY, PULL_REQUEST_PATHS_QUERY } from './graphql/pull-request-paths.graphql.js';
import type { GqlChangedFile, GqlCodeOwnersRef, GqlPolicyFile, GqlPullRequest, PullRequestFilesPageData, PullRequestPathsData } from './graphql/pull-request.types.js';
import { toIsoUtc } from './map-evidence.js';
import type { GitHubClient } from './octokit.js';
import { describeFailure, memoBaseBeforeMerge, type BaseCommit } from './read-base-before-merge.js';
import { readTeamMembers } from './read-team-members.js';
import { readUpdateMerges } from './read-update-merges.js';
import { ROUTES } from './routes.js';
import { runGraphql, runGraphqlComplete } from './run-graphql.js';
import type { TeamMembershipCache } from './team-membership-cache.js';

export interface PathEvidenceOptions {
  now: () => Date;
  teams: TeamMembershipCache;
  maxPages?: number;
  /** What the pull request's own query already read (`$withFiles`, `$withCodeOwners`). */
  prefetched: Pick<GqlPullRequest, 'files' | 'changedFiles' | 'baseRef'>;
  /** The base branch just before the merge, asked once per collection (see memoBaseBeforeMerge); made here when not given. */
  beforeMerge?: () => Promise<BaseCommit>;
}

/**
 * Adds what path rules, code owners and kept approvals need to the facts —
 * and nothing for a policy without them, so such a policy costs what it
 * always did:
 *
 * 1. the changed files and the base branch's CODEOWNERS (from the pull
 *    request's own query when it read them, else one more query; a rename's
 *    old path over REST, only when there is a rename; for a merged pull
 *    request that edited CODEOWNERS, the file as it was before the merge);
 * 2. the members of each team the change's rules and owners name (one query
 *    per team, reused for a few minutes);
 * 3. for an approval of an earlier commit followed only by merges, three
 *    diffs over REST (the change at the approval, the change now, the base
 *    in between) — two for each further approved commit.
 *
 * Whatever cannot be read is a gap with what to fix (`error`, never a pass).
 */
export async function collectPathEvidence(
  octokit: GitHubClient,
  ref: { owner: string; repo: string; number: number },
  facts: ChangeFacts,
  policy: Policy,
  options: PathEvidenceOptions,
): Promise<ChangeFacts> {
  const needs = policyNeeds(policy);
  // Without the new keys nothing more is read; with a gap already, the verdict is `error` whatever more is read.
  if ((!needs.files && !needs.codeOwners && !needs.updateMerges) || facts.gaps.length) return facts;
  const what = `${ref.owner}/${ref.repo}#${ref.number}`;
  const gaps: EvidenceGap[] = [];
  const out: ChangeFacts = { ...facts };
  const beforeMerge = options.beforeMerge ?? memoBaseBeforeMerge(octokit, ref, facts, what);

  // 1. Changed files and CODEOWNERS.
  let { files, changedFiles, baseRef } = options.prefetched;
  const missingFiles = needs.files && files === undefined;
  const missingOwners = needs.codeOwners && baseRef === undefined;
  if (missingFiles || missingOwners) {
    const variables = { owner: ref.owner, name: ref.repo, number: ref.number, withFiles: missingFiles, withCodeOwners: missingOwners };
    try {
      const { data, errors } = await runGraphql<PullRequestPathsData>(octokit, PULL_REQUEST_PATHS_QUERY, variables, what);
      for (const e of errors) gaps.push({ what: e.path?.includes('files') ? 'files' : 'code_owners', reason: `GitHub reported an error: ${e.message}` });
      const pr = data.repository?.pullRequest;
      if (missingFiles) {
        files = pr?.files ?? null;
        changedFiles = pr?.changedFiles;
      }
      if (missingOwners) baseRef = pr?.baseRef ?? null;
    } catch (error) {
      gaps.push({ what: 'files', reason: `could not read the changed files and CODEOWNERS: ${toGitHubEvidenceError(error, what).message}` });
    }
  }
  if (needs.files && !gaps.some((g) => g.what === 'files')) {
    const read = await readChangedFiles(octokit, ref, files, changedFiles, options.maxPages ?? 50, what);
    if (read.gap) gaps.push({ what: 'files', reason: read.gap });
    else out.changedFiles = read.files;
  }
  if (needs.codeOwners && !gaps.some((g) => g.what === 'code_owners')) {
    const readAt = toIsoUtc(options.now().toISOString());
    let owners = codeOwnersFrom(baseRef, facts.baseRef, readAt);
    // Once merged, the base branch holds the pull request's own CODEOWNERS edit, and may have moved on since (an
    // edit pushed after the merge, before it is judged): read the owners as they were just before the merge.
    const mergeSha = facts.merge?.mergeCommitSha;
    const movedOn = !('gap' in owners) && !!mergeSha && owners.facts.commitSha !== mergeSha;
    if (!('gap' in owners) && mergeSha && ((out.changedFiles && editsCodeOwners(out.changedFiles)) || movedOn)) {
      owners = await codeOwnersBeforeMerge(beforeMerge, facts.baseRef, readAt, what);
    }
    if ('gap' in owners) gaps.push(owners.gap);
    else out.codeOwners = owners.facts;
  }

  // 2. Teams, once the files and owners are known.
  if (needs.files && !gaps.length) {
    const teams: TeamFacts[] = [];
    for (const team of teamsNeeded(policy, out)) {
      const read = await teamMembers(octokit, team, options);
      if ('gap' in read) gaps.push(read.gap);
      else teams.push(read.facts);
    }
    out.teams = teams;
  }

  // 3. Approvals of earlier commits followed only by merges.
  const approved = updateMergesNeeded(policy, facts);
  if (approved.length) {
    const merges = await readUpdateMerges(octokit, ref, facts, approved, beforeMerge, what);
    gaps.push(...merges.gaps);
    out.updateMerges = merges.facts;
  }
  out.gaps = [...facts.gaps, ...gaps];
  return out;
}

async function readChangedFiles(
  octokit: GitHubClient,
  ref: { owner: string; repo: string; number: number },
  first: GqlPullRequest['files'],
  count: number | undefined,
  maxPages: number,
  what: string,
): Promise<{ files: ChangedFile[]; gap: string | null }> {
  const reader = await readConnection<GqlChangedFile>(
    'changed files',
    first,
    async (after) => (await runGraphqlComplete<PullRequestFilesPageData>(octokit, PULL_REQUEST_FILES_PAGE_QUERY, { owner: ref.owner, name: ref.repo, number: ref.number, after }, what)).repository?.pullRequest?.files,
    { maxPages, key: (f) => f.path, describeError: (error) => toGitHubEvidenceError(error, what).message },
  );
  if (reader.gap) return { files: [], gap: reader.gap };
  // GitHub lists at most 3,000 files of a pull request; a file it does not list could be the one a rule is about.
  if (count === undefined || reader.items.length < count) {
    return { files: [], gap: `GitHub listed ${reader.items.length} of the ${count ?? 'unknown number of'} files the pull request changes` };
  }
  const files: ChangedFile[] = reader.items.map((f) => ({ path: f.path, previousPath: null, changeType: f.changeType }));
  // GraphQL names a renamed file by its new path only; its old path matters (moving a file out of terraform/ changes terraform/).
  if (!files.some((f) => f.changeType === 'RENAMED' || f.changeType === 'COPIED')) return { files, gap: null };
  try {
    const previous = new Map<string, string | null>();
    // REST lists at most 3000 files of a pull request, 100 a page (https://docs.github.com/rest/pulls/pulls#list-pull-requests-files).
    for (let page = 1; page <= 30; page += 1) {
      const { data } = await octokit.request(ROUTES.listPullRequestFiles, { owner: ref.owner, repo: ref.repo, pull_number: ref.number, per_page: 100, page });
      for (const f of data) previous.set(f.filename, f.previous_filename ?? null);
      if (data.length < 100) break;
    }
    const missing = files.find((f) => (f.changeType === 'RENAMED' || f.changeType === 'COPIED') && !previous.get(f.path));
    if (missing) return { files: [], gap: `GitHub did not give the old path of the renamed file ${missing.path}` };
    return { files: files.map((f) => (f.changeType === 'RENAMED' || f.changeType === 'COPIED' ? { ...f, previousPath: previous.get(f.path) ?? null } : f)), gap: null };
  } catch (error) {
    return { files: [], gap: `could not read the old paths of renamed files: ${toGitHubEvidenceError(error, what).message}` };
  }
}

function codeOwnersFrom(baseRef: GqlCodeOwnersRef | null | undefined, branch: string, readAt: string): { facts: CodeOwnersFacts } | { gap: EvidenceGap } {
  const target = baseRef?.target;
  if (!baseRef || !target) return { gap: { what: 'code_owners', reason: `GitHub did not return the base branch ${branch}, so its CODEOWNERS could not be read` } };
  const file: GqlPolicyFile | null = target.codeOwnersGithub ?? target.codeOwnersRoot ?? target.codeOwnersDocs ?? null;
  if (!file) return { facts: { ref: baseRef.name, commitSha: target.oid, file: null, readAt } };
  const blob = file.object;
  if (!blob || blob.isBinary || blob.isTruncated || typeof blob.text !== 'string') {
    return {
      gap: {
        what: 'code_owners',
        reason: `${file.path} on ${baseRef.name} is too large or not text, so GitHub does not serve its content`,
        fix: 'GitHub ignores a CODEOWNERS file over 3 MB; make it smaller',
      },
    };
  }
  return { facts: { ref: baseRef.name, commitSha: target.oid, file: { path: file.path ?? '', blobSha: file.oid, text: blob.text }, readAt } };
}

function editsCodeOwners(files: readonly ChangedFile[]): boolean {
  const locations = new Set<string>(CODEOWNERS_PATHS);
  return files.some((f) => locations.has(f.path) || (f.previousPath !== null && locations.has(f.previousPath)));
}

/** CODEOWNERS as the base branch had it just before the merge (see {@link baseBeforeMerge}). */
async function codeOwnersBeforeMerge(
  before: () => Promise<BaseCommit>,
  branch: string,
  readAt: string,
  what: string,
): Promise<{ facts: CodeOwnersFacts } | { gap: EvidenceGap }> {
  try {
    return codeOwnersFrom({ name: branch, target: await before() }, branch, readAt);
  } catch (error) {
    return { gap: { what: 'code_owners', reason: `could not read CODEOWNERS as it was before the merge: ${describeFailure(error, what)}` } };
  }
}

async function teamMembers(octokit: GitHubClient, team: string, options: PathEvidenceOptions): Promise<{ facts: TeamFacts } | { gap: EvidenceGap }> {
  const now = options.now();
  const cached = options.teams.get(team, now);
  if (cached) return { facts: cached };
  const read = await readTeamMembers(octokit, team, { maxPages: options.maxPages ?? 50, readAt: toIsoUtc(now.toISOString()) });
  if ('problem' in read) return { gap: { what: 'teams', reason: `the members of @${team} could not be read: ${read.problem}`, fix: TEAM_PERMISSION_FIX } };
  options.teams.remember(read.facts, now);
  return { facts: read.facts };
}
