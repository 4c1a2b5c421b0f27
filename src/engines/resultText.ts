import type { ResultRow } from './engine.js';

/**
 * Result rows as text, one definition for every place that writes them: `query --format csv|json`
 * and the console's streamed export (POST /api/queries/export).
 */

/** A row's cells by field name (without @ptr). */
export function cellMap(row: ResultRow): Map<string, string> {
  const m = new Map<string, string>();
  for (const f of row) if (f.field !== '@ptr') m.set(f.field, f.value);
  return m;
}

function csvCell(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export function csvHeader(columns: string[]): string {
  return columns.map(csvCell).join(',') + '\r\n';
}

/** RFC 4180 rows (CRLF line ends; missing values empty). */
export function csvRows(columns: string[], rows: ResultRow[]): string {
  let out = '';
  for (const r of rows) {
    const m = cellMap(r);
    out += columns.map((c) => csvCell(m.get(c) ?? '')).join(',') + '\r\n';
  }
  return out;
}

const JSON_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

/** One JSON object per row, keyed by column; numbers as JSON numbers, missing values left out. */
export function jsonRow(columns: string[], row: ResultRow): string {
  const m = cellMap(row);
  const parts: string[] = [];
  for (const c of columns) {
    const v = m.get(c);
    if (v === undefined) continue;
    parts.push(`${JSON.stringify(c)}:${JSON_NUMBER.test(v) ? v : JSON.stringify(v)}`);
  }
  return `{${parts.join(',')}}`;
}
