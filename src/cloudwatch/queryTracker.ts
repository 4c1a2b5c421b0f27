import type { QueryHandle, QueryResult, QueryStatus } from '../engines/engine.js';

/**
 * Queries started through StartQuery: their handles, for GetQueryResults / StopQuery /
 * DescribeQueries. Kept in memory (a restart forgets them, as a new session would) for 7 days,
 * at most `maxKept` finished ones; a query that runs past the timeout is cancelled and reports
 * `Timeout`.
 */
export interface TrackedQuery {
  queryId: string;
  queryString: string;
  logGroups: string[];
  createTime: number;
  handle: QueryHandle;
  /** Set when this API ended the query (StopQuery -> Cancelled, the timer -> Timeout). */
  override?: QueryStatus;
  finished?: number;
  accessKeyId?: string;
}

export const RESULTS_KEPT_MS = 7 * 86400_000;
export const QUERY_TIMEOUT_MS = 60 * 60_000;

export class QueryTracker {
  private readonly queries = new Map<string, TrackedQuery>();

  constructor(
    private readonly now: () => number,
    readonly maxConcurrent = 100,
    private readonly maxKept = 1000,
    private readonly timeoutMs = QUERY_TIMEOUT_MS,
  ) {}

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
      void r;
    });
  }

  get(id: string): TrackedQuery | undefined {
    return this.queries.get(id);
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
