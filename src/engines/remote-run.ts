/**
 * One query on a remote engine (Trino, Athena, CloudWatch Logs), as a QueryHandle: the state every
 * remote run keeps (status, rows, statistics, cut and time-limit warnings), cancel, the server's
 * time limit and the coding of how it ended. An engine gives only the body that talks to its
 * service (src/engines/poll.ts for the waiting) and how it codes a failure. Before, the Trino and
 * CloudWatch engines each held their own copy of this class, and their ends drifted apart.
 *
 * How a run ends, whatever the engine:
 * - the body returned: `Complete` (or `Cancelled` when the remote said so);
 * - the caller cancelled (`cancel()`, Ctrl-C, `close()`): `Cancelled`;
 * - the server's time limit (`QueryRequest.timeoutMs`, else `ExecutionLimits.timeoutMs`) passed:
 *   `Timeout` with QUERY_TIMEOUT, as on the store; the body's signal aborts, so the remote query
 *   is stopped there;
 * - the kept rows reached `maxResultBytes` (`cut()`): `Complete`, with RESULT_TOO_LARGE;
 * - anything else thrown: `Failed`, with the engine's coded error.
 */
import { randomUUID } from 'node:crypto';
import { errorMessage } from '../util/errors.js';
import {
  EMPTY_STATS,
  type QueryHandle,
  type QueryResult,
  type QueryStatistics,
  type QueryStatus,
  type ResultRow,
} from './engine.js';
import { resultTooLargeWarning, timeoutError, type ExecutionLimits } from './limits.js';
import { rowCapWarning, type RunnableQuery } from './query-engine.js';

/** What the body of a remote run sees and fills. */
export interface RemoteRun {
  readonly prepared: RunnableQuery;
  /** Aborts on cancel, on the time limit and on cut(): the body stops its remote query. */
  readonly signal: AbortSignal;
  rows: ResultRow[];
  statistics: QueryStatistics;
  /** The result was cut at the plan's row cap (ROW_CAP_REACHED). */
  truncated: boolean;
  /** Stop for the kept-bytes bound: the run ends Complete with the rows so far and RESULT_TOO_LARGE. */
  cut(): void;
  /** True once the run was stopped (cancel, time limit, cut): take no more rows. */
  stopped(): boolean;
}

export interface RemoteRunOptions {
  prepared: RunnableQuery;
  limits: ExecutionLimits;
  /** The plan's row cap and shape as the engine compiled them (the warnings and `aggregated`). */
  rowCap: number | undefined;
  aggregated: boolean;
  /** Talks to the service; resolves with how the remote ended (Complete, or Cancelled over there). */
  body(run: RemoteRun): Promise<'Complete' | 'Cancelled'>;
  /** The engine's coded error for a failure (unreachable, refused, failed there…). */
  failure(e: unknown): { code: string; message: string };
  /** Stops the remote query after the body threw while stopping (best effort; never throws). */
  stopRemote?(): Promise<void>;
}

type StopReason = 'cancel' | 'timeout' | 'cut';

/** Starts a remote run; the handle's done() never rejects. */
export function startRemoteRun(o: RemoteRunOptions): QueryHandle {
  const id = randomUUID();
  const abort = new AbortController();
  let status: QueryStatus = 'Running';
  let error: { code: string; message: string } | undefined;
  let stoppedFor: StopReason | undefined;
  const stop = (reason: StopReason): void => {
    if (stoppedFor || status !== 'Running') return;
    stoppedFor = reason;
    abort.abort();
  };
  const run: RemoteRun = {
    prepared: o.prepared,
    signal: abort.signal,
    rows: [],
    statistics: { ...EMPTY_STATS },
    truncated: false,
    cut: () => stop('cut'),
    stopped: () => stoppedFor !== undefined,
  };
  const timeoutMs = o.prepared.request.timeoutMs ?? o.limits.timeoutMs;

  const snapshot = (): QueryResult => {
    const warnings = o.prepared.diagnostics.filter((d) => d.severity !== 'error');
    if (run.truncated) warnings.push(rowCapWarning(o.prepared, o.rowCap ?? 0));
    if (stoppedFor === 'cut')
      warnings.push(resultTooLargeWarning(o.prepared, run.rows.length, o.limits.maxResultBytes ?? 0));
    const r: QueryResult = {
      columns: o.prepared.columns,
      rows: run.rows,
      statistics: run.statistics,
      status,
      warnings,
      truncated: run.truncated,
      aggregated: o.aggregated,
    };
    if (error) r.error = error;
    return r;
  };

  const execute = async (): Promise<QueryResult> => {
    const timer = timeoutMs !== undefined && timeoutMs > 0 ? setTimeout(() => stop('timeout'), timeoutMs) : undefined;
    try {
      const ended = await o.body(run);
      // A body that returned early because it was stopped says Cancelled; the reason names the end.
      if (ended === 'Complete') status = stoppedFor === 'cancel' ? 'Cancelled' : 'Complete';
      else status = stoppedFor === 'timeout' ? 'Timeout' : 'Cancelled';
    } catch (e) {
      if (abort.signal.aborted) await o.stopRemote?.();
      else abort.abort();
      if (stoppedFor === 'cut') status = 'Complete';
      else if (stoppedFor === 'timeout') status = 'Timeout';
      else if (stoppedFor === 'cancel' || isCancelled(e)) status = 'Cancelled';
      else {
        status = 'Failed';
        const { code, message } = o.failure(e);
        error = { code, message };
      }
    } finally {
      clearTimeout(timer);
    }
    if (status === 'Timeout') error = timeoutError(timeoutMs ?? 0);
    return snapshot();
  };
  const finished = execute();

  return {
    id,
    status: () => status,
    snapshot,
    done: () => finished,
    async cancel(): Promise<void> {
      stop('cancel');
      await finished;
    },
  };
}

function isCancelled(e: unknown): boolean {
  return (e as { code?: string } | null)?.code === 'QUERY_CANCELLED';
}

/** A failure that is not coded yet, as QUERY_FAILED with its first line. */
export function queryFailed(e: unknown): { code: string; message: string } {
  return { code: 'QUERY_FAILED', message: `The query failed while running: ${errorMessage(e).split('\n')[0]}` };
}
