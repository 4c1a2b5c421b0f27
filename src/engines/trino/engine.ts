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
import type { CatalogInfo } from '../../insights/compile.js';
import { encodePtr, formatJavaDouble, formatValue } from '../../insights/format.js';
import type { CompiledQuery } from '../../insights/sql/dialect.js';
import { compileTrino, type TrinoRelation } from '../../insights/sql/trino/index.js';
import { BiError } from '../../util/errors.js';
import type { QueryEngine, ResultRow, StartOptions } from '../engine.js';
import { createQueryEngine, type EngineOptions, type RunnableQuery } from '../query-engine.js';
import { estimateRowBytes, type ExecutionLimits } from '../limits.js';
import { queryFailed, startRemoteRun, type RemoteRun } from '../remote-run.js';
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

/** A Trino row as CloudWatch fields (and its @ptr when the plan asks for one). */
function resultRow(c: CompiledQuery, r: unknown[]): ResultRow {
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

interface TrinoRun {
  runner: SqlRunner;
  compiled: CompiledQuery;
  groupsInCatalog: number;
  countMatches: boolean;
  limits: ExecutionLimits;
  onRows?: ((rows: ResultRow[]) => void | Promise<void>) | undefined;
}

/**
 * One query on the remote engine, through the shared remote run (src/engines/remote-run.ts: the
 * server's time limit, cancel, the kept-bytes bound, how it ended). The admission queue is not
 * used: it shares the store's cores, and a remote query runs on the remote's.
 */
async function runOnTrino(t: TrinoRun, run: RemoteRun): Promise<'Complete'> {
  const c = t.compiled;
  const { signal } = run;
  const cap = c.rowCap;
  const matchedAt = c.columns.length + (c.ptr ? 2 : 0);
  let matched: number | undefined;
  let delivered = Promise.resolve();
  let kept = 0;
  let bytes = 0;
  const maxBytes = t.onRows ? undefined : t.limits.maxResultBytes;
  const take = (page: unknown[][]): void => {
    const batch: ResultRow[] = [];
    for (const r of page) {
      if (run.stopped()) break;
      if (cap !== undefined && kept >= cap) {
        run.truncated = true;
        break;
      }
      if (c.matchedColumn && matched === undefined) matched = toNumber(r[matchedAt]);
      const row = resultRow(c, r);
      if (maxBytes !== undefined && (bytes += estimateRowBytes(row)) > maxBytes) {
        run.cut();
        break;
      }
      batch.push(row);
      kept++;
    }
    if (batch.length === 0) return;
    if (t.onRows) {
      const hand = t.onRows;
      delivered = delivered.then(() => hand(batch));
    } else run.rows.push(...batch);
  };
  // Event queries count their matches beside the main query (the same partitions).
  const countSql = c.aggregated || !t.countMatches ? undefined : (c.matchedSql ?? c.scannedSql);
  const counted = countSql
    ? t.runner.query(countSql, { signal }).then((r) => toNumber(r.rows[0]?.[0]))
    : Promise.resolve(undefined);
  counted.catch(() => undefined);
  try {
    const main = await t.runner.query(c.sql, { signal, onRows: take });
    await delivered;
    if (matched === undefined) matched = (await counted) ?? (c.aggregated ? 0 : kept);
    run.statistics = {
      recordsMatched: matched,
      recordsScanned: main.stats.processedRows,
      estimatedRecordsSkipped: 0,
      bytesScanned: main.stats.physicalInputBytes,
      estimatedBytesSkipped: 0,
      logGroupsScanned: main.stats.processedRows > 0 || main.stats.physicalInputBytes > 0 ? t.groupsInCatalog : 0,
    };
    return 'Complete';
  } catch (e) {
    // Rows already handed to onRows are delivered before the run ends.
    await delivered.catch(() => undefined);
    throw e;
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
        return startRemoteRun({
          prepared: query,
          limits: opts.limits ?? {},
          rowCap: compiled.rowCap,
          aggregated: compiled.aggregated,
          failure: (e) => (e instanceof BiError ? e : queryFailed(e)),
          body: (run) =>
            runOnTrino(
              {
                runner: opts.runner,
                compiled,
                groupsInCatalog: groupsRead(query, known),
                countMatches: opts.countMatches !== false,
                limits: opts.limits ?? {},
                onRows: options.onRows,
              },
              run,
            ),
        });
      },
    },
    opts,
  );
}

/** The settings error of an engine that needs a value it was not given. */
export function missingSetting(engine: string, flag: string): BiError {
  return new BiError('INVALID_ARGUMENT', `--engine ${engine} needs ${flag}.`);
}
