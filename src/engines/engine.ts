import type { Diagnostic } from '../insights/diagnostics.js';
import type { AnswerSource, Plan } from '../insights/plan.js';

/**
 * One small interface, several engines (the embedded DuckDB engine first; CloudWatch
 * pass-through and Athena/Trino later). The conformance suite (test/conformance) runs against
 * this interface only.
 *
 * A query is prepared once (the engine-neutral front end, src/insights/compile.ts: parse,
 * analyse, plan) and then started: `prepare(req)` gives the diagnostics and output columns
 * without running anything, and `start(prepared)` runs that plan without preparing again.
 * `start(req)` does both.
 */

export interface QueryRequest {
  queryString: string;
  /** Log groups to read; empty or absent means every log group (unless the query has SOURCE). */
  logGroups?: string[];
  /** Inclusive bounds, epoch milliseconds. Absent means unbounded on that side. */
  startTime?: number;
  endTime?: number;
  /** Like StartQuery's `limit`: acts as a trailing `| limit N`. */
  limit?: number;
  /** Lift the 10,000-row default cap (CLI `--no-row-cap`): every row is returned. */
  noRowCap?: boolean;
  /**
   * Stop the query after this many ms from its start (queue time included); it ends with status
   * `Timeout`. Absent: the engine's default (none unless the engine was given one).
   */
  timeoutMs?: number;
}

/** One cell, CloudWatch-shaped: every value is a string; absent values are left out of the row. */
export interface ResultField {
  field: string;
  value: string;
}
export type ResultRow = ResultField[];

export interface QueryStatistics {
  recordsMatched: number;
  recordsScanned: number;
  estimatedRecordsSkipped: number;
  bytesScanned: number;
  estimatedBytesSkipped: number;
  logGroupsScanned: number;
}

/** Statistics of a query that has read nothing yet (every engine starts from these). */
export const EMPTY_STATS: Readonly<QueryStatistics> = {
  recordsMatched: 0,
  recordsScanned: 0,
  estimatedRecordsSkipped: 0,
  bytesScanned: 0,
  estimatedBytesSkipped: 0,
  logGroupsScanned: 0,
};

export type QueryStatus = 'Scheduled' | 'Running' | 'Complete' | 'Failed' | 'Cancelled' | 'Timeout' | 'Unknown';

export interface QueryResult {
  /** Output column names in order (without @ptr). */
  columns: string[];
  /** Rows as CloudWatch returns them; non-aggregated rows end with `@ptr`. */
  rows: ResultRow[];
  statistics: QueryStatistics;
  status: QueryStatus;
  /** Warnings of the analyzer (unknown fields…) and of execution (row cap reached…). */
  warnings: Diagnostic[];
  /** True when the row cap cut the result. */
  truncated: boolean;
  /** True for stats queries (rows carry no @ptr). */
  aggregated: boolean;
  /** Set when status is Failed. */
  error?: { code: string; message: string };
  /** The embedded engine: whether the hourly roll-up or the events answered, and why. */
  answeredBy?: AnswerSource;
}

export interface QueryHandle {
  readonly id: string;
  status(): QueryStatus;
  /** Partial rows while running (may be empty), full rows when complete. */
  snapshot(): QueryResult;
  /** Resolves when the query ends (Complete, Failed, Cancelled or Timeout); never rejects. */
  done(): Promise<QueryResult>;
  cancel(): Promise<void>;
}

/** A request after the front end: what the query will return, or why it cannot run. */
export interface PreparedQuery {
  readonly request: QueryRequest;
  /** The query as written: the text the diagnostics' spans refer to. */
  readonly text: string;
  /** Errors (then there is no plan) and warnings (unknown fields…). */
  readonly diagnostics: Diagnostic[];
  /** Output column names in order (without @ptr); empty when the query is not valid. */
  readonly columns: string[];
  /** The engine-neutral plan (src/insights/plan.ts), present when no diagnostic is an error. */
  readonly plan?: Plan;
  /** Query start, epoch ms: now() and SOURCE's relative times were fixed at this instant. */
  readonly now: number;
}

export interface StartOptions {
  /**
   * Hand rows over as they are produced (no row cap unless the request sets one; `query
   * --no-row-cap` streams csv/json this way). The result's `rows` is then empty.
   */
  onRows?: (rows: ResultRow[]) => void | Promise<void>;
}

export interface QueryEngine {
  readonly name: string;
  /** The front end only: diagnostics, output columns and plan. Never throws for a bad query. */
  prepare(req: QueryRequest): Promise<PreparedQuery>;
  /**
   * prepare(...).diagnostics for a query that is checked, not run (`check`, the editor): its range
   * comes with each run, so a command that needs one (diff) is not refused for lacking it.
   */
  check(queryString: string, logGroups?: string[]): Promise<Diagnostic[]>;
  /**
   * Run a query prepared by this engine (or prepare it first). Throws BiError('QUERY_INVALID',
   * …) with `details.diagnostics` for a query that is not valid.
   */
  start(query: QueryRequest | PreparedQuery, options?: StartOptions): Promise<QueryHandle>;
  /** start + done. */
  run(query: QueryRequest | PreparedQuery, options?: StartOptions): Promise<QueryResult>;
  close(): Promise<void>;
}

export function isPrepared(query: QueryRequest | PreparedQuery): query is PreparedQuery {
  return 'request' in query && 'diagnostics' in query;
}

/** The request behind a start/run argument. */
export function requestOf(query: QueryRequest | PreparedQuery): QueryRequest {
  return isPrepared(query) ? query.request : query;
}
