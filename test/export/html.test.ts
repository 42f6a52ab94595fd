import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { POINTS_OF_FOCUS } from '../../src/core/cc81.js';
import type { EvaluationRecord } from '../../src/core/records.js';
import { errorVerdict } from '../../src/core/policy/special-verdicts.js';
import { renderEvidencePage } from '../../src/export/html/evidence-page.js';
import { CSP, escapeHtml, page, percent } from '../../src/export/html/page.js';
import { renderReport } from '../../src/export/html/report-page.js';
import { ATTRIBUTE_TITLES, ATTRIBUTES, evidencePath, type ItemKind } from '../../src/export/model.js';
import { ENTRY_KINDS, type EntryKind } from '../../src/ledger/ledger.js';
import { HEAD, OLD, sha } from '../core/facts-builder.js';
import { changeFacts, changeScenario, deploymentScenario, EntryChain, evidenceInput, GENERATED_AT, months, PERIOD, pushScenario, REPO, reportInput, trigger } from './support/fixtures.js';

const HOSTILE = '<script>alert("x")</script> & <img src=x onerror=alert(1)>';
const count = (html: string, re: RegExp) => html.match(re)?.length ?? 0;

/** Every `<section id>` of a document. */
const sectionIds = (html: string) => [...html.matchAll(/<section id="([^"]+)"/g)].map((m) => m[1]);

describe('escapeHtml', () => {
  it.each([
    ['<script>', '&lt;script&gt;'],
    ['a & b', 'a &amp; b'],
    ['"quoted" \'single\'', '&quot;quoted&quot; &#39;single&#39;'],
    ['&amp; stays visible as typed', '&amp;amp; stays visible as typed'],
    ['plain', 'plain'],
  ])('escapes %j', (text, expected) => {
    expect(escapeHtml(text)).toBe(expected);
  });
});

describe('percent', () => {
  it.each([
    [2, 3, '66.6%'],
    [1, 1, '100%'],
    [0, 5, '0%'],
    [9996, 10000, '99.9%'],
    [0, 0, null],
  ])('%i of %i is %s (rounded down, never overstated)', (part, total, expected) => {
    expect(percent(part, total)).toBe(expected);
  });
});

describe('page layout', () => {
  const html = page({ title: `Title ${HOSTILE}`, body: '<p>body</p>' });

  it('is a complete HTML5 document with a charset and a CSP that lets nothing load', () => {
    expect(html.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
    expect(html).toContain('<meta charset="utf-8">');
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="${CSP}">`);
    expect(CSP).toBe("default-src 'none'; style-src 'unsafe-inline'; img-src data:");
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
  });

  it('names the document and the page number at the foot of every printed page, its text escaped for CSS', () => {
    const html = page({ title: 't', body: '', printFooter: 'Evidence — acme/api#42 "</style><script>' });
    expect(html).toContain('@bottom-left{content:"Evidence — acme/api#42 \\22 \\3c /style\\3e \\3c script\\3e "');
    expect(html).toContain('@bottom-right{content:"Page " counter(page) " of " counter(pages)');
    expect(html).not.toContain('</style><script>');
    expect(page({ title: 't', body: '' })).not.toContain('@bottom-left');
  });

  it('escapes the title', () => {
    expect(html).toContain('<title>Title &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;img');
  });

  it('has no script, no external resource and print styles for A4', () => {
    const plain = page({ title: 'Plain', body: '<p>body</p>' });
    expect(plain).not.toMatch(/<script|<link|<iframe|@import|url\(|\ssrc=|https?:/i);
    expect(html).toContain('@page{size:A4');
    expect(html).toContain('@media print{');
    expect(html).toContain('break-inside:avoid');
    expect(html).toContain('overflow-wrap:anywhere');
  });
});

describe('evidence page of a merged pull request', () => {
  const scenario = changeScenario();
  const deployment = deploymentScenario(scenario);
  const html = renderEvidencePage(scenario.input);
  const entries = [...scenario.input.entries, ...scenario.input.deploymentEntries];

  it('is titled by the item and states the period, generation time and tool version', () => {
    expect(html).toContain('<title>Evidence — acme/api#42</title>');
    expect(html).toContain('<h1>Evidence — acme/api#42</h1>');
    for (const text of [PERIOD.label, PERIOD.start, PERIOD.end, GENERATED_AT, 'Changeproof 0.1.0']) expect(html).toContain(text);
  });

  it('has every section, in the order an auditor reads them', () => {
    expect(sectionIds(html)).toEqual(['summary', 'change', 'verdict', 'rules', 'reviews', 'commits', 'checks', 'exceptions', 'deployments', 'policy', 'ledger', 'appendix']);
  });

  it('shows the change: refs, full head and merge SHAs, merge time and merger, labels, ticket', () => {
    for (const text of ['alice/rate-limit', HEAD, sha('merge'), sha('base'), '2026-03-10T11:00:00Z', '@dave', '<code>backend</code>', 'PROJ-123', 'https://github.com/acme/api/pull/42']) {
      expect(html, text).toContain(text);
    }
  });

  it('shows the final verdict, whether enforced, and every rule with what it required and saw', () => {
    expect(scenario.verdict.outcome).toBe('compliant');
    expect(html).toMatch(/Outcome<\/th><td><span class="pass" title="compliant">Compliant<\/span><\/td>/);
    expect(html).toContain('<th scope="row">Enforced</th><td>yes</td>');
    for (const rule of scenario.verdict.rules) {
      expect(html).toContain(escapeHtml(rule.required));
      expect(html).toContain(escapeHtml(rule.seen));
    }
    expect(html).toContain(`CC8.1-PF8 ${POINTS_OF_FOCUS['CC8.1-PF8']}`);
    expect(html).toContain(`CC8.1-PF13 ${POINTS_OF_FOCUS['CC8.1-PF13']}`);
  });

  it('shows every review and whether it counted, with why not', () => {
    const row = (who: string) => html.split('<tr>').find((r) => r.startsWith(`<td>@${who}</td>`)) ?? '';
    expect(row('carol')).toContain('✓ counts');
    expect(row('carol')).toContain(`${HEAD}</code> (head)`);
    expect(row('bob')).toContain('✗ does not count');
    expect(row('bob')).toContain(`approved an older commit ${OLD.slice(0, 7)}`);
    expect(row('bob')).toContain('2026-03-09T15:00:00Z');
    expect(row('dave')).toContain('not an approval');
    expect(html).toContain('1 of 1 required approval counts.');
  });

  it('shows every commit in full with authors, co-authors and committer times', () => {
    expect(html).toContain(`<a href="https://github.com/acme/api/commit/head" rel="noreferrer"><code class="hash">${HEAD}</code></a>`);
    expect(html).toContain(`<code class="hash">${OLD}</code>`);
    expect(html).toContain('erin &lt;erin@example.com&gt; (@erin)');
    expect(html).toContain('2026-03-09T09:00:00Z');
  });

  it('shows every check with its kind, conclusion, time, reporter and judgement', () => {
    const ci = html.split('<tr>').find((r) => r.startsWith('<td>ci</td>')) ?? '';
    expect(ci).toMatch(/check run.*completed.*success.*2026-03-10T09:30:00Z.*github-actions.*passing/s);
    const coverage = html.split('<tr>').find((r) => r.startsWith('<td>coverage</td>')) ?? '';
    expect(coverage).toMatch(/commit status.*2026-03-10T09:31:00Z.*ci-bot/s);
  });

  it('shows the deployments that carried the change and their status history', () => {
    expect(html).toContain('<code class="hash">acme/api/deployments/7</code>');
    expect(html).toContain('Approved: 1 commit since the last approved deployment');
    expect(html).toContain('<td>success</td><td><time datetime="2026-03-10T12:09:00Z">');
    expect(deployment.entries).toHaveLength(3);
  });

  it('links the evidence pages of a change and of a deployment that carried it when both are sampled', () => {
    const sampledIds = new Set([scenario.item.id, deployment.item.id]);
    const changePage = renderEvidencePage({ ...scenario.input, sampledIds });
    expect(changePage).toContain(`<a href="${evidencePath(deployment.item.id).slice('evidence/'.length)}"><code class="hash">acme/api/deployments/7</code></a>`);
    const deploymentPage = renderEvidencePage({ ...deployment.input, sampledIds });
    expect(deploymentPage).toContain(`<a href="${encodeURI(evidencePath(scenario.item.id).slice('evidence/'.length))}">pull/42</a>`);
    expect(renderEvidencePage(deployment.input)).not.toContain('<a href="acme~api~pr-42.html">');
  });

  it('shows the policy applied with its files and blob SHAs', () => {
    expect(html).toContain('.github/changeproof.yml');
    expect(html).toContain(sha('policy-blob'));
    expect(html).toContain(sha('policy-commit'));
  });

  it('lists every ledger entry with full hashes and recorded times, and its data in the collapsed appendix', () => {
    expect(entries).toHaveLength(5);
    for (const e of entries) {
      expect(html).toContain(`<a href="#entry-${e.seq}">${e.seq}</a>`);
      expect(html).toContain(`<details class="raw" id="entry-${e.seq}">`);
      expect(html).toContain(`<code class="hash">${e.hash}</code>`);
      expect(html).toContain(`<code class="hash">${e.prev_hash}</code>`);
      expect(html).toContain(`<time datetime="${e.recorded_at}">`);
    }
    expect(count(html, /<details class="raw" id="entry-\d+"><summary>/g)).toBe(entries.length);
    expect(html).not.toMatch(/<details[^>]* open/);
    expect(html).toContain(escapeHtml(JSON.stringify(entries[0]!.data, null, 2)));
  });

  it('names in the evaluation history the deliveries one evaluation also answered', () => {
    const folded = [trigger('check_run', 'completed', 'd-0a', 'ci-bot'), trigger('check_run', 'completed', 'd-0b', 'ci-bot'), trigger('status', null, 'd-0c', 'ci-bot')];
    const entries = scenario.input.entries.map((e) => (e.kind === 'evaluation' ? ({ ...e, data: { ...(e.data as object), coalesced: folded } } as unknown as typeof e) : e));
    const page = renderEvidencePage({ ...scenario.input, entries });
    expect(page).toContain('pull_request_review.submitted; also answered 2 × check_run.completed, 1 × status');
    expect(html).not.toContain('also answered');
  });

  it('escapes a title with markup and ampersands everywhere it appears', () => {
    const hostile = changeScenario({ facts: changeFacts({ title: HOSTILE, body: HOSTILE }) });
    hostile.item.title = HOSTILE;
    const out = renderEvidencePage(hostile.input);
    expect(out).not.toMatch(/<script|<img/i);
    expect(out).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(1)&gt;');
  });
});

describe('evidence page of an emergency change', () => {
  const scenario = changeScenario({ emergency: true });
  const html = renderEvidencePage(scenario.input);

  it('shows the exception and its late retrospective approval with both ledger entries', () => {
    const [row] = scenario.item.exceptions;
    expect(scenario.verdict.outcome).toBe('emergency');
    expect(html).toContain('<code>emergency_change</code>');
    expect(html).toContain('resolved_late');
    expect(html).toContain('@carol approved retrospectively at 2026-03-13T09:00:00Z');
    expect(html).toContain(row!.ledger.hash);
    expect(html).toContain(row!.resolutionLedger!.hash);
    expect(html).toContain('2026-03-12T11:00:00Z');
  });

  it('says no review was submitted and no deployment carried it', () => {
    expect(html).toContain('No reviews were submitted.');
    expect(html).toContain('No gated deployment carried this change in the ledger read.');
  });
});

describe('evidence page of a direct push', () => {
  const { input } = pushScenario();
  const html = renderEvidencePage(input);
  const after = sha('pushed-after');

  it('shows the push, each commit and how it was (not) reviewed, and the exception', () => {
    expect(sectionIds(html)).toEqual(['summary', 'push', 'push-commits', 'exceptions', 'ledger', 'appendix']);
    for (const text of ['refs/heads/main', sha('pushed-before'), after, 'yes (history rewritten)', 'Mallory &lt;mallory@example.com&gt;', '2026-02-03T16:20:00.000Z']) expect(html, text).toContain(text);
    expect(html).toMatch(/Fix typo.*reviewed<\/span>: merged pull request <a href="https:\/\/github.com\/acme\/api\/pull\/40"/s);
    expect(html).toMatch(/Hotfix config.*not reviewed<\/span>: no merged pull request's merge commit on this push contains it<\/td>/s);
    expect(html).toContain('<code>direct_push</code>');
    expect(html).toContain('<span class="warn">open</span>');
  });
});

describe('evidence page of a deployment', () => {
  const change = changeScenario();
  const { input } = deploymentScenario(change);
  const html = renderEvidencePage(input);

  it('shows the deployment, the decision, each commit judged and the status history', () => {
    expect(sectionIds(html)).toEqual(['summary', 'deployment', 'decision', 'range', 'status', 'exceptions', 'ledger', 'appendix']);
    for (const text of ['production', change.item.mergeSha!, '@erin', 'github-actions[bot]', sha('previous-deployment'), change.change.hash, '✓ may be deployed', '#42: compliant', '<td>created</td>', '<td>success</td>']) {
      expect(html, text).toContain(text);
    }
    expect(html).toMatch(/Decision<\/th><td><span class="pass"[^>]*>Approved by the gate<\/span>/);
  });
});

describe('evidence page with partial or unknown records', () => {
  it('renders an error verdict without facts, saying "not recorded"', () => {
    const chain = new EntryChain();
    const verdict = errorVerdict({ repository: REPO, number: 44, url: 'https://github.com/acme/api/pull/44', headSha: HEAD, baseRef: 'main', author: 'alice', mergeCommitSha: null, mergedAt: '2026-03-11T08:00:00Z', mergedBy: 'dave' }, 'GitHub answered 502 three times', 'merge', new Date('2026-03-11T08:00:05Z'));
    const record: EvaluationRecord & { mergedAt: string } = { trigger: trigger('pull_request', 'closed', 'd-9'), verdict, facts: null, policy: null, mergedAt: '2026-03-11T08:00:00Z' };
    const entry = chain.append('change', REPO, 'pull/44', record);
    const base = changeScenario().item;
    const html = renderEvidencePage(evidenceInput({ ...base, id: `${REPO}#44`, verdict: 'error', ledger: { seq: entry.seq, hash: entry.hash, kind: 'change', recordedAt: entry.recorded_at } }, [entry], []));
    expect(html).toContain('Evaluation error');
    expect(html).toContain('GitHub answered 502 three times');
    expect(html).toContain('Not recorded: the evaluation holds no evidence snapshot.');
    expect(html).toContain('The policy could not be read');
    expect(html).toContain('not recorded');
  });

  it('renders an item of an unknown kind and entries of unknown kinds with malformed data', () => {
    const chain = new EntryChain();
    const entries = [chain.append('change', REPO, 'x/1', null), chain.append('push', REPO, 'x/1', 'a string'), chain.append('future_kind' as EntryKind, REPO, 'x/1', [1, null])];
    const item = { ...pushScenario().item, kind: 'release' as ItemKind, exceptions: [] };
    const html = renderEvidencePage(evidenceInput(item, entries, []));
    expect(html).toContain('No detailed view for items of kind <code>release</code>');
    expect(html).toContain('<code>future_kind</code>');
    expect(count(html, /<details class="raw"/g)).toBe(3);
  });

  it.each(['change', 'direct_push', 'deployment'] as const)('renders a %s whose entries hold malformed data', (kind) => {
    const chain = new EntryChain();
    const entries = ENTRY_KINDS.map((k) => chain.append(k, REPO, 's', { verdict: 'x', facts: 3, commits: [null, 1, 'a'], decision: [], policy: { files: 'none' } }));
    const item = { ...changeScenario().item, kind, attributes: undefined as never, deployments: [null] as never, exceptions: undefined as never };
    expect(() => renderEvidencePage(evidenceInput(item, entries, entries))).not.toThrow();
  });

  it('never throws, whatever JSON each entry holds', () => {
    const kinds = fc.constantFrom<ItemKind>('change', 'direct_push', 'deployment');
    const data = fc.record({ kind: fc.constantFrom(...ENTRY_KINDS), data: fc.jsonValue({ maxDepth: 4 }) });
    fc.assert(
      fc.property(kinds, fc.array(data, { maxLength: 6 }), (kind, specs) => {
        const chain = new EntryChain();
        const entries = specs.map((s) => chain.append(s.kind, REPO, 'pull/42', s.data));
        const html = renderEvidencePage(evidenceInput({ ...changeScenario().item, kind }, entries, entries));
        expect(html.trimEnd().endsWith('</html>')).toBe(true);
      }),
      { numRuns: 60 },
    );
  });
});

describe('report.html', () => {
  const input = reportInput();
  const html = renderReport(input);

  it('has every section', () => {
    expect(sectionIds(html)).toEqual(['period', 'coverage', 'design', 'counts', 'months', 'exceptions', 'sample', 'method', 'ledger', 'completeness', 'parameters']);
    expect(html).toContain('<h1>Change-management report — 2026-Q1</h1>');
  });

  it('states the period with its UTC instants, the repositories and the counts', () => {
    for (const text of ['2026-01-01', '2026-03-31', PERIOD.start, PERIOD.end, '<code>acme/api</code>', GENERATED_AT]) expect(html, text).toContain(text);
    expect(html).toContain('<th scope="row">Items in the population</th><td>4</td>');
    expect(html).toContain('<th scope="row">— compliant at merge, or emergencies approved in time</th><td>1 (50%)</td>');
    expect(html).toContain('<th scope="row">— approved by the gate</th><td>1</td>');
    expect(html).toContain('<th scope="row">Direct pushes (each an exception)</th><td>1</td>');
  });

  it('draws one bar group per month with a rate label, and a table of the same figures', () => {
    expect(html).toContain('<svg id="compliance-chart"');
    expect(html).toMatch(/<svg id="compliance-chart"[^>]*aria-label="Changes, direct pushes and deployments per month, 2026-Q1"[^>]*>\n<title>Changes, direct pushes and deployments per month, 2026-Q1<\/title>/);
    expect(count(html, /<g class="month"/g)).toBe(3);
    expect(html).toContain('<text class="rate" x="');
    expect(html).toMatch(/>66\.6%<\/text>/);
    expect(html).toContain('<caption>The figures of the chart</caption>');
    expect(html).toMatch(/<td>2026-03<\/td><td class="num">3<\/td><td class="num">2<\/td><td class="num">66.6%<\/td>/);
  });

  it.each([1, 2, 12, 13, 24])('draws %i month(s) as as many bar groups, whose segments add up to the month', (n) => {
    const data = months(n);
    const chart = renderReport({ ...input, months: data });
    expect(count(chart, /<g class="month"/g)).toBe(n);
    const groups = chart.split('<g class="month"').slice(1);
    groups.forEach((g, i) => {
      const segments = [...g.matchAll(/data-count="(\d+)"/g)].map((m) => Number(m[1]));
      expect(segments.reduce((a, b) => a + b, 0)).toBe(data[i]!.total);
    });
    expect(chart).not.toMatch(/NaN|Infinity|undefined/);
  });

  it('shows months without items as empty bars labelled "—", without dividing by zero', () => {
    const zero = renderReport({ ...input, months: [{ month: '2026-01', total: 0, compliant: 0, exceptions: 0 }, { month: '2026-02', total: 0, compliant: 0, exceptions: 0 }] });
    expect(zero).not.toMatch(/NaN|Infinity/);
    expect(count(zero, /<text class="rate"[^>]*>—<\/text>/g)).toBe(2);
    expect(zero).not.toContain('data-category');
    const none = renderReport({ ...input, months: [] });
    expect(none).toContain('No items in the period');
    expect(none).not.toMatch(/NaN|Infinity/);
  });

  it('lists every exception, linking to its evidence page when the item was sampled', () => {
    expect(input.exceptions).toHaveLength(2);
    for (const x of input.exceptions) {
      expect(html).toContain(`<code class="hash">${x.itemId}</code>`);
      expect(html.includes(`<br><a href="${evidencePath(x.itemId)}">evidence</a>`)).toBe(input.sample.selection.ids.includes(x.itemId));
    }
    expect(html).toContain('resolved_late');
  });

  it('lists the sample with a pass/fail mark per control attribute and a link to each evidence page', () => {
    expect(input.sampleItems.length).toBe(3);
    for (const item of input.sampleItems) expect(html).toContain(`<a href="${evidencePath(item.id)}"><code class="hash">${item.id}</code></a>`);
    for (const a of ATTRIBUTES) expect(html).toContain(`<th scope="col">${ATTRIBUTE_TITLES[a]}</th>`);
    expect(html).toContain('✓ pass');
  });

  it('documents the selection method, generator, algorithm, seed, size and allocation', () => {
    for (const text of ['Stratified random selection', 'sha256-ctr-v1', 'fisher-yates-sorted-by-id-v2', 'seed-2026-Q1', input.sample.derivation]) expect(html, text).toContain(escapeHtml(text));
    expect(html).toMatch(/<caption>Allocation<\/caption>.*<td>2026-02<\/td><td class="num">1<\/td><td class="num">1<\/td>/s);
    const withHash = renderReport({ ...input, sample: { ...input.sample, populationHash: 'ab'.repeat(32) } });
    expect(withHash).toContain(`Population hash</th><td><code class="hash">${'ab'.repeat(32)}</code>`);
  });

  it('states the ledger read by its head and checkpoint, never a local path, hashes in full', () => {
    expect(html).not.toContain(input.ledger.source);
    expect(html).not.toContain('/var/lib');
    for (const text of [input.ledger.headHash, input.ledger.checkpoint!.hash, input.ledger.checkpoint!.time, input.ledger.keyId, '250 (hash chain']) expect(html, text).toContain(text);
  });

  it('says when completeness was not checked, and shows its figures when it was', () => {
    expect(html).toContain('Not performed: no GitHub token/repositories given.');
    const done = renderReport(reportInput({ completeness: { repositories: [REPO], commitsChecked: 120, pullRequestsChecked: 30, gaps: 2, failures: [{ repo: 'acme/web', reason: 'GitHub answered 404' }] } }));
    expect(done).toContain('<th scope="row">Commits on default branches checked</th><td>120</td>');
    expect(done).toContain('listed in <code>completeness.csv</code>');
    expect(done).toContain('GitHub answered 404');
  });

  it('shows the control design in force: each policy of the period with its sources, settings and dates', () => {
    const design = html.slice(html.indexOf('<section id="design"'), html.indexOf('<section id="counts"'));
    expect(count(design, /<tr><td><code>acme\/api<\/code><\/td>/g)).toBe(2);
    expect(design).toContain('no policy file: the defaults');
    expect(design).toContain('acme/api:.github/changeproof.yml@');
    expect(design).toContain('<li><code>peer_review.required_approvals</code>: 2</li>');
    expect(design).toContain('>2026-02-15T09:30:00Z</time>');
    expect(design).toContain('still in force');
    expect(renderReport({ ...input, designs: [] })).toContain('No policy was recorded in use during 2026-Q1.');
  });

  it('counts and charts deployments the gate rejected as their own category, never as compliant', () => {
    const rejected = { changesCompliant: 2, changesNotCompliant: 0, directPushes: 0, deploymentsApproved: 0, deploymentsRejected: 3, deploymentsUngated: 0 };
    const report = renderReport({ ...input, categories: rejected, months: [{ month: '2026-03', total: 5, compliant: 5, exceptions: 0, categories: rejected }] });
    expect(report).toContain('<th scope="row">— rejected by the gate (the control stopped them)</th><td>3</td>');
    expect(report).toContain('<th scope="row">— compliant at merge, or emergencies approved in time</th><td>2 (100%)</td>');
    expect(report).toMatch(/<rect class="bar-deploymentsRejected" data-category="deploymentsRejected" data-count="3"/);
    expect(report).toContain('Deployments: rejected by the gate</text>');
    expect(report).toContain('2026-03: 2 changes (2 compliant), 3 deployments rejected by the gate; 0 items with an exception');
    expect(report).toMatch(/<td>2026-03<\/td><td class="num">2<\/td><td class="num">2<\/td><td class="num">100%<\/td><td class="num">0<\/td><td class="num">0<\/td><td class="num">3<\/td>/);
  });

  it('writes every time as YYYY-MM-DDTHH:MM:SSZ and counts in the singular or plural as they are', () => {
    for (const doc of [html, renderEvidencePage(changeScenario().input), renderEvidencePage(pushScenario().input)]) {
      const shown = [...doc.matchAll(/<time datetime="[^"]*">([^<]*)<\/time>/g)].map((m) => m[1]);
      expect(shown.length).toBeGreaterThan(3);
      for (const t of shown) expect(t).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(doc).not.toMatch(/\b1 [a-z ]+\(s\)|\(s\)/);
    }
    const one = renderReport({ ...input, months: [{ month: '2026-01', total: 2, compliant: 1, exceptions: 1, categories: { changesCompliant: 1, changesNotCompliant: 0, directPushes: 1, deploymentsApproved: 0, deploymentsRejected: 0, deploymentsUngated: 0 } }] });
    expect(one).toContain('2026-01: 1 change (1 compliant), 1 direct push; 1 item with an exception');
  });

  it('shows management\'s responses beside the exceptions, escaped', () => {
    const hostile = reportInput();
    hostile.exceptions[0]!.responses = [{ by: 'dave', role: 'maintain', at: '2026-03-12T10:00:00.000Z', text: HOSTILE, via: 'comment', url: 'https://github.com/acme/api/pull/42#issuecomment-1', ledger: { seq: 77, hash: 'ab'.repeat(32), kind: 'exception_response', recordedAt: '2026-03-12T10:00:01.000Z' } }];
    const report = renderReport(hostile);
    expect(report).toContain('<th scope="col">Management response</th>');
    expect(report).toContain('<strong>@dave</strong> (maintain) at <time datetime="2026-03-12T10:00:00.000Z">2026-03-12T10:00:00Z</time>');
    expect(report).toContain(escapeHtml(HOSTILE));
    expect(report).not.toContain(HOSTILE);
  });

  it('lists the exact parameters', () => {
    for (const [k, v] of Object.entries(input.parameters)) expect(html).toContain(`<td><code>${k}</code></td><td><code>${v}</code></td>`);
  });

  it('escapes recorded text', () => {
    const hostile = reportInput();
    hostile.sampleItems[0]!.title = HOSTILE;
    hostile.exceptions[0]!.reason = HOSTILE;
    hostile.parameters.seed = HOSTILE;
    const out = renderReport(hostile);
    expect(out).not.toMatch(/<script|<img/i);
    expect(count(out, /&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt; &amp;/g)).toBe(3);
  });
});

describe('src/export/html is pure', () => {
  const dir = new URL('../../src/export/html/', import.meta.url).pathname;
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));

  it.each(files)('%s imports nothing from probot, octokit, better-sqlite3 or node:fs', (file) => {
    const text = readFileSync(join(dir, file), 'utf8');
    const specifiers = [...text.matchAll(/from\s+['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]/g)].map((m) => m[1] ?? m[2]);
    expect(specifiers.filter((s) => /probot|octokit|better-sqlite3|^(node:)?fs(\/promises)?$/.test(s!))).toEqual([]);
  });

  it('checks every renderer', () => {
    expect(files).toEqual(expect.arrayContaining(['page.ts', 'evidence-page.ts', 'report-page.ts']));
  });
});


