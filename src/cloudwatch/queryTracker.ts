import type { QueryHandle, QueryResult, QueryStatus } from '../engines/engine.js';
import { estimateRowBytes } from '../engines/limits.js';

/**
 * Queries started through StartQuery: their handles, for GetQueryResults / StopQuery /
 * DescribeQueries. Kept in memory (a restart forgets them, as a new session would) for 7 days,
 * at most `maxKept` finished ones and `keptResultBytes` of finished rows in all; a query that
 * runs past the timeout is cancelled and reports `Timeout`.
 */
export interface TrackedQuery {
  queryId: string;
  queryString: string;
  logGroups: string[];
  createTime: number;
  handle: QueryHandle;
  /** Set when this API ended the query (StopQuery -> Cancelled, the timer -> Timeout, a cut result -> Failed). */
  override?: QueryStatus;
  finished?: number;
  accessKeyId?: string;
  /** Estimated bytes of the finished rows this tracker holds (0 once dropped). */
  bytes?: number;
  /** Whether GetQueryResults has delivered the finished result (such results are dropped first). */
  delivered?: boolean;
  /** Why the finished rows are no longer held (the memory budget): GetQueryResults says so. */
  dropped?: string;
}

export const RESULTS_KEPT_MS = 7 * 86400_000;
export const QUERY_TIMEOUT_MS = 60 * 60_000;
/** Finished rows held for GetQueryResults, all queries together (as the console's kept results). */
export const KEPT_RESULT_BYTES = 256e6;

export interface QueryTrackerOptions {
  maxConcurrent?: number;
  maxKept?: number;
  timeoutMs?: number;
  keptResultBytes?: number;
  /** Told about a query this tracker failed or whose rows it dropped (one line, no query data). */
  notice?: (line: string) => void;
}

/** A finished query's handle that holds only what GetQueryResults may still answer. */
function settledHandle(id: string, result: QueryResult): QueryHandle {
  return {
    id,
    status: () => result.status,
    snapshot: () => result,
    done: () => Promise.resolve(result),
    cancel: () => Promise.resolve(),
  };
}

export class QueryTracker {
  private readonly queries = new Map<string, TrackedQuery>();
  readonly maxConcurrent: number;
  private readonly maxKept: number;
  private readonly timeoutMs: number;
  private readonly keptResultBytes: number;
  private readonly notice: (line: string) => void;

  constructor(
    private readonly now: () => number,
    opts: QueryTrackerOptions = {},
  ) {
    this.maxConcurrent = opts.maxConcurrent ?? 100;
    this.maxKept = opts.maxKept ?? 1000;
    this.timeoutMs = opts.timeoutMs ?? QUERY_TIMEOUT_MS;
    this.keptResultBytes = opts.keptResultBytes ?? KEPT_RESULT_BYTES;
    this.notice = opts.notice ?? (() => undefined);
  }

  status(q: TrackedQuery): QueryStatus {
    return q.override ?? q.handle.status();
  }

  running(): number {
    let n = 0;
    for (const q of this.queries.values()) {
      const s = this.status(q);
      if (s === 'Running' || s === 'Scheduled') n++;
    }
    return n;
  }

  add(q: TrackedQuery): void {
    this.prune();
    this.queries.set(q.queryId, q);
    const timer = setTimeout(() => {
      const s = this.status(q);
      if (s === 'Running' || s === 'Scheduled') {
        q.override = 'Timeout';
        void q.handle.cancel();
      }
    }, this.timeoutMs);
    timer.unref();
    void q.handle.done().then((r: QueryResult) => {
      clearTimeout(timer);
      q.finished = this.now();
      this.settle(q, r);
    });
  }

  get(id: string): TrackedQuery | undefined {
    return this.queries.get(id);
  }

  /** GetQueryResults delivered this finished result: it is among the first dropped for memory. */
  delivered(q: TrackedQuery): void {
    if (q.finished !== undefined) q.delivered = true;
  }

  /** Newest first. */
  list(): TrackedQuery[] {
    return [...this.queries.values()].sort((a, b) => b.createTime - a.createTime || (a.queryId < b.queryId ? -1 : 1));
  }

  /** Cancels every running query (server shutdown). */
  async cancelAll(): Promise<void> {
    await Promise.all(
      [...this.queries.values()].map(async (q) => {
        const s = this.status(q);
        if (s === 'Running' || s === 'Scheduled') await q.handle.cancel().catch(() => undefined);
      }),
    );
  }

  /**
   * A finished query keeps its final result only (the engine's handle goes). GetQueryResults
   * has no way to carry a warning, so a result the engine cut at the per-query byte limit
   * (RESULT_TOO_LARGE) is not passed off as Complete: the query fails with that message.
   */
  private settle(q: TrackedQuery, r: QueryResult): void {
    let final = r;
    const cut = r.status === 'Complete' ? r.warnings.find((w) => w.code === 'RESULT_TOO_LARGE') : undefined;
    if (cut) {
      final = { ...r, rows: [], status: 'Failed', error: { code: cut.code, message: cut.message } };
      q.override = 'Failed';
      this.notice(`query ${q.queryId} failed: ${cut.message}`);
    }
    q.handle = settledHandle(q.handle.id, final);
    let bytes = 0;
    for (const row of final.rows) bytes += estimateRowBytes(row);
    q.bytes = bytes;
    this.keepWithinBudget(q);
  }

  /** Finished rows over the budget are dropped: delivered results first, then the oldest. */
  private keepWithinBudget(newest: TrackedQuery): void {
    const held = [...this.queries.values()].filter((q) => (q.bytes ?? 0) > 0);
    let total = held.reduce((n, q) => n + (q.bytes ?? 0), 0);
    if (total <= this.keptResultBytes) return;
    held.sort(
      (a, b) =>
        Number(a === newest) - Number(b === newest) ||
        Number(Boolean(b.delivered)) - Number(Boolean(a.delivered)) ||
        (a.finished ?? 0) - (b.finished ?? 0),
    );
    for (const q of held) {
      if (total <= this.keptResultBytes) break;
      total -= q.bytes ?? 0;
      const r = q.handle.snapshot();
      q.handle = settledHandle(q.handle.id, { ...r, rows: [] });
      q.bytes = 0;
      q.dropped = `Its ${r.rows.length} result rows were dropped to keep this server's finished query results within ${Math.round(this.keptResultBytes / 1e6)} MB; run the query again.`;
      this.notice(`query ${q.queryId}: ${q.dropped}`);
    }
  }

  private prune(): void {
    const cutoff = this.now() - RESULTS_KEPT_MS;
    const finished: TrackedQuery[] = [];
    for (const q of this.queries.values()) {
      if (q.finished === undefined) continue;
      if (q.createTime < cutoff) this.queries.delete(q.queryId);
      else finished.push(q);
    }
    if (finished.length > this.maxKept) {
      finished.sort((a, b) => a.createTime - b.createTime);
      for (const q of finished.slice(0, finished.length - this.maxKept)) this.queries.delete(q.queryId);
    }
  }
}
