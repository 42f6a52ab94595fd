import { CHECK_RUN, CHECK_SUITE, COMMIT, GIT_ACTOR, HEAD_CHECKS, PAGE_INFO, POLICY_FILE, REVIEW, STATUS_CONTEXT, TIMELINE } from './fragments.js';
import { CHANGED_FILES, CODE_OWNERS } from './pull-request-paths.graphql.js';

/**
 * The one query that gathers a pull request's evidence: the pull request,
 * its labels, commits (with co-authors, parents and signatures), reviews,
 * the head branch's force pushes, and the check runs and
 * commit statuses of its head commit — 100 of each; longer lists are paged
 * with the queries in `pull-request-pages.graphql.ts`.
 *
 * With `$withPolicy`, it also reads `.github/changeproof.yml` from the default
 * branch of the repository and of the owner's `.github` repository, so an
 * evaluation needs no request of its own for the policy. (A missing `.github`
 * repository answers with a `NOT_FOUND` error on `orgPolicy`, which is expected.)
 * With `$withExtends`, it reads the `_extends` target the repository's policy
 * named last time (another repository), so that too costs nothing extra.
 * With `$withFiles` and `$withCodeOwners` (the repository's policy has path
 * rules or code owners), it reads the changed files and the base branch's
 * CODEOWNERS as well.
 *
 * The head commit is read as the last commit of the pull request; the
 * collector checks that it is `headRefOid` and asks again otherwise.
 * `rateLimit { cost remaining }` reports the query's price in GraphQL points
 * (asking for it costs nothing); the installation's client records it.
 */
export const PULL_REQUEST_QUERY = /* GraphQL */ `
query ChangeproofPullRequest(
  $owner: String!, $name: String!, $number: Int!, $withPolicy: Boolean!, $policyPath: String!,
  $withExtends: Boolean!, $extendsOwner: String!, $extendsName: String!, $extendsPath: String!,
  $withFiles: Boolean!, $withCodeOwners: Boolean!
) {
  repository(owner: $owner, name: $name) {
    name
    owner { login }
    defaultBranchRef {
      name
      target @include(if: $withPolicy) { oid ... on Commit { policyFile: file(path: $policyPath) { ...PolicyFileFields } } }
    }
    pullRequest(number: $number) {
      id
      number
      url
      title
      body
      state
      isDraft
      createdAt
      author { __typename login ... on User { databaseId } ... on Bot { databaseId } }
      baseRefName
      headRefName
      headRepository { nameWithOwner }
      baseRefOid
      headRefOid
      merged
      mergedAt
      mergedBy { __typename login ... on User { databaseId } ... on Bot { databaseId } }
      mergeCommit {
        oid authoredDate messageHeadline
        parents(first: 2) { totalCount nodes { oid policyFile: file(path: $policyPath) @include(if: $withPolicy) { ...PolicyFileFields } } }
      }
      labels(first: 100) { totalCount pageInfo { ...PageInfoFields } nodes { name } }
      commits(first: 100) { totalCount pageInfo { ...PageInfoFields } nodes { commit { ...CommitFields } } }
      reviews(first: 100) { totalCount pageInfo { ...PageInfoFields } nodes { ...ReviewFields } }
      timeline: timelineItems(first: 100, itemTypes: [HEAD_REF_FORCE_PUSHED_EVENT, BASE_REF_CHANGED_EVENT, LABELED_EVENT, UNLABELED_EVENT]) { totalCount pageInfo { ...PageInfoFields } nodes { ...TimelineNodes } }
      headCommit: commits(last: 1) { nodes { commit { ...HeadChecks } } }
      ...ChangedFilesFields @include(if: $withFiles)
      ...CodeOwnersFields @include(if: $withCodeOwners)
    }
  }
  orgPolicy: repository(owner: $owner, name: ".github") @include(if: $withPolicy) {
    nameWithOwner
    defaultBranchRef {
      name
      target { oid ... on Commit { policyFile: file(path: $policyPath) { ...PolicyFileFields } } }
    }
  }
  extendsPolicy: repository(owner: $extendsOwner, name: $extendsName) @include(if: $withExtends) {
    nameWithOwner
    defaultBranchRef {
      name
      target { oid ... on Commit { policyFile: file(path: $extendsPath) { ...PolicyFileFields } } }
    }
  }
  rateLimit { cost remaining }
}
${PAGE_INFO}${GIT_ACTOR}${COMMIT}${REVIEW}${TIMELINE}${CHECK_RUN}${CHECK_SUITE}${STATUS_CONTEXT}${HEAD_CHECKS}${POLICY_FILE}${CHANGED_FILES}${CODE_OWNERS}`;
