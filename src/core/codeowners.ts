import { compilePathPattern } from './policy/path-pattern.js';

/** Where GitHub looks for CODEOWNERS, in the order it looks: the first that exists is used. */
export const CODEOWNERS_PATHS = ['.github/CODEOWNERS', 'CODEOWNERS', 'docs/CODEOWNERS'] as const;

/** An owner as CODEOWNERS names one. */
export type CodeOwner =
  | { kind: 'user'; login: string }
  | { kind: 'team'; team: string }
  | { kind: 'email'; email: string };

export interface CodeOwnersLine {
  /** 1-based line number in the file. */
  line: number;
  pattern: string;
  owners: CodeOwner[];
  regex: RegExp;
}

/** A line GitHub skips because of its syntax; shown in the evidence. */
export interface CodeOwnersProblem {
  line: number;
  text: string;
  message: string;
}

export interface CodeOwners {
  lines: CodeOwnersLine[];
  problems: CodeOwnersProblem[];
}

/** The owners of one path: the last matching line, or none. */
export interface PathOwnership {
  path: string;
  /** The line that decides (the last that matches); `null` when none matches. */
  line: number | null;
  pattern: string | null;
  /** Empty when no line matches or the deciding line names no owner: no owner's approval is needed. */
  owners: CodeOwner[];
}

/**
 * Parses a CODEOWNERS file with GitHub's rules: `#` starts a comment, each
 * other line is a pattern followed by owners (`@login`, `@org/team`, or an
 * email address); a line with a pattern and no owners leaves matching paths
 * unowned. A line with syntax GitHub does not accept (a `!` negation, a
 * `[ ]` range, an escaped `\#`, an owner that is none of the three forms)
 * is skipped, as GitHub skips it, and reported.
 *
 * @example
 * const owners = parseCodeOwners('* @acme/core\n/docs/ @doctocat\n');
 * ownersOf(owners, 'docs/intro.md').owners; // [{ kind: 'user', login: 'doctocat' }]
 */
export function parseCodeOwners(text: string): CodeOwners {
  const lines: CodeOwnersLine[] = [];
  const problems: CodeOwnersProblem[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const content = stripComment(raw).trim();
    if (!content) return;
    const [pattern, ...tokens] = content.split(/\s+/) as [string, ...string[]];
    const regex = compilePathPattern(pattern);
    if (!regex) {
      problems.push({ line, text: raw, message: `the pattern \`${pattern}\` uses syntax CODEOWNERS does not support (\`!\`, \`[ ]\` or \`\\\`)` });
      return;
    }
    const owners: CodeOwner[] = [];
    for (const token of tokens) {
      const owner = parseOwner(token);
      if (!owner) {
        problems.push({ line, text: raw, message: `\`${token}\` is not an owner (\`@login\`, \`@org/team\` or an email address)` });
        return;
      }
      owners.push(owner);
    }
    lines.push({ line, pattern, owners, regex });
  });
  return { lines, problems };
}

/** Who owns `path`: the last matching line wins (GitHub: "the last matching pattern takes the most precedence"). */
export function ownersOf(codeOwners: CodeOwners, path: string): PathOwnership {
  for (let i = codeOwners.lines.length - 1; i >= 0; i--) {
    const entry = codeOwners.lines[i]!;
    if (entry.regex.test(path)) return { path, line: entry.line, pattern: entry.pattern, owners: entry.owners };
  }
  return { path, line: null, pattern: null, owners: [] };
}

/** `@acme/sre`, `@carol`, `docs@example.com` */
export function describeOwner(owner: CodeOwner): string {
  return owner.kind === 'user' ? `@${owner.login}` : owner.kind === 'team' ? `@${owner.team}` : owner.email;
}

function stripComment(line: string): string {
  if (line.trimStart().startsWith('#')) return '';
  const at = line.search(/\s#/);
  return at < 0 ? line : line.slice(0, at);
}

function parseOwner(token: string): CodeOwner | null {
  let m = /^@([A-Za-z0-9][A-Za-z0-9-]*)\/([A-Za-z0-9_.-]+)$/.exec(token);
  if (m) return { kind: 'team', team: `${m[1]}/${m[2]}` };
  m = /^@([A-Za-z0-9][A-Za-z0-9-]*(?:\[bot\])?)$/.exec(token);
  if (m) return { kind: 'user', login: m[1]! };
  if (/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(token)) return { kind: 'email', email: token };
  return null;
}
