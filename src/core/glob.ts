/**
 * Matches a check name against a `checks.required` pattern. Check names are
 * free text ("ci / test (ubuntu, 20)"), not paths, so only `*` (any text,
 * slashes included) and `?` (one character) are special; everything else —
 * brackets, parentheses, braces — is literal.
 *
 * @example matchesCheckName('ci / test (*)', 'ci / test (ubuntu)') // true
 */
export function matchesCheckName(pattern: string, name: string): boolean {
  return compile(pattern).test(name);
}

const cache = new Map<string, RegExp>();

function compile(pattern: string): RegExp {
  let re = cache.get(pattern);
  if (!re) {
    const source = pattern
      .split('')
      .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
      .join('');
    re = new RegExp(`^${source}$`, 's');
    cache.set(pattern, re);
  }
  return re;
}
