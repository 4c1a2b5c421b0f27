import { COST_FIELDS, HOT_FIELDS } from '../logs/hot-fields.js';

/**
 * The store's tables. The `events` column set is a contract between the ingest path
 * (src/sources, src/store/writer) and the query engine (src/insights, src/engines):
 * change it only together with both, and bump SCHEMA_VERSION with a migration.
 */
export const SCHEMA_VERSION = 1;

/**
 * The typed columns of the logical field map (src/logs/hot-fields.ts), in its order; fields
 * derived by an SQL expression over other columns (cost.unpriced…) have no column of their own.
 */
function columns(fields: typeof HOT_FIELDS, numberType: 'BIGINT' | 'DOUBLE'): string {
  return Object.values(fields)
    .filter((f) => /^[a-z_]+$/.test(f.column))
    .map((f) => `${f.column} ${f.type === 'string' ? 'VARCHAR' : numberType},`)
    .join('\n    ');
}

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
    ${columns(HOT_FIELDS, 'BIGINT')}
    request_metadata MAP(VARCHAR, VARCHAR),
    ${columns(COST_FIELDS, 'DOUBLE')}
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
  return [...ddl.matchAll(/^\s+([a-z_]+) [A-Z]/gm)].map((m) => m[1]);
})();
