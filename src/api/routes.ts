import type { FastifyInstance, FastifyReply } from 'fastify';
import { BiError } from '../util/errors.js';
import type { Store } from '../store/store.js';
import { Definitions, type DashboardBody, type SavedQueryInput } from '../workspace/definitions.js';
import { fieldNames, logGroups } from './catalogQueries.js';
import { fromCloudWatchBody, toCloudWatchBody } from './dashboardJson.js';
import { languageCatalog } from './language.js';
import { EngineProvider, QueryRegistry, httpError } from './queries.js';
import { isRangeSpec, resolveRange, type RangeSpec } from '../contracts/range.js';
import { readRecord } from './records.js';
import { registerCostRoutes } from './costRoutes.js';

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
}

function fail(reply: FastifyReply, e: unknown): FastifyReply {
  const { status, body } = httpError(e);
  return reply.code(status).send(body);
}

function stringArray(v: unknown, what: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))
    throw new BiError('INVALID_REQUEST', `${what} must be an array of strings.`);
  return v as string[];
}

function optionalString(v: unknown, what: string): string {
  if (typeof v !== 'string') throw new BiError('INVALID_REQUEST', `${what} must be a string.`);
  return v;
}

function requiredString(v: unknown, what: string): string {
  if (typeof v !== 'string' || !v.trim()) throw new BiError('INVALID_REQUEST', `${what} is required.`);
  return v;
}

/** A time range from a request: {range: RangeSpec} or explicit {startTime, endTime} in epoch ms. */
function timeBounds(b: Record<string, unknown>): { start: number; end: number; spec: RangeSpec } {
  if (Number.isFinite(b.startTime) && Number.isFinite(b.endTime)) {
    const start = b.startTime as number;
    const end = b.endTime as number;
    if (start > end) throw new BiError('INVALID_REQUEST', 'startTime must not be after endTime.');
    return { start, end, spec: { kind: 'absolute', start, end } };
  }
  const spec: RangeSpec = isRangeSpec(b.range) ? b.range : { kind: 'relative', value: '1h' };
  if (b.range !== undefined && !isRangeSpec(b.range))
    throw new BiError(
      'INVALID_REQUEST',
      'range must be {kind:"relative", value:"1h"} or {kind:"absolute", start, end} (epoch ms).',
    );
  return { ...resolveRange(spec), spec };
}

export function registerApiRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const { store, defs, engines, queries } = ctx;
  registerCostRoutes(app, ctx);

  app.get('/api/info', async () => ({
    name: 'bedrock-insights',
    version: ctx.version,
    engine: engines.available() ? 'available' : 'unavailable',
    authRequired: ctx.authRequired,
    now: Date.now(),
  }));

  app.get('/api/language', async () => languageCatalog());

  app.get('/api/log-groups', async (_req, reply) => {
    try {
      return { logGroups: await logGroups(store) };
    } catch (e) {
      return fail(reply, e);
    }
  });

  app.get('/api/fields', async (req, reply) => {
    const q = req.query as Record<string, string | string[] | undefined>;
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
      const b = (req.body ?? {}) as Record<string, unknown>;
      const text = typeof b.queryString === 'string' ? b.queryString : '';
      const groups = stringArray(b.logGroups, 'logGroups');
      return { diagnostics: await engines.get().check(text, groups) };
    } catch (e) {
      return fail(reply, e);
    }
  });

  app.post('/api/queries', async (req, reply) => {
    try {
      const b = (req.body ?? {}) as Record<string, unknown>;
      const queryString = requiredString(b.queryString, 'queryString');
      const groups = stringArray(b.logGroups, 'logGroups');
      const { start, end, spec } = timeBounds(b);
      const limit = Number.isInteger(b.limit) && (b.limit as number) > 0 ? (b.limit as number) : undefined;
      const q = await queries.start({
        queryString,
        logGroups: groups,
        startTime: start,
        endTime: end,
        ...(limit ? { limit } : {}),
        range: spec,
        history: b.history !== false,
      });
      const waitMs = Math.min(Math.max(Number(b.waitMs ?? 0) || 0, 0), 30_000);
      return await queries.view(q, waitMs);
    } catch (e) {
      return fail(reply, e);
    }
  });

  app.get('/api/queries/:id', async (req, reply) => {
    const { id } = req.params as { id: string };
    const q = queries.get(id);
    if (!q)
      return fail(reply, new BiError('NOT_FOUND', `No query has the id ${id}; it may have expired. Run it again.`));
    const waitMs = Math.min(Math.max(Number((req.query as Record<string, string>).waitMs ?? 0) || 0, 0), 30_000);
    return queries.view(q, waitMs);
  });

  app.delete('/api/queries/:id', async (req, reply) => {
    const { id } = req.params as { id: string };
    const q = queries.get(id);
    if (!q) return fail(reply, new BiError('NOT_FOUND', `No query has the id ${id}.`));
    await queries.cancel(q);
    return queries.view(q, 2_000);
  });

  app.get('/api/records', async (req, reply) => {
    try {
      const ptr = requiredString((req.query as Record<string, string>).ptr, 'ptr');
      return { record: await readRecord(store, ptr) };
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

  const savedInput = (b: Record<string, unknown>, partial: boolean): Partial<SavedQueryInput> => {
    const out: Partial<SavedQueryInput> = {};
    if (!partial || b.name !== undefined) out.name = requiredString(b.name, 'name');
    if (!partial || b.queryString !== undefined) out.queryString = requiredString(b.queryString, 'queryString');
    if (b.folder !== undefined) out.folder = optionalString(b.folder, 'folder');
    if (b.description !== undefined) out.description = optionalString(b.description, 'description');
    if (b.logGroups !== undefined) out.logGroups = stringArray(b.logGroups, 'logGroups');
    return out;
  };

  app.post('/api/saved-queries', async (req, reply) => {
    try {
      const saved = await defs.createSavedQuery(
        savedInput((req.body ?? {}) as Record<string, unknown>, false) as SavedQueryInput,
      );
      return reply.code(201).send({ savedQuery: saved });
    } catch (e) {
      return fail(reply, e);
    }
  });

  app.patch('/api/saved-queries/:id', async (req, reply) => {
    try {
      const { id } = req.params as { id: string };
      return {
        savedQuery: await defs.updateSavedQuery(id, savedInput((req.body ?? {}) as Record<string, unknown>, true)),
      };
    } catch (e) {
      return fail(reply, e);
    }
  });

  app.delete('/api/saved-queries/:id', async (req, reply) => {
    const { id } = req.params as { id: string };
    if (!(await defs.deleteSavedQuery(id)))
      return fail(reply, new BiError('NOT_FOUND', `No saved query has the id ${id}.`));
    return { ok: true };
  });

  app.post('/api/folders/rename', async (req, reply) => {
    try {
      const b = (req.body ?? {}) as Record<string, unknown>;
      const moved = await defs.renameFolder(requiredString(b.from, 'from'), requiredString(b.to, 'to'));
      return { moved };
    } catch (e) {
      return fail(reply, e);
    }
  });

  app.post('/api/folders/delete', async (req, reply) => {
    try {
      const b = (req.body ?? {}) as Record<string, unknown>;
      return { deleted: await defs.deleteFolder(requiredString(b.folder, 'folder')) };
    } catch (e) {
      return fail(reply, e);
    }
  });

  // --- dashboards ------------------------------------------------------------------------------

  app.get('/api/dashboards', async () => ({ dashboards: await defs.listDashboards() }));

  app.get('/api/dashboards/:id', async (req, reply) => {
    const { id } = req.params as { id: string };
    const d = await defs.getDashboard(id);
    if (!d) return fail(reply, new BiError('NOT_FOUND', `No dashboard has the id ${id}.`));
    return { dashboard: d };
  });

  app.post('/api/dashboards', async (req, reply) => {
    try {
      const b = (req.body ?? {}) as Record<string, unknown>;
      const d = await defs.createDashboard(requiredString(b.name, 'name'), b);
      return reply.code(201).send({ dashboard: d });
    } catch (e) {
      return fail(reply, e);
    }
  });

  app.put('/api/dashboards/:id', async (req, reply) => {
    try {
      const { id } = req.params as { id: string };
      const b = (req.body ?? {}) as { name?: string } & Partial<DashboardBody>;
      return { dashboard: await defs.updateDashboard(id, b) };
    } catch (e) {
      return fail(reply, e);
    }
  });

  app.delete('/api/dashboards/:id', async (req, reply) => {
    const { id } = req.params as { id: string };
    if (!(await defs.deleteDashboard(id)))
      return fail(reply, new BiError('NOT_FOUND', `No dashboard has the id ${id}.`));
    return { ok: true };
  });

  app.get('/api/dashboards/:id/cloudwatch', async (req, reply) => {
    const { id } = req.params as { id: string };
    const d = await defs.getDashboard(id);
    if (!d) return fail(reply, new BiError('NOT_FOUND', `No dashboard has the id ${id}.`));
    const region = (req.query as Record<string, string>).region;
    return toCloudWatchBody(d, region ? { region } : {});
  });

  app.post('/api/dashboards/import', async (req, reply) => {
    try {
      const b = (req.body ?? {}) as Record<string, unknown>;
      const name = requiredString(b.name, 'name');
      const { body, skipped } = fromCloudWatchBody(b.body);
      const d = await defs.createDashboard(name, body);
      return reply.code(201).send({ dashboard: d, skipped });
    } catch (e) {
      return fail(reply, e);
    }
  });
}
