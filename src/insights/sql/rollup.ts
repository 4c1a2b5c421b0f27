/**
 * Answering a stats query from the hourly roll-up (src/store/rollups.ts) where the answer is
 * provably the one the events give (docs/semantics.md "Hourly roll-ups"). Engine-neutral: the
 * roll-up arrives as data (RollupSource), and the SQL is built from the lowering's own
 * expressions, so a key or a filter is spelled once for both relations.
 *
 * Why the same SQL can run over both: a roll-up row stands for events that share every
 * dimension value, in one (log group, hour) bucket, and its dimension columns carry the events'
 * column names, with `ts` the hour start. An expression over dimension columns only has the same
 * value on each event of the row as on the row; `bin()` of whole hours (or days, weeks, calendar
 * months) floors every time of an hour to the bin of its start. The aggregates recombine
 * exactly: counts and integer sums add, minimum and maximum of parts are those of the whole.
 * Token arithmetic (`input + output`) is computed in doubles by the language; a double sum of
 * integers is exact, in any order, while every partial sum stays below 2^53, so it is the
 * integer sum of the roll-up converted once; the statement fails with ROLLUP_INEXACT (and the
 * engine answers from the events) in a group where that bound is not proven. avg of such a
 * double is that sum divided by the count, as DuckDB's avg(DOUBLE) computes it.
 * sum and avg of a cost field are exact on both paths (src/logs/exact-cost.ts): each cost is
 * counted in whole 10^-12 USD, the roll-up keeps the per-bucket DECIMAL sums of those units, and
 * integers recombine exactly, so the total converted once is the events' answer bit for bit. In a
 * group holding a cost beyond the exact bound (the events add doubles there) the statement fails
 * with ROLLUP_INEXACT and the engine answers from the events.
 * What cannot be recombined exactly is refused, with the reason shown by `query --explain`:
 * avg of a BIGINT column (DuckDB divides its sum in 80-bit long double, which a division of the
 * parts' sum and count does not reproduce).
 */
import {
  COST_TERM_BOUND,
  costAverageSql,
  costExactSql,
  costTotalSql,
  costUnitsSql,
  EXACT_COST_COLUMNS,
} from '../../logs/exact-cost.js';
import type { AggFn, PExpr, Plan, Stage } from '../plan.js';
import type { AnswerSource, Lower, RollupMeasureSource, RollupSource } from './dialect.js';

export type { AnswerSource, RollupMeasureSource, RollupSource };
import { periodMs } from './periods.js';

export const HOUR_MS = 3_600_000;

/** What a roll-up statement fails with when a sum may not be the events' answer (then the events answer). */
const ROLLUP_INEXACT = 'ROLLUP_INEXACT';
const INEXACT_TOKENS = `${ROLLUP_INEXACT}: a sum of integers reached 2^53; read the events`;
const INEXACT_COST = `${ROLLUP_INEXACT}: a cost reached ${COST_TERM_BOUND} USD; read the events`;

/** Why the roll-up could not answer, from the message of a statement that failed, or undefined. */
export function rollupInexactReason(message: string): string | undefined {
  if (message.includes(INEXACT_TOKENS)) return 'a token sum reached 2^53, beyond what the roll-up proves exact';
  if (message.includes(INEXACT_COST))
    return `a cost of ${COST_TERM_BOUND} USD or more (or not a number): its sum is added in doubles, from the events`;
  return undefined;
}

/** 2^53: integers below it are exact doubles, and so is every sum of them that stays below it. */
const EXACT_DOUBLE_INTEGERS = '9007199254740992';

/**
 * How an aggregate's argument relates to a measure: `native` reads it in the measure's own type;
 * `double` is an integer measure computed in doubles by the language's arithmetic; `cost` is the
 * exact sum (or avg) of a cost field, from the roll-up's sums of whole 10^-12 USD.
 */
interface MeasureUse {
  m: RollupMeasureSource;
  flavor: 'native' | 'double' | 'cost';
}

/**
 * One aggregate of the stats items: its partial columns over each relation (grouped by the stats
 * keys) and how they combine into the aggregate's value.
 */
interface PartialAgg {
  cols: { id: string; events: string; rollup: string }[];
  combine: string;
}

/** A plan the roll-up can answer: the first stats, its partials and the covered hours. */
export interface RollupRewrite {
  from?: number;
  to?: number;
  measureOf: Map<PExpr, MeasureUse | 'star'>;
}

type Decision = { ok: true; rewrite: RollupRewrite } | { ok: false; reason: string };

const ALIGNED_CALENDAR = new Set(['mo', 'q', 'y']);

/** A period whose boundaries are all hour boundaries (UTC, from the epoch or the calendar). */
function hourAligned(e: PExpr | undefined): boolean {
  if (!e || e.k !== 'period') return false;
  if (ALIGNED_CALENDAR.has(e.unit)) return true;
  const ms = periodMs(e.amount, e.unit);
  return ms !== undefined && ms > 0 && ms % HOUR_MS === 0;
}

/**
 * Why `e` is not the same on every event of a roll-up row, or undefined when it is: literals,
 * dimension columns, functions of them, and bin/datefloor of @timestamp by whole hours.
 */
function notDimensional(e: PExpr, dims: ReadonlySet<string>): string | undefined {
  switch (e.k) {
    case 'lit':
    case 'period':
    case 'regex':
      return undefined;
    case 'base':
      if (e.field === 'logGroup') return undefined;
      if (e.field === 'accountId' || e.field === 'log')
        return dims.has('account_id') ? undefined : 'the account is not a roll-up dimension';
      return `@${e.field} is not a roll-up dimension`;
    case 'hot':
      if (e.mixed) return `${e.jsonPath.join('.')} is read from messages in this selection`;
      return dims.has(e.column) ? undefined : `${e.jsonPath.join('.')} is not a roll-up dimension`;
    case 'meta':
      if (e.mixed) return `requestMetadata.${e.key} is read from messages in this selection`;
      return e.column !== undefined && dims.has(e.column)
        ? undefined
        : `requestMetadata.${e.key} is not a roll-up dimension (not a promoted column of few values)`;
    case 'call': {
      if (e.fn === 'bin' || e.fn === 'datefloor') {
        const t = e.args[0];
        if (t?.k === 'base' && t.field === 'timestamp') {
          return hourAligned(e.args[1]) ? undefined : `${e.fn}() by a period that is not whole hours`;
        }
      }
      for (const a of e.args) {
        const why = notDimensional(a, dims);
        if (why) return why;
      }
      return undefined;
    }
    default:
      return `a ${e.k} value is not a roll-up dimension`;
  }
}

/** Every aggregate node of an item expression. */
function aggregatesOf(e: PExpr, out: Extract<PExpr, { k: 'agg' }>[] = []): Extract<PExpr, { k: 'agg' }>[] {
  if (e.k === 'agg') out.push(e);
  else if (e.k === 'call') e.args.forEach((a) => aggregatesOf(a, out));
  return out;
}

/** Aggregates whose parts recombine exactly, by the measure type they may read. */
const EXACT: Partial<Record<AggFn, ReadonlySet<RollupMeasureSource['type']>>> = {
  count: new Set(['BIGINT', 'DOUBLE', 'VARCHAR']),
  sum: new Set(['BIGINT']),
  min: new Set(['BIGINT', 'DOUBLE']),
  max: new Set(['BIGINT', 'DOUBLE']),
};

/** Over an integer measure computed in doubles: these recombine exactly (sum and avg guarded). */
const EXACT_OVER_DOUBLES: ReadonlySet<AggFn> = new Set<AggFn>(['count', 'sum', 'avg']);

/**
 * The integer SQL of a sum of typed integer columns (`a + b` of token counts), spelled as the
 * measures spell it, or undefined. The language computes `+` in doubles (sql/standard.ts): for
 * integers below 2^53 that is the same value, and NULL when either side is.
 */
function integerSum(e: PExpr): string | undefined {
  if (e.k === 'hot' && !e.mixed && e.kind === 'number') return e.column;
  if (e.k === 'call' && e.fn === '+' && e.args.length === 2) {
    const a = integerSum(e.args[0]);
    const b = integerSum(e.args[1]);
    return a !== undefined && b !== undefined ? `(${a} + ${b})` : undefined;
  }
  return undefined;
}

/**
 * Whether the roll-up can answer the plan's first stats, and if not why. `x` lowers the
 * aggregates' arguments, compared with the measures' SQL.
 */
export function decideRollup(plan: Plan, x: Lower, rollup: RollupSource): Decision {
  const no = (reason: string): Decision => ({ ok: false, reason });
  if (plan.scan) return no('the query reads events outside its range (stats … offset, diff)');
  const first = plan.stages.findIndex((s) => s.op !== 'filter');
  const st: Stage | undefined = plan.stages[first];
  if (!st || st.op !== 'aggregate') return no('the first command that is not a filter is not stats');
  const dims = new Set(rollup.dimensions);
  for (const s of plan.stages.slice(0, first)) {
    if (s.op !== 'filter') continue;
    const why = notDimensional(s.cond, dims);
    if (why) return no(`a filter before stats reads more than roll-up dimensions: ${why}`);
  }
  for (const k of st.keys) {
    const why = notDimensional(k.expr, dims);
    if (why) return no(`stats … by: ${why}`);
  }
  const measureOf = new Map<PExpr, MeasureUse | 'star'>();
  for (const it of st.items) {
    const aggs = aggregatesOf(it.expr);
    if (aggs.length === 0) return no('a stats item without an aggregate');
    for (const a of aggs) {
      if (a.fn === 'count_star') {
        measureOf.set(a, 'star');
        continue;
      }
      const arg = a.args[0];
      if (!arg || notDimensional(arg, new Set()) === undefined) return no(`${a.fn}() of a constant`);
      const sql = a.fn === 'count' ? x.value(arg) : x.num(arg);
      const native = rollup.measures.find((mm) => mm.sql === sql);
      if (native) {
        if ((a.fn === 'sum' || a.fn === 'avg') && native.type === 'DOUBLE' && EXACT_COST_COLUMNS.has(native.sql)) {
          measureOf.set(a, { m: native, flavor: 'cost' });
          continue;
        }
        if (!EXACT[a.fn]?.has(native.type))
          return no(
            a.fn === 'avg'
              ? 'avg() of an integer field: DuckDB divides its sum in long double, which the roll-up cannot reproduce'
              : `${a.fn}() is not answered from the roll-up (docs/semantics.md "Hourly roll-ups")`,
          );
        measureOf.set(a, { m: native, flavor: 'native' });
        continue;
      }
      const int = integerSum(arg);
      const overDoubles =
        int === undefined ? undefined : rollup.measures.find((mm) => mm.sql === int && mm.type === 'BIGINT');
      if (!overDoubles) {
        if (!EXACT[a.fn] && !EXACT_OVER_DOUBLES.has(a.fn))
          return no(`${a.fn}() is not answered from the roll-up (docs/semantics.md "Hourly roll-ups")`);
        return no(`${a.fn}() of a field the roll-up does not summarise`);
      }
      if (!EXACT_OVER_DOUBLES.has(a.fn)) return no(`${a.fn}() of token arithmetic is not answered from the roll-up`);
      measureOf.set(a, { m: overDoubles, flavor: 'double' });
    }
  }
  const from = plan.startTime === undefined ? undefined : Math.ceil(Math.trunc(plan.startTime) / HOUR_MS) * HOUR_MS;
  const to = plan.endTime === undefined ? undefined : Math.floor((Math.trunc(plan.endTime) + 1) / HOUR_MS) * HOUR_MS;
  if (from !== undefined && to !== undefined && from >= to) return no('the range covers no whole hour');
  const rewrite: RollupRewrite = { measureOf };
  if (from !== undefined) rewrite.from = from;
  if (to !== undefined) rewrite.to = to;
  return { ok: true, rewrite };
}

/** The parts of one aggregate over the events and over the roll-up, and how they combine. */
function partialOf(a: Extract<PExpr, { k: 'agg' }>, use: MeasureUse | 'star', id: string, x: Lower): PartialAgg {
  const d = x.dialect;
  const col = (i: number) => d.ident(`${id}_${i}`);
  const counted = (i: number) => d.cast(`coalesce(sum(${col(i)}), 0)`, 'BIGINT');
  const cols = (...parts: [string, string][]) =>
    parts.map(([events, rollup], i) => ({ id: `${id}_${i}`, events, rollup }));
  if (use === 'star') return { cols: cols(['count(*)', 'sum(r_n)']), combine: counted(0) };
  const { m, flavor } = use;
  // The events' value as the measure spells it (integer for token arithmetic, see integerSum).
  const v = flavor === 'double' ? m.sql : a.fn === 'count' ? x.value(a.args[0]) : x.num(a.args[0]);
  // count(x) shows no value rather than 0 (sql/standard.ts), over BIGINT as count() gives.
  if (a.fn === 'count') return { cols: cols([`count(${v})`, `sum(r_c_${m.id})`]), combine: `NULLIF(${counted(0)}, 0)` };
  if (flavor === 'double') {
    // sum (and avg) of integers computed in doubles: the exact integer sum, as a double, where
    // no part is negative and the total stays below 2^53 (then every order of addition is exact).
    const parts = cols(
      [`sum(${v})`, `sum(r_s_${m.id})`],
      [`min(${v})`, `min(r_mn_${m.id})`],
      [`count(${v})`, `sum(r_c_${m.id})`],
    );
    const exact = `CASE WHEN min(${col(1)}) < 0 OR abs(sum(${col(0)})) >= ${EXACT_DOUBLE_INTEGERS} THEN ${d.fail(INEXACT_TOKENS)} ELSE ${d.cast(`sum(${col(0)})`, 'DOUBLE')} END`;
    return {
      cols: parts,
      combine: a.fn === 'avg' ? `(${exact} / ${d.cast(`NULLIF(${counted(2)}, 0)`, 'DOUBLE')})` : exact,
    };
  }
  if (flavor === 'cost') {
    // The exact units of each side, the largest |cost| (the bound), and the count (for avg).
    const parts = cols(
      [`sum(${costUnitsSql(v)})`, `sum(r_u_${m.id})`],
      [`max(abs(${v}))`, `max(greatest(abs(r_mn_${m.id}), abs(r_mx_${m.id})))`],
      [`count(${v})`, `sum(r_c_${m.id})`],
    );
    const units = `sum(${col(0)})`;
    const value = a.fn === 'avg' ? costAverageSql(units, counted(2)) : costTotalSql(units);
    return {
      cols: parts,
      combine: `CASE WHEN max(${col(1)}) IS NULL THEN NULL WHEN ${costExactSql(`max(${col(1)})`)} THEN ${value} ELSE ${d.fail(INEXACT_COST)} END`,
    };
  }
  if (a.fn === 'sum') return { cols: cols([`sum(${v})`, `sum(r_s_${m.id})`]), combine: `sum(${col(0)})` };
  if (a.fn === 'min') return { cols: cols([`min(${v})`, `min(r_mn_${m.id})`]), combine: `min(${col(0)})` };
  return { cols: cols([`max(${v})`, `max(r_mx_${m.id})`]), combine: `max(${col(0)})` };
}

/** The SQL condition of the roll-up rows of the clean covered hours (`ts`: a row's hour start). */
export function coveredSql(
  rw: RollupRewrite,
  rollup: RollupSource,
  logGroups: readonly string[] | 'all',
  x: Lower,
): string {
  const d = x.dialect;
  const ts = d.column('timestamp');
  const lg = d.column('logGroup');
  const conds: string[] = [];
  if (rw.from !== undefined) conds.push(`${ts} >= ${rw.from}`);
  if (rw.to !== undefined) conds.push(`${ts} < ${rw.to}`);
  const dirty = dirtyIn(rw, rollup, logGroups);
  if (dirty.length) {
    const bucket = (b: { logGroup: string; hour: number }) => `(${lg} = ${d.string(b.logGroup)} AND ${ts} = ${b.hour})`;
    conds.push(`NOT (${dirty.map(bucket).join(' OR ')})`);
  }
  return conds.length ? `(${conds.join(' AND ')})` : 'TRUE';
}

/**
 * The events the roll-up does not answer, inside the scan range, as disjoint conditions: the
 * hours before and after the covered ones, and the out-of-date buckets. Each is its own scan
 * (UNION ALL), a plain range on `ts` where DuckDB's zone maps skip the covered hours: a single
 * `NOT covered` condition reads every `ts` of the range (the whole 30 days of a dashboard).
 */
export function uncoveredSql(
  rw: RollupRewrite,
  rollup: RollupSource,
  logGroups: readonly string[] | 'all',
  x: Lower,
): string[] {
  const d = x.dialect;
  const ts = d.column('timestamp');
  const lg = d.column('logGroup');
  const out: string[] = [];
  if (rw.from !== undefined) out.push(`${ts} < ${rw.from}`);
  if (rw.to !== undefined) out.push(`${ts} >= ${rw.to}`);
  const dirty = dirtyIn(rw, rollup, logGroups);
  if (dirty.length) {
    const lo = Math.min(...dirty.map((b) => b.hour));
    const hi = Math.max(...dirty.map((b) => b.hour)) + HOUR_MS;
    const bucket = (b: { logGroup: string; hour: number }) =>
      `(${lg} = ${d.string(b.logGroup)} AND ${ts} >= ${b.hour} AND ${ts} < ${b.hour + HOUR_MS})`;
    out.push(`(${ts} >= ${lo} AND ${ts} < ${hi} AND (${dirty.map(bucket).join(' OR ')}))`);
  }
  return out;
}

/** The out-of-date buckets the query would otherwise read from the roll-up. */
export function dirtyIn(
  rw: RollupRewrite,
  rollup: RollupSource,
  logGroups: readonly string[] | 'all',
): { logGroup: string; hour: number }[] {
  return rollup.dirty.filter(
    (b) =>
      (rw.from === undefined || b.hour >= rw.from) &&
      (rw.to === undefined || b.hour < rw.to) &&
      (logGroups === 'all' || logGroups.includes(b.logGroup)),
  );
}

export interface RollupAggregateInput {
  rewrite: RollupRewrite;
  rollup: RollupSource;
  stage: Extract<Stage, { op: 'aggregate' }>;
  logGroups: readonly string[] | 'all';
  /** The events conditions: scan range and the filters before stats. */
  scanWhere: readonly string[];
  /** The log group condition of the scan (none: every group). */
  logGroupWhere: readonly string[];
  filters: readonly string[];
  /** Hidden ordering columns the lowering wants (__ots, __oseq). */
  wantOrder: boolean;
  /** Keep no row when nothing was counted (stats without by, decisions.ts). */
  having: boolean;
}

/**
 * The first stats over the union of the roll-up's clean covered hours and the other events:
 * each side grouped by the stats keys into partial aggregates, then combined, and the items
 * computed over the combined aggregates. Same columns as the lowering's events aggregate.
 */
export function rollupAggregateSql(x: Lower, inp: RollupAggregateInput): string {
  const d = x.dialect;
  const q = (id: string) => d.ident(id);
  const { stage: st, rewrite: rw } = inp;
  const partials: PartialAgg[] = [];
  const refOf = new Map<PExpr, string>();
  for (const it of st.items) {
    for (const a of aggregatesOf(it.expr)) {
      const id = `__ru${partials.length + 1}`;
      partials.push(partialOf(a, rw.measureOf.get(a) ?? 'star', `${id}p`, x));
      refOf.set(a, id);
    }
  }
  const keys = st.keys.map((k) => `${x.value(k.expr)} AS ${q(k.id)}`);
  const groupBy = st.keys.length ? ` GROUP BY ${st.keys.map((_, j) => j + 1).join(', ')}` : '';
  const side = (over: 'rollup' | 'events', piece?: string): string => {
    const sel = [
      ...keys,
      ...partials.flatMap((p) => p.cols.map((c) => `${over === 'rollup' ? c.rollup : c.events} AS ${q(c.id)}`)),
    ];
    sel.push(`${over === 'rollup' ? 'sum(r_n)' : 'count(*)'} AS __n`);
    if (inp.wantOrder)
      sel.push(
        over === 'rollup' ? 'max(r_ts_max) AS __ots' : `max(${d.column('timestamp')}) AS __ots`,
        over === 'rollup' ? 'max(r_seq_max) AS __oseq' : `max(${d.column('seq')}) AS __oseq`,
      );
    const where =
      over === 'rollup'
        ? [...inp.logGroupWhere, coveredSql(rw, inp.rollup, inp.logGroups, x), ...inp.filters]
        : [...inp.scanWhere, piece ?? 'TRUE', ...inp.filters];
    return `SELECT ${sel.join(', ')} FROM ${over === 'rollup' ? inp.rollup.table : d.table} WHERE ${where.join(' AND ')}${groupBy}`;
  };
  const combined = [
    ...st.keys.map((k) => q(k.id)),
    ...partials.map((p, i) => `${p.combine} AS ${q(`__ru${i + 1}`)}`),
    `${d.cast('coalesce(sum(__n), 0)', 'BIGINT')} AS ${q(st.countId)}`,
  ];
  if (inp.wantOrder) combined.push('max(__ots) AS __ots', 'max(__oseq) AS __oseq');
  const outerGroup = st.keys.length ? ` GROUP BY ${st.keys.map((k) => q(k.id)).join(', ')}` : '';
  const having = inp.having ? ` HAVING coalesce(sum(__n), 0) > 0` : '';
  const sides = [side('rollup'), ...uncoveredSql(rw, inp.rollup, inp.logGroups, x).map((p) => side('events', p))];
  const union = `SELECT ${combined.join(', ')} FROM (${sides.join(' UNION ALL ')}) AS __ru${outerGroup}${having}`;
  // The items over the combined aggregates (an item may be an expression of several).
  const swap = (e: PExpr): PExpr => {
    const id = refOf.get(e);
    if (id) return { k: 'ref', id, kind: e.kind };
    if (e.k === 'call') return { ...e, args: e.args.map(swap) };
    return e;
  };
  const outer = [
    ...st.keys.map((k) => q(k.id)),
    ...st.items.map((it) => `${x.value(swap(it.expr))} AS ${q(it.id)}`),
    q(st.countId),
  ];
  if (inp.wantOrder) outer.push('__ots', '__oseq');
  return `SELECT ${outer.join(', ')} FROM (${union}) AS __rc`;
}
