import { createPublicKey } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli as run } from './support/run-cli.js';
import { signCheckpoint } from '../../src/ledger/checkpoint.js';
import { defaultSigningKeyPath, generateSigningKey, keyIdOf, loadSigningKey, publicKeyPathFor, publicKeyPem } from '../../src/ledger/signing-key.js';
import { buildLedger, removeTempDirs, tamperWith, tempDir } from './support/ledger-fixture.js';
import { exportLines, rewriteLedger } from './support/rewrite-ledger.js';

afterEach(removeTempDirs);

/** A ledger of 7 entries (checkpoints at seq 6 and 9), its published key as a file, and another key. */
async function ledgerWithKeys() {
  const built = await buildLedger({ count: 7 });
  const published = join(built.dir, 'published.pem');
  writeFileSync(published, built.pem);
  const other = generateSigningKey();
  const otherPem = join(built.dir, 'other.pem');
  writeFileSync(otherPem, publicKeyPem(other.publicKey));
  const ndjson = join(built.dir, 'ledger.ndjson');
  writeFileSync(ndjson, `${exportLines(built.path).join('\n')}\n`);
  return { ...built, published, keyId: keyIdOf(built.publicKey), other, otherPem, ndjson };
}

describe('changeproof verify: exit status 0 intact, 1 tampered, 2 usage, 3 signatures unverified', () => {
  it.each([
    ['no key given (a key file lies beside the ledger: it is not trust)', () => [], 3],
    ['--public-key with the published key', (k) => ['--public-key', k.published], 0],
    ['--key-id with its id', (k) => ['--key-id', k.keyId], 0],
    ['--key-id in capitals', (k) => ['--key-id', k.keyId.toUpperCase()], 0],
    ['both, naming the same key', (k) => ['--public-key', k.published, '--key-id', k.keyId], 0],
    ['--public-key with another key', (k) => ['--public-key', k.otherPem], 1],
    ['--key-id of another key', (k) => ['--key-id', k.other.keyId], 1],
    ['both, naming different keys', (k) => ['--public-key', k.published, '--key-id', k.other.keyId], 2],
    ['--key-id that is not an id', () => ['--key-id', 'abc'], 2],
    ['--public-key that cannot be read', (k) => ['--public-key', join(k.dir, 'missing.pem')], 2],
    ['--public-key that is not a key', (k) => ['--public-key', k.path], 2],
    ['an unknown option', () => ['--nope'], 2],
  ] as Array<[string, (k: Awaited<ReturnType<typeof ledgerWithKeys>>) => string[], number]>)('%s: %i', async (_name, args, code) => {
    const k = await ledgerWithKeys();
    for (const ledger of [k.path, k.ndjson]) {
      const result = await run(['verify', '--ledger', ledger, ...args(k)]);
      expect(result.code, `${ledger} ${args(k).join(' ')}: ${result.err}`).toBe(code);
      if (code === 2) expect(result.err.trim().split('\n')).toHaveLength(1);
    }
  });

  it('entries that no checkpoint signs yet, with a key given: 3, not intact; an empty ledger: 0', async () => {
    const { SqliteLedger } = await import('../../src/ledger/sqlite-ledger.js');
    const dir = tempDir();
    const path = join(dir, 'ledger.db');
    const ledger = SqliteLedger.open(path);
    const key = join(dir, 'published.pem');
    writeFileSync(key, ledger.publicKeyPem());
    try {
      expect(await run(['verify', '--ledger', path, '--public-key', key])).toMatchObject({ code: 0, out: expect.stringMatching(/Signatures: none to check yet/) });
      await ledger.append({ kind: 'push', repo: 'acme/api', subject: 'push/1', data: {} });
      const unsigned = await run(['verify', '--ledger', path, '--public-key', key]);
      expect(unsigned).toMatchObject({ code: 3, out: expect.stringMatching(/^Chain intact: 1 entry checked[^]*Signatures UNVERIFIED: no checkpoint signs this entry/) });
      expect(JSON.parse((await run(['verify', '--ledger', path, '--public-key', key, '--json'])).out)).toMatchObject({ status: 'signatures unverified', ok: false, signatures: 'unverified', checkpoints: 0 });
      // A checkpoint kept elsewhere that covers the entries signs them.
      const anchor = join(dir, 'checkpoint.json');
      await ledger.checkpoint();
      writeFileSync(anchor, JSON.stringify(await ledger.latestCheckpoint()));
      const first = join(dir, 'first.ndjson');
      writeFileSync(first, `${exportLines(path)[0]}\n`);
      expect((await run(['verify', '--ledger', first, '--public-key', key, '--checkpoint', anchor])).code).toBe(0);
      expect((await run(['verify', '--ledger', path, '--public-key', key])).code).toBe(0);
    } finally {
      await ledger.close();
    }
  });

  it('a ledger that cannot be read: 2', async () => {
    expect(await run(['verify', '--ledger', join(tempDir(), 'missing.db'), '--key-id', '0'.repeat(64)]))
      .toMatchObject({ code: 2, err: expect.stringMatching(/Cannot read .*missing\.db/) });
  });

  it('says which key it used and where it came from; without one, what the ledger claims and what to do', async () => {
    const k = await ledgerWithKeys();
    const given = await run(['verify', '--ledger', k.path, '--public-key', k.published]);
    expect(given.out).toMatch(/^Ledger intact: 9 entries checked \(seq 1–9\), 2 checkpoints verified\./);
    expect(given.out).toMatch(/Head: seq 9, hash [0-9a-f]{64}/);
    expect(given.out).toContain(`Signatures: verified with the public key given (${k.published}, id ${k.keyId}).`);
    const byId = await run(['verify', '--ledger', k.ndjson, '--key-id', k.keyId]);
    expect(byId.out).toContain(`Signatures: verified with the key id given (${k.keyId}).`);
    const none = await run(['verify', '--ledger', k.path]);
    expect(none.out).toMatch(/^Chain intact: 9 entries checked \(seq 1–9\) \(text, hashes, order, 2 checkpoints\); signatures NOT verified\./);
    expect(none.out).toContain(`Signatures UNVERIFIED: no public key was given. Its checkpoints name key ${k.keyId}: that is what the ledger claims, not proof`);
    expect(none.out).toMatch(/run again with --key-id ID or --public-key FILE/);
  });

  it('--json states the status, the signatures, and the key used with its source', async () => {
    const k = await ledgerWithKeys();
    const json = async (args: string[]) => JSON.parse((await run(['verify', '--ledger', k.path, '--json', ...args])).out) as Record<string, unknown>;
    expect(await json(['--public-key', k.published])).toMatchObject({
      status: 'intact', ok: true, signatures: 'verified', format: 'sqlite', claimedKeyId: k.keyId,
      publicKey: { keyId: k.keyId, source: 'public-key-file', path: k.published, from: expect.stringMatching(/--public-key/) },
    });
    expect(await json(['--key-id', k.keyId])).toMatchObject({
      status: 'intact', ok: true, signatures: 'verified', publicKey: { keyId: k.keyId, source: 'key-id', path: null, from: expect.stringMatching(/carried by the ledger's checkpoints/) },
    });
    expect(await json([])).toMatchObject({ status: 'signatures unverified', ok: false, signatures: 'unverified', keyId: null, claimedKeyId: k.keyId, publicKey: { keyId: null, source: 'none' } });
    expect(await json(['--key-id', k.other.keyId])).toMatchObject({ status: 'tampered', ok: false, signatures: 'invalid', failure: { seq: 6, reason: 'bad_signature' } });
  });

  it('exits 1 with the first bad seq and the reason; --json carries the same', async () => {
    const k = await ledgerWithKeys();
    const db = tamperWith(k.path);
    db.prepare("UPDATE entries SET body = replace(body, 'reviewer-', 'reviewer_') WHERE seq = 4").run();
    db.close();
    const text = await run(['verify', '--ledger', k.path, '--public-key', k.published]);
    expect(text.code).toBe(1);
    expect(text.out).toMatch(/^Ledger NOT intact: first bad seq 4: hash_mismatch: /);
    const json = await run(['verify', '--ledger', k.path, '--public-key', k.published, '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.out)).toMatchObject({ ok: false, status: 'tampered', format: 'sqlite', failure: { seq: 4, reason: 'hash_mismatch' } });
    // Tampering is found without a key too: 1, not 3.
    expect((await run(['verify', '--ledger', k.path])).code).toBe(1);
  });

  it('a ledger re-signed with a key placed beside it: 1 with the real key, 3 without a key, never 0', async () => {
    const k = await ledgerWithKeys();
    const attacker = generateSigningKey();
    rewriteLedger(k.path, { seq: 3, entry: (e) => ({ ...e, data: { ...(e.data as object), verdict: 'compliant' } }), resign: attacker });
    const privatePath = defaultSigningKeyPath(k.path);
    writeFileSync(privatePath, attacker.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    writeFileSync(publicKeyPathFor(privatePath), publicKeyPem(attacker.publicKey));
    expect(await run(['verify', '--ledger', k.path, '--public-key', k.published])).toMatchObject({ code: 1, out: expect.stringMatching(/first bad seq 6: bad_signature/) });
    expect((await run(['verify', '--ledger', k.path, '--key-id', k.keyId])).code).toBe(1);
    expect(await run(['verify', '--ledger', k.path])).toMatchObject({ code: 3, out: expect.stringContaining(`Its checkpoints name key ${attacker.keyId}`) });
  });

  it('a duplicate member in an entry (only its canonical form is wrong): 1, malformed, with or without a key', async () => {
    const k = await ledgerWithKeys();
    const key = loadSigningKey(defaultSigningKeyPath(k.path))!;
    rewriteLedger(k.path, { seq: 2, text: (b) => b.replace('"verdict":"compliant"', '"verdict":"non_compliant","verdict":"compliant"'), resign: key });
    writeFileSync(k.ndjson, `${exportLines(k.path).join('\n')}\n`);
    for (const ledger of [k.path, k.ndjson]) {
      for (const keyArgs of [['--key-id', k.keyId], []]) {
        expect(await run(['verify', '--ledger', ledger, ...keyArgs])).toMatchObject({ code: 1, out: expect.stringMatching(/first bad seq 2: malformed: .*member "verdict" appears twice/) });
      }
    }
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

  it('reads LEDGER_PATH when --ledger is absent', async () => {
    const k = await ledgerWithKeys();
    expect((await run(['verify', '--key-id', k.keyId], { LEDGER_PATH: k.path })).code).toBe(0);
  });

  it('--help speaks of the key the auditor obtained and of every exit status', async () => {
    const { out } = await run(['verify', '--help']);
    expect(out).toMatch(/--public-key FILE/);
    expect(out).toMatch(/--key-id HEX/);
    expect(out).toMatch(/3 intact as far as checked, but signatures unverified/);
    expect(out).not.toMatch(/SPEC/);
  });
});

describe('changeproof public-key --ledger: the key the ledger claims, from the ledger alone', () => {
  it('works with the private key and the key files beside the ledger deleted, and says it is a claim', async () => {
    const k = await ledgerWithKeys();
    const privatePath = defaultSigningKeyPath(k.path);
    rmSync(privatePath);
    rmSync(publicKeyPathFor(privatePath));
    for (const ledger of [k.path, k.ndjson]) {
      const { code, out, err } = await run(['public-key', '--ledger', ledger]);
      expect(code).toBe(0);
      expect(out).toBe(`Key id ${k.keyId} (SHA-256 of the DER public key), as the ledger claims it\n${k.pem}`);
      expect(createPublicKey(out).export({ type: 'spki', format: 'pem' })).toBe(k.pem); // still a key file
      expect(err).toMatch(/Read from the ledger's checkpoint at seq 9 \(all 2 checkpoints name this key\)/);
      expect(err).toContain(`This is the key the ledger claims, not proof: compare its id ${k.keyId} with the one obtained from the ledger's operator`);
    }
    expect(JSON.parse((await run(['public-key', '--ledger', k.path, '--json'])).out)).toMatchObject({ keyId: k.keyId, pem: k.pem, seq: 9, note: expect.stringMatching(/not proof/) });
  });

  it('prints the key the checkpoints carry, not a different key file beside the ledger', async () => {
    const k = await ledgerWithKeys();
    writeFileSync(publicKeyPathFor(defaultSigningKeyPath(k.path)), publicKeyPem(k.other.publicKey));
    expect((await run(['public-key', '--ledger', k.path])).out).toContain(k.pem);
  });

  it('refuses a ledger whose checkpoints name different keys, without choosing one', async () => {
    const k = await ledgerWithKeys();
    rewriteLedger(k.path, { seq: 7, entry: (e) => e, resign: k.other });
    const { code, out, err } = await run(['public-key', '--ledger', k.path]);
    expect(code).toBe(1);
    expect(out).toBe('');
    expect(err).toMatch(new RegExp(`name 2 different keys: ${k.other.keyId} \\(seq 9\\); ${k.keyId} \\(seq 6\\)`));
    expect(err).toMatch(/nothing in it says which key is right/);
  });

  it('refuses a checkpoint carrying a key that is not the one it names', async () => {
    const k = await ledgerWithKeys();
    rewriteLedger(k.path, { seq: 9, entry: (e) => ({ ...e, data: { ...(e.data as object), public_key: k.other.publicKey.export({ type: 'spki', format: 'der' }).toString('base64') } }) });
    expect(await run(['public-key', '--ledger', k.path])).toMatchObject({ code: 1, err: expect.stringMatching(/seq 9 contradicts itself/) });
  });

  it('for checkpoints written before they carried their key: the public key file beside the ledger, said so, or a clear refusal', async () => {
    const k = await ledgerWithKeys();
    const key = loadSigningKey(defaultSigningKeyPath(k.path))!;
    const withoutKey = ({ public_key: _dropped, ...data }: Record<string, unknown>) => data;
    rewriteLedger(k.path, { seq: 6, entry: (e) => ({ ...e, data: withoutKey(e.data as Record<string, unknown>) }),
      resign: (data, size, head) => withoutKey(signCheckpoint(key, { size, head_hash: head, time: String(data.time) }) as unknown as Record<string, unknown>) });
    const beside = await run(['public-key', '--ledger', k.path]);
    expect(beside).toMatchObject({ code: 0, out: expect.stringContaining(k.pem), err: expect.stringMatching(/ledger-signing-key\.pub\.pem, the public key file beside the ledger \(its checkpoints name key .* but do not carry it/) });
    writeFileSync(publicKeyPathFor(defaultSigningKeyPath(k.path)), publicKeyPem(k.other.publicKey));
    expect(await run(['public-key', '--ledger', k.path])).toMatchObject({ code: 1, err: expect.stringMatching(/it is not the ledger's key/) });
    rmSync(publicKeyPathFor(defaultSigningKeyPath(k.path)));
    expect(await run(['public-key', '--ledger', k.path])).toMatchObject({ code: 2, err: expect.stringMatching(/names no public key .* ask the ledger's operator/) });
  });

  it('a ledger that cannot be read: 2', async () => {
    expect(await run(['public-key', '--ledger', join(tempDir(), 'none.db')])).toMatchObject({ code: 2, err: expect.stringMatching(/Cannot read .*none\.db/) });
  });
});

describe('changeproof ledger-export', () => {
  it('writes one canonical line per entry to stdout; --json summarises a file export', async () => {
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

  it('refuses bad usage with one line and exit 2', async () => {
    const { path } = await buildLedger({ count: 1 });
    for (const [args, message] of [
      [['ledger-export', '--ledger', path, '--json'], /--json needs --out/],
      [['ledger-export', '--ledger', path, '--from-seq', '0', '--out', 'x'], /--from-seq must be a whole number/],
    ] as const) {
      const { code, err } = await run([...args]);
      expect(code, args.join(' ')).toBe(2);
      expect(err).toMatch(message);
      expect(err.trim().split('\n')).toHaveLength(1);
    }
  });
});
