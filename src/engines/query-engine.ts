/**
 * What every engine shares: the front end run once per query (src/insights/compile.ts) and the
 * QueryEngine around an engine's own two parts, a catalog adapter and the execution of a plan.
 * An engine (duckdb.ts; Trino, Athena, CloudWatch later) implements only `EngineBackend`.
 */
import { channel } from 'node:diagnostics_channel';
import { compileQuery, type CatalogInfo, type SavedQueries } from '../insights/compile.js';
import { diagnostic, type Diagnostic } from '../insights/diagnostics.js';
import type { Plan } from '../insights/plan.js';
import { BiError } from '../util/errors.js';
import type { ExecutionLimits } from './limits.js';
import {
  isPrepared,
  type PreparedQuery,
  type QueryEngine,
  type QueryHandle,
  type QueryRequest,
  type StartOptions,
} from './engine.js';

/** A prepared query that can run (its diagnostics hold no error). */
export type RunnableQuery = PreparedQuery & { readonly plan: Plan };

export interface EngineBackend {
  readonly name: string;
  /** The catalog adapter: log groups and the fields seen in each, read before each query is analysed. */
  catalog(): Promise<CatalogInfo>;
  /** Start running a plan; the handle's done() never rejects (failures are status Failed). */
  execute(query: RunnableQuery, options: StartOptions): Promise<QueryHandle>;
}

export interface EngineOptions {
  /** Resolves `$Name(...)` saved-query invocations; absent means none are defined. */
  savedQueries?: SavedQueries;
  /** Bounds on execution (the server's: src/engines/limits.ts); absent: none. */
  limits?: ExecutionLimits;
}

/**
 * Published once per query that goes through the front end, with `{ engine, queryString }`: a
 * trace point (node:diagnostics_channel, free without subscribers) that tests use to prove a
 * query is parsed and analysed once.
 */
export const PREPARE_CHANNEL = 'bedrock-insights:query-prepare';
const prepares = channel(PREPARE_CHANNEL);

/** Wraps an engine's backend into a QueryEngine: prepare once, start prepared plans, cancel on close. */
export function createQueryEngine(backend: EngineBackend, opts: EngineOptions = {}): QueryEngine {
  const running = new Set<QueryHandle>();

  /** checkOnly: the query is not about to run, so its range comes later (AnalyzeOptions.rangeAtRunTime). */
  async function prepare(request: QueryRequest, checkOnly = false): Promise<PreparedQuery> {
    const catalog = await backend.catalog();
    const c = compileQuery(request.queryString, {
      catalog,
      request,
      now: Date.now(),
      ...(checkOnly ? { rangeAtRunTime: true } : {}),
      ...(opts.savedQueries ? { savedQueries: opts.savedQueries } : {}),
    });
    if (prepares.hasSubscribers) prepares.publish({ engine: backend.name, queryString: request.queryString });
    return {
      request,
      text: c.text,
      diagnostics: c.diagnostics,
      columns: c.columns,
      now: c.now,
      ...(c.plan ? { plan: c.plan } : {}),
    };
  }

  async function start(query: QueryRequest | PreparedQuery, options: StartOptions = {}): Promise<QueryHandle> {
    const prepared = isPrepared(query) ? query : await prepare(query);
    if (!isRunnable(prepared)) throw invalidQuery(prepared);
    const handle = await backend.execute(prepared, options);
    running.add(handle);
    void handle.done().then(() => running.delete(handle));
    return handle;
  }

  return {
    name: backend.name,
    prepare: (request) => prepare(request),
    async check(queryString: string, logGroups?: string[]): Promise<Diagnostic[]> {
      return (await prepare({ queryString, ...(logGroups ? { logGroups } : {}) }, true)).diagnostics;
    },
    start,
    async run(query, options) {
      return (await start(query, options)).done();
    },
    async close(): Promise<void> {
      await Promise.all([...running].map((h) => h.cancel()));
    },
  };
}

function isRunnable(p: PreparedQuery): p is RunnableQuery {
  return p.plan !== undefined && !p.diagnostics.some((d) => d.severity === 'error');
}

/** The error of starting a query that is not valid: its first error, with every diagnostic in details. */
export function invalidQuery(p: PreparedQuery): BiError {
  const first = p.diagnostics.find((d) => d.severity === 'error');
  const msg = first ? `${first.message} (line ${first.line}, position ${first.column})` : 'The query is not valid.';
  return new BiError('QUERY_INVALID', msg, { diagnostics: p.diagnostics, text: p.text });
}

/** The warning of a result cut at the row cap. */
export function rowCapWarning(p: PreparedQuery, cap: number): Diagnostic {
  return diagnostic(
    p.text,
    'ROW_CAP_REACHED',
    'warning',
    `The result was cut at ${cap} rows (CloudWatch's default). Add "| limit N" (up to 100000) or use --no-row-cap to get every row.`,
    { start: 0, end: 0 },
  );
}
