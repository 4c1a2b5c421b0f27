import type { DuckDBConnection } from '@duckdb/node-api';
import { isDurableCommitFailure } from './failures.js';

/**
 * Runs fn inside BEGIN/COMMIT on one connection, rolled back when it throws (the error is
 * rethrown; a failed ROLLBACK, as after DuckDB has already aborted the transaction, is not).
 * Callers serialise their own use of the connection: DuckDB has one transaction per connection.
 *
 * A COMMIT that DuckDB reports as failed only because the checkpoint after it failed (a full
 * disk) is durable: it counts as committed, so a writer acknowledges what is really stored and a
 * client does not send it again. The store is invalidated then, and the server reopens it.
 */
export async function inTransaction<T>(conn: DuckDBConnection, fn: () => Promise<T>): Promise<T> {
  await conn.run('BEGIN TRANSACTION');
  let r: T;
  try {
    r = await fn();
  } catch (e) {
    await rollback(conn);
    throw e;
  }
  try {
    await conn.run('COMMIT');
  } catch (e) {
    if (isDurableCommitFailure(e)) return r;
    await rollback(conn);
    throw e;
  }
  return r;
}

async function rollback(conn: DuckDBConnection): Promise<void> {
  try {
    await conn.run('ROLLBACK');
  } catch {
    /* already rolled back */
  }
}
