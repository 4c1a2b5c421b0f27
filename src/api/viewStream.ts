import type { ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';
import type { QueryResult, ResultRow } from '../engines/engine.js';
import { viewMeta, type ConsoleQuery } from './queries.js';

/**
 * A query's view (the JSON of src/contracts/wire.ts QueryView) written as it is serialised, a chunk at
 * a time with the socket's back-pressure, instead of one JSON string: 20 clients polling 20 large
 * results at once held 20 copies of ~100 MB each (the campaign's 7.4 GB). Only the rows the
 * registry keeps anyway stay in memory. Rows become objects keyed by field, as before.
 */
const CHUNK_CHARS = 64 * 1024;

function rowJson(row: ResultRow): string {
  let s = '{';
  for (let i = 0; i < row.length; i++) {
    const f = row[i];
    s += (i ? ',' : '') + JSON.stringify(f.field) + ':' + JSON.stringify(f.value);
  }
  return s + '}';
}

/** Resolves when the socket takes more data again, or is gone. */
export function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** Writes the view; resolves true when it was written whole (the client got it). */
export async function sendView(reply: FastifyReply, q: ConsoleQuery, r: QueryResult): Promise<boolean> {
  reply.hijack();
  const res = reply.raw;
  const meta = JSON.stringify(viewMeta(q, r));
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  let buf = meta.slice(0, -1) + ',"rows":[';
  const rows = r.rows;
  const n = rows.length; // a running query's rows grow meanwhile: this view has the first n
  for (let i = 0; i < n; i++) {
    if (res.destroyed) return false;
    buf += (i ? ',' : '') + rowJson(rows[i]);
    if (buf.length >= CHUNK_CHARS) {
      const more = res.write(buf);
      buf = '';
      if (!more) await drained(res);
    }
  }
  if (res.destroyed) return false;
  res.end(buf + ']}');
  return true;
}
