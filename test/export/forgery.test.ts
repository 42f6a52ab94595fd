import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChangeRecord, ExceptionRecord } from '../../src/core/records.js';
import { VERSION } from '../../src/version.js';
import { rederiveExport } from '../../src/export/rederive.js';
import { sqliteSource } from '../../src/export/sqlite-source.js';
import { verifyExport } from '../../src/export/verify-export.js';
import { canonicalJson } from '../../src/ledger/canonical.js';
import type { EntryInput } from '../../src/ledger/ledger.js';
import { keyIdOf, publicKeyFromPem } from '../../src/ledger/signing-key.js';
import { SqliteLedger } from '../../src/ledger/sqlite-ledger.js';
import { latestCheckpointInFile } from '../../src/ledger/ledger-file.js';
import { tamperWith } from '../ledger/support/ledger-fixture.js';
import { rewriteLedger } from '../ledger/support/rewrite-ledger.js';
import { EntryChain } from './support/fixtures.js';
import { runCli } from '../ledger/support/run-cli.js';
import { changeEntry } from './support/change-entry.js';

/**
 * Attacks on the audit export and its verifiers by someone who holds the
 * package or the ledger file (or, where said, the app's signing token), but
 * not the private signing key — each once got something untrue accepted or
 * signed — and a genuine package the verifier once wrongly rejected.
 */

const REPO = 'acme/api';
const work = mkdtempSync(join(tmpdir(), 'changeproof-forgery-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const cli = (argv: string[]) => runCli(argv);

let runs = 0;
/** A SQLite ledger (key beside it) holding these entries, recorded before the period, closed with a checkpoint. */
async function ledgerOf(entries: EntryInput[]): Promise<{ path: string; pem: string }> {
  const dir = join(work, `ledger-${++runs}`);
  mkdirSync(dir);
  const path = join(dir, 'ledger.db');
  let t = Date.parse('2025-12-01T00:00:00Z');
  const ledger = SqliteLedger.open(path, { clock: () => new Date((t += 1000)), synchronous: 'NORMAL' });
  await ledger.append(entries);
  const pem = ledger.publicKeyPem();
  await ledger.close();
  return { path, pem };
}

const FIVE = () => [1, 2, 3, 4, 5].map((n) => changeEntry(n, `2026-01-${String(n * 3).padStart(2, '0')}T12:00:00Z`));

async function exportOf(ledger: string, name: string, extra: string[] = []): Promise<{ code: number; out: string; err: string; dir: string }> {
  const dir = join(work, name);
  const r = await cli(['export', '--ledger', ledger, '--from', '2026-01-01', '--to', '2026-03-31', '--out', dir, '--seed', 'hostile', '--sample-size', '2', ...extra]);
  return { ...r, dir };
}

describe('forging an export without the signing key', () => {
  let base: { path: string; pem: string };
  let genuine: string;
  beforeAll(async () => {
    base = await ledgerOf(FIVE());
    const made = await exportOf(base.path, 'genuine');
    expect(made.err).toBe('');
    expect(made.code).toBe(0);
    genuine = made.dir;
    expect((await verifyExport(genuine, { publicKeyPem: base.pem })).ok).toBe(true);
  }, 60_000);

  const copyOf = (name: string) => {
    const dir = join(work, name);
    cpSync(genuine, dir, { recursive: true });
    return dir;
  };
  const publicKeyFile = (ledger: string) => ledger.replace(/ledger\.db$/, 'ledger-signing-key.pub.pem');
  const keyIdOfPem = (pem: string) => keyIdOf(publicKeyFromPem(pem));

  // Attack: rewrite the SQLite `kind` column of a change row (body and hashes untouched) to hide it from the export.
  it('an export from a ledger whose kind column was altered is refused; verify-export --ledger does not call it intact', async () => {
    const l = await ledgerOf(FIVE());
    const db = tamperWith(l.path);
    const hidden = db.prepare("SELECT seq FROM entries WHERE kind = 'change' ORDER BY seq LIMIT 1 OFFSET 2").get() as { seq: number };
    db.prepare("UPDATE entries SET kind = 'evaluation' WHERE seq = ?").run(hidden.seq);
    db.close();
    // `verify` sees it (index_mismatch) ...
    expect((await cli(['verify', '--ledger', l.path, '--public-key', publicKeyFile(l.path)])).code).toBe(1);
    // ... the export, its re-derivation (the app's signing check) and verify-export --ledger must not trust that column either.
    const made = await exportOf(l.path, 'kind-tampered');
    const report = made.code === 0 ? await verifyExport(made.dir, { publicKeyPem: l.pem, ledger: (toSeq) => sqliteSource(l.path, {}, { toSeq }) }) : null;
    expect(report?.ok ?? false, `export exit ${made.code}; verify-export --ledger: ${report?.status}, population ${report?.populationSize} of the ledger's 5 changes`).toBe(false);
    expect(made.code).not.toBe(0);
  }, 30_000);

  // Attack: a pull request title holding a bare line feed (no comma or quote) is written unquoted: the next line starts a record with a formula.
  it('population.csv quotes every field holding a line break, so no title adds a row or an unprotected formula', async () => {
    const title = "Fix typo\n=cmd|' /C calc'!A0";
    const l = await ledgerOf([changeEntry(1, '2026-01-03T12:00:00Z', { title }), ...FIVE().slice(1)]);
    const made = await exportOf(l.path, 'newline-title');
    expect(made.code).toBe(0);
    expect((await verifyExport(made.dir, { publicKeyPem: l.pem })).ok).toBe(true);
    const text = readFileSync(join(made.dir, 'population.csv'), 'utf8');
    // What Excel or Python's csv module reads: an unquoted line feed ends the record.
    const rows = parse(text, { bom: true, record_delimiter: ['\r\n', '\n', '\r'], relax_column_count: true }) as string[][];
    expect(rows.slice(1).map((r) => r[0]).sort()).toEqual(['acme/api#1', 'acme/api#2', 'acme/api#3', 'acme/api#4', 'acme/api#5']);
    expect(rows.flat().filter((cell) => /^[=+\-@]/.test(cell))).toEqual([]);
  }, 30_000);

  // Attack: with --key-id, point the (unsigned) manifest's signature.public_key at a file outside the package.
  it('verify-export --key-id opens no path outside the package named by an unverified manifest', async () => {
    const d = copyOf('keyid-outside');
    const other = generateKeyPairSync('ed25519').publicKey;
    writeFileSync(join(work, 'outside.pem'), other.export({ type: 'spki', format: 'pem' }).toString());
    const outsideId = keyIdOf(other);
    const manifest = JSON.parse(readFileSync(join(d, 'manifest.json'), 'utf8')) as { signature: { public_key: string } };
    manifest.signature.public_key = '../outside.pem';
    writeFileSync(join(d, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    const report = await verifyExport(d, { keyId: keyIdOfPem(base.pem) });
    expect(report.status).toBe('tampered');
    // Today the detail names outside.pem's key id: the file was opened and read before any signature was checked.
    expect(JSON.stringify(report.checks)).not.toContain(outsideId);
  });

  // Attack (insider with the signing token, not the key): the app re-derives and signs a manifest listing extra files it never produces.
  it('the app refuses to sign a manifest that lists files its re-derivation does not produce', async () => {
    const manifest = JSON.parse(readFileSync(join(genuine, 'manifest.json'), 'utf8')) as { files: Array<{ path: string; bytes: number; sha256: string }> };
    manifest.files.push({ path: 'report-final.html', bytes: 10, sha256: 'a'.repeat(64) }, { path: 'evidence/acme~api~pr-1.htm', bytes: 10, sha256: 'b'.repeat(64) });
    const derived = await rederiveExport(
      { manifest: `${JSON.stringify(manifest, null, 2)}\n`, selection: readFileSync(join(genuine, 'selection.json'), 'utf8') },
      { source: (toSeq) => sqliteSource(base.path, {}, { toSeq }), publicKeyPem: base.pem, keyId: keyIdOfPem(base.pem) },
    );
    expect(derived.ok, `differences: ${JSON.stringify(derived.differences)}; not re-derived: ${derived.notRederived.join(', ')}`).toBe(false);
  }, 30_000);

  // Attack: replace valid UTF-8 bytes of an NDJSON ledger (U+FFFD) with an invalid byte; the decoded text, hence the hash, is unchanged.
  it('verify refuses an NDJSON ledger whose bytes are not valid UTF-8', async () => {
    const l = await ledgerOf([changeEntry(1, '2026-01-03T12:00:00Z', { title: 'Fix \uFFFD rendering' }), ...FIVE().slice(1)]);
    const file = join(work, 'invalid-utf8.ndjson');
    expect((await cli(['ledger-export', '--ledger', l.path, '--out', file])).code).toBe(0);
    const bytes = readFileSync(file);
    const at = bytes.indexOf(Buffer.from('\uFFFD', 'utf8'));
    expect(at).toBeGreaterThan(0);
    writeFileSync(file, Buffer.concat([bytes.subarray(0, at), Buffer.from([0xff]), bytes.subarray(at + 3)]));
    const r = await cli(['verify', '--ledger', file, '--public-key', publicKeyFile(l.path)]);
    expect(r.code, r.out).toBe(1);
  });

  // Attack: a second, wrong SHA256SUMS line for population.csv; `sha256sum -c` fails on it, verify-export says every line matches.
  it('verify-export refuses a SHA256SUMS that sha256sum -c would fail (a duplicate, wrong line)', async () => {
    const d = copyOf('sums-duplicate');
    const sums = readFileSync(join(d, 'SHA256SUMS'), 'utf8');
    writeFileSync(join(d, 'SHA256SUMS'), `${'0'.repeat(64)}  population.csv\n${sums}`);
    const report = await verifyExport(d, { publicKeyPem: base.pem });
    expect(report.status, JSON.stringify(report.checks.find((c) => c.name === 'SHA256SUMS'))).toBe('tampered');
  });

  // Attack: a ledger forged from scratch without the key, with no checkpoint at all, passes `verify --public-key` as intact (exit 0).
  it('verify does not call a ledger that no checkpoint signs "intact, signatures verified"', async () => {
    const chain = new EntryChain({ start: '2026-01-05T09:00:00.000Z' });
    chain.append('change', REPO, 'pull/1', { forged: true });
    chain.append('change', REPO, 'pull/2', { forged: true });
    const file = join(work, 'forged.ndjson');
    writeFileSync(file, `${chain.entries.map((e) => canonicalJson(e)).join('\n')}\n`);
    const r = await cli(['verify', '--ledger', file, '--public-key', publicKeyFile(base.path)]);
    expect(r.code, r.out).not.toBe(0);
  });

  // Attack: rewrite an entry after the last checkpoint and re-hash the tail (file access, no key); the app's next checkpoint signs the forged head.
  it('the ledger signs no checkpoint over entries rewritten since the last one', async () => {
    const dir = join(work, 'launder');
    mkdirSync(dir);
    const path = join(dir, 'ledger.db');
    let t = Date.parse('2025-12-01T00:00:00Z');
    const ledger = SqliteLedger.open(path, { clock: () => new Date((t += 1000)), synchronous: 'NORMAL' });
    await ledger.append(FIVE().slice(0, 2));
    await ledger.checkpoint();
    const unreviewed = (await ledger.append(changeEntry(9, '2026-01-20T12:00:00Z', { unreviewed: true }))).entries[0]!;
    expect((unreviewed.data as unknown as ChangeRecord).verdict.outcome).not.toBe('compliant');
    // The attacker flips the verdict and re-hashes the unsigned tail (rewriteLedger: raw UPDATEs, no key).
    rewriteLedger(path, { seq: unreviewed.seq, entry: (e) => {
      const data = e.data as unknown as ChangeRecord;
      return { ...e, data: { ...data, exception: false, verdict: { ...data.verdict, outcome: 'compliant' } } };
    } });
    // The app goes on: its next checkpoint (here, on close) reads the head from the file.
    await ledger.checkpoint().catch(() => null);
    await ledger.close().catch(() => undefined);
    const v = await cli(['verify', '--ledger', path, '--public-key', publicKeyFile(path), '--require-final-checkpoint']);
    const signed = latestCheckpointInFile(path)!;
    expect(signed.size, `a checkpoint signed by the ledger's key covers the forged seq ${unreviewed.seq}; verify: exit ${v.code}, ${v.out.split('\n')[0]}`).toBeLessThan(unreviewed.seq);
  });

  // Auditor: a genuine export drawn from the auditor's own list fails verify-export --ledger (and the app would refuse to sign it).
  it('verify-export --ledger accepts a genuine export made from the auditor\'s own selection list', async () => {
    const list = join(work, 'auditor-list.txt');
    writeFileSync(list, 'acme/api#1\nacme/api#4\n');
    const dir = join(work, 'auditor-list-export');
    const made = await cli(['export', '--ledger', base.path, '--from', '2026-01-01', '--to', '2026-03-31', '--out', dir, '--selection', list]);
    expect(made.code, made.err).toBe(0);
    expect((await verifyExport(dir, { publicKeyPem: base.pem })).ok).toBe(true);
    const report = await verifyExport(dir, { publicKeyPem: base.pem, ledger: (toSeq) => sqliteSource(base.path, {}, { toSeq }) });
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
  }, 30_000);

  // Attack (insider with the signing token, not the key): backdate generated_at so an overdue exception reads "open"; the app re-derives with that date and signs.
  it('the app refuses to sign an export dated other than when it signs it', async () => {
    const exception: ExceptionRecord = {
      type: 'emergency_change', subject: 'pull/3', reason: 'Merged by @carol with the emergency label and 0 of 1 approval', outcome: 'emergency',
      occurredAt: '2026-01-09T12:00:00Z', deadline: '2026-01-11T12:00:00Z', url: `https://github.com/${REPO}/pull/3`, actor: 'carol',
      trigger: { event: 'pull_request', action: 'closed', deliveryId: 'd-3', sender: 'carol' },
    };
    const l = await ledgerOf([...FIVE(), { kind: 'exception', repo: REPO, subject: 'pull/3', data: exception as unknown as EntryInput['data'] }]);
    const dir = join(work, 'backdated');
    const { runExport } = await import('../../src/export/export.js');
    const { keySigner } = await import('../../src/export/signature.js');
    const { periodFromDates } = await import('../../src/sampling/period.js');
    const made = await runExport({
      source: sqliteSource(l.path), out: dir, period: periodFromDates('2026-01-01', '2026-03-31', 'UTC'), repos: null, seed: 'hostile',
      drawSeed: () => 'unused', sampleSize: { method: 'fixed', size: 2 }, strata: 'none', selection: null,
      signer: keySigner(readFileSync(l.path.replace(/ledger\.db$/, 'ledger-signing-key.pem'), 'utf8')), completeness: null,
      now: () => new Date('2026-01-10T00:00:00.000Z'), toolVersion: VERSION, parameters: {},
    });
    expect(made.exceptions.map((e) => e.status)).toEqual(['open']); // overdue since 2026-01-11, as the app's clock knows
    const derived = await rederiveExport(
      { manifest: readFileSync(join(dir, 'manifest.json'), 'utf8'), selection: readFileSync(join(dir, 'selection.json'), 'utf8') },
      { source: (toSeq) => sqliteSource(l.path, {}, { toSeq }), publicKeyPem: l.pem, keyId: keyIdOfPem(l.pem) },
    );
    expect(derived.ok, `generated_at ${made.manifest.generated_at}, signed now (${new Date().toISOString()}): differences ${JSON.stringify(derived.differences)}`).toBe(false);
  }, 30_000);

});
