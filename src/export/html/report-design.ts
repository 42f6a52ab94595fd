import type { ReportInput } from '../model.js';
import { escapeHtml, section, show, table, time } from './page.js';

/**
 * The report's sections on what the controls covered: from when the ledger
 * covers each repository, and the control design in force — each
 * repository's effective policy with the dates it was in force, from the
 * ledger's `policy` entries.
 */

export function coverageSection({ coverage }: ReportInput): string {
  if (!coverage) return section('coverage', 'Coverage', '<p class="empty">Not stated by this export.</p>');
  const covered = coverage?.repositories.map((r) => [
    `<code>${escapeHtml(r.repository)}</code>`,
    r.from === null ? 'never (no entry about it)' : time(r.from),
    r.covers === 'whole' ? '<span class="pass">the whole period</span>' : r.covers === 'partial' ? `<span class="fail">only from ${time(r.from)}</span>` : '<span class="fail">none of the period</span>',
  ]) ?? [];
  const warning = coverage?.partial
    ? '<p class="fail"><strong>Partial coverage:</strong> the ledger does not cover the whole period for every repository; what happened before it covered a repository is not in this export (it was made with <code>--allow-partial-coverage</code>).</p>'
    : '';
  const coverageTable = warning + table(['Repository', 'Ledger covers it from (UTC)', 'Covers'], covered, { caption: 'From when the ledger recorded each repository (its first entry, or the installation that added it)' });
  return section('coverage', 'Coverage', coverageTable);
}

export function designSection({ designs, period }: ReportInput): string {
  if (!designs) return section('design', 'Control design in force', '<p class="empty">Not stated by this export.</p>');
  const rows = designs.map((d) => [
    `<code>${escapeHtml(d.repository)}</code>`,
    time(d.from),
    d.until ? time(d.until) : 'still in force',
    d.sources.length ? d.sources.map((s) => `<code class="hash">${escapeHtml(s)}</code>`).join('<br>') : 'no policy file: the defaults',
    d.valid
      ? `<ul class="settings">${d.settings.map(([k, v]) => `<li><code>${escapeHtml(k)}</code>: ${escapeHtml(v)}</li>`).join('')}</ul>`
      : `<span class="fail">invalid</span>: ${d.problems.map((p) => escapeHtml(p)).join('; ') || 'see the ledger entry'}`,
    `seq ${show(d.ledger.seq)}`,
  ]);
  const note =
    '<p class="note">Each repository\'s effective policy (its files and their blob SHAs, merged over the defaults), from when the ledger first recorded it in use until it was replaced. ' +
    'A change is judged by the design in force when it was evaluated; every evaluation in the ledger carries the policy it applied.</p>';
  const empty = `No policy was recorded in use during ${period.label}.`;
  return section('design', 'Control design in force', table(['Repository', 'In force from (UTC)', 'Until (UTC)', 'Sources', 'Settings', 'Ledger'], rows, { empty, className: 'design' }) + note);
}
