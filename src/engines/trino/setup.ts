/**
 * `bedrock-insights trino setup`: creates the schema and the table over a delivery location on a
 * running Trino, from the same definition `athena ddl` prints. Running it again replaces the table
 * definition (new account or region folders join the projection); the table is external, so
 * dropping it leaves the log files alone. A managed table of the same name is refused: dropping it
 * would delete its data.
 */
import { resolve } from 'node:path';
import { BiError } from '../../util/errors.js';
import type { TrinoClient } from './client.js';
import { DEFAULT_TRINO_ARCHIVE, trinoArchiveDdl, type ArchiveLocation } from './archive-table.js';
import { DEFAULT_TRINO_TABLE, trinoDdl, type DeliveryTable } from './table.js';

/** A location as Trino's file systems name it: a local folder becomes `local:///abs/path`. */
export function trinoLocation(location: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) return location.replace(/\/+$/, '');
  return `local://${resolve(location)}`;
}

export interface SetupResult {
  /** The records table (the lines table the query engine reads is `linesTableName(table)`). */
  table: string;
  /** The statements run, in order. */
  statements: string[];
  replaced: boolean;
}

/** Creates the records table and the lines table over one delivery location (see table.ts). */
export async function setupTrinoTable(
  client: TrinoClient,
  layout: DeliveryTable,
  tableName = DEFAULT_TRINO_TABLE,
): Promise<SetupResult> {
  const located = { ...layout, root: trinoLocation(layout.root) };
  const tables = (['records', 'lines'] as const).map((kind) => trinoDdl(located, tableName, kind));
  const statements = [tables[0].createSchema];
  await client.query(tables[0].createSchema);
  let replaced = false;
  for (const ddl of tables) {
    if (await dropExternal(client, ddl.table, statements)) replaced = true;
    statements.push(ddl.createTable);
    await client.query(ddl.createTable);
  }
  return { table: tables[0].table, statements, replaced };
}

/**
 * Drops an external table of that name (its files stay) and says whether there was one; refuses a
 * managed table, whose data a DROP would delete.
 */
export async function dropExternal(client: TrinoClient, table: string, statements: string[]): Promise<boolean> {
  const existing = await showCreate(client, table);
  if (existing === null) return false;
  if (!/\bexternal_location\s*=/.test(existing))
    throw new BiError(
      'TRINO_TABLE_CONFLICT',
      `${table} already exists and is not an external table; dropping it would delete its data. Choose another name with --table.`,
      { table },
    );
  const drop = `DROP TABLE ${table}`;
  statements.push(drop);
  await client.query(drop);
  return true;
}

/** `SHOW CREATE TABLE` text, or null when the table does not exist. */
async function showCreate(client: TrinoClient, table: string): Promise<string | null> {
  try {
    const r = await client.query(`SHOW CREATE TABLE ${table}`);
    return String(r.rows[0]?.[0] ?? '');
  } catch (e) {
    if (e instanceof BiError && e.code === 'TRINO_TABLE_NOT_FOUND') return null;
    throw e;
  }
}

/** Creates the archive's three tables (archive-table.ts) over an archive folder or s3:// URL. */
export async function setupTrinoArchive(
  client: TrinoClient,
  archive: ArchiveLocation,
  tableName = DEFAULT_TRINO_ARCHIVE,
): Promise<SetupResult> {
  const ddl = trinoArchiveDdl({ ...archive, root: trinoLocation(archive.root) }, tableName);
  const statements = [ddl.createSchema];
  await client.query(ddl.createSchema);
  let replaced = false;
  for (const t of ddl.tables) {
    if (await dropExternal(client, t.table, statements)) replaced = true;
    statements.push(t.create);
    await client.query(t.create);
  }
  return { table: ddl.tables[0].table, statements, replaced };
}
