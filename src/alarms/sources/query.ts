import type { QueryEngine } from '../../engines/engine.js';
import { BiError } from '../../util/errors.js';
import type { QueryAlarmDef } from '../definition.js';
import { seriesKey, type ConsoleView, type Explanation, type Series, type SeriesSource } from '../series.js';

/**
 * A Logs Insights query run for each period over the window ending at the period's end; each
 * result row is a series (named by its key columns), its `column` the value.
 */
export class QuerySource implements SeriesSource {
  constructor(
    private readonly engine: QueryEngine,
    private readonly def: QueryAlarmDef,
  ) {}

  private windowOf(start: number): [number, number] {
    const end = start + this.def.period * 1000;
    return [end - (this.def.query.window ?? this.def.period) * 1000, end - 1];
  }

  async series(fromMs: number, toMs: number): Promise<Series[]> {
    const q = this.def.query;
    const periodMs = this.def.period * 1000;
    const bySeries = new Map<string, Series>();
    for (let p = Math.floor(fromMs / periodMs) * periodMs; p < toMs; p += periodMs) {
      const [s, e] = this.windowOf(p);
      const r = await this.engine.run({
        queryString: q.queryString,
        logGroups: q.logGroups,
        startTime: s,
        endTime: e,
        noRowCap: true,
      });
      if (r.status !== 'Complete')
        throw new BiError(
          'ALARM_QUERY_FAILED',
          `The query of alarm ${this.def.name} failed: ${r.error?.message ?? r.status}`,
        );
      if (!r.columns.includes(q.column)) {
        if (r.rows.length === 0) continue;
        throw new BiError(
          'ALARM_INVALID',
          `The query of alarm ${this.def.name} has no column ${q.column} (it has ${r.columns.join(', ')}).`,
        );
      }
      const keys = q.keyColumns ?? r.columns.filter((c) => c !== q.column);
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
        se.values.set(p, v);
      }
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
