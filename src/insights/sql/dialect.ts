/**
 * The dialect seam: what one SQL engine supplies so that a plan (src/insights/plan.ts) becomes
 * its SQL. The shared lowering (lower.ts) walks the plan once for every dialect: the relation
 * shapes (where a subquery is needed, how stats, sort, limit, dedup and fillmissing are laid
 * out, the default order, the statistics queries) and the Logs Insights coercion rules (what
 * is compared as a number, how text and numbers mix). A dialect supplies only the spelling:
 * quoting, types, the events table's columns, functions, time arithmetic, regex and JSON access.
 *
 * A new dialect is one folder `sql/<name>/` exporting a `Dialect` plus its golden SQL under
 * test/insights/golden/<name>/ (see src/insights/README.md, "Adding a dialect").
 */
import type { DurationUnit } from '../ast.js';
import type { AggFn, AnswerSource, BaseField, CallFn, PExpr, Plan, ValueKind } from '../plan.js';

export type { AnswerSource };

/** The SQL types the lowering asks for, by meaning; a dialect spells them. */
export type SqlType = 'DOUBLE' | 'BIGINT' | 'INTEGER' | 'VARCHAR' | 'BOOLEAN';

export type CallExpr = Extract<PExpr, { k: 'call' }>;

/** Which events a query reads: the scan facts every engine gets with the compiled query. */
export interface ScanRange {
  /** Log group names, or every log group. */
  logGroups: readonly string[] | 'all';
  /** Inclusive bounds, epoch ms. */
  startTime?: number;
  endTime?: number;
}
export type AggExpr = Extract<PExpr, { k: 'agg' }>;

/**
 * What a function's SQL may ask of the shared lowering: the SQL of its arguments in the form it
 * needs (number, text, value, condition) and the coercion helpers. Each call renders afresh, so
 * call it once per place the SQL appears.
 */
export interface Lower {
  readonly dialect: Dialect;
  readonly plan: Plan;
  /** Query start, epoch ms (`now()`). */
  readonly now: number;
  /** The expression in its own kind's SQL representation (see lower.ts). */
  value(e: PExpr): string;
  /** As a number (text that is not a number is missing). */
  num(e: PExpr): string;
  /** As text the way CloudWatch prints it. */
  str(e: PExpr): string;
  /** As a boolean (numbers: non-zero). */
  bool(e: PExpr): string;
  /** As a boolean that is never NULL: a missing value is false (not, if, case). */
  definite(e: PExpr): string;
  /** A comparison with CloudWatch's coercion: numeric when both sides are numbers. */
  compare(op: '=' | '!=' | '<' | '<=' | '>' | '>=', a: PExpr, b: PExpr): string;
  /** Several expressions brought to one kind (for coalesce, if, case). */
  unify(es: PExpr[]): { sql: string[]; kind: ValueKind };
  /** Use `sql` several times in `f` without repeating a long text (bound once, see Dialect.bindOnce). */
  share(sql: string, f: (x: string) => string): string;
  /** share() for a plan expression: `f` gets the expression or a reference to its bound value. */
  shareE(e: PExpr, f: (e: PExpr) => string): string;
  /** The SQL of another call (a function that is a special case of another). */
  call(e: CallExpr): string;
}

/** The arguments of one call, with shorthands for the forms function SQL needs. */
export interface Call<E extends CallExpr | AggExpr> {
  readonly e: E;
  readonly args: readonly PExpr[];
  readonly x: Lower;
  /** Argument i as a number. */
  n(i: number): string;
  /** Argument i as text. */
  s(i: number): string;
  /** Argument i in its own representation. */
  v(i: number): string;
}

export type FunctionImpl = (c: Call<CallExpr>) => string;
export type AggregateImpl = (c: Call<AggExpr>) => string;

/**
 * Every function and operator of the plan → SQL. A `Record`, so a function of the catalog
 * (src/insights/functions.ts) without a mapping does not compile. Spread `STANDARD_FUNCTIONS`
 * (standard.ts) for those whose SQL is standard, and write the rest.
 */
export type FunctionTable = Record<CallFn, FunctionImpl>;
export type AggregateTable = Record<AggFn, AggregateImpl>;

export interface Dialect {
  readonly name: string;

  // ---------------------------------------------------------------- quoting and literals
  /** A quoted identifier. */
  ident(id: string): string;
  /** A string literal. */
  string(s: string): string;
  /** A numeric literal (a non-finite number is NULL). */
  number(n: number): string;

  // ---------------------------------------------------------------- types
  cast(sql: string, type: SqlType): string;
  /** A cast that gives NULL instead of failing. */
  tryCast(sql: string, type: SqlType): string;
  /**
   * A double, or NULL when it is Infinity or NaN (arithmetic results: an overflow or a division
   * by zero is missing, and aggregates skip it). `sql` is short: it may be repeated.
   */
  finite(sql: string): string;
  /** Fails the statement with `message` (a value whose evaluation is an error). */
  fail(message: string): string;

  // ---------------------------------------------------------------- the events table
  /** The relation holding one row per stored event. */
  readonly table: string;
  /** A system column (`timestamp` is epoch ms, `seq` orders events of one log group). */
  column(field: BaseField): string;
  /**
   * A typed Bedrock field: `column` is its name in the embedded store's `events` table,
   * `jsonPath` where it sits in the record (`['input', 'inputTokenCount']`).
   */
  hotColumn(field: { column: string; jsonPath: readonly string[] }): string;
  /**
   * Extra conditions implied by the scanned range that let the engine skip storage (partition
   * columns such as an hour folder); the lowering adds them to the log group and time
   * conditions. None for a table without partitions.
   */
  pruneScan(scan: ScanRange): string[];
  /**
   * `requestMetadata.<key>` of a Bedrock event (text, NULL when absent); `column` is the key's
   * own column when the store promoted it (the same values, read without a map lookup).
   */
  metadata(key: string, column?: string): string;
  /**
   * A field of @message by JSON path, as a discovered field's text (strings unquoted, numbers
   * as text, booleans 1/0, null/{}/[] and containers missing). `guard`: the message may not be
   * JSON (generic events), so a failed read is missing and a text line's first embedded `{…}`
   * is read.
   */
  messageField(x: Lower, path: readonly (string | number)[], guard: boolean): string;
  /** A path inside a jsonParse value (JSON text); containers stay JSON text. */
  jsonField(x: Lower, source: string, path: readonly (string | number)[]): string;

  // ---------------------------------------------------------------- text forms of values
  /**
   * Number text as src/insights/format.ts's formatNumber prints it: integral values within the
   * 64-bit range without a fraction, others in Java's Double.toString form (`0.25`, `2.45E-7`,
   * `1.23456785E7`, `3.0E22`: E notation below 10^-3 and from 10^7); Infinity and NaN missing.
   */
  numberText(x: Lower, sql: string): string;
  /** An epoch-ms time as `YYYY-MM-DD HH:mm:ss.SSS` (UTC). */
  timeText(sql: string): string;
  /** A sort key giving CloudWatch's natural order of text (digit runs by length, then value). */
  naturalKey(sql: string): string;

  // ---------------------------------------------------------------- regex (plan regexes are RE2 syntax)
  /** The literal of a plan regex. */
  regex(pattern: string): string;
  /** True when the whole text matches. */
  regexFullMatch(sql: string, re: string): string;
  /** Capture group `group` (SQL) of the first match, '' when none. */
  regexExtract(sql: string, re: string, group: string): string;
  /** The list of every match of `re` in `sql`, or a one-element list holding NULL when none (for parse … multi). */
  regexMatches(sql: string, re: string): string;

  // ---------------------------------------------------------------- pattern (rules in ./patterns.ts)
  /**
   * The text with each token (PATTERN_PIECES) that holds a digit replaced by `chr(1) Type chr(2)`:
   * the first type of PATTERN_TOKEN_TYPES whose regex matches the whole token, else Token.
   */
  patternTemplate(x: Lower, text: string): string;
  /** A template's placeholders (PATTERN_MARKER_RE) numbered in order: `<Number-1>`, `<UUID-2>` … */
  patternLabel(x: Lower, template: string): string;
  /** Aggregate: the JSON object text `{"<key>":<count>,…}` of the rows where `where` holds, keys ascending; NULL when none. */
  countsJson(key: string, count: string, where: string): string;

  // ---------------------------------------------------------------- time arithmetic (epoch ms)
  /** Floor to the period: fixed units from the epoch, weeks from Monday, months/quarters/years by the calendar. */
  floorTime(x: Lower, t: string, amount: number, unit: DurationUnit): string;
  /** Ceil to the period (a time already on a boundary stays). */
  ceilTime(x: Lower, t: string, amount: number, unit: DurationUnit): string;
  /** A relation with one column `__b`: every period start from `lo` to `hi` (both floored already). */
  timeSeries(lo: string, hi: string, amount: number, unit: DurationUnit): string;

  // ---------------------------------------------------------------- relation shapes
  /** Evaluate a long `sql` once and use it as `name` in `body` (a lambda, a CTE… as the engine allows). */
  bindOnce(sql: string, name: string, body: string): string;
  /**
   * One row per element of `list` as column `alias`: the FROM item and select list replacing
   * `from` and `*` (in-select unnest, or a lateral join).
   */
  unnest(from: string, list: string, alias: string): { from: string; select: string };
  /** The elements of a value for the unnest command: a JSON array's elements, else the value itself. */
  unnestList(x: Lower, source: string, kind: ValueKind): string;
  /** `*` without the helper columns (a dialect without `EXCLUDE` may return `*`: only limit may follow dedup). */
  starExcept(columns: string[]): string;

  // ---------------------------------------------------------------- functions
  readonly functions: FunctionTable;
  readonly aggregates: AggregateTable;
}

export interface CompiledColumn {
  name: string;
  /** SQL alias of the column in the statement. */
  alias: string;
  kind: ValueKind;
  /** Print in Java Double.toString form (Lambda's numeric system fields, spec §6.3). */
  java?: boolean;
}

export interface CompiledQuery {
  sql: string;
  columns: CompiledColumn[];
  /** Rows carry `__lg`, `__seq` (for @ptr). */
  ptr: boolean;
  aggregated: boolean;
  /** The statement fetches one row more than this to detect the row cap (undefined: no cap check). */
  rowCap?: number;
  /** Column holding the number of events that reached the first stats (aggregated queries). */
  matchedColumn?: string;
  /** SQL counting events in range (statistics): columns `scanned`, `groups`. */
  scannedSql: string;
  /** SQL counting events that pass the filters before the first relation change (non-aggregated). */
  matchedSql?: string;
  /** The events read (log groups and time range). */
  scan: ScanRange;
  /** The condition selecting those events ('' when every event is). */
  scanWhere: string;
  /** The statement reads @message (so measuring message bytes costs nothing extra). */
  readsMessage: boolean;
  /** Which relation answers (set when the engine offered a roll-up, CompileOptions.rollup). */
  answeredBy?: AnswerSource;
}

export interface CompileOptions {
  /** Query start, epoch ms (now(), queryStartTime() when the range is open). */
  now: number;
  /**
   * The hourly roll-up the first stats may be answered from (sql/rollup.ts); null: roll-ups are
   * on but there is none to read (`rollupUnavailable` says why); absent: roll-ups are off.
   */
  rollup?: RollupSource | null;
  rollupUnavailable?: string;
}

/** A measure of the roll-up: `sql` is the events SQL it summarises (as the lowering spells it). */
export interface RollupMeasureSource {
  id: string;
  sql: string;
  type: 'BIGINT' | 'DOUBLE' | 'VARCHAR';
}

/** The roll-up as a query may read it: src/store/rollups.ts RollupInfo, read in the query's snapshot. */
export interface RollupSource {
  table: string;
  dimensions: readonly string[];
  measures: readonly RollupMeasureSource[];
  /** Buckets whose roll-up rows are out of date: their events are read instead. */
  dirty: readonly { logGroup: string; hour: number }[];
}
