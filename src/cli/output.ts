import type { ResultRow } from '../engines/engine.js';
import { cellMap, csvHeader, csvRows, jsonRow } from '../engines/resultText.js';
import { table } from '../util/text-table.js';

/**
 * What the commands print: one text table (src/util/text-table.ts, shared with the reports), one
 * CSV and one JSON writer for result rows (src/engines/resultText.ts, shared with the console's
 * export), JSON documents. Commands print through here, not with their own padding.
 */

export { table };

/** A line on standard output (the newline added when missing). */
export function out(s: string): void {
  process.stdout.write(s.endsWith('\n') ? s : `${s}\n`);
}

/** A JSON document, indented, on standard output. */
export function printJson(value: unknown): void {
  out(JSON.stringify(value, null, 2));
}

/** A table on standard output. */
export function printTable(header: readonly string[], rows: readonly (readonly string[])[], numeric?: boolean[]): void {
  out(table(header, rows, numeric));
}

const NUMBER = /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i;
/** Decimal places shown in a table; csv and json keep every digit. */
const SHOWN_DECIMALS = 6;

/**
 * A result value as the table view shows it: a number with a fraction is rounded for reading
 * (six decimal places, or six significant digits below 1: `0.000009359999999999998` reads
 * `0.00000936`, `1234.5678901234567` reads `1234.56789`: trailing zeros dropped); other
 * values as they are. Only for display: csv and json print the value the engine returned.
 */
export function displayValue(v: string): string {
  if (!NUMBER.test(v) || !/[.eE]/.test(v)) return v;
  const n = Number(v);
  if (!Number.isFinite(n) || Number.isInteger(n)) return v;
  const text = Math.abs(n) >= 1 ? n.toFixed(SHOWN_DECIMALS) : n.toPrecision(SHOWN_DECIMALS);
  // toPrecision may answer in exponent form for tiny values (1e-7 → "1.00000e-7"): keep it short.
  if (/e/i.test(text)) return String(Number(text));
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
}

export type RowFormat = 'table' | 'csv' | 'json';

/** Query result rows as an aligned table (numbers right-aligned, long cells cut at 120 characters). */
export function rowsTable(columns: string[], rows: ResultRow[]): string {
  const cells = rows.map((r) => {
    const m = cellMap(r);
    return columns.map((c) => displayValue(m.get(c) ?? ''));
  });
  const numeric = columns.map((_, i) => cells.length > 0 && cells.every((r) => r[i] === '' || NUMBER.test(r[i])));
  return `${table(columns, cells, numeric, 120)}\n`;
}

/** Query result rows in a format, whole. */
export function rowsText(format: RowFormat, columns: string[], rows: ResultRow[]): string {
  if (format === 'table') return rowsTable(columns, rows);
  if (format === 'csv') return csvHeader(columns) + csvRows(columns, rows);
  return `[${rows.map((r) => `\n${jsonRow(columns, r)}`).join(',')}${rows.length ? '\n' : ''}]\n`;
}

/**
 * Query result rows written as they come (csv or json), waiting for the reader when the pipe is
 * full: `query --no-row-cap` streams millions of rows without holding them.
 */
export class RowStream {
  private first = true;
  count = 0;

  constructor(
    private readonly format: 'csv' | 'json',
    private readonly columns: string[],
    private readonly stream: NodeJS.WritableStream = process.stdout,
  ) {
    stream.write(format === 'csv' ? csvHeader(columns) : '[');
  }

  async write(rows: ResultRow[]): Promise<void> {
    this.count += rows.length;
    let chunk = '';
    if (this.format === 'csv') chunk = csvRows(this.columns, rows);
    else
      for (const r of rows) {
        chunk += `${this.first ? '\n' : ',\n'}${jsonRow(this.columns, r)}`;
        this.first = false;
      }
    if (!this.stream.write(chunk)) await new Promise<void>((res) => this.stream.once('drain', () => res()));
  }

  end(): void {
    if (this.format === 'json') this.stream.write(this.first ? ']\n' : '\n]\n');
  }
}
