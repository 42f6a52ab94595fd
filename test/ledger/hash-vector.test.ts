import canonicalize from 'canonicalize';
import { createHash, createPublicKey, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CHECKPOINT_FORMAT } from '../../src/ledger/checkpoint.js';
import { GENESIS_HASH } from '../../src/ledger/hash.js';
import { SqliteLedger } from '../../src/ledger/sqlite-ledger.js';
import { loadSigningKey } from '../../src/ledger/signing-key.js';
import { verifyLedger } from '../../src/ledger/verify.js';

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url);
const vectorText = readFileSync(fixture('hash-vector.ndjson'), 'utf8');
const vector = vectorText.trimEnd().split('\n');
const publicKey = createPublicKey(readFileSync(fixture('test-signing-key.pub.pem'), 'utf8'));

describe('the hash and signature byte layout (fixed vector)', () => {
  it('each hash is SHA-256 over the ASCII prev_hash followed by the JCS of the entry without hash', () => {
    let prev = GENESIS_HASH;
    for (const line of vector) {
      const { hash, ...entry } = JSON.parse(line) as Record<string, unknown>;
      // Independent of src/: node:crypto and canonicalize only.
      const expected = createHash('sha256').update(Buffer.from(prev, 'ascii')).update(Buffer.from(canonicalize(entry)!, 'utf8')).digest('hex');
      expect(hash).toBe(expected);
      expect(entry.prev_hash).toBe(prev);
      prev = hash as string;
    }
    expect(prev).toBe('4a4a31b1cfe9a867aae03d025e295ce699d1d275d3b0a67c06f7fbda5093da4d');
  });

  it('each line is the canonical JSON of the whole entry', () => {
    for (const line of vector) expect(canonicalize(JSON.parse(line))).toBe(line);
  });

  it('the checkpoint signs the canonical JSON of {format, head_hash, size, time} with Ed25519', () => {
    const { data } = JSON.parse(vector[3]!) as { data: Record<string, string | number> };
    const statement = `{"format":"${CHECKPOINT_FORMAT}","head_hash":"${data.head_hash}","size":${data.size},"time":"${data.time}"}`;
    expect(verify(null, Buffer.from(statement), publicKey, Buffer.from(String(data.signature), 'base64'))).toBe(true);
    const keyId = createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
    expect(data.key_id).toBe(keyId);
  });

  it('the ledger writes exactly these bytes for the same inputs, clock and key (its checkpoint now carries the public key)', async () => {
    const key = loadSigningKey(fileURLToPath(fixture('test-signing-key.pem')))!;
    let t = Date.parse('2026-03-01T09:00:00.000Z');
    const ledger = SqliteLedger.open(':memory:', { signingKey: key, clock: () => new Date((t += 1500)) });
    await ledger.append([
      { kind: 'evaluation', repo: 'acme/api', subject: 'pull/42', data: { verdict: 'compliant', nested: { b: 1, a: [true, null, 0.1, 1e21, -0] }, unicode: 'café ✓', 'é': 'key', '\u0001': 'ctl' } },
      { kind: 'exception', repo: 'acme/api', subject: 'pull/42', data: { reason: 'merged without passing control' } },
    ], { deliveryId: 'd1' });
    await ledger.append({ kind: 'push', repo: 'acme/web', subject: 'push/0123456789abcdef0123456789abcdef01234567', data: { forced: true } });
    await ledger.checkpoint();
    const lines: string[] = [];
    for await (const line of ledger.readLines()) lines.push(line);
    await ledger.close();
    expect(lines.slice(0, 3)).toEqual(vector.slice(0, 3));
    // The committed checkpoint predates `public_key` (and stays valid: see below); the ledger now
    // adds it, outside the signed statement: base64 of the SPKI DER, the bytes key_id hashes.
    const { hash: _old, ...checkpoint } = JSON.parse(vector[3]!) as { hash: string; prev_hash: string; data: Record<string, unknown> };
    checkpoint.data.public_key = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    const hash = createHash('sha256').update(checkpoint.prev_hash).update(canonicalize(checkpoint)!).digest('hex');
    expect(lines[3]).toBe(canonicalize({ ...checkpoint, hash }));
  });

  it('verifies, in both modes, from the NDJSON alone and the public key (a checkpoint without public_key stays valid)', async () => {
    for (const canonical of [false, true]) {
      const report = await verifyLedger(fileURLToPath(fixture('hash-vector.ndjson')), { publicKey, canonical, requireFinalCheckpoint: true });
      expect(report).toMatchObject({ ok: true, entries: 4, checkpoints: 1, headHash: '4a4a31b1cfe9a867aae03d025e295ce699d1d275d3b0a67c06f7fbda5093da4d' });
    }
  });
});
