/**
 * The Trino/Athena query engine: an `EngineBackend` (src/engines/query-engine.ts) over a SQL
 * runner (the Trino REST client, or Athena through its SDK: athena/runner.ts) and an events
 * relation (relation.ts: the S3 delivery layout read in place, or the Parquet archive). Plans are
 * compiled with the Trino dialect (src/insights/sql/trino/), rows come back CloudWatch-shaped as
 * from the embedded engine (src/insights/format.ts), and the statistics are the engine's own.
 *
 * Statistics: `recordsScanned` and `bytesScanned` are what the engine read for the query (rows
 * read from the partitions of the range, bytes read from storage: gzipped JSON or Parquet);
 * `recordsMatched` is the count of the stats step for stats queries, and for event queries a
 * count query (the filters before the first change of shape) that runs beside the main one.
 */
import { randomUUID } from 'node:crypto';
import type { CatalogInfo } from '../../insights/compile.js';
import { encodePtr, formatJavaDouble, formatValue } from '../../insights/format.js';
import type { CompiledQuery } from '../../insights/sql/dialect.js';
import { compileTrino, type TrinoRelation } from '../../insights/sql/trino/index.js';
import { BiError, errorMessage } from '../../util/errors.js';
import {
  EMPTY_STATS,
  type QueryEngine,
  type QueryResult,
  type QueryStatistics,
  type QueryStatus,
  type ResultRow,
  type StartOptions,
} from '../engine.js';
import { createQueryEngine, rowCapWarning, type EngineOptions, type RunnableQuery } from '../query-engine.js';
import { estimateRowBytes, resultTooLargeWarning, timeoutError, type ExecutionLimits } from '../limits.js';
import { toNumber } from '../poll.js';
import { eventRelation, type EventSource } from './relation.js';
import { DEFAULT_LOG_GROUP } from '../../logs/event.js';

/** What the engine needs of a SQL service: Trino's REST protocol, or Athena's API. */
export interface SqlRunner {
  query(
    sql: string,
    opts: { signal?: AbortSignal; onRows?: (rows: unknown[][]) => void },
  ): Promise<{ rows: unknown[][]; stats: RunnerStats }>;
}

export interface RunnerStats {
  /** Rows read from storage. */
  processedRows: number;
  /** Bytes read from storage. */
  physicalInputBytes: number;
}

export interface TrinoEngineOptions extends EngineOptions {
  /** `trino` or `athena`: the engine's name in results and diagnostics. */
  name?: string;
  runner: SqlRunner;
  source: EventSource;
  /** How long a catalog read is reused (default 60 s; the archive's changes only on export). */
  catalogTtlMs?: number;
  /**
   * Run a count query beside an event query for `recordsMatched` (default true). Off for Athena,
   * which charges by the byte scanned: the rows returned are reported instead.
   */
  countMatches?: boolean;
}

/**
 * A result value as CloudWatch text. Trino sends doubles that are not finite as the strings
 * `NaN` / `Infinity`: missing, as in the embedded engine.
 */
function cell(v: unknown, kind: CompiledQuery['columns'][number]['kind'], java: boolean): string | undefined {
  if (v === null || v === undefined) return undefined;
  if ((kind === 'number' || kind === 'time') && typeof v === 'string' && !/^-?\d/.test(v)) return undefined;
  if (java) return formatJavaDouble(Number(v));
  return formatValue(v, kind);
}

/** @ptr of a record read in place: its file and requestId (`seq` text), not a store pointer. */
export function encodeFilePtr(logGroup: string, seq: string): string {
  return `f1.${Buffer.from(`${seq}\n${logGroup}`, 'utf8').toString('base64url')}`;
}

/**
 * One query on the remote engine. The server's limits apply as on the store (src/engines/limits.ts):
 * the time limit stops it (status Timeout, the remote query cancelled) and the rows it keeps are
 * bounded in bytes (cut with RESULT_TOO_LARGE). The admission queue is not used: it shares the
 * store's cores, and a remote query runs on the remote's.
 */
class Run {
  readonly id = randomUUID();
  status: QueryStatus = 'Running';
  rows: ResultRow[] = [];
  truncated = false;
  private tooLarge = false;
  private stopped?: 'timeout' | 'cut';
  statistics: QueryStatistics = { ...EMPTY_STATS };
  error?: { code: string; message: string };
  private readonly abort = new AbortController();
  readonly finished: Promise<QueryResult>;

  constructor(
    private readonly runner: SqlRunner,
    private readonly prepared: RunnableQuery,
    private readonly compiled: CompiledQuery,
    private readonly groupsInCatalog: number,
    private readonly countMatches: boolean,
    private readonly limits: ExecutionLimits,
    private readonly onRows?: (rows: ResultRow[]) => void | Promise<void>,
  ) {
    this.finished = this.execute();
  }

  result(): QueryResult {
    const warnings = this.prepared.diagnostics.filter((d) => d.severity !== 'error');
    if (this.truncated) warnings.push(rowCapWarning(this.prepared, this.compiled.rowCap ?? 0));
    if (this.tooLarge)
      warnings.push(resultTooLargeWarning(this.prepared, this.rows.length, this.limits.maxResultBytes ?? 0));
    const r: QueryResult = {
      columns: this.prepared.columns,
      rows: this.rows,
      statistics: this.statistics,
      status: this.status,
      warnings,
      truncated: this.truncated,
      aggregated: this.compiled.aggregated,
    };
    if (this.error) r.error = this.error;
    return r;
  }

  async cancel(): Promise<void> {
    if (this.status !== 'Running') return;
    this.status = 'Cancelled';
    this.abort.abort();
    await this.finished;
  }

  private row(r: unknown[]): ResultRow {
    const c = this.compiled;
    const row: ResultRow = [];
    c.columns.forEach((col, i) => {
      const v = cell(r[i], col.kind, col.java === true);
      if (v !== undefined) row.push({ field: col.name, value: v });
    });
    if (c.ptr) {
      const lg = String(r[c.columns.length]);
      const seq = r[c.columns.length + 1];
      const ptr =
        typeof seq === 'number' || typeof seq === 'bigint' ? encodePtr(lg, seq) : encodeFilePtr(lg, String(seq));
      row.push({ field: '@ptr', value: ptr });
    }
    return row;
  }

  private async execute(): Promise<QueryResult> {
    const c = this.compiled;
    const signal = this.abort.signal;
    const cap = c.rowCap;
    const matchedAt = c.columns.length + (c.ptr ? 2 : 0);
    let matched: number | undefined;
    let delivered = Promise.resolve();
    let kept = 0;
    let bytes = 0;
    const maxBytes = this.onRows ? undefined : this.limits.maxResultBytes;
    const timeoutMs = this.prepared.request.timeoutMs ?? this.limits.timeoutMs;
    const deadline =
      timeoutMs !== undefined && timeoutMs > 0 ? setTimeout(() => this.stop('timeout'), timeoutMs) : undefined;
    const take = (page: unknown[][]): void => {
      const batch: ResultRow[] = [];
      for (const r of page) {
        if (this.stopped) break;
        if (cap !== undefined && kept >= cap) {
          this.truncated = true;
          break;
        }
        if (c.matchedColumn && matched === undefined) matched = toNumber(r[matchedAt]);
        const row = this.row(r);
        if (maxBytes !== undefined && (bytes += estimateRowBytes(row)) > maxBytes) {
          this.tooLarge = true;
          this.stop('cut');
          break;
        }
        batch.push(row);
        kept++;
      }
      if (batch.length === 0) return;
      if (this.onRows) {
        const hand = this.onRows;
        delivered = delivered.then(() => hand(batch));
      } else this.rows.push(...batch);
    };
    // Event queries count their matches beside the main query (the same partitions).
    const countSql = c.aggregated || !this.countMatches ? undefined : (c.matchedSql ?? c.scannedSql);
    const counted = countSql
      ? this.runner.query(countSql, { signal }).then((r) => toNumber(r.rows[0]?.[0]))
      : Promise.resolve(undefined);
    counted.catch(() => undefined);
    try {
      const main = await this.runner.query(c.sql, { signal, onRows: take });
      await delivered;
      if (matched === undefined) matched = (await counted) ?? (c.aggregated ? 0 : kept);
      this.statistics = {
        recordsMatched: matched,
        recordsScanned: main.stats.processedRows,
        estimatedRecordsSkipped: 0,
        bytesScanned: main.stats.physicalInputBytes,
        estimatedBytesSkipped: 0,
        logGroupsScanned: main.stats.processedRows > 0 || main.stats.physicalInputBytes > 0 ? this.groupsInCatalog : 0,
      };
      if (this.status === 'Running') this.status = 'Complete';
    } catch (e) {
      if (!signal.aborted) this.abort.abort();
      await delivered.catch(() => undefined);
      if (this.stopped === 'cut') {
        this.status = 'Complete';
      } else if (this.stopped === 'timeout') {
        this.status = 'Timeout';
        this.error = timeoutError(timeoutMs ?? 0);
      } else if (this.status === 'Cancelled' || (e instanceof BiError && e.code === 'QUERY_CANCELLED')) {
        this.status = 'Cancelled';
      } else {
        this.status = 'Failed';
        this.error =
          e instanceof BiError
            ? { code: e.code, message: e.message }
            : { code: 'QUERY_FAILED', message: `The query failed while running: ${errorMessage(e).split('\n')[0]}` };
      }
    } finally {
      clearTimeout(deadline);
    }
    return this.result();
  }

  /** Ends the remote query for a limit (not a cancel: the status says which). */
  private stop(reason: 'timeout' | 'cut'): void {
    if (this.stopped || this.status !== 'Running') return;
    this.stopped = reason;
    this.abort.abort();
  }
}

/**
 * The catalog of a table with no field index: its log group, every field possibly present, and
 * (unless the source keeps them) bodies read as a default store keeps them, so a body field the
 * store would not keep is missing with BODIES_NOT_KEPT, as on the store.
 */
function openCatalog(logGroup: string, keepBodies: boolean): CatalogInfo {
  return {
    logGroups: [{ name: logGroup, genericEvents: 0 }],
    fieldsByGroup: new Map(),
    ...(keepBodies
      ? {}
      : {
          withoutBodies: {
            logGroups: [logGroup],
            remedy: 'query with --keep-bodies (the delivery layout holds them; --engine trino or athena).',
          },
        }),
  };
}

/** The archive's catalog: its log groups and the fields seen in each, written by `export`. */
async function archiveCatalog(runner: SqlRunner, table: string): Promise<CatalogInfo> {
  const r = await runner.query(
    `SELECT 'g', name, CAST(generic_events AS VARCHAR) FROM ${table}_log_groups UNION ALL SELECT 'f', log_group, field FROM ${table}_fields`,
    {},
  );
  const logGroups: CatalogInfo['logGroups'] = [];
  const fieldsByGroup = new Map<string, Set<string>>();
  for (const [what, a, b] of r.rows) {
    if (what === 'g') logGroups.push({ name: String(a), genericEvents: toNumber(b) });
    else {
      let set = fieldsByGroup.get(String(a));
      if (!set) fieldsByGroup.set(String(a), (set = new Set()));
      set.add(String(b));
    }
  }
  return { logGroups, fieldsByGroup };
}

/** How many log groups of the catalog a plan reads. */
function groupsRead(prepared: RunnableQuery, catalog: CatalogInfo | undefined): number {
  const names = prepared.plan.source.names;
  if (names !== 'all') return names.length;
  return catalog?.logGroups.length ?? 1;
}

export function createTrinoEngine(opts: TrinoEngineOptions): QueryEngine {
  const relation: TrinoRelation = eventRelation(opts.source);
  const ttl = opts.catalogTtlMs ?? 60_000;
  let cached: { at: number; catalog: Promise<CatalogInfo> } | undefined;
  const catalog = (): Promise<CatalogInfo> => {
    const src = opts.source;
    if (src.kind === 'delivery')
      return Promise.resolve(openCatalog(src.logGroup ?? DEFAULT_LOG_GROUP, src.keepBodies === true));
    if (!cached || Date.now() - cached.at > ttl) {
      const p = archiveCatalog(opts.runner, src.table);
      cached = { at: Date.now(), catalog: p };
      p.catch(() => (cached = undefined));
    }
    return cached.catalog;
  };
  return createQueryEngine(
    {
      name: opts.name ?? 'trino',
      catalog,
      async execute(query: RunnableQuery, options: StartOptions) {
        const compiled = compileTrino(query.plan, { now: query.now, relation });
        const known = cached ? await cached.catalog.catch(() => undefined) : undefined;
        const r = new Run(
          opts.runner,
          query,
          compiled,
          groupsRead(query, known),
          opts.countMatches !== false,
          opts.limits ?? {},
          options.onRows,
        );
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

/** The settings error of an engine that needs a value it was not given. */
export function missingSetting(engine: string, flag: string): BiError {
  return new BiError('INVALID_ARGUMENT', `--engine ${engine} needs ${flag}.`);
}
