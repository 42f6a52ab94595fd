import { createReadStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import type ExcelJS from 'exceljs';
import { readNdjsonLines } from '../ledger/ndjson.js';
import type { ObservationPeriod } from '../sampling/period.js';
import { ATTRIBUTES, ATTRIBUTE_TITLES, type ExceptionRow, type PopulationItem } from './model.js';
import { EXCEPTION_PRINTED_COLUMNS, exceptionColumns, humanHeader, populationColumns, SAMPLE_PRINTED_COLUMNS, sampleColumns, type Column } from './workbook-columns.js';
import { instructionRows } from './workbook-instructions.js';
import { addRow, columnLetter, linesOf, MAX_WIDTH, tableSheet, Widths } from './workbook-sheet.js';

export { columnLetter, MAX_WIDTH };

/**
 * `sample.xlsx`: the auditor's working paper. Sheets, in order:
 *
 * - Instructions — what to test per control attribute, where the evidence is, the tick legend;
 * - Sample — the sampled items: id (linked to its evidence page), what Changeproof
 *   recorded per attribute, an "Auditor:" tick column per attribute (✓ / ✗ / n/a list)
 *   and notes first, then the GitHub link and the details;
 * - Exceptions — every exception of the period, its resolution and management's responses;
 * - Population — every item (or a note above {@link POPULATION_SHEET_LIMIT} rows);
 * - Completeness (when performed) and Method.
 *
 * Human headers; dates stored as dates (UTC) and numbers as numbers; links as
 * hyperlinks; widths fitted to the content (capped, long text wrapped); each
 * sheet prints landscape on A4, fitted to the page width, with its header row
 * repeated and a footer naming the period and the page. The Sample sheet
 * prints its working columns (through the links); the details stay on screen.
 * Text cells are text: nothing in them runs as a formula, so they carry no
 * `'` guard (the CSV files do).
 *
 * Written with exceljs's streaming writer. exceljs writes some 10,000 rows a
 * second, and a year of a busy organisation has hundreds of thousands, so a
 * larger population stays in population.csv only (its sheet says so).
 */
export const POPULATION_SHEET_LIMIT = 20_000;

export interface WorkbookInput {
  path: string;
  period: ObservationPeriod;
  sample: PopulationItem[];
  exceptions: ExceptionRow[];
  /** A JSON-lines file of the final population rows, in population.csv order (null above the sheet's limit). */
  populationRowsPath: string | null;
  populationSize: number;
  completeness: { columns: readonly string[]; rows: string[][] } | null;
  method: [string, string][];
  generatedAt: Date;
}

export const TICK_MARKS = ['✓', '✗', 'n/a'];


export async function writeWorkbook(input: WorkbookInput): Promise<void> {
  // Loaded when a workbook is written: exceljs takes most of a second to load, which no other command should pay.
  const { default: excel } = await import('exceljs');
  const workbook = new excel.stream.xlsx.WorkbookWriter({ filename: input.path, useStyles: true, useSharedStrings: false });
  workbook.creator = 'Changeproof';
  workbook.created = input.generatedAt;
  workbook.modified = input.generatedAt;
  const footer = footerOf(input.period);
  const sampled = new Set(input.sample.map((i) => i.id));

  writeInstructions(workbook, input, footer);

  const sampleCols = sampleColumns();
  const sample = tableSheet(workbook, 'Sample', sampleCols, input.sample, footer, { printColumns: SAMPLE_PRINTED_COLUMNS, rows: input.sample.length });
  for (const item of input.sample) addRow(sample, sampleCols, item);
  addTickValidation(sample, sampleCols, input.sample.length);
  sample.commit();

  const exceptionCols = exceptionColumns(sampled);
  const exceptions = tableSheet(workbook, 'Exceptions', exceptionCols, input.exceptions, footer, { printColumns: EXCEPTION_PRINTED_COLUMNS, rows: input.exceptions.length });
  for (const row of input.exceptions) addRow(exceptions, exceptionCols, row);
  exceptions.commit();

  if (input.populationRowsPath !== null && input.populationSize <= POPULATION_SHEET_LIMIT) {
    const rowsPath = input.populationRowsPath;
    const read = async function* () {
      for await (const line of readNdjsonLines(createReadStream(rowsPath))) yield JSON.parse(line.text) as PopulationItem;
    };
    const cols = populationColumns();
    // Two passes over the spooled rows: the widths must be known before the first row is written.
    const widths = new Widths(cols);
    for await (const item of read()) widths.add(item);
    const population = tableSheet(workbook, 'Population', cols, widths, footer);
    for await (const item of read()) addRow(population, cols, item);
    population.commit();
  } else {
    const note: Column<string>[] = [{ header: 'Note', value: (s) => s, kind: 'wrap', max: 72 }];
    const text = `The population has ${input.populationSize} rows, more than this workbook holds (${POPULATION_SHEET_LIMIT}): see population.csv, which the manifest signs.`;
    const population = tableSheet(workbook, 'Population', note, [text], footer);
    addRow(population, note, text);
    population.commit();
  }

  if (input.completeness) {
    const cols = input.completeness.columns.map((name, index): Column<string[]> => ({ header: humanHeader(name), value: (row) => row[index] || null, kind: /reason|detail|title|message/.test(name) ? 'wrap' : 'text', max: /sha|hash/.test(name) ? 42 : 50 }));
    const completeness = tableSheet(workbook, 'Completeness', cols, input.completeness.rows, footer);
    for (const row of input.completeness.rows) addRow(completeness, cols, row);
    completeness.commit();
  }

  const methodCols: Column<[string, string]>[] = [
    { header: 'Parameter', value: ([k]) => k, max: 44 },
    // Text, as selection.json records it: a seed of digits ("007") is text to the draw, not a number.
    { header: 'Value', value: ([k, v]) => (k === 'population size' ? Number(v) : v), kind: 'wrap', max: 72 },
  ];
  const method = tableSheet(workbook, 'Method', methodCols, input.method, footer);
  for (const row of input.method) addRow(method, methodCols, row);
  method.commit();
  await workbook.commit();
  await dateEveryPart(input.path, input.generatedAt);
}

/**
 * Dates every part of the workbook's zip as the export (the writer dates
 * each part when it writes it), so that one export always writes the same
 * bytes: the app re-derives the workbook before it signs an export, and
 * compares it byte for byte. The parts' compressed data is copied as it is.
 */
async function dateEveryPart(path: string, date: Date): Promise<void> {
  const { default: JSZip } = await import('jszip');
  const zip = await JSZip.loadAsync(await readFile(path));
  zip.forEach((_, file) => {
    file.date = date;
  });
  await writeFile(path, await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', platform: 'DOS' }));
}

/** `&L<period>&C<sheet>, page N of M&R<generated>`: Excel's header/footer codes (`&&` is a literal &). */
function footerOf(period: ObservationPeriod): string {
  const text = (s: string) => s.replaceAll('&', '&&');
  return `&L${text(`Changeproof — ${period.label} (${period.from} to ${period.to}, ${period.timeZone})`)}&C&A, page &P of &N`;
}

/** A ✓ / ✗ / n/a list on every "Auditor:" column of the Sample sheet. */
function addTickValidation<T>(ws: ExcelJS.Worksheet, columns: Column<T>[], rows: number): void {
  const lastRow = Math.max(2, rows + 1);
  columns.forEach((c, i) => {
    if (c.kind !== 'tick') return;
    const column = columnLetter(i + 1);
    const attribute = ATTRIBUTES.find((a) => c.header.endsWith(ATTRIBUTE_TITLES[a]));
    // The streaming writer has data validations, but its typings do not say so.
    (ws as unknown as { dataValidations: { add(range: string, v: object): void } }).dataValidations.add(`${column}2:${column}${lastRow}`, {
      type: 'list',
      allowBlank: true,
      formulae: [`"${TICK_MARKS.join(',')}"`],
      showErrorMessage: true,
      errorTitle: 'Tick mark',
      error: `Use ${TICK_MARKS.join(', ')} for "${attribute ? ATTRIBUTE_TITLES[attribute] : c.header}".`,
    });
  });
}

function writeInstructions(workbook: ExcelJS.stream.xlsx.WorkbookWriter, input: WorkbookInput, footer: string): void {
  const { period } = input;
  const ws = workbook.addWorksheet('Instructions', {
    pageSetup: { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0, margins: { left: 0.5, right: 0.5, top: 0.6, bottom: 0.6, header: 0.3, footer: 0.3 } },
    headerFooter: { oddFooter: footer, evenFooter: footer },
    views: [{ showGridLines: false }],
  });
  ws.columns = [
    { key: 'a', width: 24, style: { alignment: { vertical: 'top', wrapText: true } } },
    { key: 'b', width: 80, style: { alignment: { vertical: 'top', wrapText: true } } },
    { key: 'c', width: 50, style: { alignment: { vertical: 'top', wrapText: true } } },
  ];
  const rows = instructionRows({
    periodLabel: period.label,
    periodText: `${period.from} to ${period.to} inclusive (${period.timeZone})`,
    generatedAt: input.generatedAt.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    sampleSize: input.sample.length,
    populationSize: input.populationSize,
  });
  const headings = new Set(['How to use this workbook', 'Control attribute', 'Tick mark']);
  const widths = [24, 80, 50];
  rows.forEach((cells, index) => {
    const row = ws.addRow(cells);
    if (cells.length === 1) {
      // A heading or a sentence on its own runs on over the empty cells beside it.
      row.getCell(1).alignment = { vertical: 'top', wrapText: false };
    } else {
      row.height = 15 * Math.max(...cells.map((c, i) => linesOf(c, widths[i]!)));
    }
    if (index === 0) row.font = { bold: true, size: 14 };
    else if (headings.has(cells[0] ?? '')) row.font = { bold: true };
    row.commit();
  });
  ws.commit();
}
