/** Where an `_extends` value points. */
export interface ExtendsTarget {
  owner: string;
  repo: string;
  path: string;
}

// Probot's grammar (@probot/octokit-plugin-config `extendsToGetContentParams`):
// `[owner/]repo[:path.yml]`, owner a GitHub login, path ending .yml/.yaml.
const EXTENDS = /^(?:([a-z\d](?:[a-z\d]|-(?=[a-z\d])){0,38})\/)?([-_.\w\d]+)(?::([-_./\w\d]+\.ya?ml))?$/i;

/**
 * Reads `_extends` the way Probot does: `.github` (a repository of the same
 * owner, same path), `owner/repo`, `repo:path.yml` or `owner/repo:path.yml`.
 * Returns null for a value outside that grammar.
 *
 * @example
 * parseExtends('.github', 'acme', '.github/changeproof.yml') // { owner: 'acme', repo: '.github', path: '.github/changeproof.yml' }
 * parseExtends('policies:base.yml', 'acme', '.github/changeproof.yml') // { owner: 'acme', repo: 'policies', path: 'base.yml' }
 */
export function parseExtends(value: string, owner: string, path: string): ExtendsTarget | null {
  const match = EXTENDS.exec(value.trim());
  if (!match) return null;
  return { owner: match[1] ?? owner, repo: match[2]!, path: match[3] ?? path };
}
