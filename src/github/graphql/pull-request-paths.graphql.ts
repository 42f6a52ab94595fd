import { PAGE_INFO, POLICY_FILE } from './fragments.js';

/**
 * The files a pull request changes (path and change type; a rename's old path
 * is not in GraphQL and is read over REST when a rename appears), and how many
 * there are (`changedFiles`), so a list GitHub cuts short is caught.
 */
export const CHANGED_FILES = /* GraphQL */ `
fragment ChangedFilesFields on PullRequest {
  changedFiles
  files(first: 100) { totalCount pageInfo { ...PageInfoFields } nodes { path changeType } }
}
`;

/**
 * CODEOWNERS from the base branch's head, at each place GitHub looks for it
 * (https://docs.github.com/repositories/managing-your-repositorys-settings-and-features/customizing-your-repository/about-code-owners#codeowners-file-location):
 * `.github/`, the root, `docs/` — the first that exists is the one GitHub uses.
 * Read from the base branch only, so a pull request cannot change its own owners.
 */
export const CODE_OWNERS = /* GraphQL */ `
fragment CodeOwnersFields on PullRequest {
  baseRef {
    name
    target {
      oid
      ... on Commit {
        codeOwnersGithub: file(path: ".github/CODEOWNERS") { ...PolicyFileFields }
        codeOwnersRoot: file(path: "CODEOWNERS") { ...PolicyFileFields }
        codeOwnersDocs: file(path: "docs/CODEOWNERS") { ...PolicyFileFields }
      }
    }
  }
}
`;

/**
 * The changed files and CODEOWNERS, when the pull request's query did not
 * already read them (the first evaluation after a policy started needing them).
 */
export const PULL_REQUEST_PATHS_QUERY = /* GraphQL */ `
query ChangeproofPullRequestPaths($owner: String!, $name: String!, $number: Int!, $withFiles: Boolean!, $withCodeOwners: Boolean!) {
  repository(owner: $owner, name: $name) {
    pullRequest(number: $number) {
      ...ChangedFilesFields @include(if: $withFiles)
      ...CodeOwnersFields @include(if: $withCodeOwners)
    }
  }
}
${PAGE_INFO}${POLICY_FILE}${CHANGED_FILES}${CODE_OWNERS}`;

/** More changed files, beyond the first 100. */
export const PULL_REQUEST_FILES_PAGE_QUERY = /* GraphQL */ `
query ChangeproofPullRequestFilesPage($owner: String!, $name: String!, $number: Int!, $after: String) {
  repository(owner: $owner, name: $name) {
    pullRequest(number: $number) {
      files(first: 100, after: $after) { totalCount pageInfo { ...PageInfoFields } nodes { path changeType } }
    }
  }
}
${PAGE_INFO}`;

/**
 * A commit by revision expression (`<merge>^1`, `<merge>~3`), with the
 * CODEOWNERS files at it and what tells a rebase from a squash: for a merged
 * pull request that edited CODEOWNERS, the owners are those of the base
 * branch just before the merge, not the ones the merge brought in.
 */
export const CODE_OWNERS_AT_QUERY = /* GraphQL */ `
query ChangeproofCodeOwnersAt($owner: String!, $name: String!, $expression: String!) {
  repository(owner: $owner, name: $name) {
    object(expression: $expression) {
      oid
      ... on Commit {
        authoredDate
        messageHeadline
        parents(first: 2) { totalCount }
        codeOwnersGithub: file(path: ".github/CODEOWNERS") { ...PolicyFileFields }
        codeOwnersRoot: file(path: "CODEOWNERS") { ...PolicyFileFields }
        codeOwnersDocs: file(path: "docs/CODEOWNERS") { ...PolicyFileFields }
      }
    }
  }
}
${POLICY_FILE}`;
