import type { DuckDBConnection } from '@duckdb/node-api';
import { COST_FIELDS, HOT_FIELDS, REQUEST_METADATA_PREFIX } from '../../logs/hot-fields.js';
import { BiError } from '../../util/errors.js';
import { addTo, topDrivers, type Explanation } from '../series.js';

/**
 * Plain SQL over the `events` table's typed columns, for the alarms that aggregate Bedrock
 * records directly (budgets, anomalies) and for their explanations.
 */

/** A SQL expression for a Logs Insights field name of a Bedrock record (hot field or requestMetadata key). */
export function fieldSql(field: string): string {
  if (field.startsWith(REQUEST_METADATA_PREFIX)) {
    const key = field.slice(REQUEST_METADATA_PREFIX.length);
    if (!/^[\w.-]+$/.test(key))
      throw new BiError('ALARM_INVALID', `The requestMetadata key in ${field} may use letters, digits, _ . - only.`);
    return `request_metadata['${key}']`;
  }
  const hot = HOT_FIELDS[field] ?? COST_FIELDS[field];
  if (hot) return hot.column;
  throw new BiError(
    'ALARM_INVALID',
    `${field} is not a field alarms can group by: use requestMetadata.<key> or one of ${Object.keys(HOT_FIELDS).join(', ')}.`,
  );
}

export const METRIC_SQL: Record<string, string> = {
  tokens: 'sum(coalesce(input_tokens, 0) + coalesce(output_tokens, 0))',
  inputTokens: 'sum(coalesce(input_tokens, 0))',
  outputTokens: 'sum(coalesce(output_tokens, 0))',
  requests: 'count(*)',
  cost: 'sum(coalesce(cost_total, 0))',
};

/** The Logs Insights spelling of the same metrics (console links). */
export const METRIC_INSIGHTS: Record<string, string> = {
  tokens: 'sum(input.inputTokenCount + output.outputTokenCount)',
  inputTokens: 'sum(input.inputTokenCount)',
  outputTokens: 'sum(output.outputTokenCount)',
  requests: 'count(*)',
  cost: 'sum(cost.total)',
};

/** Collects WHERE clauses whose $-parameters are numbered after `first - 1` fixed ones. */
export class Where {
  readonly clauses: string[] = [];
  readonly params: string[] = [];
  constructor(private readonly first: number) {}
  eq(expr: string, value: string): this {
    this.params.push(value);
    this.clauses.push(`${expr} = $${this.first + this.params.length - 1}`);
    return this;
  }
  groups(groups: readonly string[]): this {
    if (groups.length === 0) return this;
    const refs = groups.map((g) => {
      this.params.push(g);
      return `$${this.first + this.params.length - 1}`;
    });
    this.clauses.push(`log_group IN (${refs.join(', ')})`);
    return this;
  }
  get sql(): string {
    return this.clauses.join(' AND ');
  }
}

export function groupsWhere(groups: readonly string[], firstParam: number): { sql: string; params: string[] } {
  if (groups.length === 0) return { sql: '', params: [] };
  return { sql: ` AND log_group IN (${groups.map((_, i) => `$${firstParam + i}`).join(', ')})`, params: [...groups] };
}

const DRIVER_DIMS: Record<string, string> = {
  tenant: `request_metadata['tenant_id']`,
  user: `request_metadata['user_id']`,
  model: 'model_id',
  application: `request_metadata['application_name']`,
};

/**
 * Drivers of `metric` among Bedrock records matching `where` (SQL over events with $-params
 * starting at $5), in [cur) against [prev).
 */
export async function explainFromEvents(
  conn: DuckDBConnection,
  o: {
    metric: string;
    where: string;
    params: (string | number)[];
    cur: [number, number];
    prev: [number, number];
    skip?: string[];
  },
): Promise<Explanation> {
  const cur = new Map<string, Map<string, number>>();
  const prev = new Map<string, Map<string, number>>();
  const params = [BigInt(o.cur[0]), BigInt(o.cur[1]), BigInt(o.prev[0]), BigInt(o.prev[1]), ...o.params];
  const range = `((ts >= $1 AND ts < $2) OR (ts >= $3 AND ts < $4))${o.where ? ` AND ${o.where}` : ''}`;
  const isCur = '(ts >= $1 AND ts < $2)';
  const metricSql = METRIC_SQL[o.metric] ?? METRIC_SQL.tokens;
  for (const [dim, expr] of Object.entries(DRIVER_DIMS)) {
    if (o.skip?.includes(dim)) continue;
    const r = await conn.runAndReadAll(
      `SELECT ${isCur} AS cur, ${expr} AS v, ${metricSql} AS amount FROM events WHERE kind = 'bedrock' AND ${range} AND ${expr} IS NOT NULL GROUP BY ALL`,
      params,
    );
    for (const row of r.getRows()) addTo(row[0] ? cur : prev, dim, String(row[1]), Number(row[2]));
  }
  if (o.metric === 'tokens' || o.metric === 'cost') {
    const kinds =
      o.metric === 'tokens'
        ? { inputTokens: 'sum(coalesce(input_tokens, 0))', outputTokens: 'sum(coalesce(output_tokens, 0))' }
        : {
            input: 'sum(coalesce(cost_input, 0))',
            output: 'sum(coalesce(cost_output, 0))',
            cacheRead: 'sum(coalesce(cost_cache_read, 0))',
            cacheWrite: 'sum(coalesce(cost_cache_write, 0))',
          };
    const r = await conn.runAndReadAll(
      `SELECT ${isCur} AS cur, ${Object.entries(kinds)
        .map(([k, e]) => `${e} AS ${k}`)
        .join(', ')} FROM events WHERE kind = 'bedrock' AND ${range} GROUP BY ALL`,
      params,
    );
    for (const row of r.getRowObjects())
      for (const k of Object.keys(kinds))
        addTo(row.cur ? cur : prev, o.metric === 'tokens' ? 'tokenKind' : 'costKind', k, Number(row[k]));
  }
  // The same parameter list as above ($1/$2 must appear: DuckDB binds every value it is given).
  const prevTotal = await conn.runAndReadAll(
    `SELECT ${metricSql} FROM events WHERE kind = 'bedrock' AND ts >= $3 AND ts < $4${o.where ? ` AND ${o.where}` : ''} AND $1 <= $2`,
    params,
  );
  return {
    drivers: topDrivers(cur, prev).filter((d) => d.items.length > 0),
    previousValue: Number(prevTotal.getRows()[0]?.[0] ?? 0),
  };
}
