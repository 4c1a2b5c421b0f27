import {
  isFieldReference,
  parseFilterPattern,
  type Expr,
  type JsonCond,
  type Selector,
} from '../../cloudwatch/filterPattern.js';
import { HOT_FIELDS, REQUEST_METADATA_PREFIX } from '../../logs/hot-fields.js';
import { sqlString } from '../../store/sql.js';

/**
 * Metric filters as SQL over the typed columns of Bedrock records, so an alarm's series is one
 * aggregation instead of every message of the range parsed and matched (4 s for the built-in
 * alarm over 7 days of demo data; see bench/README.md). Exact only where the typed column holds
 * what the JSON path reaches: ingest stores a Bedrock record's token counts (validated
 * non-negative integers), its string fields and its requestMetadata (string values only) in
 * columns equal to the JSON values. Any other pattern, value or dimension is not compiled and
 * the filter runs through the matcher as before; other rows (kind <> 'bedrock') always do.
 */

export interface SqlMetricFilter {
  /** A boolean SQL expression over an events row: the pattern matches. */
  matches: string;
  /** The metric value (NULL: the event emits nothing). */
  value: string;
  /** Dimension name -> SQL text value (NULL: the event emits nothing). */
  dimensions: [string, string][];
  defaultValue?: number;
  logGroupName?: string;
}

interface Column {
  sql: string;
  type: 'string' | 'number';
}

/** The typed column a JSON selector reaches in a Bedrock record, if any. */
function columnOf(selector: Selector): Column | undefined {
  if (!selector.every((s): s is string => typeof s === 'string' && s !== '*')) return undefined;
  const field = selector.join('.');
  const hot = HOT_FIELDS[field];
  if (hot) return { sql: hot.column, type: hot.type };
  if (selector.length === 2 && field.startsWith(REQUEST_METADATA_PREFIX) && /^[\w.-]+$/.test(selector[1]))
    return { sql: `request_metadata[${sqlString(selector[1])}]`, type: 'string' };
  return undefined;
}

function refColumn(ref: string): Column | undefined {
  const m = /^\$\.([A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)*)$/.exec(ref.trim());
  return m && isFieldReference(ref.trim()) ? columnOf(m[1].split('.')) : undefined;
}

function numberSql(n: number): string {
  return `CAST(${sqlString(String(n))} AS DOUBLE)`;
}

const SQL_OP: Record<string, string> = { '=': '=', '!=': '<>', '<': '<', '<=': '<=', '>': '>', '>=': '>=' };

/** One condition, two-valued (a missing field never matches, as in the matcher). */
function condSql(c: JsonCond): string | undefined {
  if (c.kind !== 'cmp') return undefined;
  const col = columnOf(c.selector);
  if (!col) return undefined;
  const v = c.value;
  if (col.type === 'number' && v.kind === 'number')
    return `coalesce(${col.sql} ${SQL_OP[c.op]} ${numberSql(v.value)}, false)`;
  if (col.type === 'string' && v.kind === 'string' && v.glob === null && (c.op === '=' || c.op === '!='))
    return `coalesce(${col.sql} ${SQL_OP[c.op]} ${sqlString(v.text)}, false)`;
  return undefined;
}

function exprSql(e: Expr<JsonCond>): string | undefined {
  if (e.kind === 'cond') return condSql(e.cond);
  const l = exprSql(e.left);
  const r = exprSql(e.right);
  return l && r ? `(${l} ${e.kind === 'and' ? 'AND' : 'OR'} ${r})` : undefined;
}

/** The filter as SQL over Bedrock rows, or undefined when any part of it is not exactly expressible. */
export function compileMetricFilter(f: {
  filterPattern: string;
  metricValue: string;
  defaultValue?: number;
  dimensions?: Record<string, string>;
  logGroupName?: string;
}): SqlMetricFilter | undefined {
  const p = parseFilterPattern(f.filterPattern);
  const matches = p.kind === 'all' ? 'true' : p.kind === 'json' ? exprSql(p.expr) : undefined;
  if (!matches) return undefined;
  const literal = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(f.metricValue.trim())
    ? Number(f.metricValue.trim())
    : undefined;
  let value: string;
  if (literal !== undefined) {
    if (!Number.isFinite(literal)) return undefined;
    value = numberSql(literal);
  } else {
    const col = refColumn(f.metricValue);
    if (!col || col.type !== 'number') return undefined;
    value = `CAST(${col.sql} AS DOUBLE)`;
  }
  const dimensions: [string, string][] = [];
  for (const [name, ref] of Object.entries(f.dimensions ?? {})) {
    const col = refColumn(ref);
    if (!col) return undefined;
    dimensions.push([name, col.type === 'string' ? col.sql : `CAST(${col.sql} AS VARCHAR)`]);
  }
  return {
    matches,
    value,
    dimensions,
    ...(f.defaultValue !== undefined ? { defaultValue: f.defaultValue } : {}),
    ...(f.logGroupName !== undefined ? { logGroupName: f.logGroupName } : {}),
  };
}
