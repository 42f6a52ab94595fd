import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse';
import { checkpointSignatureValid, parseSignedCheckpoint } from '../ledger/checkpoint.js';
import { keyIdOf, publicKeyFromPem } from '../ledger/signing-key.js';
import { sampleSize, type SampleSizeRule } from '../sampling/sample-size.js';
import { compareIds, SELECTION_ALGORITHM, SELECTION_ALGORITHM_V1, SELECTION_ALGORITHMS, selectSample, type SampleItem } from '../sampling/select-sample.js';
import { listFiles, MANIFEST, SIGNATURE, SUMS, type Manifest } from './manifest.js';
import { evidencePath } from './model.js';
import { populationHash, SELECTION_FORMAT, type SelectionDocument } from './selection-file.js';
import { sha256File } from './sha256-file.js';
import { EXPORT_FORMAT, exportSignatureValid } from './signature.js';

/**
 * `changeproof verify-export DIR` (SPEC §5.1): proves the files are the ones
 * the ledger key signed, and that the sample is the one the recorded seed
 * draws from the population in `population.csv`. Every check is reported;
 * a failing one names the file at fault.
 */
export interface ExportCheck {
  name: string;
  ok: boolean;
  /** The file at fault (or checked). */
  file: string | null;
  detail: string;
}

export interface VerifyExportReport {
  ok: boolean;
  checks: ExportCheck[];
  /** The key the manifest is signed with (compare it with the key the app publishes). */
  keyId: string | null;
  populationSize: number | null;
  sampleSize: number | null;
}

export interface VerifyExportOptions {
  /** A public key obtained independently (the app's `/api/changeproof/public-key`); default: the export's public-key.pem. */
  publicKeyPem?: string | null;
}

export async function verifyExport(dir: string, options: VerifyExportOptions = {}): Promise<VerifyExportReport> {
  const checks: ExportCheck[] = [];
  const report = (name: string, ok: boolean, file: string | null, detail: string) => {
    checks.push({ name, ok, file, detail });
    return ok;
  };
  const done = (keyId: string | null, populationSize: number | null = null, sampleSizeFound: number | null = null): VerifyExportReport =>
    ({ ok: checks.every((c) => c.ok), checks, keyId, populationSize, sampleSize: sampleSizeFound });

  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    report('export directory', false, dir, `${dir} is not a directory`);
    return done(null);
  }
  // 1. the manifest and its signature
  let manifestBytes: Buffer;
  let manifest: Manifest;
  try {
    manifestBytes = readFileSync(join(dir, MANIFEST));
    manifest = JSON.parse(manifestBytes.toString('utf8')) as Manifest;
  } catch (error) {
    report('manifest', false, MANIFEST, `cannot read ${MANIFEST}: ${(error as Error).message}`);
    return done(null);
  }
  if (!report('manifest format', manifest.format === EXPORT_FORMAT && Array.isArray(manifest.files), MANIFEST,
    manifest.format === EXPORT_FORMAT ? `format ${EXPORT_FORMAT}` : `unknown format ${JSON.stringify(manifest.format)}`)) return done(null);

  let keyPem = options.publicKeyPem ?? null;
  const keyFile = manifest.signature?.public_key ?? 'public-key.pem';
  if (!keyPem) {
    try {
      keyPem = readFileSync(join(dir, keyFile), 'utf8');
    } catch {
      report('public key', false, keyFile, `no public key: ${keyFile} is missing and none was given (--public-key)`);
      return done(null);
    }
  }
  let publicKey;
  try {
    publicKey = publicKeyFromPem(keyPem);
  } catch (error) {
    report('public key', false, options.publicKeyPem ? '--public-key' : keyFile, `not an Ed25519 public key: ${(error as Error).message}`);
    return done(null);
  }
  const keyId = keyIdOf(publicKey);
  report('signing key', manifest.signature?.key_id === keyId, MANIFEST,
    manifest.signature?.key_id === keyId
      ? `signed by key ${keyId}${options.publicKeyPem ? ' (the key given)' : ` (from ${keyFile}: compare it with the key the app publishes)`}`
      : `the manifest names key ${manifest.signature?.key_id ?? 'none'}, the public key is ${keyId}`);
  let signature = '';
  try {
    signature = readFileSync(join(dir, SIGNATURE), 'utf8');
  } catch {
    /* reported below */
  }
  const signed = signature !== '' && exportSignatureValid(publicKey, manifestBytes, signature);
  report('signature', signed, SIGNATURE,
    signature === '' ? `${SIGNATURE} is missing` : signed
      ? `valid Ed25519 signature over ${MANIFEST}` : `the signature does not match ${MANIFEST} and the public key: the manifest was changed or signed by another key`);

  // 2. every file: in the manifest, unchanged, nothing added (each hashed once, for the manifest and SHA256SUMS alike)
  const present = listFiles(dir);
  const hashes = new Map<string, Promise<string>>();
  const hashOf = (path: string) => {
    let hash = hashes.get(path);
    if (!hash) hashes.set(path, (hash = sha256File(join(dir, path))));
    return hash;
  };
  const listed = new Map(manifest.files.map((f) => [f.path, f]));
  for (const file of manifest.files) {
    const path = join(dir, file.path);
    if (!existsSync(path)) {
      report('file present', false, file.path, `${file.path} is listed in the manifest but missing`);
      continue;
    }
    const sha = await hashOf(file.path);
    report('file hash', sha === file.sha256, file.path, sha === file.sha256 ? `sha256 ${sha}` : `${file.path} was changed: sha256 ${sha}, the manifest says ${file.sha256}`);
  }
  for (const path of present) {
    if (!listed.has(path) && path !== MANIFEST && path !== SIGNATURE && path !== SUMS) {
      report('no extra file', false, path, `${path} is not in the manifest: it was added after the export`);
    }
  }
  await checkSums(dir, present, hashOf, report);

  // 3. the ledger checkpoint the export was made against
  const checkpoint = manifest.ledger?.checkpoint ? parseSignedCheckpoint(manifest.ledger.checkpoint) : null;
  if (manifest.ledger?.checkpoint) {
    const ok = checkpoint !== null && checkpoint.key_id === keyId && checkpointSignatureValid(publicKey, checkpoint);
    report('ledger checkpoint', ok, MANIFEST, ok
      ? `checkpoint at size ${checkpoint!.size}, head ${checkpoint!.head_hash}, ${checkpoint!.time}, signed by the same key`
      : 'the ledger checkpoint recorded in the manifest is not validly signed by this key');
  }

  // 4. the population and the sample, re-drawn
  let selection: SelectionDocument;
  try {
    selection = JSON.parse(readFileSync(join(dir, 'selection.json'), 'utf8')) as SelectionDocument;
  } catch (error) {
    report('selection', false, 'selection.json', `cannot read selection.json: ${(error as Error).message}`);
    return done(keyId);
  }
  if (!report('selection format', selection.format === SELECTION_FORMAT, 'selection.json', `format ${JSON.stringify(selection.format)}`)) return done(keyId);
  let items: SampleItem[];
  try {
    items = await readColumns(join(dir, 'population.csv'));
  } catch (error) {
    report('population', false, 'population.csv', `cannot read population.csv: ${(error as Error).message}`);
    return done(keyId);
  }
  const ids = items.map((i) => i.id).sort(compareIds);
  const hash = populationHash(ids);
  report('population size', ids.length === selection.population.size && ids.length === manifest.population?.size, 'population.csv',
    `${ids.length} row(s); selection.json says ${selection.population.size}, the manifest ${manifest.population?.size}`);
  report('population hash', hash === selection.population.hash.value, 'population.csv',
    hash === selection.population.hash.value ? `sha256 of the sorted ids ${hash}` : `the ids hash to ${hash}, selection.json says ${selection.population.hash.value}`);
  report('population ids unique', new Set(ids).size === ids.length, 'population.csv', `${new Set(ids).size} distinct of ${ids.length}`);

  if (selection.method === 'auditor_list') {
    const known = new Set(ids);
    const unknown = selection.ids.filter((id) => !known.has(id));
    report('auditor selection', unknown.length === 0, 'selection.json',
      unknown.length ? `ids not in the population: ${unknown.slice(0, 5).join(', ')}` : `${selection.ids.length} id(s) chosen by the auditor, all in the population`);
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
        `the rule gives ${expected.ruleSize}${expected.raised ? `, raised to ${expected.size} (${expected.raised.reason}: ${expected.raised.strata} strata)` : ''} for ${ids.length} item(s) in ${selection.population.period.days} days; ` +
        `selection.json has ${selection.ids.length}${sameRaise ? '' : `, raised ${JSON.stringify(recorded)}`}${sameAllocation ? '' : ' and another allocation'}`);
    }
    if (typeof selection.seed !== 'string') {
      report('re-draw', false, 'selection.json', 'no seed recorded');
    } else {
      const redrawn = selectSample(items, selection.sample_size.size, selection.seed, selection.strata, SELECTION_ALGORITHMS.includes(selection.algorithm) ? selection.algorithm : SELECTION_ALGORITHM);
      const same = redrawn.ids.length === selection.ids.length && redrawn.ids.every((id, i) => id === selection.ids[i]);
      report('re-draw', same, 'selection.json', same
        ? `the seed ${JSON.stringify(selection.seed)} re-draws the same ${redrawn.ids.length} id(s) (${redrawn.prng}, ${redrawn.algorithm}, strata ${redrawn.strata})`
        : `the seed ${JSON.stringify(selection.seed)} draws ${describeDifference(redrawn.ids, selection.ids)}: selection.json is not the sample this seed gives`);
      report('generator', selection.prng === redrawn.prng && selection.algorithm === redrawn.algorithm, 'selection.json',
        `${selection.prng} / ${selection.algorithm} (this verifier: ${redrawn.prng} / ${redrawn.algorithm})`);
    }
  }
  let sampleIds: string[] = [];
  try {
    sampleIds = (await readColumns(join(dir, 'sample.csv'))).map((i) => i.id);
  } catch (error) {
    report('sample', false, 'sample.csv', `cannot read sample.csv: ${(error as Error).message}`);
  }
  const sameSample = sampleIds.length === selection.ids.length && [...sampleIds].sort(compareIds).every((id, i) => id === selection.ids[i]);
  report('sample rows', sameSample, 'sample.csv', sameSample ? `${sampleIds.length} row(s), the ids of selection.json` : `sample.csv holds ${describeDifference(sampleIds, selection.ids)}`);
  const missingEvidence = selection.ids.filter((id) => !existsSync(join(dir, evidencePath(id))));
  report('evidence pages', missingEvidence.length === 0, missingEvidence.length ? evidencePath(missingEvidence[0]!) : 'evidence/',
    missingEvidence.length ? `no evidence page for ${missingEvidence.slice(0, 5).join(', ')}` : `one page per sampled item (${selection.ids.length})`);
  return done(keyId, ids.length, selection.ids.length);
}

async function checkSums(
  dir: string,
  present: string[],
  hashOf: (path: string) => Promise<string>,
  report: (n: string, ok: boolean, f: string | null, d: string) => boolean,
): Promise<void> {
  let text: string;
  try {
    text = readFileSync(join(dir, SUMS), 'utf8');
  } catch {
    report('SHA256SUMS', false, SUMS, `${SUMS} is missing`);
    return;
  }
  const sums = new Map<string, string>();
  for (const line of text.split('\n').filter(Boolean)) {
    const m = line.match(/^([0-9a-f]{64}) [ *](.+)$/);
    if (!m) {
      report('SHA256SUMS', false, SUMS, `malformed line: ${line.slice(0, 80)}`);
      return;
    }
    sums.set(m[2]!, m[1]!);
  }
  let ok = true;
  for (const path of present.filter((p) => p !== SUMS)) {
    const expected = sums.get(path);
    if (expected === undefined) continue; // reported as an extra file already, or the manifest itself below
    if ((await hashOf(path)) !== expected) ok = report('SHA256SUMS', false, path, `${path} does not match its line in ${SUMS}`);
  }
  for (const path of sums.keys()) if (!present.includes(path)) ok = report('SHA256SUMS', false, path, `${path} is in ${SUMS} but missing`);
  for (const path of [MANIFEST, SIGNATURE]) if (!sums.has(path)) ok = report('SHA256SUMS', false, SUMS, `${SUMS} has no line for ${path}`);
  if (ok) report('SHA256SUMS', true, SUMS, `${sums.size} file(s) match (sha256sum -c ${SUMS})`);
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
  return `${actual.length} id(s); not in selection.json: ${extra.slice(0, 3).join(', ') || 'none'}; missing: ${missing.slice(0, 3).join(', ') || 'none'}`;
}
