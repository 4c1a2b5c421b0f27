import { diagnostic, type Diagnostic } from '../insights/diagnostics.js';
import type { PreparedQuery, ResultRow } from './engine.js';
import type { QueryAdmission } from './admission.js';

/**
 * Bounds on running queries, set by the server (the CLI runs one query and sets none): a shared
 * admission queue, a default time limit, and how many bytes of rows a query may keep in memory.
 * Engine-neutral: an engine's execution applies them.
 */
export interface ExecutionLimits {
  admission?: QueryAdmission;
  /** Time limit of a query whose request sets none (ms, from submission, queue time included). */
  timeoutMs?: number;
  /**
   * Rows kept in memory (not streamed) may hold about this many bytes: beyond it, the result is
   * cut with a RESULT_TOO_LARGE warning that points to the streamed export.
   */
  maxResultBytes?: number;
}

/**
 * V8 bytes of a kept row, estimated: each cell is an object and a string (headers, the
 * characters), the row an array; field names are shared, so they are not counted. Measured on
 * 31,738 rows of `fields @timestamp, @message`: 41.5 MB of heap, estimated 38 MB.
 */
export function estimateRowBytes(row: ResultRow): number {
  let n = 40;
  for (const f of row) n += 96 + f.value.length;
  return n;
}

/** The warning of a result cut because its rows reached `maxBytes`. */
export function resultTooLargeWarning(p: PreparedQuery, rows: number, maxBytes: number): Diagnostic {
  return diagnostic(
    p.text,
    'RESULT_TOO_LARGE',
    'warning',
    `The result was cut at ${rows} rows: its rows reached ${Math.round(maxBytes / 1e6)} MB, the most one query may hold on this server. Export it to get every row (the console's export, POST /api/queries/export, streams CSV or JSON lines; so does npx bedrock-insights query --no-row-cap).`,
    { start: 0, end: 0 },
  );
}

/** The error of a query stopped at its time limit. */
export function timeoutError(timeoutMs: number): { code: string; message: string } {
  return {
    code: 'QUERY_TIMEOUT',
    message: `The query did not finish within ${Math.round(timeoutMs / 1000)} s, this server's time limit, and was stopped. Narrow the time range or the log groups, or export it (exports have CloudWatch's 60 minutes).`,
  };
}
