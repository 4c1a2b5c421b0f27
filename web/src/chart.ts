// From a query result to a chart: which view fits, and the data for it. Pure (unit-tested).
import { UNTAGGED_LABEL } from '../../src/contracts/wire.js';
import { isNumeric, parseCwTimestamp } from './format.js';

export type ChartView = 'line' | 'stackedArea' | 'bar' | 'pie';

export interface ResultShape {
  /** The time column of a `stats … by bin(…)` result, if any. */
  timeColumn?: string;
  /** Columns whose every present value is a number. */
  numericColumns: string[];
  /** Other group keys (text). */
  keyColumns: string[];
}

export function analyseResult(columns: string[], rows: Record<string, string>[]): ResultShape {
  const cols = columns.filter((c) => c !== '@ptr');
  let timeColumn: string | undefined;
  const numericColumns: string[] = [];
  const keyColumns: string[] = [];
  for (const c of cols) {
    const present = rows.map((r) => r[c]).filter((v): v is string => v !== undefined && v !== '');
    if (present.length === 0) {
      keyColumns.push(c);
      continue;
    }
    if (!timeColumn && present.every((v) => parseCwTimestamp(v) !== undefined)) timeColumn = c;
    else if (present.every(isNumeric)) numericColumns.push(c);
    else keyColumns.push(c);
  }
  const shape: ResultShape = { numericColumns, keyColumns };
  if (timeColumn) shape.timeColumn = timeColumn;
  return shape;
}

/** The views that make sense for a result (CloudWatch: line/stacked area need bin(), bar/pie need groups). */
export function availableViews(shape: ResultShape, aggregated: boolean): ChartView[] {
  if (!aggregated || shape.numericColumns.length === 0) return [];
  if (shape.timeColumn) return ['line', 'stackedArea', 'bar'];
  return ['bar', 'pie'];
}

export function defaultView(shape: ResultShape, aggregated: boolean): ChartView | undefined {
  return availableViews(shape, aggregated)[0];
}

/** The metric to plot by default: the `sort` field if numeric, else the first numeric column. */
export function defaultMetric(shape: ResultShape, queryString: string): string | undefined {
  const m = /\|\s*sort\s+(?:by\s+)?([A-Za-z_@][\w.@]*)/i.exec(queryString);
  if (m && shape.numericColumns.includes(m[1])) return m[1];
  return shape.numericColumns[0];
}

export interface TimeSeries {
  name: string;
  points: [number, number][];
}

/**
 * One series per combination of the other group keys (per metric when several are plotted),
 * points sorted by time.
 */
export function timeSeries(shape: ResultShape, rows: Record<string, string>[], metrics: string[]): TimeSeries[] {
  const t = shape.timeColumn;
  if (!t) return [];
  const byName = new Map<string, [number, number][]>();
  for (const r of rows) {
    const ts = parseCwTimestamp(r[t]);
    if (ts === undefined) continue;
    const key = shape.keyColumns.map((k) => r[k] ?? UNTAGGED_LABEL).join(' / ');
    for (const m of metrics) {
      const v = r[m];
      if (v === undefined || !isNumeric(v)) continue;
      const name = key ? (metrics.length > 1 ? `${key} · ${m}` : key) : m;
      let pts = byName.get(name);
      if (!pts) byName.set(name, (pts = []));
      pts.push([ts, Number(v)]);
    }
  }
  return [...byName.entries()].map(([name, points]) => ({ name, points: points.sort((a, b) => a[0] - b[0]) }));
}

/**
 * Every series on the union of the series' timestamps, a missing bin as 0: a stats bin that has
 * no row had no events, and a stacked chart stacks wrongly (series cross) when the stacks skip
 * different bins.
 */
export function fillGaps(series: TimeSeries[]): TimeSeries[] {
  const times = [...new Set(series.flatMap((s) => s.points.map((p) => p[0])))].sort((a, b) => a - b);
  return series.map((s) => {
    const at = new Map(s.points);
    return { name: s.name, points: times.map((t): [number, number] => [t, at.get(t) ?? 0]) };
  });
}

/** Category → value for bar and pie charts (keys joined with " / "). */
export function categories(
  shape: ResultShape,
  rows: Record<string, string>[],
  metric: string,
): { name: string; value: number }[] {
  const keys = shape.keyColumns.length ? shape.keyColumns : shape.timeColumn ? [shape.timeColumn] : [];
  const out: { name: string; value: number }[] = [];
  for (const r of rows) {
    const v = r[metric];
    if (v === undefined || !isNumeric(v)) continue;
    out.push({ name: keys.map((k) => r[k] ?? UNTAGGED_LABEL).join(' / ') || metric, value: Number(v) });
  }
  return out;
}
