import { approversCell, checksCell, deploymentsCell } from './csv.js';
import { ATTRIBUTES, ATTRIBUTE_TITLES, evidencePath, type AttributeResult, type ExceptionRow, type PopulationItem } from './model.js';

/**
 * The columns of the workbook's sheets: human headers, typed values (dates
 * as dates, numbers as numbers, links as links), and how wide each may grow.
 * Cells hold text as text: a spreadsheet never runs a text cell as a formula,
 * so unlike the CSV files no `'` guard is added.
 */

/** A cell's value: text, a number, a UTC date, a hyperlink, or empty. */
export type CellValue = string | number | Date | { text: string; hyperlink: string } | null;

export interface Column<T> {
  header: string;
  value: (row: T) => CellValue;
  /** `tick`: an empty column for the auditor's marks; `wrap`: long text that wraps at the width cap. */
  kind?: 'text' | 'date' | 'number' | 'link' | 'tick' | 'wrap';
  /** The widest the column grows, in characters (default 40; 72 at most). */
  max?: number;
}

export const KIND_WORDS: Record<string, string> = { change: 'Change', direct_push: 'Direct push', deployment: 'Deployment' };

const VERDICT_WORDS: Record<string, string> = {
  compliant: 'Compliant', non_compliant: 'Not compliant', pending: 'Pending at merge', emergency: 'Emergency change', error: 'Evaluation error',
  direct_push: 'Direct push', approved: 'Approved by the gate', rejected: 'Rejected by the gate', not_gated: 'Not gated', no_decision: 'No gate decision',
};

const RESULT_WORDS: Record<AttributeResult, string> = { pass: 'pass', fail: 'fail', not_applicable: 'n/a', not_evaluated: 'not evaluated' };

const EXCEPTION_WORDS: Record<string, string> = {
  merged_without_passing_control: 'Merged without passing the control', emergency_change: 'Emergency change', direct_push: 'Direct push',
};

/** A recorded ISO-8601 time as a date (UTC); null when absent or not a time. */
export function dateOf(iso: string | null | undefined): Date | null {
  if (!iso) return null;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : new Date(t);
}

/** A link to a recorded web address: only http(s) becomes a link. */
export function webLink(text: string, url: string | null | undefined): CellValue {
  return url && /^https?:\/\//i.test(url) ? { text, hyperlink: url } : text;
}

/** How an item is named on GitHub: `acme/api#42`, `acme/api@1a2b3c4`, `deployment 7`. */
function gitHubText(item: PopulationItem): string {
  if (item.kind === 'direct_push') return `${item.repo}@${(item.mergeSha ?? '').slice(0, 7)}`;
  return item.kind === 'deployment' ? item.id : item.id;
}

const orNull = (v: string | null | undefined) => (v === null || v === undefined || v === '' ? null : v);

/** The details every item row carries after the working columns (Sample and Population). */
function detailColumns(): Column<PopulationItem>[] {
  return [
    { header: 'Repository', value: (i) => i.repo },
    { header: 'Author', value: (i) => orNull(i.author) },
    { header: 'Approvals', value: (i) => orNull(approversCell(i)), kind: 'wrap', max: 60 },
    { header: 'Merged, pushed or deployed by', value: (i) => orNull(i.mergedBy) },
    { header: 'Month', value: (i) => i.month },
    { header: 'Head SHA', value: (i) => orNull(i.headSha), max: 42 },
    { header: 'Merge, pushed or deployed SHA', value: (i) => orNull(i.mergeSha), max: 42 },
    { header: 'Checks', value: (i) => orNull(checksCell(i)), kind: 'wrap', max: 60 },
    { header: 'Ticket', value: (i) => orNull(i.ticket) },
    { header: 'Exceptions', value: (i) => orNull(i.exceptions.map((e) => `${EXCEPTION_WORDS[e.type] ?? e.type}: ${e.status}`).join('; ')), kind: 'wrap' },
    { header: 'Deployments', value: (i) => orNull(deploymentsCell(i)), kind: 'wrap' },
    { header: 'Enforced', value: (i) => (i.enforced ? 'yes' : 'no') },
    { header: 'Ledger seq', value: (i) => i.ledger.seq, kind: 'number' },
    { header: 'Ledger hash', value: (i) => i.ledger.hash, max: 66 },
  ];
}

/** Population: one row per item, its verdict and results, then the details. */
export function populationColumns(): Column<PopulationItem>[] {
  return [
    { header: 'Item', value: (i) => i.id },
    { header: 'Kind', value: (i) => KIND_WORDS[i.kind] ?? i.kind },
    { header: 'Title', value: (i) => i.title, kind: 'wrap', max: 50 },
    { header: 'Occurred at (UTC)', value: (i) => dateOf(i.occurredAt), kind: 'date' },
    { header: 'Verdict', value: (i) => VERDICT_WORDS[i.verdict] ?? i.verdict },
    { header: 'GitHub', value: (i) => webLink(gitHubText(i), i.url), kind: 'link' },
    ...detailColumns(),
  ];
}

/** The columns the Sample sheet prints: item, what Changeproof found, the auditor's ticks and notes, the links. */
export const SAMPLE_PRINTED_COLUMNS = 6 + 2 * ATTRIBUTES.length + 2;

/** Sample: the working columns first (printed), then the details and what each attribute saw. */
export function sampleColumns(): Column<PopulationItem>[] {
  return [
    { header: 'Item', value: (i) => ({ text: i.id, hyperlink: evidencePath(i.id) }), kind: 'link' },
    { header: 'Kind', value: (i) => KIND_WORDS[i.kind] ?? i.kind },
    { header: 'Title', value: (i) => i.title, kind: 'wrap', max: 36 },
    { header: 'Occurred at (UTC)', value: (i) => dateOf(i.occurredAt), kind: 'date' },
    { header: 'Verdict', value: (i) => VERDICT_WORDS[i.verdict] ?? i.verdict, kind: 'wrap', max: 14 },
    ...ATTRIBUTES.map((a): Column<PopulationItem> => ({ header: `Changeproof: ${ATTRIBUTE_TITLES[a]}`, value: (i) => RESULT_WORDS[i.attributes[a].result] ?? i.attributes[a].result, kind: 'wrap', max: 13 })),
    ...ATTRIBUTES.map((a): Column<PopulationItem> => ({ header: `Auditor: ${ATTRIBUTE_TITLES[a]}`, value: () => null, kind: 'tick' })),
    { header: 'Auditor notes', value: () => null, kind: 'wrap', max: 30 },
    { header: 'GitHub', value: (i) => webLink(gitHubText(i), i.url), kind: 'link', max: 24 },
    { header: 'Evidence page', value: (i) => ({ text: 'open', hyperlink: evidencePath(i.id) }), kind: 'link' },
    ...ATTRIBUTES.map((a): Column<PopulationItem> => ({ header: `${ATTRIBUTE_TITLES[a]}: what was required and seen`, value: (i) => orNull(i.attributes[a].detail), kind: 'wrap', max: 60 })),
    ...detailColumns(),
  ];
}

/** The columns the Exceptions sheet prints: through the GitHub link (the ledger references stay on screen). */
export const EXCEPTION_PRINTED_COLUMNS = 14;

/** Exceptions: each with its resolution and management's responses. */
export function exceptionColumns(sampled: ReadonlySet<string>): Column<ExceptionRow>[] {
  const responses = (x: ExceptionRow) => x.responses ?? [];
  return [
    { header: 'Item', value: (x) => (sampled.has(x.itemId) ? { text: x.itemId, hyperlink: evidencePath(x.itemId) } : x.itemId), kind: 'link' },
    { header: 'Type', value: (x) => EXCEPTION_WORDS[x.type] ?? x.type },
    { header: 'Occurred at (UTC)', value: (x) => dateOf(x.occurredAt), kind: 'date' },
    { header: 'Actor', value: (x) => orNull(x.actor) },
    { header: 'Reason', value: (x) => x.reason, kind: 'wrap', max: 60 },
    { header: 'Status', value: (x) => x.status.replace('_', ' ') },
    { header: 'Deadline (UTC)', value: (x) => dateOf(x.deadline), kind: 'date' },
    { header: 'Resolved at (UTC)', value: (x) => dateOf(x.resolvedAt), kind: 'date' },
    { header: 'Resolved by', value: (x) => orNull(x.resolvedBy) },
    { header: 'Resolution', value: (x) => orNull(x.resolution), kind: 'wrap', max: 50 },
    { header: 'Management response', value: (x) => orNull(responses(x).map((r) => r.text).join('\n\n')), kind: 'wrap', max: 60 },
    // Each response's author and time, in the order of the responses above (the first one's time also as a date to sort by).
    { header: 'Responded by', value: (x) => orNull(responses(x).map((r) => `${r.by} (${r.role}) at ${r.at}`).join('\n')), kind: 'wrap', max: 50 },
    { header: 'First responded at (UTC)', value: (x) => dateOf(responses(x)[0]?.at), kind: 'date' },
    { header: 'GitHub', value: (x) => webLink(x.itemId, x.url), kind: 'link' },
    { header: 'Ledger seq', value: (x) => x.ledger.seq, kind: 'number' },
    { header: 'Ledger hash', value: (x) => x.ledger.hash, max: 66 },
    { header: 'Resolution ledger seq', value: (x) => x.resolutionLedger?.seq ?? null, kind: 'number' },
    { header: 'Response ledger seqs', value: (x) => orNull(responses(x).map((r) => r.ledger.seq).join('; ')) },
  ];
}

/** `resolution_ledger_hash` → `Resolution ledger hash`. */
export function humanHeader(name: string): string {
  const words = name.replace(/_/g, ' ').replace(/\bsha\b/g, 'SHA').replace(/\burl\b/g, 'URL');
  return words.charAt(0).toUpperCase() + words.slice(1);
}
