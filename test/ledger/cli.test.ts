import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { buildLedger, removeTempDirs, tamperWith, tempDir } from './support/ledger-fixture.js';

afterEach(removeTempDirs);

async function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await main(args, { stdout, stderr, env });
  return { code, out, err };
}

describe('changeproof verify', () => {
  it('exits 0 on an intact ledger, names the key it used and warns that a key beside the data proves less', async () => {
    const { path } = await buildLedger({ count: 7 });
    const { code, out } = await run(['verify', '--ledger', path]);
    expect(code).toBe(0);
    expect(out).toMatch(/^Ledger intact: 9 entries checked \(seq 1–9\), 2 checkpoints verified\./);
    expect(out).toMatch(/Head: seq 9, hash [0-9a-f]{64}/);
    expect(out).toMatch(/ledger-signing-key\.pub\.pem .*found beside the ledger/);
    expect(out).toMatch(/proves less than one obtained independently/);
  });

  it('exits 1 with the first bad seq and the reason; --json carries the same', async () => {
    const { path, dir, pem } = await buildLedger({ count: 7 });
    const db = tamperWith(path);
    db.prepare("UPDATE entries SET body = replace(body, 'reviewer-', 'reviewer_') WHERE seq = 4").run();
    db.close();
    const keyFile = join(dir, 'published.pem');
    writeFileSync(keyFile, pem);
    const text = await run(['verify', '--ledger', path, '--public-key', keyFile]);
    expect(text.code).toBe(1);
    expect(text.out).toMatch(/^Ledger NOT intact: first bad seq 4: hash_mismatch: /);
    expect(text.out).toMatch(/given with --public-key/);
    const json = await run(['verify', '--ledger', path, '--public-key', keyFile, '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.out)).toMatchObject({ ok: false, format: 'sqlite', failure: { seq: 4, reason: 'hash_mismatch' }, publicKey: { source: 'given' } });
  });

  it('verifies an export, and detects a cut tail against a kept checkpoint', async () => {
    const { path, dir } = await buildLedger({ count: 12 });
    const out = join(dir, 'ledger.ndjson');
    expect((await run(['ledger-export', '--ledger', path, '--out', out])).code).toBe(0);
    expect(existsSync(`${out}.partial`)).toBe(false);
    const key = join(dir, 'key.pem');
    writeFileSync(key, (await run(['public-key', '--ledger', path])).out);
    const anchor = join(dir, 'checkpoint.json');
    expect((await run(['checkpoint', '--ledger', path, '--out', anchor])).code).toBe(0);
    expect((await run(['verify', '--ledger', out, '--public-key', key, '--checkpoint', anchor, '--require-final-checkpoint'])).code).toBe(0);
    const lines = readFileSync(out, 'utf8').split('\n');
    writeFileSync(out, lines.slice(0, 9).join('\n') + '\n');
    const cut = await run(['verify', '--ledger', out, '--public-key', key, '--checkpoint', anchor]);
    expect(cut.code).toBe(1);
    expect(cut.out).toMatch(/first bad seq 10: truncated/);
  });

  it('refuses bad usage with one line and exit 2', async () => {
    const { path } = await buildLedger({ count: 1 });
    const cases = [
      [['verify', '--nope'], /Unknown option '--nope'/],
      [['verify', '--ledger', join(tempDir(), 'missing.db')], /Cannot read .*missing\.db/],
      [['verify', '--ledger', path, '--public-key', path], /not an Ed25519 key/],
      [['ledger-export', '--ledger', path, '--json'], /--json needs --out/],
      [['ledger-export', '--ledger', path, '--from-seq', '0', '--out', 'x'], /--from-seq must be a whole number/],
    ] as const;
    for (const [args, message] of cases) {
      const { code, err } = await run([...args]);
      expect(code, args.join(' ')).toBe(2);
      expect(err).toMatch(message);
      expect(err.trim().split('\n')).toHaveLength(1);
    }
  });

  it('needs a key for NDJSON, which has no "beside"', async () => {
    const { path, dir } = await buildLedger({ count: 1 });
    const out = join(dir, 'x.ndjson');
    await run(['ledger-export', '--ledger', path, '--out', out]);
    expect(await run(['verify', '--ledger', out])).toMatchObject({ code: 2, err: expect.stringMatching(/no public key: pass --public-key/) });
  });

  it('reads LEDGER_PATH when --ledger is absent', async () => {
    const { path } = await buildLedger({ count: 2 });
    expect((await run(['verify'], { LEDGER_PATH: path })).code).toBe(0);
  });
});

describe('changeproof ledger-export and public-key', () => {
  it('export writes one canonical line per entry to stdout; --json summarises a file export', async () => {
    const { path, dir } = await buildLedger({ count: 4 });
    const { code, out } = await run(['ledger-export', '--ledger', path]);
    expect(code).toBe(0);
    const lines = out.trimEnd().split('\n');
    expect(lines.map((l) => JSON.parse(l).seq)).toEqual([1, 2, 3, 4, 5]);
    const file = join(dir, 'part.ndjson');
    const summary = await run(['ledger-export', '--ledger', path, '--from-seq', '3', '--out', file, '--json']);
    expect(JSON.parse(summary.out)).toMatchObject({ entries: 3, lastSeq: 5, out: file });
    expect(readFileSync(file, 'utf8')).toBe(`${lines.slice(2).join('\n')}\n`);
    expect((await run(['verify', '--ledger', file, '--public-key', join(dir, 'ledger-signing-key.pub.pem'), '--partial'])).code).toBe(0);
  });

  it('public-key prints the PEM, or explains that the app creates it', async () => {
    const { path, pem } = await buildLedger({ count: 1 });
    expect((await run(['public-key', '--ledger', path])).out).toBe(pem);
    const json = JSON.parse((await run(['public-key', '--ledger', path, '--json'])).out);
    expect(json).toMatchObject({ pem, keyId: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(await run(['public-key', '--ledger', join(tempDir(), 'none.db')])).toMatchObject({ code: 2, err: expect.stringMatching(/the app creates it on first start/) });
  });
});
