import type { AlarmState, ComparisonOperator, TreatMissingData } from './definition.js';

/**
 * CloudWatch's alarm rules, pure: datapoints of the evaluation range in, a state and a reason out.
 * See README.md ("Semantics") for the decisions where CloudWatch's documentation leaves room.
 */

export interface Datapoint {
  /** Period start, epoch ms. */
  start: number;
  /** null: no data in that period. */
  value: number | null;
  /** Anomaly band for this period (band operators). */
  lower?: number;
  upper?: number;
}

export interface RuleInput {
  comparisonOperator: ComparisonOperator;
  threshold?: number;
  evaluationPeriods: number;
  datapointsToAlarm: number;
  treatMissingData: TreatMissingData;
}

export interface RuleResult {
  state: AlarmState;
  /** True when the state is kept because of treatMissingData=ignore with no data. */
  retained: boolean;
  reason: string;
  breaching: number;
  present: number;
  /** The newest datapoint with data (the value a notification quotes). */
  latest?: Datapoint;
  /** The breaching datapoint with the newest start, if any. */
  latestBreaching?: Datapoint;
}

export function isBreaching(
  op: ComparisonOperator,
  value: number,
  threshold: number | undefined,
  lower?: number,
  upper?: number,
): boolean {
  const t = threshold ?? NaN;
  switch (op) {
    case 'GreaterThanThreshold':
      return value > t;
    case 'GreaterThanOrEqualToThreshold':
      return value >= t;
    case 'LessThanThreshold':
      return value < t;
    case 'LessThanOrEqualToThreshold':
      return value <= t;
    case 'LessThanLowerOrGreaterThanUpperThreshold':
      return (lower !== undefined && value < lower) || (upper !== undefined && value > upper);
    case 'LessThanLowerThreshold':
      return lower !== undefined && value < lower;
    case 'GreaterThanUpperThreshold':
      return upper !== undefined && value > upper;
  }
}

export const OPERATOR_TEXT: Record<ComparisonOperator, string> = {
  GreaterThanThreshold: '>',
  GreaterThanOrEqualToThreshold: '>=',
  LessThanThreshold: '<',
  LessThanOrEqualToThreshold: '<=',
  LessThanLowerOrGreaterThanUpperThreshold: 'outside the band',
  LessThanLowerThreshold: 'below the band',
  GreaterThanUpperThreshold: 'above the band',
};

export function formatNumber(v: number): string {
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  return v.toLocaleString('en-US', { maximumFractionDigits: Math.abs(v) < 1 ? 4 : 2 });
}

function describe(p: Datapoint): string {
  return `${formatNumber(p.value!)} (${new Date(p.start).toISOString().replace('.000Z', 'Z')})`;
}

/**
 * Evaluates the last `evaluationPeriods` datapoints (oldest first).
 * - breaching / notBreaching: a missing datapoint counts as breaching / not breaching.
 * - missing / ignore: missing datapoints are left out; with none at all, `missing` goes to
 *   INSUFFICIENT_DATA and `ignore` keeps the current state. With fewer real datapoints than M,
 *   every real one must breach (CloudWatch evaluates on the real datapoints it has).
 */
export function evaluateRule(points: Datapoint[], rule: RuleInput, current: AlarmState): RuleResult {
  const range = points.slice(-rule.evaluationPeriods);
  const m = rule.datapointsToAlarm;
  let breaching = 0;
  let present = 0;
  let latest: Datapoint | undefined;
  let latestBreaching: Datapoint | undefined;
  let missing = 0;
  for (const p of range) {
    if (p.value === null) {
      missing++;
      if (rule.treatMissingData === 'breaching') breaching++;
      continue;
    }
    present++;
    latest = p;
    if (isBreaching(rule.comparisonOperator, p.value, rule.threshold, p.lower, p.upper)) {
      breaching++;
      latestBreaching = p;
    }
  }
  missing += Math.max(0, rule.evaluationPeriods - range.length);
  const base = { breaching, present, ...(latest ? { latest } : {}), ...(latestBreaching ? { latestBreaching } : {}) };
  const n = rule.evaluationPeriods;
  const op = OPERATOR_TEXT[rule.comparisonOperator];
  const thr = rule.threshold !== undefined ? formatNumber(rule.threshold) : '';
  const pointsText = range
    .filter((p) => p.value !== null)
    .map(describe)
    .join(', ');

  if (present === 0) {
    switch (rule.treatMissingData) {
      case 'missing':
        return {
          ...base,
          state: 'INSUFFICIENT_DATA',
          retained: false,
          reason: `no datapoints in the last ${n} period(s) (treatMissingData: missing)`,
        };
      case 'ignore':
        return {
          ...base,
          state: current,
          retained: true,
          reason: `no datapoints in the last ${n} period(s); state kept (treatMissingData: ignore)`,
        };
      case 'breaching':
        return {
          ...base,
          state: 'ALARM',
          retained: false,
          reason: `no datapoints in the last ${n} period(s), treated as breaching`,
        };
      case 'notBreaching':
        return {
          ...base,
          state: 'OK',
          retained: false,
          reason: `no datapoints in the last ${n} period(s), treated as not breaching`,
        };
    }
  }
  const need = rule.treatMissingData === 'missing' || rule.treatMissingData === 'ignore' ? Math.min(m, present) : m;
  const missingText =
    missing > 0 && rule.treatMissingData !== 'missing' && rule.treatMissingData !== 'ignore'
      ? ` (${missing} missing treated as ${rule.treatMissingData === 'breaching' ? 'breaching' : 'not breaching'})`
      : '';
  if (breaching >= need) {
    return {
      ...base,
      state: 'ALARM',
      retained: false,
      reason: `${breaching} of the last ${n} datapoint(s) ${op} ${thr}`.trimEnd() + `${missingText}: [${pointsText}]`,
    };
  }
  return {
    ...base,
    state: 'OK',
    retained: false,
    reason:
      `${breaching} of the last ${n} datapoint(s) ${op} ${thr}`.trimEnd() +
      `, fewer than ${need}${missingText}: [${pointsText}]`,
  };
}

/** Period starts of the evaluation range at `at`: the newest period ends at or before at − delay. */
export function evaluationStarts(at: number, periodMs: number, evaluationPeriods: number, delayMs: number): number[] {
  const end = Math.floor((at - delayMs) / periodMs) * periodMs;
  const out: number[] = [];
  for (let k = evaluationPeriods; k >= 1; k--) out.push(end - k * periodMs);
  return out;
}
