import { randomUUID } from 'node:crypto';
import type { QueryEngine, QueryHandle, QueryResult, QueryStatus } from '../engines/engine.js';
import { estimateRowBytes } from '../engines/limits.js';
import { BiError, errorMessage } from '../util/errors.js';
import type { RangeSpec } from '../contracts/range.js';
import type { EngineChoice, QueryView } from '../contracts/wire.js';

/** The store's engine: what runs when a request names none. */
export const DEFAULT_ENGINE = 'duckdb';

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
 * The engines, by name: the store's (`duckdb`, the default) and the connections of serve's config
 * file (`engines`: Trino, Athena, CloudWatch). Each is created on first use; a store engine that
 * cannot be created is a clear 503, an unknown name a 400.
 */
export class EngineProvider {
  private readonly engines = new Map<string, QueryEngine>();
  private lastError?: string;

  constructor(
    private readonly create: (name?: string) => QueryEngine,
    /** The configured connections (the default engine is always there). */
    private readonly connections: readonly EngineChoice[] = [],
  ) {}

  /** The engines a request may name, the store's first. */
  choices(): EngineChoice[] {
    return [{ name: DEFAULT_ENGINE, engine: DEFAULT_ENGINE, description: 'The local store' }, ...this.connections];
  }

  get(name?: string): QueryEngine {
    const key = name && name !== DEFAULT_ENGINE ? name : DEFAULT_ENGINE;
    const have = this.engines.get(key);
    if (have) return have;
    if (key !== DEFAULT_ENGINE && !this.connections.some((c) => c.name === key))
      throw new BiError(
        'INVALID_ENGINE',
        `No engine is named "${key}"; this server has ${this.choices()
          .map((c) => c.name)
          .join(', ')} (engines in server.json).`,
      );
    try {
      const engine = this.create(key === DEFAULT_ENGINE ? undefined : key);
      this.engines.set(key, engine);
      return engine;
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
    await Promise.all([...this.engines.values()].map((e) => e.close().catch(() => undefined)));
  }
}

export interface RegistryOptions {
  /** Time limit of each console query (ms). */
  timeoutMs?: number;
  /** Bytes of finished results kept for polling; the oldest finished are dropped beyond it. */
  keptResultBytes?: number;
  /** A running query nobody has polled for this long is cancelled (ms). */
  idleCancelMs?: number;
}

export class QueryRegistry {
  private readonly running = new Map<string, ConsoleQuery>();
  /** What runs when a query ends (its history write): awaited by drain() before the store closes. */
  private readonly settling = new Set<Promise<void>>();
  private readonly seen = new Map<string, { at: number; waiters: number }>();
  private readonly bytes = new Map<string, number>();
  private readonly read = new Set<string>();
  private sweeper?: NodeJS.Timeout;

  constructor(
    private readonly engines: EngineProvider,
    private readonly onFinished?: (q: ConsoleQuery, r: QueryResult) => Promise<unknown> | void,
    private readonly opts: RegistryOptions = {},
  ) {
    if (opts.idleCancelMs !== undefined) {
      this.sweeper = setInterval(() => this.cancelIdle(), Math.min(opts.idleCancelMs, 10_000));
      this.sweeper.unref();
    }
  }

  async start(req: {
    queryString: string;
    logGroups: string[];
    startTime: number;
    endTime: number;
    limit?: number;
    range: RangeSpec;
    history: boolean;
    /** A configured engine's name (default the store's). */
    engine?: string;
  }): Promise<ConsoleQuery> {
    this.prune();
    const engine = this.engines.get(req.engine);
    const handle = await engine.start({
      queryString: req.queryString,
      logGroups: req.logGroups,
      startTime: req.startTime,
      endTime: req.endTime,
      ...(req.limit !== undefined ? { limit: req.limit } : {}),
      ...(this.opts.timeoutMs !== undefined ? { timeoutMs: this.opts.timeoutMs } : {}),
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
    this.seen.set(q.id, { at: Date.now(), waiters: 0 });
    const settled = handle
      .done()
      .then(async (r) => {
        q.finished = Date.now();
        this.keep(q, r);
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

  /**
   * Wait up to `ms` for the query to end, then give its result as it is. `gone` aborts when the
   * client went away: the wait ends, and a query nobody else waits for is cancelled.
   */
  async view(q: ConsoleQuery, waitMs = 0, gone?: AbortSignal): Promise<QueryResult> {
    const seen = this.seen.get(q.id);
    if (seen) seen.at = Date.now();
    if (gone?.aborted) waitMs = 0; // gone before the wait began
    if (waitMs > 0 && !isFinal(q.handle.status())) {
      let timer: NodeJS.Timeout | undefined;
      let onGone: (() => void) | undefined;
      if (seen) seen.waiters++;
      try {
        await Promise.race([
          q.handle.done(),
          new Promise<void>((r) => {
            timer = setTimeout(r, waitMs);
            onGone = () => r();
            gone?.addEventListener('abort', onGone, { once: true });
          }),
        ]);
      } finally {
        if (timer) clearTimeout(timer);
        if (onGone) gone?.removeEventListener('abort', onGone);
        if (seen) {
          seen.waiters--;
          seen.at = Date.now();
        }
      }
    }
    if (gone?.aborted && seen && seen.waiters === 0 && !isFinal(q.handle.status())) await this.cancel(q);
    return q.handle.snapshot();
  }

  /** A final result went out to a client: it may be dropped first when memory is needed. */
  delivered(q: ConsoleQuery): void {
    if (q.finished !== undefined) this.read.add(q.id);
  }

  async cancel(q: ConsoleQuery): Promise<void> {
    await q.handle.cancel();
  }

  /** Running queries whose page stopped polling: nobody will read them. */
  private cancelIdle(): void {
    const limit = this.opts.idleCancelMs;
    if (limit === undefined) return;
    const now = Date.now();
    for (const q of this.running.values()) {
      const s = this.seen.get(q.id);
      if (!s || s.waiters > 0 || isFinal(q.handle.status())) continue;
      if (now - s.at > limit) void q.handle.cancel().catch(() => undefined);
    }
  }

  /**
   * Finished results are kept for polling within a byte budget: results already delivered go
   * first, oldest first, then undelivered ones (a client that never comes back must not hold
   * memory); a dropped id answers 404 "run it again".
   */
  private keep(q: ConsoleQuery, r: QueryResult): void {
    this.seen.delete(q.id);
    let n = 0;
    for (const row of r.rows) n += estimateRowBytes(row);
    this.bytes.set(q.id, n);
    const budget = this.opts.keptResultBytes;
    if (budget === undefined) return;
    let total = 0;
    for (const b of this.bytes.values()) total += b;
    const oldest = [...this.running.values()]
      .filter((x) => x.finished !== undefined && x.id !== q.id)
      .sort((a, b) => Number(this.read.has(b.id)) - Number(this.read.has(a.id)) || a.finished! - b.finished!);
    for (const old of oldest) {
      if (total <= budget) break;
      total -= this.bytes.get(old.id) ?? 0;
      this.forget(old.id);
    }
  }

  private forget(id: string): void {
    this.read.delete(id);
    this.running.delete(id);
    this.bytes.delete(id);
    this.seen.delete(id);
  }

  private prune(): void {
    const now = Date.now();
    for (const [id, q] of this.running) {
      if (q.finished !== undefined && now - q.finished > KEEP_MS) this.forget(id);
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
    clearInterval(this.sweeper);
    await this.cancelAll();
    while (this.settling.size > 0) await Promise.all([...this.settling]);
  }
}

export function isFinal(s: QueryStatus): boolean {
  return s === 'Complete' || s === 'Failed' || s === 'Cancelled' || s === 'Timeout';
}

/** The view without its rows (they are written one by one: see src/api/viewStream.ts). */
export function viewMeta(q: ConsoleQuery, r: QueryResult): Omit<QueryView, 'rows'> {
  const v: Omit<QueryView, 'rows'> = {
    queryId: q.id,
    status: r.status,
    columns: r.columns,
    statistics: r.statistics,
    warnings: r.warnings,
    truncated: r.truncated,
    aggregated: r.aggregated,
    startTime: q.startTime,
    endTime: q.endTime,
    elapsedMs: (q.finished ?? Date.now()) - q.submitted,
  };
  if (r.error) v.error = r.error;
  if (r.answeredBy) v.answeredBy = r.answeredBy;
  return v;
}
