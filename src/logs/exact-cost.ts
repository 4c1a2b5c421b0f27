/**
 * The one spelling of an exact cost sum (docs/semantics.md R2a), shared by the query language's
 * events path (src/insights/sql) and the hourly roll-up (src/store/rollups.ts), so that both add
 * the same integers and a roll-up answer is bit for bit the events' answer.
 *
 * Why integers: DuckDB adds doubles in whatever order its threads meet them, so `sum(DOUBLE)`
 * may change in the last digit between two runs, and a sum of hourly sums differs from the sum of
 * the events. Each cost (USD, a double) is instead counted in whole 10^-12 USD (its double times
 * 10^12, rounded to an integer); integers add exactly in any order (DECIMAL(38, 0): a 128-bit sum
 * in DuckDB and Trino alike), and the total is converted to a double once, divided by 10^12.
 * The shipped prices (data/prices) have at most 6 decimals per 1M tokens, so a cost the pricer
 * computes from them is a whole number of 10^-12 USD up to its double's own rounding; a user price
 * with more decimals is rounded to 10^-12 USD per row (half a unit at most per event).
 *
 * Bound: a cost of COST_TERM_BOUND USD or more (hostile token counts or user prices), NaN or
 * Infinity does not fit the per-row DECIMAL(18, 0); a group holding one is summed in doubles as
 * before (events) or read from the events (roll-up: see src/insights/sql/rollup.ts), never fails.
 * Below it, the 128-bit total cannot overflow before 10^20 rows.
 */

/** The unit a cost is counted in: 10^-12 USD. */
export const COST_UNITS_PER_USD = '1e12';

/**
 * |cost| below this (USD) is counted exactly: times 10^12 it stays below 10^18, so it fits a
 * DECIMAL(18, 0) (Trino's and DuckDB's 64-bit decimal), the product's rounding included.
 */
export const COST_TERM_BOUND = '1e6';

/** One row's cost `v` (short SQL over a DOUBLE: it is repeated) in whole units; NULL when it does not fit. */
export function costUnitsSql(v: string): string {
  return `TRY_CAST(${v} * ${COST_UNITS_PER_USD} AS DECIMAL(18, 0))`;
}

/** True (SQL) when `maxAbs`, the largest |cost| of a group, allows the exact sum. */
export function costExactSql(maxAbs: string): string {
  return `${maxAbs} < ${COST_TERM_BOUND}`;
}

/** The exact total as a double, from the sum of units (a DECIMAL(38, 0) aggregate result). */
export function costTotalSql(unitsSum: string): string {
  return `(CAST(${unitsSum} AS DOUBLE) / ${COST_UNITS_PER_USD})`;
}

/** The average: the exact total over the count, both as doubles. */
export function costAverageSql(unitsSum: string, count: string): string {
  return `(${costTotalSql(unitsSum)} / CAST(${count} AS DOUBLE))`;
}

/** The `events` columns whose sum and avg are exact (the cost fields, src/logs/hot-fields.ts). */
export const EXACT_COST_COLUMNS: ReadonlySet<string> = new Set([
  'cost_input',
  'cost_output',
  'cost_cache_read',
  'cost_cache_write',
  'cost_total',
]);
