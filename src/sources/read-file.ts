import { existsSync, readFileSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { rejectReason, REJECT } from '../logs/reasons.js';
import { jsonDepthExceeds } from '../logs/limits.js';
import type { ChunkWriter } from './chunk-writer.js';
import { decodedBytes } from './decode.js';
import { scanJsonDocument } from './json-document.js';
import { LineSplitter, type Line } from './lines.js';
import { bodiesLeftNote, decodeBody, offloadSlots, withBodies, type LoadedBody } from './offload.js';
import { stripBodiesText } from '../logs/strip-text.js';

/** Documents that are not one record per line are read whole; beyond this, ask for NDJSON. */
export const MAX_DOCUMENT_BYTES = 512 * 1024 * 1024;
/** The first line is looked at for the file's shape: at most this much of it. */
const HEAD_BYTES = 1024 * 1024;

export interface ReadFileOptions {
  keepBodies: boolean;
  /** Called with the number of (compressed) bytes read so far from the file. */
  onBytes?: (bytes: number) => void;
}

export interface FileOutcome {
  /** Records offered: staged, and rejected while reading. */
  records: number;
  /**
   * False when the only outcome was the failure of the whole document (a pretty record or array
   * cut short, a file still being written): it gets no checkpoint, so the next ingest reads it again.
   */
  complete: boolean;
}

/**
 * Reads one file into the chunk writer: one record per line (streamed), or a JSON document
 * (pretty record(s), an array of records, a CloudWatch export). The writer flushes full chunks as
 * it goes; the caller flushes the rest. Errors opening or reading the file are thrown (the caller
 * reports them); bad records, lines and documents are rejected through the writer.
 */
export async function readFileInto(path: string, w: ChunkWriter, opts: ReadFileOptions): Promise<FileOutcome> {
  // Opened first, so that a missing or unreadable file fails here, where the caller catches it,
  // and not later in a stream event nobody listens to (campaign F5).
  const fh = await open(path, 'r');
  const raw = fh.createReadStream({ highWaterMark: 4 * 1024 * 1024 });
  try {
    let bytes = 0;
    const counted = (async function* () {
      for await (const b of raw as AsyncIterable<Buffer>) {
        bytes += b.length;
        opts.onBytes?.(bytes);
        yield b;
      }
    })();
    const notes: string[] = [];
    const input = decodedBytes(counted, { notes, reread: () => readFile(path) });
    try {
      return await readDecoded(path, input, w, opts);
    } finally {
      for (const n of notes) w.note(n);
    }
  } finally {
    raw.destroy();
    await fh.close().catch(() => undefined);
  }
}

async function readDecoded(
  path: string,
  input: AsyncIterable<Buffer>,
  w: ChunkWriter,
  opts: ReadFileOptions,
): Promise<FileOutcome> {
  const inline = opts.keepBodies ? offloadInliner(path) : null;
  // Bodies (prompts) are cut out here, before DuckDB parses the record: less to parse and copy.
  const prep = (t: string): string =>
    opts.keepBodies ? (inline && t.includes('BodyS3Path"') ? inline(t) : t) : stripBodiesText(t);
  try {
    return await readRecords(input, w, prep);
  } finally {
    if (inline && inline.leftOffloaded > 0) w.note(bodiesLeftNote(inline.leftOffloaded));
  }
}

/** The records of decoded text: lines, or a document when the file is one. */
async function readRecords(
  input: AsyncIterable<Buffer>,
  w: ChunkWriter,
  prep: (t: string) => string,
): Promise<FileOutcome> {
  let records = 0;
  const split = new LineSplitter();
  const feed = async (b: Buffer | null): Promise<void> => {
    for (const l of b ? split.push(b) : split.end()) {
      records++;
      if ('reject' in l) w.reject(l.ln, l.reject);
      else w.add(l.ln, prep(l.text));
      if (w.full) await w.flush();
    }
  };
  const it = input[Symbol.asyncIterator]();

  // The shape comes from the first non-blank line that is not a JSON scalar (a stray `5` says
  // nothing); a document is only a candidate until read whole.
  const head: Buffer[] = [];
  let headBytes = 0;
  let shape: 'lines' | 'document' | undefined;
  const probe = new LineSplitter(HEAD_BYTES);
  const decide = (l: Line): 'lines' | 'document' | undefined => {
    if ('reject' in l) return startsDocument(head);
    return l.ln <= MAX_SCALAR_LINES && isScalar(l.text) ? undefined : shapeOf(l.text);
  };
  while (shape === undefined) {
    const n = await it.next();
    if (n.done) {
      for (const l of probe.end()) shape ??= decide(l);
      break;
    }
    head.push(n.value);
    headBytes += n.value.length;
    for (const l of probe.push(n.value)) {
      shape = decide(l);
      if (shape) break;
    }
    if (shape === undefined && headBytes > HEAD_BYTES) shape = startsDocument(head);
  }
  shape ??= 'lines';

  if (shape === 'document') {
    const doc = await readDocumentBytes(head, headBytes, it);
    const outcome = doc.kind === 'document' ? readDocument(doc.text, doc.chunks, w, prep) : 'lines';
    if (outcome !== 'lines') return outcome;
    // Not a document after all (a cut first record, a lone "[", garbage): the same bytes as lines.
    for (const b of doc.chunks) await feed(b);
  } else {
    for (const b of head) await feed(b);
  }
  for (let n = await it.next(); !n.done; n = await it.next()) await feed(n.value);
  await feed(null);
  return { records, complete: true };
}

/** Leading lines that are JSON scalars are looked past, up to this line, to find the file's shape. */
const MAX_SCALAR_LINES = 1000;

function isScalar(t: string): boolean {
  const c = t.charCodeAt(0);
  if (c === 0x7b || c === 0x5b) return false;
  try {
    JSON.parse(t);
    return true;
  } catch {
    return false;
  }
}

/** The shape a first line suggests: a record per line, or (a candidate for) a JSON document. */
function shapeOf(t: string): 'lines' | 'document' {
  if (t.startsWith('[')) return 'document';
  if (!t.startsWith('{')) return 'lines';
  try {
    const v = JSON.parse(t) as Record<string, unknown>;
    return isExport(v) ? 'document' : 'lines'; // a compact CloudWatch export, or one record
  } catch {
    return 'document'; // "{" alone, a pretty record, or a cut record: the whole file will tell
  }
}

/** A first line longer than HEAD_BYTES: a compact array or export (or one long record: the whole file will tell). */
function startsDocument(head: Buffer[]): 'lines' | 'document' {
  const t = Buffer.concat(head)
    .toString('utf8', 0, 64)
    .replace(/^\uFEFF/, '')
    .trimStart();
  return t.startsWith('[') || t.startsWith('{') ? 'document' : 'lines';
}

function isExport(v: unknown): v is { events: unknown[] } {
  return v !== null && typeof v === 'object' && Array.isArray((v as { events?: unknown }).events) && !('modelId' in v);
}

/**
 * The rest of a candidate document, up to MAX_DOCUMENT_BYTES. Larger, it is read as lines when its
 * lines are JSON (then `chunks` is what was read, and the caller goes on with the iterator), and
 * refused otherwise.
 */
async function readDocumentBytes(
  head: Buffer[],
  headBytes: number,
  it: AsyncIterator<Buffer>,
): Promise<{ kind: 'document'; text: string; chunks: Buffer[] } | { kind: 'lines'; chunks: Buffer[] }> {
  const chunks = head;
  let bytes = headBytes;
  for (let n = await it.next(); !n.done; n = await it.next()) {
    chunks.push(n.value);
    bytes += n.value.length;
    if (bytes > MAX_DOCUMENT_BYTES) {
      if (jsonLines(chunks, 1000) > 0) return { kind: 'lines', chunks };
      throw new Error(
        `a single JSON document larger than ${MAX_DOCUMENT_BYTES >> 20} MB; convert it to one record per line (for example: jq -c '.[]' file.json > file.jsonl)`,
      );
    }
  }
  return { kind: 'document', text: Buffer.concat(chunks, bytes).toString('utf8'), chunks };
}

const isObject = (v: unknown): boolean => v !== null && typeof v === 'object' && !Array.isArray(v);

/** How many of the first `limit` non-blank lines are JSON objects or arrays (all lines when no limit). */
function jsonLines(chunks: Buffer[], limit = Infinity): number {
  const split = new LineSplitter();
  let seen = 0;
  let json = 0;
  const count = (l: Line): boolean => {
    if (!('reject' in l)) {
      try {
        const v: unknown = JSON.parse(l.text);
        if (v !== null && typeof v === 'object') json++;
      } catch {
        /* not JSON */
      }
    }
    return ++seen >= limit;
  };
  for (const b of chunks) for (const l of split.push(b)) if (count(l)) return json;
  for (const l of split.end()) count(l);
  return json;
}

const FAILED = Symbol('not JSON');

/**
 * Stages the records of a JSON document, or answers 'lines' when the file is better read as lines:
 * a document that does not parse cleanly is compared with the same text read line by line, and
 * the reading that yields more JSON records wins (ties go to lines, where each bad line is
 * reported on its own). A document cut short with nothing readable in it is one rejection and
 * leaves the file incomplete (no checkpoint).
 */
function readDocument(
  text: string,
  chunks: Buffer[],
  w: ChunkWriter,
  prep: (t: string) => string,
): FileOutcome | 'lines' {
  const scanned = scanJsonDocument(text);
  const parsed = scanned.values.map((v): unknown => {
    try {
      return JSON.parse(text.slice(v.start, v.end));
    } catch {
      return FAILED;
    }
  });
  // Records, that is objects: a top-level scalar in noise ("1", "true") is JSON, but no record.
  const good = parsed.reduce<number>(
    (n, v) => n + (Array.isArray(v) ? v.filter(isObject).length : isExport(v) ? v.events.length : isObject(v) ? 1 : 0),
    0,
  );
  const failed = parsed.filter((v) => v === FAILED).length + (scanned.error ? 1 : 0);
  if (failed > 0) {
    const lines = jsonLines(chunks);
    // The document must beat the lines, and be mostly good: noise can hold a stray "{}".
    if (lines >= good || good < failed) {
      const cut = good === 0 && lines === 0 && scanned.values.length === 0 && scanned.error;
      if (!cut || !endsInside(text, cut.start)) return 'lines';
      w.reject(
        cut.line,
        'incomplete JSON document (it ends inside the value that starts on this line): nothing of it was stored, and the next ingest reads the file again',
      );
      return { records: 1, complete: false };
    }
  }
  let records = 0;
  const stage = (line: number, value: unknown): void => {
    records++;
    if (jsonDepthExceeds(value)) return w.reject(line, rejectReason(REJECT.TOO_DEEP));
    w.add(line, prep(JSON.stringify(value)));
  };
  scanned.values.forEach((v, k) => {
    const value = parsed[k];
    if (value === FAILED) {
      records++;
      return w.reject(v.line, rejectReason(REJECT.MALFORMED_JSON));
    }
    if (Array.isArray(value)) {
      value.forEach((el, i) => stage(v.elementLines[i] ?? v.line, el));
    } else if (isExport(value)) {
      value.events.forEach((e, i) => {
        records++;
        stageEvent(w, v.eventLines[i] ?? v.line, e, prep);
      });
    } else {
      stage(v.line, value);
    }
  });
  if (scanned.error) {
    records++;
    w.reject(scanned.error.line, rejectReason(REJECT.MALFORMED_JSON));
  }
  return { records, complete: true };
}

/** One event of a CloudWatch export: its message is the record, its times and stream are the event's. */
function stageEvent(w: ChunkWriter, line: number, e: unknown, prep: (t: string) => string): void {
  if (e === null || typeof e !== 'object') return w.reject(line, 'CloudWatch event is not an object');
  const ev = e as { timestamp?: unknown; message?: unknown; ingestionTime?: unknown; logStreamName?: unknown };
  if (typeof ev.timestamp !== 'number' || !Number.isFinite(ev.timestamp)) {
    return w.reject(line, 'CloudWatch event timestamp must be epoch milliseconds', 'timestamp');
  }
  if (ev.message !== null && typeof ev.message === 'object' && jsonDepthExceeds(ev.message)) {
    return w.reject(line, rejectReason(REJECT.TOO_DEEP), 'message');
  }
  const msg =
    typeof ev.message === 'string'
      ? ev.message.trim()
      : ev.message !== null && typeof ev.message === 'object'
        ? JSON.stringify(ev.message)
        : null;
  if (msg === null) return w.reject(line, 'CloudWatch event message must be a JSON string or object', 'message');
  const ing = typeof ev.ingestionTime === 'number' && Number.isFinite(ev.ingestionTime) ? ev.ingestionTime : undefined;
  const stream = typeof ev.logStreamName === 'string' && ev.logStreamName !== '' ? ev.logStreamName : undefined;
  w.add(line, prep(msg), ev.timestamp, ing, stream);
}

/**
 * Whether the JSON value starting at `start` is a valid beginning cut short (a file still being
 * written), rather than text that goes wrong before its end: JSON.parse says where it stopped.
 */
function endsInside(text: string, start: number): boolean {
  const t = text.slice(start).trimEnd();
  try {
    JSON.parse(t);
    return false;
  } catch (e) {
    const m = /end of JSON input|at position (\d+)/.exec((e as Error).message);
    return m !== null && (m[1] === undefined || Number(m[1]) >= t.length);
  }
}

/** Puts offloaded bodies back into a record's text; counts those left offloaded for their size. */
type Inliner = ((text: string) => string) & { leftOffloaded: number };

/**
 * With --keep-bodies, for a file of the S3 delivery layout: puts the offloaded bodies
 * (`HH/data/<requestId>_input.json.gz`, `_output.json.gz`) back into the record as
 * input.inputBodyJson / output.outputBodyJson, next to the S3 path (which is kept).
 */
export function offloadInliner(file: string): Inliner | null {
  const dataDir = join(dirname(file), 'data');
  if (!existsSync(dataDir)) return null;
  const load = (s3Path: unknown): LoadedBody => {
    if (typeof s3Path !== 'string' || s3Path === '') return { ok: false };
    const local = join(dataDir, basename(s3Path));
    if (!existsSync(local)) return { ok: false };
    return decodeBody(readFileSync(local));
  };
  const inline = (text: string): string => {
    const found = offloadSlots(text);
    if (!found) return text;
    const r = withBodies(
      found,
      found.slots.map((s) => load(s.s3Path)),
    );
    inline.leftOffloaded += r.leftOffloaded;
    return r.text ?? text;
  };
  inline.leftOffloaded = 0;
  return inline;
}
