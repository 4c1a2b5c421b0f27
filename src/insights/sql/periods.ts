/**
 * Period arithmetic every dialect shares (TypeScript side): what a `5m`, `1w` or `1mo` period
 * means. The SQL that applies it is the dialect's (Dialect.floorTime, ceilTime, timeSeries).
 */
import type { DurationUnit } from '../ast.js';

const UNIT_MS: Partial<Record<DurationUnit, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** The period in ms when it has a fixed length (up to weeks); undefined for calendar units. */
export function periodMs(amount: number, unit: DurationUnit): number | undefined {
  const u = UNIT_MS[unit];
  if (u !== undefined) return amount * u;
  if (unit === 'w') return amount * 7 * 86_400_000;
  return undefined;
}

/** A calendar period (months, quarters, years) in months. */
export function periodMonths(amount: number, unit: DurationUnit): number {
  return unit === 'mo' ? amount : unit === 'q' ? amount * 3 : amount * 12;
}

/** Epoch ms of Monday 1969-12-29 00:00 UTC: weeks are ISO weeks starting on Monday. */
export const WEEK_ORIGIN = -3 * 86_400_000;
