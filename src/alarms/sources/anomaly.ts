import type { DuckDBConnection } from '@duckdb/node-api';
import type { AnomalyAlarmDef } from '../definition.js';
import type { ConsoleView, Explanation, Series, SeriesSource } from '../series.js';
import { explainFromEvents, fieldSql, groupsWhere, METRIC_INSIGHTS, METRIC_SQL, Where } from './eventsSql.js';

const DAY = 86_400_000;

function median(xs: number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * The expected value and band of one period from history, with daily and weekly seasonality:
 * the same slot of the day on each of the previous `trainingDays` days, each divided by its day's
 * weekday factor (how busy that weekday is against the average day), the median of those scaled
 * by the period's own weekday factor. The band is `band` robust standard deviations (1.4826 × MAD)
 * wide on either side, and never narrower than the Poisson noise of the request count
 * (√(expected × unit), `unit` being the metric's mean per request).
 */
export function bandFor(
  start: number,
  periodMs: number,
  values: (t: number) => number,
  trainingDays: number,
  band: number,
  weekdayFactor: (t: number) => number,
  unit = 1,
): { expected: number; lower: number; upper: number } {
  const slotStep = periodMs >= DAY ? periodMs : DAY;
  const norm: number[] = [];
  for (let k = 1; k <= trainingDays; k++) {
    const t = start - k * slotStep;
    norm.push(values(t) / weekdayFactor(t));
  }
  const center = median(norm);
  const mad = median(norm.map((x) => Math.abs(x - center)));
  const f = weekdayFactor(start);
  const expected = center * f;
  // Requests arrive as a Poisson process; each carries about `unit` of the metric (tokens per request).
  const spread = Math.max(1.4826 * mad * f, Math.sqrt(Math.max(expected, unit) * unit));
  return { expected, lower: Math.max(0, expected - band * spread), upper: expected + band * spread };
}

export class AnomalySource implements SeriesSource {
  constructor(
    private readonly conn: DuckDBConnection,
    private readonly def: AnomalyAlarmDef,
  ) {}

  private groupExpr(): string {
    return this.def.anomaly.groupBy ? fieldSql(this.def.anomaly.groupBy) : `''`;
  }

  async series(fromMs: number, toMs: number): Promise<Series[]> {
    const a = this.def.anomaly;
    const periodMs = this.def.period * 1000;
    const trainFrom = fromMs - (a.trainingDays + 7) * Math.max(DAY, periodMs);
    const g = groupsWhere(a.logGroups, 4);
    const r = await this.conn.runAndReadAll(
      `SELECT (ts // $3) * $3 AS p, ${this.groupExpr()} AS g, ${METRIC_SQL[a.metric]} AS v, count(*) AS n
       FROM events WHERE kind = 'bedrock' AND ts >= $1 AND ts < $2${g.sql} GROUP BY ALL`,
      [BigInt(trainFrom), BigInt(toMs), BigInt(periodMs), ...g.params],
    );
    const byGroup = new Map<string, Map<number, number>>();
    const totals = new Map<string, { v: number; n: number }>();
    const dayTotals = new Map<number, number>();
    for (const row of r.getRows()) {
      if (row[1] === null) continue;
      const key = String(row[1]);
      const p = Number(row[0]);
      const v = Number(row[2]);
      let m = byGroup.get(key);
      if (!m) byGroup.set(key, (m = new Map<number, number>()));
      m.set(p, v);
      const t = totals.get(key) ?? { v: 0, n: 0 };
      t.v += v;
      t.n += Number(row[3]);
      totals.set(key, t);
      const day = Math.floor(p / DAY) * DAY;
      dayTotals.set(day, (dayTotals.get(day) ?? 0) + v);
    }
    // Weekday factors from the whole training span (all groups): weekly seasonality.
    const byWeekday = new Map<number, number[]>();
    for (let d = Math.floor(trainFrom / DAY) * DAY; d < toMs; d += DAY) {
      const w = new Date(d).getUTCDay();
      (byWeekday.get(w) ?? byWeekday.set(w, []).get(w)!).push(dayTotals.get(d) ?? 0);
    }
    const meanDay = [...dayTotals.values()].reduce((x, y) => x + y, 0) / Math.max(1, (toMs - trainFrom) / DAY);
    const factors = new Map<number, number>();
    for (const [w, xs] of byWeekday) factors.set(w, meanDay > 0 ? Math.max(0.05, median(xs) / meanDay) : 1);
    const weekdayFactor = (t: number): number => factors.get(new Date(t).getUTCDay()) ?? 1;

    const out: Series[] = [];
    const first = Math.floor(fromMs / periodMs) * periodMs;
    for (const [key, m] of byGroup) {
      const tot = totals.get(key)!;
      const unit = tot.n > 0 ? Math.max(tot.v / tot.n, 1e-9) : 1;
      const values = new Map<number, number>();
      const bands = new Map<number, { lower: number; upper: number; expected: number }>();
      for (let p = first; p < toMs; p += periodMs) {
        const v = m.get(p) ?? 0;
        const b = bandFor(p, periodMs, (t) => m.get(t) ?? 0, a.trainingDays, a.band, weekdayFactor, unit);
        // Below minValue nothing is anomalous: a quiet group's single request is not news.
        if (v < a.minValue && b.upper < a.minValue) b.upper = a.minValue;
        values.set(p, v);
        bands.set(p, { ...b, upper: Math.max(b.upper, a.minValue) });
      }
      out.push({
        key: a.groupBy ? `${a.groupBy}=${key}` : '',
        labels: a.groupBy ? { [a.groupBy]: key } : {},
        values,
        bands,
      });
    }
    return out;
  }

  async explain(series: Series, start: number): Promise<Explanation> {
    const a = this.def.anomaly;
    const periodMs = this.def.period * 1000;
    const w = new Where(5);
    if (a.groupBy) w.eq(fieldSql(a.groupBy), series.labels[a.groupBy]);
    w.groups(a.logGroups);
    const prevStart = start - (periodMs >= DAY ? 7 * DAY : DAY);
    const e = await explainFromEvents(this.conn, {
      metric: a.metric,
      where: w.sql,
      params: w.params,
      cur: [start, start + periodMs],
      prev: [prevStart, prevStart + periodMs],
      skip:
        a.groupBy === 'requestMetadata.tenant_id'
          ? ['tenant']
          : a.groupBy === 'requestMetadata.application_name'
            ? ['application']
            : [],
    });
    return { ...e, previousValue: series.bands?.get(start)?.expected ?? null };
  }

  consoleView(series: Series, start: number): ConsoleView {
    const a = this.def.anomaly;
    const periodMs = this.def.period * 1000;
    const filter = a.groupBy ? `filter ${a.groupBy} = ${JSON.stringify(series.labels[a.groupBy])}\n| ` : '';
    const bin = periodMs >= DAY ? '1d' : `${this.def.period / 60}m`;
    return {
      queryString: `${filter}stats ${METRIC_INSIGHTS[a.metric]} as value by bin(${bin})`,
      logGroups: a.logGroups,
      start: start - 2 * DAY,
      end: start + periodMs - 1,
    };
  }
}
