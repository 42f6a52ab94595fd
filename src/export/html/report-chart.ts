import type { MonthSummary } from '../model.js';
import { escapeHtml, percent } from './page.js';

const W = 760;
const H = 320;
const PLOT = { left: 56, right: 16, top: 44, bottom: 64 };
const PLOT_W = W - PLOT.left - PLOT.right;
const PLOT_H = H - PLOT.top - PLOT.bottom;
const COMPLIANT = '#23466e';
const OTHER = '#c5cfdb';
const fix = (n: number) => Number(n.toFixed(2));

/**
 * The compliance rate per month as an inline SVG bar chart: each month's bar
 * is its item count, its dark part the compliant items, the label above it
 * the rate. A month without items gets an empty bar and "—" (no rate).
 * Labels turn 45° past 12 months so 24 months still fit.
 */
export function complianceChart(months: readonly MonthSummary[], label: string, timeZone: string): string {
  const title = `Compliance rate per month, ${label}`;
  const { max, step } = scale(Math.max(0, ...months.map((m) => m.total)));
  const y = (v: number) => fix(PLOT.top + PLOT_H - (v / max) * PLOT_H);
  const band = PLOT_W / Math.max(1, months.length);
  const bars = months.map((m, i) => bar(m, PLOT.left + i * band, band, y, max, months.length > 12)).join('\n');
  const empty = months.length ? '' : `<text x="${W / 2}" y="${PLOT.top + PLOT_H / 2}" text-anchor="middle" font-size="13" fill="#5a636e">No items in the period</text>`;
  const desc = months.map((m) => `${m.month}: ${m.compliant} of ${m.total} compliant`).join('; ') || 'No items in the period.';
  return `<svg id="compliance-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="${escapeHtml(title)}" font-family="system-ui, Arial, sans-serif">
<title>${escapeHtml(title)}</title><desc>${escapeHtml(desc)}</desc>
${legend()}
${axes(max, step, y, timeZone)}
<g class="bars">${bars}</g>${empty}
</svg>`;
}

function bar(m: MonthSummary, left: number, band: number, y: (v: number) => number, max: number, crowded: boolean): string {
  const width = Math.min(48, band * 0.62);
  const x = fix(left + (band - width) / 2);
  const cx = fix(left + band / 2);
  const rate = percent(m.compliant, m.total);
  const base = H - PLOT.bottom;
  const month = crowded
    ? `<text x="${cx}" y="${base + 14}" font-size="10" text-anchor="end" transform="rotate(-45 ${cx} ${base + 14})">${escapeHtml(m.month)}</text>`
    : `<text x="${cx}" y="${base + 18}" font-size="11" text-anchor="middle">${escapeHtml(m.month)}</text>`;
  const tooltip = `${m.month}: ${m.compliant} of ${m.total} compliant${rate ? ` (${rate})` : ''}, ${m.exceptions} exception(s)`;
  return `<g class="month" data-month="${escapeHtml(m.month)}"><title>${escapeHtml(tooltip)}</title>
<rect class="bar-total" x="${x}" y="${y(m.total)}" width="${fix(width)}" height="${fix((m.total / max) * PLOT_H)}" fill="${OTHER}"/>
<rect class="bar-compliant" x="${x}" y="${y(m.compliant)}" width="${fix(width)}" height="${fix((m.compliant / max) * PLOT_H)}" fill="${COMPLIANT}"/>
<text class="rate" x="${cx}" y="${fix(y(m.total) - 5)}" font-size="${crowded ? 8 : 11}" text-anchor="middle" fill="#1b1f24">${rate ?? '—'}</text>${month}</g>`;
}

function legend(): string {
  return `<g class="legend" font-size="11">
<rect x="${PLOT.left}" y="12" width="12" height="12" fill="${COMPLIANT}"/><text x="${PLOT.left + 18}" y="22">Compliant</text>
<rect x="${PLOT.left + 110}" y="12" width="12" height="12" fill="${OTHER}"/><text x="${PLOT.left + 128}" y="22">Not compliant</text>
</g>`;
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
