import { BiError } from '../util/errors.js';
import type { Store } from '../store/store.js';
import type { LogRecord } from './wire.js';

/**
 * The full event behind a result row's @ptr (the expandable row of plain log queries).
 * The engine owns the @ptr encoding and exports its decoder; it is looked up dynamically so the
 * console keeps building while the engine is being written.
 */
export type { LogRecord };

type Decoder = (ptr: string) => { logGroup: string; seq: number | bigint } | undefined | null;

let decoder: Decoder | null | undefined;
async function findDecoder(): Promise<Decoder | null> {
  if (decoder !== undefined) return decoder;
  decoder = null;
  for (const path of ['./../insights/format.js', './../engines/ptr.js', './../engines/duckdb.js']) {
    const mod = (await import(path).catch(() => null)) as Record<string, unknown> | null;
    const fn = mod?.decodePtr ?? mod?.decodePointer;
    if (typeof fn === 'function') {
      decoder = fn as Decoder;
      break;
    }
  }
  return decoder;
}

export async function readRecord(store: Store, ptr: string): Promise<LogRecord> {
  const decode = await findDecoder();
  if (!decode)
    throw new BiError(
      'ENGINE_UNAVAILABLE',
      'Reading a record by @ptr needs the query engine, which is not available yet.',
    );
  let loc: ReturnType<Decoder>;
  try {
    loc = decode(ptr);
  } catch {
    loc = undefined;
  }
  if (!loc)
    throw new BiError('INVALID_REQUEST', 'That @ptr is not valid; run the query again and expand a row of its result.');
  const conn = await store.connect();
  try {
    const r = await conn.runAndReadAll(
      `SELECT log_group, log_stream, ts, ingestion_ts, message FROM events WHERE log_group = $1 AND seq = $2`,
      [loc.logGroup, BigInt(loc.seq)],
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
