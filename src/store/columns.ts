import type { DuckDBConnection } from '@duckdb/node-api';
import { REQUEST_METADATA_PREFIX } from '../logs/hot-fields.js';
import { sqlString } from './sql.js';

/**
 * Promoted columns: the request-metadata keys of Bedrock records (application, environment,
 * tenant, team…) are what users group and filter by, and a lookup in the `request_metadata` MAP
 * costs 5–100× a plain column. So each key gets a VARCHAR column of its own in `events`
 * (`md_<key>`) the first time a batch holding it is stored (nothing older has it, so nothing is
 * backfilled), up to MAX_PROMOTED keys; the long tail stays in the MAP only, and the MAP keeps
 * every key, so every `requestMetadata.k` still resolves. `promoted_columns` says which fields
 * have a column: the query engine hands that to the query language (CatalogInfo.columns).
 */

/** Keys beyond this many stay in the MAP only (a wide table costs every INSERT). */
export const MAX_PROMOTED = 32;
/** Column name prefix of promoted request-metadata keys. */
export const MD_PREFIX = 'md_';

export interface PromotedColumn {
  /** The Logs Insights field (`requestMetadata.application_name`). */
  field: string;
  /** Its column in events (`md_application_name`). */
  column: string;
}

/** The promoted columns of a store (none in a store older than schema 2). */
export async function promotedColumns(conn: DuckDBConnection): Promise<PromotedColumn[]> {
  try {
    const r = await conn.runAndReadAll('SELECT field, col FROM promoted_columns ORDER BY created_ts, field');
    return r.getRows().map(([f, c]) => ({ field: String(f), column: String(c) }));
  } catch (e) {
    if (/promoted_columns does not exist/i.test(String(e))) return [];
    throw e;
  }
}

/** A column name for a key: lowercase letters, digits and `_`, unique among `taken`. */
export function columnNameFor(key: string, taken: ReadonlySet<string>): string {
  const base = `${MD_PREFIX}${key
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .slice(0, 48)}`;
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}_${i}`;
  return name;
}

/** The request-metadata key of a catalog field, or undefined for other fields. */
export function metadataKey(field: string): string | undefined {
  return field.startsWith(REQUEST_METADATA_PREFIX) && field.length > REQUEST_METADATA_PREFIX.length
    ? field.slice(REQUEST_METADATA_PREFIX.length)
    : undefined;
}

/**
 * Gives each of `fields` (request-metadata fields, most important first) a column, while fewer
 * than MAX_PROMOTED exist. Adds the columns (NULL for the rows already stored) and records them;
 * returns every promoted column. Runs in the caller's transaction, under the store's write lock
 * (ALTER TABLE fails the commit of a concurrent writer of events).
 */
export async function promote(
  conn: DuckDBConnection,
  fields: readonly string[],
  now: number,
): Promise<PromotedColumn[]> {
  const have = await promotedColumns(conn);
  const known = new Set(have.map((p) => p.field));
  const taken = new Set(have.map((p) => p.column));
  for (const field of fields) {
    if (have.length >= MAX_PROMOTED) break;
    const key = metadataKey(field);
    if (key === undefined || known.has(field)) continue;
    const column = columnNameFor(key, taken);
    await conn.run(`ALTER TABLE events ADD COLUMN ${column} VARCHAR`);
    await conn.run(`INSERT INTO promoted_columns VALUES (${sqlString(field)}, ${sqlString(column)}, ${now})`);
    have.push({ field, column });
    known.add(field);
    taken.add(column);
  }
  return have;
}

/** The SQL reading a promoted column's value from the MAP (for the writer and the backfill). */
export function fromMap(p: PromotedColumn, map = 'request_metadata'): string {
  return `${map}[${sqlString(metadataKey(p.field) ?? '')}]`;
}

/** Rows copied per statement when a store's events are rewritten (the progress line's step). */
const REWRITE_ROWS = 2_000_000;

/**
 * The migration to schema 2: the request-metadata keys the catalog knows, most frequent first,
 * become columns, filled from the MAP. The events table is rewritten in its physical order
 * (keeping the time locality its zone maps rely on) rather than updated in place: one pass, no
 * update chains held in memory.
 */
export async function promoteFromCatalog(conn: DuckDBConnection, progress: (text: string) => void): Promise<void> {
  const fields = (
    await conn.runAndReadAll(
      `SELECT field FROM fields WHERE starts_with(field, ${sqlString(REQUEST_METADATA_PREFIX)})
       GROUP BY field ORDER BY sum(events) DESC, field LIMIT ${MAX_PROMOTED}`,
    )
  )
    .getRows()
    .map((r) => String(r[0]));
  if (fields.length === 0) return;
  const total = Number((await conn.runAndReadAll('SELECT count(*) FROM events')).getRows()[0][0]);
  const now = Date.now();
  if (total === 0) {
    await promote(conn, fields, now);
    return;
  }
  // The new table: today's columns in their order, then the promoted ones.
  const cols = (await conn.runAndReadAll(`SELECT column_name FROM (DESCRIBE events)`))
    .getRows()
    .map((r) => String(r[0]));
  const ddl = String(
    (
      await conn.runAndReadAll(
        `SELECT sql FROM duckdb_tables() WHERE table_name = 'events' AND schema_name = 'main' AND database_name = current_database()`,
      )
    ).getRows()[0][0],
  )
    .replace(/^CREATE TABLE (main\.)?"?events"?/, 'CREATE TABLE events_v2')
    .replace(/;\s*$/, '');
  await conn.run(ddl);
  const promoted: PromotedColumn[] = [];
  const taken = new Set<string>();
  for (const field of fields) {
    const column = columnNameFor(metadataKey(field) ?? field, taken);
    taken.add(column);
    promoted.push({ field, column });
    await conn.run(`ALTER TABLE events_v2 ADD COLUMN ${column} VARCHAR`);
    await conn.run(`INSERT INTO promoted_columns VALUES (${sqlString(field)}, ${sqlString(column)}, ${now})`);
  }
  const select = [...cols, ...promoted.map((p) => `${fromMap(p)} AS ${p.column}`)].join(', ');
  const maxRow = Number((await conn.runAndReadAll('SELECT max(rowid) FROM events')).getRows()[0][0]);
  const say = total >= REWRITE_ROWS / 4;
  for (let from = 0; from <= maxRow; from += REWRITE_ROWS) {
    await conn.run(
      `INSERT INTO events_v2 SELECT ${select} FROM events WHERE rowid >= ${from} AND rowid < ${from + REWRITE_ROWS} ORDER BY rowid`,
    );
    if (say)
      progress(
        `  ${Math.min(100, Math.round(((from + REWRITE_ROWS) / (maxRow + 1)) * 100))}% of ${total.toLocaleString('en-US')} events`,
      );
  }
  await conn.run('DROP TABLE events');
  await conn.run('ALTER TABLE events_v2 RENAME TO events');
}
