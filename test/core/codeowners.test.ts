import { describe, expect, it } from 'vitest';
import { describeOwner, ownersOf, parseCodeOwners } from '../../src/core/codeowners.js';
import { matchesPath } from '../../src/core/policy/path-pattern.js';

/**
 * CODEOWNERS as GitHub reads it. The cases are the examples of GitHub's
 * "About code owners" page: the last matching line wins, directory and file
 * patterns, `docs/*` not reaching nested files, a line without owners.
 */

// GitHub's documented example file, in its order.
const GITHUB_EXAMPLE = `# This is a comment.
# Each line is a file pattern followed by one or more owners.
*       @global-owner1 @global-owner2
*.js    @js-owner #This is an inline comment.
*.go docs@example.com
*.txt @octo-org/octocats
/build/logs/ @doctocat
docs/*  docs@example.com
apps/ @octocat
/docs/ @doctocat
/scripts/ @doctocat @octocat
**/logs @octocat
/apps/ @octocat
/apps/github
`;

describe('GitHub documentation example: the last matching line wins', () => {
  const owners = parseCodeOwners(GITHUB_EXAMPLE);
  it.each<[string, string[]]>([
    ['README.md', ['@global-owner1', '@global-owner2']],
    ['src/index.js', ['@js-owner']],
    ['main.go', ['docs@example.com']],
    ['notes/todo.txt', ['@octo-org/octocats']],
    ['build/logs/today.log', ['@octocat']], // `/build/logs/` (doctocat), then `**/logs` (octocat) later wins
    ['docs/getting-started.md', ['@doctocat']], // `docs/*` matches, but `/docs/` comes later
    ['docs/build-app/troubleshooting.md', ['@doctocat']],
    ['web/apps/main.rb', ['@octocat']], // `apps/` anywhere
    ['scripts/deploy.sh', ['@doctocat', '@octocat']],
    ['deeply/nested/logs/x.log', ['@octocat']],
    ['apps/github/app.rb', []], // `/apps/github` without owners: no owner needed
    ['apps/web/app.rb', ['@octocat']],
    ['apps/github', []],
  ])('%s is owned by %j', (path, expected) => {
    expect(ownersOf(owners, path).owners.map(describeOwner)).toEqual(expected);
  });

  it('names the deciding line', () => {
    expect(ownersOf(owners, 'scripts/deploy.sh')).toMatchObject({ line: 11, pattern: '/scripts/' });
  });
});

describe('pattern semantics', () => {
  it.each<[string, string, boolean]>([
    ['docs/*', 'docs/getting-started.md', true],
    ['docs/*', 'docs/build-app/troubleshooting.md', false], // GitHub: `docs/*` does not reach nested files
    ['docs/*', 'src/docs/a.md', false], // a middle slash anchors at the root
    ['apps/', 'apps/a.rb', true],
    ['apps/', 'x/y/apps/a.rb', true], // no leading or middle slash: any depth
    ['apps/', 'apps', false], // a trailing slash names a directory, not a file
    ['/docs/', 'docs/a/b/c.md', true],
    ['/docs/', 'src/docs/a.md', false],
    ['/build/logs', 'build/logs/x/y.log', true], // a directory pattern covers everything beneath
    ['**/logs', 'logs/a.log', true],
    ['**/logs', 'a/b/logs/c.log', true],
    ['*.js', 'a/b/c.js', true],
    ['*.js', 'a/b/c.jsx', false],
    ['terraform/**', 'terraform/prod/main.tf', true],
    ['terraform/**', 'modules/terraform/main.tf', false],
    ['.github/workflows/**', '.github/workflows/deploy.yml', true],
    ['*', 'any/path/at/all', true],
    ['src/?.ts', 'src/a.ts', true],
    ['src/?.ts', 'src/ab.ts', false],
    ['Docs/', 'docs/a.md', false], // case-sensitive, as GitHub's CODEOWNERS
  ])('%s against %s: %s', (pattern, path, expected) => {
    expect(matchesPath(pattern, path)).toBe(expected);
  });
});

describe('lines GitHub skips', () => {
  it.each([
    ['!secret.txt @octocat', /syntax/],
    ['[ab].txt @octocat', /syntax/],
    ['\\#file @octocat', /syntax/],
    ['*.js octocat', /not an owner/],
  ])('%s is skipped and reported', (line, message) => {
    const owners = parseCodeOwners(`* @fallback\n${line}\n`);
    expect(owners.problems).toEqual([expect.objectContaining({ line: 2, message: expect.stringMatching(message) })]);
    expect(ownersOf(owners, 'x.js').owners.map(describeOwner)).toEqual(['@fallback']);
  });
});
