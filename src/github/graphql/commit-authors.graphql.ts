import { GIT_ACTOR, PAGE_INFO } from './fragments.js';

/** Commits read by one {@link COMMIT_AUTHORS_QUERY}; a shorter list repeats its last commit. */
export const COMMIT_AUTHORS_BATCH = 25;

/**
 * The authors (co-authors included, as GitHub links them to accounts), the
 * committer and the verified signer of up to {@link COMMIT_AUTHORS_BATCH}
 * commits of a repository, one alias per
 * commit (`c0` … `c24`); a commit with more than 100 authors pages on with
 * `COMMIT_AUTHORS_PAGE_QUERY` by its `id`.
 */
export const COMMIT_AUTHORS_QUERY = /* GraphQL */ `
query ChangeproofCommitAuthors($owner: String!, $name: String!, ${Array.from({ length: COMMIT_AUTHORS_BATCH }, (_, i) => `$o${i}: GitObjectID!`).join(', ')}) {
  repository(owner: $owner, name: $name) {
${Array.from({ length: COMMIT_AUTHORS_BATCH }, (_, i) => `    c${i}: object(oid: $o${i}) { ...CommitAuthors }`).join('\n')}
  }
}
fragment CommitAuthors on GitObject {
  oid
  ... on Commit {
    id
    authors(first: 100) { totalCount pageInfo { ...PageInfoFields } nodes { ...GitActorFields } }
    committer { ...GitActorFields }
    signature { isValid signer { login } }
  }
}
${PAGE_INFO}${GIT_ACTOR}`;
