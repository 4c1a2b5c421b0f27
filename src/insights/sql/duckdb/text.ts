/** DuckDB quoting, literals and the text forms of values. */
import type { Lower } from '../dialect.js';

export function quoteIdent(id: string): string {
  return `"${id.replace(/"/g, '""')}"`;
}

export function quoteString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

export function numberLiteral(n: number): string {
  if (!Number.isFinite(n)) return 'NULL';
  if (Number.isInteger(n) && Math.abs(n) < 2 ** 53) return String(n);
  // Scientific notation keeps DuckDB from typing the literal as DECIMAL.
  return n.toExponential();
}

/** Number text in SQL: integral values without a fraction, others as DuckDB prints doubles. */
export function numberText(x: Lower, v: string): string {
  return x.share(
    v,
    (y) =>
      `(CASE WHEN ${y} = trunc(${y}) AND abs(${y}) < 1e15 THEN CAST(CAST(${y} AS BIGINT) AS VARCHAR) ELSE CAST(${y} AS VARCHAR) END)`,
  );
}

/** The natural-sort key of a text: digit runs prefixed with their length, so they order by value. */
export function naturalKey(v: string): string {
  return `array_to_string(list_transform(regexp_extract_all(${v}, '[0-9]+|[^0-9]+'), r -> CASE WHEN regexp_full_match(r, '[0-9]+') THEN '0' || lpad(CAST(length(r) AS VARCHAR), 6, '0') || r ELSE r END), '')`;
}
