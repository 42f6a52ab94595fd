import type { AttributeResult } from '../model.js';

/**
 * Building blocks of the export's HTML documents (SPEC §5): every page is one
 * self-contained file an auditor can open offline, archive and print. Nothing
 * is loaded — no script, font, style sheet or image — and the Content Security
 * Policy says so, so the file shows the same today and in seven years.
 *
 * Convention: helpers taking `html` expect markup already escaped; every
 * recorded value goes through {@link escapeHtml} (or {@link show}, which does).
 */

/**
 * Escapes text for HTML element content and double- or single-quoted attribute values.
 *
 * @example escapeHtml('<b> & "x"') // '&lt;b&gt; &amp; &quot;x&quot;'
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'\u202A-\u202E\u2066-\u2069]/g, (c) => ENTITIES[c] ?? `⟨U+${c.charCodeAt(0).toString(16).toUpperCase()}⟩`);
}

// Bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) are
// shown as their code points: one in a title could make the rest of the line read in
// another order than it is stored ("Trojan Source"), so the page names it instead.
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** What a page shows where the ledger holds nothing. */
export const NOT_RECORDED = '<span class="missing">not recorded</span>';

/**
 * A recorded value as escaped text: strings and numbers as they are, booleans
 * as yes/no, anything else as JSON, and a missing value as "not recorded".
 */
export function show(value: unknown): string {
  if (value === null || value === undefined || value === '') return NOT_RECORDED;
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'string' || typeof value === 'number') return escapeHtml(String(value));
  return escapeHtml(JSON.stringify(value));
}

/** A SHA, a hash or an id that holds one, in full, in a monospace run that may wrap anywhere. */
export function hash(value: unknown): string {
  return typeof value === 'string' && value ? `<code class="hash">${escapeHtml(value)}</code>` : show(value);
}

/**
 * A timestamp in one form everywhere, `YYYY-MM-DDTHH:MM:SSZ` (UTC, whole
 * seconds); the `datetime` attribute keeps it exactly as recorded.
 *
 * @example time('2026-03-30T16:02:00.000Z') // '<time datetime="2026-03-30T16:02:00.000Z">2026-03-30T16:02:00Z</time>'
 */
export function time(value: unknown): string {
  return typeof value === 'string' && value ? `<time datetime="${escapeHtml(value)}">${escapeHtml(isoSeconds(value))}</time>` : show(value);
}

/** An ISO-8601 UTC time without fractions of a second: `2026-03-30T16:02:00.123Z` → `2026-03-30T16:02:00Z`; anything else unchanged. */
export function isoSeconds(value: string): string {
  return /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z$/.test(value) ? `${value.slice(0, 19)}Z` : value;
}

/**
 * A count with its noun, singular or plural.
 *
 * @example plural(1, 'direct push', 'direct pushes') // '1 direct push'
 */
export function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

/**
 * A link to a recorded web address. Only http(s) addresses become links, so a
 * recorded value can never turn into a `javascript:` or `file:` link.
 */
export function link(html: string, url: unknown): string {
  return typeof url === 'string' && /^https?:\/\//i.test(url) ? `<a href="${escapeHtml(url)}" rel="noreferrer">${html}</a>` : html;
}

/** A link within the export (a relative path, e.g. `evidence/acme~api~pr-42.html`). */
export function localLink(html: string, path: string): string {
  return `<a href="${escapeHtml(encodeURI(path))}">${html}</a>`;
}

export interface TableOptions {
  caption?: string;
  /** Shown instead of an empty table. */
  empty?: string;
  /** Indexes of the columns holding numbers (right-aligned). */
  numeric?: number[];
  className?: string;
}

/** A data table: plain-text headers, cells in HTML. */
export function table(headers: string[], rows: string[][], options: TableOptions = {}): string {
  if (!rows.length) return `<p class="empty">${escapeHtml(options.empty ?? 'None.')}</p>`;
  const cls = (i: number) => (options.numeric?.includes(i) ? ' class="num"' : '');
  const head = headers.map((h, i) => `<th scope="col"${cls(i)}>${escapeHtml(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c, i) => `<td${cls(i)}>${c}</td>`).join('')}</tr>`).join('\n');
  const caption = options.caption ? `<caption>${escapeHtml(options.caption)}</caption>` : '';
  return `<table${options.className ? ` class="${options.className}"` : ''}>${caption}<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody></table>`;
}

/** A two-column table of labelled values (labels plain text, values HTML). */
export function fields(pairs: [label: string, html: string][]): string {
  return `<table class="fields"><tbody>\n${pairs.map(([k, v]) => `<tr><th scope="row">${escapeHtml(k)}</th><td>${v}</td></tr>`).join('\n')}\n</tbody></table>`;
}

/** A titled section with an anchor. */
export function section(id: string, title: string, body: string): string {
  return `<section id="${escapeHtml(id)}" aria-labelledby="${escapeHtml(id)}-title">\n<h2 id="${escapeHtml(id)}-title">${escapeHtml(title)}</h2>\n${body}\n</section>`;
}

/** A value as indented JSON in a collapsed block. */
export function jsonDetails(summary: string, value: unknown): string {
  const text = value === undefined ? 'not recorded' : JSON.stringify(value, null, 2);
  return `<details><summary>${escapeHtml(summary)}</summary><pre>${escapeHtml(text)}</pre></details>`;
}

/** The words the check run uses for an outcome, extended to pushes and deployments. */
const VERDICT_WORDS: Record<string, string> = {
  compliant: 'Compliant',
  non_compliant: 'Not compliant',
  pending: 'Pending',
  emergency: 'Emergency change',
  error: 'Evaluation error',
  direct_push: 'Direct push',
  approved: 'Approved by the gate',
  rejected: 'Rejected by the gate',
  not_gated: 'Not gated',
  no_decision: 'No decision',
};

const VERDICT_CLASS: Record<string, string> = {
  compliant: 'pass',
  approved: 'pass',
  non_compliant: 'fail',
  rejected: 'fail',
  error: 'fail',
  direct_push: 'fail',
  pending: 'warn',
  emergency: 'warn',
};

/** A verdict in words, its recorded code in the tooltip, e.g. "Not compliant" (`non_compliant`). */
export function verdictLabel(verdict: unknown): string {
  if (typeof verdict !== 'string' || !verdict) return show(verdict);
  const words = VERDICT_WORDS[verdict];
  const cls = VERDICT_CLASS[verdict];
  return `<span${cls ? ` class="${cls}"` : ''} title="${escapeHtml(verdict)}">${escapeHtml(words ?? verdict)}</span>`;
}

const EXCEPTION_STATUS_CLASS: Record<string, string> = { open: 'warn', resolved: 'pass', resolved_late: 'fail', overdue: 'fail' };

/** An exception's status (`open`, `resolved`, `resolved_late`, `overdue`), coloured by how it ended. */
export function exceptionStatus(status: unknown): string {
  const cls = typeof status === 'string' ? EXCEPTION_STATUS_CLASS[status] : undefined;
  return cls ? `<span class="${cls}">${show(status)}</span>` : show(status);
}

const ATTRIBUTE_MARKS: Record<AttributeResult, string> = {
  pass: '<span class="pass">✓ pass</span>',
  fail: '<span class="fail">✗ fail</span>',
  not_applicable: '<span class="na">n/a</span>',
  not_evaluated: '<span class="warn">not evaluated</span>',
};

/** The auditor's tick mark for a control attribute. */
export function attributeMark(result: unknown): string {
  return typeof result === 'string' && result in ATTRIBUTE_MARKS ? ATTRIBUTE_MARKS[result as AttributeResult] : show(result);
}

/**
 * Compliant share as a percentage, rounded down to one decimal so a rate is
 * never overstated (99.96% shows as 99.9%, not 100%); null when there is nothing to divide.
 *
 * @example percent(2, 3) // '66.6%'
 */
export function percent(part: number, total: number): string | null {
  if (!(total > 0)) return null;
  return `${Math.floor((part / total) * 1000) / 10}%`;
}

export interface PageInput {
  /** Plain text, for `<title>`. */
  title: string;
  /** The document's content, in HTML. */
  body: string;
  /** Plain text printed at the foot of every page, beside "Page N of M" (e.g. the item id). */
  printFooter?: string;
}

/**
 * A complete HTML5 document around `body`, with the inline style sheet and a
 * Content Security Policy that lets nothing load.
 *
 * @example page({ title: 'Evidence — acme/api#42', body: '<h1>…</h1>' })
 */
export function page({ title, body, printFooter }: PageInput): string {
  const footer = printFooter === undefined ? '' : `<style>@page{@bottom-left{content:${cssString(printFooter)};font:8pt system-ui,Arial,sans-serif;color:#5a636e}@bottom-right{content:"Page " counter(page) " of " counter(pages);font:8pt system-ui,Arial,sans-serif;color:#5a636e}}</style>\n`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
${footer}</head>
<body>
${body}
</body>
</html>
`;
}

/** A CSS string literal: quotes, backslashes, markup and line breaks escaped as CSS escapes. */
export function cssString(text: string): string {
  return `"${text.replace(/[\\"<>&\n\r]/g, (c) => `\\${c.charCodeAt(0).toString(16)} `)}"`;
}

/** Nothing may load: styles are inline, the only images would be `data:` URLs. */
export const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

const STYLE = `
:root{--ink:#1b1f24;--muted:#5a636e;--rule:#c9d1d9;--head:#f2f4f7;--pass:#1a7f37;--fail:#b42318;--warn:#8a5a00;--accent:#23466e}
*{box-sizing:border-box}
html{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,"Liberation Sans",sans-serif;color:var(--ink);background:#fff}
body{max-width:1120px;margin:0 auto;padding:24px 32px 48px}
header.doc{border-bottom:2px solid var(--ink);padding-bottom:10px;margin-bottom:8px}
h1{font-size:1.6rem;margin:0 0 6px;overflow-wrap:anywhere}
h2{font-size:1.2rem;margin:30px 0 8px;padding-bottom:3px;border-bottom:1px solid var(--rule)}
h3{font-size:1rem;margin:18px 0 6px}
p{margin:6px 0}
.meta{color:var(--muted);margin:2px 0}
nav.toc{font-size:.92em;color:var(--muted);margin:8px 0 0}
nav.toc a{margin-right:12px}
a{color:var(--accent)}
table{border-collapse:collapse;width:100%;margin:6px 0 14px;font-size:.92em}
caption{text-align:left;font-weight:600;padding:2px 0 4px}
th,td{border:1px solid var(--rule);padding:4px 6px;text-align:left;vertical-align:top;overflow-wrap:break-word}
thead th{background:var(--head);font-weight:600}
table.fields th{width:26%;background:var(--head);font-weight:600}
.num{text-align:right;font-variant-numeric:tabular-nums}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono","Liberation Mono",monospace;font-size:.88em}
code.hash,.url{overflow-wrap:anywhere;word-break:break-all}
pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f6f8fa;border:1px solid var(--rule);padding:8px;margin:6px 0;font-size:.8em}
.missing,.empty,.na{color:var(--muted);font-style:italic}
.pass{color:var(--pass);font-weight:600}
.fail{color:var(--fail);font-weight:600}
.warn{color:var(--warn);font-weight:600}
.note{color:var(--muted);font-size:.92em}
details{margin:4px 0}
summary{cursor:pointer;color:var(--accent)}
article.entry{border:1px solid var(--rule);border-left:4px solid var(--accent);padding:6px 10px;margin:10px 0}
article.entry h3{margin:2px 0 6px}
figure{margin:10px 0}
figure svg{display:block;width:100%;height:auto;max-height:380px}
figcaption{color:var(--muted);font-size:.9em}
ul.settings{margin:0;padding-left:16px;font-size:.85em;columns:2 220px}
p.response{margin:2px 0 6px}
time{white-space:nowrap}
table.ledger td{font-size:.9em}
section.appendix h2{margin-top:36px}
footer.doc{margin-top:36px;padding-top:8px;border-top:1px solid var(--rule);color:var(--muted);font-size:.85em}
@page{size:A4;margin:14mm 12mm 16mm}
@media print{
html{font-size:8.5pt}
body{max-width:none;padding:0}
a{color:inherit;text-decoration:none}
thead{display:table-header-group}
thead th,table.fields th,pre{background:none}
figure,tr,article.entry{break-inside:avoid}
h2,h3,caption{break-after:avoid}
code.hash,.url,pre{overflow-wrap:anywhere}
summary{color:inherit}
details.print-open::details-content{content-visibility:visible;display:block}
section.appendix details:not([open]){break-inside:avoid}
nav.toc{display:none}
time{white-space:normal}
}
`
  .trim()
  .replace(/\n/g, '');
