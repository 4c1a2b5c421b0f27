import type { DuckDBConnection } from '@duckdb/node-api';
import type { Store } from '../store/store.js';

/**
 * Metric filters, stored for the alarms to evaluate (PutMetricFilter and friends write them).
 * The table belongs to src/cloudwatch and is created on first use, not by schema.ts.
 */
export const METRIC_FILTERS_DDL = `CREATE TABLE IF NOT EXISTS cw_metric_filters (
  log_group VARCHAR NOT NULL,
  filter_name VARCHAR NOT NULL,
  filter_pattern VARCHAR NOT NULL,
  metric_transformations VARCHAR NOT NULL,
  apply_on_transformed_logs BOOLEAN NOT NULL DEFAULT false,
  field_selection_criteria VARCHAR,
  emit_system_field_dimensions VARCHAR,
  creation_ts BIGINT NOT NULL,
  PRIMARY KEY (log_group, filter_name)
)`;

export interface MetricTransformation {
  metricName: string;
  metricNamespace: string;
  /** A literal number ("1") or a field reference (`$.path` / `$name`). */
  metricValue: string;
  defaultValue?: number;
  /** Dimension name -> field reference; at most 3. */
  dimensions?: Record<string, string>;
  unit?: string;
}

export interface MetricFilter {
  logGroupName: string;
  filterName: string;
  filterPattern: string;
  metricTransformations: MetricTransformation[];
  creationTime: number;
  applyOnTransformedLogs: boolean;
  fieldSelectionCriteria?: string;
  emitSystemFieldDimensions?: string[];
}

export interface MetricFilterQuery {
  logGroupName?: string;
  filterNamePrefix?: string;
  metricName?: string;
  metricNamespace?: string;
}

type Conn = Pick<DuckDBConnection, 'run' | 'runAndReadAll'>;

/** Reads and writes cw_metric_filters; safe to open several times (CREATE IF NOT EXISTS). */
export class MetricFilterStore {
  private constructor(private readonly conn: Conn) {}

  /** Opens over a connection of its own (or the one given), creating the table when missing. */
  static async open(store: Store, conn?: Conn): Promise<MetricFilterStore> {
    const c = conn ?? (await store.connect());
    await c.run(METRIC_FILTERS_DDL);
    return new MetricFilterStore(c);
  }

  async put(f: MetricFilter): Promise<void> {
    await this.conn.run(
      `INSERT INTO cw_metric_filters VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (log_group, filter_name) DO UPDATE SET filter_pattern = excluded.filter_pattern,
         metric_transformations = excluded.metric_transformations, apply_on_transformed_logs = excluded.apply_on_transformed_logs,
         field_selection_criteria = excluded.field_selection_criteria, emit_system_field_dimensions = excluded.emit_system_field_dimensions`,
      [
        f.logGroupName,
        f.filterName,
        f.filterPattern,
        JSON.stringify(f.metricTransformations),
        f.applyOnTransformedLogs,
        f.fieldSelectionCriteria ?? null,
        f.emitSystemFieldDimensions ? JSON.stringify(f.emitSystemFieldDimensions) : null,
        BigInt(f.creationTime),
      ],
    );
  }

  async get(logGroupName: string, filterName: string): Promise<MetricFilter | undefined> {
    return (await this.list({ logGroupName })).find((f) => f.filterName === filterName);
  }

  /** Sorted by log group, then filter name (ASCII). */
  async list(q: MetricFilterQuery = {}): Promise<MetricFilter[]> {
    const where: string[] = [];
    const params: string[] = [];
    if (q.logGroupName !== undefined) {
      params.push(q.logGroupName);
      where.push(`log_group = $${params.length}`);
    }
    if (q.filterNamePrefix !== undefined) {
      params.push(q.filterNamePrefix);
      where.push(`starts_with(filter_name, $${params.length})`);
    }
    const r = await this.conn.runAndReadAll(
      `SELECT * FROM cw_metric_filters ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY log_group, filter_name`,
      params,
    );
    const out = r.getRowObjects().map((row): MetricFilter => {
      const f: MetricFilter = {
        logGroupName: String(row.log_group),
        filterName: String(row.filter_name),
        filterPattern: String(row.filter_pattern),
        metricTransformations: JSON.parse(String(row.metric_transformations)) as MetricTransformation[],
        creationTime: Number(row.creation_ts),
        applyOnTransformedLogs: Boolean(row.apply_on_transformed_logs),
      };
      if (row.field_selection_criteria !== null) f.fieldSelectionCriteria = String(row.field_selection_criteria);
      if (row.emit_system_field_dimensions !== null)
        f.emitSystemFieldDimensions = JSON.parse(String(row.emit_system_field_dimensions)) as string[];
      return f;
    });
    if (q.metricName === undefined) return out;
    return out.filter((f) =>
      f.metricTransformations.some((t) => t.metricName === q.metricName && t.metricNamespace === q.metricNamespace),
    );
  }

  /** True when a filter was deleted. */
  async delete(logGroupName: string, filterName: string): Promise<boolean> {
    const existed = (await this.get(logGroupName, filterName)) !== undefined;
    await this.conn.run('DELETE FROM cw_metric_filters WHERE log_group = $1 AND filter_name = $2', [
      logGroupName,
      filterName,
    ]);
    return existed;
  }

  async deleteGroup(logGroupName: string): Promise<void> {
    await this.conn.run('DELETE FROM cw_metric_filters WHERE log_group = $1', [logGroupName]);
  }

  async countsByGroup(): Promise<Map<string, number>> {
    const r = await this.conn.runAndReadAll(
      'SELECT log_group, count(*) AS n FROM cw_metric_filters GROUP BY log_group',
    );
    return new Map(r.getRowObjects().map((row) => [String(row.log_group), Number(row.n)]));
  }
}
