import { existsSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteLedger } from '../../src/ledger/sqlite-ledger.js';
import { defaultSigningKeyPath, generateSigningKey, publicKeyPathFor } from '../../src/ledger/signing-key.js';
import { removeTempDirs, sampleEntry, tempDir } from './support/ledger-fixture.js';

afterEach(removeTempDirs);

// What only the SQLite ledger does (its file, the key beside it). What every
// ledger does is in ledger-contract.test.ts, which runs on SQLite too.

describe('the signing key', () => {
  it('is generated beside the ledger on first use, private key mode 0600, public key beside it', async () => {
    const path = join(tempDir(), 'ledger.db');
    const ledger = SqliteLedger.open(path, { env: {} });
    const keyPath = defaultSigningKeyPath(path);
    expect(keyPath).toBe(join(path, '..', 'ledger-signing-key.pem'));
    expect(statSync(keyPath).mode & 0o777).toBe(0o600);
    expect(readFileSync(publicKeyPathFor(keyPath), 'utf8')).toBe(ledger.publicKeyPem());
    const keyId = ledger.keyId;
    await ledger.close();
    const again = SqliteLedger.open(path, { env: {} });
    expect(again.keyId).toBe(keyId);
    await again.close();
  });

  it('keeps the public key file beside it current, so the CLI never finds a stale one', async () => {
    const path = join(tempDir(), 'ledger.db');
    await SqliteLedger.open(path, { env: {} }).close();
    const publicPath = publicKeyPathFor(defaultSigningKeyPath(path));
    writeFileSync(publicPath, generateSigningKey().publicKey.export({ type: 'spki', format: 'pem' }));
    const ledger = SqliteLedger.open(path, { env: {} });
    expect(readFileSync(publicPath, 'utf8')).toBe(ledger.publicKeyPem());
    await ledger.close();
  });

  it('comes from CHANGEPROOF_SIGNING_KEY_PATH when set', async () => {
    const dir = tempDir();
    const keyPath = join(dir, 'keys', 'custom.pem');
    const ledger = SqliteLedger.open(join(dir, 'ledger.db'), { env: { CHANGEPROOF_SIGNING_KEY_PATH: keyPath } });
    expect(existsSync(keyPath)).toBe(true);
    expect(existsSync(defaultSigningKeyPath(join(dir, 'ledger.db')))).toBe(false);
    await ledger.close();
  });

  it('is never silently replaced once checkpoints exist', async () => {
    const dir = tempDir();
    const path = join(dir, 'ledger.db');
    const ledger = SqliteLedger.open(path, { env: {} });
    await ledger.append(sampleEntry(0));
    await ledger.close();
    const keyPath = defaultSigningKeyPath(path);
    const original = readFileSync(keyPath);
    unlinkSync(keyPath);
    expect(() => SqliteLedger.open(path, { env: {} })).toThrow(expect.objectContaining({ code: 'LEDGER_KEY_MISSING' }));
    expect(() => SqliteLedger.open(path, { signingKey: generateSigningKey() })).toThrow(expect.objectContaining({ code: 'LEDGER_KEY_MISMATCH' }));
    writeFileSync(keyPath, original, { mode: 0o600 });
    await SqliteLedger.open(path, { env: {} }).close();
  });
});
