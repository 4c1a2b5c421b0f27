import { BiError } from '../util/errors.js';
import { withDb } from '../store/db.js';
import { eventAt } from '../store/events.js';
import type { Store } from '../store/store.js';
import type { LogRecord } from '../contracts/wire.js';
import { decodePtr } from '../insights/format.js';

/** The full event behind a result row's @ptr (the expandable row of plain log queries). */
export type { LogRecord };

export async function readRecord(store: Store, ptr: string): Promise<LogRecord> {
  const loc = decodePtr(ptr);
  if (!loc)
    throw new BiError('INVALID_REQUEST', 'That @ptr is not valid; run the query again and expand a row of its result.');
  const row = await withDb(store, (db) => eventAt(db, loc));
  if (!row) throw new BiError('NOT_FOUND', 'That record is no longer in the store (retention may have removed it).');
  let message: unknown = row.message;
  try {
    message = JSON.parse(row.message);
  } catch {
    // a generic log line: show it as text
  }
  return {
    logGroup: row.logGroup,
    logStream: row.logStream,
    timestamp: row.ts,
    ingestionTime: row.ingestionTs,
    message,
  };
}
