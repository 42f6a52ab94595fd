import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { periodFromDates, type ObservationPeriod } from '../sampling/period.js';
import type { SampleSizeRule } from '../sampling/sample-size.js';
import type { Strata } from '../sampling/select-sample.js';
import { runExport } from './export.js';
import type { LedgerSource } from './ledger-source.js';
import { MANIFEST, SIGNATURE, SUMS, type Manifest, type ManifestFile } from './manifest.js';
import { SELECTION_FORMAT, type SelectionDocument } from './selection-file.js';
import { EXPORT_FORMAT, manifestDigest, type ExportSigner } from './signature.js';
import { VERIFIER_FILE } from './verifier-file.js';

/**
 * What an exporter asks the app to sign: the exact text of `manifest.json`
 * and of the `selection.json` it lists (the sample's ids and how they were
 * drawn are not in the manifest itself, only its hash).
 */
export interface ExportClaim {
  manifest: string;
  selection: string;
}

/** The app's own judgement of a claimed export, re-derived from its ledger. */
export interface Rederivation {
  ok: boolean;
  /** Hex SHA-256 of the manifest's bytes: what gets signed when `ok`. */
  manifestSha256: string;
  /** What differs between the claim and the app's own derivation, in words (empty when `ok`). */
  differences: string[];
  /** What was re-derived and found equal. */
  rederived: { fields: string[]; files: string[] };
  /** Files of the package the app cannot re-derive (they depend on GitHub, or are views of the others). */
  notRederived: string[];
  period: { from: string; to: string; timeZone: string } | null;
  repositories: string[] | 'all' | null;
  ledgerHead: { size: number; hash: string } | null;
}

/** A request that is not an export claim at all (not JSON, not a manifest): a 400, not a refusal. */
export class ExportClaimError extends Error {
  override name = 'ExportClaimError';
}

export interface RederiveDeps {
  /** The app's ledger, read up to `toSeq` (the head the export names). */
  source: (toSeq: number) => LedgerSource;
  /** The ledger's public key (PEM) and its id. */
  publicKeyPem: string;
  keyId: string;
}

/** Fields of the manifest the app re-derives and compares. */
const COMPARED_FIELDS = ['format', 'period', 'repositories', 'ledger.head', 'ledger.checkpoint', 'coverage', 'population', 'sample', 'exceptions', 'duplicate_records', 'signature.key_id'] as const;

/**
 * Files the app re-derives byte for byte (evidence pages too). The verifier
 * must be the app's own build: a package that carried a doctored verifier
 * could otherwise be signed, then tampered with and "verified" by it.
 */
const REDERIVED = new Set(['population.csv', 'sample.csv', 'exceptions.csv', 'selection.json', 'public-key.pem', VERIFIER_FILE]);
const isRederived = (path: string) => REDERIVED.has(path) || (path.startsWith('evidence/') && path.endsWith('.html'));

/**
 * Re-derives an export from the app's own ledger before the app signs it
 * (no signing oracle): the population, the sample and the exceptions of the
 * period, from the ledger up to the head the export names, drawn with the
 * seed and rule its selection records — the same code the exporter ran — and
 * compares them with the claim: the manifest's period, repositories, ledger
 * head and checkpoint, population (size, hash of the ids, counts), sample,
 * exceptions, and the bytes of population.csv, sample.csv, exceptions.csv,
 * selection.json, the public key, the standalone verifier and every
 * evidence page. Anything that differs is named; nothing is signed unless
 * everything agrees.
 *
 * Not re-derived (listed as such in the record): the files that need GitHub
 * (completeness.csv) and the views of the re-derived ones (report.html,
 * sample.xlsx).
 *
 * @example const r = await rederiveExport({ manifest, selection }, deps); if (r.ok) sign(r.manifestSha256);
 */
export async function rederiveExport(claim: ExportClaim, deps: RederiveDeps): Promise<Rederivation> {
  const manifestSha256 = manifestDigest(Buffer.from(claim.manifest, 'utf8'));
  const manifest = parseManifest(claim.manifest);
  const selection = parseSelection(claim.selection);
  const differences: string[] = [];
  const result = (ok: boolean, rederived: Rederivation['rederived'] = { fields: [], files: [] }): Rederivation => ({
    ok: ok && differences.length === 0,
    manifestSha256,
    differences,
    rederived,
    notRederived: manifest.files.map((f) => f.path).filter((p) => !isRederived(p)),
    period: manifest.period ? { from: manifest.period.from, to: manifest.period.to, timeZone: manifest.period.time_zone } : null,
    repositories: manifest.repositories ?? null,
    ledgerHead: manifest.ledger?.head ?? null,
  });

  // 1. The selection must be the one the manifest lists, and the key the app's.
  const listed = new Map(manifest.files.map((f) => [f.path, f]));
  const selectionSha = createHash('sha256').update(claim.selection, 'utf8').digest('hex');
  if (listed.get('selection.json')?.sha256 !== selectionSha) differences.push('selection.json is not the file the manifest lists (its SHA-256 differs)');
  if (manifest.signature?.key_id !== deps.keyId) differences.push(`the manifest names signing key ${manifest.signature?.key_id ?? 'none'}, not this ledger's key ${deps.keyId}`);
  if (differences.length) return result(false);

  // 2. The head the export was read up to must be a head of this ledger.
  const head = manifest.ledger?.head;
  if (!head || !Number.isSafeInteger(head.size) || head.size < 1 || typeof head.hash !== 'string') {
    throw new ExportClaimError('the manifest names no ledger head (ledger.head.size and .hash)');
  }
  const source = deps.source(head.size);
  try {
    const ours = await hashAt(source, head.size);
    if (ours === null) {
      differences.push(`the export was read from a ledger of ${head.size} entries; this ledger has fewer`);
      return result(false);
    }
    if (ours !== head.hash) {
      differences.push(`entry ${head.size} of this ledger has hash ${ours}, the export names ${head.hash}: it was not read from this ledger`);
      return result(false);
    }

    // 3. Derive the package ourselves, with the export's own parameters.
    const period = periodOf(manifest);
    const work = await mkdtemp(join(tmpdir(), 'changeproof-rederive-'));
    try {
      const out = join(work, 'package');
      const derived = await runExport({
        source,
        out,
        period,
        repos: manifest.repositories === 'all' ? null : [...manifest.repositories],
        seed: selection.seed,
        drawSeed: () => {
          throw new ExportClaimError('selection.json records no seed to re-draw with');
        },
        sampleSize: selection.method === 'auditor_list' ? { method: 'auto' } : (selection.sample_size.rule as SampleSizeRule),
        strata: selection.strata as Strata,
        selection: selection.method === 'auditor_list' ? { text: selection.ids.join('\n'), name: auditorListName(selection) } : null,
        signer: derivingSigner(deps),
        completeness: null,
        now: () => new Date(manifest.generated_at),
        toolVersion: manifest.tool.version,
        parameters: manifest.parameters ?? {},
        allowPartialCoverage: manifest.coverage?.partial_allowed ?? false,
      });
      const fields = compareFields(manifest, derived.manifest, differences);
      const files = compareFiles(manifest.files, derived.manifest.files, differences);
      return result(true, { fields, files });
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  } finally {
    await source.close();
  }
}

function compareFields(claimed: Manifest, derived: Manifest, differences: string[]): string[] {
  const same: string[] = [];
  for (const field of COMPARED_FIELDS) {
    const a = canonical(pick(claimed, field));
    const b = canonical(pick(derived, field));
    if (a === b) same.push(field);
    else differences.push(`${field}: the export says ${clip(a)}, this ledger gives ${clip(b)}`);
  }
  return same;
}

function compareFiles(claimed: ManifestFile[], derived: ManifestFile[], differences: string[]): string[] {
  const same: string[] = [];
  const ours = new Map(derived.filter((f) => isRederived(f.path)).map((f) => [f.path, f]));
  const theirs = new Map(claimed.filter((f) => isRederived(f.path)).map((f) => [f.path, f]));
  for (const [path, file] of ours) {
    const claim = theirs.get(path);
    if (!claim) differences.push(`${path} is missing from the export`);
    else if (claim.sha256 !== file.sha256) differences.push(`${path} differs from what this ledger gives (sha256 ${claim.sha256} in the export, ${file.sha256} here)`);
    else same.push(path);
  }
  for (const path of theirs.keys()) if (!ours.has(path)) differences.push(`${path} is in the export, but this ledger gives no such file`);
  return same;
}

/** The signer of the app's own derivation: it signs nothing (the derived package is compared, then discarded). */
function derivingSigner(deps: RederiveDeps): ExportSigner {
  return { keyId: deps.keyId, publicKeyPem: deps.publicKeyPem, sign: async () => '' };
}

async function hashAt(source: LedgerSource, seq: number): Promise<string | null> {
  if (source.parallel) {
    for (const stored of source.parallel.bySeq([seq])) return stored.hash;
    return null;
  }
  let last: string | null = null;
  let count = 0;
  for await (const stored of source.stored(seq)) {
    count += 1;
    last = stored.hash;
  }
  return count === seq ? last : null;
}

function periodOf(manifest: Manifest): ObservationPeriod {
  const p = manifest.period;
  try {
    return periodFromDates(p.from, p.to, p.time_zone, p.label);
  } catch (error) {
    throw new ExportClaimError(`the manifest's period cannot be read: ${(error as Error).message}`);
  }
}

/** Throws {@link ExportClaimError} unless the claim is a manifest and a selection (cheap: no ledger is read). */
export function checkClaim(claim: ExportClaim): void {
  parseManifest(claim.manifest);
  parseSelection(claim.selection);
}

function parseManifest(text: string): Manifest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ExportClaimError('manifest is not JSON: send the exact text of the export\'s manifest.json');
  }
  const m = value as Partial<Manifest> | null;
  if (!m || typeof m !== 'object' || m.format !== EXPORT_FORMAT || !Array.isArray(m.files) || !m.period || !m.tool || !m.ledger) {
    throw new ExportClaimError(`manifest is not a ${EXPORT_FORMAT} manifest.json`);
  }
  for (const f of m.files) {
    if (!f || typeof f.path !== 'string' || typeof f.sha256 !== 'string' || f.path === MANIFEST || f.path === SIGNATURE || f.path === SUMS) {
      throw new ExportClaimError('manifest lists a file it cannot list');
    }
  }
  return m as Manifest;
}

function parseSelection(text: string): SelectionDocument {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ExportClaimError('selection is not JSON: send the exact text of the export\'s selection.json');
  }
  const s = value as Partial<SelectionDocument> | null;
  if (!s || typeof s !== 'object' || s.format !== SELECTION_FORMAT || !Array.isArray(s.ids) || !s.sample_size || typeof s.method !== 'string') {
    throw new ExportClaimError(`selection is not a ${SELECTION_FORMAT} selection.json`);
  }
  return s as SelectionDocument;
}

/** The list's name as the export recorded it ("the auditor's own selection list (NAME): …"). */
function auditorListName(selection: SelectionDocument): string {
  return /^the auditor's own selection list \((.*)\): \d+ item\(s\)$/s.exec(selection.sample_size.derivation)?.[1] ?? 'selection';
}

function pick(manifest: Manifest, path: string): unknown {
  let v: unknown = manifest;
  for (const key of path.split('.')) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined;
  return v;
}

function canonical(value: unknown): string {
  return JSON.stringify(value === undefined ? null : sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]));
}

function clip(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
