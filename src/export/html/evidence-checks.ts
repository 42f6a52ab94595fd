import type { ChangeFacts } from '../../core/facts.js';
import type { ChecksEvidence } from '../../core/policy/verdict.js';
import { codes, NO_SNAPSHOT } from './evidence-words.js';
import { hash, link, NOT_RECORDED, show, table, time } from './page.js';
import { list, type Loose, type View } from './loose.js';

/**
 * Every check run and commit status reported on the head commit, and how the
 * checks rule judged each (counted, required, or set aside and why).
 *
 * @example section('checks', 'Checks', checksTable(facts, recorded, evidence<ChecksEvidence>('checks')))
 */
export function checksTable(facts: View<ChangeFacts>, recorded: boolean, e: Loose<ChecksEvidence>): string {
  const considered = list(e?.considered);
  const ignored = list(e?.ignored);
  const judged = (c: { name?: unknown; source?: unknown; at?: unknown }) => {
    const seen = considered.find((x) => x.name === c.name && x.source === c.source && x.at === c.at);
    if (seen) return `${show(seen.result)}${list(seen.requiredBy).length ? `; required by ${codes(list(seen.requiredBy))}` : ''}`;
    const set = ignored.find((x) => x.name === c.name && x.source === c.source);
    return set ? `not judged: ${show(set.why)}` : e ? 'not judged' : NOT_RECORDED;
  };
  const kind = (source: unknown) => (source === 'status' ? 'commit status' : source === 'check_run' ? 'check run' : show(source));
  const rows = list(facts.checks).map((c) => [link(show(c.name), c.url), kind(c.source), show(c.status), show(c.conclusion ?? '—'), time(c.at), show(c.reporter), judged(c)]);
  const missing = list(e?.missingRequired);
  const head = e
    ? `<p>On head ${hash(e.headSha)}: ${show(e.passing)} passing, at least ${show(e.minPassing)} required${missing.length ? `; required but not reported: ${codes(missing)}` : ''}.</p>`
    : '';
  const headers = ['Name', 'Kind', 'Status', 'Conclusion', 'At (UTC)', 'Reporter', 'Judged by the checks rule'];
  return head + table(headers, rows, { empty: recorded ? 'No checks reported on the head commit.' : NO_SNAPSHOT });
}
