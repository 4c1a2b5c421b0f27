import type { DuckDBConnection } from '@duckdb/node-api';

/**
 * Runs fn inside BEGIN/COMMIT on one connection, rolled back when it throws (the error is
 * rethrown; a failed ROLLBACK, as after DuckDB has already aborted the transaction, is not).
 * Callers serialise their own use of the connection: DuckDB has one transaction per connection.
 */
export async function inTransaction<T>(conn: DuckDBConnection, fn: () => Promise<T>): Promise<T> {
  await conn.run('BEGIN TRANSACTION');
  try {
    const r = await fn();
    await conn.run('COMMIT');
    return r;
  } catch (e) {
    try {
      await conn.run('ROLLBACK');
    } catch {
      /* already rolled back */
    }
    throw e;
  }
}
