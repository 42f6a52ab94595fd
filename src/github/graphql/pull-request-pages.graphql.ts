import { CHECK_RUN, CHECK_SUITE, COMMIT, GIT_ACTOR, HEAD_CHECKS, PAGE_INFO, REVIEW, STATUS_CONTEXT, TIMELINE } from './fragments.js';

/**
 * Follow-up pages of the pull request's own lists, only for those beyond 100.
 * One request pages every list that still has a next page (`@include`), so a
 * pull request with 250 commits and 120 reviews costs two follow-ups, not three.
 */
export const PULL_REQUEST_PAGE_QUERY = /* GraphQL */ `
query ChangeproofPullRequestPage(
  $owner: String!, $name: String!, $number: Int!,
  $withCommits: Boolean!, $commitsAfter: String,
  $withReviews: Boolean!, $reviewsAfter: String,
  $withLabels: Boolean!, $labelsAfter: String,
  $withTimeline: Boolean!, $timelineAfter: String
) {
  repository(owner: $owner, name: $name) {
    pullRequest(number: $number) {
      commits(first: 100, after: $commitsAfter) @include(if: $withCommits) {
        totalCount pageInfo { ...PageInfoFields } nodes { commit { ...CommitFields } }
      }
      reviews(first: 100, after: $reviewsAfter) @include(if: $withReviews) {
        totalCount pageInfo { ...PageInfoFields } nodes { ...ReviewFields }
      }
      labels(first: 100, after: $labelsAfter) @include(if: $withLabels) {
        totalCount pageInfo { ...PageInfoFields } nodes { name }
      }
      timeline: timelineItems(first: 100, after: $timelineAfter, itemTypes: [HEAD_REF_FORCE_PUSHED_EVENT, BASE_REF_CHANGED_EVENT, LABELED_EVENT, UNLABELED_EVENT]) @include(if: $withTimeline) {
        totalCount pageInfo { ...PageInfoFields } nodes { ...TimelineNodes }
      }
    }
  }
}
${PAGE_INFO}${GIT_ACTOR}${COMMIT}${REVIEW}${TIMELINE}`;

/** More co-authors of one commit (beyond 100 `Co-authored-by:` trailers). */
export const COMMIT_AUTHORS_PAGE_QUERY = /* GraphQL */ `
query ChangeproofCommitAuthorsPage($id: ID!, $after: String) {
  node(id: $id) {
    ... on Commit { authors(first: 100, after: $after) { totalCount pageInfo { ...PageInfoFields } nodes { ...GitActorFields } } }
  }
}
${PAGE_INFO}${GIT_ACTOR}`;

/** The check runs and statuses of a head commit that is not the pull request's last listed commit. */
export const HEAD_COMMIT_QUERY = /* GraphQL */ `
query ChangeproofHeadCommit($owner: String!, $name: String!, $oid: GitObjectID!) {
  repository(owner: $owner, name: $name) {
    object(oid: $oid) { ... on Commit { ...HeadChecks } }
  }
}
${PAGE_INFO}${CHECK_RUN}${CHECK_SUITE}${STATUS_CONTEXT}${HEAD_CHECKS}`;

/** More check suites of the head commit (beyond 100 apps reporting). */
export const CHECK_SUITES_PAGE_QUERY = /* GraphQL */ `
query ChangeproofCheckSuitesPage($owner: String!, $name: String!, $oid: GitObjectID!, $after: String) {
  repository(owner: $owner, name: $name) {
    object(oid: $oid) {
      ... on Commit { checkSuites(first: 100, after: $after) { totalCount pageInfo { ...PageInfoFields } nodes { ...CheckSuiteFields } } }
    }
  }
}
${PAGE_INFO}${CHECK_RUN}${CHECK_SUITE}`;

/** More check runs of one check suite (beyond 100 runs, re-runs included). */
export const CHECK_RUNS_PAGE_QUERY = /* GraphQL */ `
query ChangeproofCheckRunsPage($id: ID!, $after: String) {
  node(id: $id) {
    ... on CheckSuite {
      checkRuns(first: 100, after: $after, filterBy: { checkType: ALL }) { totalCount pageInfo { ...PageInfoFields } nodes { ...CheckRunFields } }
    }
  }
}
${PAGE_INFO}${CHECK_RUN}`;

/** More status contexts of the head commit (beyond 100 combined contexts). */
export const STATUS_CONTEXTS_PAGE_QUERY = /* GraphQL */ `
query ChangeproofStatusContextsPage($id: ID!, $after: String) {
  node(id: $id) {
    ... on Status { combinedContexts(first: 100, after: $after) { totalCount pageInfo { ...PageInfoFields } nodes { ...CombinedContextNodes } } }
  }
}
${PAGE_INFO}${STATUS_CONTEXT}`;
