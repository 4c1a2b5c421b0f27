import { randomUUID } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Store } from '../store/store.js';
import { readQueryCatalog } from '../store/catalog.js';
import type { QueryEngine, QueryResult, QueryStatistics, QueryStatus, ResultRow, StartOptions } from './engine.js';
import { createQueryEngine, rowCapWarning, type EngineOptions, type RunnableQuery } from './query-engine.js';
import { compileDuckDb, type CompiledQuery } from '../insights/sql/duckdb/index.js';
import { encodePtr, formatJavaDouble, formatValue } from '../insights/format.js';

export type DuckDbEngineOptions = EngineOptions;

const EMPTY_STATS: QueryStatistics = {
  recordsMatched: 0,
  recordsScanned: 0,
  estimatedRecordsSkipped: 0,
  bytesScanned: 0,
  estimatedBytesSkipped: 0,
  logGroupsScanned: 0,
};

function toNumber(v: unknown): number {
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number') return v;
  if (v === null || v === undefined) return 0;
  const n = Number(String(v));
  return Number.isFinite(n) ? n : 0;
}

class Runner {
  readonly id = randomUUID();
  status: QueryStatus = 'Running';
  rows: ResultRow[] = [];
  truncated = false;
  statistics: QueryStatistics = { ...EMPTY_STATS };
  error?: { code: string; message: string };
  private conn?: DuckDBConnection;
  private cancelled = false;
  readonly finished: Promise<QueryResult>;

  constructor(
    private readonly store: Store,
    private readonly prepared: RunnableQuery,
    private readonly compiled: CompiledQuery,
    private readonly onRows?: (rows: ResultRow[]) => void | Promise<void>,
  ) {
    this.finished = this.execute();
  }

  result(): QueryResult {
    const c = this.compiled;
    const warnings = this.prepared.diagnostics.filter((d) => d.severity !== 'error');
    if (this.truncated) warnings.push(rowCapWarning(this.prepared, c.rowCap ?? 0));
    const r: QueryResult = {
      columns: this.prepared.columns,
      rows: this.rows,
      statistics: this.statistics,
      status: this.status,
      warnings,
      truncated: this.truncated,
      aggregated: c.aggregated,
    };
    if (this.error) r.error = this.error;
    return r;
  }

  async cancel(): Promise<void> {
    if (this.status !== 'Running') return;
    this.cancelled = true;
    this.status = 'Cancelled';
    try {
      this.conn?.interrupt();
    } catch {
      /* already finished */
    }
    await this.finished;
  }

  private async execute(): Promise<QueryResult> {
    const c = this.compiled;
    try {
      this.conn = await this.store.connect();
      const result = await this.conn.stream(c.sql);
      const cap = c.rowCap;
      let matched: number | undefined;
      let batch: ResultRow[] = [];
      let emitted = 0;
      for (;;) {
        if (this.cancelled) break;
        const chunk = await result.fetchChunk();
        if (!chunk || chunk.rowCount === 0) break;
        const raw = chunk.getRows();
        for (const r of raw) {
          if (cap !== undefined && emitted + batch.length >= cap) {
            this.truncated = true;
            break;
          }
          const row: ResultRow = [];
          c.columns.forEach((col, i) => {
            const v = col.java && r[i] !== null ? formatJavaDouble(Number(r[i])) : formatValue(r[i], col.kind);
            if (v !== undefined) row.push({ field: col.name, value: v });
          });
          let k = c.columns.length;
          if (c.ptr) {
            row.push({ field: '@ptr', value: encodePtr(String(r[k]), r[k + 1] as bigint) });
            k += 2;
          }
          if (c.matchedColumn && matched === undefined) matched = toNumber(r[k]);
          batch.push(row);
        }
        if (this.onRows) {
          if (batch.length) await this.onRows(batch);
        } else {
          this.rows.push(...batch);
        }
        emitted += batch.length;
        batch = [];
        if (this.truncated) break;
      }
      if (this.cancelled) return this.result();
      const scanned = (await this.conn.runAndReadAll(c.scannedSql)).getRows()[0] ?? [0, 0];
      const recordsScanned = toNumber(scanned[0]);
      if (matched === undefined) {
        if (c.matchedSql) matched = toNumber((await this.conn.runAndReadAll(c.matchedSql)).getRows()[0]?.[0]);
        else matched = c.aggregated ? 0 : recordsScanned;
      }
      this.statistics = {
        recordsMatched: matched,
        recordsScanned,
        estimatedRecordsSkipped: 0,
        bytesScanned: await this.bytesScanned(c),
        estimatedBytesSkipped: 0,
        logGroupsScanned: toNumber(scanned[1]),
      };
      this.status = 'Complete';
    } catch (e) {
      if (this.cancelled) {
        this.status = 'Cancelled';
      } else {
        this.status = 'Failed';
        const msg = e instanceof Error ? e.message : String(e);
        this.error = { code: 'QUERY_FAILED', message: `The query failed while running: ${msg.split('\n')[0]}` };
      }
    } finally {
      try {
        this.conn?.closeSync();
      } catch {
        /* closed */
      }
      this.conn = undefined;
    }
    return this.result();
  }

  /**
   * Message bytes in range. Reading every message to measure it would cost more than the query
   * itself on a large store, so it is measured only when the query already reads messages;
   * otherwise it is estimated from a sample of the selected events (see docs/semantics.md).
   */
  private async bytesScanned(c: CompiledQuery): Promise<number> {
    if (!this.conn) return 0;
    const where = c.scanWhere ? ` WHERE ${c.scanWhere}` : '';
    if (c.readsMessage) {
      const r = (await this.conn.runAndReadAll(`SELECT sum(strlen(message)) FROM events${where}`)).getRows()[0];
      return toNumber(r?.[0]);
    }
    const r = (
      await this.conn.runAndReadAll(
        `SELECT count(*), (SELECT avg(strlen(message)) FROM (SELECT message FROM events${where} LIMIT 2048)) FROM events${where}`,
      )
    ).getRows()[0];
    return Math.round(toNumber(r?.[0]) * toNumber(r?.[1]));
  }
}

/**
 * The embedded engine: the store's catalog for the front end, and each plan compiled to DuckDB
 * SQL and run on its own connection (so cancel() interrupts that query only).
 */
export function createDuckDbEngine(store: Store, opts: DuckDbEngineOptions = {}): QueryEngine {
  return createQueryEngine(
    {
      name: 'duckdb',
      catalog: () => readQueryCatalog(store),
      async execute(query: RunnableQuery, options: StartOptions) {
        const r = new Runner(store, query, compileDuckDb(query.plan, { now: query.now }), options.onRows);
        return {
          id: r.id,
          status: () => r.status,
          snapshot: () => r.result(),
          done: () => r.finished,
          cancel: () => r.cancel(),
        };
      },
    },
    opts,
  );
}
