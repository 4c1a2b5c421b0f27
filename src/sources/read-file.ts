import { createReadStream, existsSync, openSync, readSync, closeSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { rejectReason, REJECT } from '../logs/reasons.js';
import type { ChunkWriter } from './chunk-writer.js';
import { scanJsonDocument } from './json-document.js';
import { decodeBody, offloadSlots, type LoadedBody } from './offload.js';
import { stripBodiesText } from '../logs/strip-text.js';

/** Documents that are not one record per line are read whole; beyond this, ask for NDJSON. */
export const MAX_DOCUMENT_BYTES = 512 * 1024 * 1024;

function isGzip(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(2);
    return readSync(fd, b, 0, 2, 0) === 2 && b[0] === 0x1f && b[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}

export interface ReadFileOptions {
  keepBodies: boolean;
  /** Called with the number of (compressed) bytes read so far from the file. */
  onBytes?: (bytes: number) => void;
}

/**
 * Reads one file into the chunk writer: one record per line (streamed), or a JSON document
 * (pretty record(s), an array of records, a CloudWatch export). Returns the number of records
 * offered. The writer flushes full chunks as it goes; the caller flushes the rest.
 */
export async function readFileInto(path: string, w: ChunkWriter, opts: ReadFileOptions): Promise<number> {
  const raw = createReadStream(path, { highWaterMark: 4 * 1024 * 1024 });
  let bytes = 0;
  raw.on('data', (b: Buffer | string) => {
    bytes += b.length;
    opts.onBytes?.(bytes);
  });
  const input: Readable = isGzip(path) ? raw.pipe(createGunzip()) : raw;
  raw.on('error', (e) => input.destroy(e));
  const inline = opts.keepBodies ? offloadInliner(path) : null;
  // Bodies (prompts) are cut out here, before DuckDB parses the record: less to parse and copy.
  const prep = (t: string): string =>
    opts.keepBodies ? (inline && t.includes('BodyS3Path"') ? inline(t) : t) : stripBodiesText(t);
  let records = 0;
  let ln = 0;
  let rest: Buffer | null = null;
  let mode: 'unknown' | 'lines' | 'document' = 'unknown';
  const doc: Buffer[] = [];
  let docBytes = 0;

  const onLine = (buf: Buffer, s: number, e: number): void => {
    ln++;
    if (e > s && buf[e - 1] === 0x0d) e--; // CRLF
    while (s < e && (buf[s] === 0x20 || buf[s] === 0x09)) s++;
    while (e > s && (buf[e - 1] === 0x20 || buf[e - 1] === 0x09)) e--;
    if (e === s) return;
    let text = buf.toString('utf8', s, e);
    if (ln === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    w.add(ln, prep(text));
    records++;
  };

  for await (const chunk of input as AsyncIterable<Buffer>) {
    let buf: Buffer = rest ? Buffer.concat([rest, chunk]) : chunk;
    rest = null;
    if (mode === 'unknown') {
      const nl = buf.indexOf(0x0a);
      if (nl === -1 && buf.length < 1024 * 1024) {
        rest = buf;
        continue;
      }
      mode = looksLikeDocument(buf.toString('utf8', 0, nl === -1 ? buf.length : nl)) ? 'document' : 'lines';
    }
    if (mode === 'document') {
      doc.push(buf);
      docBytes += buf.length;
      if (docBytes > MAX_DOCUMENT_BYTES) {
        throw new Error(
          `${path} is a single JSON document larger than ${MAX_DOCUMENT_BYTES >> 20} MB; convert it to one record per line (for example: jq -c '.[]' file.json > file.jsonl)`,
        );
      }
      continue;
    }
    let s = 0;
    for (let i = buf.indexOf(0x0a, s); i !== -1; i = buf.indexOf(0x0a, s)) {
      onLine(buf, s, i);
      s = i + 1;
      if (w.full) await w.flush();
    }
    rest = s < buf.length ? buf.subarray(s) : null;
  }
  if (mode === 'unknown' && rest) mode = looksLikeDocument(rest.toString('utf8')) ? 'document' : 'lines';
  if (mode === 'lines') {
    if (rest) onLine(rest, 0, rest.length);
    return records;
  }
  if (mode === 'document') {
    if (rest) doc.push(rest);
    records += readDocument(Buffer.concat(doc).toString('utf8'), w, prep);
  }
  return records;
}

/** A first line that is `{` / `[` alone, or a whole CloudWatch export, means a JSON document. */
function looksLikeDocument(firstLine: string): boolean {
  const t = firstLine.replace(/^\uFEFF/, '').trim();
  if (t === '{' || t.startsWith('[')) return true;
  if (!t.startsWith('{')) return false;
  try {
    const v = JSON.parse(t) as Record<string, unknown>;
    return Array.isArray(v.events) && !('modelId' in v);
  } catch {
    return !t.endsWith('}'); // a record spread over several lines
  }
}

function readDocument(text: string, w: ChunkWriter, prep: (t: string) => string): number {
  const scanned = scanJsonDocument(text);
  let records = 0;
  const stage = (line: number, value: unknown): void => {
    w.add(line, prep(JSON.stringify(value)));
    records++;
  };
  for (const v of scanned.values) {
    let value: unknown;
    try {
      value = JSON.parse(text.slice(v.start, v.end));
    } catch {
      w.reject(v.line, rejectReason(REJECT.MALFORMED_JSON));
      continue;
    }
    if (Array.isArray(value)) {
      value.forEach((el, i) => stage(v.elementLines[i] ?? v.line, el));
    } else if (
      value !== null &&
      typeof value === 'object' &&
      Array.isArray((value as { events?: unknown }).events) &&
      !('modelId' in value)
    ) {
      const events = (value as { events: unknown[] }).events;
      events.forEach((e, i) => {
        const line = v.eventLines[i] ?? v.line;
        records++;
        if (e === null || typeof e !== 'object') return w.reject(line, 'CloudWatch event is not an object');
        const ev = e as { timestamp?: unknown; message?: unknown; ingestionTime?: unknown; logStreamName?: unknown };
        if (typeof ev.timestamp !== 'number' || !Number.isFinite(ev.timestamp)) {
          return w.reject(line, 'CloudWatch event timestamp must be epoch milliseconds', 'timestamp');
        }
        const msg =
          typeof ev.message === 'string'
            ? ev.message.trim()
            : ev.message !== null && typeof ev.message === 'object'
              ? JSON.stringify(ev.message)
              : null;
        if (msg === null) return w.reject(line, 'CloudWatch event message must be a JSON string or object', 'message');
        const ing =
          typeof ev.ingestionTime === 'number' && Number.isFinite(ev.ingestionTime) ? ev.ingestionTime : undefined;
        const stream = typeof ev.logStreamName === 'string' && ev.logStreamName !== '' ? ev.logStreamName : undefined;
        w.add(line, prep(msg), ev.timestamp, ing, stream);
      });
    } else {
      stage(v.line, value);
    }
  }
  if (scanned.error) {
    records++;
    w.reject(scanned.error.line, rejectReason(REJECT.MALFORMED_JSON));
  }
  return records;
}

/**
 * With --keep-bodies, for a file of the S3 delivery layout: puts the offloaded bodies
 * (`HH/data/<requestId>_input.json.gz`, `_output.json.gz`) back into the record as
 * input.inputBodyJson / output.outputBodyJson, next to the S3 path (which is kept).
 */
export function offloadInliner(file: string): ((text: string) => string) | null {
  const dataDir = join(dirname(file), 'data');
  if (!existsSync(dataDir)) return null;
  const load = (s3Path: unknown): LoadedBody => {
    if (typeof s3Path !== 'string' || s3Path === '') return { ok: false };
    const local = join(dataDir, basename(s3Path));
    if (!existsSync(local)) return { ok: false };
    return decodeBody(readFileSync(local));
  };
  return (text: string): string => {
    const found = offloadSlots(text);
    if (!found) return text;
    let changed = false;
    for (const s of found.slots) {
      const b = load(s.s3Path);
      if (b.ok) {
        s.part[s.bodyKey] = b.body;
        changed = true;
      }
    }
    return changed ? JSON.stringify(found.record) : text;
  };
}
