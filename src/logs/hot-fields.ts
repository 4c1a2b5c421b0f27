/**
 * The logical field map of Bedrock records: which Logs Insights field names are typed columns of
 * the `events` table, and of which type. The query language (src/insights), the alarms and the
 * reports read it to resolve field names; src/store/schema.ts declares the columns from it. It is
 * part of what a record is, so it lives here, below every reader, and imports nothing.
 */

/** Hot Logs Insights field name -> events column, for Bedrock records. */
export const HOT_FIELDS: Readonly<Record<string, { column: string; type: 'string' | 'number' }>> = {
  accountId: { column: 'account_id', type: 'string' },
  region: { column: 'region', type: 'string' },
  inferenceRegion: { column: 'inference_region', type: 'string' },
  operation: { column: 'operation', type: 'string' },
  modelId: { column: 'model_id', type: 'string' },
  'identity.arn': { column: 'identity_arn', type: 'string' },
  requestId: { column: 'request_id', type: 'string' },
  errorCode: { column: 'error_code', type: 'string' },
  'input.inputTokenCount': { column: 'input_tokens', type: 'number' },
  'output.outputTokenCount': { column: 'output_tokens', type: 'number' },
  'input.cacheReadInputTokenCount': { column: 'cache_read_tokens', type: 'number' },
  'input.cacheWriteInputTokenCount': { column: 'cache_write_tokens', type: 'number' },
};

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
