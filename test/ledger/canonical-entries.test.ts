import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signCheckpoint, spkiBase64 } from '../../src/ledger/checkpoint.js';
import { defaultSigningKeyPath, generateSigningKey, keyIdOf, loadSigningKey, type SigningKey } from '../../src/ledger/signing-key.js';
import { verifyLedger, type VerifyLedgerOptions } from '../../src/ledger/verify.js';
import { buildLedger, removeTempDirs, type BuiltLedger } from './support/ledger-fixture.js';
import { exportLines, rewriteLedger } from './support/rewrite-ledger.js';

// 20 entries, a checkpoint every 5: entries 1–5, checkpoint 6 (size 5), 7–11,
// checkpoint 12, 13–17, checkpoint 18, 19–23, checkpoint 24 (size 23).
// Seq 4 is an exception whose data is, canonically,
// {"approvals":[{"at":"2026-03-01T08:00:00Z","login":"reviewer-0"}],"note":"entry 3 “quoted” \\ ✓","verdict":"non_compliant"}
let built: BuiltLedger;
let key: SigningKey;
beforeEach(async () => {
  built = await buildLedger({ count: 20, everyEntries: 5 });
  key = loadSigningKey(defaultSigningKeyPath(built.path))!;
});
afterEach(removeTempDirs);

/** Verifies in both modes (the one-pass check, and re-serialisation by canonicalize as well); they must agree. */
async function verifyBoth(source: string, options: Partial<VerifyLedgerOptions> = { publicKey: built.publicKey }) {
  const fast = await verifyLedger(source, options);
  const canonical = await verifyLedger(source, { ...options, canonical: true });
  expect(canonical.failure).toEqual(fast.failure);
  return fast;
}

function asNdjson(name = 'ledger.ndjson'): string {
  const path = join(built.dir, name);
  writeFileSync(path, `${exportLines(built.path).join('\n')}\n`);
  return path;
}

describe('an entry whose text is not exactly its canonical JSON is malformed, though its hash and the chain are right', () => {
  const edits: Array<[string, (body: string) => string]> = [
    ['a member repeated before the real one (two JSON readers, two verdicts)', (b) => b.replace('"verdict":"non_compliant"', '"verdict":"compliant","verdict":"non_compliant"')],
    ['a top-level member repeated', (b) => b.replace(',"kind":"', ',"data":{},"kind":"')],
    ['a space after a colon', (b) => b.replace('{"data":{', '{"data": {')],
    ['members out of order', (b) => b.replace('{"at":"2026-03-01T08:00:00Z","login":"reviewer-0"}', '{"login":"reviewer-0","at":"2026-03-01T08:00:00Z"}')],
    ['a number in another form (4.0)', (b) => b.replace('"seq":4,', '"seq":4.0,')],
    ['a character escaped that is written raw (“ as \\u201c)', (b) => b.replace('“', '\\u201c')],
    ['the header members out of order (kind first)', (b) => b.replace(/^\{"data":(.*),"kind":"exception",/, '{"kind":"exception","data":$1,')],
  ];

  it('(the rewrite alone, with the ledger’s own key, leaves a valid ledger)', async () => {
    rewriteLedger(built.path, { seq: 4, text: (b) => b, resign: key });
    expect(await verifyBoth(built.path)).toMatchObject({ ok: true, entries: 24, signatures: 'verified' });
    expect(await verifyBoth(asNdjson())).toMatchObject({ ok: true, entries: 24, signatures: 'verified' });
  });

  it.each(edits)('%s: in SQLite', async (_name, edit) => {
    rewriteLedger(built.path, { seq: 4, text: edit, resign: key });
    expect((await verifyBoth(built.path)).failure).toMatchObject({ seq: 4, reason: 'malformed', message: expect.stringMatching(/not exactly its RFC 8785 canonical JSON/) });
  });

  it.each(edits)('%s: in NDJSON', async (_name, edit) => {
    rewriteLedger(built.path, { seq: 4, text: edit, resign: key });
    expect((await verifyBoth(asNdjson())).failure).toMatchObject({ seq: 4, reason: 'malformed' });
  });

  it('also when no key is given (the text is checked whatever the signatures)', async () => {
    rewriteLedger(built.path, { seq: 4, text: edits[0]![1], resign: key });
    expect((await verifyBoth(built.path, {})).failure).toMatchObject({ seq: 4, reason: 'malformed', message: expect.stringMatching(/member "verdict" appears twice/) });
  });

  it('an NDJSON line reformatted (same content, other spacing) is malformed too: the text is what was signed', async () => {
    const lines = exportLines(built.path);
    lines[6] = JSON.stringify(JSON.parse(lines[6]!), null, 1).replace(/\n/g, '');
    const path = join(built.dir, 'reformatted.ndjson');
    writeFileSync(path, `${lines.join('\n')}\n`);
    expect((await verifyBoth(path)).failure).toMatchObject({ seq: 7, reason: 'malformed' });
  });
});

describe('a checkpoint of the wrong shape fails, at its seq', () => {
  const other = generateSigningKey();
  const shapes: Array<[string, (e: Record<string, unknown>) => Record<string, unknown>, RegExp]> = [
    ['a subject naming another size', (e) => ({ ...e, subject: 'checkpoint/4' }), /subject "checkpoint\/5"/],
    ['a subject of another kind', (e) => ({ ...e, subject: 'pull/6' }), /subject "checkpoint\/5"/],
    ['a repository', (e) => ({ ...e, repo: 'acme/api' }), /repo null/],
    ['a public key that is not the key it names', (e) => ({ ...e, data: { ...(e.data as object), public_key: spkiBase64(other.publicKey) } }), /carries the public key with id .* but names key_id/],
    ['a public key that is not a key', (e) => ({ ...e, data: { ...(e.data as object), public_key: 'AAAA' } }), /not a DER SubjectPublicKeyInfo/],
  ];

  it.each(shapes)('%s (SQLite and NDJSON)', async (_name, edit, message) => {
    rewriteLedger(built.path, { seq: 6, entry: edit, resign: key });
    expect((await verifyBoth(built.path)).failure).toMatchObject({ seq: 6, reason: 'malformed', message: expect.stringMatching(message) });
    expect((await verifyBoth(asNdjson())).failure).toMatchObject({ seq: 6, reason: 'malformed', message: expect.stringMatching(message) });
  });
});

describe('signatures are judged only against the key given', () => {
  const keyIdOfBuilt = () => keyIdOf(built.publicKey);

  it.each([
    ['the public key', () => ({ publicKey: built.publicKey }), 'verified'],
    ['its id (the key itself then comes from the checkpoints)', () => ({ keyId: keyIdOfBuilt() }), 'verified'],
    ['its id in capitals', () => ({ keyId: keyIdOfBuilt().toUpperCase() }), 'verified'],
    ['nothing', () => ({}), 'unverified'],
  ] as const)('given %s: %s', async (_name, options, signatures) => {
    const report = await verifyBoth(built.path, options());
    expect(report).toMatchObject({ ok: true, signatures, claimedKeyId: keyIdOfBuilt(), keyId: signatures === 'verified' ? keyIdOfBuilt() : null });
  });

  it('another key’s id: bad signature at the first checkpoint', async () => {
    const report = await verifyBoth(asNdjson(), { keyId: generateSigningKey().keyId });
    expect(report).toMatchObject({ ok: false, signatures: 'invalid', failure: { seq: 6, reason: 'bad_signature', message: expect.stringMatching(/not by the given key/) } });
  });

  it('a ledger re-signed throughout by another key verifies as a chain, never as signed, and fails against the real key', async () => {
    const attacker = generateSigningKey();
    rewriteLedger(built.path, { seq: 1, entry: (e) => ({ ...e, data: { ...(e.data as object), verdict: 'compliant' } }), resign: attacker });
    expect(await verifyBoth(built.path, {})).toMatchObject({ ok: true, signatures: 'unverified', claimedKeyId: attacker.keyId });
    expect((await verifyBoth(built.path, { publicKey: built.publicKey })).failure).toMatchObject({ seq: 6, reason: 'bad_signature' });
    expect((await verifyBoth(built.path, { keyId: keyIdOfBuilt() })).failure).toMatchObject({ seq: 6, reason: 'bad_signature' });
  });

  it('without a key, checkpoints naming two keys still fail: a ledger is signed by one key', async () => {
    rewriteLedger(built.path, { seq: 8, entry: (e) => e, resign: generateSigningKey() });
    expect((await verifyBoth(built.path, {})).failure).toMatchObject({ seq: 12, reason: 'bad_signature', message: expect.stringMatching(/earlier checkpoints name key/) });
  });

  it('without a key, a forged checkpoint still fails against the key it carries', async () => {
    const changed = (e: Record<string, unknown>) => ({ ...e, data: { ...(e.data as object), verdict: 'non_compliant' } });
    rewriteLedger(built.path, { seq: 8, entry: changed, resign: (data, size, head) => ({ ...data, size, head_hash: head }) });
    expect((await verifyBoth(built.path, {})).failure).toMatchObject({ seq: 12, reason: 'bad_signature', message: expect.stringMatching(/forged or altered/) });
  });

  describe('checkpoints written before they carried their key stay valid', () => {
    const withoutKey = ({ public_key: _dropped, ...data }: Record<string, unknown>) => data;

    it('all of them: verified with the public key; with only an id there is nothing to check it against', async () => {
      rewriteLedger(built.path, { seq: 6, entry: (e) => ({ ...e, data: withoutKey(e.data as Record<string, unknown>) }),
        resign: (data, size, head) => withoutKey(signCheckpoint(key, { size, head_hash: head, time: String(data.time) }) as unknown as Record<string, unknown>) });
      expect(await verifyBoth(built.path)).toMatchObject({ ok: true, signatures: 'verified', checkpoints: 4 });
      expect(await verifyBoth(built.path, { keyId: keyIdOfBuilt() })).toMatchObject({ ok: true, signatures: 'unverified', uncheckedCheckpoints: 4 });
    });

    it('older ones before a checkpoint that carries the key: covered by its signature', async () => {
      rewriteLedger(built.path, { seq: 6, entry: (e) => ({ ...e, data: withoutKey(e.data as Record<string, unknown>) }),
        resign: (data, size, head) => {
          const signed = signCheckpoint(key, { size, head_hash: head, time: String(data.time) }) as unknown as Record<string, unknown>;
          return size < 23 ? withoutKey(signed) : signed;
        } });
      expect(await verifyBoth(asNdjson(), { keyId: keyIdOfBuilt() })).toMatchObject({ ok: true, signatures: 'verified', uncheckedCheckpoints: 0 });
    });
  });
});
