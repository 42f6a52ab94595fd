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

describe.skipIf(!hasChromium)('export HTML in Chromium', () => {
  let browser: Browser;
  let dir: string;
  const input = reportInput({ months: months(MONTHS) });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'changeproof-html-'));
    mkdirSync(join(dir, 'evidence'));
    writeFileSync(join(dir, 'report.html'), renderReport(input));
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
    expect(await chart.locator('rect.bar-total').count()).toBe(MONTHS);
    const heights = await chart.locator('rect.bar-total').evaluateAll((rects) => rects.map((r) => r.getBoundingClientRect().height));
    expect(heights.filter((h) => h > 0)).toHaveLength(input.months.filter((m) => m.total > 0).length);
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

  it('an evidence page shows the recorded data of every ledger entry when printed', async () => {
    const { page } = await open(evidencePath('acme/api#42'));
    const data = page.locator('article.entry details pre').first();
    expect(await data.isVisible()).toBe(false);
    await page.emulateMedia({ media: 'print' });
    expect(await data.isVisible()).toBe(true);
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
