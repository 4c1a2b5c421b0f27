/** The DuckDB aggregate table: every aggregate of the plan (AggFn) → DuckDB SQL. */
import type { AggregateImpl, AggregateTable } from '../dialect.js';
import { STANDARD_AGGREGATES } from '../standard.js';
import { COLUMNS } from './columns.js';
import { naturalKey, numberLiteral } from './text.js';

const TS = COLUMNS.timestamp;

/** min / max: text values order numerically when they are numbers (JSON numbers arrive as text). */
function extreme(fn: 'min' | 'max'): AggregateImpl {
  return (c) => {
    const a = c.args[0];
    if (a.kind === 'string' || a.kind === 'json') {
      const v = c.v(0);
      return `coalesce(${fn === 'min' ? 'arg_min' : 'arg_max'}(${v}, TRY_CAST(${v} AS DOUBLE)), ${fn}(${v}))`;
    }
    if (a.kind === 'bool') return `${fn}(${c.n(0)})`;
    return `${fn}(${c.v(0)})`;
  };
}

/** earliest / latest: the value of the earliest / latest event that has one. */
function byTime(fn: 'earliest' | 'latest'): AggregateImpl {
  return (c) => {
    const a = c.args[0];
    if (a.k === 'base' && a.field === 'timestamp') return fn === 'earliest' ? `min(${TS})` : `max(${TS})`;
    const v = c.v(0);
    return `${fn === 'earliest' ? 'arg_min' : 'arg_max'}(${v}, ${TS}) FILTER (WHERE ${v} IS NOT NULL)`;
  };
}

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
  min: extreme('min'),
  max: extreme('max'),
  earliest: byTime('earliest'),
  latest: byTime('latest'),
  sortsFirst: bySortOrder(true),
  sortsLast: bySortOrder(false),
  values: (c) => `array_to_string(list_sort(list(DISTINCT ${c.s(0)})), ',')`,
  rate: (c) => {
    // Change of f per period between the earliest and the latest event that have it.
    const v = c.n(0);
    const p = c.v(1);
    return `((arg_max(${v}, ${TS}) FILTER (WHERE ${v} IS NOT NULL) - arg_min(${v}, ${TS}) FILTER (WHERE ${v} IS NOT NULL)) / NULLIF(CAST(max(${TS}) FILTER (WHERE ${v} IS NOT NULL) - min(${TS}) FILTER (WHERE ${v} IS NOT NULL) AS DOUBLE) / ${p}, 0))`;
  },
};
