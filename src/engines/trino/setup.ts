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
import { DEFAULT_TRINO_TABLE, trinoDdl, type DeliveryTable } from './table.js';

/** A location as Trino's file systems name it: a local folder becomes `local:///abs/path`. */
export function trinoLocation(location: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) return location.replace(/\/+$/, '');
  return `local://${resolve(location)}`;
}

export interface SetupResult {
  table: string;
  /** The statements run, in order. */
  statements: string[];
  replaced: boolean;
}

export async function setupTrinoTable(
  client: TrinoClient,
  layout: DeliveryTable,
  tableName = DEFAULT_TRINO_TABLE,
): Promise<SetupResult> {
  const ddl = trinoDdl({ ...layout, root: trinoLocation(layout.root) }, tableName);
  const statements = [ddl.createSchema];
  await client.query(ddl.createSchema);
  const existing = await showCreate(client, ddl.table);
  if (existing !== null) {
    if (!/\bexternal_location\s*=/.test(existing))
      throw new BiError(
        'TRINO_TABLE_CONFLICT',
        `${ddl.table} already exists and is not an external table; dropping it would delete its data. Choose another name with --table.`,
        { table: ddl.table },
      );
    const drop = `DROP TABLE ${ddl.table}`;
    statements.push(drop);
    await client.query(drop);
  }
  statements.push(ddl.createTable);
  await client.query(ddl.createTable);
  return { table: ddl.table, statements, replaced: existing !== null };
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
