import type { FastifyInstance, FastifyReply } from 'fastify';
import type { PreparedQuery, QueryEngine, QueryResult, ResultRow } from '../engines/engine.js';
import { invalidQuery } from '../engines/query-engine.js';
import { csvHeader, csvRows, jsonRow } from '../engines/resultText.js';
import { BiError } from '../util/errors.js';
import { z } from 'zod';
import { ConsoleQueryBody, engineName, toConsoleQuery } from './queryRequest.js';
import type { EngineProvider } from './queries.js';
import { UrlQuery, httpError, parseInput, sendError } from './errors.js';
import { drained } from './viewStream.js';

/**
 * `POST /api/queries/export`: every row of a query, streamed as CSV or JSON lines, never held
 * whole (the console's counterpart of `query --no-row-cap`). The body is a console query's
 * (`queryString`, `logGroups`, `range` or `startTime`/`endTime`, optional `limit`) plus
 * `format: "csv" | "ndjson"`. The next rows are read from DuckDB only once the client has taken
 * the previous ones, so a slow client holds the query back instead of filling memory. The query
 * waits for a general slot of the admission queue, has the export time limit, and is cancelled
 * when the client goes away. Errors before the first row are JSON with a status; a failure after
 * it cuts the response off (the transfer is then incomplete, never a short file that looks whole).
 */
export interface ExportContext {
  engines: EngineProvider;
  /** Time limit of an export (ms). */
  timeoutMs?: number;
}

/** A console query, the file's format and the engine. */
const ExportBody = ConsoleQueryBody.extend({
  format: z.enum(['csv', 'ndjson'], { error: 'format must be "csv" or "ndjson".' }).default('csv'),
  engine: engineName,
});

/** Aborts when the response closes before it was fully written: the client went away. */
export function clientGone(reply: FastifyReply): AbortSignal {
  const ac = new AbortController();
  const res = reply.raw;
  res.once('close', () => {
    if (!res.writableFinished) ac.abort();
  });
  return ac.signal;
}

/** A query that ended without Complete, before any row went out: its status as an HTTP status. */
function failureStatus(r: QueryResult): number {
  if (r.status === 'Timeout') return 504;
  if (r.error?.code === 'STORE_INVALIDATED') return 503;
  return 500;
}

/**
 * The GET form carries the same fields in the URL (`logGroup` repeated, times as epoch ms), so
 * that the console can offer it as a plain download link: the browser then writes the stream to
 * disk instead of holding it. It changes nothing, but it runs a query, so a cross-site page may
 * not start one (Sec-Fetch-Site).
 */
function bodyFromQuery(q: Record<string, string | string[] | undefined>): Record<string, unknown> {
  const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);
  const num = (v: string | undefined): number | undefined => (v === undefined || v === '' ? undefined : Number(v));
  const groups = q.logGroup === undefined ? [] : Array.isArray(q.logGroup) ? q.logGroup : [q.logGroup];
  const b: Record<string, unknown> = {
    queryString: one(q.queryString),
    logGroups: groups,
    startTime: num(one(q.startTime)),
    endTime: num(one(q.endTime)),
  };
  if (one(q.format) !== undefined) b.format = one(q.format);
  if (one(q.limit) !== undefined) b.limit = num(one(q.limit));
  if (one(q.engine) !== undefined) b.engine = one(q.engine);
  return b;
}

export function registerExportRoute(app: FastifyInstance, ctx: ExportContext): void {
  app.post('/api/queries/export', async (req, reply) => exportRows(ctx, req.body, reply));
  app.get('/api/queries/export', async (req, reply) => {
    if (String(req.headers['sec-fetch-site'] ?? '').toLowerCase() === 'cross-site')
      return sendError(reply, new BiError('CROSS_SITE_REQUEST', 'Refused an export started by another web site.'));
    return exportRows(ctx, bodyFromQuery(parseInput(UrlQuery, req.query, 'query')), reply);
  });
}

async function exportRows(ctx: ExportContext, body: unknown, reply: FastifyReply): Promise<void> {
  let engine: QueryEngine;
  let prepared: PreparedQuery;
  let format: z.infer<typeof ExportBody>['format'];
  try {
    const b = parseInput(ExportBody, body, 'body');
    const r = toConsoleQuery(b);
    format = b.format;
    engine = ctx.engines.get(b.engine);
    // Prepared here: a query that is not valid is a 400 before any byte of the download.
    prepared = await engine.prepare({
      queryString: r.queryString,
      logGroups: r.logGroups,
      startTime: r.start,
      endTime: r.end,
      noRowCap: true,
      ...(r.limit !== undefined ? { limit: r.limit } : {}),
      ...(ctx.timeoutMs !== undefined ? { timeoutMs: ctx.timeoutMs } : {}),
    });
    if (prepared.diagnostics.some((d) => d.severity === 'error')) throw invalidQuery(prepared);
  } catch (e) {
    sendError(reply, e);
    return;
  }
  const columns = prepared.columns;

  reply.hijack();
  const res = reply.raw;
  const gone = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) gone.abort();
  });
  let started = false;
  const head = (): void => {
    if (started) return;
    started = true;
    const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
    res.writeHead(200, {
      'content-type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
      'content-disposition': `attachment; filename="query-${stamp}.${format === 'csv' ? 'csv' : 'ndjson'}"`,
      'cache-control': 'no-store',
      trailer: 'X-Query-Status',
    });
    if (format === 'csv') res.write(csvHeader(columns));
  };
  const write = async (rows: ResultRow[]): Promise<void> => {
    if (gone.signal.aborted) throw new Error('the client went away');
    head();
    const text = format === 'csv' ? csvRows(columns, rows) : rows.map((r) => jsonRow(columns, r) + '\n').join('');
    if (!res.write(text)) await drained(res);
  };
  let result: QueryResult;
  try {
    const handle = await engine.start(prepared, { onRows: write });
    const stop = (): void => void handle.cancel();
    if (gone.signal.aborted) stop();
    else gone.signal.addEventListener('abort', stop, { once: true });
    result = await handle.done();
  } catch (e) {
    if (!started && !gone.signal.aborted) {
      const { status, body } = httpError(e);
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
    } else res.destroy();
    return;
  }
  if (gone.signal.aborted) return;
  if (result.status === 'Complete') {
    head();
    res.addTrailers({ 'X-Query-Status': 'Complete' });
    res.end();
  } else if (!started) {
    const error = result.error ?? { code: 'QUERY_CANCELLED', message: `The query ended: ${result.status}.` };
    res
      .writeHead(failureStatus(result), { 'content-type': 'application/json; charset=utf-8' })
      .end(JSON.stringify({ error }));
  } else {
    res.destroy(); // rows went out already: an incomplete transfer, not a file that looks whole
  }
}
