/** The Trino aggregate table: every aggregate of the plan (AggFn) → Trino SQL. */
import type { AggregateImpl, AggregateTable } from '../dialect.js';
import { STANDARD_AGGREGATES, orderedAggregates } from '../standard.js';
import { naturalKey, numberLiteral, regexFullMatch } from './text.js';

/**
 * sortsFirst / sortsLast: by CloudWatch's sort order (natural order for text). The key is a ROW,
 * which Trino orders field by field; its fields are never NULL (Trino cannot order a ROW holding one).
 */
function bySortOrder(first: boolean): AggregateImpl {
  return (c) => {
    const a = c.args[0];
    if (a.kind === 'number' || a.kind === 'time' || a.kind === 'bool') return `${first ? 'min' : 'max'}(${c.n(0)})`;
    const v = c.v(0);
    const digits = regexFullMatch(v, "'[0-9]+'");
    const key = `ROW(CASE WHEN ${digits} THEN 1 ELSE 0 END, coalesce(TRY_CAST(CASE WHEN ${digits} THEN ${v} END AS DOUBLE), 0E0), ${naturalKey(v)})`;
    return `${first ? 'min_by' : 'max_by'}(${v}, ${key}) FILTER (WHERE ${v} IS NOT NULL)`;
  };
}

export const AGGREGATES: AggregateTable = {
  ...STANDARD_AGGREGATES,
  // Exact nearest rank (the ⌈p·n⌉-th smallest value, the first for p = 0): Trino's
  // approx_percentile is an estimate.
  pct: (c) => {
    const b = c.args[1];
    const p = b.k === 'lit' && typeof b.value === 'number' ? b.value / 100 : 0.5;
    const n = c.n(0);
    return `element_at(array_sort(array_agg(${n}) FILTER (WHERE ${n} IS NOT NULL)), CAST(greatest(1, ceil(${numberLiteral(p === 0 ? 0 : p)} * count(${n}))) AS BIGINT))`;
  },
  ...orderedAggregates({ min: (v, key) => `min_by(${v}, ${key})`, max: (v, key) => `max_by(${v}, ${key})` }),
  sortsFirst: bySortOrder(true),
  sortsLast: bySortOrder(false),
  values: (c) => {
    const s = c.s(0);
    return `array_join(array_sort(array_distinct(array_agg(${s}) FILTER (WHERE ${s} IS NOT NULL))), ',')`;
  },
};
