/** A policy file as read from a repository's default branch. */
export type PolicyFile =
  | {
      found: true;
      /** `owner/name` */
      repository: string;
      path: string;
      /** The file's text; `null` when GitHub would not serve it inline (too large or binary). */
      text: string | null;
      /** Git blob SHA of the content: names the exact policy an evaluation used. */
      blobSha: string;
      /** The default branch it was read from, when known. */
      ref: string | null;
      /** The default branch's head commit when read, when known. */
      commitSha: string | null;
    }
  | { found: false; repository: string; path: string };

/** Reads `path` from the default branch of `owner/repo`. Throws `GitHubEvidenceError` when GitHub fails. */
export type PolicyFileReader = (owner: string, repo: string, path: string) => Promise<PolicyFile>;

/** `owner/repo:path`, the name a policy file goes by in messages, the ledger and caches. */
export function policyFileName(repository: string, path: string): string {
  return `${repository}:${path}`;
}
