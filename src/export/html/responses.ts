import type { ExceptionResponse } from '../model.js';
import { list, type Loose } from './loose.js';
import { escapeHtml, link, show, time } from './page.js';

/**
 * Management's responses to an exception, each with who responded (and their
 * role then), when, a link to the comment, its ledger entry, and the text —
 * escaped, whatever it holds. Read loosely: a row of an older export has none.
 *
 * @example responsesCell(row) // '<p class="response"><strong>@dave</strong> (maintain) at …'
 */
export function responsesCell(x: { responses?: Loose<ExceptionResponse[]> } | null | undefined): string {
  const responses = list(x?.responses);
  if (!responses.length) return '<span class="empty">none</span>';
  return responses
    .map((r) => `<p class="response"><strong>@${escapeHtml(String(r.by ?? ''))}</strong> (${show(r.role)}) at ${time(r.at)}${r.url ? ` ${link('(comment)', r.url)}` : ''}, ledger seq ${show(r.ledger?.seq)}:<br>${show(r.text)}</p>`)
    .join('');
}
