import type { LayerResult } from '../config/parse-policy.js';
import type { ExtendsTarget } from './parse-extends.js';
import type { PolicyFile } from './policy-file.js';
import { TeamMembershipCache } from './team-membership-cache.js';

/**
 * Remembers policy files so that an unchanged policy is neither downloaded
 * nor parsed again: REST reads by ETag (a conditional GET answered `304 Not
 * Modified` costs no rate limit, https://docs.github.com/rest/using-the-rest-api/best-practices-for-using-the-rest-api#use-conditional-requests-if-appropriate)
 * and parsed layers by blob SHA (a blob SHA names its exact content).
 * Bounded, least recently used first out. One cache per process.
 *
 * @example
 * const cache = new PolicyCache();
 * await loadPolicy(octokit, { owner: 'acme', repo: 'api' }, { cache });
 */
export class PolicyCache {
  private readonly contents = new Map<string, { etag: string; file: PolicyFile & { found: true } }>();
  private readonly layers = new Map<string, LayerResult>();
  private readonly extendsTargets = new Map<string, ExtendsTarget>();
  private readonly pathNeedsByRepo = new Map<string, PathNeeds>();
  /** Team memberships, kept for a few minutes (see {@link TeamMembershipCache}). */
  readonly teams = new TeamMembershipCache();

  constructor(private readonly maxEntries = 2000) {}

  /** The last REST read of `owner/repo:path`, with its ETag. */
  content(key: string): { etag: string; file: PolicyFile & { found: true } } | undefined {
    return touch(this.contents, key);
  }

  rememberContent(key: string, etag: string, file: PolicyFile & { found: true }): void {
    put(this.contents, key, { etag, file }, this.maxEntries);
  }

  forgetContent(key: string): void {
    this.contents.delete(key);
  }

  /** The parse of the blob `blobSha` as the file `file`. */
  layer(file: string, blobSha: string): LayerResult | undefined {
    return touch(this.layers, `${file}@${blobSha}`);
  }

  rememberLayer(file: string, blobSha: string, result: LayerResult): void {
    put(this.layers, `${file}@${blobSha}`, result, this.maxEntries);
  }

  /**
   * The file in a third repository the policy of `repository` extended last
   * time, so the next evaluation can read it in its one GraphQL query.
   */
  extendsTarget(repository: string): ExtendsTarget | null {
    return touch(this.extendsTargets, repository.toLowerCase()) ?? null;
  }

  rememberExtendsTarget(repository: string, target: ExtendsTarget): void {
    put(this.extendsTargets, repository.toLowerCase(), target, this.maxEntries);
  }

  /**
   * Whether the policy of `repository` read the changed files and CODEOWNERS
   * last time, so the next evaluation's one query reads them too.
   */
  pathNeeds(repository: string): PathNeeds {
    return touch(this.pathNeedsByRepo, repository.toLowerCase()) ?? { files: false, codeOwners: false };
  }

  rememberPathNeeds(repository: string, needs: PathNeeds): void {
    put(this.pathNeedsByRepo, repository.toLowerCase(), needs, this.maxEntries);
  }
}

/** What a repository's policy reads besides the pull request itself. */
export interface PathNeeds {
  files: boolean;
  codeOwners: boolean;
}

function touch<V>(map: Map<string, V>, key: string): V | undefined {
  const value = map.get(key);
  if (value !== undefined) {
    map.delete(key);
    map.set(key, value);
  }
  return value;
}

function put<V>(map: Map<string, V>, key: string, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  while (map.size > max) map.delete(map.keys().next().value as string);
}
