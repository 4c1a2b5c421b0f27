import type { Diagnostic } from '../insights/diagnostics.js';

/**
 * One small interface, several engines (the embedded DuckDB engine first; CloudWatch
 * pass-through and Athena/Trino later). The conformance suite (test/conformance) runs against
 * this interface only.
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
}

export interface QueryHandle {
  readonly id: string;
  status(): QueryStatus;
  /** Partial rows while running (may be empty), full rows when complete. */
  snapshot(): QueryResult;
  /** Resolves when the query ends (Complete, Failed or Cancelled); never rejects. */
  done(): Promise<QueryResult>;
  cancel(): Promise<void>;
}

export interface QueryEngine {
  readonly name: string;
  /** Parse and analyse only. */
  check(queryString: string, logGroups?: string[]): Promise<Diagnostic[]>;
  start(req: QueryRequest): Promise<QueryHandle>;
  /** start + done; throws BiError('QUERY_INVALID', …) with diagnostics for a malformed query. */
  run(req: QueryRequest): Promise<QueryResult>;
  close(): Promise<void>;
}
