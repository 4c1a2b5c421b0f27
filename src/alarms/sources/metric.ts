import type { DuckDBConnection } from '@duckdb/node-api';
import { parseFilterPattern } from '../../cloudwatch/filterPattern.js';
import type { EmitFilter } from '../../cloudwatch/matchJobs.js';
import { alarmMatchLimits, sharedMatchPool } from '../../cloudwatch/matchPool.js';
import { MetricFilterStore } from '../../cloudwatch/metricFilterStore.js';
import type { Store } from '../../store/store.js';
import type { MetricAlarmDef } from '../definition.js';
import { computeStatistic } from '../statistics.js';
import { compileMetricFilter, type SqlMetricFilter } from './metricSql.js';
import {
  addTo,
  seriesKey,
  topDrivers,
  type ConsoleView,
  type Explanation,
  type Series,
  type SeriesSource,
} from '../series.js';

/** One metric filter that emits the alarm's metric: stored (PutMetricFilter) or inline. */
export interface EmittingFilter {
  name: string;
  logGroupName?: string;
  filterPattern: string;
  metricValue: string;
  defaultValue?: number;
  dimensions?: Record<string, string>;
}

type Drivers = Map<string, Map<string, number>>;

/** What one series emitted per period start. */
interface Collected {
  labels: Record<string, string>;
  buckets: Map<number, Accumulator>;
  drivers?: Map<number, Drivers>;
}

/** The emitted values of one period, as the partial aggregates SQL returns (plus the values, for percentiles). */
class Accumulator {
  sum = 0;
  count = 0;
  min = Infinity;
  max = -Infinity;
  readonly values: number[] | undefined;
  constructor(keepValues: boolean) {
    this.values = keepValues ? [] : undefined;
  }
  add(v: number): void {
    this.merge(v, 1, v, v, this.values ? [v] : undefined);
  }
  merge(sum: number, count: number, min: number, max: number, values?: number[]): void {
    this.sum += sum;
    this.count += count;
    this.min = Math.min(this.min, min);
    this.max = Math.max(this.max, max);
    if (this.values && values) this.values.push(...values);
  }
  /** CloudWatch's statistic of the period; undefined for an empty one (missing data). */
  statistic(statistic: string): number | undefined {
    if (this.count === 0) return undefined;
    switch (statistic) {
      case 'Sum':
        return this.sum;
      case 'SampleCount':
        return this.count;
      case 'Average':
        return this.sum / this.count;
      case 'Minimum':
        return this.min;
      case 'Maximum':
        return this.max;
    }
    return computeStatistic(statistic, this.values ?? []);
  }
}

const DAY = 86_400_000;

/** The stored filters (cw_metric_filters) emitting namespace/name, plus the definition's inline ones. */
export async function emittingFilters(
  store: Store,
  conn: DuckDBConnection,
  def: MetricAlarmDef,
): Promise<EmittingFilter[]> {
  const out: EmittingFilter[] = [];
  const stored = await (await MetricFilterStore.open(store, conn)).list();
  for (const f of stored) {
    for (const t of f.metricTransformations) {
      if (t.metricName !== def.metric.name || t.metricNamespace !== def.metric.namespace) continue;
      out.push({
        name: f.filterName,
        logGroupName: f.logGroupName,
        filterPattern: f.filterPattern,
        metricValue: t.metricValue,
        ...(t.defaultValue !== undefined ? { defaultValue: t.defaultValue } : {}),
        ...(t.dimensions ? { dimensions: t.dimensions } : {}),
      });
    }
  }
  def.metric.filters.forEach((f, i) => out.push({ ...f, name: f.filterName ?? `inline-${i + 1}` }));
  return out;
}

function sameKeys(a: Record<string, string>, names: readonly string[]): boolean {
  const k = Object.keys(a);
  return k.length === names.length && names.every((n) => n in a);
}

/** `$.a.b` → `a.b` (the Logs Insights name of a JSON field); undefined for forms it cannot say. */
export function insightsField(ref: string): string | undefined {
  const m = /^\$\.([A-Za-z_][\w.]*)$/.exec(ref.trim());
  return m ? m[1] : undefined;
}

function attrsOf(message: string): Record<string, string | undefined> | undefined {
  if (!message.startsWith('{')) return undefined;
  try {
    const j = JSON.parse(message) as { modelId?: unknown; requestMetadata?: Record<string, unknown> };
    const md = j.requestMetadata ?? {};
    const s = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
    return { tenant: s(md.tenant_id), user: s(md.user_id), application: s(md.application_name), model: s(j.modelId) };
  } catch {
    return undefined;
  }
}

export class MetricSource implements SeriesSource {
  private readonly drivers = new WeakMap<Series, Map<number, Drivers>>();

  /** `sql`: filters that compile to SQL read Bedrock rows by aggregation (false: every row through the matcher, the bench's baseline). */
  constructor(
    private readonly conn: DuckDBConnection,
    private readonly def: MetricAlarmDef,
    private readonly filters: EmittingFilter[],
    private readonly sql = true,
  ) {}

  static async create(
    store: Store,
    conn: DuckDBConnection,
    def: MetricAlarmDef,
    o: { sql?: boolean } = {},
  ): Promise<MetricSource> {
    return new MetricSource(conn, def, await emittingFilters(store, conn, def), o.sql ?? true);
  }

  get filterCount(): number {
    return this.filters.length;
  }

  /** Which emission dimension sets this alarm watches, and under which series labels. */
  private labelsFor(dims: Record<string, string>): Record<string, string> | undefined {
    const m = this.def.metric;
    if (m.perDimension) return sameKeys(dims, m.perDimension) ? dims : undefined;
    const want = m.dimensions ?? {};
    if (!sameKeys(dims, Object.keys(want))) return undefined;
    return Object.entries(want).every(([k, v]) => dims[k] === v) ? {} : undefined;
  }

  async series(fromMs: number, toMs: number): Promise<Series[]> {
    const out: Series[] = [];
    for (const [key, s] of await this.collect(fromMs, toMs, this.sql)) {
      const values = new Map<number, number>();
      for (const [start, acc] of s.buckets) {
        const v = acc.statistic(this.def.metric.statistic);
        if (v !== undefined) values.set(start, v);
      }
      const series: Series = { key, labels: s.labels, values };
      if (s.drivers) this.drivers.set(series, s.drivers);
      out.push(series);
    }
    return out;
  }

  /**
   * Per series, per period: the emitted values (and, from the matcher, what drove them). With
   * `sql`, filters that compile to SQL read Bedrock rows as one aggregation (no drivers: explain
   * reads them for its two periods) and only the other rows go through the matcher.
   */
  private async collect(fromMs: number, toMs: number, sql: boolean): Promise<Map<string, Collected>> {
    const bySeries = new Map<string, Collected>();
    const compiled = this.filters.map((f) => {
      parseFilterPattern(f.filterPattern); // an invalid stored pattern fails here, before any work
      const emit: EmitFilter = {
        filterPattern: f.filterPattern,
        metricValue: f.metricValue,
        ...(f.defaultValue !== undefined ? { defaultValue: f.defaultValue } : {}),
        ...(f.dimensions ? { dimensions: f.dimensions } : {}),
        ...(f.logGroupName !== undefined ? { logGroupName: f.logGroupName } : {}),
      };
      return { f, emit, kind: insightsField(f.metricValue) ?? f.name };
    });
    const groups = compiled.every((c) => c.f.logGroupName !== undefined)
      ? [...new Set(compiled.map((c) => c.f.logGroupName!))]
      : undefined;
    if (compiled.length === 0 || (groups && groups.length === 0)) return bySeries;
    const asSql = sql ? this.filters.map((f) => compileMetricFilter(f)) : [];
    const allSql = asSql.length > 0 && asSql.every((x) => x !== undefined);
    const bucketOf = (labels: Record<string, string>, start: number): Accumulator => {
      const key = seriesKey(labels);
      let s = bySeries.get(key);
      if (!s) bySeries.set(key, (s = { labels, buckets: new Map() }));
      let b = s.buckets.get(start);
      if (!b) s.buckets.set(start, (b = new Accumulator(this.needsValues)));
      return b;
    };
    if (allSql) await this.collectSql(asSql, fromMs, toMs, bucketOf);
    await this.collectMatched(compiled, groups, fromMs, toMs, allSql, bySeries, bucketOf);
    return bySeries;
  }

  private get needsValues(): boolean {
    return /^p/.test(this.def.metric.statistic);
  }

  private async collectSql(
    filters: SqlMetricFilter[],
    fromMs: number,
    toMs: number,
    bucketOf: (labels: Record<string, string>, start: number) => Accumulator,
  ): Promise<void> {
    const periodMs = this.def.period * 1000;
    for (const f of filters) {
      const params: (bigint | string)[] = [BigInt(fromMs), BigInt(toMs), BigInt(periodMs)];
      let where = `kind = 'bedrock' AND ts >= $1 AND ts < $2`;
      if (f.logGroupName !== undefined) {
        params.push(f.logGroupName);
        where += ` AND log_group = $4`;
      }
      // A filter with a default value emits it for every event it does not match (and has no dimensions).
      const v =
        f.defaultValue !== undefined ? `CASE WHEN ${f.matches} THEN ${f.value} ELSE ${f.defaultValue} END` : f.value;
      if (f.defaultValue === undefined) where += ` AND ${f.matches}`;
      const dims = f.dimensions.map(([, d], i) => `${d} AS d${i}`);
      const r = await this.conn.runAndReadAll(
        `SELECT p, ${f.dimensions.map((_, i) => `d${i}, `).join('')}sum(v), count(v), min(v), max(v)${this.needsValues ? ', list(v)' : ''}
         FROM (SELECT (ts // $3) * $3 AS p, ${[...dims, `${v} AS v`].join(', ')} FROM events WHERE ${where})
         WHERE v IS NOT NULL${f.dimensions.map((_, i) => ` AND d${i} IS NOT NULL`).join('')} GROUP BY ALL`,
        params,
      );
      const n = f.dimensions.length;
      for (const row of r.getRows()) {
        const dimValues: Record<string, string> = {};
        f.dimensions.forEach(([name], i) => (dimValues[name] = String(row[1 + i])));
        const labels = this.labelsFor(dimValues);
        if (!labels) continue;
        const list = this.needsValues ? (row[5 + n] as { items: unknown[] }).items.map(Number) : undefined;
        bucketOf(labels, Number(row[0])).merge(
          Number(row[1 + n]),
          Number(row[2 + n]),
          Number(row[3 + n]),
          Number(row[4 + n]),
          list,
        );
      }
    }
  }

  private async collectMatched(
    compiled: { f: EmittingFilter; emit: EmitFilter; kind: string }[],
    groups: string[] | undefined,
    fromMs: number,
    toMs: number,
    otherRowsOnly: boolean,
    bySeries: Map<string, Collected>,
    bucketOf: (labels: Record<string, string>, start: number) => Accumulator,
  ): Promise<void> {
    const periodMs = this.def.period * 1000;
    const { chunk, budgetBytes, deadlineMs } = alarmMatchLimits;
    // A day at a time keeps memory flat over long backtests.
    for (let lo = fromMs; lo < toMs; lo += DAY) {
      const hi = Math.min(toMs, lo + DAY);
      const params: (number | bigint | string)[] = [BigInt(lo), BigInt(hi)];
      let where = 'ts >= $1 AND ts < $2';
      if (otherRowsOnly) where += ` AND kind <> 'bedrock'`;
      if (groups) {
        where += ` AND log_group IN (${groups.map((_, i) => `$${i + 3}`).join(', ')})`;
        params.push(...groups);
      }
      const r = await this.conn.runAndReadAll(
        `SELECT ts, log_group, message FROM events WHERE ${where} ORDER BY ts, seq`,
        params,
      );
      const rows = r.getRows();
      // Matching runs on the matching threads, a chunk of events at a time, so a costly stored
      // pattern can neither stall the server nor run unbounded (its chunk fails with a coded error).
      for (let off = 0; off < rows.length; off += chunk) {
        const part = rows.slice(off, off + chunk);
        const messages = part.map((row) => String(row[2]));
        const { emissions } = await sharedMatchPool().emit(
          {
            filters: compiled.map((c) => c.emit),
            messages,
            groups: part.map((row) => String(row[1])),
            budget: budgetBytes,
          },
          { at: Date.now() + deadlineMs, ms: deadlineMs },
        );
        let attrsAt = -1;
        let attrs: Record<string, string | undefined> | undefined;
        for (const e of emissions) {
          const message = messages[e.message];
          const start = Math.floor(Number(part[e.message][0]) / periodMs) * periodMs;
          const labels = this.labelsFor(e.dims);
          if (!labels) continue;
          bucketOf(labels, start).add(e.value);
          if (e.matched) {
            if (attrsAt !== e.message) {
              attrs = attrsOf(message);
              attrsAt = e.message;
            }
            const s = bySeries.get(seriesKey(labels))!;
            s.drivers ??= new Map();
            let d = s.drivers.get(start);
            if (!d) s.drivers.set(start, (d = new Map<string, Map<string, number>>()));
            addTo(d, 'tokenKind', compiled[e.filter].kind, e.value);
            if (attrs)
              for (const dim of ['tenant', 'user', 'model', 'application'] as const) addTo(d, dim, attrs[dim], e.value);
          }
        }
      }
    }
  }

  async explain(series: Series, start: number): Promise<Explanation> {
    const periodMs = this.def.period * 1000;
    // Series read through SQL carry no drivers: the matcher reads them for this period and the one before.
    const d =
      this.drivers.get(series) ??
      (await this.collect(start - periodMs, start + periodMs, false)).get(series.key)?.drivers;
    const cur = d?.get(start) ?? new Map<string, Map<string, number>>();
    const prev = d?.get(start - periodMs) ?? new Map<string, Map<string, number>>();
    // Dimensions that are the series itself (application for a per-application alarm) explain nothing.
    for (const dim of ['application'])
      if (Object.keys(series.labels).length > 0 && (cur.get(dim)?.size ?? 0) <= 1) cur.delete(dim);
    return {
      drivers: topDrivers(cur, prev).filter((x) => x.items.length > 0),
      previousValue: series.values.get(start - periodMs) ?? null,
    };
  }

  consoleView(series: Series, start: number): ConsoleView {
    const periodMs = this.def.period * 1000;
    const first = this.filters[0];
    const filters: string[] = [];
    for (const [name, value] of Object.entries({ ...(this.def.metric.dimensions ?? {}), ...series.labels })) {
      const ref = first?.dimensions?.[name];
      const field = ref ? insightsField(ref) : undefined;
      if (field) filters.push(`filter ${field} = ${JSON.stringify(value)}`);
    }
    const aggs = this.filters.map((f, i) => {
      const field = insightsField(f.metricValue);
      const alias = (field ?? f.name).replace(/[^A-Za-z0-9_]/g, '_') || `f${i + 1}`;
      return field ? `sum(${field}) as ${alias}` : `count(*) as ${alias}`;
    });
    const bin =
      this.def.period % 3600 === 0
        ? `${this.def.period / 3600}h`
        : this.def.period % 60 === 0
          ? `${this.def.period / 60}m`
          : `${this.def.period}s`;
    const queryString = [...filters, `stats ${[...new Set(aggs)].join(', ') || 'count(*)'} by bin(${bin})`].join(
      '\n| ',
    );
    const logGroups = [...new Set(this.filters.map((f) => f.logGroupName).filter((g): g is string => g !== undefined))];
    return { queryString, logGroups, start: start - periodMs, end: start + periodMs - 1 };
  }
}
