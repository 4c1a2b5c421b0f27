import { BiError } from '../util/errors.js';
import type { Store } from '../store/store.js';
import type { LogRecord } from '../contracts/wire.js';
import { decodePtr } from '../insights/format.js';

/** The full event behind a result row's @ptr (the expandable row of plain log queries). */
export type { LogRecord };

export async function readRecord(store: Store, ptr: string): Promise<LogRecord> {
  const loc = decodePtr(ptr);
  if (!loc)
    throw new BiError('INVALID_REQUEST', 'That @ptr is not valid; run the query again and expand a row of its result.');
  const conn = await store.connect();
  try {
    const r = await conn.runAndReadAll(
      `SELECT log_group, log_stream, ts, ingestion_ts, message FROM events WHERE log_group = $1 AND seq = $2`,
      [loc.logGroup, loc.seq],
    );
    const row = r.getRowObjects()[0];
    if (!row) throw new BiError('NOT_FOUND', 'That record is no longer in the store (retention may have removed it).');
    const text = String(row.message);
    let message: unknown = text;
    try {
      message = JSON.parse(text);
    } catch {
      // a generic log line: show it as text
    }
    return {
      logGroup: String(row.log_group),
      logStream: String(row.log_stream),
      timestamp: Number(row.ts),
      ingestionTime: Number(row.ingestion_ts),
      message,
    };
  } finally {
    conn.closeSync();
  }
}
