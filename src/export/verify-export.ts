import { createHash, type KeyObject } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, open, stat } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { parse } from 'csv-parse';
import { checkpointSignatureValid, parseSignedCheckpoint } from '../ledger/checkpoint.js';
import { keyIdOf, publicKeyFromPem } from '../ledger/signing-key.js';
import { sampleSize, type SampleSizeRule } from '../sampling/sample-size.js';
import { compareIds, SELECTION_ALGORITHM, SELECTION_ALGORITHM_V1, SELECTION_ALGORITHMS, selectSample, type SampleItem } from '../sampling/select-sample.js';
import type { LedgerSource } from './ledger-source.js';
import { listFiles, MANIFEST, SIGNATURE, SUMS, type Manifest, type ManifestFile } from './manifest.js';
import { evidencePath } from './model.js';
import { populationHash, SELECTION_FORMAT, type SelectionDocument } from './selection-file.js';
import { EXPORT_FORMAT, exportSignatureValid } from './signature.js';
import { plural } from '../core/format.js';

/**
 * `changeproof verify-export DIR`: proves the files are the ones the ledger
 * key signed, and that the sample is the one the recorded seed draws from
 * the population in `population.csv`. Every check is reported; a failing one
 * names the file at fault.
 *
 * Trust comes from outside the package: signatures are judged only against a
 * key the auditor gives (`publicKeyPem`, or `keyId` — then the package's
 * public key must have that id). A key found inside the package proves
 * nothing by itself: without one given, the files are still checked against
 * each other, and the result is "signatures unverified".
 *
 * The package is treated as hostile: a bad signature stops the verification
 * before any other file is read; a manifest path that is absolute, holds `..`,
 * or names a symbolic link or anything but a regular file is refused without
 * being opened; and no file is read beyond the size the manifest declares.
 */
export interface ExportCheck {
  name: string;
  ok: boolean;
  /** True when the check could not be made (no key given): not a failure, not a pass. */
  skipped?: boolean;
  /** The file at fault (or checked). */
  file: string | null;
  detail: string;
}

/** `intact`: every check passed, signatures against the key given; `tampered`: a check failed; `unverified`: nothing failed, but no key was given. */
export type VerifyExportStatus = 'intact' | 'tampered' | 'unverified';

export interface VerifyExportReport {
  ok: boolean;
  status: VerifyExportStatus;
  checks: ExportCheck[];
  /** The key the signatures were judged against; null when none was given. */
  keyId: string | null;
  /** Where that key came from. */
  keySource: 'public-key' | 'key-id' | null;
  populationSize: number | null;
  sampleSize: number | null;
}

export interface VerifyExportOptions {
  /** The ledger's public key as the auditor obtained it (PEM), e.g. from the app's `/api/changeproof/public-key`. */
  publicKeyPem?: string | null;
  /** Or the key's id (64 hex, SHA-256 of its SPKI DER) as the auditor obtained it: the package's key must have it. */
  keyId?: string | null;
  /** Re-derive the population and sample from this ledger (read up to the head the export names) and compare. */
  ledger?: ((toSeq: number) => LedgerSource) | null;
}

/** A verification that cannot start (no such directory): a usage error, not a verdict on a package. */
export class VerifyExportUsageError extends Error {
  override name = 'VerifyExportUsageError';
}

/** Never read more than this of the manifest, SHA256SUMS or selection.json, whatever they claim. */
const MAX_SMALL_FILE = 64 * 1024 * 1024;

export async function verifyExport(dir: string, options: VerifyExportOptions = {}): Promise<VerifyExportReport> {
  const checks: ExportCheck[] = [];
  const report = (name: string, ok: boolean, file: string | null, detail: string) => {
    checks.push({ name, ok, file, detail });
    return ok;
  };
  let key: { publicKey: KeyObject; keyId: string; source: 'public-key' | 'key-id' } | null = null;
  const done = (populationSize: number | null = null, sampleSizeFound: number | null = null): VerifyExportReport => {
    const failed = checks.some((c) => !c.ok);
    const status: VerifyExportStatus = failed ? 'tampered' : key ? 'intact' : 'unverified';
    return { ok: status === 'intact', status, checks, keyId: key?.keyId ?? null, keySource: key?.source ?? null, populationSize, sampleSize: sampleSizeFound };
  };

  const dirStat = await stat(dir).catch(() => null);
  if (!dirStat?.isDirectory()) throw new VerifyExportUsageError(`${dir} is not a directory`);
  const reader = new PackageReader(dir);

  // 1. the manifest
  let manifestBytes: Buffer;
  let manifest: Manifest;
  try {
    manifestBytes = await reader.read(MANIFEST, MAX_SMALL_FILE);
    manifest = JSON.parse(manifestBytes.toString('utf8')) as Manifest;
  } catch (error) {
    report('manifest', false, MANIFEST, `cannot read ${MANIFEST}: ${(error as Error).message}`);
    return done();
  }
  if (!report('manifest format', manifest.format === EXPORT_FORMAT && Array.isArray(manifest.files), MANIFEST,
    manifest.format === EXPORT_FORMAT ? `format ${EXPORT_FORMAT}` : `unknown format ${JSON.stringify(manifest.format)}`)) return done();

  // 2. the key, from the auditor; then the signature — a bad one stops everything.
  try {
    key = await auditorKey(options, manifest, reader);
  } catch (error) {
    report('public key', false, options.publicKeyPem ? '--public-key' : 'public-key.pem', (error as Error).message);
    return done();
  }
  let signature = '';
  try {
    signature = (await reader.read(SIGNATURE, 4096)).toString('utf8');
  } catch {
    /* reported below */
  }
  if (key) {
    if (!report('signing key', manifest.signature?.key_id === key.keyId, MANIFEST,
      manifest.signature?.key_id === key.keyId ? `signed by key ${key.keyId} (${key.source === 'public-key' ? 'the key given' : 'the package\'s key, with the id given'})` : `the manifest names key ${manifest.signature?.key_id ?? 'none'}, the key given is ${key.keyId}`)) return done();
    const signed = signature !== '' && exportSignatureValid(key.publicKey, manifestBytes, signature);
    if (!report('signature', signed, SIGNATURE,
      signature === '' ? `${SIGNATURE} is missing or unreadable` : signed
        ? `valid Ed25519 signature over ${MANIFEST}` : `the signature does not match ${MANIFEST} and the key given: the manifest was changed or signed by another key; nothing else was read`)) return done();
  } else {
    checks.push({ name: 'signature', ok: true, skipped: true, file: SIGNATURE,
      detail: 'NOT verified: no key was given. Pass the ledger\'s public key (--public-key FILE, from the app or the ledger\'s owner) or its id (--key-id HEX); a key inside the package proves nothing by itself' });
  }

  // 3. every file: a safe path, in the manifest, unchanged, nothing added (each hashed once, for the manifest and SHA256SUMS alike)
  const listed = new Map(manifest.files.map((f) => [f.path, f]));
  const verified = new Set<string>();
  for (const file of manifest.files) {
    const problem = await reader.refuse(file);
    if (problem) {
      report(problem.check, false, String(file.path).slice(0, 200), problem.detail);
      continue;
    }
    const sha = await reader.hash(file.path, file.bytes);
    if (sha === null) {
      report('file present', false, file.path, `${file.path} is listed in the manifest but missing`);
      continue;
    }
    if (report('file hash', sha === file.sha256, file.path, sha === file.sha256 ? `sha256 ${sha}` : `${file.path} was changed: sha256 ${sha}, the manifest says ${file.sha256}`)) verified.add(file.path);
  }
  const present = listFiles(dir);
  for (const path of present) {
    if (!listed.has(path) && path !== MANIFEST && path !== SIGNATURE && path !== SUMS) {
      report('no extra file', false, path, `${path} is not in the manifest: it was added after the export`);
    }
  }
  await checkSums(reader, present, manifestBytes, signature, listed, report);

  // 4. the ledger checkpoint the export was made against
  const checkpoint = manifest.ledger?.checkpoint ? parseSignedCheckpoint(manifest.ledger.checkpoint) : null;
  if (manifest.ledger?.checkpoint && key) {
    const ok = checkpoint !== null && checkpoint.key_id === key.keyId && checkpointSignatureValid(key.publicKey, checkpoint);
    report('ledger checkpoint', ok, MANIFEST, ok
      ? `checkpoint at size ${checkpoint!.size}, head ${checkpoint!.head_hash}, ${checkpoint!.time}, signed by the same key`
      : 'the ledger checkpoint recorded in the manifest is not validly signed by the key given');
  }

  // 5. the population and the sample, re-drawn — from files whose hashes were verified, never others
  const usable = (path: string) => verified.has(path) || !report(path === 'selection.json' ? 'selection' : 'population', false, path, `${path} is not a verified file of the package: not read`);
  if (!usable('selection.json') || !usable('population.csv')) return done();
  let selectionText: string;
  let selection: SelectionDocument;
  try {
    selectionText = (await reader.read('selection.json', listed.get('selection.json')!.bytes)).toString('utf8');
    selection = JSON.parse(selectionText) as SelectionDocument;
  } catch (error) {
    report('selection', false, 'selection.json', `cannot read selection.json: ${(error as Error).message}`);
    return done();
  }
  if (!report('selection format', selection.format === SELECTION_FORMAT, 'selection.json', `format ${JSON.stringify(selection.format)}`)) return done();
  let items: SampleItem[];
  try {
    items = await readColumns(join(dir, 'population.csv'));
  } catch (error) {
    report('population', false, 'population.csv', `cannot read population.csv: ${(error as Error).message}`);
    return done();
  }
  const ids = items.map((i) => i.id).sort(compareIds);
  const hash = populationHash(ids);
  report('population size', ids.length === selection.population.size && ids.length === manifest.population?.size, 'population.csv',
    `${plural(ids.length, 'row')}; selection.json says ${selection.population.size}, the manifest ${manifest.population?.size}`);
  report('population hash', hash === selection.population.hash.value, 'population.csv',
    hash === selection.population.hash.value ? `sha256 of the sorted ids ${hash}` : `the ids hash to ${hash}, selection.json says ${selection.population.hash.value}`);
  report('population ids unique', new Set(ids).size === ids.length, 'population.csv', `${new Set(ids).size} distinct of ${ids.length}`);

  if (selection.method === 'auditor_list') {
    const known = new Set(ids);
    const unknown = selection.ids.filter((id) => !known.has(id));
    report('auditor selection', unknown.length === 0, 'selection.json',
      unknown.length ? `ids not in the population: ${unknown.slice(0, 5).join(', ')}` : `${plural(selection.ids.length, 'id')} chosen by the auditor, all in the population`);
  } else {
    const rule = selection.sample_size.rule as SampleSizeRule;
    let expected: ReturnType<typeof sampleSize> | null = null;
    try {
      // the rule's n, raised to one per stratum for a stratified draw: exactly as the export took it (SPEC §6.5)
      expected = sampleSize(rule, ids.length, selection.population.period.days, { strata: selection.strata, items });
    } catch (error) {
      report('sample size', false, 'selection.json', `the size rule cannot be applied: ${(error as Error).message}`);
    }
    if (expected !== null) {
      const recorded = selection.sample_size.raised; // absent from files written before it was recorded
      const sameRaise = recorded === undefined || ((recorded?.from ?? null) === (expected.raised?.from ?? null) && (recorded?.to ?? null) === (expected.raised?.to ?? null));
      // A v1 package's allocation is v1's: its re-draw below checks it.
      const a = selection.algorithm === SELECTION_ALGORITHM_V1 ? null : expected.allocation;
      const sameAllocation = a === null || (selection.allocation.length === a.length &&
        a.every((x, i) => x.stratum === selection.allocation[i]?.stratum && x.population === selection.allocation[i]?.population && x.sample === selection.allocation[i]?.sample));
      report('sample size', expected.size === selection.sample_size.size && expected.size === selection.ids.length && sameRaise && sameAllocation, 'selection.json',
        `the rule gives ${expected.ruleSize}${expected.raised ? `, raised to ${expected.size} (${expected.raised.reason}: ${expected.raised.strata} strata)` : ''} for ${plural(ids.length, 'item')} in ${plural(selection.population.period.days, 'day')}; ` +
        `selection.json has ${selection.ids.length}${sameRaise ? '' : `, raised ${JSON.stringify(recorded)}`}${sameAllocation ? '' : ' and another allocation'}`);
    }
    if (typeof selection.seed !== 'string') {
      report('re-draw', false, 'selection.json', 'no seed recorded');
    } else {
      const redrawn = selectSample(items, selection.sample_size.size, selection.seed, selection.strata, SELECTION_ALGORITHMS.includes(selection.algorithm) ? selection.algorithm : SELECTION_ALGORITHM);
      const same = redrawn.ids.length === selection.ids.length && redrawn.ids.every((id, i) => id === selection.ids[i]);
      report('re-draw', same, 'selection.json', same
        ? `the seed ${JSON.stringify(selection.seed)} re-draws the same ${plural(redrawn.ids.length, 'id')} (${redrawn.prng}, ${redrawn.algorithm}, strata ${redrawn.strata})`
        : `the seed ${JSON.stringify(selection.seed)} draws ${describeDifference(redrawn.ids, selection.ids)}: selection.json is not the sample this seed gives`);
      report('generator', selection.prng === redrawn.prng && selection.algorithm === redrawn.algorithm, 'selection.json',
        `${selection.prng} / ${selection.algorithm} (this verifier: ${redrawn.prng} / ${redrawn.algorithm})`);
    }
  }
  let sampleIds: string[] = [];
  if (verified.has('sample.csv')) {
    try {
      sampleIds = (await readColumns(join(dir, 'sample.csv'))).map((i) => i.id);
    } catch (error) {
      report('sample', false, 'sample.csv', `cannot read sample.csv: ${(error as Error).message}`);
    }
  }
  const sameSample = sampleIds.length === selection.ids.length && [...sampleIds].sort(compareIds).every((id, i) => id === selection.ids[i]);
  report('sample rows', sameSample, 'sample.csv', sameSample ? `${plural(sampleIds.length, 'row')}, the ids of selection.json` : `sample.csv holds ${describeDifference(sampleIds, selection.ids)}`);
  const missingEvidence = selection.ids.filter((id) => !verified.has(evidencePath(id)));
  report('evidence pages', missingEvidence.length === 0, missingEvidence.length ? evidencePath(missingEvidence[0]!) : 'evidence/',
    missingEvidence.length ? `no verified evidence page for ${missingEvidence.slice(0, 5).join(', ')}` : `one page per sampled item (${selection.ids.length})`);

  // 6. with the ledger: the population and sample re-derived from it, independently of the manifest
  if (options.ledger && key) await rederiveFromLedger(options.ledger, manifestBytes.toString('utf8'), selectionText, key, report);
  return done(ids.length, selection.ids.length);
}

async function rederiveFromLedger(
  ledger: (toSeq: number) => LedgerSource,
  manifest: string,
  selection: string,
  key: { publicKey: KeyObject; keyId: string },
  report: (n: string, ok: boolean, f: string | null, d: string) => boolean,
): Promise<void> {
  // Loaded only when asked for: re-deriving runs the whole export (the standalone verifier leaves it out).
  const { ExportClaimError, rederiveExport } = await import('./rederive.js');
  try {
    // No date check (clock: null): the auditor judges a package made earlier as of its own date; only signing requires "made now".
    const derived = await rederiveExport({ manifest, selection }, { source: ledger, publicKeyPem: key.publicKey.export({ type: 'spki', format: 'pem' }).toString(), keyId: key.keyId, clock: null });
    if (derived.ok) {
      const pages = derived.rederived.files.filter((f) => f.startsWith('evidence/')).length;
      const files = [...derived.rederived.files.filter((f) => !f.startsWith('evidence/')), plural(pages, 'evidence page')];
      report('ledger re-derivation', true, null, `the ledger gives the same ${derived.rederived.fields.join(', ')}, and the same ${files.join(', ')}; not re-derived: ${derived.notRederived.join(', ') || 'nothing'}`);
    } else {
      for (const difference of derived.differences) report('ledger re-derivation', false, /^([\w./~@-]+\.(csv|json|html|pem|mjs))\b/.exec(difference)?.[1] ?? null, difference);
    }
  } catch (error) {
    report('ledger re-derivation', false, null, error instanceof ExportClaimError ? error.message : `the ledger cannot give this export: ${(error as Error).message}`);
  }
}

/** Where every package keeps its public key; the only key file verify-export ever opens. */
const PUBLIC_KEY_FILE = 'public-key.pem';

/**
 * The key to judge signatures by: the one the auditor gave, or the package's
 * when its id is the one the auditor gave; null when neither. The manifest is
 * not verified yet: the path it names for the key is never opened — only the
 * package's own public-key.pem is, and a manifest naming another is refused.
 */
async function auditorKey(options: VerifyExportOptions, manifest: Manifest, reader: PackageReader): Promise<{ publicKey: KeyObject; keyId: string; source: 'public-key' | 'key-id' } | null> {
  if (options.publicKeyPem) {
    let publicKey: KeyObject;
    try {
      publicKey = publicKeyFromPem(options.publicKeyPem);
    } catch (error) {
      throw new Error(`the key given is not an Ed25519 public key: ${(error as Error).message}`);
    }
    const keyId = keyIdOf(publicKey);
    if (options.keyId && options.keyId !== keyId) throw new Error(`the key given has id ${keyId}, not the id given ${options.keyId}`);
    return { publicKey, keyId, source: 'public-key' };
  }
  if (!options.keyId) return null;
  const named = manifest.signature?.public_key ?? PUBLIC_KEY_FILE;
  if (named !== PUBLIC_KEY_FILE) {
    throw new Error(`the manifest names its public key ${JSON.stringify(String(named).slice(0, 200))}, not ${PUBLIC_KEY_FILE}: refused, not opened`);
  }
  const path = PUBLIC_KEY_FILE;
  let pem: string;
  try {
    pem = (await reader.read(path, 16 * 1024)).toString('utf8');
  } catch (error) {
    throw new Error(`the package has no readable public key (${path}: ${(error as Error).message}) to match the id given; pass --public-key`);
  }
  const publicKey = publicKeyFromPem(pem);
  const keyId = keyIdOf(publicKey);
  if (keyId !== options.keyId) throw new Error(`the package's public key has id ${keyId}, not the id given ${options.keyId}: it was signed with another key`);
  return { publicKey, keyId, source: 'key-id' };
}

type FileProblem = { check: 'file path' | 'file size'; detail: string };
const pathProblem = (detail: string): FileProblem => ({ check: 'file path', detail });

/**
 * Reads a package as hostile input: only regular files reached through no
 * symbolic link, inside the directory, never beyond the size given.
 */
class PackageReader {
  constructor(private readonly dir: string) {}

  /** Why a manifest entry must not be opened, or null when it may. */
  async refuse(file: ManifestFile): Promise<FileProblem | null> {
    const path = file.path as unknown;
    if (typeof path !== 'string' || path === '') return pathProblem('a manifest entry has no path');
    if (isAbsolute(path) || path.startsWith('/') || /^[A-Za-z]:/.test(path)) return pathProblem(`the manifest names an absolute path (${path}): refused, not opened`);
    if (path.includes('\\') || path.includes('\0')) return pathProblem(`the manifest names a path with a backslash or NUL (${JSON.stringify(path)}): refused, not opened`);
    const segments = path.split('/');
    if (segments.some((s) => s === '..')) return pathProblem(`the manifest names a path outside the package (${path}): refused, not opened`);
    if (segments.some((s) => s === '' || s === '.')) return pathProblem(`the manifest names a path that is not plain (${path}): refused, not opened`);
    if (!Number.isSafeInteger(file.bytes) || file.bytes < 0) return pathProblem(`the manifest gives ${path} no valid size: refused`);
    for (let i = 1; i <= segments.length; i++) {
      const info = await lstat(join(this.dir, ...segments.slice(0, i))).catch(() => null);
      if (!info) return null; // missing: reported as such by hash()
      if (info.isSymbolicLink()) return pathProblem(`${segments.slice(0, i).join('/')} is a symbolic link: refused, not followed`);
      if (i < segments.length && !info.isDirectory()) return pathProblem(`${segments.slice(0, i).join('/')} is not a directory`);
      if (i === segments.length && !info.isFile()) return pathProblem(`${path} is not a regular file (a device, socket, pipe or directory): refused, not read`);
      if (i === segments.length && info.size !== file.bytes) return { check: 'file size', detail: `${path} was changed: it is ${info.size} bytes, the manifest says ${file.bytes} (not read)` };
    }
    return null;
  }

  /** SHA-256 of exactly `bytes` bytes of a checked file; null when it is missing. */
  async hash(path: string, bytes: number): Promise<string | null> {
    const handle = await open(join(this.dir, path), 'r').catch(() => null);
    if (!handle) return null;
    try {
      const hash = createHash('sha256');
      const buffer = Buffer.alloc(Math.min(1 << 20, Math.max(1, bytes)));
      let done = 0;
      while (done < bytes) {
        const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, bytes - done), done);
        if (bytesRead === 0) break;
        hash.update(buffer.subarray(0, bytesRead));
        done += bytesRead;
      }
      return hash.digest('hex');
    } finally {
      await handle.close();
    }
  }

  /** A small regular file (not a link), at most `limit` bytes. */
  async read(path: string, limit: number): Promise<Buffer> {
    const info = await lstat(join(this.dir, path));
    if (info.isSymbolicLink()) throw new Error(`${path} is a symbolic link`);
    if (!info.isFile()) throw new Error(`${path} is not a regular file`);
    if (info.size > limit) throw new Error(`${path} is ${info.size} bytes, more than the ${limit} read`);
    const handle = await open(join(this.dir, path), 'r');
    try {
      const buffer = Buffer.alloc(info.size);
      const { bytesRead } = await handle.read(buffer, 0, info.size, 0);
      return buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  }
}

/**
 * SHA256SUMS (for `sha256sum -c`) must agree with the manifest: a line per
 * listed file with the manifest's hash (each file was hashed against it
 * already), and lines for the manifest and its signature. Whatever
 * `sha256sum -c` would fail is tampering: a line that does not match, a path
 * listed twice (even with the right hash), a malformed or blank line.
 */
async function checkSums(
  reader: PackageReader,
  present: string[],
  manifestBytes: Buffer,
  signature: string,
  listed: ReadonlyMap<string, ManifestFile>,
  report: (n: string, ok: boolean, f: string | null, d: string) => boolean,
): Promise<void> {
  let text: string;
  try {
    text = (await reader.read(SUMS, MAX_SMALL_FILE)).toString('utf8');
  } catch (error) {
    report('SHA256SUMS', false, SUMS, `${SUMS} is missing or unreadable: ${(error as Error).message}`);
    return;
  }
  const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');
  const expected = new Map<string, string>([...listed.values()].map((f) => [f.path, f.sha256]));
  expected.set(MANIFEST, sha256(manifestBytes));
  if (signature !== '') expected.set(SIGNATURE, sha256(signature));
  const sums = new Map<string, string>();
  let ok = true;
  // Every line is checked, as `sha256sum -c` does: none may fail. Only the final line end may be followed by nothing.
  const lines = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
  let failures = 0;
  const fail = (file: string, detail: string) => {
    failures += 1;
    ok = report('SHA256SUMS', false, file, detail);
  };
  for (const [i, line] of lines.entries()) {
    if (failures >= 20) {
      report('SHA256SUMS', false, SUMS, `and more: lines ${i + 1} to ${lines.length} were not checked`);
      return;
    }
    const m = line.match(/^([0-9a-f]{64}) [ *](.+)$/);
    if (!m) {
      fail(SUMS, `line ${i + 1} is malformed: ${JSON.stringify(line.slice(0, 80))}`);
      continue;
    }
    const [, sum, path] = m as unknown as [string, string, string];
    if (sums.has(path)) fail(path, `${path} is listed twice in ${SUMS} (line ${i + 1})${sum === expected.get(path) ? '' : ', with another hash'}`);
    else sums.set(path, sum);
    if (!expected.has(path)) fail(path, `${path} is in ${SUMS}, not in the manifest${present.includes(path) ? '' : ' (and missing)'}`);
    else if (expected.get(path) !== sum) fail(path, `${path} does not match its line ${i + 1} in ${SUMS}`);
  }
  for (const path of expected.keys()) if (!sums.has(path)) ok = report('SHA256SUMS', false, SUMS, `${SUMS} has no line for ${path}`);
  if (ok) report('SHA256SUMS', true, SUMS, `${plural(sums.size, 'file')} ${sums.size === 1 ? 'matches' : 'match'} (sha256sum -c ${SUMS})`);
}

/** `id`, `repo` and `month` of every row of a population-shaped CSV, streamed. */
async function readColumns(path: string): Promise<SampleItem[]> {
  const out: SampleItem[] = [];
  const parser = createReadStream(path).pipe(parse({ columns: true, bom: true }));
  for await (const row of parser as AsyncIterable<Record<string, string>>) {
    if (typeof row['id'] !== 'string' || typeof row['repo'] !== 'string' || typeof row['month'] !== 'string') {
      throw new Error('a row has no id, repo or month column');
    }
    out.push({ id: row['id'], repo: row['repo'], month: row['month'] });
  }
  return out;
}

function describeDifference(actual: string[], expected: string[]): string {
  const a = new Set(actual);
  const e = new Set(expected);
  const extra = actual.filter((id) => !e.has(id));
  const missing = expected.filter((id) => !a.has(id));
  return `${plural(actual.length, 'id')}; not in selection.json: ${extra.slice(0, 3).join(', ') || 'none'}; missing: ${missing.slice(0, 3).join(', ') || 'none'}`;
}
