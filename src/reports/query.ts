import type { Usage } from '../contracts/wire.js';
import type { QueryEngine, ResultRow } from '../engines/engine.js';
import { HOT_FIELDS, REQUEST_METADATA_PREFIX } from '../logs/hot-fields.js';
import { BiError } from '../util/errors.js';
import type { Period } from './period.js';

/**
 * Report figures come from Logs Insights queries run through a QueryEngine, so they are the
 * numbers a user gets by typing the same query. This is the one place results (strings, as
 * CloudWatch returns them) become numbers.
 */
export type Row = Record<string, string | undefined>;

export function rowObject(r: ResultRow): Row {
  const o: Row = {};
  for (const f of r) o[f.field] = f.value;
  return o;
}

export function num(v: string | undefined): number {
  if (v === undefined || v === '') return 0;
  const n = Number(v);
  return Number.isFinite(n) ? n : 0;
}

/** Run a stats query over [period.start, period.end) with no row cap; rows as objects. */
export async function runQuery(
  engine: QueryEngine,
  queryString: string,
  period: Pick<Period, 'start' | 'end'>,
  logGroups?: string[],
): Promise<Row[]> {
  const r = await engine.run({
    queryString,
    startTime: period.start,
    endTime: period.end - 1,
    noRowCap: true,
    ...(logGroups && logGroups.length ? { logGroups } : {}),
  });
  if (r.status !== 'Complete') {
    throw new BiError(
      r.error?.code ?? 'QUERY_FAILED',
      `The report query failed (${r.error?.message ?? r.status}): ${queryString}`,
    );
  }
  return r.rows.map(rowObject);
}

/**
 * The Logs Insights field of an owner key: hot fields (`identity.arn`, `modelId`, `region`…) as
 * they are; anything else is a request-metadata key (`cost_center` -> `requestMetadata.cost_center`).
 */
export function ownerField(by: string): string {
  const k = by.trim();
  if (!k)
    throw new BiError(
      'INVALID_ARGUMENT',
      '--by needs a key: cost_center, tenant_id, application_name, team, identity.arn or any request-metadata key.',
    );
  if (!/^[A-Za-z_@][\w.@-]*$/.test(k))
    throw new BiError(
      'INVALID_ARGUMENT',
      `"${by}" is not a field name; use a request-metadata key like cost_center or a field like identity.arn.`,
    );
  if (k in HOT_FIELDS || k.startsWith(REQUEST_METADATA_PREFIX) || k.startsWith('@')) return k;
  return `${REQUEST_METADATA_PREFIX}${k}`;
}

/** A field name as it may appear in a query (backticks when it has characters like `-`). */
export function q(field: string): string {
  return /^[A-Za-z_@][\w.@]*$/.test(field) ? field : `\`${field}\``;
}

/**
 * Token and cost sums every figure uses, as one stats clause. `cost` is what is priced;
 * `unpricedTokens` / `unpricedRequests` what is not (a partly priced request counts its unpriced
 * cache tokens), so every total can read "$cost + N unpriced tokens" and never "$0.00" alone.
 */
export const USAGE_STATS = [
  'count(*) as requests',
  'sum(input.inputTokenCount) as inputTokens',
  'sum(output.outputTokenCount) as outputTokens',
  'sum(input.cacheReadInputTokenCount) as cacheReadTokens',
  'sum(input.cacheWriteInputTokenCount) as cacheWriteTokens',
  'sum(cost.total) as cost',
  'count(cost.total) as pricedRequests',
  'count(cost.unpriced) as unpricedRequests',
  'sum(cost.unpricedTokens) as unpricedTokens',
].join(', ');

// Defined once in contracts/wire.ts: the console's Cost page reads it over HTTP.
export type { Usage };

export function usageOf(r: Row): Usage {
  return {
    requests: num(r.requests),
    inputTokens: num(r.inputTokens),
    outputTokens: num(r.outputTokens),
    cacheReadTokens: num(r.cacheReadTokens),
    cacheWriteTokens: num(r.cacheWriteTokens),
    cost: num(r.cost),
    pricedRequests: num(r.pricedRequests),
    unpricedRequests: num(r.unpricedRequests),
    unpricedTokens: num(r.unpricedTokens),
  };
}

export function emptyUsage(): Usage {
  return {
    requests: 0,
    inputTokens: 0,
    outputTokens: 0,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    cost: 0,
    pricedRequests: 0,
    unpricedRequests: 0,
    unpricedTokens: 0,
  };
}

export function addUsage(a: Usage, b: Usage): Usage {
  return {
    requests: a.requests + b.requests,
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cacheReadTokens: a.cacheReadTokens + b.cacheReadTokens,
    cacheWriteTokens: a.cacheWriteTokens + b.cacheWriteTokens,
    cost: a.cost + b.cost,
    pricedRequests: a.pricedRequests + b.pricedRequests,
    unpricedRequests: a.unpricedRequests + b.unpricedRequests,
    unpricedTokens: a.unpricedTokens + b.unpricedTokens,
  };
}

export function tokensOf(u: Usage): number {
  return u.inputTokens + u.outputTokens + u.cacheReadTokens + u.cacheWriteTokens;
}

/** Only Bedrock invocations (generic log lines in the same store carry no modelId). */
export const BEDROCK_ONLY = 'filter ispresent(modelId)';
/** Invocations with an unpriced part (unknown model, unmapped profile ARN, a cache class without a price): their own bucket, never $0. */
export const UNPRICED_ONLY = 'filter ispresent(modelId) and ispresent(cost.unpriced)';
