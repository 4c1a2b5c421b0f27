/**
 * Functions whose SQL is standard (operators, conditionals, arithmetic, the query range) or is
 * built only from the dialect's primitives (casts, regex, time floor). A dialect spreads these
 * into its table and writes the rest; it overrides an entry where its engine differs.
 */
import type { DurationUnit } from '../ast.js';
import type { PExpr } from '../plan.js';
import { HOT_COLUMNS } from '../../logs/hot-fields.js';
import { costAverageSql, costExactSql, costTotalSql, costUnitsSql, EXACT_COST_COLUMNS } from '../../logs/exact-cost.js';
import type { AggregateImpl, AggregateTable, Call, CallExpr, FunctionImpl, FunctionTable } from './dialect.js';
import { COLUMNS } from './columns.js';

/** Standard-SQL functions, by the names a dialect's table must cover. */
export type StandardFunctionName =
  | '+'
  | '-'
  | '*'
  | '/'
  | '%'
  | '^'
  | 'neg'
  | '='
  | '!='
  | '<'
  | '<='
  | '>'
  | '>='
  | 'and'
  | 'or'
  | 'not'
  | 'in'
  | 'abs'
  | 'ceil'
  | 'floor'
  | 'sqrt'
  | 'log'
  | 'haversine'
  | 'tonumber'
  | 'todouble'
  | 'ispresent'
  | 'coalesce'
  | 'if'
  | 'case'
  | 'isnumeric'
  | 'querystarttime'
  | 'queryendtime'
  | 'querytimerange'
  | 'unmask'
  | 'isempty'
  | 'isblank'
  | 'strlen'
  | 'toupper'
  | 'tolower'
  | 'replace'
  | 'bin'
  | 'datefloor'
  | 'dateceil'
  | 'frommillis'
  | 'now';

/**
 * An arithmetic operand as a double. Arithmetic runs in IEEE doubles, as in the Java service
 * (docs/semantics.md #10a): typed 64-bit columns would otherwise overflow with an engine error
 * (`input.inputTokenCount * 1e11 * 1e11`) where the same value read from JSON text gives a
 * number, so the result would depend on which log groups are selected.
 */
function double(c: Call<CallExpr>, i: number): string {
  const a = c.args[i];
  if (a.k === 'lit' && typeof a.value === 'number' && !Number.isInteger(a.value)) return c.n(i);
  return c.x.dialect.cast(c.n(i), 'DOUBLE');
}

/** An arithmetic result: Infinity (overflow, division by zero) and NaN are missing. */
function finite(c: Call<CallExpr>, sql: string): string {
  return c.x.share(sql, (r) => c.x.dialect.finite(r));
}

/** The typed 64-bit columns of the events table (token counts): their values are below 2^63. */
const INTEGER_COLUMNS: ReadonlySet<string> = new Set(
  HOT_COLUMNS.filter((c) => c.type === 'number').map((c) => c.column),
);

/** Above this magnitude a bound is not trusted to stay finite. */
const FINITE_BOUND = 1e300;

/**
 * An upper bound of |x| when one is known without reading data: a typed 64-bit column (not
 * mixed with JSON text), a finite number literal, or +, - and * of those. Undefined otherwise.
 */
function magnitudeBound(x: PExpr): number | undefined {
  if (x.k === 'hot') return !x.mixed && x.kind === 'number' && INTEGER_COLUMNS.has(x.column) ? 2 ** 63 : undefined;
  if (x.k === 'lit') return typeof x.value === 'number' && Number.isFinite(x.value) ? Math.abs(x.value) : undefined;
  if (x.k !== 'call' || (x.fn !== '+' && x.fn !== '-' && x.fn !== '*') || x.args.length !== 2) return undefined;
  const a = magnitudeBound(x.args[0]);
  const b = magnitudeBound(x.args[1]);
  if (a === undefined || b === undefined) return undefined;
  const r = x.fn === '*' ? a * b : a + b;
  return r < FINITE_BOUND ? r : undefined;
}

function arithmetic(op: '+' | '-' | '*' | '/'): FunctionImpl {
  return (c) => {
    const sql = `(${double(c, 0)} ${op} ${double(c, 1)})`;
    // Bounded operands (token columns) cannot overflow or give NaN under + - *: the guard would
    // cost a CASE per row (about a tenth of a stats query over token sums) for nothing.
    if (op !== '/' && magnitudeBound(c.e) !== undefined) return sql;
    return finite(c, sql);
  };
}

function comparison(op: '=' | '!=' | '<' | '<=' | '>' | '>='): FunctionImpl {
  return (c) => c.x.compare(op, c.args[0], c.args[1]);
}

function logical(op: 'AND' | 'OR'): FunctionImpl {
  return (c) => `(${c.x.bool(c.args[0])} ${op} ${c.x.bool(c.args[1])})`;
}

/** A number or text argument as an epoch-ms time (missing when it cannot be one). */
function epochMs(c: Call<CallExpr>): string {
  return c.args[0].kind === 'time' ? c.v(0) : c.x.dialect.tryCast(c.n(0), 'BIGINT');
}

function period(c: Call<CallExpr>, i: number): { amount: number; unit: DurationUnit } {
  const p = c.args[i];
  return p.k === 'period' ? p : { amount: 1, unit: 'ms' };
}

/** bin(period) and datefloor(t, period). */
const floorToPeriod: FunctionImpl = (c) => {
  const p = period(c, 1);
  return c.x.dialect.floorTime(c.x, epochMs(c), p.amount, p.unit);
};

/** toNumber / toDouble: numbers stay, text is parsed (missing when it is not a number). */
const toNumber: FunctionImpl = (c) => (c.args[0].kind === 'number' ? c.n(0) : c.x.dialect.tryCast(c.s(0), 'DOUBLE'));

/** Text literals that are not numbers: `in` compares them as text. */
function isTextLiteral(x: PExpr): boolean {
  return x.k === 'lit' && typeof x.value === 'string' && !(x.value.trim() !== '' && Number.isFinite(Number(x.value)));
}

export const STANDARD_FUNCTIONS: Pick<FunctionTable, StandardFunctionName> = {
  // operators
  '+': arithmetic('+'),
  '-': arithmetic('-'),
  '*': arithmetic('*'),
  '/': arithmetic('/'),
  '%': (c) => finite(c, `(${double(c, 0)} % ${c.n(1)})`),
  '^': (c) => finite(c, `pow(${double(c, 0)}, ${double(c, 1)})`),
  neg: (c) => `(- ${double(c, 0)})`,
  '=': comparison('='),
  '!=': comparison('!='),
  '<': comparison('<'),
  '<=': comparison('<='),
  '>': comparison('>'),
  '>=': comparison('>='),
  and: logical('AND'),
  or: logical('OR'),
  // not: a missing operand counts as false, so `not like` / `not in` hold for a missing field.
  not: (c) => `(NOT ${c.x.definite(c.args[0])})`,
  in: (c) => {
    const [subj, ...items] = c.args;
    if (items.length === 0) return 'FALSE';
    if (items.every(isTextLiteral)) return `(${c.x.str(subj)} IN (${items.map((x) => c.x.value(x)).join(', ')}))`;
    if (subj.kind === 'number' && items.every((x) => x.k === 'lit' && typeof x.value === 'number')) {
      return `(${c.x.value(subj)} IN (${items.map((x) => c.x.value(x)).join(', ')}))`;
    }
    return c.x.shareE(subj, (sj) => '(' + items.map((x) => c.x.compare('=', sj, x)).join(' OR ') + ')');
  },
  // numeric
  abs: (c) => `abs(${c.n(0)})`,
  ceil: (c) => `ceil(${c.n(0)})`,
  floor: (c) => `floor(${c.n(0)})`,
  sqrt: (c) => `(CASE WHEN ${c.n(0)} >= 0 THEN sqrt(${c.n(0)}) END)`,
  log: (c) => `(CASE WHEN ${c.n(0)} > 0 THEN ln(${c.n(0)}) END)`,
  haversine: (c) => {
    const [la1, lo1, la2, lo2] = [c.n(0), c.n(1), c.n(2), c.n(3)];
    return `(2 * 6371 * asin(sqrt(pow(sin(radians(${la2} - ${la1}) / 2), 2) + cos(radians(${la1})) * cos(radians(${la2})) * pow(sin(radians(${lo2} - ${lo1}) / 2), 2))))`;
  },
  tonumber: toNumber,
  todouble: toNumber,
  // general
  ispresent: (c) => (c.args[0].kind === 'null' ? 'FALSE' : `(${c.v(0)} IS NOT NULL)`),
  coalesce: (c) => `coalesce(${c.x.unify([...c.args]).sql.join(', ')})`,
  if: (c) => {
    const u = c.x.unify([c.args[1], c.args[2]]);
    return `(CASE WHEN ${c.x.definite(c.args[0])} THEN ${u.sql[0]} ELSE ${u.sql[1]} END)`;
  },
  case: (c) => {
    const A = c.args;
    const values: PExpr[] = [];
    for (let i = 1; i < A.length; i += 2) values.push(A[i]);
    const hasDefault = A.length % 2 === 1;
    if (hasDefault) values.push(A[A.length - 1]);
    const u = c.x.unify(values);
    let out = 'CASE';
    let vi = 0;
    for (let i = 0; i + 1 < A.length; i += 2) out += ` WHEN ${c.x.definite(A[i])} THEN ${u.sql[vi++]}`;
    if (hasDefault) out += ` ELSE ${u.sql[vi]}`;
    return `(${out} END)`;
  },
  isnumeric: (c) => `coalesce(${c.x.dialect.tryCast(c.s(0), 'DOUBLE')} IS NOT NULL, FALSE)`,
  querystarttime: (c) => (c.x.plan.startTime !== undefined ? String(c.x.plan.startTime) : 'NULL'),
  queryendtime: (c) => (c.x.plan.endTime !== undefined ? String(c.x.plan.endTime) : 'NULL'),
  querytimerange: (c) =>
    c.x.plan.startTime !== undefined && c.x.plan.endTime !== undefined
      ? String(c.x.plan.endTime - c.x.plan.startTime)
      : 'NULL',
  unmask: (c) => c.v(0),
  // string
  isempty: (c) => (c.args[0].kind === 'null' ? 'TRUE' : `(${c.v(0)} IS NULL OR ${c.s(0)} = '')`),
  isblank: (c) =>
    c.args[0].kind === 'null'
      ? 'TRUE'
      : `(${c.v(0)} IS NULL OR ${c.x.dialect.regexFullMatch(c.s(0), c.x.dialect.string('\\s*'))})`,
  strlen: (c) => `length(${c.s(0)})`,
  toupper: (c) => `upper(${c.s(0)})`,
  tolower: (c) => `lower(${c.s(0)})`,
  replace: (c) => `replace(${c.s(0)}, ${c.s(1)}, ${c.s(2)})`,
  // datetime: the dialect's floor/ceil over epoch ms
  bin: floorToPeriod,
  datefloor: floorToPeriod,
  dateceil: (c) => {
    const p = period(c, 1);
    return c.x.dialect.ceilTime(c.x, epochMs(c), p.amount, p.unit);
  },
  frommillis: (c) => c.x.dialect.tryCast(c.n(0), 'BIGINT'),
  now: (c) => String(Math.floor(c.x.now / 1000)),
};

/** A cost field (USD, a double column): its sum and avg are exact (docs/semantics.md R2a). */
export function isExactCost(e: PExpr): boolean {
  return e.k === 'hot' && EXACT_COST_COLUMNS.has(e.column);
}

/**
 * sum / avg of a cost `v` as the exact sum of its whole 10^-12 USD (src/logs/exact-cost.ts), so
 * the answer does not depend on the order DuckDB's threads add in and the hourly roll-up gives
 * the same bits. A group holding a cost beyond the exact bound (or NaN) adds doubles as before.
 */
function exactCostAggregate(v: string, fn: 'sum' | 'avg'): string {
  const units = `sum(${costUnitsSql(v)})`;
  const exact = fn === 'sum' ? costTotalSql(units) : costAverageSql(units, `count(${v})`);
  return `(CASE WHEN ${costExactSql(`max(abs(${v}))`)} THEN ${exact} ELSE ${fn}(${v}) END)`;
}

/** Standard aggregates. A group with nothing to count shows no value rather than 0 [Obs]. */
export const STANDARD_AGGREGATES: Pick<
  AggregateTable,
  'count_star' | 'count' | 'count_distinct' | 'sum' | 'avg' | 'stddev'
> = {
  count_star: () => 'count(*)',
  count: (c) => `NULLIF(count(${c.v(0)}), 0)`,
  count_distinct: (c) => `NULLIF(count(DISTINCT ${c.v(0)}), 0)`,
  sum: (c) => (isExactCost(c.args[0]) ? exactCostAggregate(c.n(0), 'sum') : `sum(${c.n(0)})`),
  avg: (c) => (isExactCost(c.args[0]) ? exactCostAggregate(c.n(0), 'avg') : `avg(${c.n(0)})`),
  stddev: (c) => {
    // An engine's stddev_samp may fail instead of giving Infinity when the squared deviations
    // overflow a double (DuckDB: "STDDEV_SAMP is out of range!"). A group holding a value that
    // large gets no stddev (an overflow is missing, docs/semantics.md #10a); the inner CASE keeps
    // those values out of the sum of squares so that the query never fails.
    const x = c.n(0);
    const fits = `abs(${x}) < ${STDDEV_MAX_MAGNITUDE}`;
    return `(CASE WHEN max(abs(${x})) < ${STDDEV_MAX_MAGNITUDE} THEN stddev_samp(CASE WHEN ${fits} THEN ${x} END) END)`;
  },
} satisfies Record<string, AggregateImpl>;

/**
 * The largest magnitude stddev takes: below it, the squared deviations of up to 10^18 values
 * sum within a double ((2·10^144)² · 10^18 = 4·10^306).
 */
const STDDEV_MAX_MAGNITUDE = '1e144';

/**
 * An engine's "value at the row with the least / greatest key" aggregates (DuckDB's
 * arg_min/arg_max, Trino's min_by/max_by), from which the aggregates below are built.
 */
export interface ValueAtExtreme {
  min(value: string, key: string): string;
  max(value: string, key: string): string;
}

/** min, max, earliest, latest and rate: the same in every dialect but for its `ValueAtExtreme`. */
export function orderedAggregates(
  at: ValueAtExtreme,
): Pick<AggregateTable, 'min' | 'max' | 'earliest' | 'latest' | 'rate'> {
  const ts = COLUMNS.timestamp;
  /** min / max: text values order numerically when they are numbers (JSON numbers arrive as text). */
  const extreme =
    (fn: 'min' | 'max'): AggregateImpl =>
    (c) => {
      const a = c.args[0];
      if (a.kind === 'string' || a.kind === 'json') {
        const v = c.v(0);
        return `coalesce(${at[fn](v, c.x.dialect.tryCast(v, 'DOUBLE'))}, ${fn}(${v}))`;
      }
      if (a.kind === 'bool') return `${fn}(${c.n(0)})`;
      return `${fn}(${c.v(0)})`;
    };
  /** earliest / latest: the value of the earliest / latest event that has one. */
  const byTime =
    (fn: 'earliest' | 'latest'): AggregateImpl =>
    (c) => {
      const a = c.args[0];
      if (a.k === 'base' && a.field === 'timestamp') return fn === 'earliest' ? `min(${ts})` : `max(${ts})`;
      const v = c.v(0);
      return `${at[fn === 'earliest' ? 'min' : 'max'](v, ts)} FILTER (WHERE ${v} IS NOT NULL)`;
    };
  return {
    min: extreme('min'),
    max: extreme('max'),
    earliest: byTime('earliest'),
    latest: byTime('latest'),
    rate: (c) => {
      // Change of f per period between the earliest and the latest event that have it.
      const v = c.n(0);
      const p = c.v(1);
      const has = `FILTER (WHERE ${v} IS NOT NULL)`;
      return `((${at.max(v, ts)} ${has} - ${at.min(v, ts)} ${has}) / NULLIF(CAST(max(${ts}) ${has} - min(${ts}) ${has} AS DOUBLE) / ${p}, 0))`;
    },
  };
}
