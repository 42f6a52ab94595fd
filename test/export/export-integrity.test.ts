import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvFile } from '../../src/export/csv.js';
import { DATED_TOLERANCE, rederiveExport, type RederiveDeps } from '../../src/export/rederive.js';
import { sqliteSource } from '../../src/export/sqlite-source.js';
import { verifyExport } from '../../src/export/verify-export.js';
import { keyIdOf, publicKeyFromPem } from '../../src/ledger/signing-key.js';
import { SqliteLedger } from '../../src/ledger/sqlite-ledger.js';
import { runCli } from '../ledger/support/run-cli.js';
import { changeEntry } from './support/change-entry.js';

/**
 * The package's integrity beyond the hostile review's cases: every CSV line
 * break is quoted, SHA256SUMS is read as strictly as `sha256sum -c`, the
 * package's key is only ever its own public-key.pem, and the app signs only
 * the files it re-derives (or knows it cannot), dated when it signs.
 */

const work = mkdtempSync(join(tmpdir(), 'changeproof-integrity-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const cli = (argv: string[]) => runCli(argv);


describe('CSV line breaks', () => {
  it('quotes a field holding \\n, \\r or \\r\\n anywhere, so every record stays one row', async () => {
    const path = join(work, 'breaks.csv');
    const file = csvFile(path, ['a', 'b']);
    await file.write(['one\ntwo', 'x']);
    await file.write(['one\rtwo', 'y']);
    await file.write(['one\r\ntwo', 'z']);
    await file.write(['plain', 'w']);
    await file.close();
    const text = readFileSync(path, 'utf8');
    expect(text).toBe('a,b\r\n"one\ntwo",x\r\n"one\rtwo",y\r\n"one\r\ntwo",z\r\nplain,w\r\n');
    const rows = parse(text, { record_delimiter: ['\r\n', '\n', '\r'] }) as string[][];
    expect(rows.map((r) => r[1])).toEqual(['b', 'x', 'y', 'z', 'w']);
  });
});

describe('verify-export and the app\'s re-derivation', () => {
  let ledger: { path: string; pem: string; keyId: string };
  let genuine: string;
  let deps: RederiveDeps;
  const claimOf = (dir: string, edit: (m: Record<string, unknown>) => void = () => {}) => {
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Record<string, unknown>;
    edit(manifest);
    return { manifest: `${JSON.stringify(manifest, null, 2)}\n`, selection: readFileSync(join(dir, 'selection.json'), 'utf8') };
  };
  const copyOf = (name: string) => {
    const dir = join(work, name);
    cpSync(genuine, dir, { recursive: true });
    return dir;
  };

  beforeAll(async () => {
    const dir = join(work, 'ledger');
    mkdirSync(dir);
    const path = join(dir, 'ledger.db');
    let t = Date.parse('2025-12-01T00:00:00Z');
    const l = SqliteLedger.open(path, { clock: () => new Date((t += 1000)), synchronous: 'NORMAL' });
    await l.append([1, 2, 3, 4].map((n) => changeEntry(n, `2026-01-${String(n * 3).padStart(2, '0')}T12:00:00Z`)));
    const pem = l.publicKeyPem();
    await l.close();
    ledger = { path, pem, keyId: keyIdOf(publicKeyFromPem(pem)) };
    genuine = join(work, 'genuine');
    const made = await cli(['export', '--ledger', path, '--from', '2026-01-01', '--to', '2026-03-31', '--out', genuine, '--seed', 'integrity', '--sample-size', '2']);
    expect(made.err).toBe('');
    deps = { source: (toSeq) => sqliteSource(path, {}, { toSeq }), publicKeyPem: pem, keyId: ledger.keyId };
  }, 60_000);

  it('a genuine package: intact, with the key or its id; the app re-derives it and would sign it now', async () => {
    expect((await verifyExport(genuine, { publicKeyPem: ledger.pem })).status).toBe('intact');
    expect((await verifyExport(genuine, { keyId: ledger.keyId })).status).toBe('intact');
    const derived = await rederiveExport(claimOf(genuine), deps);
    expect(derived.differences).toEqual([]);
    expect(derived.ok).toBe(true);
    // report.html and the workbook are rendered again and compared byte for byte; with no reconciliation, nothing needs GitHub.
    expect(derived.notRederived).toEqual([]);
    expect(derived.rederived.files).toEqual(expect.arrayContaining(['report.html', 'sample.xlsx']));
  }, 30_000);

  it('a doctored workbook (the auditor\'s working paper), its hash rebuilt in the manifest, is not signed', async () => {
    const doctored = await rederiveExport(claimOf(genuine, (m) => {
      const xlsx = (m['files'] as Array<Record<string, unknown>>).find((f) => f['path'] === 'sample.xlsx')!;
      xlsx['sha256'] = 'e'.repeat(64);
    }), deps);
    expect(doctored.ok).toBe(false);
    expect(doctored.differences).toEqual([expect.stringMatching(/^sample\.xlsx differs from what this ledger gives \(sha256 e{64} in the export, [0-9a-f]{64} here\)$/)]);
  }, 30_000);

  it('SHA256SUMS: a duplicate line, even with the right hash, or a blank line, is tampering', async () => {
    const dup = copyOf('sums-dup-right');
    const sums = readFileSync(join(dup, 'SHA256SUMS'), 'utf8');
    const line = sums.split('\n').find((l) => l.endsWith('  population.csv'))!;
    writeFileSync(join(dup, 'SHA256SUMS'), `${sums}${line}\n`);
    const a = await verifyExport(dup, { publicKeyPem: ledger.pem });
    expect(a.status).toBe('tampered');
    expect(a.checks.filter((c) => !c.ok).map((c) => c.detail)).toEqual([expect.stringMatching(/population\.csv is listed twice in SHA256SUMS/)]);

    const blank = copyOf('sums-blank');
    writeFileSync(join(blank, 'SHA256SUMS'), sums.replace('\n', '\n\n'));
    const b = await verifyExport(blank, { publicKeyPem: ledger.pem });
    expect(b.status).toBe('tampered');
    expect(b.checks.filter((c) => !c.ok).map((c) => c.detail)).toEqual([expect.stringMatching(/line 2 is malformed/)]);
  });

  it('--key-id: a manifest naming another key file, even inside the package, is refused without opening it', async () => {
    const d = copyOf('keyid-inside');
    mkdirSync(join(d, 'keys'));
    cpSync(join(d, 'public-key.pem'), join(d, 'keys', 'other.pem'));
    const manifest = JSON.parse(readFileSync(join(d, 'manifest.json'), 'utf8')) as { signature: { public_key: string } };
    manifest.signature.public_key = 'keys/other.pem';
    writeFileSync(join(d, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    const report = await verifyExport(d, { keyId: ledger.keyId });
    expect(report.status).toBe('tampered');
    expect(report.checks).toEqual([expect.anything(), expect.objectContaining({ name: 'public key', ok: false, detail: expect.stringMatching(/"keys\/other\.pem", not public-key\.pem: refused, not opened/) })]);
  });

  it('the app names every file it does not produce, and a path listed twice', async () => {
    const invented = await rederiveExport(claimOf(genuine, (m) => {
      (m['files'] as Array<Record<string, unknown>>).push({ path: 'notes.txt', bytes: 1, sha256: 'c'.repeat(64) }, { path: 'evidence/acme~api~pr-99.html', bytes: 1, sha256: 'd'.repeat(64) });
    }), deps);
    expect(invented.ok).toBe(false);
    expect(invented.differences).toEqual([
      'notes.txt is in the export, but this ledger gives no such file',
      'evidence/acme~api~pr-99.html is in the export, but this ledger gives no such file',
    ]);
    const twice = await rederiveExport(claimOf(genuine, (m) => {
      const files = m['files'] as Array<Record<string, unknown>>;
      files.push({ ...files.find((f) => f['path'] === 'report.html')! });
    }), deps);
    expect(twice.differences).toEqual(['report.html is listed twice in the export\'s manifest']);
    const withoutReport = await rederiveExport(claimOf(genuine, (m) => {
      m['files'] = (m['files'] as Array<Record<string, unknown>>).filter((f) => f['path'] !== 'report.html');
    }), deps);
    expect(withoutReport.differences).toEqual(['report.html is missing from the export']);
  }, 30_000);

  it('signing: the export must be dated now (within the tolerance) and not before the ledger head; an auditor\'s check (clock: null) takes it as of its date', async () => {
    const generatedAt = Date.parse((JSON.parse(readFileSync(join(genuine, 'manifest.json'), 'utf8')) as { generated_at: string }).generated_at);
    const at = (ms: number) => ({ ...deps, clock: () => new Date(ms) });
    expect((await rederiveExport(claimOf(genuine), at(generatedAt + DATED_TOLERANCE.behindMs - 1000))).ok).toBe(true);
    const late = await rederiveExport(claimOf(genuine), at(generatedAt + DATED_TOLERANCE.behindMs + 1000));
    expect(late.ok).toBe(false);
    expect(late.differences).toEqual([expect.stringMatching(/^generated_at: the export is dated .*, but it is signed at /)]);
    expect((await rederiveExport(claimOf(genuine), at(generatedAt - DATED_TOLERANCE.aheadMs - 1000))).ok).toBe(false);
    // An auditor re-deriving later: no date check.
    expect((await rederiveExport(claimOf(genuine), { ...deps, clock: null })).ok).toBe(true);

    // Dated before the ledger's head was recorded (2025-12-01): refused even by a clock that agrees with the date.
    const early = '2025-11-30T00:00:00.000Z';
    const backdated = await rederiveExport(claimOf(genuine, (m) => { m['generated_at'] = early; }), at(Date.parse(early)));
    expect(backdated.differences).toEqual([expect.stringMatching(/^generated_at: the export is dated 2025-11-30T00:00:00\.000Z, before entry \d+ it was read up to was recorded \(2025-12-01T00:00:0/)]);
    const notATime = await rederiveExport(claimOf(genuine, (m) => { m['generated_at'] = 'yesterday'; }), { ...deps, clock: null });
    expect(notATime.differences).toEqual(['the manifest\'s generated_at ("yesterday") is not a time']);
  }, 60_000);
});
