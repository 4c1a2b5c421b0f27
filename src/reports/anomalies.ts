import { DAY_MS } from './period.js';

/**
 * A deliberately simple, explainable anomaly detector (documented in README.md):
 *
 * - Owner hours (tenants): an hour is anomalous when its requests are at least `HOUR_FACTOR`
 *   times the owner's mean requests in the same hour of day over the 7 days before (days with no
 *   requests in that hour count as 0; a baseline under 1 counts as 1), and at least
 *   `HOUR_MIN_REQUESTS`. Consecutive anomalous hours of one
 *   owner merge into one window, reported with its excess over the baseline when that excess is
 *   at least `HOUR_MIN_EXCESS_USD`.
 * - Days (total cost): a day is anomalous when its cost is at least `DAY_FACTOR` times the median
 *   daily cost of the 7 days before it, and at least `DAY_MIN_USD` above it.
 *
 * The baseline trails the hour/day it judges, so a spike never raises its own baseline.
 */
export const HOUR_FACTOR = 5;
export const HOUR_MIN_REQUESTS = 10;
/**
 * An owner-hour window is reported only when it cost at least this much above its baseline: a
 * cost report listing "$0.0007 (baseline $0.0001)" as an anomaly trains readers to skip the list.
 */
export const HOUR_MIN_EXCESS_USD = 0.05;
export const DAY_FACTOR = 2;
export const DAY_MIN_USD = 1;
const HOUR_MS = 3_600_000;

export interface HourPoint {
  owner: string;
  hour: number;
  requests: number;
  cost: number;
}

export interface Anomaly {
  kind: 'owner-hours' | 'day';
  /** The tenant (or other owner), or 'total' for a day. */
  subject: string;
  dimension: string;
  start: number;
  end: number;
  /** Requests (owner hours) or USD (days) observed in the window. */
  observed: number;
  /** What the trailing baseline expected over the same window. */
  expected: number;
  factor: number;
  /** Cost in the window and the baseline's cost over the same length (USD). */
  cost: number;
  expectedCost: number;
}

/** Owner-hour spikes in [from, to), from hourly points that start 7 days before `from`. */
export function detectOwnerSpikes(points: HourPoint[], dimension: string, from: number, to: number): Anomaly[] {
  const byOwner = new Map<string, Map<number, HourPoint>>();
  for (const p of points) {
    let m = byOwner.get(p.owner);
    if (!m) byOwner.set(p.owner, (m = new Map<number, HourPoint>()));
    m.set(p.hour, p);
  }
  const out: Anomaly[] = [];
  for (const [owner, hours] of byOwner) {
    const firstHour = Math.min(...hours.keys());
    let open: Anomaly | null = null;
    for (let h = from - (from % HOUR_MS); h < to; h += HOUR_MS) {
      // The same hour of day on the 7 days before (traffic has a daily rhythm: comparing a busy
      // office hour with a whole-week mean flags every busy hour), never before the owner's first data.
      let req = 0;
      let cost = 0;
      let n = 0;
      for (let k = 1; k <= 7; k += 1) {
        const t = h - k * DAY_MS;
        if (t < firstHour - (firstHour % DAY_MS)) break;
        const p = hours.get(t);
        n += 1;
        if (p) {
          req += p.requests;
          cost += p.cost;
        }
      }
      const baseReq = n ? req / n : 0;
      const baseCost = n ? cost / n : 0;
      const cur = hours.get(h);
      const enoughHistory = n >= 3;
      const hit =
        cur !== undefined &&
        enoughHistory &&
        cur.requests >= HOUR_MIN_REQUESTS &&
        cur.requests >= HOUR_FACTOR * Math.max(baseReq, 1);
      if (hit) {
        if (open && open.end === h) {
          open.end = h + HOUR_MS;
          open.observed += cur.requests;
          open.expected += baseReq;
          open.cost += cur.cost;
          open.expectedCost += baseCost;
        } else {
          if (open) out.push(open);
          open = {
            kind: 'owner-hours',
            subject: owner,
            dimension,
            start: h,
            end: h + HOUR_MS,
            observed: cur.requests,
            expected: baseReq,
            factor: 0,
            cost: cur.cost,
            expectedCost: baseCost,
          };
        }
      } else if (open) {
        out.push(open);
        open = null;
      }
    }
    if (open) out.push(open);
  }
  for (const a of out) a.factor = a.expected > 0 ? a.observed / a.expected : Infinity;
  return out
    .filter((a) => a.cost - a.expectedCost >= HOUR_MIN_EXCESS_USD)
    .sort((a, b) => b.cost - b.expectedCost - (a.cost - a.expectedCost) || b.observed - a.observed);
}

/** Days whose total cost jumps over the trailing 7-day median; `days` sorted, may start before `from`. */
export function detectDaySpikes(days: { dayStart: number; cost: number }[], from: number, to: number): Anomaly[] {
  const out: Anomaly[] = [];
  const byDay = new Map(days.map((d) => [d.dayStart, d.cost]));
  for (const d of days) {
    if (d.dayStart < from || d.dayStart >= to) continue;
    const prev: number[] = [];
    for (let k = 1; k <= 7; k += 1) {
      const c = byDay.get(d.dayStart - k * DAY_MS);
      if (c !== undefined) prev.push(c);
    }
    if (prev.length < 3) continue;
    prev.sort((a, b) => a - b);
    const median =
      prev.length % 2 ? prev[(prev.length - 1) / 2] : (prev[prev.length / 2 - 1] + prev[prev.length / 2]) / 2;
    if (d.cost >= DAY_FACTOR * median && d.cost - median >= DAY_MIN_USD) {
      out.push({
        kind: 'day',
        subject: 'total',
        dimension: 'cost',
        start: d.dayStart,
        end: d.dayStart + DAY_MS,
        observed: d.cost,
        expected: median,
        factor: median > 0 ? d.cost / median : Infinity,
        cost: d.cost,
        expectedCost: median,
      });
    }
  }
  return out;
}
