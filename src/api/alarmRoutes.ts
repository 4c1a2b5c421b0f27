import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import {
  AlarmStore,
  backtest,
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
import type {
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

/** A definition without secrets (SMTP passwords, webhook keys, URL tokens), for the API. */
export function redactDefinition(d: AlarmDefinition): AlarmDefinition & { targets: string[] } {
  const notify = d.notify.map((t) => {
    if (t.type === 'email')
      return { ...t, ...(t.smtpUrl ? { smtpUrl: t.smtpUrl.replace(/\/\/[^@/]*@/, '//***@') } : {}) };
    if (t.type === 'webhook')
      return { ...t, url: describeTarget(t).slice('webhook:'.length), ...(t.secret ? { secret: '***' } : {}) };
    if (t.type === 'slack') return { ...t, url: `https://${new URL(t.url).host}/***` };
    return t;
  });
  return { ...d, notify, targets: d.notify.map(describeTarget) };
}

const fail = sendError;

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

  app.post('/api/alarms', async (req, reply) => {
    try {
      const def = parseAlarmDefinition(req.body, 'the alarm definition');
      const a = await alarms();
      const existed = (await a.get(def.name)) !== undefined;
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
