/**
 * The shapes the pull-request queries return, exactly as selected (nullable
 * where GitHub's schema is nullable). Hand-written from the documents; the
 * simulator tests execute the documents against GitHub's schema, so a drift
 * between the two shows up as a failing mapping test.
 */

export interface PageInfo {
  hasNextPage: boolean;
  endCursor: string | null;
}

export interface Connection<T> {
  totalCount: number;
  pageInfo: PageInfo;
  nodes: Array<T | null> | null;
}

export interface GqlActor {
  __typename: string;
  login: string;
  /** Asked for on review authors: the account id survives a rename. */
  databaseId?: number | null;
}

export interface GqlGitActor {
  name: string | null;
  email: string | null;
  user: { login: string; databaseId?: number | null } | null;
}

export interface GqlCommit {
  id: string;
  oid: string;
  messageHeadline: string;
  authoredDate: string;
  committedDate: string;
  url: string;
  authors: Connection<GqlGitActor>;
  committer: GqlGitActor | null;
  parents: { totalCount: number; nodes: Array<{ oid: string } | null> | null };
  signature: { isValid: boolean; state: string; wasSignedByGitHub: boolean; signer: { login: string } | null } | null;
}

/** A timeline item of the kinds Changeproof asks for (force push, base change, label added or removed); fields by kind. */
export interface GqlTimelineItem {
  __typename: string;
  id?: string;
  createdAt?: string;
  actor?: GqlActor | null;
  beforeCommit?: { oid: string } | null;
  afterCommit?: { oid: string } | null;
  previousRefName?: string;
  currentRefName?: string;
  label?: { name: string } | null;
}

export interface GqlReview {
  id: string;
  state: string;
  submittedAt: string | null;
  authorCanPushToRepository: boolean;
  url: string;
  author: GqlActor | null;
  commit: { oid: string } | null;
}

export interface GqlCheckRun {
  databaseId: number | null;
  name: string;
  status: string;
  conclusion: string | null;
  startedAt: string | null;
  completedAt: string | null;
  detailsUrl: string | null;
  url: string;
}

export interface GqlCheckSuite {
  id: string;
  app: { slug: string } | null;
  checkRuns: Connection<GqlCheckRun> | null;
}

export interface GqlStatusContext {
  __typename: 'StatusContext';
  context: string;
  state: string;
  createdAt: string;
  targetUrl: string | null;
  creator: GqlActor | null;
}

/** A node of `combinedContexts`: a status context, or a check run we skip (read from the suites). */
export type GqlCombinedContext = GqlStatusContext | { __typename: 'CheckRun' };

export interface GqlHeadChecks {
  oid: string;
  checkSuites: Connection<GqlCheckSuite> | null;
  status: { id: string; combinedContexts: Connection<GqlCombinedContext> } | null;
}

export interface GqlPolicyFile {
  path: string | null;
  oid: string;
  object: { __typename: string; byteSize?: number; isBinary?: boolean | null; isTruncated?: boolean; text?: string | null } | null;
}

export interface GqlPolicyRepository {
  nameWithOwner: string;
  defaultBranchRef: { name: string; target: { oid: string; policyFile?: GqlPolicyFile | null } | null } | null;
}

export interface GqlPullRequest {
  id: string;
  number: number;
  url: string;
  title: string;
  body: string;
  state: 'OPEN' | 'CLOSED' | 'MERGED';
  isDraft: boolean;
  createdAt: string;
  author: GqlActor | null;
  baseRefName: string;
  headRefName: string;
  headRepository: { nameWithOwner: string } | null;
  baseRefOid: string;
  headRefOid: string;
  merged: boolean;
  mergedAt: string | null;
  mergedBy: GqlActor | null;
  /** The merge commit, with its parents and (with `$withPolicy`) the policy file at each: see policyBeforeMerge. */
  mergeCommit: {
    oid: string;
    authoredDate?: string;
    messageHeadline?: string;
    parents?: { totalCount: number; nodes: Array<{ oid: string; policyFile?: GqlPolicyFile | null } | null> | null };
  } | null;
  labels: Connection<{ name: string }> | null;
  commits: Connection<{ commit: GqlCommit }>;
  reviews: Connection<GqlReview> | null;
  timeline: Connection<GqlTimelineItem> | null;
  headCommit: { nodes: Array<{ commit: GqlHeadChecks } | null> | null };
  /** With `$withFiles`. */
  files?: Connection<GqlChangedFile> | null;
  /** With `$withFiles`: how many files the pull request changes. */
  changedFiles?: number;
  /** With `$withCodeOwners`. */
  baseRef?: GqlCodeOwnersRef | null;
}

export interface GqlChangedFile {
  path: string;
  changeType: string;
}

export interface GqlCodeOwnersRef {
  name: string;
  target: { oid: string; codeOwnersGithub?: GqlPolicyFile | null; codeOwnersRoot?: GqlPolicyFile | null; codeOwnersDocs?: GqlPolicyFile | null } | null;
}

export interface PullRequestPathsData {
  repository: { pullRequest: Pick<GqlPullRequest, 'files' | 'changedFiles' | 'baseRef'> | null } | null;
}

export interface PullRequestFilesPageData {
  repository: { pullRequest: { files: Connection<GqlChangedFile> | null } | null } | null;
}

export interface CodeOwnersAtData {
  repository: {
    object: {
      oid: string;
      authoredDate?: string;
      messageHeadline?: string;
      parents?: { totalCount: number };
      codeOwnersGithub?: GqlPolicyFile | null;
      codeOwnersRoot?: GqlPolicyFile | null;
      codeOwnersDocs?: GqlPolicyFile | null;
    } | null;
  } | null;
}

export interface TeamMembersData {
  organization: { team: { slug: string; members: Connection<{ login: string }> } | null } | null;
}

export interface PullRequestQueryData {
  repository: {
    name: string;
    owner: { login: string };
    defaultBranchRef: { name: string; target?: { oid: string; policyFile?: GqlPolicyFile | null } | null } | null;
    pullRequest: GqlPullRequest | null;
  } | null;
  orgPolicy?: GqlPolicyRepository | null;
  extendsPolicy?: GqlPolicyRepository | null;
}

export interface PullRequestPageData {
  repository: {
    pullRequest: {
      commits?: Connection<{ commit: GqlCommit }>;
      reviews?: Connection<GqlReview> | null;
      labels?: Connection<{ name: string }> | null;
      timeline?: Connection<GqlTimelineItem> | null;
    } | null;
  } | null;
}

export interface NodeData<T> {
  node: T | null;
}

export interface HeadCommitData {
  repository: { object: GqlHeadChecks | Record<string, never> | null } | null;
}

export interface CheckSuitesPageData {
  repository: { object: { checkSuites?: Connection<GqlCheckSuite> } | null } | null;
}
