/**
 * The logical field map of Bedrock records: which Logs Insights field names are typed columns of
 * the `events` table, and of which type. The query language (src/insights), the alarms and the
 * reports read it to resolve field names; src/store/schema.ts declares the columns from it. It is
 * part of what a record is, so it lives here, below every reader, and imports nothing but the
 * event shape beside it.
 */
import type { StoredEvent } from './event.js';

/**
 * The typed columns of Bedrock records, declared once: the Logs Insights field, the `events`
 * column, its type, where it sits in the record (JSON path) and in a StoredEvent. The store's DDL
 * and writer, the bulk normaliser's projection and the query language's field map
 * (HOT_FIELDS) are all derived from this list, in this order.
 */
export const HOT_COLUMNS = [
  { field: 'accountId', column: 'account_id', type: 'string', event: 'accountId' },
  { field: 'region', column: 'region', type: 'string', event: 'region' },
  { field: 'inferenceRegion', column: 'inference_region', type: 'string', event: 'inferenceRegion' },
  { field: 'operation', column: 'operation', type: 'string', event: 'operation' },
  { field: 'modelId', column: 'model_id', type: 'string', event: 'modelId' },
  { field: 'identity.arn', column: 'identity_arn', type: 'string', event: 'identityArn' },
  { field: 'requestId', column: 'request_id', type: 'string', event: 'requestId' },
  { field: 'errorCode', column: 'error_code', type: 'string', event: 'errorCode' },
  { field: 'input.inputTokenCount', column: 'input_tokens', type: 'number', event: 'inputTokens' },
  { field: 'output.outputTokenCount', column: 'output_tokens', type: 'number', event: 'outputTokens' },
  { field: 'input.cacheReadInputTokenCount', column: 'cache_read_tokens', type: 'number', event: 'cacheReadTokens' },
  { field: 'input.cacheWriteInputTokenCount', column: 'cache_write_tokens', type: 'number', event: 'cacheWriteTokens' },
] as const satisfies readonly {
  field: string;
  column: string;
  type: 'string' | 'number';
  /** The StoredEvent property holding the value (src/logs/event.ts). */
  event: keyof StoredEvent;
}[];

export type HotColumn = (typeof HOT_COLUMNS)[number];
/** An `events` column of a hot field. */
export type HotColumnName = HotColumn['column'];

/** SQL type of a hot column in the store: text, or a token count. */
export function hotColumnType(c: HotColumn): 'VARCHAR' | 'BIGINT' {
  return c.type === 'string' ? 'VARCHAR' : 'BIGINT';
}

/** Where a hot field sits in the record: its dotted field name as a JSON path. */
export function hotJsonPath(c: HotColumn): string[] {
  return c.field.split('.');
}

/** Hot Logs Insights field name -> events column, for Bedrock records (derived from HOT_COLUMNS). */
export const HOT_FIELDS: Readonly<Record<string, { column: string; type: 'string' | 'number' }>> = Object.fromEntries(
  HOT_COLUMNS.map((c) => [c.field, { column: c.column, type: c.type }]),
);

/** All tokens of a Bedrock row (SQL over the events columns). */
const ALL_TOKENS_SQL =
  'coalesce(input_tokens, 0) + coalesce(output_tokens, 0) + coalesce(cache_read_tokens, 0) + coalesce(cache_write_tokens, 0)';

/**
 * The tokens of a Bedrock row that carry no price: all of them when the row has no price at all
 * (price_version NULL), else the cache reads / writes whose own cost is NULL (a model priced for
 * input and output but not for that cache class). 0 for a fully priced row; NULL for other rows.
 * Derived from the cost columns, so it is always in step with them (no column to keep current).
 */
export const UNPRICED_TOKENS_SQL = `(CASE WHEN kind <> 'bedrock' THEN NULL WHEN price_version IS NULL THEN ${ALL_TOKENS_SQL} ELSE (CASE WHEN cost_cache_read IS NULL THEN coalesce(cache_read_tokens, 0) ELSE 0 END) + (CASE WHEN cost_cache_write IS NULL THEN coalesce(cache_write_tokens, 0) ELSE 0 END) END)`;

/**
 * What part of a Bedrock row is unpriced: 'all' (no price at all), or the token classes without
 * a price ('cacheRead', 'cacheWrite', 'cacheRead,cacheWrite'); NULL when the row is fully priced.
 */
export const UNPRICED_PARTS_SQL = `(CASE WHEN kind <> 'bedrock' THEN NULL WHEN price_version IS NULL THEN 'all' ELSE nullif(concat_ws(',', CASE WHEN cost_cache_read IS NULL AND cache_read_tokens > 0 THEN 'cacheRead' END, CASE WHEN cost_cache_write IS NULL AND cache_write_tokens > 0 THEN 'cacheWrite' END), '') END)`;

/**
 * Derived cost fields of Bedrock records (USD), computed by src/pricing, not present in @message.
 * NULL (missing) means not priced; failed invocations cost 0. A partly priced invocation (a model
 * with input and output prices but none for a cache class it used) has cost.total = the priced
 * classes, the unpriced class's cost NULL, and says so in cost.unpriced / cost.unpricedTokens:
 * `sum(cost.total)` is what is priced, `sum(cost.unpricedTokens)` what is not (never $0).
 * `column` is SQL over the events row: a column name, or an expression for the two derived fields.
 */
export const COST_FIELDS: Readonly<Record<string, { column: string; type: 'string' | 'number' }>> = {
  'cost.input': { column: 'cost_input', type: 'number' },
  'cost.output': { column: 'cost_output', type: 'number' },
  'cost.cacheRead': { column: 'cost_cache_read', type: 'number' },
  'cost.cacheWrite': { column: 'cost_cache_write', type: 'number' },
  'cost.total': { column: 'cost_total', type: 'number' },
  'cost.priceVersion': { column: 'price_version', type: 'string' },
  'cost.unpricedTokens': { column: UNPRICED_TOKENS_SQL, type: 'number' },
  'cost.unpriced': { column: UNPRICED_PARTS_SQL, type: 'string' },
};

/** `requestMetadata.<key>` of Bedrock records reads `request_metadata[key]`. */
export const REQUEST_METADATA_PREFIX = 'requestMetadata.';
