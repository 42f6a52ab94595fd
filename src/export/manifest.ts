import { readdirSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { SignedCheckpoint } from '../ledger/checkpoint.js';
import type { SizeRaise } from '../sampling/allocate.js';
import type { ObservationPeriod } from '../sampling/period.js';
import { sha256File } from './sha256-file.js';
import type { Coverage } from './coverage.js';
import type { CompletenessSummary, LedgerSummary } from './model.js';
import { EXPORT_FORMAT, type ExportSigner } from './signature.js';

/**
 * `manifest.json`, its signature `manifest.json.sig` and `SHA256SUMS` (SPEC §5):
 *
 * - the manifest lists every other file of the export (path, bytes, SHA-256),
 *   the ledger head and latest signed checkpoint, the tool version and the
 *   exact parameters;
 * - `manifest.json.sig` is the base64 Ed25519 signature by the ledger key
 *   over `changeproof-export/v1\n<sha256 of manifest.json>\n`;
 * - `SHA256SUMS` is `sha256sum -c` input for every file but itself.
 */
export const MANIFEST = 'manifest.json';
export const SIGNATURE = 'manifest.json.sig';
export const SUMS = 'SHA256SUMS';

export interface ManifestFile {
  path: string;
  bytes: number;
  sha256: string;
}

export interface Manifest {
  format: string;
  tool: { name: 'changeproof'; version: string };
  generated_at: string;
  parameters: Record<string, string>;
  period: { from: string; to: string; time_zone: string; start: string; end: string; days: number; label: string };
  repositories: string[] | 'all';
  ledger: {
    source: string;
    head: { size: number; hash: string };
    verified_entries: number;
    /** The latest signed checkpoint, exactly as recorded (verify it with public-key.pem). */
    checkpoint: (SignedCheckpoint & { seq: number }) | null;
  };
  population: { size: number; hash: string; changes: number; direct_pushes: number; deployments: number; compliant: number };
  /** `raised`: the size rule's n was raised to one item per stratum (from, to, why); null when it was not. */
  sample: { size: number; method: string; seed: string | null; raised: SizeRaise | null };
  exceptions: { total: number; open: number };
  completeness: CompletenessSummary | null;
  /** Change ids recorded more than once in the ledger (the first record is used). */
  duplicate_records: string[];
  /** From when the ledger covers each repository, and whether the period was exported although it covers only part of it. */
  coverage: { partial: boolean; partial_allowed: boolean; repositories: Array<{ repository: string; from: string | null; covers: 'whole' | 'partial' | 'none' }> };
  signature: { algorithm: 'Ed25519'; key_id: string; public_key: string; file: string; statement: string };
  files: ManifestFile[];
}

export interface ManifestContent {
  generatedAt: string;
  toolVersion: string;
  parameters: Record<string, string>;
  period: ObservationPeriod;
  repositories: string[] | null;
  ledger: LedgerSummary;
  checkpoint: (SignedCheckpoint & { seq: number }) | null;
  population: { size: number; hash: string; changes: number; directPushes: number; deployments: number; compliant: number };
  sample: { size: number; method: string; seed: string | null; raised: SizeRaise | null };
  exceptions: { total: number; open: number };
  completeness: CompletenessSummary | null;
  duplicates: string[];
  coverage: Coverage;
}

const RESERVED = new Set([MANIFEST, SIGNATURE, SUMS]);

/** Every file under `dir` (relative, `/`-separated, code-point sorted). */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else out.push(relative(dir, p).split(sep).join('/'));
    }
  };
  walk(dir);
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

export async function hashFiles(dir: string, paths: string[]): Promise<ManifestFile[]> {
  const files: ManifestFile[] = [];
  for (const path of paths) files.push({ path, bytes: statSync(join(dir, path)).size, sha256: await sha256File(join(dir, path)) });
  return files;
}

export async function writeManifest(dir: string, content: ManifestContent, signer: ExportSigner): Promise<Manifest> {
  const { period } = content;
  const manifest: Manifest = {
    format: EXPORT_FORMAT,
    tool: { name: 'changeproof', version: content.toolVersion },
    generated_at: content.generatedAt,
    parameters: content.parameters,
    period: { from: period.from, to: period.to, time_zone: period.timeZone, start: period.start, end: period.end, days: period.days, label: period.label },
    repositories: content.repositories ? [...content.repositories].sort() : 'all',
    ledger: {
      source: content.ledger.source,
      head: { size: content.ledger.headSize, hash: content.ledger.headHash },
      verified_entries: content.ledger.verifiedEntries,
      checkpoint: content.checkpoint,
    },
    population: {
      size: content.population.size,
      hash: content.population.hash,
      changes: content.population.changes,
      direct_pushes: content.population.directPushes,
      deployments: content.population.deployments,
      compliant: content.population.compliant,
    },
    sample: content.sample,
    exceptions: content.exceptions,
    completeness: content.completeness,
    duplicate_records: content.duplicates,
    coverage: { partial: content.coverage.partial, partial_allowed: content.coverage.partialAllowed, repositories: content.coverage.repositories },
    signature: {
      algorithm: 'Ed25519',
      key_id: signer.keyId,
      public_key: 'public-key.pem',
      file: SIGNATURE,
      statement: `${EXPORT_FORMAT}\\n<hex sha256 of ${MANIFEST}>\\n`,
    },
    files: await hashFiles(dir, listFiles(dir).filter((p) => !RESERVED.has(p))),
  };
  const bytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8');
  await writeFile(join(dir, MANIFEST), bytes);
  await writeFile(join(dir, SIGNATURE), `${await signer.sign(bytes, dir)}\n`);
  // Every file the manifest lists was hashed for it: only the manifest and its signature are new.
  const sums = [...manifest.files, ...(await hashFiles(dir, [MANIFEST, SIGNATURE]))].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  await writeFile(join(dir, SUMS), sums.map((f) => `${f.sha256}  ${f.path}\n`).join(''));
  return manifest;
}
