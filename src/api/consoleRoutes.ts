import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { QueryEngine } from '../engines/engine.js';
import type { Store } from '../store/store.js';
import { BiError } from '../util/errors.js';
import { fieldNames } from './catalogQueries.js';
import { extent, fieldCoverage, histogram } from './consoleQueries.js';
import { clientGone } from './exportRoute.js';
import { UrlQuery, parseInput, sendError } from './errors.js';
import { ConsoleQueryBody, consoleQueryRequest, stringList, toConsoleQuery } from './queryRequest.js';
import { editQuery } from './queryEdit.js';

/**
 * The query page's CloudWatch-like panels (src/api/consoleQueries.ts runs them through the engine):
 *   POST /api/histogram       {queryString, logGroups, range | startTime+endTime}   matching events per bin
 *   POST /api/field-coverage  {…the same, fields?}   share of matching events that have each field
 *   GET  /api/extent?logGroup=…                      events, oldest and newest of the groups
 *   POST /api/query-edit      {queryString, op, field, value?}   the text with a field added, a filter, a group
 */
export interface ConsoleRoutesContext {
  engines: { get(): QueryEngine };
  store: Store;
}

/** How many fields the coverage query counts at most (one aggregate each). */
const MAX_COVERAGE_FIELDS = 200;

const editBody = z.object({
  queryString: z.string(),
  op: z.enum(['fields', 'filter', 'exclude', 'statsBy']),
  field: z.string().min(1).max(512),
  value: z.union([z.string(), z.number(), z.boolean(), z.null()]).optional(),
});

/** A console query and, optionally, the fields to count (default: every field of the groups). */
const CoverageBody = ConsoleQueryBody.extend({ fields: stringList('fields') });

export function registerConsoleRoutes(app: FastifyInstance, ctx: ConsoleRoutesContext): void {
  app.post('/api/histogram', async (req, reply) => {
    try {
      const r = consoleQueryRequest(req.body);
      return await histogram(
        ctx.engines.get(),
        { queryString: r.queryString, logGroups: r.logGroups, start: r.start, end: r.end },
        clientGone(reply),
      );
    } catch (e) {
      return sendError(reply, e);
    }
  });

  app.post('/api/field-coverage', async (req, reply) => {
    try {
      const b = parseInput(CoverageBody, req.body, 'body');
      const r = toConsoleQuery(b);
      const asked = b.fields;
      const fields = (
        asked.length
          ? asked
          : (await fieldNames(ctx.store, r.logGroups)).map((f) => f.field).sort((x, y) => x.localeCompare(y))
      ).slice(0, MAX_COVERAGE_FIELDS);
      return await fieldCoverage(
        ctx.engines.get(),
        { queryString: r.queryString, logGroups: r.logGroups, start: r.start, end: r.end },
        fields,
        clientGone(reply),
      );
    } catch (e) {
      return sendError(reply, e);
    }
  });

  app.get('/api/extent', async (req, reply) => {
    try {
      const raw = parseInput(UrlQuery, req.query, 'query').logGroup;
      const groups = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
      return await extent(ctx.engines.get(), groups, clientGone(reply));
    } catch (e) {
      return sendError(reply, e);
    }
  });

  app.post('/api/query-edit', async (req, reply) => {
    try {
      const parsed = editBody.safeParse(req.body);
      if (!parsed.success)
        throw new BiError(
          'INVALID_REQUEST',
          `The edit needs {queryString, op: fields|filter|exclude|statsBy, field, value?}: ${parsed.error.issues[0]?.message ?? 'malformed'}.`,
        );
      const { queryString, ...edit } = parsed.data;
      return { queryString: editQuery(queryString, edit) };
    } catch (e) {
      return sendError(reply, e);
    }
  });
}
