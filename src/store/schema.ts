import { COST_FIELDS, HOT_COLUMNS, hotColumnType } from '../logs/hot-fields.js';
import { recountCatalog } from './catalog-write.js';
import { promoteFromCatalog } from './columns.js';
import { registerTables, STORE_OWNER } from './registry.js';

/**
 * The store's own tables: events and the catalog. The `events` column set is a contract between
 * the ingest path (src/sources, src/store/writer) and the query engine (src/insights,
 * src/engines): change it only together with both, and bump SCHEMA_VERSION with a migration
 * (STORE_MIGRATIONS below, run by Store.open).
 *
 * Version 2: the request-metadata keys that occur get columns of their own (`md_<key>`, see
 * columns.ts), added as they appear (the MAP keeps every key); log_groups counts its events and
 * their bytes, so nothing reading the catalog scans `events`.
 */
export const SCHEMA_VERSION = 2;

/** The typed columns of the hot fields (src/logs/hot-fields.ts), in its order, one per line. */
const HOT_DDL = HOT_COLUMNS.map((c) => `${c.column} ${hotColumnType(c)},`).join('\n    ');
/** The cost columns; fields derived by an SQL expression over other columns (cost.unpriced…) have none. */
const COST_DDL = Object.values(COST_FIELDS)
  .filter((f) => /^[a-z_]+$/.test(f.column))
  .map((f) => `${f.column} ${f.type === 'string' ? 'VARCHAR' : 'DOUBLE'},`)
  .join('\n    ');

export const DDL: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)`,
  `CREATE SEQUENCE IF NOT EXISTS event_seq START 1`,
  // seq: insertion order, the basis of @ptr and of stable tie-breaking.
  // kind: 'bedrock' rows have their hot fields in typed columns; 'generic' rows only in message.
  // cost_*: filled by the pricing stage (NULL = not priced yet / unpriced).
  // Promoted request-metadata columns (md_*) are added after these, as keys appear.
  // event_key and message (a value per event) are compressed with FSST, which DuckDB chose for
  // them anyway: named here, a checkpoint does not first try a dictionary of a row group's
  // 122,880 distinct values. 1M records with bodies: 37.7-38.0 s instead of 40.2 s, peak memory
  // 690-711 MB instead of 824-840 MB, the same file size. Stores made before keep DuckDB's choice.
  `CREATE TABLE IF NOT EXISTS events (
    seq BIGINT NOT NULL,
    log_group VARCHAR NOT NULL,
    log_stream VARCHAR NOT NULL,
    ts BIGINT NOT NULL,
    ingestion_ts BIGINT NOT NULL,
    event_key VARCHAR NOT NULL USING COMPRESSION fsst,
    kind VARCHAR NOT NULL,
    ${HOT_DDL}
    request_metadata MAP(VARCHAR, VARCHAR),
    ${COST_DDL}
    message VARCHAR NOT NULL USING COMPRESSION fsst
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
    generic_events BIGINT NOT NULL DEFAULT 0,
    events BIGINT NOT NULL DEFAULT 0,
    stored_bytes BIGINT NOT NULL DEFAULT 0
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
  // Fields of the catalog that have a column of their own in events (version 2): which column.
  `CREATE TABLE IF NOT EXISTS promoted_columns (
    field VARCHAR PRIMARY KEY,
    col VARCHAR NOT NULL UNIQUE,
    created_ts BIGINT NOT NULL
  )`,
];

/**
 * The columns every store's `events` table has, read from its DDL above (one column per line):
 * every opener checks that the store has them, so an edited layout is refused with their names.
 * Promoted columns come on top and are checked against `promoted_columns`.
 */
export const EVENTS_COLUMNS: readonly string[] = (() => {
  const ddl = DDL.find((s) => /CREATE TABLE IF NOT EXISTS events\b/.test(s)) ?? '';
  return [...ddl.matchAll(/^\s+([a-z_]+) [A-Z]/gm)].map((m) => m[1]);
})();

/** The store's own tables, their version and the steps from older stores (run by Store.open). */
export const STORE_TABLES = registerTables(STORE_OWNER, SCHEMA_VERSION, DDL, [
  {
    to: 2,
    what: 'event counts in the catalog, and columns of their own for the request-metadata keys',
    async run(conn, progress) {
      await conn.run(`ALTER TABLE log_groups ADD COLUMN IF NOT EXISTS events BIGINT DEFAULT 0`);
      await conn.run(`ALTER TABLE log_groups ADD COLUMN IF NOT EXISTS stored_bytes BIGINT DEFAULT 0`);
      await recountCatalog(conn);
      await promoteFromCatalog(conn, progress);
    },
  },
]);
