/**
 * What every alarm kind produces: one or more series of per-period values (one per dimension
 * value, result row, owner × threshold or group), plus what it takes to explain a breach.
 */

export interface Contribution {
  /** tenant, user, model, application, tokenKind, … */
  dimension: string;
  value: string;
  current: number;
  previous: number;
}

export interface Explanation {
  /** The biggest increases against the previous period, per dimension (top 3 each). */
  drivers: { dimension: string; items: Contribution[] }[];
  previousValue: number | null;
}

export interface ConsoleView {
  queryString: string;
  logGroups: string[];
  start: number;
  end: number;
}

export interface Series {
  /** Stable id of the series within its alarm ('' for a single-series alarm). */
  key: string;
  /** Human labels (ApplicationName=HRPortalApp, owner=CS-123, threshold=80%). */
  labels: Record<string, string>;
  /** Period start -> value; absent periods are missing data. */
  values: Map<number, number>;
  /** Anomaly band per period start. */
  bands?: Map<number, { lower: number; upper: number; expected: number }>;
  /** A per-series threshold (budgets); else the alarm's. */
  threshold?: number;
}

export interface SeriesSource {
  /** Series over periods starting in [fromMs, toMs). */
  series(fromMs: number, toMs: number): Promise<Series[]>;
  /** Why the series had its value in the period starting at `start`. */
  explain(series: Series, start: number): Promise<Explanation>;
  /** The console view that shows the period (a /query URL is built from it). */
  consoleView(series: Series, start: number): ConsoleView;
}

export function seriesKey(labels: Record<string, string>): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(',');
}

/** Top increases per dimension from two maps of (dimension → value → amount). */
export function topDrivers(
  cur: Map<string, Map<string, number>>,
  prev: Map<string, Map<string, number>>,
  top = 3,
): Explanation['drivers'] {
  const out: Explanation['drivers'] = [];
  for (const [dimension, values] of cur) {
    const p = prev.get(dimension) ?? new Map<string, number>();
    const items: Contribution[] = [...values].map(([value, current]) => ({
      dimension,
      value,
      current,
      previous: p.get(value) ?? 0,
    }));
    items.sort(
      (a, b) =>
        b.current - b.previous - (a.current - a.previous) || b.current - a.current || (a.value < b.value ? -1 : 1),
    );
    out.push({ dimension, items: items.slice(0, top) });
  }
  return out;
}

export function addTo(
  m: Map<string, Map<string, number>>,
  dimension: string,
  value: string | undefined,
  amount: number,
): void {
  if (value === undefined) return;
  let d = m.get(dimension);
  if (!d) m.set(dimension, (d = new Map<string, number>()));
  d.set(value, (d.get(value) ?? 0) + amount);
}
