/**
 * A minimal client of Trino's REST statement protocol (the one the JDBC driver and the CLI use):
 * POST /v1/statement with the SQL text, then GET each `nextUri` until there is none. Every
 * response may carry `columns`, a page of `data`, the running `stats` and, at the end, `error`.
 * Cancelling is a DELETE on the current `nextUri`.
 *
 * Why not a library: the protocol is four fields and a loop, and owning it lets every failure
 * become a coded BiError (unreachable server, Trino's own error name, timeout, cancel) instead of a
 * stack trace.
 */
import { BiError, errorMessage } from '../../util/errors.js';
import { cancelledOrLate, sleep } from '../poll.js';

export interface TrinoClientOptions {
  /** http://host:port of the coordinator. */
  url: string;
  /** X-Trino-User (any name on an unsecured server). */
  user?: string;
  /** Default catalog and schema for unqualified names. */
  catalog?: string;
  schema?: string;
  /** Deadline of one query, from POST to the last page (default 5 minutes). */
  timeoutMs?: number;
  /** Deadline of one HTTP request; Trino answers each poll within about a second (default 60 s). */
  requestTimeoutMs?: number;
  /** Session properties sent with every statement (X-Trino-Session). */
  session?: Record<string, string>;
  /** The session time zone (X-Trino-Time-Zone; default UTC, as on Athena). */
  timeZone?: string;
}

export interface TrinoColumn {
  name: string;
  /** Trino's type signature as text, e.g. `bigint`, `varchar`, `row(arn varchar)`. */
  type: string;
}

/** The statistics Trino reports for a query (the subset callers use). */
export interface TrinoStats {
  state: string;
  processedRows: number;
  processedBytes: number;
  /** Bytes read from storage (compressed file bytes for a Hive table). */
  physicalInputBytes: number;
  elapsedTimeMillis: number;
  /** CPU time over all of the query's tasks (the bench's CPU column). */
  cpuTimeMillis: number;
  completedSplits: number;
  totalSplits: number;
}

export interface TrinoResult {
  queryId: string;
  columns: TrinoColumn[];
  /**
   * Rows as Trino encodes them in JSON: numbers, strings, booleans, null, arrays for ARRAY and
   * ROW, objects for MAP. An integer beyond 2^53 comes back as a `bigint` (exact).
   */
  rows: unknown[][];
  stats: TrinoStats;
  /** Set for DDL/DML (`CREATE TABLE`, `CREATE SCHEMA`, …). */
  updateType?: string;
}

export interface TrinoQueryOptions {
  /** Aborting cancels the query on the server (DELETE nextUri) and rejects with QUERY_CANCELLED. */
  signal?: AbortSignal;
  /** Called with each page of rows as it arrives; with it, `rows` in the result stays empty. */
  onRows?: (rows: unknown[][], columns: TrinoColumn[]) => void;
  /** Called with the statistics of every response (progress). */
  onStats?: (stats: TrinoStats) => void;
}

/** The fields of one protocol response that the client reads. */
interface QueryResults {
  id: string;
  nextUri?: string;
  columns?: TrinoColumn[];
  data?: unknown[][];
  stats?: Partial<TrinoStats>;
  error?: TrinoError;
  updateType?: string;
}

interface TrinoError {
  message?: string;
  errorCode?: number;
  errorName?: string;
  errorType?: string;
  errorLocation?: { lineNumber?: number; columnNumber?: number };
}

/** Trino error names that mean "the table is not there": the fix is `bedrock-insights trino setup`. */
const MISSING_OBJECT = new Set(['TABLE_NOT_FOUND', 'SCHEMA_NOT_FOUND', 'CATALOG_NOT_FOUND']);
/** HTTP answers the protocol says to retry after a pause (server busy or starting). */
const RETRY_STATUS = new Set([429, 502, 503, 504]);

const DEFAULT_TIMEOUT_MS = 5 * 60_000;
/**
 * A poll is answered within about a second by a healthy coordinator; 15 s misfired on this 2-core
 * machine while an ingest held both cores (CI of 2026-12-05: "stopped answering" in the conformance
 * suite, the JVM starved, not stuck). The query's own deadline still bounds the wait.
 */
const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;

/** Checks that `url` is an http(s) base URL; returns it without a trailing slash. */
export function normalizeTrinoUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new BiError('INVALID_ARGUMENT', `--trino-url must be an http:// or https:// URL (got "${url}").`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new BiError('INVALID_ARGUMENT', `--trino-url must be an http:// or https:// URL (got "${url}").`);
  return `${parsed.protocol}//${parsed.host}${parsed.pathname.replace(/\/+$/, '')}`;
}

export class TrinoClient {
  readonly url: string;
  private readonly user: string;
  private readonly timeoutMs: number;
  private readonly requestTimeoutMs: number;

  constructor(private readonly options: TrinoClientOptions) {
    this.url = normalizeTrinoUrl(options.url);
    this.user = options.user ?? 'bedrock-insights';
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  }

  /**
   * Runs one statement to the end and returns its columns, rows and statistics. A statement that
   * Trino could not schedule because no worker has announced itself yet (NO_NODES_AVAILABLE: a
   * coordinator a few seconds after start answers `SELECT 1` but not a table scan) never ran, so
   * it is sent again until the deadline.
   */
  async query(sql: string, opts: TrinoQueryOptions = {}): Promise<TrinoResult> {
    const deadline = Date.now() + this.timeoutMs;
    for (let attempt = 0; ; attempt++) {
      let delivered = false;
      const onRows = opts.onRows;
      const once: TrinoQueryOptions = onRows
        ? {
            ...opts,
            onRows: (rows, columns) => {
              delivered = true;
              onRows(rows, columns);
            },
          }
        : opts;
      try {
        return await this.queryOnce(sql, once, deadline);
      } catch (e) {
        const wait = Math.min(250 * 2 ** attempt, 2000);
        const noNodes = e instanceof BiError && e.details.trinoErrorName === 'NO_NODES_AVAILABLE';
        if (!noNodes || delivered || Date.now() + wait >= deadline) throw e;
        await sleep(wait, opts.signal);
      }
    }
  }

  private async queryOnce(sql: string, opts: TrinoQueryOptions, deadline: number): Promise<TrinoResult> {
    const rows: unknown[][] = [];
    let columns: TrinoColumn[] = [];
    let res = await this.send('POST', `${this.url}/v1/statement`, deadline, opts.signal, sql);
    for (;;) {
      if (res.columns && columns.length === 0) columns = res.columns;
      if (res.data && res.data.length > 0) {
        if (opts.onRows) opts.onRows(res.data, columns);
        else for (const r of res.data) rows.push(r);
      }
      const stats = readStats(res.stats);
      opts.onStats?.(stats);
      if (res.error) throw queryError(res.error, res.id);
      if (!res.nextUri) return { queryId: res.id, columns, rows, stats, updateType: res.updateType };
      const next = res.nextUri;
      const queryId = res.id;
      await cancelledOrLate({
        ...(opts.signal ? { signal: opts.signal } : {}),
        deadline,
        stop: () => this.cancel(next),
        cancelled: () => {
          throw cancelled(queryId);
        },
        timedOut: () => {
          throw this.deadlineError(queryId);
        },
      });
      try {
        res = await this.send('GET', next, deadline, opts.signal);
      } catch (e) {
        // Cancelled or timed out in the middle of a poll: the server still runs the query.
        if (e instanceof BiError && (e.code === 'QUERY_CANCELLED' || e.code === 'TRINO_TIMEOUT')) {
          await this.cancel(next);
          if (e.details.deadline === true) throw this.deadlineError(res.id);
          throw new BiError(e.code, e.message, { ...e.details, queryId: res.id });
        }
        throw e;
      }
    }
  }

  private deadlineError(queryId: string | undefined): BiError {
    return new BiError(
      'TRINO_TIMEOUT',
      `Trino did not finish query ${queryId ?? '(not started)'} within ${Math.round(this.timeoutMs / 1000)} s; it was cancelled. Narrow the time range or raise the timeout.`,
      { queryId, timeoutMs: this.timeoutMs, deadline: true },
    );
  }

  /** Asks the server to stop a query; never throws (the query may already be gone). */
  async cancel(nextUri: string): Promise<void> {
    try {
      const r = await fetch(nextUri, {
        method: 'DELETE',
        headers: this.headers(),
        signal: AbortSignal.timeout(this.requestTimeoutMs),
      });
      await r.body?.cancel();
    } catch {
      /* best effort: an unreachable server has no query to cancel */
    }
  }

  private headers(): Record<string, string> {
    const h: Record<string, string> = {
      'X-Trino-User': this.user,
      'X-Trino-Source': 'bedrock-insights',
      'Content-Type': 'text/plain; charset=utf-8',
      'X-Trino-Time-Zone': this.options.timeZone ?? 'UTC',
    };
    if (this.options.catalog) h['X-Trino-Catalog'] = this.options.catalog;
    if (this.options.schema) h['X-Trino-Schema'] = this.options.schema;
    const session = Object.entries(this.options.session ?? {});
    if (session.length > 0) h['X-Trino-Session'] = session.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join(',');
    return h;
  }

  /** One protocol request, retried while the server says it is busy, bounded by the deadline. */
  private async send(
    method: 'POST' | 'GET',
    url: string,
    deadline: number,
    signal: AbortSignal | undefined,
    body?: string,
  ): Promise<QueryResults> {
    for (let attempt = 0; ; attempt++) {
      if (signal?.aborted) throw cancelled();
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw this.deadlineError(undefined);
      // The query's deadline, when it comes before this request's own timeout, is what ends it.
      const byDeadline = remaining < this.requestTimeoutMs;
      const timeout = AbortSignal.timeout(byDeadline ? remaining : this.requestTimeoutMs);
      // A cancel, the deadline or the request's timeout may come while the headers or the body are read.
      const failure = (e: unknown): BiError => {
        if (signal?.aborted) return cancelled();
        if (timeout.aborted && byDeadline) return this.deadlineError(undefined);
        if (timeout.aborted && method === 'GET')
          return new BiError('TRINO_TIMEOUT', `Trino at ${this.url} stopped answering while a query ran.`, {
            requestTimeoutMs: this.requestTimeoutMs,
          });
        return unreachable(this.url, timeout.aborted ? `no answer within ${this.requestTimeoutMs} ms` : e);
      };
      let response: Response;
      try {
        response = await fetch(url, {
          method,
          headers: this.headers(),
          body,
          signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        });
      } catch (e) {
        throw failure(e);
      }
      if (response.status === 200) {
        let text: string;
        try {
          text = await response.text();
        } catch (e) {
          throw failure(e);
        }
        try {
          return parseProtocolJson(text) as QueryResults;
        } catch {
          throw new BiError('TRINO_PROTOCOL', `${this.url} answered with something that is not Trino's JSON.`, {
            status: response.status,
          });
        }
      }
      await response.body?.cancel();
      if (RETRY_STATUS.has(response.status) && Date.now() + 500 < deadline) {
        await sleep(Math.min(100 * 2 ** attempt, 1000), signal);
        continue;
      }
      throw new BiError(
        'TRINO_HTTP_ERROR',
        `Trino at ${this.url} answered HTTP ${response.status} to ${method} ${new URL(url).pathname}; check that --trino-url names a Trino coordinator.`,
        { status: response.status },
      );
    }
  }
}

/** Integer tokens too long for a double, outside strings (a string is matched first and kept). */
const LONG_INTEGER = /"(?:[^"\\]|\\.)*"|(?<![\d.eE+-])(-?\d{16,})(?=\s*[,\]}])/g;
const BIGINT_KEY = '\u0000bigint';

/**
 * JSON.parse that keeps BIGINT values beyond 2^53 exact: such integer tokens are wrapped before
 * parsing and come back as `bigint` (JSON.parse would round 9007199254740993 to …992).
 */
export function parseProtocolJson(text: string): unknown {
  let wrapped = false;
  const marked = text.replace(LONG_INTEGER, (m, digits: string | undefined) => {
    if (digits === undefined || Number.isSafeInteger(Number(digits))) return m;
    wrapped = true;
    return `{${JSON.stringify(BIGINT_KEY)}:"${digits}"}`;
  });
  if (!wrapped) return JSON.parse(text);
  return JSON.parse(marked, (_k, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 1 && BIGINT_KEY in v
      ? BigInt((v as Record<string, string>)[BIGINT_KEY])
      : v,
  );
}

function readStats(s: Partial<TrinoStats> | undefined): TrinoStats {
  return {
    state: s?.state ?? 'UNKNOWN',
    processedRows: s?.processedRows ?? 0,
    processedBytes: s?.processedBytes ?? 0,
    physicalInputBytes: s?.physicalInputBytes ?? 0,
    elapsedTimeMillis: s?.elapsedTimeMillis ?? 0,
    cpuTimeMillis: s?.cpuTimeMillis ?? 0,
    completedSplits: s?.completedSplits ?? 0,
    totalSplits: s?.totalSplits ?? 0,
  };
}

/** Trino's error as a coded BiError: `details` keeps Trino's error name, code, type and position. */
function queryError(err: TrinoError, queryId: string): BiError {
  const errorName = err.errorName ?? 'UNKNOWN';
  const message = err.message ?? 'Trino reported an error without a message.';
  const details = {
    queryId,
    trinoErrorName: errorName,
    trinoErrorCode: err.errorCode,
    trinoErrorType: err.errorType,
    line: err.errorLocation?.lineNumber,
    column: err.errorLocation?.columnNumber,
  };
  if (errorName === 'USER_CANCELED' || errorName === 'ADMINISTRATIVELY_KILLED')
    return new BiError('QUERY_CANCELLED', `The Trino query ${queryId} was cancelled (${errorName}).`, details);
  if (MISSING_OBJECT.has(errorName))
    return new BiError(
      'TRINO_TABLE_NOT_FOUND',
      `Trino: ${message} (${errorName}). Create the table with: bedrock-insights trino setup --trino-url URL --location DIR_OR_S3_URL`,
      details,
    );
  return new BiError('TRINO_QUERY_FAILED', `Trino: ${message} (${errorName}).`, details);
}

function cancelled(queryId?: string): BiError {
  return new BiError('QUERY_CANCELLED', queryId ? `The Trino query ${queryId} was cancelled.` : 'Cancelled.', {
    queryId,
  });
}

function unreachable(url: string, e: unknown): BiError {
  const cause = (e as { cause?: { code?: string; message?: string } } | undefined)?.cause;
  const reason = typeof e === 'string' ? e : (cause?.code ?? cause?.message ?? errorMessage(e));
  return new BiError(
    'TRINO_UNREACHABLE',
    `Cannot reach Trino at ${url} (${reason}). Check --trino-url, or start a local one with: bedrock-insights trino start`,
    { url, reason },
  );
}
