/**
 * Matches repository paths against patterns in the gitignore syntax that
 * GitHub's CODEOWNERS uses (https://docs.github.com/repositories/managing-your-repositorys-settings-and-features/customizing-your-repository/about-code-owners#codeowners-syntax):
 *
 * - `*` matches within one directory, `?` one character, `**` any directories;
 * - a pattern with a `/` at its start or in its middle is anchored at the
 *   repository root (`/docs/`, `docs/*`); without one it matches at any depth
 *   (`*.js`, `apps/`);
 * - a trailing `/` matches a directory: every file beneath it;
 * - a pattern that names a directory covers everything beneath it, except
 *   that a last segment of exactly `*` matches only the files directly in its
 *   directory (`docs/*` matches `docs/a.md`, not `docs/build/b.md`).
 *
 * Paths are case-sensitive, as in git. Negation (`!`) and character ranges
 * (`[ ]`) are not part of the syntax; {@link compilePathPattern} rejects them.
 *
 * @example matchesPath('/apps/', 'apps/web/index.ts') // true
 * @example matchesPath('docs/*', 'docs/build-app/troubleshooting.md') // false
 */
export function matchesPath(pattern: string, path: string): boolean {
  const compiled = compilePathPattern(pattern);
  return compiled !== null && compiled.test(path);
}

const cache = new Map<string, RegExp | null>();

/** The pattern as a regular expression over a whole path, or `null` when it uses syntax CODEOWNERS does not have. */
export function compilePathPattern(pattern: string): RegExp | null {
  let re = cache.get(pattern);
  if (re === undefined) {
    re = compile(pattern);
    if (cache.size > 10_000) cache.clear();
    cache.set(pattern, re);
  }
  return re;
}

function compile(pattern: string): RegExp | null {
  if (!pattern || pattern.startsWith('!') || /[[\]\\]/.test(pattern)) return null;
  const directoryOnly = pattern.endsWith('/');
  let body = pattern.replace(/\/+$/, '');
  // Trailing slashes are gone: any slash left is at the start or in the middle.
  const anchored = body.includes('/');
  body = body.replace(/^\/+/, '');
  if (!body) return null;
  const segments = body.split('/');
  const last = segments.length - 1;
  let source = '';
  segments.forEach((segment, i) => {
    if (segment === '**') source += i === last ? '.*' : '(?:[^/]+/)*';
    else source += segment.split('').map(translate).join('') + (i === last ? '' : '/');
  });
  const prefix = anchored ? '^' : '^(?:[^/]+/)*';
  const lastSegment = segments[last]!;
  const suffix = directoryOnly ? '/.+$' : lastSegment === '*' || lastSegment === '**' ? '$' : '(?:/.+)?$';
  return new RegExp(prefix + source + suffix, 's');
}

function translate(ch: string): string {
  if (ch === '*') return '[^/]*';
  if (ch === '?') return '[^/]';
  return ch.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
}
