import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ATTRIBUTES, ATTRIBUTE_TITLES, evidencePath, type ExceptionRow, type PopulationItem } from '../../src/export/model.js';
import { MAX_WIDTH, writeWorkbook } from '../../src/export/xlsx.js';
import { SAMPLE_PRINTED_COLUMNS } from '../../src/export/workbook-columns.js';
import { changeScenario, deploymentScenario, PERIOD, pushScenario } from './support/fixtures.js';

/**
 * sample.xlsx as an auditor's working paper: read back with exceljs, and
 * printed by LibreOffice (when installed) as Excel would print it.
 */
const FORMULA = '=HYPERLINK("http://evil.example","click")';
const AT_TEXT = '@bob approved it';

let dir: string;
let path: string;
let sample: PopulationItem[];
const workbook = new ExcelJS.Workbook();

let written: Parameters<typeof writeWorkbook>[0];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'changeproof-workbook-'));
  path = join(dir, 'sample.xlsx');
  const change = changeScenario();
  const emergency = changeScenario({ emergency: true });
  const push = pushScenario();
  const deployment = deploymentScenario(change);
  change.item.title = FORMULA;
  // Enough rows that the sheet runs over more than one printed page.
  const many = Array.from({ length: 40 }, (_, i) => ({ ...change.item, id: `acme/api#${100 + i}`, title: `Change ${i}: a title long enough to need wrapping in a printed sheet` }));
  sample = [change.item, emergency.item, push.item, deployment.item, ...many];
  const exceptions: ExceptionRow[] = [...emergency.item.exceptions, ...push.item.exceptions].map((x) => ({ ...x }));
  exceptions[0]!.responses = [{ by: 'dave', role: 'maintain', at: '2026-03-12T10:00:00.000Z', text: AT_TEXT, via: 'comment', url: null, ledger: { seq: 90, hash: 'ab'.repeat(32), kind: 'exception_response', recordedAt: '2026-03-12T10:00:01.000Z' } }];
  const rows = join(dir, 'rows.ndjson');
  writeFileSync(rows, sample.map((i) => `${JSON.stringify(i)}\n`).join(''));
  written = {
    path, period: PERIOD, sample, exceptions, populationRowsPath: rows, populationSize: sample.length,
    completeness: { columns: ['repo', 'gap', 'commit_sha'], rows: [['acme/api', 'commit_not_recorded', 'a'.repeat(40)]] },
    method: [['population size', String(sample.length)], ['seed', 'seed-2026-Q1']], generatedAt: new Date('2026-04-01T08:00:00Z'),
  };
  await writeWorkbook(written);
  await workbook.xlsx.readFile(path);
});

afterAll(() => {
  if (dir && !process.env["KEEP_WORKBOOK_TEST"]) rmSync(dir, { recursive: true, force: true });
  else console.log(dir);
});

const headersOf = (ws: ExcelJS.Worksheet) => (ws.getRow(1).values as unknown[]).slice(1) as string[];

describe('sample.xlsx as bytes', () => {
  it('is the same file whenever the same export writes it (the app re-derives it before signing)', async () => {
    const again = join(dir, 'again.xlsx');
    // Written later by the clock (zip entries are dated to 2 seconds): the bytes must not change.
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2031-07-09T17:43:11Z') });
    try {
      await writeWorkbook({ ...written, path: again });
    } finally {
      vi.useRealTimers();
    }
    expect(readFileSync(again).equals(readFileSync(path))).toBe(true);
    const other = join(dir, 'other.xlsx');
    await writeWorkbook({ ...written, path: other, generatedAt: new Date('2026-04-01T08:00:04Z') });
    expect(readFileSync(other).equals(readFileSync(path))).toBe(false);
  });
});

describe('sample.xlsx read back', () => {
  it('has its sheets in the order an auditor works through them', () => {
    expect(workbook.worksheets.map((w) => w.name)).toEqual(['Instructions', 'Sample', 'Exceptions', 'Population', 'Completeness', 'Method']);
  });

  it('explains what to test per attribute and the tick legend on the Instructions sheet', () => {
    const text = workbook.getWorksheet('Instructions')!.getSheetValues().flat().map(String).join('\n');
    for (const a of ATTRIBUTES) expect(text).toContain(ATTRIBUTE_TITLES[a]);
    for (const mark of ['✓', '✗', 'n/a']) expect(text).toContain(mark);
    expect(text).toContain('2026-01-01 to 2026-03-31');
  });

  it('puts the item, what Changeproof found, the tick columns and the notes first, with human headers', () => {
    const headers = headersOf(workbook.getWorksheet('Sample')!);
    expect(headers.slice(0, 5)).toEqual(['Item', 'Kind', 'Title', 'Occurred at (UTC)', 'Verdict']);
    expect(headers.slice(5, 10)).toEqual(ATTRIBUTES.map((a) => `Changeproof: ${ATTRIBUTE_TITLES[a]}`));
    expect(headers.slice(10, 15)).toEqual(ATTRIBUTES.map((a) => `Auditor: ${ATTRIBUTE_TITLES[a]}`));
    expect(headers[15]).toBe('Auditor notes');
    for (const h of [...headers, ...headersOf(workbook.getWorksheet('Exceptions')!), ...headersOf(workbook.getWorksheet('Population')!), ...headersOf(workbook.getWorksheet('Completeness')!)]) {
      expect(h, h).not.toMatch(/_/);
    }
  });

  it('stores times as dates (UTC), sequence numbers as numbers, and links as hyperlinks', () => {
    const ws = workbook.getWorksheet('Sample')!;
    const headers = headersOf(ws);
    const cell = (row: number, header: string) => ws.getRow(row).getCell(headers.indexOf(header) + 1);
    expect(cell(2, 'Occurred at (UTC)').type).toBe(ExcelJS.ValueType.Date);
    expect((cell(2, 'Occurred at (UTC)').value as Date).toISOString()).toBe(new Date(sample[0]!.occurredAt).toISOString());
    expect(cell(2, 'Occurred at (UTC)').numFmt).toBe('yyyy-mm-dd hh:mm:ss');
    expect(cell(2, 'Ledger seq').type).toBe(ExcelJS.ValueType.Number);
    expect(cell(2, 'Item').type).toBe(ExcelJS.ValueType.Hyperlink);
    expect(cell(2, 'Item').value).toMatchObject({ text: sample[0]!.id, hyperlink: evidencePath(sample[0]!.id) });
    expect(cell(2, 'GitHub').value).toMatchObject({ hyperlink: sample[0]!.url });
    const exceptions = workbook.getWorksheet('Exceptions')!;
    expect(exceptions.getRow(2).getCell(3).type).toBe(ExcelJS.ValueType.Date);
  });

  it('keeps text as text, with no formula guard: a formula-looking title is a string cell, as written', () => {
    const ws = workbook.getWorksheet('Sample')!;
    const title = ws.getRow(2).getCell(3);
    expect(title.type).toBe(ExcelJS.ValueType.String);
    expect(title.value).toBe(FORMULA);
    const exceptions = workbook.getWorksheet('Exceptions')!;
    const response = exceptions.getRow(2).getCell(headersOf(exceptions).indexOf('Management response') + 1);
    expect(response.value).toBe(AT_TEXT);
    expect(headersOf(exceptions)).toContain('Responded by');
  });

  it('fits column widths to their content, within bounds, and wraps long text', () => {
    for (const ws of workbook.worksheets.filter((w) => w.name !== 'Instructions')) {
      for (const column of ws.columns) expect(column.width, `${ws.name} ${column.letter}`).toBeGreaterThanOrEqual(6);
      for (const column of ws.columns) expect(column.width, `${ws.name} ${column.letter}`).toBeLessThanOrEqual(MAX_WIDTH + 2);
    }
    const ws = workbook.getWorksheet('Sample')!;
    const headers = headersOf(ws);
    const item = ws.getColumn(headers.indexOf('Item') + 1);
    expect(item.width).toBeGreaterThanOrEqual('acme/api#139'.length);
    expect(ws.getColumn(headers.indexOf('Ledger hash') + 1).width).toBeGreaterThanOrEqual(66);
    expect(ws.getRow(2).getCell(3).alignment).toMatchObject({ wrapText: true });
  });

  it('prints landscape on A4, fitted to the page width, with the header row repeated and a footer naming the period and page', () => {
    for (const ws of workbook.worksheets) {
      expect(ws.pageSetup, ws.name).toMatchObject({ orientation: 'landscape', paperSize: 9, fitToPage: true, fitToWidth: 1, fitToHeight: 0 });
      expect(ws.headerFooter.oddFooter, ws.name).toContain('2026-Q1');
      expect(ws.headerFooter.oddFooter, ws.name).toContain('&P of &N');
    }
    const ws = workbook.getWorksheet('Sample')!;
    expect(ws.pageSetup.printTitlesRow).toBe('1:1');
    expect(ws.pageSetup.printArea).toBe(`A1:R${sample.length + 1}`);
    expect(SAMPLE_PRINTED_COLUMNS).toBe(18);
    expect(workbook.getWorksheet('Exceptions')!.pageSetup.printArea).toBe('A1:N3');
    expect(headersOf(workbook.getWorksheet('Exceptions')!)[13]).toBe('GitHub');
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    const validations = (ws as unknown as { dataValidations: { model: Record<string, unknown> } }).dataValidations.model;
    for (const column of ['K', 'O']) expect(validations[`${column}${sample.length + 1}`]).toMatchObject({ type: 'list', formulae: ['"✓,✗,n/a"'] });
    expect(validations['P2']).toBeUndefined();
  });
});

const soffice = ['soffice', 'libreoffice'].find((bin) => spawnSync(bin, ['--version'], { encoding: 'utf8' }).status === 0);
const pdftotext = spawnSync('pdftotext', ['-v'], { encoding: 'utf8' }).status === 0;
if (!soffice || !pdftotext) {
  console.warn(`LibreOffice (soffice) or pdftotext is absent: the printing test of sample.xlsx is skipped. Install them with \`apt-get install libreoffice-calc poppler-utils\`.`);
}

describe.skipIf(!soffice || !pdftotext)('sample.xlsx printed by LibreOffice', () => {
  it('prints the Sample sheet landscape, with every tick column and the notes on its first page', () => {
    const out = join(dir, 'pdf');
    const profile = join(dir, 'lo-profile');
    execFileSync(soffice!, [`-env:UserInstallation=file://${profile}`, '--headless', '--convert-to', 'pdf', '--outdir', out, path], { stdio: 'pipe', timeout: 120_000 });
    const pdf = join(out, readdirSync(out).find((f) => f.endsWith('.pdf'))!);
    const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [pdf], { encoding: 'utf8' }))![1]);
    const pageText = (n: number) => execFileSync('pdftotext', ['-layout', '-f', String(n), '-l', String(n), pdf, '-'], { encoding: 'utf8' });
    const texts = Array.from({ length: pages }, (_, i) => pageText(i + 1));
    const first = texts.findIndex((t) => /^\s*Item\s+Kind\s+Title/m.test(t));
    expect(first, 'the Sample sheet is printed').toBeGreaterThanOrEqual(0);
    const page = texts[first]!.replace(/\s+/g, ' ');
    // Headers wrap inside their cells: every word of every attribute is on the page, and one "Auditor:" column per attribute.
    for (const a of ATTRIBUTES) for (const word of ATTRIBUTE_TITLES[a].split(' ')) expect(page, a).toContain(word);
    expect(page.match(/Auditor:/g)?.length).toBe(ATTRIBUTES.length);
    expect(page.match(/Changeproof:/g)?.length).toBe(ATTRIBUTES.length);
    expect(page).toContain('Auditor notes');
    expect(page).toContain('acme/api#42');
    const size = execFileSync('pdfinfo', ['-f', String(first + 1), '-l', String(first + 1), pdf], { encoding: 'utf8' });
    const [, w, h] = /Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)/.exec(size)!;
    expect(Number(w)).toBeGreaterThan(Number(h));
    // The header row repeats on the sheet's next page.
    expect(texts[first + 1]!.replace(/\s+/g, ' ')).toContain('Auditor notes');
    // Every page names the period and its number.
    expect(page).toMatch(/page \d+ of \d+/);
  }, 150_000);
});
