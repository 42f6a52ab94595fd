import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runExport } from '../../../src/export/export.js';
import type { RederiveDeps } from '../../../src/export/rederive.js';
import { sqliteSource } from '../../../src/export/sqlite-source.js';
import { keyIdOf, publicKeyFromPem } from '../../../src/ledger/signing-key.js';
import { SqliteLedger } from '../../../src/ledger/sqlite-ledger.js';
import type { EntryInput } from '../../../src/ledger/ledger.js';
import { periodFromDates } from '../../../src/sampling/period.js';
import type { SampleSizeRule } from '../../../src/sampling/sample-size.js';

export interface TestLedger {
  path: string;
  pem: string;
  keyId: string;
  /** How the app reads its ledger when it re-derives (the signing endpoint's `exportSource`). */
  deps: RederiveDeps;
}

/** A SQLite ledger with `batches` appended in order (one append per batch), recorded one second apart from 2025-12-01. */
export async function ledgerWith(dir: string, batches: EntryInput[][]): Promise<TestLedger> {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'ledger.db');
  let t = Date.parse('2025-12-01T00:00:00Z');
  const l = SqliteLedger.open(path, { clock: () => new Date((t += 1000)), synchronous: 'NORMAL' });
  for (const batch of batches) await l.append(batch);
  const pem = l.publicKeyPem();
  await l.close();
  const keyId = keyIdOf(publicKeyFromPem(pem));
  return { path, pem, keyId, deps: { source: (toSeq) => sqliteSource(path, {}, { toSeq }), publicKeyPem: pem, keyId } };
}

export interface MakeOptions {
  /** Read the ledger only up to this entry (an exporter is free to name any head). */
  toSeq?: number;
  from?: string;
  to?: string;
  timeZone?: string;
  label?: string;
  seed?: string;
  sampleSize?: SampleSizeRule;
  toolVersion?: string;
  parameters?: Record<string, string>;
  now?: () => Date;
  /** An "auditor's" selection list (its text and the name the package gives it). */
  selection?: { text: string; name: string };
}

/** An export package made the way the CLI makes one (runExport), with a signer that does not sign: the app is asked to. */
export async function makePackage(ledger: TestLedger, out: string, o: MakeOptions = {}) {
  const source = sqliteSource(ledger.path, {}, o.toSeq === undefined ? {} : { toSeq: o.toSeq });
  try {
    return await runExport({
      source, out,
      period: periodFromDates(o.from ?? '2026-01-01', o.to ?? '2026-03-31', o.timeZone ?? 'UTC', o.label),
      repos: null, seed: o.seed ?? 'claims', drawSeed: () => 'drawn', sampleSize: o.sampleSize ?? { method: 'fixed', size: 2 }, strata: 'none',
      selection: o.selection ?? null, signer: { keyId: ledger.keyId, publicKeyPem: ledger.pem, sign: async () => '' },
      completeness: null, now: o.now ?? (() => new Date()), toolVersion: o.toolVersion ?? '1.0.0',
      parameters: o.parameters ?? { from: o.from ?? '2026-01-01', to: o.to ?? '2026-03-31' },
    });
  } finally {
    await source.close();
  }
}

/** The claim an exporter sends: manifest.json (optionally edited, re-serialized the way the export writes it) and selection.json. */
export function claimOf(dir: string, edit: (m: Record<string, unknown>) => void = () => {}) {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Record<string, unknown>;
  edit(manifest);
  return { manifest: `${JSON.stringify(manifest, null, 2)}\n`, selection: readFileSync(join(dir, 'selection.json'), 'utf8') };
}

export function rawClaim(dir: string) {
  return { manifest: readFileSync(join(dir, 'manifest.json'), 'utf8'), selection: readFileSync(join(dir, 'selection.json'), 'utf8') };
}
