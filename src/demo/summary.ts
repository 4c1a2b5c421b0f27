/**
 * The short summary `demo` prints, queried from the store with plain SQL over `events` (not through
 * the Logs Insights engine, so it works whatever state the engine is in).
 */
import type { Store } from '../store/store.js';

export interface StoreSummary {
  records: number;
  firstMs: number | null;
  lastMs: number | null;
  applications: number;
  tenants: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  errors: number;
  untagged: number;
}

/** DuckDB returns BigInt for integer aggregates; this is the one place they become numbers. */
function num(v: unknown): number {
  if (v === null || v === undefined) return 0;
  return typeof v === 'bigint' ? Number(v) : Number(v);
}

/** Summarise the Bedrock events of one account within [startMs, endMs). */
export async function summarizeStore(
  store: Store,
  filter: { accountId?: string; startMs?: number; endMs?: number } = {},
): Promise<StoreSummary> {
  const where: string[] = [`kind = 'bedrock'`];
  const params: Record<string, string | number> = {};
  if (filter.accountId !== undefined) {
    where.push('account_id = $account');
    params.account = filter.accountId;
  }
  if (filter.startMs !== undefined) {
    where.push('ts >= $start');
    params.start = filter.startMs;
  }
  if (filter.endMs !== undefined) {
    where.push('ts < $end');
    params.end = filter.endMs;
  }
  const sql = `SELECT count(*), min(ts), max(ts),
      count(DISTINCT request_metadata['application_name']),
      count(DISTINCT request_metadata['tenant_id']),
      sum(input_tokens), sum(output_tokens), sum(cache_read_tokens), sum(cache_write_tokens),
      count(error_code), count(*) FILTER (WHERE request_metadata IS NULL)
    FROM events WHERE ${where.join(' AND ')}`;
  const reader = await store.connection.runAndReadAll(sql, params);
  const row = reader.getRows()[0] ?? [];
  const records = num(row[0]);
  return {
    records,
    firstMs: records > 0 ? num(row[1]) : null,
    lastMs: records > 0 ? num(row[2]) : null,
    applications: num(row[3]),
    tenants: num(row[4]),
    inputTokens: num(row[5]),
    outputTokens: num(row[6]),
    cacheReadTokens: num(row[7]),
    cacheWriteTokens: num(row[8]),
    errors: num(row[9]),
    untagged: num(row[10]),
  };
}

export function formatSummary(s: StoreSummary): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const iso = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString().replace('.000Z', 'Z'));
  return [
    `Time span:     ${iso(s.firstMs)} .. ${iso(s.lastMs)}`,
    `Records:       ${n(s.records)} (${n(s.errors)} failed, ${n(s.untagged)} without requestMetadata)`,
    `Applications:  ${n(s.applications)}`,
    `Tenants:       ${n(s.tenants)}`,
    `Input tokens:  ${n(s.inputTokens)} (plus ${n(s.cacheReadTokens)} cache read, ${n(s.cacheWriteTokens)} cache write)`,
    `Output tokens: ${n(s.outputTokens)}`,
  ].join('\n');
}
