/**
 * GraphQL fragments shared by the pull-request query and its page queries.
 *
 * Every connection asks for `totalCount` and `pageInfo` so the collector can
 * prove it read the whole list (GitHub returns at most 100 nodes per
 * connection: https://docs.github.com/graphql/overview/rate-limits-and-query-limits-for-the-graphql-api#node-limit).
 */

export const PAGE_INFO = /* GraphQL */ `
fragment PageInfoFields on PageInfo { hasNextPage endCursor }
`;

export const GIT_ACTOR = /* GraphQL */ `
fragment GitActorFields on GitActor { name email user { login databaseId } }
`;

export const COMMIT = /* GraphQL */ `
fragment CommitFields on Commit {
  id
  oid
  messageHeadline
  authoredDate
  committedDate
  url
  authors(first: 100) { totalCount pageInfo { ...PageInfoFields } nodes { ...GitActorFields } }
  committer { ...GitActorFields }
  parents(first: 10) { totalCount nodes { oid } }
  signature { isValid state wasSignedByGitHub signer { login } }
}
`;

// Who force-pushed the head branch: the timeline names the actor even when the
// app missed the delivery (or was not installed yet), and each event's before/after.
/** The timeline items Changeproof reads: force pushes of the head, changes of the base branch, labels added and removed. */
export const TIMELINE = /* GraphQL */ `
fragment TimelineNodes on PullRequestTimelineItems {
  __typename
  ... on HeadRefForcePushedEvent { id createdAt actor { __typename login } beforeCommit { oid } afterCommit { oid } }
  ... on BaseRefChangedEvent { id createdAt actor { __typename login } previousRefName currentRefName }
  ... on LabeledEvent { id createdAt actor { __typename login } label { name } }
  ... on UnlabeledEvent { id createdAt actor { __typename login } label { name } }
}
`;

export const REVIEW = /* GraphQL */ `
fragment ReviewFields on PullRequestReview {
  id
  state
  submittedAt
  authorCanPushToRepository
  url
  author { __typename login ... on User { databaseId } ... on Bot { databaseId } }
  commit { oid }
}
`;

// `filterBy: {checkType: ALL}` asks for every run, re-runs included; the REST
// default (`filter=latest`) would hide them and GraphQL does not document its default.
export const CHECK_RUN = /* GraphQL */ `
fragment CheckRunFields on CheckRun { databaseId name status conclusion startedAt completedAt detailsUrl url }
`;

/** Needs {@link CHECK_RUN} and {@link PAGE_INFO}. */
export const CHECK_SUITE = /* GraphQL */ `
fragment CheckSuiteFields on CheckSuite {
  id
  app { slug }
  checkRuns(first: 100, filterBy: { checkType: ALL }) { totalCount pageInfo { ...PageInfoFields } nodes { ...CheckRunFields } }
}
`;

// `combinedContexts` is the paged list of the latest status per context (with
// the latest check runs, which are read above from the check suites instead).
export const STATUS_CONTEXT = /* GraphQL */ `
fragment StatusContextFields on StatusContext { context state createdAt targetUrl creator { __typename login } }
fragment CombinedContextNodes on StatusCheckRollupContext { __typename ... on StatusContext { ...StatusContextFields } }
`;

export const HEAD_CHECKS = /* GraphQL */ `
fragment HeadChecks on Commit {
  oid
  checkSuites(first: 100) { totalCount pageInfo { ...PageInfoFields } nodes { ...CheckSuiteFields } }
  status {
    id
    combinedContexts(first: 100) { totalCount pageInfo { ...PageInfoFields } nodes { ...CombinedContextNodes } }
  }
}
`;

export const POLICY_FILE = /* GraphQL */ `
fragment PolicyFileFields on TreeEntry {
  path
  oid
  object { __typename ... on Blob { byteSize isBinary isTruncated text } }
}
`;
