import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** The core decides; it must not reach GitHub, the ledger, the Action runtime or the file system. */
const FORBIDDEN = [/^@octokit\//, /^octokit$/, /^probot/, /^@actions\//, /^better-sqlite3$/, /^(node:)?fs(\/promises)?$/, /^(node:)?(http|https|net|child_process)$/];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/** Every module specifier a file imports, statically or dynamically, including what its relative imports reach. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|import\s+['"]([^'"]+)['"]/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
  return specifiers;
}

describe('src/core is pure', () => {
  const root = new URL('../../src/core/', import.meta.url).pathname;
  const files = sourceFiles(root);

  it('has source files to check', () => {
    expect(files.length).toBeGreaterThan(10);
  });

  it.each(files.map((f) => [f.slice(root.length), f]))('%s imports nothing from octokit, probot, @actions/*, better-sqlite3 or node:fs', (_name, file) => {
    const bad = importsOf(file).filter((s) => FORBIDDEN.some((re) => re.test(s)));
    expect(bad).toEqual([]);
  });

  it('reaches outside src/core only for types (or the config schema)', () => {
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/^import\s+(type\s+)?[^'"]*from\s+['"](\.\.\/[^'"]+)['"]/gm)) {
        const target = join(file, '..', m[2]!);
        if (target.startsWith(root)) continue;
        expect(m[1], `${file} imports ${m[2]} at run time`).toBe('type ');
      }
    }
  });

  it('the check detects a forbidden import', () => {
    expect(FORBIDDEN.some((re) => re.test('node:fs'))).toBe(true);
    expect(FORBIDDEN.some((re) => re.test('@octokit/core'))).toBe(true);
    expect(importsOf(new URL(import.meta.url).pathname)).toContain('node:fs');
  });
});
