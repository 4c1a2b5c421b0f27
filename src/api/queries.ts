import { randomUUID } from 'node:crypto';
import type { QueryEngine, QueryHandle, QueryResult, QueryStatus } from '../engines/engine.js';
import { BiError, errorMessage, isBiError } from '../util/errors.js';
import type { RangeSpec } from '../contracts/range.js';
import type { QueryView } from '../contracts/wire.js';

/**
 * The console's running queries: started through the QueryEngine interface only, kept by id so
 * the page can poll, wait and cancel, and dropped a while after they end.
 */
export interface ConsoleQuery {
  id: string;
  handle: QueryHandle;
  queryString: string;
  logGroups: string[];
  startTime: number;
  endTime: number;
  submitted: number;
  finished?: number;
  /** As the page asked for it ("1h" stays "1h" in the history). */
  range: RangeSpec;
  /** Written to the query history when it ends (dashboard widgets are not). */
  history: boolean;
}

export type { QueryView };

const KEEP_MS = 10 * 60_000;

/**
 * The engine, created on first use, or a clear 503 when it cannot be created (an engine that needs
 * a server, such as a remote one, may be unreachable): queries and checks fail with
 * ENGINE_UNAVAILABLE rather than with whatever the engine threw.
 */
export class EngineProvider {
  private engine?: QueryEngine;
  private lastError?: string;

  constructor(private readonly create: () => QueryEngine) {}

  get(): QueryEngine {
    if (this.engine) return this.engine;
    try {
      this.engine = this.create();
      return this.engine;
    } catch (e) {
      this.lastError = errorMessage(e);
      throw new BiError('ENGINE_UNAVAILABLE', `The query engine is not available: ${this.lastError}`);
    }
  }

  available(): boolean {
    try {
      this.get();
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.engine) await this.engine.close().catch(() => undefined);
  }
}

export class QueryRegistry {
  private readonly running = new Map<string, ConsoleQuery>();
  /** What runs when a query ends (its history write): awaited by drain() before the store closes. */
  private readonly settling = new Set<Promise<void>>();

  constructor(
    private readonly engines: EngineProvider,
    private readonly onFinished?: (q: ConsoleQuery, r: QueryResult) => Promise<unknown> | void,
  ) {}

  async start(req: {
    queryString: string;
    logGroups: string[];
    startTime: number;
    endTime: number;
    limit?: number;
    range: RangeSpec;
    history: boolean;
  }): Promise<ConsoleQuery> {
    this.prune();
    const engine = this.engines.get();
    const handle = await engine.start({
      queryString: req.queryString,
      logGroups: req.logGroups,
      startTime: req.startTime,
      endTime: req.endTime,
      ...(req.limit !== undefined ? { limit: req.limit } : {}),
    });
    const q: ConsoleQuery = {
      id: randomUUID(),
      handle,
      queryString: req.queryString,
      logGroups: req.logGroups,
      startTime: req.startTime,
      endTime: req.endTime,
      submitted: Date.now(),
      range: req.range,
      history: req.history,
    };
    this.running.set(q.id, q);
    const settled = handle
      .done()
      .then(async (r) => {
        q.finished = Date.now();
        await this.onFinished?.(q, r);
      })
      .catch(() => undefined); // history is best effort
    this.settling.add(settled);
    void settled.finally(() => this.settling.delete(settled));
    return q;
  }

  get(id: string): ConsoleQuery | undefined {
    return this.running.get(id);
  }

  /** Wait up to `ms` for the query to end, then describe it as it is. */
  async view(q: ConsoleQuery, waitMs = 0): Promise<QueryView> {
    if (waitMs > 0 && !isFinal(q.handle.status())) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        q.handle.done(),
        new Promise((r) => {
          timer = setTimeout(r, waitMs);
        }),
      ]);
      if (timer) clearTimeout(timer);
    }
    return toView(q, q.handle.snapshot());
  }

  async cancel(q: ConsoleQuery): Promise<void> {
    await q.handle.cancel();
  }

  private prune(): void {
    const now = Date.now();
    for (const [id, q] of this.running) {
      if (q.finished !== undefined && now - q.finished > KEEP_MS) this.running.delete(id);
    }
  }

  async cancelAll(): Promise<void> {
    await Promise.all(
      [...this.running.values()]
        .filter((q) => !isFinal(q.handle.status()))
        .map((q) => q.handle.cancel().catch(() => undefined)),
    );
  }

  /**
   * Cancels what runs and waits for every query's end work (history writes): after this the
   * store can close. Closing it under a running statement crashed the process (SIGSEGV/SIGABRT).
   */
  async drain(): Promise<void> {
    await this.cancelAll();
    while (this.settling.size > 0) await Promise.all([...this.settling]);
  }
}

export function isFinal(s: QueryStatus): boolean {
  return s === 'Complete' || s === 'Failed' || s === 'Cancelled' || s === 'Timeout';
}

export function toView(q: ConsoleQuery, r: QueryResult): QueryView {
  const rows = r.rows.map((row) => {
    const o: Record<string, string> = {};
    for (const f of row) o[f.field] = f.value;
    return o;
  });
  const v: QueryView = {
    queryId: q.id,
    status: r.status,
    columns: r.columns,
    rows,
    statistics: r.statistics,
    warnings: r.warnings,
    truncated: r.truncated,
    aggregated: r.aggregated,
    startTime: q.startTime,
    endTime: q.endTime,
    elapsedMs: (q.finished ?? Date.now()) - q.submitted,
  };
  if (r.error) v.error = r.error;
  return v;
}

/** HTTP status and body of an error thrown by the engine or by our own checks. */
export function httpError(e: unknown): {
  status: number;
  body: { error: { code: string; message: string; diagnostics?: unknown } };
} {
  if (isBiError(e)) {
    const status =
      e.code === 'ENGINE_UNAVAILABLE'
        ? 503
        : e.code === 'NOT_FOUND'
          ? 404
          : e.code === 'UNAUTHORIZED'
            ? 401
            : e.code === 'STORE_LOCKED'
              ? 409
              : e.code.startsWith('INVALID') || e.code.startsWith('QUERY_')
                ? 400
                : 500;
    const body: { code: string; message: string; diagnostics?: unknown } = { code: e.code, message: e.message };
    if (e.details.diagnostics !== undefined) body.diagnostics = e.details.diagnostics;
    return { status, body: { error: body } };
  }
  return { status: 500, body: { error: { code: 'INTERNAL', message: errorMessage(e) } } };
}
