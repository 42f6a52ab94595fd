// Short phrasings of recorded values shared by the sections of an evidence page.
import { evidenceFile } from '../model.js';
import { escapeHtml, localLink, NOT_RECORDED, show } from './page.js';

/** A GitHub login as `@login`, or "not recorded". */
export const login = (name: unknown) => (typeof name === 'string' && name ? `@${escapeHtml(name)}` : show(name));

/** `yes` or `no` for a recorded boolean; "not recorded" for anything else, so a missing flag never reads as "no". */
export const yesNo = (value: unknown, yes: string, no: string) => (value === true ? yes : value === false ? no : NOT_RECORDED);

/** Each item in `<code>`, comma-separated. */
export const codes = (items: readonly unknown[]) => items.map((i) => `<code>${show(i)}</code>`).join(', ');

/** The empty-table text of a change evaluated without facts (an evaluation error). */
export const NO_SNAPSHOT = 'Not recorded: the evaluation holds no evidence snapshot.';

/** A link to another sampled item's evidence page (a sibling file), or the text alone. */
export function sampledLink(html: string, itemId: string | null | undefined, sampledIds: ReadonlySet<string> | undefined): string {
  return itemId && sampledIds?.has(itemId) ? localLink(html, evidenceFile(itemId)) : html;
}
