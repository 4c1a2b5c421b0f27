import type { Change, PeriodCoverage } from './wire.js';

/**
 * The rules for "does the data cover this period?" and "is a change against the previous period
 * meaningful?", pure (the web console's dashboard imports this file too, so it imports no code).
 */

/** `2026-11-27 00:00:00.000` (a bin() or min(@timestamp) value, UTC) -> epoch ms. */
export function timeMs(v: string | undefined): number {
  if (!v) return NaN;
  return Date.parse(`${v.replace(' ', 'T')}Z`);
}

export interface DataExtent {
  /** The store's first and last Bedrock invocation (epoch ms). */
  first: number;
  last: number;
}

function minute(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/**
 * Whether the store covers a period: `empty` (no invocation in it), `partial` (the data starts
 * after its start or ends before its end, by more than an hour or 1% of its length: the demo's
 * data ends at the top of the hour), else `full`. A period still running ("this month") whose
 * data reaches now is full so far.
 */
export function periodCoverage(
  period: { start: number; end: number },
  extent: DataExtent | null,
  requests: number,
  now = Date.now(),
): PeriodCoverage {
  const base = { storeFirst: extent?.first ?? null, storeLast: extent?.last ?? null };
  if (!extent) return { ...base, state: 'empty', label: 'no data: the store has no Bedrock invocations' };
  const span = `the store covers ${minute(extent.first)} .. ${minute(extent.last)}`;
  if (requests === 0) return { ...base, state: 'empty', label: `no data in this period: ${span}` };
  const slack = Math.max(3_600_000, (period.end - period.start) / 100);
  const end = Math.min(period.end, now);
  const late = extent.first > period.start + slack;
  const early = extent.last < end - slack;
  if (!late && !early) return { ...base, state: 'full', label: '' };
  const parts = [
    late ? `data from ${minute(extent.first)} (nothing earlier in the store)` : '',
    early ? `data until ${minute(extent.last)} (nothing later in the store)` : '',
  ].filter(Boolean);
  return { ...base, state: 'partial', label: `partial: ${parts.join(', ')}` };
}

/**
 * The change against the previous period, or no ratio when it would mislead: a period without
 * data, or a previous period the store only partly covers (the data starts inside it).
 */
export function compare(
  current: number,
  previous: number,
  previousCoverage: PeriodCoverage,
  currentCoverage?: PeriodCoverage,
): Change {
  if (currentCoverage?.state === 'empty')
    return { current, previous, ratio: null, basis: 'none', note: 'no data in this period' };
  if (previousCoverage.state === 'empty' || previous <= 0)
    return { current, previous, ratio: null, basis: 'none', note: 'no data in the previous period' };
  if (previousCoverage.state === 'partial') {
    const since = previousCoverage.storeFirst === null ? '' : ` (data from ${minute(previousCoverage.storeFirst)})`;
    return { current, previous, ratio: null, basis: 'partial', note: `previous period only partly covered${since}` };
  }
  return { current, previous, ratio: (current - previous) / previous, basis: 'full' };
}
