import { NO_CATEGORIES, type CategoryCounts, type MonthSummary } from '../model.js';
import { escapeHtml, percent, plural } from './page.js';

const W = 760;
const H = 340;
const PLOT = { left: 56, right: 16, top: 64, bottom: 64 };
const PLOT_W = W - PLOT.left - PLOT.right;
const PLOT_H = H - PLOT.top - PLOT.bottom;
const fix = (n: number) => Number(n.toFixed(2));

/** The chart's categories, bottom to top, with their colours and legend words. */
export const CATEGORIES: { key: keyof CategoryCounts; label: string; colour: string }[] = [
  { key: 'changesCompliant', label: 'Changes: compliant', colour: '#23466e' },
  { key: 'changesNotCompliant', label: 'Changes: not compliant', colour: '#c2410c' },
  { key: 'directPushes', label: 'Direct pushes', colour: '#b42318' },
  { key: 'deploymentsApproved', label: 'Deployments: approved', colour: '#5b8db8' },
  { key: 'deploymentsRejected', label: 'Deployments: rejected by the gate', colour: '#a3a3a3' },
  { key: 'deploymentsUngated', label: 'Deployments: without the gate', colour: '#7a1c1c' },
];

/** A month's categories; a summary of an older export has none: its items count as changes, compliant or not. */
export function categoriesOf(m: MonthSummary): CategoryCounts {
  return m.categories ?? { ...NO_CATEGORIES, changesCompliant: m.compliant, changesNotCompliant: m.total - m.compliant };
}

/**
 * The population per month as an inline SVG stacked bar chart, one colour per
 * category: changes (compliant or not), direct pushes, and deployments by the
 * gate's decision — a deployment the gate rejected is its own category, never
 * counted as compliant. The label above each bar is the month's change
 * compliance rate (compliant changes of all changes), "—" without changes.
 * Labels turn 45° past 12 months so 24 months still fit.
 */
export function complianceChart(months: readonly MonthSummary[], label: string, timeZone: string): string {
  const title = `Changes, direct pushes and deployments per month, ${label}`;
  const { max, step } = scale(Math.max(0, ...months.map((m) => m.total)));
  const y = (v: number) => fix(PLOT.top + PLOT_H - (v / max) * PLOT_H);
  const band = PLOT_W / Math.max(1, months.length);
  const bars = months.map((m, i) => bar(m, PLOT.left + i * band, band, y, max, months.length > 12)).join('\n');
  const empty = months.length ? '' : `<text x="${W / 2}" y="${PLOT.top + PLOT_H / 2}" text-anchor="middle" font-size="13" fill="#5a636e">No items in the period</text>`;
  const desc = months.map((m) => `${m.month}: ${describeMonth(m)}`).join('; ') || 'No items in the period.';
  return `<svg id="compliance-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="${escapeHtml(title)}" font-family="system-ui, Arial, sans-serif">
<title>${escapeHtml(title)}</title><desc>${escapeHtml(desc)}</desc>
${legend()}
${axes(max, step, y, timeZone)}
<g class="bars">${bars}</g>${empty}
</svg>`;
}

/** "3 changes (2 compliant), 1 direct push, 1 deployment rejected by the gate" */
export function describeMonth(m: MonthSummary): string {
  const c = categoriesOf(m);
  const changes = c.changesCompliant + c.changesNotCompliant;
  const parts = [`${plural(changes, 'change', 'changes')} (${c.changesCompliant} compliant)`];
  if (c.directPushes) parts.push(plural(c.directPushes, 'direct push', 'direct pushes'));
  if (c.deploymentsApproved) parts.push(`${plural(c.deploymentsApproved, 'deployment', 'deployments')} approved`);
  if (c.deploymentsRejected) parts.push(`${plural(c.deploymentsRejected, 'deployment', 'deployments')} rejected by the gate`);
  if (c.deploymentsUngated) parts.push(`${plural(c.deploymentsUngated, 'deployment', 'deployments')} without the gate`);
  return `${parts.join(', ')}; ${plural(m.exceptions, 'item', 'items')} with an exception`;
}

/** Compliant changes of all changes of a month, or null without changes. */
export function changeRate(m: MonthSummary): string | null {
  const c = categoriesOf(m);
  return percent(c.changesCompliant, c.changesCompliant + c.changesNotCompliant);
}

function bar(m: MonthSummary, left: number, band: number, y: (v: number) => number, max: number, crowded: boolean): string {
  const width = Math.min(48, band * 0.62);
  const x = fix(left + (band - width) / 2);
  const cx = fix(left + band / 2);
  const rate = changeRate(m);
  const base = H - PLOT.bottom;
  const month = crowded
    ? `<text x="${cx}" y="${base + 14}" font-size="10" text-anchor="end" transform="rotate(-45 ${cx} ${base + 14})">${escapeHtml(m.month)}</text>`
    : `<text x="${cx}" y="${base + 18}" font-size="11" text-anchor="middle">${escapeHtml(m.month)}</text>`;
  const c = categoriesOf(m);
  let below = 0;
  const segments = CATEGORIES.map(({ key, colour }) => {
    const n = c[key];
    if (!n) return '';
    const rect = `<rect class="bar-${key}" data-category="${key}" data-count="${n}" x="${x}" y="${y(below + n)}" width="${fix(width)}" height="${fix((n / max) * PLOT_H)}" fill="${colour}"/>`;
    below += n;
    return rect;
  }).join('');
  return `<g class="month" data-month="${escapeHtml(m.month)}"><title>${escapeHtml(`${m.month}: ${describeMonth(m)}`)}</title>
${segments}
<text class="rate" x="${cx}" y="${fix(y(m.total) - 5)}" font-size="${crowded ? 8 : 11}" text-anchor="middle" fill="#1b1f24">${rate ?? '—'}</text>${month}</g>`;
}

function legend(): string {
  const perRow = 3;
  const items = CATEGORIES.map(({ key, label, colour }, i) => {
    const lx = PLOT.left + (i % perRow) * 220;
    const ly = 10 + Math.floor(i / perRow) * 18;
    return `<g data-legend="${key}"><rect x="${lx}" y="${ly}" width="12" height="12" fill="${colour}"/><text x="${lx + 18}" y="${ly + 10}">${escapeHtml(label)}</text></g>`;
  });
  return `<g class="legend" font-size="11">${items.join('')}</g>`;
}

function axes(max: number, step: number, y: (v: number) => number, timeZone: string): string {
  const ticks = Array.from({ length: Math.round(max / step) + 1 }, (_, i) => i * step)
    .map((t) => `<line x1="${PLOT.left}" x2="${W - PLOT.right}" y1="${y(t)}" y2="${y(t)}" stroke="#d8dee4"/><text x="${PLOT.left - 6}" y="${fix(y(t) + 4)}" text-anchor="end" font-size="11" fill="#5a636e">${t}</text>`)
    .join('');
  const middle = fix(PLOT.top + PLOT_H / 2);
  return `<g class="axis">${ticks}
<line x1="${PLOT.left}" x2="${PLOT.left}" y1="${PLOT.top}" y2="${PLOT.top + PLOT_H}" stroke="#1b1f24"/>
<line x1="${PLOT.left}" x2="${W - PLOT.right}" y1="${PLOT.top + PLOT_H}" y2="${PLOT.top + PLOT_H}" stroke="#1b1f24"/>
<text x="14" y="${middle}" font-size="11" text-anchor="middle" transform="rotate(-90 14 ${middle})">Items</text>
<text x="${fix(PLOT.left + PLOT_W / 2)}" y="${H - 6}" font-size="11" text-anchor="middle">Month (${escapeHtml(timeZone)})</text>
</g>`;
}

/** A y-axis maximum and a whole-number tick step (1, 2 or 5 × 10ⁿ), about four ticks; never zero. */
function scale(top: number): { max: number; step: number } {
  if (top <= 0) return { max: 4, step: 1 };
  const rough = Math.max(1, top / 4);
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((f) => f * magnitude).find((s) => s >= rough)!;
  return { max: Math.ceil(top / step) * step, step };
}
