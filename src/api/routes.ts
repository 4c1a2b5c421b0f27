import { z } from 'zod';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { BiError } from '../util/errors.js';
import type { Store } from '../store/store.js';
import { Definitions, type DashboardBody } from '../workspace/definitions.js';
import { fieldNames, logGroups } from './catalogQueries.js';
import { fromCloudWatchBody, toCloudWatchBody } from './dashboardJson.js';
import { languageCatalog } from './language.js';
import { EngineProvider, QueryRegistry, isFinal, type ConsoleQuery } from './queries.js';
import { IdParams, UrlQuery, parseInput, sendError } from './errors.js';
import { sendView } from './viewStream.js';
import type { QueryResult } from '../engines/engine.js';
import { readRecord } from './records.js';
import { registerCostRoutes } from './costRoutes.js';
import { registerConsoleRoutes } from './consoleRoutes.js';
import { recordCost } from './consoleQueries.js';
import {
  ConsoleQueryBody,
  engineName,
  optionalText,
  requiredText,
  stringList,
  toConsoleQuery,
} from './queryRequest.js';
import { clientGone, registerExportRoute } from './exportRoute.js';
import type { QueryAdmission } from '../engines/admission.js';

/**
 * The console's REST API, all under /api. Errors are `{error: {code, message}}` with an HTTP
 * status that says whose fault it was (400 the request, 404 unknown id, 503 engine missing).
 */
export interface ApiContext {
  store: Store;
  defs: Definitions;
  engines: EngineProvider;
  queries: QueryRegistry;
  version: string;
  authRequired: boolean;
  /** The admission queue of the server's engine, for /api/info. */
  admission?: QueryAdmission;
  /** Time limit of an export (ms). */
  exportTimeoutMs?: number;
  /** Told when the store is found invalidated (the server reopens it). */
  onStoreInvalidated?: (reason: string) => void;
}

const fail = sendError;

/** A long-poll lasts at most 30 s, so proxies and browsers never time it out. */
/** POST /api/check */
const CheckBody = z.object({
  queryString: z.unknown().optional(),
  logGroups: stringList('logGroups'),
  engine: engineName,
});
/** POST /api/queries: a console query, whether it goes into the history, and how long to wait for it. */
const StartBody = ConsoleQueryBody.extend({
  history: z.unknown().optional(),
  engine: engineName,
  waitMs: z.unknown().optional(),
});
/** A saved query: every field on create; on PATCH, only those given are changed. */
const SavedQueryBody = z.object({
  name: requiredText('name'),
  queryString: requiredText('queryString'),
  folder: optionalText('folder'),
  description: optionalText('description'),
  logGroups: stringList('logGroups').optional(),
  // Given (even null or ""): the query's engine is set ("" is the store's); absent: left as it is.
  engine: z.string({ error: 'engine must be the name of an engine (GET /api/engines).' }).nullable().optional(),
});
const FolderRenameBody = z.object({ from: requiredText('from'), to: requiredText('to') });
const FolderDeleteBody = z.object({ folder: requiredText('folder') });
/**
 * A dashboard's fields: an object here; each field is checked (and a bad one replaced by its
 * default) by Definitions' checkDashboardBody, the one reader of a dashboard body.
 */
const DashboardFields = z.custom<Partial<DashboardBody>>(
  (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
  { error: 'The body must be a JSON object.' },
);
const DashboardCreateBody = z.intersection(DashboardFields, z.object({ name: requiredText('name') }));
const DashboardPatchBody = z.intersection(
  DashboardFields,
  z.object({ name: z.string({ error: 'name must be a string.' }).optional() }),
);
/** A CloudWatch dashboard to import: `body` is PutDashboard's DashboardBody (a JSON string or object). */
const DashboardImportBody = z.object({ name: requiredText('name'), body: z.unknown().optional() });
const RecordQuery = z.object({ ptr: requiredText('ptr') });

function waitMsOf(v: unknown): number {
  return Math.min(Math.max(Number(v ?? 0) || 0, 0), 30_000);
}

export function registerApiRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const { store, defs, engines, queries } = ctx;
  const send = async (reply: FastifyReply, q: ConsoleQuery, r: QueryResult): Promise<void> => {
    if ((await sendView(reply, q, r)) && isFinal(r.status)) queries.delivered(q);
  };
  registerCostRoutes(app, ctx);
  registerConsoleRoutes(app, ctx);
  registerExportRoute(app, {
    engines,
    ...(ctx.exportTimeoutMs !== undefined ? { timeoutMs: ctx.exportTimeoutMs } : {}),
  });

  // The real state: the store is asked (a fresh connection and SELECT 1), so a store DuckDB has
  // invalidated shows as such instead of "available".
  app.get('/api/info', async () => {
    let problem: string | undefined;
    try {
      problem = await ctx.store.invalidation();
    } catch {
      /* busy or locked: not the store's health */
    }
    const state = problem === undefined ? 'ok' : 'invalidated';
    if (problem !== undefined) ctx.onStoreInvalidated?.('/api/info found the store invalidated');
    const info: Record<string, unknown> = {
      name: 'bedrock-insights',
      version: ctx.version,
      engine: state === 'ok' && engines.available() ? 'available' : 'unavailable',
      store: problem === undefined ? { state } : { state, error: problem },
      authRequired: ctx.authRequired,
      now: Date.now(),
    };
    if (ctx.admission) info.queries = ctx.admission.stats();
    return info;
  });

  app.get('/api/language', async () => languageCatalog());

  app.get('/api/engines', async () => ({ engines: engines.choices() }));

  app.get('/api/log-groups', async (_req, reply) => {
    try {
      return { logGroups: await logGroups(store) };
    } catch (e) {
      return fail(reply, e);
    }
  });

  app.get('/api/fields', async (req, reply) => {
    const q = parseInput(UrlQuery, req.query, 'query');
    const raw = q.logGroup;
    const groups = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
    try {
      return { fields: await fieldNames(store, groups) };
    } catch (e) {
      return fail(reply, e);
    }
  });

  // --- queries ---------------------------------------------------------------------------------

  app.post('/api/check', async (req, reply) => {
    try {
      const b = parseInput(CheckBody, req.body, 'body');
      const text = typeof b.queryString === 'string' ? b.queryString : '';
      return { diagnostics: await engines.get(b.engine).check(text, b.logGroups) };
    } catch (e) {
      return fail(reply, e);
    }
  });

  app.post('/api/queries', async (req, reply) => {
    const gone = clientGone(reply);
    try {
      const b = parseInput(StartBody, req.body, 'body');
      const r = toConsoleQuery(b);
      const q = await queries.start({
        queryString: r.queryString,
        logGroups: r.logGroups,
        startTime: r.start,
        endTime: r.end,
        ...(r.limit !== undefined ? { limit: r.limit } : {}),
        range: r.spec,
        history: b.history !== false,
        ...(b.engine ? { engine: b.engine } : {}),
      });
      return await send(reply, q, await queries.view(q, waitMsOf(b.waitMs), gone));
    } catch (e) {
      return fail(reply, e);
    }
  });

  app.get('/api/queries/:id', async (req, reply) => {
    const { id } = parseInput(IdParams, req.params, 'id');
    const q = queries.get(id);
    if (!q)
      return fail(reply, new BiError('NOT_FOUND', `No query has the id ${id}; it may have expired. Run it again.`));
    return send(
      reply,
      q,
      await queries.view(q, waitMsOf(parseInput(UrlQuery, req.query, 'query').waitMs), clientGone(reply)),
    );
  });

  app.delete('/api/queries/:id', async (req, reply) => {
    const { id } = parseInput(IdParams, req.params, 'id');
    const q = queries.get(id);
    if (!q) return fail(reply, new BiError('NOT_FOUND', `No query has the id ${id}.`));
    await queries.cancel(q);
    return send(reply, q, await queries.view(q, 2_000));
  });

  app.get('/api/records', async (req, reply) => {
    try {
      const { ptr } = parseInput(RecordQuery, req.query, 'query');
      const record = await readRecord(store, ptr);
      // The price is the engine's (cost.* resolved as in any query); a record without one, or an
      // engine that cannot answer, still shows its event.
      const cost = await recordCost(engines.get(), record, ptr).catch(() => undefined);
      return { record: cost ? { ...record, cost: { fields: cost } } : record };
    } catch (e) {
      return fail(reply, e);
    }
  });

  // --- history ---------------------------------------------------------------------------------

  app.get('/api/history', async () => ({ history: await defs.listHistory(50) }));
  app.delete('/api/history', async () => {
    await defs.clearHistory();
    return { ok: true };
  });

  // --- saved queries ---------------------------------------------------------------------------

  app.get('/api/saved-queries', async () => ({ savedQueries: defs.listSavedQueries() }));

  /** The fields given, with an engine the server knows (checked now, not when the query runs). */
  function savedInput<T extends Partial<z.infer<typeof SavedQueryBody>>>(
    b: T,
  ): Omit<T, 'engine'> & { engine?: string } {
    const { engine, ...rest } = b;
    if (engine === undefined) return rest;
    if (engine) engines.get(engine);
    return { ...rest, engine: engine ?? '' };
  }

  app.post('/api/saved-queries', async (req, reply) => {
    try {
      const saved = await defs.createSavedQuery(savedInput(parseInput(SavedQueryBody, req.body, 'body')));
      return reply.code(201).send({ savedQuery: saved });
    } catch (e) {
      return fail(reply, e);
    }
  });

  app.patch('/api/saved-queries/:id', async (req, reply) => {
    try {
      const { id } = parseInput(IdParams, req.params, 'id');
      return {
        savedQuery: await defs.updateSavedQuery(id, savedInput(parseInput(SavedQueryBody.partial(), req.body, 'body'))),
      };
    } catch (e) {
      return fail(reply, e);
    }
  });

  app.delete('/api/saved-queries/:id', async (req, reply) => {
    const { id } = parseInput(IdParams, req.params, 'id');
    if (!(await defs.deleteSavedQuery(id)))
      return fail(reply, new BiError('NOT_FOUND', `No saved query has the id ${id}.`));
    return { ok: true };
  });

  app.post('/api/folders/rename', async (req, reply) => {
    try {
      const b = parseInput(FolderRenameBody, req.body, 'body');
      const moved = await defs.renameFolder(b.from, b.to);
      return { moved };
    } catch (e) {
      return fail(reply, e);
    }
  });

  app.post('/api/folders/delete', async (req, reply) => {
    try {
      const b = parseInput(FolderDeleteBody, req.body, 'body');
      return { deleted: await defs.deleteFolder(b.folder) };
    } catch (e) {
      return fail(reply, e);
    }
  });

  // --- dashboards ------------------------------------------------------------------------------

  app.get('/api/dashboards', async () => ({ dashboards: await defs.listDashboards() }));

  app.get('/api/dashboards/:id', async (req, reply) => {
    const { id } = parseInput(IdParams, req.params, 'id');
    const d = await defs.getDashboard(id);
    if (!d) return fail(reply, new BiError('NOT_FOUND', `No dashboard has the id ${id}.`));
    return { dashboard: d };
  });

  app.post('/api/dashboards', async (req, reply) => {
    try {
      const b = parseInput(DashboardCreateBody, req.body, 'body');
      const d = await defs.createDashboard(b.name, b);
      return reply.code(201).send({ dashboard: d });
    } catch (e) {
      return fail(reply, e);
    }
  });

  app.put('/api/dashboards/:id', async (req, reply) => {
    try {
      const { id } = parseInput(IdParams, req.params, 'id');
      const b = parseInput(DashboardPatchBody, req.body, 'body');
      return { dashboard: await defs.updateDashboard(id, b) };
    } catch (e) {
      return fail(reply, e);
    }
  });

  app.delete('/api/dashboards/:id', async (req, reply) => {
    const { id } = parseInput(IdParams, req.params, 'id');
    if (!(await defs.deleteDashboard(id)))
      return fail(reply, new BiError('NOT_FOUND', `No dashboard has the id ${id}.`));
    return { ok: true };
  });

  app.get('/api/dashboards/:id/cloudwatch', async (req, reply) => {
    const { id } = parseInput(IdParams, req.params, 'id');
    const d = await defs.getDashboard(id);
    if (!d) return fail(reply, new BiError('NOT_FOUND', `No dashboard has the id ${id}.`));
    const region = parseInput(z.object({ region: z.string().optional() }), req.query, 'query').region;
    return toCloudWatchBody(d, region ? { region } : {});
  });

  app.post('/api/dashboards/import', async (req, reply) => {
    try {
      const b = parseInput(DashboardImportBody, req.body, 'body');
      const { body, skipped } = fromCloudWatchBody(b.body);
      const d = await defs.createDashboard(b.name, body);
      return reply.code(201).send({ dashboard: d, skipped });
    } catch (e) {
      return fail(reply, e);
    }
  });
}
