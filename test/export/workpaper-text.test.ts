import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { afterAll, describe, expect, it } from 'vitest';
import type { EntryInput } from '../../src/ledger/ledger.js';
import { changeAt, exceptionOf, exportOf, ledgerOf, responseTo, work } from './support/ledger-export.js';

/**
 * Text an insider controls (titles, responses, check links) in every workpaper an
 * auditor reads: the workbook, report.html and the evidence pages, the CSV files.
 */

afterAll(() => rmSync(work, { recursive: true, force: true }));

const JAN = ['--from', '2026-01-01', '--to', '2026-01-31'];

async function workbookOf(dir: string): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(join(dir, 'sample.xlsx'));
  return wb;
}

const headersOf = (ws: ExcelJS.Worksheet) => (ws.getRow(1).values as unknown[]).slice(1) as string[];
function column(ws: ExcelJS.Worksheet, header: string): ExcelJS.Cell[] {
  const index = headersOf(ws).indexOf(header) + 1;
  expect(index).toBeGreaterThan(0);
  const cells: ExcelJS.Cell[] = [];
  for (let r = 2; r <= ws.rowCount; r += 1) cells.push(ws.getRow(r).getCell(index));
  return cells;
}

/**
 * The workbook shows what the CSV files and selection.json say: the seed as text, every
 * response with its time, titles as written — where a cell cannot hold a character or
 * the whole text, it says so instead of dropping it.
 */
describe('sample.xlsx shows what the CSV files and selection.json say', () => {
  it('the Method sheet shows the seed as recorded in selection.json (a seed of digits with a leading zero)', async () => {
    const ledger = await ledgerOf([changeAt(1, '2026-01-10T12:00:00Z'), changeAt(2, '2026-01-11T12:00:00Z'), changeAt(3, '2026-01-12T12:00:00Z')]);
    const pkg = await exportOf(ledger, [...JAN, '--seed', '007', '--sample-size', '1']);
    const selection = JSON.parse(readFileSync(join(pkg.dir, 'selection.json'), 'utf8')) as { seed: string };
    expect(selection.seed).toBe('007');
    const method = (await workbookOf(pkg.dir)).getWorksheet('Method')!;
    const seedRow = method.getRows(2, method.rowCount - 1)!.find((r) => r.getCell(1).value === 'seed')!;
    // An auditor re-drawing from the workbook's seed must get the same sample: "7" draws a different one than "007".
    expect(seedRow.getCell(2).value).toBe('007');
  });

  it('hostile titles stay text: no formula, no hyperlink to javascript:, same text as population.csv', async () => {
    const titles = ['=HYPERLINK("javascript:alert(1)","Open")', '+cmd|\' /C calc\'!A0', '@SUM(1+1)*cmd|\' /C calc\'!A0', '-2+3'];
    const ledger = await ledgerOf(titles.map((title, i) => changeAt(i + 1, `2026-01-1${i}T12:00:00Z`, { title })));
    const pkg = await exportOf(ledger, [...JAN, '--sample-size', String(titles.length)]);
    const wb = await workbookOf(pkg.dir);
    for (const name of ['Sample', 'Population']) {
      const ws = wb.getWorksheet(name)!;
      const cells = column(ws, 'Title');
      expect(cells.map((c) => c.type)).toEqual(titles.map(() => ExcelJS.ValueType.String));
      expect(cells.map((c) => c.value).sort()).toEqual([...titles].sort());
      ws.eachRow((row) => row.eachCell((cell) => {
        expect(cell.type).not.toBe(ExcelJS.ValueType.Formula);
        if (cell.type === ExcelJS.ValueType.Hyperlink) expect(String((cell.value as { hyperlink: string }).hyperlink)).toMatch(/^(https:\/\/github\.com\/|evidence\/)/);
      }));
    }
    // The sheets' XML holds no <f> (formula) element at all.
    const zip = await JSZip.loadAsync(readFileSync(join(pkg.dir, 'sample.xlsx')));
    for (const [path, file] of Object.entries(zip.files)) if (path.startsWith('xl/worksheets/')) expect(await file.async('string')).not.toMatch(/<f[ >]/);
    // population.csv guards the same titles with a leading '
    expect(pkg.population.map((r) => r.title).sort()).toEqual(titles.map((t) => `'${t}`).sort());
  });

  it('a title holding U+FFFF (valid UTF-8, not allowed in XML) still leaves a workbook that opens, the character shown as U+FFFD', async () => {
    const ledger = await ledgerOf([changeAt(1, '2026-01-10T12:00:00Z', { title: 'Refactor auth\uFFFF' }), changeAt(2, '2026-01-11T12:00:00Z')]);
    const pkg = await exportOf(ledger, [...JAN, '--sample-size', '2']);
    const wb = await workbookOf(pkg.dir);
    expect(column(wb.getWorksheet('Population')!, 'Title').map((c) => c.value)).toContain('Refactor auth\uFFFD');
    expect(pkg.population.map((r) => r.title)).toContain('Refactor auth\uFFFF');
  });

  it('a control character a workbook cannot hold is shown as its symbol, never silently dropped; population.csv keeps it as written', async () => {
    const title = 'Disable\u0008\u0008\u0008\u0008\u0008\u0008\u0008 audit log';
    const ledger = await ledgerOf([changeAt(1, '2026-01-10T12:00:00Z', { title })]);
    const pkg = await exportOf(ledger, [...JAN, '--sample-size', '1']);
    expect(pkg.population[0]!.title).toBe(title);
    const cells = column((await workbookOf(pkg.dir)).getWorksheet('Population')!, 'Title');
    expect(cells[0]!.value).toBe('Disable\u2408\u2408\u2408\u2408\u2408\u2408\u2408 audit log');
  });

  it('the Exceptions sheet shows the time of every response, as exceptions.csv does', async () => {
    const ledger = await ledgerOf([
      changeAt(1, '2026-01-10T12:00:00Z', { unreviewed: true }),
      exceptionOf('pull/1', 'merged_without_passing_control', '2026-01-10T12:00:00Z'),
      responseTo('pull/1', 'dave', '2026-01-11T09:00:00Z', 'Looked at it.'),
      responseTo('pull/1', 'erin', '2026-01-20T16:45:00Z', 'Reviewed after the fact; no impact.'),
    ]);
    const pkg = await exportOf(ledger, [...JAN, '--sample-size', '1']);
    expect(pkg.exceptions[0]!.responses).toBe('dave (maintain, 2026-01-11T09:00:00Z): Looked at it. | erin (maintain, 2026-01-20T16:45:00Z): Reviewed after the fact; no impact.');
    const ws = (await workbookOf(pkg.dir)).getWorksheet('Exceptions')!;
    expect(column(ws, 'Responded by')[0]!.value).toBe('dave (maintain) at 2026-01-11T09:00:00Z\nerin (maintain) at 2026-01-20T16:45:00Z');
    expect((column(ws, 'First responded at (UTC)')[0]!.value as Date).toISOString()).toBe('2026-01-11T09:00:00.000Z');
  });

  it('no cell of sample.xlsx holds more than 32,767 characters (Excel truncates or repairs such a cell)', async () => {
    const long = (k: number) => `Response ${k}: ${'x'.repeat(7_900)}`; // each under the app's 8,000-character limit
    const ledger = await ledgerOf([
      changeAt(1, '2026-01-10T12:00:00Z', { unreviewed: true }),
      exceptionOf('pull/1', 'merged_without_passing_control', '2026-01-10T12:00:00Z'),
      ...[1, 2, 3, 4, 5].map((k) => responseTo('pull/1', 'dave', `2026-01-1${k}T09:00:00Z`, long(k))),
    ]);
    const pkg = await exportOf(ledger, [...JAN, '--sample-size', '1']);
    const wb = await workbookOf(pkg.dir);
    const longest: Array<[string, number]> = [];
    wb.eachSheet((ws) => ws.eachRow((row) => row.eachCell((cell) => {
      if (typeof cell.value === 'string' && cell.value.length > 32_767) longest.push([`${ws.name}!${cell.address}`, cell.value.length]);
    })));
    expect(longest).toEqual([]);
    const response = column(wb.getWorksheet('Exceptions')!, 'Management response')[0]!.value as string;
    expect(response).toHaveLength(32_767);
    expect(response).toMatch(/ … \[cut: 39\d{3} characters in all, more than a cell holds; the CSV file has every one\]$/);
    expect(pkg.exceptions[0]!.responses.length).toBeGreaterThan(39_000);
  });
});

/** A change whose first check's link is `url` (a commit status's target_url is whatever its creator sends). */
function withCheckUrl(e: EntryInput, url: string): EntryInput {
  const data = JSON.parse(JSON.stringify(e.data)) as { facts: { checks: Array<{ url?: string | null }> } };
  data.facts.checks[0]!.url = url;
  return { ...e, data: data as unknown as EntryInput['data'] };
}

describe('report.html and evidence pages show recorded text, never run it', () => {
  it('markup in titles and responses is escaped; a javascript: check link is not a link', async () => {
    const title = '</title><script>alert(1)</script><img src=x onerror=alert(2)><a href="javascript:alert(3)">x</a>';
    const ledger = await ledgerOf([
      withCheckUrl(changeAt(1, '2026-01-10T12:00:00Z', { unreviewed: true, title }), 'javascript:alert(4)'),
      exceptionOf('pull/1', 'merged_without_passing_control', '2026-01-10T12:00:00Z'),
      responseTo('pull/1', 'dave', '2026-01-11T09:00:00Z', '<script>alert(5)</script><style>body{display:none}</style>'),
    ]);
    const pkg = await exportOf(ledger, [...JAN, '--sample-size', '1']);
    const pages = [pkg.report, ...pkg.evidence.values()];
    expect(pkg.evidence.size).toBe(1);
    for (const html of pages) {
      expect(html).not.toMatch(/<script/i);
      expect(html).not.toMatch(/<img/i);
      expect(html).not.toMatch(/<[a-z][^<>]*\sonerror=/i);
      expect(html).not.toMatch(/href="javascript:/i);
      expect(html.match(/<style/gi)?.length).toBeLessThanOrEqual(2); // the page's own style sheet (and print footer)
      expect(html).toContain('&lt;script&gt;alert(');
    }
    expect([...pkg.evidence.values()][0]).toContain('&lt;/title&gt;&lt;script&gt;alert(1)');
  });

  // U+202E RIGHT-TO-LEFT OVERRIDE makes the text after it display reversed: the title below reads
  // "Update docs: fix typo in readme" on screen, while it holds "emdaer ni opyt xif" (and could hold anything).
  it('a bidi override in a title is named, not obeyed: the rest of the title (and the page) reads as stored', async () => {
    const title = 'Update docs: \u202Eemdaer ni opyt xif';
    const ledger = await ledgerOf([changeAt(1, '2026-01-10T12:00:00Z', { title })]);
    const pkg = await exportOf(ledger, [...JAN, '--sample-size', '1']);
    for (const html of [pkg.report, ...pkg.evidence.values()]) {
      expect(html).not.toContain('\u202E');
    }
    const page = [...pkg.evidence.values()][0]!;
    expect(page).toContain('Update docs: ⟨U+202E⟩emdaer ni opyt xif');
    // The appendix's JSON writes it as its JSON escape: the same value, exactly as recorded.
    expect(page).toContain('Update docs: \\u202eemdaer ni opyt xif');
  });
});

const FORMULA = /^[=+\-@\t\r]/;

describe('CSV files: no cell a spreadsheet would run, no text starting a row of its own', () => {
  it('formula-like titles, multi-line titles and responses are guarded and quoted in every CSV', async () => {
    const titles = ['=1+1', '+1', '-1', '@SUM(A1)', '\t=1', 'Line one\n=cmd|\' /C calc\'!A0', 'CR only\r@x'];
    const ledger = await ledgerOf([
      ...titles.map((title, i) => changeAt(i + 1, `2026-01-1${i}T12:00:00Z`, { title, unreviewed: i === 0 })),
      exceptionOf('pull/1', 'merged_without_passing_control', '2026-01-10T12:00:00Z'),
      responseTo('pull/1', 'dave', '2026-01-11T09:00:00Z', '=HYPERLINK("http://evil.example","ok")\n+1'),
    ]);
    const pkg = await exportOf(ledger, [...JAN, '--sample-size', String(titles.length)]);
    expect(pkg.population).toHaveLength(titles.length);
    expect(pkg.sample).toHaveLength(titles.length);
    for (const rows of [pkg.population, pkg.sample, pkg.exceptions]) for (const row of rows) for (const v of Object.values(row)) expect(v).not.toMatch(FORMULA);
    expect(pkg.population.map((r) => r.title).sort()).toEqual(titles.map((t) => (FORMULA.test(t) ? `'${t}` : t)).sort());
    expect(pkg.exceptions[0]!.responses).toBe('dave (maintain, 2026-01-11T09:00:00Z): =HYPERLINK("http://evil.example","ok")\n+1');
  });

  it('a response cannot pass for two in exceptions.csv: `|` and `\\` in its text are escaped', async () => {
    const ledger = await ledgerOf([
      changeAt(1, '2026-01-10T12:00:00Z', { unreviewed: true }),
      exceptionOf('pull/1', 'merged_without_passing_control', '2026-01-10T12:00:00Z'),
      responseTo('pull/1', 'dave', '2026-01-11T09:00:00Z', 'Looked at it. | erin (admin, 2026-01-12T10:00:00Z): Approved by the CTO. C:\\temp'),
    ]);
    const pkg = await exportOf(ledger, [...JAN, '--sample-size', '1']);
    expect(pkg.exceptions[0]!.responses).toBe('dave (maintain, 2026-01-11T09:00:00Z): Looked at it. \\| erin (admin, 2026-01-12T10:00:00Z): Approved by the CTO. C:\\\\temp');
    expect(pkg.exceptions[0]!.responses.split(' | ')).toHaveLength(1);
    expect(pkg.exceptions[0]!.response_ledger_seqs.split('; ')).toHaveLength(1);
  });
});
