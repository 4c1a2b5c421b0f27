import { randomUUID } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import { damagedStoreHint, isStoreInvalidated, type Store } from '../store/store.js';
import { readQueryCatalog } from '../store/catalog.js';
import { readRollupInfo } from '../store/rollups.js';
import { errorMessage } from '../util/errors.js';
import {
  EMPTY_STATS,
  type QueryEngine,
  type QueryResult,
  type QueryStatistics,
  type QueryStatus,
  type ResultRow,
  type StartOptions,
} from './engine.js';
import { createQueryEngine, rowCapWarning, type EngineOptions, type RunnableQuery } from './query-engine.js';
import type { Lease } from './admission.js';
import { estimateRowBytes, resultTooLargeWarning, timeoutError, type ExecutionLimits } from './limits.js';
import { toNumber } from './poll.js';
import { compileDuckDb, type CompiledQuery } from '../insights/sql/duckdb/index.js';
import { rollupInexactReason } from '../insights/sql/rollup.js';
import { encodePtr, formatJavaDouble, formatValue } from '../insights/format.js';

export interface DuckDbEngineOptions extends EngineOptions {
  /**
   * Answer stats queries from the hourly roll-up where that is provably the same answer
   * (src/insights/sql/rollup.ts). Default: on, unless $BEDROCK_INSIGHTS_ROLLUPS is `off`.
   */
  rollups?: boolean;
}

/** The switch users and tests compare with: BEDROCK_INSIGHTS_ROLLUPS=off reads only events. */
export const ROLLUPS_ENV = 'BEDROCK_INSIGHTS_ROLLUPS';

/** Roll-ups are on unless the option or $BEDROCK_INSIGHTS_ROLLUPS turns them off. */
export function rollupsEnabled(option?: boolean, env: NodeJS.ProcessEnv = process.env): boolean {
  if (option !== undefined) return option;
  const v = (env[ROLLUPS_ENV] ?? '').trim().toLowerCase();
  return !(v === 'off' || v === '0' || v === 'false' || v === 'no');
}

type StopReason = 'cancel' | 'timeout' | 'demote';
/** Re-sent while a stop is pending: an interrupt that lands between two statements is lost. */
const INTERRUPT_EVERY_MS = 100;

/**
 * One query on a connection of its own. With the server's limits it waits for a slot of the
 * admission queue (status Scheduled), stops at its time limit (Timeout), and keeps rows only up
 * to the byte cap; in the express slot it may be stopped and run again from the start in a
 * general slot (src/engines/admission.ts).
 */
class Runner {
  readonly id = randomUUID();
  status: QueryStatus = 'Scheduled';
  rows: ResultRow[] = [];
  truncated = false;
  statistics: QueryStatistics = { ...EMPTY_STATS };
  error?: { code: string; message: string };
  private conn?: DuckDBConnection;
  private stopReason?: StopReason;
  private cutByBytes = false;
  private readonly leaveQueue = new AbortController();
  private interrupter?: NodeJS.Timeout;
  private readonly timeoutMs: number | undefined;
  readonly finished: Promise<QueryResult>;

  constructor(
    private readonly store: Store,
    private readonly prepared: RunnableQuery,
    private compiled: CompiledQuery,
    private readonly limits: ExecutionLimits,
    private readonly onRows?: (rows: ResultRow[]) => void | Promise<void>,
    private readonly rollups = false,
  ) {
    this.timeoutMs = prepared.request.timeoutMs ?? limits.timeoutMs;
    this.finished = this.execute();
  }

  result(): QueryResult {
    const c = this.compiled;
    const warnings = this.prepared.diagnostics.filter((d) => d.severity !== 'error');
    if (this.truncated && this.cutByBytes)
      warnings.push(resultTooLargeWarning(this.prepared, this.rows.length, this.limits.maxResultBytes ?? 0));
    else if (this.truncated) warnings.push(rowCapWarning(this.prepared, c.rowCap ?? 0));
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
    if (c.answeredBy) r.answeredBy = c.answeredBy;
    return r;
  }

  async cancel(): Promise<void> {
    this.stop('cancel');
    await this.finished;
  }

  private running(): boolean {
    return this.status === 'Running' || this.status === 'Scheduled';
  }

  /** Ends the query for a reason: leaves the queue, or interrupts DuckDB until the statement ends. */
  private stop(reason: StopReason): void {
    if (!this.running()) return;
    if (this.stopReason === 'cancel' || this.stopReason === 'timeout') return;
    this.stopReason = reason;
    if (reason !== 'demote') this.leaveQueue.abort();
    this.interrupt();
    clearInterval(this.interrupter);
    this.interrupter = setInterval(() => this.interrupt(), INTERRUPT_EVERY_MS);
    this.interrupter.unref();
  }

  private interrupt(): void {
    try {
      this.conn?.interrupt();
    } catch {
      /* finished meanwhile */
    }
  }

  private async execute(): Promise<QueryResult> {
    const deadline =
      this.timeoutMs !== undefined && this.timeoutMs > 0
        ? setTimeout(() => this.stop('timeout'), this.timeoutMs)
        : undefined;
    const admission = this.limits.admission;
    let heavy = false;
    try {
      for (;;) {
        let lease: Lease | undefined;
        if (admission) {
          try {
            lease = await admission.acquire({ heavy, expressAllowed: !this.onRows, signal: this.leaveQueue.signal });
          } catch {
            break; // stopped while it waited: the reason says how it ended
          }
        }
        this.status = 'Running';
        const express =
          lease?.lane === 'express'
            ? setTimeout(() => {
                if (!lease.promote()) this.stop('demote');
              }, admission!.options.expressMs)
            : undefined;
        try {
          await this.attempt();
          if (this.stopReason === 'demote') this.stopReason = undefined; // it finished first
          if (!this.stopReason) this.status = 'Complete';
          break;
        } catch (e) {
          if (this.stopReason === 'demote') {
            // Heavy after all: wait for a general slot and run again from the start.
            this.stopReason = undefined;
            clearInterval(this.interrupter);
            heavy = true;
            this.rows = [];
            this.truncated = false;
            this.cutByBytes = false;
            this.status = 'Scheduled';
            continue;
          }
          if (!this.stopReason) {
            this.status = 'Failed';
            this.error = runError(e);
          }
          break;
        } finally {
          clearTimeout(express);
          lease?.release();
        }
      }
    } finally {
      clearTimeout(deadline);
      clearInterval(this.interrupter);
    }
    if (this.stopReason === 'cancel') this.status = 'Cancelled';
    else if (this.stopReason === 'timeout') {
      this.status = 'Timeout';
      this.error = timeoutError(this.timeoutMs ?? 0);
    }
    return this.result();
  }

  /** One run of the SQL on a connection of its own; throws when DuckDB fails or is interrupted. */
  private async attempt(): Promise<void> {
    try {
      await this.attemptWith(this.rollups);
    } catch (e) {
      // A sum the roll-up cannot prove exact (a token sum of 2^53, a cost beyond the exact
      // bound): the events answer.
      const inexact = rollupInexactReason(errorMessage(e));
      if (!this.rollups || this.stopReason || !inexact) throw e;
      this.rows = [];
      this.truncated = false;
      this.cutByBytes = false;
      this.compiled = compileDuckDb(this.prepared.plan, {
        now: this.prepared.now,
        rollup: null,
        rollupUnavailable: inexact,
      });
      await this.attemptWith(false);
    }
  }

  private async attemptWith(rollups: boolean): Promise<void> {
    const stopped = (): boolean => this.stopReason !== undefined;
    let inTransaction = false;
    try {
      this.conn = await this.store.connect();
      if (stopped()) throw new Error('stopped');
      if (rollups && this.prepared.plan.aggregated) {
        // One snapshot for the roll-up's out-of-date buckets and the statement that relies on
        // them: a write committed meanwhile is either wholly seen or not at all.
        await this.conn.run('BEGIN TRANSACTION');
        inTransaction = true;
        this.compiled = await compileWithRollup(this.conn, this.prepared);
      }
      const c = this.compiled;
      const result = await this.conn.stream(c.sql);
      const cap = c.rowCap;
      const maxBytes = this.onRows ? undefined : this.limits.maxResultBytes;
      let bytes = 0;
      let matched: number | undefined;
      let batch: ResultRow[] = [];
      let emitted = 0;
      for (;;) {
        if (stopped()) throw new Error('stopped');
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
          if (maxBytes !== undefined) {
            bytes += estimateRowBytes(row);
            if (bytes > maxBytes) {
              this.truncated = true;
              this.cutByBytes = true;
              break;
            }
          }
          batch.push(row);
        }
        if (this.onRows) {
          if (batch.length) await this.onRows(batch);
        } else {
          for (const row of batch) this.rows.push(row);
        }
        emitted += batch.length;
        batch = [];
        if (this.truncated) break;
      }
      if (stopped()) throw new Error('stopped');
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
        bytesScanned: await this.bytesScanned(c, recordsScanned),
        estimatedBytesSkipped: 0,
        logGroupsScanned: toNumber(scanned[1]),
      };
    } finally {
      if (inTransaction) {
        try {
          await this.conn?.run('ROLLBACK');
        } catch {
          /* interrupted: the connection closes below */
        }
      }
      const conn = this.conn;
      this.conn = undefined;
      try {
        conn?.closeSync();
      } catch {
        /* closed */
      }
    }
  }

  /**
   * Message bytes in range. Reading every message to measure it would cost more than the query
   * itself on a large store, so it is measured only when the query already reads messages;
   * otherwise it is estimated from a sample of the selected events (see docs/semantics.md).
   */
  private async bytesScanned(c: CompiledQuery, recordsScanned: number): Promise<number> {
    if (!this.conn) return 0;
    const where = c.scanWhere ? ` WHERE ${c.scanWhere}` : '';
    if (c.readsMessage) {
      const r = (await this.conn.runAndReadAll(`SELECT sum(strlen(message)) FROM events${where}`)).getRows()[0];
      return toNumber(r?.[0]);
    }
    // The count is the records scanned (the same condition), counted once, from the roll-up
    // where it answered.
    const r = (
      await this.conn.runAndReadAll(`SELECT avg(strlen(message)) FROM (SELECT message FROM events${where} LIMIT 2048)`)
    ).getRows()[0];
    return Math.round(recordsScanned * toNumber(r?.[0]));
  }
}

/** The plan compiled with the roll-up as this connection's snapshot shows it (or why there is none to read). */
async function compileWithRollup(conn: DuckDBConnection, q: RunnableQuery): Promise<CompiledQuery> {
  const r = await readRollupInfo(conn);
  if ('info' in r) return compileDuckDb(q.plan, { now: q.now, rollup: r.info });
  return compileDuckDb(q.plan, { now: q.now, rollup: null, rollupUnavailable: r.unavailable });
}

/** A failure while running, coded, with what to do where there is something to do. */
function runError(e: unknown): { code: string; message: string } {
  const msg = errorMessage(e);
  const first = msg.split('\n')[0];
  if (isStoreInvalidated(e))
    return {
      code: 'STORE_INVALIDATED',
      message: `The store stopped answering after a fatal DuckDB error (${first}); it must be opened again. The console server does this by itself: run the query again in a moment.`,
    };
  const damaged = damagedStoreHint(e);
  if (damaged) return { code: 'STORE_DAMAGED', message: `The query failed: ${damaged}` };
  if (/Out of Memory Error/i.test(msg))
    return {
      code: 'QUERY_OUT_OF_MEMORY',
      message: `The query needed more memory than DuckDB may use here (${first}). Narrow the time range or the log groups, or raise the limit (serve --memory-limit).`,
    };
  return { code: 'QUERY_FAILED', message: `The query failed while running: ${first}` };
}

/**
 * The embedded engine: the store's catalog for the front end, and each plan compiled to DuckDB
 * SQL and run on its own connection (so cancel() interrupts that query only).
 */
export function createDuckDbEngine(store: Store, opts: DuckDbEngineOptions = {}): QueryEngine {
  const rollups = rollupsEnabled(opts.rollups);
  return createQueryEngine(
    {
      name: 'duckdb',
      catalog: () => readQueryCatalog(store),
      async execute(query: RunnableQuery, options: StartOptions) {
        // Roll-ups on: the decision is made in the query's snapshot (Runner.attempt); a query that
        // is not a stats query says so already here.
        const compiled = compileDuckDb(query.plan, {
          now: query.now,
          rollup: null,
          ...(rollups ? {} : { rollupUnavailable: `roll-ups are off: ${ROLLUPS_ENV}=off or the engine option` }),
        });
        const r = new Runner(store, query, compiled, opts.limits ?? {}, options.onRows, rollups);
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
