/**
 * Small SQLite ledgers written entry by entry with SqliteLedger, exported
 * in-process with the CLI, and the package's files read back: the export as an
 * independent auditor reads it.
 */
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { expect } from 'vitest';
import type { ExceptionRecord, ExceptionResponseRecord } from '../../../src/core/records.js';
import type { EntryInput, LedgerEntry } from '../../../src/ledger/ledger.js';
import { SqliteLedger } from '../../../src/ledger/sqlite-ledger.js';
import { runCli } from '../../ledger/support/run-cli.js';
import { changeEntry } from './change-entry.js';

export const REPO = 'acme/api';
export const work = mkdtempSync(join(tmpdir(), 'changeproof-export-read-'));
let runs = 0;

export type Step = EntryInput | ((written: LedgerEntry[]) => EntryInput);

/** A SQLite ledger holding these entries, recorded one second apart from `from` (default: well before any period used). */
export async function ledgerOf(entries: Step[], from = '2025-12-01T00:00:00Z'): Promise<string> {
  const path = join(work, `ledger-${++runs}`, 'ledger.db');
  let t = Date.parse(from);
  const ledger = SqliteLedger.open(path, { clock: () => new Date((t += 1000)), synchronous: 'NORMAL' });
  const written: LedgerEntry[] = [];
  for (const e of entries) written.push(...(await ledger.append([typeof e === 'function' ? e(written) : e])).entries);
  await ledger.close();
  return path;
}

export const publicKeyOf = (ledger: string) => readFileSync(ledger.replace(/ledger\.db$/, 'ledger-signing-key.pub.pem'), 'utf8');

export type Row = Record<string, string>;
export interface Package { dir: string; population: Row[]; sample: Row[]; exceptions: Row[]; selection: { ids: string[] } & Record<string, unknown>; report: string; evidence: Map<string, string> }

export async function exportOf(ledger: string, args: string[]): Promise<Package> {
  const dir = join(work, `export-${++runs}`);
  const r = await runCli(['export', '--ledger', ledger, '--out', dir, ...(args.includes('--seed') ? [] : ['--seed', 'auditor']), ...args]);
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
  const csv = (name: string) => parse(readFileSync(join(dir, name), 'utf8'), { columns: true, bom: true }) as Row[];
  return {
    dir,
    population: csv('population.csv'),
    sample: csv('sample.csv'),
    exceptions: csv('exceptions.csv'),
    selection: JSON.parse(readFileSync(join(dir, 'selection.json'), 'utf8')),
    report: readFileSync(join(dir, 'report.html'), 'utf8'),
    evidence: new Map(readdirSync(join(dir, 'evidence')).map((f) => [f, readFileSync(join(dir, 'evidence', f), 'utf8')])),
  };
}

/** A change entry (change-entry.ts) merged at an arbitrary instant, its title optionally replaced. */
export function changeAt(number: number, mergedAt: string, options: { unreviewed?: boolean; title?: string } = {}): EntryInput {
  const e = changeEntry(number, '2026-01-15T12:00:00Z', { unreviewed: options.unreviewed ?? false, ...(options.title !== undefined ? { title: options.title } : {}) });
  const text = JSON.stringify(e.data).replaceAll('2026-01-15T12:00:00Z', mergedAt);
  return { ...e, data: JSON.parse(text) };
}

export function exceptionOf(subject: string, type: ExceptionRecord['type'], occurredAt: string, extra: Partial<ExceptionRecord> = {}): EntryInput {
  const record: ExceptionRecord = {
    type, subject, reason: `${type} on ${subject}`, outcome: type === 'direct_push' ? null : 'non_compliant', occurredAt, deadline: null,
    url: `https://github.com/${REPO}/${subject}`, actor: 'carol', trigger: { event: 'pull_request', action: 'closed', deliveryId: `d-x-${subject}`, sender: 'carol' },
    ...extra,
  };
  return { kind: 'exception', repo: REPO, subject, data: record as unknown as EntryInput['data'] };
}

/** A response (by `by`, at `at`) to the last exception entry written for `subject`. */
export function responseTo(subject: string, by: string, at: string, text: string): Step {
  return (written) => {
    const ex = [...written].reverse().find((e) => e.kind === 'exception' && e.subject === subject)!;
    const record: ExceptionResponseRecord = {
      subject, exceptions: [{ seq: ex.seq, hash: ex.hash, type: 'merged_without_passing_control' }], responder: by,
      permission: { roleName: 'maintain', permission: 'write', checkedAt: at }, respondedAt: at, text,
      source: { via: 'comment', commentId: Date.parse(at) / 1000, url: `https://github.com/${REPO}/${subject}#issuecomment-${Date.parse(at) / 1000}` },
      excluded: ['alice', 'carol'], trigger: { event: 'issue_comment', action: 'created', deliveryId: `d-r-${subject}-${at}`, sender: by },
    } as ExceptionResponseRecord;
    return { kind: 'exception_response', repo: REPO, subject, data: record as unknown as EntryInput['data'] };
  };
}
