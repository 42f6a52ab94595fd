import type { LedgerEntry } from '../../ledger/ledger.js';
import type { EvidenceInput } from '../model.js';
import { escapeHtml, fields, hash, NOT_RECORDED, section, show, table, time } from './page.js';

/** The entries of one kind, in ledger order. */
export const ofKind = (entries: readonly LedgerEntry[], kind: string) => entries.filter((e) => e.kind === kind);

/** Where a record sits in the ledger: `seq N, hash H`. */
export function ledgerRef(ref: { seq?: unknown; hash?: unknown } | null | undefined): string {
  return ref ? `seq ${show(ref.seq)}, hash ${hash(ref.hash)}` : NOT_RECORDED;
}

/**
 * The "Ledger entries" section: one row per entry of the item (then of the
 * deployments that carried a change) with its time, kind and hashes in full —
 * compact enough to print — and the appendix holding each entry's recorded
 * data, collapsed: it stays in the file, and prints only when opened.
 *
 * @example ledgerSection({ entries, deploymentEntries, … }) + ledgerAppendix({ entries, deploymentEntries, … })
 */
export function ledgerSection({ entries, deploymentEntries }: EvidenceInput): string {
  const intro =
    '<p class="note">Every entry about this item. An entry\'s hash is the SHA-256 of its <code>prev_hash</code> followed by the RFC 8785 canonical JSON ' +
    'of the entry without <code>hash</code>; <code>changeproof verify</code> checks the whole chain and its signed checkpoints. ' +
    'The data of each entry, exactly as recorded, is in the <a href="#appendix">appendix</a> (open an entry there to print it).</p>';
  const own = new Set(entries.map((e) => e.seq));
  const carried = deploymentEntries.filter((e) => !own.has(e.seq));
  const more = carried.length ? entryTable(carried, 'Entries of the deployments that carried the change') : '';
  return section('ledger', 'Ledger entries', intro + (entries.length ? entryTable(entries) : '<p class="empty">No ledger entry.</p>') + more);
}

/** Each entry's data as recorded, one collapsed block per entry. */
export function ledgerAppendix({ entries, deploymentEntries }: EvidenceInput): string {
  const own = new Set(entries.map((e) => e.seq));
  const all = [...entries, ...deploymentEntries.filter((e) => !own.has(e.seq))];
  const note = '<p class="note">Collapsed: open an entry to read it, or to print it with the page.</p>';
  return `<section id="appendix" class="appendix" aria-labelledby="appendix-title">\n<h2 id="appendix-title">Appendix: ledger entries as recorded</h2>\n${note}${all.map(entryBlock).join('\n') || '<p class="empty">No ledger entry.</p>'}\n</section>`;
}

function entryTable(entries: readonly LedgerEntry[], caption?: string): string {
  const rows = entries.map((e) => [
    `<a href="#entry-${escapeHtml(String(e.seq))}">${show(e.seq)}</a>`,
    time(e.recorded_at),
    `<code>${show(e.kind)}</code>`,
    `<code>${show(e.subject)}</code>`,
    `${hash(e.hash)}<br><span class="note">previous ${hash(e.prev_hash)}</span>`,
  ]);
  return table(['Seq', 'Recorded at (UTC)', 'Kind', 'Subject', 'Hash (and previous hash)'], rows, { className: 'ledger', ...(caption ? { caption } : {}) });
}

function entryBlock(e: LedgerEntry): string {
  const header = fields([
    ['Seq', show(e.seq)],
    ['Recorded at (UTC)', time(e.recorded_at)],
    ['Kind', `<code>${show(e.kind)}</code>`],
    ['Repository', show(e.repo)],
    ['Subject', `<code>${show(e.subject)}</code>`],
    ['Previous hash', hash(e.prev_hash)],
    ['Hash', hash(e.hash)],
  ]);
  return `<details class="raw" id="entry-${escapeHtml(String(e.seq))}"><summary>Entry ${show(e.seq)}: ${show(e.kind)} ${show(e.subject)}</summary>
${header}
<pre>${escapeHtml(e.data === undefined ? 'not recorded' : jsonText(e.data))}</pre>
</details>`;
}

/**
 * An entry's data as indented JSON, with bidirectional controls written as JSON escapes
 * (`\u202e`): the same value, exactly as recorded, but shown in the order it is stored.
 */
function jsonText(data: unknown): string {
  return JSON.stringify(data, null, 2).replace(/[\u202A-\u202E\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
