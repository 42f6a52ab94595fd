import ExcelJS from 'exceljs';
import { readNdjsonLines } from '../ledger/ndjson.js';
import { createReadStream } from 'node:fs';
import { EXCEPTION_COLUMNS, POPULATION_COLUMNS, SAMPLE_COLUMNS, exceptionRecord, populationRecord, sampleRecord } from './csv.js';
import { ATTRIBUTES, ATTRIBUTE_TITLES, evidencePath, type ExceptionRow, type PopulationItem } from './model.js';

/**
 * `sample.xlsx`: the working paper. One sheet per file of the export —
 * Sample (the selected rows, each control attribute as Changeproof judged it,
 * then an empty tick-mark column per attribute with a ✓ / ✗ / n/a list for the
 * auditor, and a notes column), Exceptions, Population, Completeness (when
 * performed) and Method — each with a frozen, bold header row and a filter.
 * Written with exceljs's streaming writer, so no sheet is held in memory. A
 * population above {@link POPULATION_SHEET_LIMIT} rows stays in
 * population.csv only (its sheet says so): exceljs writes some 15,000 rows a
 * second, and a year of a busy organisation has hundreds of thousands.
 */
export const POPULATION_SHEET_LIMIT = 20_000;

export interface WorkbookInput {
  path: string;
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
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: input.path, useStyles: true, useSharedStrings: false });
  workbook.creator = 'Changeproof';
  workbook.created = input.generatedAt;
  workbook.modified = input.generatedAt;

  const tickHeaders = ATTRIBUTES.map((a) => `tested_${a}`);
  const sample = sheet(workbook, 'Sample', [...SAMPLE_COLUMNS, ...tickHeaders, 'auditor_notes']);
  for (const item of input.sample) sample.addRow([...sampleRecord(item, evidencePath(item.id)), ...tickHeaders.map(() => ''), '']).commit();
  const firstTick = SAMPLE_COLUMNS.length + 1;
  const lastRow = Math.max(2, input.sample.length + 1);
  ATTRIBUTES.forEach((a, i) => {
    const column = columnLetter(firstTick + i);
    // The streaming writer has data validations, but its typings do not say so.
    (sample as unknown as { dataValidations: { add(range: string, v: object): void } }).dataValidations.add(`${column}2:${column}${lastRow}`, {
      type: 'list',
      allowBlank: true,
      formulae: [`"${TICK_MARKS.join(',')}"`],
      showErrorMessage: true,
      errorTitle: 'Tick mark',
      error: `Use ${TICK_MARKS.join(', ')} for "${ATTRIBUTE_TITLES[a]}".`,
    });
  });
  sample.commit();

  const exceptions = sheet(workbook, 'Exceptions', EXCEPTION_COLUMNS);
  for (const row of input.exceptions) exceptions.addRow(exceptionRecord(row)).commit();
  exceptions.commit();

  if (input.populationRowsPath !== null && input.populationSize <= POPULATION_SHEET_LIMIT) {
    const population = sheet(workbook, 'Population', POPULATION_COLUMNS);
    for await (const line of readNdjsonLines(createReadStream(input.populationRowsPath))) {
      population.addRow(populationRecord(JSON.parse(line.text) as PopulationItem)).commit();
    }
    population.commit();
  } else {
    const population = sheet(workbook, 'Population', ['note']);
    population.addRow([`The population has ${input.populationSize} rows, more than this workbook holds (${POPULATION_SHEET_LIMIT}): see population.csv, which the manifest signs.`]).commit();
    population.commit();
  }

  if (input.completeness) {
    const completeness = sheet(workbook, 'Completeness', input.completeness.columns);
    for (const row of input.completeness.rows) completeness.addRow(row).commit();
    completeness.commit();
  }

  const method = sheet(workbook, 'Method', ['parameter', 'value']);
  for (const row of input.method) method.addRow(row).commit();
  method.commit();
  await workbook.commit();
}

function sheet(workbook: ExcelJS.stream.xlsx.WorkbookWriter, name: string, columns: readonly string[]): ExcelJS.Worksheet {
  const ws = workbook.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = columns.map((header) => ({ header, key: header, width: widthOf(header) }));
  ws.getRow(1).font = { bold: true };
  ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: columns.length } };
  return ws;
}

function widthOf(header: string): number {
  if (/hash|sha/.test(header)) return 66;
  if (/title|detail|reason|resolution|approvers|checks|value|url/.test(header)) return 48;
  return Math.max(12, header.length + 2);
}

/** 1 → A, 27 → AA. */
export function columnLetter(n: number): string {
  let s = '';
  for (let x = n; x > 0; x = Math.floor((x - 1) / 26)) s = String.fromCharCode(65 + ((x - 1) % 26)) + s;
  return s;
}
