/**
 * The logical plan (IR): plain data produced by the analyzer and consumed by a SQL dialect.
 * It knows nothing of DuckDB: field references are already resolved (system field, typed Bedrock
 * column, request metadata key, JSON path of the message, or a column of an earlier stage), and
 * every expression carries its static kind. A dialect may inline expressions or materialise
 * stages as it likes, as long as it keeps the semantics documented in docs/semantics.md.
 */
import type { BinaryOp, DurationUnit } from './ast.js';
import type { ScalarFunctionName, ValueKind } from './functions.js';

export type { ValueKind };

/** Operators and the analyzer's own functions (like, in, parse), named in the plan beside catalog functions. */
export type PlanOperator =
  | BinaryOp
  | 'neg'
  | 'not'
  /** `like "text"`: substring test. */
  | 'contains'
  /** `like /re/`: partial regex match. */
  | 'regex_match'
  | 'in'
  /** parse: capture group N of a regex, missing when the regex does not match. */
  | 'regex_extract'
  /** parse … csv: a cell without its quotes. */
  | 'csv_unquote'
  /** parse … logfmt: the key=value pairs as a JSON map. */
  | 'logfmt';

/** What a `call` node calls: a catalog function (lowercase) or an operator. Dialects map every one. */
export type CallFn = ScalarFunctionName | PlanOperator;

/** Columns of the stored event a plan may read directly (names are logical, not SQL). */
export type BaseField =
  'timestamp' | 'ingestionTime' | 'logStream' | 'logGroup' | 'log' | 'message' | 'seq' | 'kind' | 'accountId';

export type PExpr =
  /** A constant. `null` is "missing". */
  | { k: 'lit'; kind: ValueKind; value: string | number | boolean | null }
  /** A system column of the event. */
  | { k: 'base'; field: BaseField; kind: ValueKind }
  /**
   * A hot Bedrock field held in a typed column. `jsonPath` is where the same value lives in
   * @message; `mixed` means some selected events are generic, whose value must come from the
   * message instead of the typed column.
   */
  | { k: 'hot'; column: string; jsonPath: string[]; mixed: boolean; kind: ValueKind }
  /** `requestMetadata.<key>` of Bedrock events. */
  /** `column`: the key's own column in the store (a promoted key), else it is read from the map. */
  | { k: 'meta'; key: string; column?: string; mixed: boolean; kind: 'string' }
  /** A JSON path read from @message (`guard`: the message may not be JSON) or from a jsonParse value. */
  | { k: 'json'; source: PExpr | null; path: (string | number)[]; guard: boolean; kind: ValueKind }
  | /**
     * A Lambda platform field discovered from a text log line (`@type`, `@requestId`, `@duration`,
     * `@billedDuration`, `@memorySize`, `@maxMemoryUsed`, `@initDuration`, `@xrayTraceId`, `@xraySegmentId`).
     */
    { k: 'lambda'; field: string; kind: ValueKind }
    /** A column produced by an earlier stage (aggregate output, unnest element…). */
  | { k: 'ref'; id: string; kind: ValueKind }
  /** An operator or scalar function (canonical lowercase name, see sql dialect). */
  | { k: 'call'; fn: CallFn; args: PExpr[]; kind: ValueKind }
  /** A regex (already translated to the engine-neutral form below). */
  | { k: 'regex'; pattern: string; caseInsensitive: boolean; kind: 'string' }
  /** A time period (bin, datefloor, dateceil, rate); amount already capped. */
  | { k: 'period'; amount: number; unit: DurationUnit; kind: 'number' }
  /** An aggregate call; only inside an aggregate stage's items. */
  | { k: 'agg'; fn: AggFn; args: PExpr[]; kind: ValueKind };

export type AggFn =
  | 'count'
  | 'count_star'
  | 'count_distinct'
  | 'sum'
  | 'avg'
  | 'min'
  | 'max'
  | 'pct'
  | 'stddev'
  | 'earliest'
  | 'latest'
  | 'sortsFirst'
  | 'sortsLast'
  | 'values'
  | 'rate';

export interface NamedExpr {
  /** Stable column id inside the plan (also used as the SQL column name). */
  id: string;
  expr: PExpr;
}

export interface SortTerm {
  expr: PExpr;
  desc: boolean;
}

export type Stage =
  | { op: 'filter'; cond: PExpr }
  /**
   * Group and aggregate. `keys` and `items` become the only columns of the new relation.
   * `binKey`: id of a bin() key (default order: that key descending, then first met).
   */
  | {
      op: 'aggregate';
      keys: NamedExpr[];
      items: NamedExpr[];
      binKey?: string;
      countId: string;
      /** Without keys: one row even over zero events (decisions.ts); otherwise no row then. */
      rowWithoutEvents?: boolean;
    }
  | { op: 'sort'; terms: SortTerm[] }
  /**
   * After `stats … by bin()`: add rows for empty bins over the query range (or between the first
   * and last bin when the range is open), with constants for the listed aggregate columns.
   */
  | {
      op: 'fillmissing';
      binKey: string;
      amount: number;
      unit: DurationUnit;
      keys: string[];
      items: string[];
      fills: { id: string; value: PExpr }[];
    }
  /** Compute values once as new columns (jsonParse maps, parse captures) so later steps read them. */
  | { op: 'project'; cols: NamedExpr[] }
  | { op: 'limit'; count: number }
  /** Keep the first row (current order) per key tuple; rows with a missing key are all kept. */
  | { op: 'dedup'; keys: PExpr[] }
  /** One row per element of a list value (a non-list counts as one element). */
  | { op: 'unnest'; source: PExpr; id: string; kind: ValueKind }
  /**
   * pattern (and diff, anomaly after it): one row per pattern of `source`'s text over the events
   * (sql/patterns.ts says how values become patterns). The relation holds only the output ids.
   */
  | {
      op: 'pattern';
      source: PExpr;
      /** The @visualization windows. */
      window: { amount: number; unit: DurationUnit; ms: number };
      ids: { pattern: string; ratio: string; sampleCount: string; severity: string; visualization: string };
      /** diff: counts in the query range against an earlier period (both read by the scan). */
      diff?: {
        current: { startTime: number; endTime: number };
        previous: { startTime: number; endTime: number };
        ids: { previousSampleCount: string; previousRatio: string; change: string; changeType: string };
      };
      /** anomaly: keep the anomalous patterns; `windows` is the number of windows of a bounded range. */
      anomaly?: {
        range?: { startTime: number; endTime: number };
        windows?: number;
        ids: { type: string; score: string; time: string };
      };
    }
  /** parse … multi: one row per match of the regex over source; the captures become columns. */
  | {
      op: 'parseMulti';
      source: PExpr;
      regex: string;
      caseInsensitive: boolean;
      captures: { id: string; group: number }[];
      matchId: string;
    };

export interface OutputColumn {
  name: string;
  expr: PExpr;
}

export interface LogGroupSelection {
  /** Resolved names; `all` means no restriction. */
  names: string[] | 'all';
  /** Some selected events are generic (non-Bedrock) ones. */
  mixed: boolean;
  /** How many log groups the selection can cover (known from the catalog). */
  candidates?: number;
}

export interface Plan {
  source: LogGroupSelection;
  /** Inclusive epoch-ms bounds of the query (queryStartTime(), fillmissing, SOURCE start=). */
  startTime?: number;
  endTime?: number;
  /**
   * The events read, when a command moves them off the query range: `stats … offset d` reads
   * the range moved back by d. Absent: the query range.
   */
  scan?: { startTime?: number; endTime?: number };
  stages: Stage[];
  columns: OutputColumn[];
  /** Rows are event rows (carry @ptr) rather than aggregated rows. */
  aggregated: boolean;
  /** Row cap for the final result (undefined: no cap). */
  rowCap?: number;
  /** The query's own limit (if any) is a stage; this is the request's trailing limit. */
  trailingLimit?: number;
}

/**
 * Which relation answered a query's first stats (an engine with an hourly roll-up, see
 * sql/rollup.ts), for `query --explain` and the console's statistics.
 */
export interface AnswerSource {
  source: 'rollup' | 'events';
  /** Why the events answered (absent when the roll-up did). */
  reason?: string;
  /** The roll-up answered [from, to) (epoch ms, whole hours; absent bound: open). */
  rollupHours?: { from?: number; to?: number };
  /** Out-of-date buckets inside those hours, read from the events. */
  dirtyBuckets?: number;
  /** Events outside those hours are read too (partly covered edge hours, an open bound). */
  edgeEvents?: boolean;
}
