import type ExcelJS from 'exceljs';
import type { CellValue, Column } from './workbook-columns.js';

/**
 * How the workbook's table sheets are laid out: widths fitted to the header
 * and the content (capped, long text wrapped), row heights for wrapped text,
 * typed cells, links styled as links, a frozen and filtered header row, and
 * the print setup — A4 landscape, fitted to the page width, the header row
 * repeated, a footer, and optionally only the working columns printed.
 */

export const DATE_FORMAT = 'yyyy-mm-dd hh:mm:ss';
export const MIN_WIDTH = 6;
export const MAX_WIDTH = 72;

export interface SheetOptions {
  /** Print only the first N columns (the rest stay on screen) of the header and `rows` rows. */
  printColumns?: number;
  rows?: number;
}

/** Widths fitted to the header and the content, capped; wrapped text for columns at the cap. */
export class Widths<T> {
  readonly chars: number[];
  constructor(private readonly columns: Column<T>[]) {
    this.chars = columns.map((c) => Math.max(...c.header.split(' ').map((w) => w.length), Math.min(c.header.length, 14)));
  }

  add(row: T): void {
    this.columns.forEach((c, i) => {
      this.chars[i] = Math.max(this.chars[i]!, displayLength(c.value(row), c));
    });
  }

  width(i: number): number {
    const c = this.columns[i]!;
    const cap = Math.min(c.max ?? 40, MAX_WIDTH);
    return Math.max(MIN_WIDTH, Math.min(cap, this.chars[i]!) + 2);
  }
}

function displayLength<T>(value: CellValue, column: Column<T>): number {
  if (value === null) return 0;
  if (value instanceof Date) return DATE_FORMAT.length;
  if (typeof value === 'number') return String(value).length;
  const text = typeof value === 'string' ? value : value.text;
  return column.kind === 'wrap' ? Math.max(...text.split('\n').map((l) => l.length)) : text.length;
}

export function tableSheet<T>(workbook: ExcelJS.stream.xlsx.WorkbookWriter, name: string, columns: Column<T>[], rows: Iterable<T> | Widths<T>, footer: string, options: SheetOptions = {}): ExcelJS.Worksheet {
  let widths: Widths<T>;
  if (rows instanceof Widths) widths = rows;
  else {
    widths = new Widths(columns);
    for (const row of rows) widths.add(row);
  }
  // exceljs puts `$` before each end's column: `A$1` becomes the absolute `$A$1` Excel and LibreOffice expect.
  const printArea = options.printColumns ? { printArea: `A$1:${columnLetter(Math.min(options.printColumns, columns.length))}$${(options.rows ?? 0) + 1}` } : {};
  const ws = workbook.addWorksheet(name, {
    views: [{ state: 'frozen', ySplit: 1, xSplit: 1 }],
    pageSetup: {
      paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0, printTitlesRow: '1:1',
      ...printArea, margins: { left: 0.4, right: 0.4, top: 0.5, bottom: 0.6, header: 0.25, footer: 0.3 },
    },
    headerFooter: { oddFooter: footer, evenFooter: footer },
  });
  ws.columns = columns.map((c, i) => ({
    header: c.header,
    key: `c${i}`,
    width: widths.width(i),
    style: {
      ...(c.kind === 'date' ? { numFmt: DATE_FORMAT } : {}),
      alignment: { vertical: 'top', wrapText: c.kind === 'wrap' || (c.kind !== 'date' && c.kind !== 'number' && widths.chars[i]! > widths.width(i) - 2) },
    },
  }));
  const header = ws.getRow(1);
  header.height = 15 * Math.max(...columns.map((c, i) => wordLines(c.header, widths.width(i))));
  header.font = { bold: true };
  header.alignment = { vertical: 'top', wrapText: true };
  header.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE8EDF3' } };
  ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: columns.length } };
  return ws;
}

export function addRow<T>(ws: ExcelJS.Worksheet, columns: Column<T>[], row: T): void {
  const values = columns.map((c) => {
    const value = c.value(row);
    if (typeof value === 'string') return cellText(value);
    if (value && typeof value === 'object' && 'hyperlink' in value && typeof value.text === 'string') return { ...value, text: cellText(value.text) };
    return value;
  });
  const r = ws.addRow(values);
  let lines = 1;
  values.forEach((value, i) => {
    if (value && typeof value === 'object' && 'hyperlink' in value) r.getCell(i + 1).font = { color: { argb: 'FF23466E' }, underline: true };
    if (typeof value === 'string') lines = Math.max(lines, linesOf(value, ws.getColumn(i + 1).width ?? 10));
  });
  // Spreadsheets do not grow a row for wrapped text they did not lay out themselves: say how tall it is.
  if (lines > 1) r.height = Math.min(409, 15 * lines);
  r.commit();
}

/** The lines a header takes when wrapped at word boundaries in a column's width. */
function wordLines(text: string, width: number): number {
  let lines = 1;
  let used = 0;
  for (const word of text.split(' ')) {
    if (used > 0 && used + 1 + word.length > width - 1) {
      lines += 1;
      used = word.length;
    } else used += (used ? 1 : 0) + word.length;
  }
  return lines;
}

/** The lines text takes when wrapped at a column's width (a character is about one width unit). */
export function linesOf(text: string, width: number): number {
  const perLine = Math.max(1, Math.floor(width - 1));
  return text.split('\n').reduce((n, line) => n + Math.max(1, Math.ceil(line.length / perLine)), 0);
}

/** 1 → A, 27 → AA. */
export function columnLetter(n: number): string {
  let s = '';
  for (let x = n; x > 0; x = Math.floor((x - 1) / 26)) s = String.fromCharCode(65 + ((x - 1) % 26)) + s;
  return s;
}

/** The most characters a spreadsheet cell holds (Excel's limit; LibreOffice's too). */
export const MAX_CELL_TEXT = 32_767;

// Characters a worksheet's XML cannot hold: C0 controls other than tab, line feed and
// carriage return, and DEL (exceljs drops them silently), U+FFFE and U+FFFF, and
// surrogates that are not part of a pair (XML forbids them: the file would not open).
const UNSHOWABLE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Text as a cell can hold it, never silently changed: a control character is
 * shown as its symbol from Unicode's Control Pictures (U+0008 as ␈), a character
 * XML cannot hold as U+FFFD (�), and text beyond a cell's 32,767 characters is cut
 * with a note saying so — the CSV files and evidence pages, which the manifest
 * signs too, keep every character.
 *
 * @example cellText('Disable\b audit log') // 'Disable␈ audit log'
 */
export function cellText(text: string): string {
  let shown = UNSHOWABLE.test(text)
    ? text.replace(UNSHOWABLE, (c) => {
      const code = c.charCodeAt(0);
      return code < 0x20 ? String.fromCharCode(0x2400 + code) : code === 0x7f ? '\u2421' : '\uFFFD';
    })
    : text;
  UNSHOWABLE.lastIndex = 0;
  if (shown.length > MAX_CELL_TEXT) {
    const note = ` … [cut: ${shown.length} characters in all, more than a cell holds; the CSV file has every one]`;
    shown = shown.slice(0, MAX_CELL_TEXT - note.length).replace(/[\uD800-\uDBFF]$/, '') + note;
  }
  return shown;
}
