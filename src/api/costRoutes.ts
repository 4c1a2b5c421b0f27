import type { FastifyInstance } from 'fastify';
import type { ChargebackFormat, CostSummary } from '../contracts/wire.js';
import type { QueryEngine } from '../engines/engine.js';
import type { Store } from '../store/store.js';
import { fieldNames } from './catalogQueries.js';
import { buildChargeback, parseUntaggedRule } from '../reports/chargeback.js';
import { rangePeriod } from '../reports/period.js';
import { renderStatement } from '../reports/statement-render.js';
import { buildCostSummary } from '../reports/summary.js';
import { BiError } from '../util/errors.js';
import { UrlQuery, parseInput, sendError } from './errors.js';

/**
 * The console's Cost page API (figures come from src/reports, which runs Logs Insights queries
 * through the engine):
 *   GET /api/cost/summary?start=&end=&by=&untagged=&logGroup=…     totals, breakdown, coverage, statement totals
 *   GET /api/cost/chargeback?start=&end=&by=&untagged=&format=csv|html|json   the statement as a download
 */
export interface CostRoutesContext {
  engines: { get(): QueryEngine };
  /** The store's field catalog names the owner keys that exist (did-you-mean for a mistyped one). */
  store: Store;
}

type Query = Record<string, string | string[] | undefined>;

function one(q: Query, name: string): string | undefined {
  const v = q[name];
  return Array.isArray(v) ? v[0] : v;
}

function params(q: Query) {
  const start = Number(one(q, 'start'));
  const end = Number(one(q, 'end'));
  if (!Number.isFinite(start) || !Number.isFinite(end))
    throw new BiError('INVALID_REQUEST', 'start and end (epoch ms) are required.');
  if (start > end) throw new BiError('INVALID_REQUEST', 'start must not be after end.');
  const by = one(q, 'by') || 'cost_center';
  const untagged = parseUntaggedRule(one(q, 'untagged') || 'own');
  const raw = q.logGroup;
  const logGroups = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  return { period: rangePeriod(start, end), by, untagged, logGroups };
}

function isChargebackFormat(f: string): f is ChargebackFormat {
  return f === 'csv' || f === 'html' || f === 'json';
}

function fileSafe(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 60);
}

export function registerCostRoutes(app: FastifyInstance, ctx: CostRoutesContext): void {
  app.get('/api/cost/summary', async (req, reply) => {
    try {
      const p = params(parseInput(UrlQuery, req.query, 'query'));
      const fields = await fieldNames(ctx.store, p.logGroups);
      const summary: CostSummary = await buildCostSummary(ctx.engines.get(), {
        period: p.period,
        by: p.by,
        untagged: p.untagged,
        knownFields: fields.map((f) => f.field),
        ...(p.logGroups.length ? { logGroups: p.logGroups } : {}),
      });
      return summary;
    } catch (e) {
      return sendError(reply, e);
    }
  });

  app.get('/api/cost/chargeback', async (req, reply) => {
    try {
      const q = parseInput(UrlQuery, req.query, 'query');
      const p = params(q);
      const format = one(q, 'format') || 'csv';
      if (!isChargebackFormat(format)) throw new BiError('INVALID_REQUEST', 'format must be csv, html or json.');
      const s = await buildChargeback(ctx.engines.get(), {
        by: p.by,
        period: p.period,
        untagged: p.untagged,
        ...(p.logGroups.length ? { logGroups: p.logGroups } : {}),
      });
      const name = `chargeback-${fileSafe(p.by)}-${new Date(p.period.start).toISOString().slice(0, 10)}-${new Date(p.period.end - 1).toISOString().slice(0, 10)}.${format}`;
      const type =
        format === 'csv'
          ? 'text/csv; charset=utf-8'
          : format === 'html'
            ? 'text/html; charset=utf-8'
            : 'application/json; charset=utf-8';
      return reply
        .header('content-type', type)
        .header('content-disposition', `attachment; filename="${name}"`)
        .send(renderStatement(s, format));
    } catch (e) {
      return sendError(reply, e);
    }
  });
}
