/**
 * The store's tables. The `events` column set is a contract between the ingest path
 * (src/sources, src/store/writer) and the query engine (src/insights, src/engines):
 * change it only together with both, and bump SCHEMA_VERSION with a migration.
 */
export const SCHEMA_VERSION = 1;

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

export const DDL: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)`,
  `CREATE SEQUENCE IF NOT EXISTS event_seq START 1`,
  // seq: insertion order, the basis of @ptr and of stable tie-breaking.
  // kind: 'bedrock' rows have their hot fields in typed columns; 'generic' rows only in message.
  // cost_*: filled by the pricing stage (NULL = not priced yet / unpriced).
  `CREATE TABLE IF NOT EXISTS events (
    seq BIGINT NOT NULL,
    log_group VARCHAR NOT NULL,
    log_stream VARCHAR NOT NULL,
    ts BIGINT NOT NULL,
    ingestion_ts BIGINT NOT NULL,
    event_key VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    account_id VARCHAR,
    region VARCHAR,
    inference_region VARCHAR,
    operation VARCHAR,
    model_id VARCHAR,
    identity_arn VARCHAR,
    request_id VARCHAR,
    error_code VARCHAR,
    input_tokens BIGINT,
    output_tokens BIGINT,
    cache_read_tokens BIGINT,
    cache_write_tokens BIGINT,
    request_metadata MAP(VARCHAR, VARCHAR),
    cost_input DOUBLE,
    cost_output DOUBLE,
    cost_cache_read DOUBLE,
    cost_cache_write DOUBLE,
    cost_total DOUBLE,
    price_version VARCHAR,
    message VARCHAR NOT NULL
  )`,
  // The catalog of discovered field names per log group (autocompletion, unknown-field warnings).
  `CREATE TABLE IF NOT EXISTS fields (
    log_group VARCHAR NOT NULL,
    field VARCHAR NOT NULL,
    events BIGINT NOT NULL,
    PRIMARY KEY (log_group, field)
  )`,
  `CREATE TABLE IF NOT EXISTS log_groups (
    name VARCHAR PRIMARY KEY,
    created_ts BIGINT NOT NULL,
    retention_days INTEGER,
    generic_events BIGINT NOT NULL DEFAULT 0
  )`,
  `CREATE TABLE IF NOT EXISTS log_streams (
    log_group VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    created_ts BIGINT NOT NULL,
    first_event_ts BIGINT,
    last_event_ts BIGINT,
    last_ingestion_ts BIGINT,
    PRIMARY KEY (log_group, name)
  )`,
  // Checkpoint of files read by `ingest`: a file is skipped when path, size and mtime match for
  // the same log group (the same file ingested into another log group is read again).
  `CREATE TABLE IF NOT EXISTS ingested_files (
    path VARCHAR NOT NULL,
    log_group VARCHAR NOT NULL,
    size BIGINT NOT NULL,
    mtime_ms BIGINT NOT NULL,
    records BIGINT NOT NULL,
    completed_ts BIGINT NOT NULL,
    PRIMARY KEY (path, log_group)
  )`,
];

/**
 * The columns of `events`, read from its DDL above (one column per line): every opener checks that
 * the store has them, so an older or edited layout is refused with their names.
 */
export const EVENTS_COLUMNS: readonly string[] = (() => {
  const ddl = DDL.find((s) => /CREATE TABLE IF NOT EXISTS events\b/.test(s)) ?? '';
  return [...ddl.matchAll(/^\s+([a-z_]+) [A-Z]/gm)].map((m) => m[1]!);
})();
