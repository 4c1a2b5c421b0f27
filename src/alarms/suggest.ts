import { BAND_OPERATORS, type AlarmDefinition } from './definition.js';
import { replay, type BacktestData } from './backtest.js';
import { computeStatistic } from './statistics.js';

/** Fewer values than this say too little about "normal" to suggest a threshold from. */
export const MIN_SUGGESTION_VALUES = 24;
/** The percentile of the watched values a threshold is suggested at (and its mirror, 100 − p, for "less than" alarms). */
export const SUGGESTION_PERCENTILE = 99;

export interface ThresholdSuggestion {
  threshold: number;
  /** How it was computed, in words (the console shows it). */
  rule: string;
  /** The percentile before rounding. */
  percentileValue: number;
  /** How many values of the range it was computed from. */
  values: number;
  /** How many times the alarm would have gone into ALARM over the same range with this threshold. */
  fired: number;
}

/** `x` rounded to 2 significant figures, up or down (87,342 → 88,000 up, 87,000 down). */
export function roundSignificant(x: number, direction: 'up' | 'down'): number {
  if (x === 0 || !Number.isFinite(x)) return x;
  const step = 10 ** (Math.floor(Math.log10(Math.abs(x))) - 1);
  const r = (direction === 'up' ? Math.ceil(x / step - 1e-9) : Math.floor(x / step + 1e-9)) * step;
  // Decimal steps (0.01, 0.001…) leave binary noise: print-and-parse at the step's precision.
  return step < 1 ? Number(r.toFixed(Math.ceil(-Math.log10(step)))) : r;
}

/**
 * A threshold from history: the 99th percentile (nearest rank) of every watched value of the
 * range, over all series, rounded up to 2 significant figures (for "less than" alarms the 1st
 * percentile, rounded down), with how often it would have fired. None for budgets (their
 * thresholds are shares of each owner's budget), anomaly bands, or too little data.
 */
export function suggestThreshold(data: BacktestData): ThresholdSuggestion | null {
  const def = data.def;
  if (def.kind !== 'metric' && def.kind !== 'query') return null;
  if (BAND_OPERATORS.includes(def.comparisonOperator)) return null;
  const values: number[] = [];
  for (const s of data.series) for (const [t, v] of s.values) if (t >= data.since && t < data.until) values.push(v);
  if (values.length < MIN_SUGGESTION_VALUES) return null;
  const less = def.comparisonOperator.startsWith('Less');
  const pct = less ? 100 - SUGGESTION_PERCENTILE : SUGGESTION_PERCENTILE;
  const percentileValue = computeStatistic(`p${pct}`, values)!;
  const threshold = roundSignificant(percentileValue, less ? 'down' : 'up');
  const days = Math.round((data.until - data.since) / 86_400_000);
  const periodText = def.period % 3600 === 0 ? `${def.period / 3600}-hour` : `${def.period}-second`;
  const rule =
    `p${pct} of the ${values.length.toLocaleString('en-US')} ${periodText} values of the last ${days} days` +
    `${data.series.length > 1 ? ` (${data.series.length} series)` : ''}, rounded ${less ? 'down' : 'up'} to 2 significant figures`;
  const withIt: AlarmDefinition = { ...def, threshold };
  const fired = replay(data, withIt).transitions.filter((t) => t.to === 'ALARM').length;
  return { threshold, rule, percentileValue, values: values.length, fired };
}
