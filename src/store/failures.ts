import { errorMessage } from '../util/errors.js';

/** What to do with a store file that cannot be read. */
export const RECOVERY_HINT =
  'Restore the file from a backup, or move it away and ingest the logs again (npx bedrock-insights ingest PATH --db FILE).';

/**
 * DuckDB's "the database has been invalidated" state: after a fatal error (a failed checkpoint
 * on a full disk) every statement on every connection of the instance fails until the store is
 * opened again. Committed data is in the WAL and comes back on the next open.
 */
export function isStoreInvalidated(e: unknown): boolean {
  return /database has been invalidated|^FATAL Error/m.test(errorMessage(e));
}

/**
 * A commit that DuckDB reports as failed although it is durable: the autocheckpoint after it
 * failed (full disk) and the instance is now invalidated. The data is in the WAL.
 */
export function isDurableCommitFailure(e: unknown): boolean {
  return /COMMIT succeeded and is durable/.test(errorMessage(e));
}

/**
 * An error of a damaged store file (truncated, overwritten) as DuckDB words it, with what to do;
 * undefined for other errors. Used when opening and when a query reads a damaged block.
 */
export function damagedStoreHint(e: unknown): string | undefined {
  const msg = errorMessage(e);
  if (/Could not read enough bytes|Corrupt database file|checksum .*does not match/i.test(msg))
    return `the store file is damaged (${msg.split('\n')[0]}). ${RECOVERY_HINT}`;
  return undefined;
}
