import type { AlarmDefinition, AlarmState } from './definition.js';
import { createSource, datapointsFor, ruleOf, type AlarmRuntime, type Transition } from './evaluate.js';
import { evaluateRule, evaluationStarts } from './rules.js';
import type { Series, SeriesSource } from './series.js';

export interface BacktestResult {
  alarm: string;
  since: number;
  until: number;
  evaluations: number;
  series: number;
  transitions: Transition[];
  /** The watched values, for charts: series key -> [period start, value][] (first 20 series). */
  values?: Record<string, [number, number][]>;
}

/** The series an alarm watched over a backtest's range, read once so it can be replayed with other rules. */
export interface BacktestData {
  def: AlarmDefinition;
  since: number;
  until: number;
  /** The first evaluation time (a period boundary plus the evaluation delay). */
  firstAt: number;
  series: Series[];
}

/** Reads what the alarm watches over [since, until], with the periods its first evaluation looks back to. */
export async function backtestData(
  rt: Pick<AlarmRuntime, 'store' | 'alarms' | 'engine'>,
  def: AlarmDefinition,
  o: { since: number; until: number; source?: SeriesSource },
): Promise<BacktestData> {
  const periodMs = def.period * 1000;
  const delayMs = def.evaluationDelay * 1000;
  const source = o.source ?? (await createSource(rt, def));
  const firstAt = Math.ceil((o.since - delayMs) / periodMs) * periodMs + delayMs;
  const from = evaluationStarts(firstAt, periodMs, def.evaluationPeriods, delayMs)[0];
  const all: Series[] = await source.series(from, Math.floor((o.until - delayMs) / periodMs) * periodMs);
  if (
    all.length === 0 &&
    ((def.kind === 'metric' && !def.metric.perDimension) || (def.kind === 'anomaly' && !def.anomaly.groupBy))
  )
    all.push({ key: '', labels: {}, values: new Map() });
  return { def, since: o.since, until: o.until, firstAt, series: all };
}

/**
 * Replays `def` (the alarm read, or the same alarm with another threshold) over the series read:
 * one evaluation at each period boundary plus the evaluation delay, every series starting in
 * INSUFFICIENT_DATA, nothing stored or sent.
 */
export function replay(data: BacktestData, def: AlarmDefinition = data.def, withValues = false): BacktestResult {
  const periodMs = def.period * 1000;
  const delayMs = def.evaluationDelay * 1000;
  const state = new Map<string, AlarmState>();
  const transitions: Transition[] = [];
  let evaluations = 0;
  for (let at = data.firstAt; at <= data.until; at += periodMs) {
    evaluations++;
    const starts = evaluationStarts(at, periodMs, def.evaluationPeriods, delayMs);
    for (const s of data.series) {
      const cur = state.get(s.key) ?? 'INSUFFICIENT_DATA';
      const r = evaluateRule(datapointsFor(s, starts), ruleOf(def, s), cur);
      if (r.state === cur) continue;
      state.set(s.key, r.state);
      const p = r.state === 'ALARM' ? (r.latestBreaching ?? r.latest) : r.latest;
      transitions.push({
        alarm: def.name,
        series: s.key,
        labels: s.labels,
        at,
        periodStart: p?.start ?? null,
        from: cur,
        to: r.state,
        value: p?.value ?? null,
        threshold: s.threshold ?? def.threshold ?? null,
        reason: r.reason,
      });
    }
  }
  const result: BacktestResult = {
    alarm: def.name,
    since: data.since,
    until: data.until,
    evaluations,
    series: data.series.length,
    transitions,
  };
  if (withValues) result.values = chartValues(data);
  return result;
}

/** The watched values of the first 20 series from the period before `since`, in time order. */
export function chartValues(data: BacktestData, limit = 20): Record<string, [number, number][]> {
  const periodMs = data.def.period * 1000;
  const out: Record<string, [number, number][]> = {};
  for (const s of data.series.slice(0, limit))
    out[s.key] = [...s.values].filter(([t]) => t >= data.since - periodMs).sort((a, b) => a[0] - b[0]);
  return out;
}

/**
 * Replays the alarm on history: one evaluation at each period boundary (plus the evaluation
 * delay) from `since` to `until`, every series starting in INSUFFICIENT_DATA, nothing stored or
 * sent. Returns each state change with its time, value and reason.
 */
export async function backtest(
  rt: Pick<AlarmRuntime, 'store' | 'alarms' | 'engine'>,
  def: AlarmDefinition,
  o: { since: number; until: number; withValues?: boolean },
): Promise<BacktestResult> {
  return replay(await backtestData(rt, def, o), def, o.withValues === true);
}
