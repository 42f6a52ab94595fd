import type { LedgerEntry } from '../../ledger/ledger.js';
import type { EvidenceInput } from '../model.js';
import { escapeHtml, fields, hash, jsonDetails, NOT_RECORDED, section, show, time } from './page.js';

/** The entries of one kind, in ledger order. */
export const ofKind = (entries: readonly LedgerEntry[], kind: string) => entries.filter((e) => e.kind === kind);

/** Where a record sits in the ledger: `seq N, hash H`. */
export function ledgerRef(ref: { seq?: unknown; hash?: unknown } | null | undefined): string {
  return ref ? `seq ${show(ref.seq)}, hash ${hash(ref.hash)}` : NOT_RECORDED;
}

/**
 * The "Ledger entries" section: every entry of the item exactly as recorded,
 * then the entries of the deployments that carried a change.
 *
 * @example ledgerSection({ entries, deploymentEntries, … })
 */
export function ledgerSection({ entries, deploymentEntries }: EvidenceInput): string {
  const intro =
    '<p class="note">Each entry exactly as recorded. An entry\'s hash is the SHA-256 of its <code>prev_hash</code> followed by the RFC 8785 canonical JSON ' +
    'of the entry without <code>hash</code>; <code>changeproof verify</code> checks the whole chain and its signed checkpoints.</p>';
  const own = new Set(entries.map((e) => e.seq));
  const carried = deploymentEntries.filter((e) => !own.has(e.seq));
  const more = carried.length ? `<h3>Entries of the deployments that carried the change</h3>${carried.map(entryBlock).join('\n')}` : '';
  return section('ledger', 'Ledger entries', intro + (entries.map(entryBlock).join('\n') || '<p class="empty">No ledger entry.</p>') + more);
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
  return `<article class="entry" id="entry-${escapeHtml(String(e.seq))}">
<h3>Entry ${show(e.seq)}: <code>${show(e.kind)}</code> ${show(e.subject)}</h3>
${header}
${jsonDetails('Data (JSON, as recorded)', e.data)}
</article>`;
}
