import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import {
  AlarmStore,
  backtest,
  backtestData,
  chartValues,
  replay,
  suggestThreshold,
  describeTarget,
  evaluateAlarms,
  parseAlarmDefinition,
  startAlarmScheduler,
  targetFromAddress,
  testNotify,
  type AlarmRuntime,
  type AlarmScheduler,
} from '../alarms/index.js';
import type { AlarmDefinition, NotifyTarget } from '../alarms/definition.js';
import type { Series } from '../alarms/series.js';
import type {
  AlarmBacktest,
  AlarmDeleted,
  AlarmDetail,
  AlarmDisabled,
  AlarmEnabled,
  AlarmEvaluation,
  AlarmList,
  AlarmSaved,
  AlarmSeriesChart,
  AlarmSummary,
  AlarmTestDeliveries,
} from '../contracts/wire.js';
import type { QueryEngine } from '../engines/engine.js';
import type { Store } from '../store/store.js';
import { BiError, errorMessage } from '../util/errors.js';
import { NameParams, parseInput, sendError } from './errors.js';
import { stringList } from './queryRequest.js';

/** POST /api/alarms/:name/enable: addresses to notify besides the alarm's own. */
const EnableBody = z.object({ to: stringList('to') });
/** POST /api/alarms/evaluate: the instant to evaluate at (epoch ms; default now). */
const EvaluateBody = z.object({ at: z.number({ error: 'at must be a time in epoch milliseconds.' }).optional() });

/** Seconds between scheduled evaluations; 0 turns the scheduler off. */
export const ALARM_INTERVAL_ENV = 'BEDROCK_INSIGHTS_ALARM_INTERVAL';

export interface AlarmRoutesOptions {
  store: Store;
  engine: () => QueryEngine;
  /** Default: $BEDROCK_INSIGHTS_ALARM_INTERVAL seconds, else 60; 0 = no scheduler. */
  intervalMs?: number;
  consoleUrl?: string;
  /**
   * Registers what starts once the server listens (the scheduler): the listener is not the
   * Fastify instance's (src/api/supervisor.ts), so Fastify's onListen never fires.
   */
  whenServing: (start: () => void) => void;
}

/** A notification target without secrets (SMTP passwords, webhook keys, URL tokens). */
function redactTarget(t: NotifyTarget): NotifyTarget {
  if (t.type === 'email')
    return { ...t, ...(t.smtpUrl ? { smtpUrl: t.smtpUrl.replace(/\/\/[^@/]*@/, '//***@') } : {}) };
  if (t.type === 'webhook')
    return { ...t, url: describeTarget(t).slice('webhook:'.length), ...(t.secret ? { secret: '***' } : {}) };
  if (t.type === 'slack') return { ...t, url: `https://${new URL(t.url).host}/***` };
  return t;
}

/** A definition without secrets, for the API. */
export function redactDefinition(d: AlarmDefinition): AlarmDefinition & { targets: string[] } {
  return { ...d, notify: d.notify.map(redactTarget), targets: d.notify.map(describeTarget) };
}

/** JSON with sorted keys: two targets compare equal whatever order their keys came in. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : x,
  );
}

/**
 * The console edits what GET /api/alarms/:name sent, secrets redacted: a target sent back exactly
 * as it was redacted is the stored one (its secrets kept); a changed one is taken as sent.
 */
export function restoreRedacted(body: unknown, stored: AlarmDefinition | undefined): unknown {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return body;
  // `targets` is the API's summary beside the definition: a definition read and sent back may carry it.
  const def = Object.fromEntries(Object.entries(body).filter(([k]) => k !== 'targets'));
  if (!stored || !Array.isArray(def.notify)) return def;
  const byRedacted = new Map(stored.notify.map((t) => [canonical(redactTarget(t)), t]));
  return { ...def, notify: (def.notify as unknown[]).map((t) => byRedacted.get(canonical(t)) ?? t) };
}

const fail = sendError;

/** Days a definition being edited is replayed over (the console's backtest). */
export const BACKTEST_DAYS = 30;

const BacktestBody = z.object({
  definition: z.unknown(),
  since: z.number().int().optional(),
  until: z.number().int().optional(),
});

/** The backtest of a definition as the console shows it (series that fired most first). */
async function backtestAnswer(
  rt: AlarmRuntime,
  def: AlarmDefinition,
  since: number,
  until: number,
): Promise<AlarmBacktest> {
  const data = await backtestData(rt, def, { since, until });
  const r = replay(data);
  const fired = r.transitions.filter((t) => t.to === 'ALARM');
  const firedBySeries: Record<string, number> = {};
  for (const t of fired) firedBySeries[t.series] = (firedBySeries[t.series] ?? 0) + 1;
  const peak = (s: Series): number => Math.max(-Infinity, ...s.values.values());
  const ordered = [...data.series].sort(
    (a, b) => (firedBySeries[b.key] ?? 0) - (firedBySeries[a.key] ?? 0) || peak(b) - peak(a),
  );
  const shown = { ...data, series: ordered };
  const seriesThresholds: Record<string, number> = {};
  for (const s of ordered.slice(0, CHART_SERIES)) if (s.threshold !== undefined) seriesThresholds[s.key] = s.threshold;
  const suggestion = suggestThreshold(data);
  return {
    name: def.name,
    period: def.period,
    threshold: def.threshold ?? null,
    comparisonOperator: def.comparisonOperator,
    since,
    until,
    values: chartValues(shown, CHART_SERIES),
    transitions: r.transitions.slice(-MAX_TRANSITIONS),
    fired: fired.length,
    evaluations: r.evaluations,
    series: data.series.length,
    firedBySeries,
    seriesThresholds,
    suggestion,
  };
}

/** Series and state changes a backtest answer carries at most (the counts cover all). */
const CHART_SERIES = 20;
const MAX_TRANSITIONS = 2000;

/** `?since=&until=` of the alarm history. */
const AlarmRangeQuery = z.object({ since: z.string().optional(), until: z.string().optional() });

/**
 * The console's alarm API under /api/alarms, and the scheduler that evaluates the enabled alarms
 * while the server runs. Both stop when the Fastify instance closes.
 */
export async function registerAlarmRoutes(app: FastifyInstance, o: AlarmRoutesOptions): Promise<void> {
  let alarmsP: Promise<AlarmStore> | undefined;
  const alarms = (): Promise<AlarmStore> => (alarmsP ??= AlarmStore.open(o.store));
  let scheduler: AlarmScheduler | undefined;
  const runtime = async (): Promise<AlarmRuntime> => ({
    store: o.store,
    alarms: await alarms(),
    engine: o.engine,
    ...(o.consoleUrl ? { consoleUrl: o.consoleUrl } : {}),
    log: (l) => app.log.warn(l),
  });
  const envInterval = Number(process.env[ALARM_INTERVAL_ENV]);
  const intervalMs =
    o.intervalMs ??
    (Number.isFinite(envInterval) && process.env[ALARM_INTERVAL_ENV] !== undefined ? envInterval * 1000 : 60_000);
  if (intervalMs > 0) {
    o.whenServing(() => {
      scheduler = startAlarmScheduler(runtime, { intervalMs, log: (l) => app.log.warn(l) });
    });
  }
  app.addHook('onClose', async () => {
    await scheduler?.stop();
    if (alarmsP) (await alarmsP.catch(() => undefined))?.close();
  });

  app.get('/api/alarms', async (_req, reply) => {
    try {
      const a = await alarms();
      const states = await a.states();
      return {
        alarms: (await a.list()).map((s) => {
          const st = states.filter((x) => x.alarm === s.definition.name);
          const state = st.some((x) => x.state === 'ALARM')
            ? 'ALARM'
            : st.length > 0 && st.every((x) => x.state === 'OK')
              ? 'OK'
              : 'INSUFFICIENT_DATA';
          return {
            name: s.definition.name,
            kind: s.definition.kind,
            description: s.definition.description ?? null,
            enabled: s.enabled,
            builtin: s.builtin,
            state,
            series: st,
            targets: s.definition.notify.map(describeTarget),
            updated: s.updatedTs,
          } satisfies AlarmSummary;
        }),
        lastEvaluation: scheduler?.last()?.at ?? null,
      } satisfies AlarmList;
    } catch (e) {
      return fail(reply, e);
    }
  });

  app.get('/api/alarms/:name', async (req, reply) => {
    const { name } = parseInput(NameParams, req.params, 'name');
    try {
      const a = await alarms();
      const s = await a.require(name);
      const notes = await a.recentNotifications(name, 20);
      return {
        definition: redactDefinition(s.definition),
        enabled: s.enabled,
        builtin: s.builtin,
        states: await a.states(name),
        history: await a.history(name, 100),
        notifications: notes.map((n) => {
          let target = '?';
          try {
            target = describeTarget(JSON.parse(n.target) as NotifyTarget);
          } catch {
            /* unreadable row: shown as ? */
          }
          let subject: string | undefined;
          try {
            subject = (JSON.parse(n.payload) as { state?: string }).state;
          } catch {
            /* ignore */
          }
          return {
            id: n.id,
            kind: n.kind,
            series: n.series,
            target,
            status: n.status,
            attempts: n.attempts,
            error: n.lastError,
            created: n.createdTs,
            sent: n.sentTs,
            state: subject ?? null,
          };
        }),
      } satisfies AlarmDetail;
    } catch (e) {
      return fail(reply, e);
    }
  });

  // The watched value over time with the threshold (the console's chart), by replaying the alarm.
  app.get('/api/alarms/:name/series', async (req, reply) => {
    const { name } = parseInput(NameParams, req.params, 'name');
    const q = parseInput(AlarmRangeQuery, req.query, 'query');
    try {
      const rt = await runtime();
      const def = (await rt.alarms.require(name)).definition;
      const until = q.until !== undefined ? Number(q.until) : Date.now();
      const since = q.since !== undefined ? Number(q.since) : until - 7 * 86_400_000;
      if (!Number.isFinite(since) || !Number.isFinite(until) || since >= until)
        throw new BiError('INVALID_REQUEST', 'since and until are epoch milliseconds with since < until.');
      const r = await backtest(rt, def, { since, until, withValues: true });
      return {
        name,
        period: def.period,
        threshold: def.threshold ?? null,
        comparisonOperator: def.comparisonOperator,
        since,
        until,
        values: r.values ?? {},
        transitions: r.transitions,
      } satisfies AlarmSeriesChart;
    } catch (e) {
      return fail(reply, e);
    }
  });

  // Replays a definition being edited (not stored) over the last 30 days: how often it would
  // have fired, the watched values for the chart, and a threshold suggested from history.
  app.post('/api/alarms/backtest', async (req, reply) => {
    const body = parseInput(BacktestBody, req.body, 'body');
    try {
      const rt = await runtime();
      const name = (body.definition as { name?: unknown } | null)?.name;
      const stored = typeof name === 'string' ? await rt.alarms.get(name) : undefined;
      const def = parseAlarmDefinition(restoreRedacted(body.definition, stored?.definition), 'the alarm definition');
      const until = body.until ?? Date.now();
      const since = body.since ?? until - BACKTEST_DAYS * 86_400_000;
      if (since >= until || until - since > 90 * 86_400_000)
        throw new BiError(
          'INVALID_REQUEST',
          'since and until are epoch milliseconds, since < until, at most 90 days apart.',
        );
      return await backtestAnswer(rt, def, since, until);
    } catch (e) {
      return fail(reply, e);
    }
  });

  app.post('/api/alarms', async (req, reply) => {
    try {
      const a = await alarms();
      const name = (req.body as { name?: unknown } | null)?.name;
      const stored = typeof name === 'string' ? await a.get(name) : undefined;
      const def = parseAlarmDefinition(restoreRedacted(req.body, stored?.definition), 'the alarm definition');
      const existed = stored !== undefined;
      await a.put(def);
      return reply.code(existed ? 200 : 201).send({ name: def.name, created: !existed } satisfies AlarmSaved);
    } catch (e) {
      return fail(reply, e);
    }
  });

  app.delete('/api/alarms/:name', async (req, reply) => {
    const { name } = parseInput(NameParams, req.params, 'name');
    try {
      if (!(await (await alarms()).delete(name)))
        throw new BiError('ALARM_NOT_FOUND', `There is no alarm named ${name}.`);
      return { deleted: name } satisfies AlarmDeleted;
    } catch (e) {
      return fail(reply, e);
    }
  });

  app.post('/api/alarms/:name/enable', async (req, reply) => {
    const { name } = parseInput(NameParams, req.params, 'name');
    const { to } = parseInput(EnableBody, req.body, 'body');
    try {
      const a = await alarms();
      const s = await a.require(name);
      const notify = [...s.definition.notify];
      for (const addr of to) {
        const t = targetFromAddress(addr);
        if (!notify.some((n) => describeTarget(n) === describeTarget(t))) notify.push(t);
      }
      if (notify.length === 0)
        throw new BiError('ALARM_NO_TARGETS', `Alarm ${name} has no recipient: send {"to": ["team@example.com"]}.`);
      await a.put(parseAlarmDefinition({ ...s.definition, enabled: true, notify }, name));
      return { name, enabled: true, targets: notify.map(describeTarget) } satisfies AlarmEnabled;
    } catch (e) {
      return fail(reply, e);
    }
  });

  app.post('/api/alarms/:name/disable', async (req, reply) => {
    const { name } = parseInput(NameParams, req.params, 'name');
    try {
      const a = await alarms();
      const s = await a.require(name);
      await a.put({ ...s.definition, enabled: false });
      return { name, enabled: false } satisfies AlarmDisabled;
    } catch (e) {
      return fail(reply, e);
    }
  });

  app.post('/api/alarms/:name/test-notify', async (req, reply) => {
    const { name } = parseInput(NameParams, req.params, 'name');
    try {
      return { deliveries: await testNotify(await runtime(), name) } satisfies AlarmTestDeliveries;
    } catch (e) {
      return fail(reply, e);
    }
  });

  app.post('/api/alarms/evaluate', async (req, reply) => {
    const body = parseInput(EvaluateBody, req.body, 'body');
    try {
      const at = body.at ?? Date.now();
      const report: AlarmEvaluation = scheduler
        ? await scheduler.runNow(at)
        : await evaluateAlarms(await runtime(), { at });
      return report;
    } catch (e) {
      app.log.warn(`alarm evaluation failed: ${errorMessage(e)}`);
      return fail(reply, e);
    }
  });
}
