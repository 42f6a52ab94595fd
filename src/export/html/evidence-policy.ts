import type { PolicyProblem } from '../../config/parse-policy.js';
import type { PolicyRecord } from '../../core/records.js';
import { yesNo } from './evidence-words.js';
import { flatten } from '../designs.js';
import { escapeHtml, fields, hash, jsonDetails, show, table } from './page.js';
import { list, view, type View } from './loose.js';

/**
 * The policy a verdict or a gate decision applied: validity, source files,
 * problems and the fully defaulted settings. `null` means it could not be read.
 *
 * @example section('policy', 'Policy applied', policyFields(record.policy))
 */
export function policyFields(value: unknown): string {
  if (value === null) return '<p class="fail">The policy could not be read; the verdict is then an evaluation error.</p>';
  const p = view<PolicyRecord & { problems: PolicyProblem[]; settings: unknown }>(value);
  const files = list(p.files).map((f) => [show(f.repository), `<code>${show(f.path)}</code>`, hash(f.blobSha), show(f.ref), hash(f.commitSha)]);
  const problems = list(p.problems).map((x) => `<li>${problemWords(x)}</li>`).join('');
  const noFiles = Array.isArray(p.files) ? 'No policy file: the built-in default policy applied.' : 'Policy source files not recorded.';
  return (
    fields([['Valid', yesNo(p.valid, 'yes', 'no: the file could not be used')]]) +
    table(['Repository', 'Path', 'Blob SHA', 'Ref', 'Commit SHA'], files, { empty: noFiles }) +
    (problems ? `<h3>Problems</h3><ul>${problems}</ul>` : '') +
    (p.settings !== undefined ? settingsList(p.settings) : '')
  );
}

/** The settings applied, flattened (`peer_review.required_approvals: 1`), in two columns. */
function settingsList(settings: unknown): string {
  if (settings === null || typeof settings !== 'object' || Array.isArray(settings)) return jsonDetails('Settings applied (fully defaulted)', settings);
  const items = flatten(settings as Record<string, unknown>).map(([k, v]) => `<li><code>${escapeHtml(k)}</code>: ${escapeHtml(v)}</li>`);
  return `<h3>Settings applied (fully defaulted)</h3><ul class="settings">${items.join('')}</ul>`;
}

/** `file:line:column: key: message. Hint: hint`, as `formatProblem` words it, read loosely. */
function problemWords(p: View<PolicyProblem>): string {
  const where = p.line === null || p.line === undefined ? show(p.file) : `${show(p.file)}:${show(p.line)}:${show(p.column ?? 1)}`;
  return `${where}: ${p.key ? `${show(p.key)}: ` : ''}${show(p.message)}. Hint: ${show(p.hint)}`;
}
