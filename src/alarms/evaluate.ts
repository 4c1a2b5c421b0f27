import type { QueryEngine } from '../engines/engine.js';
import type { Store } from '../store/store.js';
import { BiError, errorMessage } from '../util/errors.js';
import {
  BAND_OPERATORS,
  datapointsToAlarm,
  NotifyTarget,
  type AlarmDefinition,
  type AlarmState,
} from './definition.js';
import { consoleUrl, type AlarmNotification } from './notify/message.js';
import { deliver, describeTarget, type RetryOptions, type SendOptions } from './notify/channels.js';
import { evaluateRule, evaluationStarts, OPERATOR_TEXT, type Datapoint, type RuleResult } from './rules.js';
import type { Series, SeriesSource } from './series.js';
import { AnomalySource } from './sources/anomaly.js';
import { BudgetSource } from './sources/budget.js';
import { MetricSource } from './sources/metric.js';
import { QuerySource } from './sources/query.js';
import type { AlarmStore, SeriesState } from './store.js';

export const CONSOLE_URL_ENV = 'BEDROCK_INSIGHTS_CONSOLE_URL';

/** Everything an evaluation needs. */
export interface AlarmRuntime {
  store: Store;
  alarms: AlarmStore;
  /** The query engine (query alarms only). */
  engine?: () => QueryEngine;
  /** Base of console links (default: the definition's consoleUrl, $BEDROCK_INSIGHTS_CONSOLE_URL, http://127.0.0.1:8080). */
  consoleUrl?: string;
  delivery?: RetryOptions & SendOptions;
  log?: (line: string) => void;
}

export interface Transition {
  alarm: string;
  series: string;
  labels: Record<string, string>;
  at: number;
  periodStart: number | null;
  from: AlarmState;
  to: AlarmState;
  value: number | null;
  threshold: number | null;
  reason: string;
}

export interface AlarmReport {
  name: string;
  series: number;
  states: Record<string, AlarmState>;
  transitions: Transition[];
  error?: string;
}

export interface DeliveryReport {
  id: number;
  alarm: string;
  target: string;
  ok: boolean;
  attempts: number;
  error?: string;
}

export interface EvaluationReport {
  at: number;
  alarms: AlarmReport[];
  deliveries: DeliveryReport[];
}

export async function createSource(
  rt: Pick<AlarmRuntime, 'store' | 'alarms' | 'engine'>,
  def: AlarmDefinition,
): Promise<SeriesSource> {
  switch (def.kind) {
    case 'metric':
      return MetricSource.create(rt.store, rt.alarms.conn, def);
    case 'anomaly':
      return new AnomalySource(rt.alarms.conn, def);
    case 'budget':
      return new BudgetSource(rt.alarms.conn, def, rt.store);
    case 'query': {
      if (!rt.engine)
        throw new BiError('ENGINE_UNAVAILABLE', `Alarm ${def.name} runs a query, and no query engine is available.`);
      return new QuerySource(rt.engine(), def);
    }
  }
}

/** Series that exist even without data (so missing data can be evaluated): single-series alarms. */
function impliedSeries(def: AlarmDefinition): Series[] {
  if (def.kind === 'metric' && !def.metric.perDimension) return [{ key: '', labels: {}, values: new Map() }];
  if (def.kind === 'anomaly' && !def.anomaly.groupBy) return [{ key: '', labels: {}, values: new Map() }];
  return [];
}

export function datapointsFor(series: Series, starts: number[]): Datapoint[] {
  return starts.map((start) => {
    const v = series.values.get(start);
    const b = series.bands?.get(start);
    return { start, value: v === undefined ? null : v, ...(b ? { lower: b.lower, upper: b.upper } : {}) };
  });
}

export function ruleOf(def: AlarmDefinition, series: Series): Parameters<typeof evaluateRule>[1] {
  const threshold = series.threshold ?? def.threshold;
  return {
    comparisonOperator: def.comparisonOperator,
    ...(threshold !== undefined ? { threshold } : {}),
    evaluationPeriods: def.evaluationPeriods,
    datapointsToAlarm: datapointsToAlarm(def),
    treatMissingData: def.treatMissingData,
  };
}

function baseUrl(rt: AlarmRuntime, def: AlarmDefinition): string {
  return def.consoleUrl ?? rt.consoleUrl ?? process.env[CONSOLE_URL_ENV] ?? 'http://127.0.0.1:8080';
}

/** The notification payload of one transition (explained when the new state is ALARM). */
export async function buildNotification(
  rt: AlarmRuntime,
  def: AlarmDefinition,
  source: SeriesSource,
  series: Series,
  r: RuleResult,
  previous: AlarmState,
  at: number,
  type: AlarmNotification['type'],
): Promise<AlarmNotification> {
  const periodMs = def.period * 1000;
  const point = r.state === 'ALARM' ? (r.latestBreaching ?? r.latest) : r.latest;
  const threshold = series.threshold ?? def.threshold ?? null;
  const n: AlarmNotification = {
    alarm: def.name,
    alarmKind: def.kind,
    ...(def.description ? { description: def.description } : {}),
    type,
    series: series.key,
    labels: series.labels,
    state: r.state,
    previousState: previous,
    reason: r.reason,
    value: point?.value ?? null,
    threshold,
    comparison: OPERATOR_TEXT[def.comparisonOperator],
    ...(def.kind === 'metric' ? { statistic: def.metric.statistic } : {}),
    periodSeconds: def.period,
    periodStart: point?.start ?? null,
    periodEnd: point ? point.start + periodMs : null,
    time: at,
  };
  const band = point ? series.bands?.get(point.start) : undefined;
  if (band && BAND_OPERATORS.includes(def.comparisonOperator)) n.band = band;
  if (point) {
    if (r.state === 'ALARM') {
      try {
        n.explanation = await source.explain(series, point.start);
      } catch (e) {
        rt.log?.(`alarm ${def.name}: could not explain ${series.key || 'the value'}: ${errorMessage(e)}`);
      }
    }
    n.consoleUrl = consoleUrl(baseUrl(rt, def), source.consoleView(series, point.start));
  }
  return n;
}

/** Whether a transition into `to` notifies: OK only as a recovery from ALARM (not a first OK). */
export function notifies(def: AlarmDefinition, from: AlarmState, to: AlarmState): boolean {
  if (!def.notifyOn.includes(to)) return false;
  if (to === 'OK') return from === 'ALARM';
  return true;
}

// One evaluation at a time per store: the scheduler, the API and test-notify share the tables.
const locks = new WeakMap<AlarmStore, Promise<unknown>>();
async function exclusive<T>(alarms: AlarmStore, fn: () => Promise<T>): Promise<T> {
  const prev = locks.get(alarms) ?? Promise.resolve();
  const next = prev.catch(() => undefined).then(fn);
  locks.set(alarms, next);
  return next;
}

async function evaluateOne(
  rt: AlarmRuntime,
  def: AlarmDefinition,
  at: number,
  stored: SeriesState[],
): Promise<AlarmReport> {
  const periodMs = def.period * 1000;
  const starts = evaluationStarts(at, periodMs, def.evaluationPeriods, def.evaluationDelay * 1000);
  const source = await createSource(rt, def);
  // One period more than the range: explanations compare with the period before.
  const found = await source.series(starts[0] - periodMs, starts[starts.length - 1] + periodMs);
  const byKey = new Map(found.map((s) => [s.key, s]));
  for (const s of impliedSeries(def)) if (!byKey.has(s.key)) byKey.set(s.key, s);
  for (const st of stored)
    if (!byKey.has(st.series)) byKey.set(st.series, { key: st.series, labels: st.labels, values: new Map() });
  const prevByKey = new Map(stored.map((s) => [s.series, s]));
  const report: AlarmReport = { name: def.name, series: byKey.size, states: {}, transitions: [] };
  for (const series of [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))) {
    const prev = prevByKey.get(series.key);
    const current: AlarmState = prev?.state ?? 'INSUFFICIENT_DATA';
    const r = evaluateRule(datapointsFor(series, starts), ruleOf(def, series), current);
    report.states[series.key] = r.state;
    const value = (r.state === 'ALARM' ? (r.latestBreaching ?? r.latest) : r.latest)?.value ?? null;
    if (r.state !== current) {
      const note = await buildNotification(rt, def, source, series, r, current, at, 'transition');
      const notify = def.enabled && notifies(def, current, r.state) && def.notify.length > 0;
      await rt.alarms.transaction(async () => {
        const historyId = await rt.alarms.addHistory({
          alarm: def.name,
          series: series.key,
          labels: series.labels,
          ts: at,
          periodStart: note.periodStart,
          oldState: current,
          newState: r.state,
          reason: r.reason,
          value,
          threshold: note.threshold,
          explanation: note.explanation
            ? { ...note.explanation, consoleUrl: note.consoleUrl }
            : note.consoleUrl
              ? { consoleUrl: note.consoleUrl }
              : null,
        });
        if (notify) {
          for (const [i, t] of def.notify.entries()) {
            await rt.alarms.enqueue({
              historyId,
              alarm: def.name,
              series: series.key,
              kind: 'transition',
              targetIndex: i,
              target: JSON.stringify(t),
              payload: JSON.stringify(note),
              createdTs: at,
            });
          }
        }
        await rt.alarms.putState({
          alarm: def.name,
          series: series.key,
          labels: series.labels,
          state: r.state,
          reason: r.reason,
          value,
          stateTs: at,
          evaluatedTs: at,
          lastNotifiedTs: notify ? at : (prev?.lastNotifiedTs ?? null),
        });
      });
      report.transitions.push({
        alarm: def.name,
        series: series.key,
        labels: series.labels,
        at,
        periodStart: note.periodStart,
        from: current,
        to: r.state,
        value,
        threshold: note.threshold,
        reason: r.reason,
      });
      continue;
    }
    // Same state: maybe a reminder, then refresh the evaluation time and reason.
    let lastNotified = prev?.lastNotifiedTs ?? null;
    const remind =
      def.enabled &&
      r.state === 'ALARM' &&
      def.reminderEvery !== undefined &&
      def.notify.length > 0 &&
      prev !== undefined &&
      at - (prev.lastNotifiedTs ?? prev.stateTs) >= def.reminderEvery * 1000;
    await rt.alarms.transaction(async () => {
      if (remind) {
        const note = await buildNotification(rt, def, source, series, r, r.state, at, 'reminder');
        const hist = await rt.alarms.history(def.name, 1);
        for (const [i, t] of def.notify.entries()) {
          await rt.alarms.enqueue({
            historyId: null,
            alarm: def.name,
            series: series.key,
            kind: 'reminder',
            targetIndex: i,
            target: JSON.stringify(t),
            payload: JSON.stringify({ ...note, historyId: hist[0]?.id }),
            createdTs: at,
          });
        }
        lastNotified = at;
      }
      await rt.alarms.putState({
        alarm: def.name,
        series: series.key,
        labels: series.labels,
        state: r.state,
        reason: r.reason,
        value,
        stateTs: prev?.stateTs ?? at,
        evaluatedTs: at,
        lastNotifiedTs: lastNotified,
      });
    });
  }
  return report;
}

/** Sends every queued notification (each with its own retries, all in parallel) and records the outcome. */
export async function deliverPending(rt: AlarmRuntime, now: () => number = Date.now): Promise<DeliveryReport[]> {
  const rows = await rt.alarms.pending();
  const results = await Promise.all(
    rows.map(async (row): Promise<DeliveryReport> => {
      let desc = row.target;
      try {
        const target = NotifyTarget.parse(JSON.parse(row.target));
        desc = describeTarget(target);
        const res = await deliver(target, JSON.parse(row.payload) as AlarmNotification, rt.delivery ?? {});
        return {
          id: row.id,
          alarm: row.alarm,
          target: desc,
          ok: res.ok,
          attempts: res.attempts,
          ...(res.error ? { error: res.error } : {}),
        };
      } catch (e) {
        return { id: row.id, alarm: row.alarm, target: desc, ok: false, attempts: 0, error: errorMessage(e) };
      }
    }),
  );
  for (const r of results) {
    await rt.alarms.markNotification(r.id, r.ok ? 'sent' : 'failed', r.attempts, r.error ?? null, now());
    if (!r.ok)
      rt.log?.(`alarm ${r.alarm}: notification to ${r.target} failed after ${r.attempts} attempt(s): ${r.error}`);
  }
  return results;
}

export interface EvaluateOptions {
  at?: number;
  /** Only these alarms (default: every enabled alarm). */
  names?: string[];
  /** Deliver the queued notifications afterwards (default true). */
  deliver?: boolean;
}

/**
 * One evaluation of the enabled alarms at `at`: states and history updated, notifications queued
 * in the same transaction, then delivered. An alarm that fails is reported and the others go on.
 */
export async function evaluateAlarms(rt: AlarmRuntime, o: EvaluateOptions = {}): Promise<EvaluationReport> {
  return exclusive(rt.alarms, async () => {
    const at = o.at ?? Date.now();
    const all = await rt.alarms.list();
    const chosen = all.filter((a) => (o.names ? o.names.includes(a.definition.name) : a.enabled));
    if (o.names)
      for (const n of o.names)
        if (!all.some((a) => a.definition.name === n))
          throw new BiError(
            'ALARM_NOT_FOUND',
            `There is no alarm named ${n}; \`npx bedrock-insights alarms list\` shows them.`,
          );
    const states = await rt.alarms.states();
    const report: EvaluationReport = { at, alarms: [], deliveries: [] };
    for (const a of chosen) {
      try {
        report.alarms.push(
          await evaluateOne(
            rt,
            a.definition,
            at,
            states.filter((s) => s.alarm === a.definition.name),
          ),
        );
      } catch (e) {
        rt.log?.(`alarm ${a.definition.name}: evaluation failed: ${errorMessage(e)}`);
        report.alarms.push({ name: a.definition.name, series: 0, states: {}, transitions: [], error: errorMessage(e) });
      }
    }
    if (o.deliver !== false) report.deliveries = await deliverPending(rt);
    return report;
  });
}

/** Sends a test notification of `name` to its targets now (the state is not changed). */
export async function testNotify(rt: AlarmRuntime, name: string, at: number = Date.now()): Promise<DeliveryReport[]> {
  return exclusive(rt.alarms, async () => {
    const a = await rt.alarms.require(name);
    const def = a.definition;
    if (def.notify.length === 0)
      throw new BiError(
        'ALARM_NO_TARGETS',
        `Alarm ${name} has no notification targets; add "notify" to its definition or run \`npx bedrock-insights alarms enable ${name} --to ADDRESS\`.`,
      );
    const st = (await rt.alarms.states(name))[0];
    const note: AlarmNotification = {
      alarm: def.name,
      alarmKind: def.kind,
      type: 'test',
      series: st?.series ?? '',
      labels: st?.labels ?? {},
      state: st?.state ?? 'INSUFFICIENT_DATA',
      previousState: st?.state ?? 'INSUFFICIENT_DATA',
      reason: st?.reason ?? 'not evaluated yet',
      value: st?.value ?? null,
      threshold: def.threshold ?? null,
      comparison: OPERATOR_TEXT[def.comparisonOperator],
      periodSeconds: def.period,
      periodStart: null,
      periodEnd: null,
      time: at,
      ...(def.description ? { description: def.description } : {}),
    };
    for (const [i, t] of def.notify.entries()) {
      await rt.alarms.enqueue({
        historyId: null,
        alarm: def.name,
        series: note.series,
        kind: 'test',
        targetIndex: i,
        target: JSON.stringify(t),
        payload: JSON.stringify(note),
        createdTs: at,
      });
    }
    return (await deliverPending(rt)).filter((d) => d.alarm === name);
  });
}
