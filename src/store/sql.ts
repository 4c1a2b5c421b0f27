import type { DuckDBConnection } from '@duckdb/node-api';

/** A string literal for SQL text built here (values users control are quoted, never spliced). */
export function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** Rows of VALUES into `target` (a table and its columns), a thousand per statement, then `tail` (an ON CONFLICT clause). */
export async function insertValues(
  conn: DuckDBConnection,
  target: string,
  rows: readonly string[],
  tail = '',
): Promise<void> {
  for (let i = 0; i < rows.length; i += 1000)
    await conn.run(`INSERT INTO ${target} VALUES ${rows.slice(i, i + 1000).join(', ')} ${tail}`);
}
