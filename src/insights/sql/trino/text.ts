/** Trino quoting, literals, casts and the text forms of values. */
import type { Lower, SqlType } from '../dialect.js';

export function quoteIdent(id: string): string {
  return `"${id.replace(/"/g, '""')}"`;
}

export function quoteString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/**
 * Integers as integer literals; anything else in scientific notation, which Trino types as
 * DOUBLE (a plain `1.5` would be a DECIMAL, with DECIMAL arithmetic).
 */
export function numberLiteral(n: number): string {
  if (!Number.isFinite(n)) return 'NULL';
  if (Number.isInteger(n) && Math.abs(n) < 2 ** 53) return String(n);
  return n.toExponential().toUpperCase();
}

/**
 * Text that is a number as Logs Insights reads one (a plain decimal, optional sign, fraction and
 * exponent, spaces around). Trino's own varchar → double cast also takes Java's forms (`1d`,
 * `0x1p3`, `NaN`, `Infinity`), which are not numbers here.
 */
const NUMBER_TEXT = '^\\s*[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+)?\\s*$';

export function tryCast(sql: string, type: SqlType): string {
  if (type === 'DOUBLE') return `TRY_CAST(CASE WHEN regexp_like(${sql}, '${NUMBER_TEXT}') THEN ${sql} END AS DOUBLE)`;
  return `TRY_CAST(${sql} AS ${type})`;
}

/**
 * Number text in SQL, as src/insights/format.ts prints numbers (docs/semantics.md #11): integral
 * values within Java's long range as whole numbers, others as Java's Double.toString. That is
 * `format('%s', x)` (java.util.Formatter calls Double.toString), not CAST(x AS VARCHAR), which
 * Trino always writes in scientific notation (`1.5E0`). Non-finite values are missing.
 */
export function numberText(x: Lower, v: string): string {
  return x.share(
    v,
    (y) =>
      `(CASE WHEN ${y} = truncate(${y}) AND abs(${y}) < 9.2233720368547758e18 THEN CAST(CAST(${y} AS BIGINT) AS VARCHAR) WHEN NOT is_finite(${y}) THEN NULL ELSE format('%s', ${y}) END)`,
  );
}

/** The natural-sort key of a text: digit runs prefixed with their length, so they order by value. */
export function naturalKey(v: string): string {
  return `array_join(transform(regexp_extract_all(${v}, '[0-9]+|[^0-9]+'), __r -> CASE WHEN regexp_like(__r, '^[0-9]+$') THEN '0' || lpad(CAST(length(__r) AS VARCHAR), 6, '0') || __r ELSE __r END), '')`;
}

/** A plan regex (a string literal) matched against the whole text. */
export function regexFullMatch(sql: string, re: string): string {
  return `regexp_like(${sql}, ${anchored(re)})`;
}

/** `\A(?:re)\z` of a regex given as SQL: rewritten inside a literal, concatenated otherwise. */
export function anchored(re: string): string {
  const lit = /^'((?:[^']|'')*)'$/.exec(re);
  if (lit) return `'\\A(?:${lit[1]})\\z'`;
  return `('\\A(?:' || ${re} || ')\\z')`;
}
