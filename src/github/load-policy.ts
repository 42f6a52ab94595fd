import { POLICY_PATH, PolicyError, parsePolicyLayer, resolvePolicy, type PolicyLayer } from '../config/parse-policy.js';
import { defaultPolicy } from '../config/parse-policy.js';
import type { Policy } from '../config/policy.schema.js';
import type { PolicySourceFile } from '../core/records.js';
import type { GitHubClient } from './octokit.js';
import { parseExtends } from './parse-extends.js';
import type { PolicyCache } from './policy-cache.js';
import { policyFileName, type PolicyFile, type PolicyFileReader } from './policy-file.js';
import { restPolicyFileReader } from './read-policy-file.js';

export type { PolicySourceFile };

/** Where a policy came from: the files merged, base first; none means the defaults. */
export interface PolicySource {
  files: PolicySourceFile[];
}

export type PolicyLoad =
  | { ok: true; policy: Policy; source: PolicySource }
  | { ok: false; error: PolicyError; source: PolicySource };

export interface LoadPolicyOptions {
  cache: PolicyCache;
  /** Reads files; default: the REST contents API through `cache`. */
  read?: PolicyFileReader;
}

/** Probot follows `_extends` chains; a handful is plenty and stops runaway chains. */
const MAX_EXTENDS_DEPTH = 5;

/**
 * Loads `.github/changeproof.yml` from the repository's default branch with
 * Probot's semantics: `_extends` merges another file underneath (`.github`,
 * `owner/repo`, `repo:path`, chains allowed), and a repository without a file
 * falls back to the owner's `.github` repository. No file anywhere gives the
 * defaults, with an empty source.
 *
 * Unlike Probot, an `_extends` target that does not exist is an error, not
 * silently nothing: an organisation's baseline must not vanish unnoticed. And
 * `_extends` may name only a repository of the same owner: a file elsewhere
 * is controlled by someone else, who could take every branch out of scope.
 * A broken file comes back as `{ ok: false, error: PolicyError }` naming the
 * file, line and key, never as defaults. A GitHub failure throws
 * `GitHubEvidenceError` (the evaluation is then an `error`).
 *
 * @example
 * const cache = new PolicyCache();
 * const load = await loadPolicy(octokit, { owner: 'acme', repo: 'api' }, { cache });
 * if (load.ok) evaluate(load.policy, facts, now);
 */
export async function loadPolicy(
  octokit: GitHubClient,
  repository: { owner: string; repo: string },
  options: LoadPolicyOptions,
): Promise<PolicyLoad> {
  const read = options.read ?? restPolicyFileReader(octokit, options.cache);
  const { owner, repo } = repository;

  let file = await read(owner, repo, POLICY_PATH);
  if (!file.found && repo !== '.github') file = await read(owner, '.github', POLICY_PATH);
  if (!file.found) return { ok: true, policy: defaultPolicy(), source: { files: [] } };

  const files: Array<PolicyFile & { found: true }> = [];
  const layers: PolicyLayer[] = [];
  for (;;) {
    files.push(file);
    const source = { files: files.map(toSourceFile).reverse() };
    const parsed = parseFile(file, options.cache);
    if (!parsed.ok) return { ok: false, error: parsed.error, source };
    layers.unshift(parsed.layer);
    const extendsValue = parsed.layer.extends;
    if (extendsValue === null) break;

    const name = policyFileName(file.repository, file.path);
    const target = parseExtends(extendsValue, owner, POLICY_PATH);
    if (!target) {
      return fail(file, `_extends "${extendsValue}" is not a repository reference`, 'write `.github`, `other-repo`, `owner/repo` or `repo:path.yml`', source);
    }
    const targetName = policyFileName(`${target.owner}/${target.repo}`, target.path);
    // Whoever controls another owner's repository would control this one's
    // controls: a policy may only build on its own organisation's files.
    if (target.owner.toLowerCase() !== owner.toLowerCase()) {
      return fail(
        file,
        `_extends "${extendsValue}" names ${targetName}, which belongs to ${target.owner}, not to ${owner}`,
        `a policy may only extend a repository of ${owner}; copy the settings into ${owner}/.github or another ${owner} repository and point _extends there`,
        source,
      );
    }
    if (files.some((f) => policyFileName(f.repository, f.path) === targetName)) {
      return fail(file, `_extends "${extendsValue}" leads back to ${targetName}, which is already part of this policy`, 'remove the circular _extends', source);
    }
    if (files.length > MAX_EXTENDS_DEPTH) {
      return fail(file, `_extends chain is longer than ${MAX_EXTENDS_DEPTH} files`, 'point _extends directly at the base policy', source);
    }
    const next = await read(target.owner, target.repo, target.path);
    if (!next.found) {
      return fail(
        file,
        `_extends "${extendsValue}" points to ${targetName}, which does not exist on its default branch or which the app cannot read`,
        `create ${targetName}, install the app on ${target.owner}/${target.repo}, or remove _extends from ${name}`,
        source,
      );
    }
    file = next;
  }

  const source = { files: files.map(toSourceFile).reverse() };
  const resolved = resolvePolicy(layers);
  return resolved.ok ? { ok: true, policy: resolved.policy, source } : { ok: false, error: resolved.error, source };
}

function parseFile(file: PolicyFile & { found: true }, cache: PolicyCache) {
  const name = policyFileName(file.repository, file.path);
  const cached = cache.layer(name, file.blobSha);
  if (cached) return cached;
  const result =
    file.text === null
      ? {
          ok: false as const,
          error: new PolicyError([
            { file: name, line: null, column: null, key: null, message: 'is too large or not text, so GitHub does not serve its content', hint: 'a policy file is a few dozen lines of YAML' },
          ]),
        }
      : parsePolicyLayer(file.text, name);
  cache.rememberLayer(name, file.blobSha, result);
  return result;
}

function fail(file: PolicyFile & { found: true }, message: string, hint: string, source: PolicySource): PolicyLoad {
  const name = policyFileName(file.repository, file.path);
  const lineIndex = (file.text ?? '').split('\n').findIndex((l) => /^_extends\s*:/.test(l));
  const line = lineIndex >= 0 ? lineIndex + 1 : null;
  const error = new PolicyError([{ file: name, line, column: line === null ? null : 1, key: '_extends', message, hint }]);
  return { ok: false, error, source };
}

function toSourceFile(file: PolicyFile & { found: true }): PolicySourceFile {
  return { repository: file.repository, path: file.path, blobSha: file.blobSha, ref: file.ref, commitSha: file.commitSha };
}
