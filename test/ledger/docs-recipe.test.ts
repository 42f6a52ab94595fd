import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteLedger } from '../../src/ledger/sqlite-ledger.js';
import { buildLedger, removeTempDirs, tempDir } from './support/ledger-fixture.js';
import { exportLines } from './support/rewrite-ledger.js';

afterEach(removeTempDirs);

const root = fileURLToPath(new URL('../../', import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

/** The "independent verification recipe" exactly as docs/ledger.md prints it. */
function recipe(): string {
  const doc = readFileSync(join(root, 'docs/ledger.md'), 'utf8');
  const block = /<!-- recipe:start -->\n```js\n([\s\S]*?)```\n<!-- recipe:end -->/.exec(doc);
  if (!block) throw new Error('docs/ledger.md has no recipe block');
  return block[1]!;
}

function runRecipe(ndjson: string, key: string) {
  // -e code resolves `canonicalize` from the repository; argv[1] stands in for the script name.
  return spawnSync(process.execPath, ['--input-type=module', '-e', recipe(), 'verify-ledger.mjs', ndjson, key], { cwd: root, encoding: 'utf8' });
}

describe('the independent verification recipe in docs/ledger.md', () => {
  it('verifies the committed test vector', () => {
    const run = runRecipe(fixture('hash-vector.ndjson'), fixture('test-signing-key.pub.pem'));
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('intact: 4 entries, head 4a4a31b1cfe9a867aae03d025e295ce699d1d275d3b0a67c06f7fbda5093da4d, signed up to seq 3');
  });

  it('agrees with verify on a real export, and catches an edit', async () => {
    const built = await buildLedger({ count: 12 });
    const ledger = SqliteLedger.open(built.path);
    const lines: string[] = [];
    for await (const line of ledger.readLines()) lines.push(line);
    await ledger.close();
    const dir = tempDir();
    const key = join(dir, 'key.pub.pem');
    writeFileSync(key, built.pem);
    writeFileSync(join(dir, 'ok.ndjson'), `${lines.join('\n')}\n`);
    expect(runRecipe(join(dir, 'ok.ndjson'), key).stdout).toMatch(/^intact: 15 entries, head [0-9a-f]{64}, signed up to seq 14/);
    lines[6] = lines[6]!.replace('reviewer-', 'reviewer_');
    writeFileSync(join(dir, 'bad.ndjson'), `${lines.join('\n')}\n`);
    const bad = runRecipe(join(dir, 'bad.ndjson'), key);
    expect(bad.status).toBe(1);
    expect(bad.stderr.trim()).toBe('seq 7: hash mismatch');
  });

  it('refuses a line that is not exactly canonical, such as one with a repeated member', async () => {
    const built = await buildLedger({ count: 3 });
    const dir = tempDir();
    const key = join(dir, 'key.pub.pem');
    writeFileSync(key, built.pem);
    const lines = exportLines(built.path);
    lines[1] = lines[1]!.replace('"verdict":"compliant"', '"verdict":"non_compliant","verdict":"compliant"');
    writeFileSync(join(dir, 'doubled.ndjson'), `${lines.join('\n')}\n`);
    const run = runRecipe(join(dir, 'doubled.ndjson'), key);
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toBe('seq 2: not exactly canonical JSON (RFC 8785)');
  });
});
