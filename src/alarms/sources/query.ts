import type { QueryEngine, QueryResult } from '../../engines/engine.js';
import { BiError } from '../../util/errors.js';
import type { QueryAlarmDef } from '../definition.js';
import { binnedQuery, PERIOD_COLUMN, periodOf } from './binnedQuery.js';
import { seriesKey, type ConsoleView, type Explanation, type Series, type SeriesSource } from '../series.js';

/**
 * A Logs Insights query run for each period over the window ending at the period's end; each
 * result row is a series (named by its key columns), its `column` the value.
 */
export class QuerySource implements SeriesSource {
  /** `binned`: one query over the range where that is exact (binnedQuery.ts); false: a query per period. */
  constructor(
    private readonly engine: QueryEngine,
    private readonly def: QueryAlarmDef,
    private readonly binned = true,
  ) {}

  private async run(queryString: string, s: number, e: number): Promise<QueryResult> {
    const r = await this.engine.run({
      queryString,
      logGroups: this.def.query.logGroups,
      startTime: s,
      endTime: e,
      noRowCap: true,
    });
    if (r.status !== 'Complete')
      throw new BiError(
        'ALARM_QUERY_FAILED',
        `The query of alarm ${this.def.name} failed: ${r.error?.message ?? r.status}`,
      );
    return r;
  }

  /** Adds one result's rows as the values of the period starting at `p`. */
  private addRows(
    bySeries: Map<string, Series>,
    r: Pick<QueryResult, 'columns' | 'rows'>,
    periodOfRow: (cells: Map<string, string>) => number,
    hidden: readonly string[] = [],
  ): void {
    const q = this.def.query;
    if (!r.columns.includes(q.column)) {
      if (r.rows.length === 0) return;
      throw new BiError(
        'ALARM_INVALID',
        `The query of alarm ${this.def.name} has no column ${q.column} (it has ${r.columns.filter((c) => !hidden.includes(c)).join(', ')}).`,
      );
    }
    const keys = q.keyColumns ?? r.columns.filter((c) => c !== q.column && !hidden.includes(c));
    for (const row of r.rows) {
      const cells = new Map(row.map((c) => [c.field, c.value]));
      const raw = cells.get(q.column);
      const v = raw === undefined ? NaN : Number(raw);
      if (!Number.isFinite(v)) continue;
      const labels: Record<string, string> = {};
      for (const k of keys) labels[k] = cells.get(k) ?? '';
      const key = seriesKey(labels);
      let se = bySeries.get(key);
      if (!se) bySeries.set(key, (se = { key, labels, values: new Map() }));
      se.values.set(periodOfRow(cells), v);
    }
  }

  /**
   * Every period's result from one query with bin(period) in its `by`. A period without a row
   * had no event reach the stats: its result is the query's over an empty window (a `stats`
   * without `by` still answers one row there, e.g. count 0), read once and given to each.
   */
  private async binnedSeries(binned: string, fromMs: number, toMs: number): Promise<Series[]> {
    const periodMs = this.def.period * 1000;
    const first = Math.floor(fromMs / periodMs) * periodMs;
    const bySeries = new Map<string, Series>();
    const r = await this.run(binned, first, toMs - 1);
    const seen = new Set<number>();
    this.addRows(
      bySeries,
      r,
      (cells) => {
        const p = periodOf(cells.get(PERIOD_COLUMN) ?? '');
        seen.add(p);
        return p;
      },
      [PERIOD_COLUMN],
    );
    const empty: number[] = [];
    for (let p = first; p < toMs; p += periodMs) if (!seen.has(p)) empty.push(p);
    if (empty.length > 0) {
      const [s, e] = this.windowOf(empty[0]);
      const none = await this.run(this.def.query.queryString, s, e);
      for (const p of empty) this.addRows(bySeries, none, () => p);
    }
    return [...bySeries.values()];
  }

  private windowOf(start: number): [number, number] {
    const end = start + this.def.period * 1000;
    return [end - (this.def.query.window ?? this.def.period) * 1000, end - 1];
  }

  async series(fromMs: number, toMs: number): Promise<Series[]> {
    const q = this.def.query;
    const binned = this.binned ? binnedQuery(q.queryString, this.def.period, q.window) : undefined;
    if (binned) return this.binnedSeries(binned, fromMs, toMs);
    const periodMs = this.def.period * 1000;
    const bySeries = new Map<string, Series>();
    for (let p = Math.floor(fromMs / periodMs) * periodMs; p < toMs; p += periodMs) {
      const [s, e] = this.windowOf(p);
      this.addRows(bySeries, await this.run(q.queryString, s, e), () => p);
    }
    return [...bySeries.values()];
  }

  async explain(series: Series, start: number): Promise<Explanation> {
    return { drivers: [], previousValue: series.values.get(start - this.def.period * 1000) ?? null };
  }

  consoleView(_series: Series, start: number): ConsoleView {
    const [s, e] = this.windowOf(start);
    return { queryString: this.def.query.queryString, logGroups: this.def.query.logGroups, start: s, end: e };
  }
}
