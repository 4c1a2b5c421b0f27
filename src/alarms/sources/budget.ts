import type { DuckDBConnection } from '@duckdb/node-api';
import { priceEvents } from '../../pricing/index.js';
import type { Store } from '../../store/store.js';
import type { BudgetAlarmDef } from '../definition.js';
import type { ConsoleView, Explanation, Series, SeriesSource } from '../series.js';
import { explainFromEvents, fieldSql, groupsWhere, Where } from './eventsSql.js';

const DAY = 86_400_000;
/** The forecast needs a few days of the month before it means anything. */
export const FORECAST_MIN_DAYS = 3;

export function monthStart(t: number): number {
  const d = new Date(t);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}
export function nextMonthStart(t: number): number {
  const d = new Date(t);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

/**
 * Month-to-date cost per owner. Each owner × threshold (50%, 80%, 100% of its monthly budget) is a
 * series of its own, so each crossing notifies once; `owner × forecast` compares the month-end
 * forecast (month-to-date ÷ elapsed share of the month) with the whole budget.
 */
export class BudgetSource implements SeriesSource {
  constructor(
    private readonly conn: DuckDBConnection,
    private readonly def: BudgetAlarmDef,
    private readonly store?: Store,
  ) {}

  private budgetOf(owner: string): number | undefined {
    return this.def.budget.budgets[owner] ?? this.def.budget.defaultBudget;
  }

  async series(fromMs: number, toMs: number): Promise<Series[]> {
    const b = this.def.budget;
    const periodMs = this.def.period * 1000;
    const lo = monthStart(fromMs);
    // Price what ingest left unpriced (cheap when nothing is), as the reports do.
    if (this.store) await priceEvents(this.store, { where: 'unpriced' });
    const g = groupsWhere(b.logGroups, 4);
    const r = await this.conn.runAndReadAll(
      `SELECT (ts // $3) * $3 AS p, ${fieldSql(b.owner)} AS owner, sum(coalesce(cost_total, 0)) AS cost
       FROM events WHERE kind = 'bedrock' AND ts >= $1 AND ts < $2${g.sql} GROUP BY ALL`,
      [BigInt(lo), BigInt(toMs), BigInt(periodMs), ...g.params],
    );
    const perOwner = new Map<string, Map<number, number>>();
    for (const owner of Object.keys(b.budgets)) perOwner.set(owner, new Map());
    for (const row of r.getRows()) {
      if (row[1] === null) continue;
      const owner = String(row[1]);
      if (this.budgetOf(owner) === undefined) continue;
      let m = perOwner.get(owner);
      if (!m) perOwner.set(owner, (m = new Map<number, number>()));
      m.set(Number(row[0]), Number(row[2]));
    }
    const out: Series[] = [];
    const first = Math.floor(fromMs / periodMs) * periodMs;
    for (const [owner, costs] of perOwner) {
      const budget = this.budgetOf(owner)!;
      const mtd = new Map<number, number>();
      const forecast = new Map<number, number>();
      let month = -1;
      let total = 0;
      for (let p = Math.floor(lo / periodMs) * periodMs; p < toMs; p += periodMs) {
        const end = p + periodMs;
        const ms = monthStart(p);
        if (ms !== month) {
          month = ms;
          total = 0;
        }
        total += costs.get(p) ?? 0;
        if (p < first) continue;
        mtd.set(p, total);
        const elapsed = end - ms;
        if (elapsed >= FORECAST_MIN_DAYS * DAY) forecast.set(p, (total * (nextMonthStart(p) - ms)) / elapsed);
      }
      for (const pct of b.thresholds) {
        out.push({
          key: `owner=${owner},threshold=${pct}%`,
          labels: { owner, threshold: `${pct}%` },
          values: mtd,
          threshold: (budget * pct) / 100,
        });
      }
      if (b.forecast)
        out.push({
          key: `owner=${owner},threshold=forecast`,
          labels: { owner, threshold: 'forecast' },
          values: forecast,
          threshold: budget,
        });
    }
    return out;
  }

  async explain(series: Series, start: number): Promise<Explanation> {
    const periodMs = this.def.period * 1000;
    const ms = monthStart(start);
    const elapsed = start + periodMs - ms;
    const prevMs = monthStart(ms - 1);
    const w = new Where(5).eq(fieldSql(this.def.budget.owner), series.labels.owner).groups(this.def.budget.logGroups);
    const e = await explainFromEvents(this.conn, {
      metric: 'cost',
      where: w.sql,
      params: w.params,
      cur: [ms, start + periodMs],
      prev: [prevMs, prevMs + elapsed],
    });
    return e;
  }

  consoleView(series: Series, start: number): ConsoleView {
    const owner = series.labels.owner;
    return {
      queryString: `filter ${this.def.budget.owner} = ${JSON.stringify(owner)}\n| stats sum(cost.total) as cost by modelId, requestMetadata.application_name\n| sort cost desc`,
      logGroups: this.def.budget.logGroups,
      start: monthStart(start),
      end: start + this.def.period * 1000 - 1,
    };
  }
}
