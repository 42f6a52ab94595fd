import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePeriod, periodFromDates, type ObservationPeriod } from '../sampling/period.js';
import type { SampleSizeRule } from '../sampling/sample-size.js';
import type { Strata } from '../sampling/select-sample.js';
import { runExport, type CompletenessRunner } from './export.js';
import type { StoredEntry } from '../ledger/sqlite-reader.js';
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
  /**
   * When the app signs: its clock. The export's `generated_at` must then be
   * now (within {@link DATED_TOLERANCE}) and not before the ledger head's
   * time — an export dated earlier would be re-derived, and signed, as of that
   * date (an overdue exception read as "open"). Absent: the system clock, so
   * a caller that forgets it still gets the check. `null`: no date check —
   * only for an auditor re-deriving a package made earlier (`verify-export
   * --ledger`), which is judged as of its own date, never for signing.
   */
  clock?: (() => Date) | null;
  /**
   * The reconciliation with GitHub, run again as the export ran it (for the
   * repositories its completeness summary names, as of its own date): when
   * given, completeness.csv, the completeness summary and the workbook are
   * re-derived and compared too. The app gives it, through its installations;
   * an auditor re-deriving offline has none, and those stay as claimed.
   */
  completeness?: ((repos: readonly string[], now: () => Date) => CompletenessRunner) | null;
}

/**
 * How far the export's `generated_at` may be from the signing time.
 *
 * Behind: 30 minutes. The date is taken when the export starts and the app is
 * asked to sign when it ends, after reading the whole ledger (34 s for a
 * year of a million entries on the benchmark machine, longer through the
 * read API): 30 minutes leaves ample room for a slow or large export, while a
 * backdated export can hide an overdue exception for at most that long (the
 * deadlines are days).
 *
 * Ahead (and before the ledger head's time): 5 minutes, for the clock of the
 * machine that made the export running ahead of, or behind, the app's.
 */
export const DATED_TOLERANCE = { behindMs: 30 * 60_000, aheadMs: 5 * 60_000 } as const;

/** Fields of the manifest the app re-derives and compares (and `completeness`, when it reconciles with GitHub itself). */
const COMPARED_FIELDS = ['format', 'period', 'repositories', 'ledger.head', 'ledger.checkpoint', 'coverage', 'population', 'sample', 'exceptions', 'duplicate_records', 'signature.key_id'] as const;

/**
 * Files the app re-derives byte for byte (evidence pages too; completeness.csv and
 * the workbook only as `rederivedFiles` says). The verifier
 * must be the app's own build: a package that carried a doctored verifier
 * could otherwise be signed, then tampered with and "verified" by it.
 */
const REDERIVED = new Set(['population.csv', 'sample.csv', 'exceptions.csv', 'selection.json', 'public-key.pem', VERIFIER_FILE, 'report.html', 'completeness.csv', 'sample.xlsx']);

/**
 * Which files of the package the app re-derives. completeness.csv needs
 * GitHub, and the workbook holds its rows (its Completeness sheet): both are
 * re-derived when the reconciliation was run again, or (the workbook) when the
 * export made none. Any other file a claim lists must be one the
 * re-derivation produces: an invented file, or an evidence page for an item
 * not sampled, is a difference.
 */
function rederivedFiles(completenessClaimed: boolean): { isRederived: (path: string) => boolean; notRederived: Set<string> } {
  const notRederived = new Set(completenessClaimed ? ['completeness.csv', 'sample.xlsx'] : []);
  const isRederived = (path: string) => !notRederived.has(path) && (REDERIVED.has(path) || (path.startsWith('evidence/') && path.endsWith('.html')));
  return { isRederived, notRederived };
}

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
 * report.html and the workbook (sample.xlsx) are rendered again and compared
 * too. The reconciliation with GitHub (completeness.csv, the completeness
 * summary, and the workbook's sheet of it) is run again when `deps.completeness`
 * is given — as of the export's date, for the repositories it names — and
 * compared like the rest; without it, the report is rendered with the claim's
 * own summary, and completeness.csv and the workbook are not re-derived
 * (listed as such in the record). A claim listing any other file the
 * re-derivation does not produce, or a path twice, is refused.
 *
 * When signing (`deps.clock`, the default), the export must also be dated
 * now and not before the ledger head it was read from (see
 * {@link DATED_TOLERANCE}).
 *
 * @example const r = await rederiveExport({ manifest, selection }, deps); if (r.ok) sign(r.manifestSha256);
 */
export async function rederiveExport(claim: ExportClaim, deps: RederiveDeps): Promise<Rederivation> {
  const manifestSha256 = manifestDigest(Buffer.from(claim.manifest, 'utf8'));
  const manifest = parseManifest(claim.manifest);
  const selection = parseSelection(claim.selection);
  const differences: string[] = [];
  const reconcile = manifest.completeness && deps.completeness ? deps.completeness : null;
  const { isRederived, notRederived } = rederivedFiles(!!manifest.completeness && !reconcile);
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
  // When signing: dated now. Read once, before the (long) re-derivation.
  const clock = deps.clock === undefined ? () => new Date() : deps.clock;
  const generatedAt = Date.parse(String(manifest.generated_at));
  if (!Number.isFinite(generatedAt) || typeof manifest.generated_at !== 'string') {
    differences.push(`the manifest's generated_at (${JSON.stringify(manifest.generated_at ?? null)}) is not a time`);
  } else if (clock) {
    const now = clock();
    if (generatedAt < now.getTime() - DATED_TOLERANCE.behindMs || generatedAt > now.getTime() + DATED_TOLERANCE.aheadMs) {
      differences.push(`generated_at: the export is dated ${manifest.generated_at}, but it is signed at ${now.toISOString()}: an export is signed when it is made (within ${DATED_TOLERANCE.behindMs / 60_000} minutes), as of its own date`);
    }
  }
  if (differences.length) return result(false);

  // 2. The head the export was read up to must be a head of this ledger.
  const head = manifest.ledger?.head;
  if (!head || !Number.isSafeInteger(head.size) || head.size < 1 || typeof head.hash !== 'string') {
    throw new ExportClaimError('the manifest names no ledger head (ledger.head.size and .hash)');
  }
  const source = deps.source(head.size);
  try {
    const ours = await entryAt(source, head.size);
    if (ours === null) {
      differences.push(`the export was read from a ledger of ${head.size} entries; this ledger has fewer`);
      return result(false);
    }
    if (ours.hash !== head.hash) {
      differences.push(`entry ${head.size} of this ledger has hash ${ours.hash}, the export names ${head.hash}: it was not read from this ledger`);
      return result(false);
    }
    // An export cannot be made before the last entry it read was recorded.
    if (clock && (ours.recordedAt === null || generatedAt < ours.recordedAt - DATED_TOLERANCE.aheadMs)) {
      differences.push(`generated_at: the export is dated ${manifest.generated_at}, before entry ${head.size} it was read up to was recorded (${ours.recordedAt === null ? 'no time' : new Date(ours.recordedAt).toISOString()})`);
      return result(false);
    }

    // Nor read up to an old head: the entry after it must have been recorded after the export was
    // made (it is the export's own record, or something that happened since). Otherwise the export
    // leaves out what the ledger already held when it was made: a change or a direct push of the period.
    const next = await nextEntry(deps, head.size);
    if (next && (next.recordedAt === null || next.recordedAt < generatedAt - DATED_TOLERANCE.aheadMs)) {
      differences.push(`ledger.head: the export was read up to entry ${head.size}, but entry ${head.size + 1} was recorded at ${next.recordedAt === null ? 'an unknown time' : new Date(next.recordedAt).toISOString()}, before the export was made (${manifest.generated_at}): an export reads the whole ledger as it stands`);
      return result(false);
    }

    // An export reconciles every repository it covers with GitHub, or none: a claim that reconciled
    // fewer would show completeness for some and let the report pass over the others in silence.
    if (manifest.completeness) {
      const reconciled = [...(manifest.completeness.repositories ?? [])].map((r) => r.toLowerCase()).sort();
      const covered = manifest.repositories === 'all' ? null : [...manifest.repositories].map((r) => r.toLowerCase()).sort();
      if (!covered || reconciled.join('\n') !== covered.join('\n')) {
        differences.push(`completeness: the export reconciled ${reconciled.join(', ') || 'no repository'} with GitHub, not the repositories it covers (${covered ? covered.join(', ') : 'all'}); an export reconciles all of them`);
        return result(false);
      }
    }

    checkStatedPeriod(manifest, differences);
    if (differences.length) return result(false);

    // 3. Derive the package ourselves, with the export's own parameters.
    const period = periodOf(manifest);
    const work = await mkdtemp(join(tmpdir(), 'changeproof-rederive-'));
    try {
      const out = join(work, 'package');
      const derived = await runExport({
        // Named as the export named it, so that the report — rendered again here and compared byte
        // for byte — says the same (the source is not a compared field: the head and checkpoint are).
        source: { ...source, description: typeof manifest.ledger?.source === 'string' ? manifest.ledger.source : source.description },
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
        // Completeness needs GitHub: run again when the app can ask GitHub, as of the export's date;
        // otherwise the report is rendered with the export's own summary of it (which the record says
        // was not re-derived), and everything else in it is ours.
        completeness: !manifest.completeness
          ? null
          : reconcile
            ? reconcile(manifest.completeness.repositories, () => new Date(manifest.generated_at))
            : async () => ({ summary: manifest.completeness!, columns: [], rows: [] }),
        now: () => new Date(manifest.generated_at),
        toolVersion: manifest.tool.version,
        parameters: manifest.parameters ?? {},
        allowPartialCoverage: manifest.coverage?.partial_allowed ?? false,
      });
      const fields = compareFields(manifest, derived.manifest, reconcile ? [...COMPARED_FIELDS, 'completeness'] : COMPARED_FIELDS, differences);
      const files = compareFiles(manifest.files, derived.manifest.files, isRederived, notRederived, differences);
      if (differences.length === 0) compareManifestText(claim.manifest, derived.manifest, manifest.files, differences);
      return result(true, { fields, files });
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  } finally {
    await source.close();
  }
}

/**
 * The manifest is signed as the text it is, so that text must be the one the
 * app derived, byte for byte — with the claim's own list of files (compared
 * above). Otherwise a member written twice (`JSON.parse` keeps the last; a
 * reader may see the first), a member the format does not have, or a field no
 * comparison reads would be signed as the app's word.
 */
function compareManifestText(text: string, derived: Manifest, files: ManifestFile[], differences: string[]): void {
  const expected = `${JSON.stringify({ ...derived, files }, null, 2)}\n`;
  if (text === expected) return;
  const lines = text.split('\n');
  const want = expected.split('\n');
  const at = lines.findIndex((line, i) => line !== want[i]);
  const line = at === -1 ? Math.min(lines.length, want.length) + 1 : at + 1;
  differences.push(`manifest.json is not the text this ledger gives: line ${line} reads ${clip(JSON.stringify(lines[line - 1] ?? ''))}, this ledger gives ${clip(JSON.stringify(want[line - 1] ?? ''))} (a member written twice, one the format does not have, or a value nothing else compares)`);
}

/**
 * What the export says of its own period and parameters, in words the report
 * shows, must name the period it covers: a label other than `from..to` must
 * be the period's name (`2026-Q1` for 2026-01-01..2026-03-31); the resolved
 * period, a named period parameter and the completeness parameter must agree.
 */
function checkStatedPeriod(manifest: Manifest, differences: string[]): void {
  const p = manifest.period;
  const at = new Date(String(manifest.generated_at));
  const names = (label: string) => {
    try {
      const named = parsePeriod(label, p.time_zone, at);
      return named.from === p.from && named.to === p.to;
    } catch {
      return false;
    }
  };
  if (p.label !== `${p.from}..${p.to}` && !names(p.label)) differences.push(`period.label: the export calls its period ${JSON.stringify(p.label)}, but it runs from ${p.from} to ${p.to}`);
  const params = manifest.parameters ?? {};
  if (params['resolved-period'] !== undefined && params['resolved-period'] !== `${p.from}..${p.to}`) {
    differences.push(`parameters.resolved-period: the export says ${JSON.stringify(params['resolved-period'])}, but its period runs from ${p.from} to ${p.to}`);
  }
  if (params['period'] !== undefined && !names(params['period'])) differences.push(`parameters.period: the export names ${JSON.stringify(params['period'])}, but its period runs from ${p.from} to ${p.to}`);
  for (const key of ['from', 'to'] as const) {
    if (params[key] !== undefined && params[key] !== p[key]) differences.push(`parameters.${key}: the export says ${JSON.stringify(params[key])}, but its period runs from ${p.from} to ${p.to}`);
  }
  if (params['completeness'] !== undefined && (params['completeness'] === 'github') !== !!manifest.completeness) {
    differences.push(`parameters.completeness: the export says ${JSON.stringify(params['completeness'])}, but it ${manifest.completeness ? 'has' : 'has no'} reconciliation with GitHub`);
  }
}

function compareFields(claimed: Manifest, derived: Manifest, compared: readonly string[], differences: string[]): string[] {
  const same: string[] = [];
  for (const field of compared) {
    const a = canonical(pick(claimed, field));
    const b = canonical(pick(derived, field));
    if (a === b) same.push(field);
    else differences.push(`${field}: the export says ${clip(a)}, ${field === 'completeness' ? 'GitHub and this ledger give' : 'this ledger gives'} ${clip(b)}`);
  }
  return same;
}

function compareFiles(claimed: ManifestFile[], derived: ManifestFile[], isRederived: (path: string) => boolean, notRederived: Set<string>, differences: string[]): string[] {
  const same: string[] = [];
  const produced = new Set(derived.map((f) => f.path));
  const ours = new Map(derived.filter((f) => isRederived(f.path)).map((f) => [f.path, f]));
  const theirs = new Map<string, ManifestFile>();
  for (const f of claimed) {
    if (theirs.has(f.path)) differences.push(`${f.path} is listed twice in the export's manifest`);
    theirs.set(f.path, f);
  }
  for (const [path, file] of ours) {
    const claim = theirs.get(path);
    if (!claim) differences.push(`${path} is missing from the export`);
    else if (claim.sha256 !== file.sha256) differences.push(`${path} differs from what ${path === 'completeness.csv' ? 'GitHub and this ledger give' : 'this ledger gives'} (sha256 ${claim.sha256} in the export, ${file.sha256} here)`);
    else same.push(path);
  }
  for (const path of theirs.keys()) {
    if (ours.has(path) || notRederived.has(path)) continue;
    differences.push(`${path} is in the export, but this ledger gives no such file`);
  }
  // The views are not compared byte for byte, but a package without them is not the one this ledger gives.
  for (const path of produced) if (notRederived.has(path) && !theirs.has(path)) differences.push(`${path} is missing from the export`);
  return same;
}

/** The signer of the app's own derivation: it signs nothing (the derived package is compared, then discarded). */
function derivingSigner(deps: RederiveDeps): ExportSigner {
  return { keyId: deps.keyId, publicKeyPem: deps.publicKeyPem, sign: async () => '' };
}

/** Entry `seq` of the ledger: its hash and when it was recorded (ms; null when its body names no time). */
async function entryAt(source: LedgerSource, seq: number): Promise<{ hash: string; recordedAt: number | null } | null> {
  const of = (stored: StoredEntry) => ({ hash: stored.hash, recordedAt: recordedAtOf(stored.body) });
  if (source.parallel) {
    for (const stored of source.parallel.bySeq([seq])) return of(stored);
    return null;
  }
  let last: StoredEntry | null = null;
  let count = 0;
  for await (const stored of source.stored(seq)) {
    count += 1;
    last = stored;
  }
  return count === seq && last ? of(last) : null;
}

/** The entry after `seq` in the app's ledger, if there is one yet. */
async function nextEntry(deps: RederiveDeps, seq: number): Promise<{ hash: string; recordedAt: number | null } | null> {
  const source = deps.source(seq + 1);
  try {
    return await entryAt(source, seq + 1);
  } finally {
    await source.close();
  }
}

function recordedAtOf(body: string): number | null {
  try {
    const at = Date.parse(String((JSON.parse(body) as { recorded_at?: unknown }).recorded_at));
    return Number.isFinite(at) ? at : null;
  } catch {
    return null;
  }
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

/**
 * The list's name as the export recorded it ("the auditor's own selection
 * list (NAME): 1 item" / "N items"; packages made before wrote "N item(s)").
 */
function auditorListName(selection: SelectionDocument): string {
  return /^the auditor's own selection list \((.*)\): \d+ (?:items?|item\(s\))$/s.exec(selection.sample_size.derivation)?.[1] ?? 'selection';
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
