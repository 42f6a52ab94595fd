import Database from 'better-sqlite3';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EntryInput } from '../../../src/ledger/ledger.js';
import { SqliteLedger, type SqliteLedgerOptions } from '../../../src/ledger/sqlite-ledger.js';
import { publicKeyFromPem } from '../../../src/ledger/signing-key.js';

const made: string[] = [];

/** A fresh folder under the OS temp dir, removed by {@link removeTempDirs}. */
export function tempDir(prefix = 'changeproof-ledger-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of made.splice(0)) {
    chmodSync(dir, 0o700);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A clock that advances `stepMs` on every reading, from a fixed start. */
export function steppingClock(start = '2026-03-01T09:00:00.000Z', stepMs = 1000): () => Date {
  let t = Date.parse(start) - stepMs;
  return () => new Date((t += stepMs));
}

/** A deterministic evaluation-like entry. */
export function sampleEntry(i: number, repo = 'acme/api'): EntryInput {
  return {
    kind: i % 7 === 3 ? 'exception' : 'evaluation',
    repo,
    subject: `pull/${i}`,
    data: { verdict: i % 7 === 3 ? 'non_compliant' : 'compliant', approvals: [{ login: `reviewer-${i % 3}`, at: '2026-03-01T08:00:00Z' }], note: `entry ${i} “quoted” \\ ✓` },
  };
}

export interface BuiltLedger {
  path: string;
  dir: string;
  pem: string;
  publicKey: ReturnType<typeof publicKeyFromPem>;
}

/**
 * A file ledger with `count` sample entries and a checkpoint every
 * `everyEntries` (default 5), closed cleanly (so it ends with a checkpoint)
 * unless `close` is false.
 */
export async function buildLedger(
  options: { count?: number; everyEntries?: number; close?: boolean; dir?: string } & SqliteLedgerOptions = {},
): Promise<BuiltLedger & { ledger: SqliteLedger }> {
  const dir = options.dir ?? tempDir();
  const path = join(dir, 'ledger.db');
  const ledger = SqliteLedger.open(path, {
    clock: steppingClock(),
    ...options,
    checkpointPolicy: { everyEntries: options.everyEntries ?? 5, ...options.checkpointPolicy },
  });
  for (let i = 0; i < (options.count ?? 20); i++) await ledger.append(sampleEntry(i), { deliveryId: `delivery-${i}` });
  const pem = ledger.publicKeyPem();
  if (options.close !== false) await ledger.close();
  return { path, dir, pem, publicKey: publicKeyFromPem(pem), ledger };
}

/** A raw connection with the append-only triggers dropped: what an attacker with file access has. */
export function tamperWith(path: string): Database.Database {
  const db = new Database(path);
  db.pragma('foreign_keys = OFF');
  db.exec('DROP TRIGGER IF EXISTS entries_refuse_update; DROP TRIGGER IF EXISTS entries_refuse_delete;');
  return db;
}

/** mulberry32: a small seeded PRNG, so "random" kill times and bytes are reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
