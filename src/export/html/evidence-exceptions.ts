import type { ExceptionRow } from '../model.js';
import { ledgerRef } from './evidence-ledger.js';
import { login } from './evidence-words.js';
import { exceptionStatus, fields, link, section, show, time } from './page.js';
import { list } from './loose.js';
import { responsesCell } from './responses.js';

/**
 * The "Exceptions" section of an evidence page: each exception of the item
 * with its resolution and both ledger entries.
 *
 * @example exceptionsSection(input.item.exceptions)
 */
export function exceptionsSection(exceptions: readonly ExceptionRow[] | null | undefined): string {
  const blocks = list(exceptions).map((x) =>
    fields([
      ['Type', `<code>${show(x.type)}</code>`],
      ['Occurred at (UTC)', time(x.occurredAt)],
      ['Actor', login(x.actor)],
      ['Reason', show(x.reason)],
      ['Deadline (UTC)', x.deadline ? time(x.deadline) : 'none'],
      ['Status', exceptionStatus(x.status)],
      ['Resolution', x.resolvedAt || x.resolution ? `${show(x.resolution)} — by ${login(x.resolvedBy)} at ${time(x.resolvedAt)}` : 'none'],
      ['Link', x.url ? link(`<span class="url">${show(x.url)}</span>`, x.url) : 'none'],
      ['Exception entry', ledgerRef(x.ledger)],
      ['Resolution entry', x.resolutionLedger ? ledgerRef(x.resolutionLedger) : 'none'],
      ['Management response', responsesCell(x)],
    ]),
  );
  return section('exceptions', 'Exceptions', blocks.join('\n') || '<p class="empty">No exception was recorded for this item.</p>');
}
