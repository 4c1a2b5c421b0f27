import { randomUUID } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Store } from '../store/store.js';
import type {
  QueryEngine,
  QueryHandle,
  QueryRequest,
  QueryResult,
  QueryStatistics,
  QueryStatus,
  ResultRow,
} from './engine.js';
import { parseQuery } from '../insights/parser.js';
import { checkComposition } from '../insights/rules.js';
import { expandSavedQueries, diagnosticsToOriginal, MAX_QUERY_LENGTH } from '../insights/savedQueries.js';
import { analyze, type CatalogInfo } from '../insights/analyzer.js';
import { compileDuckDb, type CompiledQuery } from '../insights/sql/duckdb.js';
import { encodePtr, formatJavaDouble, formatValue } from '../insights/format.js';
import { diagnostic, type Diagnostic } from '../insights/diagnostics.js';
import type { Plan } from '../insights/plan.js';
import { BiError } from '../util/errors.js';

export interface DuckDbEngineOptions {
  /** Resolves `$Name(...)` saved-query invocations; absent means none are defined. */
  savedQueries?: (
    name: string,
  ) => { queryString: string; parameters?: { name: string; defaultValue?: string }[] } | undefined;
}

/** What preparing a query gives: the plan and its SQL, or the reasons it cannot run. */
export interface PreparedQuery {
  /** The text the spans of `diagnostics` refer to (the original, before saved-query expansion). */
  text: string;
  diagnostics: Diagnostic[];
  plan?: Plan;
  compiled?: CompiledQuery;
}

/** The DuckDB engine: QueryEngine plus a streaming run and a way to see the SQL. */
export interface DuckDbEngine extends QueryEngine {
  /** Parse, analyse and compile without running (the SQL is for `--explain`-style tooling and tests). */
  prepare(req: QueryRequest): Promise<PreparedQuery>;
  /**
   * Run and hand rows to `onRows` as they are produced (no row cap unless the request sets
   * one; used by `query --no-row-cap` to stream csv/json). Resolves with the final result
   * whose `rows` is empty (they went to `onRows`).
   */
  stream(req: QueryRequest, onRows: (rows: ResultRow[]) => void | Promise<void>): Promise<QueryResult>;
}

const EMPTY_STATS: QueryStatistics = {
  recordsMatched: 0,
  recordsScanned: 0,
  estimatedRecordsSkipped: 0,
  bytesScanned: 0,
  estimatedBytesSkipped: 0,
  logGroupsScanned: 0,
};

async function loadCatalog(conn: DuckDBConnection): Promise<CatalogInfo> {
  const groups = (await conn.runAndReadAll('SELECT name, generic_events FROM log_groups')).getRows();
  const logGroups = groups.map((r) => ({ name: String(r[0]), genericEvents: Number(r[1]) }));
  if (logGroups.length === 0) {
    // A store written without the catalog (e.g. plain INSERTs): derive it from the events.
    const rows = (
      await conn.runAndReadAll(`SELECT log_group, count(*) FILTER (WHERE kind <> 'bedrock') FROM events GROUP BY 1`)
    ).getRows();
    for (const r of rows) logGroups.push({ name: String(r[0]), genericEvents: Number(r[1]) });
  }
  const fieldsByGroup = new Map<string, Set<string>>();
  const frows = (await conn.runAndReadAll('SELECT log_group, field FROM fields')).getRows();
  for (const r of frows) {
    const g = String(r[0]);
    let set = fieldsByGroup.get(g);
    if (!set) fieldsByGroup.set(g, (set = new Set()));
    set.add(String(r[1]));
  }
  return { logGroups, fieldsByGroup };
}

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
    private readonly prepared: PreparedQuery,
    private readonly onRows?: (rows: ResultRow[]) => void | Promise<void>,
  ) {
    this.finished = this.execute();
  }

  result(): QueryResult {
    const c = this.prepared.compiled;
    const warnings = this.prepared.diagnostics.filter((d) => d.severity !== 'error');
    if (this.truncated) {
      warnings.push(
        diagnostic(
          this.prepared.text,
          'ROW_CAP_REACHED',
          'warning',
          `The result was cut at ${c?.rowCap ?? 0} rows (CloudWatch's default). Add "| limit N" (up to 100000) or use --no-row-cap to get every row.`,
          { start: 0, end: 0 },
        ),
      );
    }
    const r: QueryResult = {
      columns: c?.columns.map((x) => x.name) ?? [],
      rows: this.rows,
      statistics: this.statistics,
      status: this.status,
      warnings,
      truncated: this.truncated,
      aggregated: c?.aggregated ?? false,
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
    const c = this.prepared.compiled;
    if (!c) {
      this.status = 'Failed';
      this.error = { code: 'QUERY_INVALID', message: 'The query is not valid.' };
      return this.result();
    }
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
    const where = c.scannedSql.includes(' WHERE ') ? c.scannedSql.slice(c.scannedSql.indexOf(' WHERE ')) : '';
    if (/\bmessage\b/.test(c.sql)) {
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

export function createDuckDbEngine(store: Store, opts: DuckDbEngineOptions = {}): DuckDbEngine {
  const running = new Set<Runner>();

  async function prepare(req: QueryRequest): Promise<PreparedQuery> {
    const original = req.queryString;
    if (original.length > MAX_QUERY_LENGTH) {
      return {
        text: original,
        diagnostics: [
          diagnostic(
            original,
            'QUERY_TOO_LONG',
            'error',
            `The query has ${original.length} characters; the limit is ${MAX_QUERY_LENGTH}. Shorten it or save parts as saved queries.`,
            { start: MAX_QUERY_LENGTH, end: original.length },
          ),
        ],
      };
    }
    const lookup = (name: string) => {
      const q = opts.savedQueries?.(name);
      return q
        ? { name, queryString: q.queryString, ...(q.parameters ? { parameters: q.parameters } : {}) }
        : undefined;
    };
    const expansion = expandSavedQueries(original, lookup);
    if (expansion.diagnostics.some((d) => d.severity === 'error'))
      return { text: original, diagnostics: expansion.diagnostics };
    const text = expansion.text;
    const back = (ds: Diagnostic[]) => (text === original ? ds : diagnosticsToOriginal(original, expansion, ds));
    const parsed = parseQuery(text);
    const diags: Diagnostic[] = [...expansion.diagnostics, ...back(parsed.diagnostics)];
    if (!parsed.query || parsed.diagnostics.some((d) => d.severity === 'error'))
      return { text: original, diagnostics: diags };
    const rules = checkComposition(parsed.query, text);
    diags.push(...back(rules));
    if (rules.some((d) => d.severity === 'error')) return { text: original, diagnostics: diags };
    const conn = await store.connect();
    let catalog: CatalogInfo;
    try {
      catalog = await loadCatalog(conn);
    } finally {
      conn.closeSync();
    }
    const now = Date.now();
    const analysis = analyze(parsed.query, {
      text,
      catalog,
      now,
      ...(req.logGroups ? { logGroups: req.logGroups } : {}),
      ...(req.startTime !== undefined ? { startTime: req.startTime } : {}),
      ...(req.endTime !== undefined ? { endTime: req.endTime } : {}),
      ...(req.limit !== undefined ? { limit: req.limit } : {}),
      ...(req.noRowCap ? { noRowCap: true } : {}),
    });
    diags.push(...back(analysis.diagnostics));
    if (!analysis.plan) return { text: original, diagnostics: diags };
    const compiled = compileDuckDb(analysis.plan, { now });
    return { text: original, diagnostics: diags, plan: analysis.plan, compiled };
  }

  function invalid(p: PreparedQuery): BiError {
    const errors = p.diagnostics.filter((d) => d.severity === 'error');
    const first = errors[0];
    const msg = first ? `${first.message} (line ${first.line}, position ${first.column})` : 'The query is not valid.';
    return new BiError('QUERY_INVALID', msg, { diagnostics: p.diagnostics, text: p.text });
  }

  async function start(req: QueryRequest, onRows?: (rows: ResultRow[]) => void | Promise<void>): Promise<Runner> {
    const p = await prepare(req);
    if (!p.compiled) throw invalid(p);
    const runner = new Runner(store, p, onRows);
    running.add(runner);
    void runner.finished.then(() => running.delete(runner));
    return runner;
  }

  const engine: DuckDbEngine = {
    name: 'duckdb',
    async check(queryString: string, logGroups?: string[]): Promise<Diagnostic[]> {
      return (await prepare({ queryString, ...(logGroups ? { logGroups } : {}) })).diagnostics;
    },
    prepare,
    async start(req: QueryRequest): Promise<QueryHandle> {
      const r = await start(req);
      return {
        id: r.id,
        status: () => r.status,
        snapshot: () => r.result(),
        done: () => r.finished,
        cancel: () => r.cancel(),
      };
    },
    async run(req: QueryRequest): Promise<QueryResult> {
      const r = await start(req);
      return r.finished;
    },
    async stream(req: QueryRequest, onRows: (rows: ResultRow[]) => void | Promise<void>): Promise<QueryResult> {
      const r = await start(req, onRows);
      return r.finished;
    },
    async close(): Promise<void> {
      await Promise.all([...running].map((r) => r.cancel()));
    },
  };
  return engine;
}
