import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderEvidencePage } from '../../src/export/html/evidence-page.js';
import { renderReport } from '../../src/export/html/report-page.js';
import { evidencePath } from '../../src/export/model.js';
import { changeScenario, deploymentScenario, months, pushScenario, reportInput } from './support/fixtures.js';

/**
 * The export's HTML opened as an auditor opens it: from disk, in a real
 * browser, offline. Nothing may fail, nothing may load, the chart must be
 * drawn and the page must print.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`Chromium is absent (${CHROMIUM}): the browser tests of the export's HTML are skipped. Install it with \`apt-get install chromium\`.`);

const MONTHS = 13;
const REJECTED = { changesCompliant: 2, changesNotCompliant: 0, directPushes: 0, deploymentsApproved: 1, deploymentsRejected: 2, deploymentsUngated: 0 };

/** Pages of a PDF that Chromium wrote (one `/Type /Page` object each). */
const pagesOf = (pdf: Buffer) => pdf.toString('latin1').match(/\/Type\s*\/Page(?![s\w])/g)?.length ?? 0;

describe.skipIf(!hasChromium)('export HTML in Chromium', () => {
  let browser: Browser;
  let dir: string;
  const input = reportInput({ months: months(MONTHS) });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'changeproof-html-'));
    mkdirSync(join(dir, 'evidence'));
    writeFileSync(join(dir, 'report.html'), renderReport(input));
    writeFileSync(join(dir, 'report-rejected.html'), renderReport({ ...input, categories: REJECTED, months: [{ month: '2026-03', total: 5, compliant: 5, exceptions: 0, categories: REJECTED }] }));
    const change = changeScenario();
    const deployment = deploymentScenario(change);
    for (const evidence of [change.input, changeScenario({ emergency: true }).input, pushScenario().input, deployment.input]) {
      writeFileSync(join(dir, evidencePath(evidence.item.id)), renderEvidencePage(evidence));
    }
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });

  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Opens a file of the export, recording every console error, page error and request. */
  async function open(file: string): Promise<{ page: Page; url: string; errors: string[]; requests: string[] }> {
    const page = await browser.newPage();
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
    page.on('pageerror', (e) => void errors.push(e.message));
    page.on('request', (r) => void requests.push(r.url()));
    const url = pathToFileURL(join(dir, file)).href;
    await page.goto(url, { waitUntil: 'load' });
    return { page, url, errors, requests };
  }

  it('report.html opens without an error and requests nothing but itself', async () => {
    const { page, url, errors, requests } = await open('report.html');
    expect(errors).toEqual([]);
    expect(requests).toEqual([url]);
    await page.close();
  });

  it('report.html draws the compliance chart, one bar per month', async () => {
    const { page } = await open('report.html');
    const chart = page.locator('svg#compliance-chart');
    const box = await chart.boundingBox();
    expect(box?.width).toBeGreaterThan(300);
    expect(box?.height).toBeGreaterThan(100);
    expect(await chart.locator('g.month').count()).toBe(MONTHS);
    const drawn = await chart.locator('g.month').evaluateAll((groups) => groups.map((g) => [...g.querySelectorAll('rect')].reduce((h, r) => h + r.getBoundingClientRect().height, 0)));
    expect(drawn.map((h) => h > 0)).toEqual(input.months.map((m) => m.total > 0));
    await page.close();
  });

  it('report.html shows the control design in force, one row per policy of the period with its dates', async () => {
    const { page } = await open('report.html');
    const design = page.locator('section#design table.design');
    expect(await design.isVisible()).toBe(true);
    const rows = await design.locator('tbody tr').allInnerTexts();
    expect(rows).toHaveLength(2);
    expect(rows[0]).toContain('no policy file: the defaults');
    expect(rows[1]).toContain('2026-02-15T09:30:00Z');
    expect(rows[1]).toContain('still in force');
    expect(rows[1]).toContain('peer_review.required_approvals: 2');
    await page.close();
  });

  it('report.html counts and draws deployments the gate rejected as their own category', async () => {
    const { page, errors } = await open('report-rejected.html');
    expect(errors).toEqual([]);
    const rejected = page.locator('svg#compliance-chart rect[data-category="deploymentsRejected"]');
    expect(await rejected.count()).toBe(1);
    expect(await rejected.getAttribute('data-count')).toBe('2');
    expect((await rejected.boundingBox())!.height).toBeGreaterThan(10);
    const fill = await rejected.getAttribute('fill');
    const compliantFill = await page.locator('svg#compliance-chart rect[data-category="changesCompliant"]').getAttribute('fill');
    expect(fill).not.toBe(compliantFill);
    expect(await page.locator('svg#compliance-chart [data-legend="deploymentsRejected"]').textContent()).toBe('Deployments: rejected by the gate');
    const counts = await page.locator('section#counts').innerText();
    expect(counts).toMatch(/rejected by the gate \(the control stopped them\)\s+2/);
    expect(counts).toMatch(/compliant at merge, or emergencies approved in time\s+2 \(100%\)/);
    await page.close();
  });

  it('report.html links every sampled item to its evidence page', async () => {
    const { page } = await open('report.html');
    const hrefs = await page.locator('a[href^="evidence/"]').evaluateAll((links) => links.map((a) => a.getAttribute('href') ?? ''));
    const targets = [...new Set(hrefs.map((href) => fileURLToPath(new URL(href, pathToFileURL(join(dir, 'report.html'))))))];
    expect(targets.sort()).toEqual(input.sampleItems.map((i) => join(dir, evidencePath(i.id))).sort());
    for (const target of targets) expect(existsSync(target), target).toBe(true);
    await page.close();
  });

  it('report.html prints to PDF', async () => {
    const { page } = await open('report.html');
    const pdf = await page.pdf({ format: 'A4', printBackground: false });
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.length).toBeGreaterThan(10_000);
    await page.close();
  });

  it('an evidence page opens without an error, requests nothing but itself, and prints to PDF', async () => {
    const { page, url, errors, requests } = await open(evidencePath('acme/api#42'));
    expect(errors).toEqual([]);
    expect(requests).toEqual([url]);
    expect(await page.title()).toBe('Evidence — acme/api#42');
    const pdf = await page.pdf({ format: 'A4' });
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    await page.close();
  });

  it('an evidence page keeps the raw ledger data in a collapsed appendix: in the file, printed only when opened', async () => {
    const { page } = await open(evidencePath('acme/api#42'));
    const data = page.locator('section#appendix details.raw pre').first();
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('section#appendix details.raw').count()).toBe(5);
    expect(await data.isVisible()).toBe(false);
    await page.locator('section#appendix details.raw summary').first().click();
    expect(await data.isVisible()).toBe(true);
    await page.close();
  });

  it('an evidence page of a typical change prints to at most 6 A4 pages, each naming the item and its page number', async () => {
    const { page } = await open(evidencePath('acme/api#42'));
    const pdf = await page.pdf({ format: 'A4', preferCSSPageSize: true });
    const pages = pagesOf(pdf);
    console.log(`evidence page of acme/api#42: ${pages} A4 pages printed`);
    expect(pages).toBeGreaterThan(0);
    expect(pages).toBeLessThanOrEqual(6);
    // The @page rules as Chromium parsed them (an expression: this file is not typed for the DOM).
    const rules = await page.evaluate<string>("[...document.styleSheets].flatMap((s) => [...s.cssRules]).filter((r) => r instanceof CSSPageRule).map((r) => r.cssText).join('\\n')");
    expect(rules).toContain('acme/api#42');
    expect(rules).toContain('counter(page)');
    expect(rules).toContain('counter(pages)');
    // Opening every entry of the appendix prints them too.
    await page.locator('section#appendix details.raw').evaluateAll((all) => all.forEach((d) => d.setAttribute('open', '')));
    expect(pagesOf(await page.pdf({ format: 'A4', preferCSSPageSize: true }))).toBeGreaterThan(pages);
    await page.close();
  });

  it('a direct-push evidence page opens without an error', async () => {
    const { page, url, errors, requests } = await open(evidencePath(pushScenario().item.id));
    expect(errors).toEqual([]);
    expect(requests).toEqual([url]);
    expect(dirname(url).endsWith('/evidence')).toBe(true);
    await page.close();
  });
});
