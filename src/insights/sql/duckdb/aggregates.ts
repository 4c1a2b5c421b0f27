/** The DuckDB aggregate table: every aggregate of the plan (AggFn) → DuckDB SQL. */
import type { AggregateImpl, AggregateTable } from '../dialect.js';
import { STANDARD_AGGREGATES, orderedAggregates } from '../standard.js';
import { naturalKey, numberLiteral } from './text.js';

/** sortsFirst / sortsLast: by CloudWatch's sort order (natural order for text). */
function bySortOrder(first: boolean): AggregateImpl {
  return (c) => {
    const a = c.args[0];
    if (a.kind === 'number' || a.kind === 'time' || a.kind === 'bool') return `${first ? 'min' : 'max'}(${c.n(0)})`;
    const v = c.v(0);
    const key = `{c: CASE WHEN regexp_full_match(${v}, '[0-9]+') THEN 1 ELSE 0 END, n: TRY_CAST(CASE WHEN regexp_full_match(${v}, '[0-9]+') THEN ${v} END AS DOUBLE), k: ${naturalKey(v)}}`;
    return `${first ? 'arg_min' : 'arg_max'}(${v}, ${key})`;
  };
}

export const AGGREGATES: AggregateTable = {
  ...STANDARD_AGGREGATES,
  pct: (c) => {
    const b = c.args[1];
    const p = b.k === 'lit' && typeof b.value === 'number' ? b.value / 100 : 0.5;
    return `quantile_disc(${c.n(0)}, ${numberLiteral(p === 0 ? 0 : p)}::DOUBLE)`;
  },
  ...orderedAggregates({ min: (v, key) => `arg_min(${v}, ${key})`, max: (v, key) => `arg_max(${v}, ${key})` }),
  sortsFirst: bySortOrder(true),
  sortsLast: bySortOrder(false),
  values: (c) => `array_to_string(list_sort(list(DISTINCT ${c.s(0)})), ',')`,
};
