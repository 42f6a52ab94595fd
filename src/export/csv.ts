import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import { ATTRIBUTES, type ExceptionRow, type PopulationItem } from './model.js';

/**
 * The CSV files of the export (SPEC §5): RFC 4180 (csv-stringify), UTF-8,
 * `\r\n` line ends, a header row, every value as text. Lists inside a cell
 * are separated by `; `. Any cell that a spreadsheet would run as a formula
 * (starting with `=`, `+`, `-`, `@`, tab or CR) is prefixed with `'`, as OWASP
 * recommends — in every column of every file, by the writer itself: names,
 * e-mails, titles and reasons come from commits and pull requests anyone can
 * write. Ids, logins, SHAs and times never start that way. Every field
 * holding a line break (`\r` or `\n`, alone or paired) is quoted, so no text
 * can start a row of its own.
 */

export const POPULATION_COLUMNS = [
  'id', 'repo', 'kind', 'title', 'url', 'author', 'approvers', 'merged_by', 'merged_at', 'occurred_at', 'month',
  'head_sha', 'merge_sha', 'checks', 'ticket', 'verdict', 'enforced', 'exceptions', 'deployments', 'ledger_seq', 'ledger_hash',
] as const;

export const SAMPLE_COLUMNS = [
  ...POPULATION_COLUMNS,
  ...ATTRIBUTES,
  ...ATTRIBUTES.map((a) => `${a}_detail`),
  'evidence',
] as const;

export const EXCEPTION_COLUMNS = [
  'item_id', 'repo', 'type', 'occurred_at', 'actor', 'reason', 'deadline', 'status', 'resolved_at', 'resolved_by',
  'resolution', 'url', 'ledger_seq', 'ledger_hash', 'resolution_ledger_seq', 'resolution_ledger_hash', 'responses', 'response_ledger_seqs',
] as const;

/** Neutralises text a spreadsheet would evaluate as a formula. */
export function safeText(text: string | null | undefined): string {
  if (!text) return '';
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

const orEmpty = (v: string | number | null | undefined) => (v === null || v === undefined ? '' : String(v));

export function approversCell(item: PopulationItem): string {
  return item.approvals
    .map((a) => `${a.login} (${a.submittedAt ?? 'time not recorded'}, commit ${a.commitSha ?? 'not recorded'}, ${a.counted ? 'counted' : 'not counted'})`)
    .join('; ');
}

export function checksCell(item: PopulationItem): string {
  return item.checks.map((c) => `${c.name}: ${c.conclusion}${c.at ? ` (${c.at})` : ''}`).join('; ');
}

/** Each exception as `type: status`, with how many responses management recorded (their text is in exceptions.csv). */
export function exceptionsCell(item: PopulationItem): string {
  return item.exceptions.map((e) => {
    const responses = e.responses?.length ?? 0;
    return `${e.type}: ${e.status}${responses ? ` (${responses === 1 ? '1 response' : `${responses} responses`})` : ''}`;
  }).join('; ');
}

export function deploymentsCell(item: PopulationItem): string {
  return item.deployments.map((d) => `${d.environment} deployment ${d.deploymentId} ${d.decision ?? 'not gated'}`).join('; ');
}

export function populationRecord(item: PopulationItem): string[] {
  return [
    item.id, item.repo, item.kind, safeText(item.title), orEmpty(item.url), orEmpty(item.author), approversCell(item),
    orEmpty(item.mergedBy), item.kind === 'change' ? item.occurredAt : '', item.occurredAt, item.month,
    orEmpty(item.headSha), orEmpty(item.mergeSha), safeText(checksCell(item)), safeText(item.ticket), item.verdict,
    item.enforced ? 'yes' : 'no', exceptionsCell(item), deploymentsCell(item), String(item.ledger.seq), item.ledger.hash,
  ];
}

export function sampleRecord(item: PopulationItem, evidence: string): string[] {
  return [
    ...populationRecord(item),
    ...ATTRIBUTES.map((a) => item.attributes[a].result),
    ...ATTRIBUTES.map((a) => safeText(item.attributes[a].detail)),
    evidence,
  ];
}

export function exceptionRecord(row: ExceptionRow): string[] {
  return [
    row.itemId, row.repo, row.type, row.occurredAt, orEmpty(row.actor), safeText(row.reason), orEmpty(row.deadline), row.status,
    orEmpty(row.resolvedAt), orEmpty(row.resolvedBy), safeText(row.resolution), orEmpty(row.url), String(row.ledger.seq),
    row.ledger.hash, orEmpty(row.resolutionLedger?.seq), orEmpty(row.resolutionLedger?.hash),
    safeText(responsesCell(row)), (row.responses ?? []).map((r) => r.ledger.seq).join('; '),
  ];
}

/** Each response as `carol (maintain, 2026-03-04T10:00:00Z): text`, separated by ` | `. */
export function responsesCell(row: ExceptionRow): string {
  // Responses are separated by ` | `; inside a text, `\` and `|` are escaped (`\\`, `\|`), so a
  // response cannot pass itself off as another one by writing ` | erin (maintain, …): …`.
  return (row.responses ?? []).map((r) => `${r.by} (${r.role}, ${r.at}): ${r.text.replace(/[\\|]/g, (c) => `\\${c}`)}`).join(' | ');
}

/** A streaming CSV file: memory stays flat however many rows are written. */
export interface CsvFile {
  write(record: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

export function csvFile(path: string, columns: readonly string[]): CsvFile {
  const out = createWriteStream(path);
  // Quoted: a field with a line break anywhere (csv-stringify quotes only the
  // `\r\n` record delimiter by itself: a bare `\n` or `\r` would otherwise end
  // the row for Excel or Python, and the text after it start a new row, past
  // the formula guard), and one starting or ending with white space.
  const csv = stringify({ header: true, columns: columns as string[], record_delimiter: 'windows', quoted_match: [/[\r\n]/, /^\s|\s$/] });
  csv.pipe(out);
  return {
    async write(record) {
      if (!csv.write(record.map(safeText))) await once(csv, 'drain');
    },
    async close() {
      csv.end();
      await finished(out);
    },
  };
}
