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

/**
 * Number text in SQL, as src/insights/format.ts prints numbers (docs/semantics.md #11): integral
 * values within Java's long range as whole numbers; others as Java's Double.toString, i.e. the
 * shortest round-trip digits, plain from 10^-3 to 10^7 and `d.dddE±n` outside; non-finite missing.
 * DuckDB prints the same shortest digits (`2.4500000000000004e-07`, `1e+16`), so the
 * exponent form is rebuilt from its text: digits without leading or trailing zeros, and the
 * decimal exponent of the first one.
 */
export function numberText(x: Lower, v: string): string {
  return x.share(v, (y) => {
    const parts = x.share(
      `regexp_extract(CAST(${y} AS VARCHAR), '^(-?)([0-9]+)[.]?([0-9]*)(?:e([-+]?[0-9]+))?$', ['sign', 'ip', 'fp', 'x'])`,
      (m) => {
        const all = `(${m}.ip || ${m}.fp)`;
        const digits = `rtrim(ltrim(${all}, '0'), '0')`;
        const exp = `(coalesce(TRY_CAST(${m}.x AS INTEGER), 0) + length(${m}.ip) - 1 - (length(${all}) - length(ltrim(${all}, '0'))))`;
        return x.share(
          digits,
          (d) =>
            `${m}.sign || substr(${d}, 1, 1) || '.' || (CASE WHEN length(${d}) > 1 THEN substr(${d}, 2) ELSE '0' END) || 'E' || CAST(${exp} AS VARCHAR)`,
        );
      },
    );
    return `(CASE WHEN NOT isfinite(${y}) THEN NULL WHEN ${y} = trunc(${y}) AND abs(${y}) < 9.2233720368547758e18 THEN CAST(CAST(${y} AS BIGINT) AS VARCHAR) WHEN abs(${y}) >= 0.001 AND abs(${y}) < 10000000 THEN CAST(${y} AS VARCHAR) ELSE ${parts} END)`;
  });
}

/** The natural-sort key of a text: digit runs prefixed with their length, so they order by value. */
export function naturalKey(v: string): string {
  return `array_to_string(list_transform(regexp_extract_all(${v}, '[0-9]+|[^0-9]+'), r -> CASE WHEN regexp_full_match(r, '[0-9]+') THEN '0' || lpad(CAST(length(r) AS VARCHAR), 6, '0') || r ELSE r END), '')`;
}
