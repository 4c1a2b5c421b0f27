import { rejectReason, REJECT } from '../logs/reasons.js';
import { jsonDepthExceeds } from '../logs/limits.js';
import { scanJsonDocument } from './json-document.js';
import { LineSplitter, type Line } from './lines.js';
import type { ItemRead, RecordSink } from './source.js';

/**
 * The records of a file or an S3 object, whatever shape they come in (decoded text bytes in, see
 * decode.ts): one record per line; lines of a CloudWatch CreateExportTask export
 * (`<ISO time> <record>`); or a JSON document — pretty-printed records, an array of records, a
 * CloudWatch filter-log-events export (`{"events": […]}`), a CloudWatch Logs subscription payload
 * as Firehose delivers it (`{"messageType": "DATA_MESSAGE", "logEvents": […]}`, several one after
 * another; CONTROL_MESSAGEs skipped). Shared by the files and S3 adapters.
 */

/** Documents that are not one record per line are read whole; beyond this, ask for NDJSON. */
export const MAX_DOCUMENT_BYTES = 512 * 1024 * 1024;
/** The first line is looked at for the file's shape: at most this much of it. */
const HEAD_BYTES = 1024 * 1024;

export interface RecordContext {
  /** The file's path or the object's key: a CreateExportTask layout names the log stream. */
  name: string;
  /** Puts offloaded bodies back into a record's text (--keep-bodies); absent: the text as read. */
  prep?: (text: string) => string | Promise<string>;
  /**
   * The item was not chosen by a log name (an S3 key without .json/.gz): when its first bytes do
   * not look like records, nothing is read and `notRecords` says so.
   */
  sniff?: boolean;
}

/** `2026-01-01T00:00:01.234Z {…}`: a line of a CloudWatch CreateExportTask export. */
const TIMED_LINE = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z) (.*)$/s;
/** CreateExportTask writes `<prefix>/<task id>/<log stream>/000000.gz`; the task id is a UUID. */
const EXPORT_LAYOUT = /(?:^|\/)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\/(.+)\/[^/]+$/;

/** The log stream a CreateExportTask object's path names, if it is laid out that way. */
export function exportStreamOf(name: string): string | undefined {
  return EXPORT_LAYOUT.exec(name.replace(/\\/g, '/'))?.[1];
}

type Shape = 'lines' | 'timed' | 'document';

/**
 * Whether a file's first bytes look like records: gzip, a UTF-16 or UTF-8 byte order mark, JSON
 * (`{` or `[` after spaces), or a CloudWatch export line (`2026-…T…Z {`). Firehose names its
 * objects without an extension (`…-1-2026-12-01-10-00-00-<uuid>`), so a folder's files are not
 * judged by their names alone.
 */
export function looksLikeRecords(head: Buffer): boolean {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return true;
  if (head.length >= 2 && ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)))
    return true;
  const t = head
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trimStart();
  return t.startsWith('{') || t.startsWith('[') || /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z [{[]/.test(t);
}

/** The records of decoded text: lines, or a document when the file is one. */
export async function readRecords(input: AsyncIterable<Buffer>, w: RecordSink, ctx: RecordContext): Promise<ItemRead> {
  let it = input[Symbol.asyncIterator]();
  if (ctx.sniff) {
    const first = await it.next();
    if (!first.done && !looksLikeRecords(first.value)) {
      await it.return?.();
      return { records: 0, complete: true, notRecords: true };
    }
    if (!first.done) it = prepend(first.value, it);
  }
  let records = 0;
  let timedStream: string | undefined;
  const split = new LineSplitter();
  const prep = ctx.prep;
  const feed = async (b: Buffer | null): Promise<void> => {
    for (const l of b ? split.push(b) : split.end()) {
      records++;
      if ('reject' in l) w.reject(l.ln, l.reject);
      else {
        const timed = shape === 'timed' ? TIMED_LINE.exec(l.text) : null;
        const at = timed ? Date.parse(timed[1]) : undefined;
        // A time of the right shape that is no time (month 13): NaN reached the store's
        // transaction, which then failed the whole ingest.
        if (timed && !Number.isSafeInteger(at)) w.reject(l.ln, rejectReason(REJECT.TIMESTAMP, '@timestamp', timed[1]));
        else {
          const text = timed ? timed[2] : l.text;
          const ready = prep ? await prep(text) : text;
          if (timed) w.add(l.ln, ready, at, undefined, timedStream);
          else w.add(l.ln, ready);
        }
      }
      await w.afterAdd();
    }
  };

  // The shape comes from the first non-blank line that is not a JSON scalar (a stray `5` says
  // nothing); a document is only a candidate until read whole.
  const head: Buffer[] = [];
  let headBytes = 0;
  let shape: Shape | undefined;
  const probe = new LineSplitter(HEAD_BYTES);
  const decide = (l: Line): Shape | undefined => {
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
  if (shape === undefined) {
    // Nothing but blank lines and scalars, or nothing at all: say so, rather than "0 records".
    if (headBytes === 0 || probe.lines === 0 || Buffer.concat(head).toString('utf8').trim() === '')
      w.note('the file is empty: no records in it');
    shape = 'lines';
  }
  if (shape === 'timed') timedStream = exportStreamOf(ctx.name);

  if (shape === 'document') {
    const doc = await readDocumentBytes(head, headBytes, it);
    const outcome = doc.kind === 'document' ? await readDocument(doc.text, doc.chunks, w, prep) : 'lines';
    if (outcome !== 'lines') return outcome;
    // Not a document after all (a cut first record, a lone "[", garbage): the same bytes as lines.
    shape = 'lines';
    for (const b of doc.chunks) await feed(b);
  } else {
    for (const b of head) await feed(b);
  }
  for (let n = await it.next(); !n.done; n = await it.next()) await feed(n.value);
  await feed(null);
  return { records, complete: true };
}

/** The iterator with `first` put back in front. */
function prepend(first: Buffer, rest: AsyncIterator<Buffer>): AsyncIterator<Buffer> {
  let given = false;
  return {
    next: () => {
      if (given) return rest.next();
      given = true;
      return Promise.resolve({ done: false, value: first });
    },
    return: () => rest.return?.() ?? Promise.resolve({ done: true, value: undefined }),
  };
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

/** The shape a first line suggests: a record per line, export lines, or (a candidate for) a JSON document. */
function shapeOf(t: string): Shape {
  if (t.startsWith('[')) return 'document';
  if (!t.startsWith('{')) return TIMED_LINE.test(t) ? 'timed' : 'lines';
  try {
    const v = JSON.parse(t) as Record<string, unknown>;
    // A compact CloudWatch export or subscription payload, or one record.
    return isExport(v) || isSubscription(v) ? 'document' : 'lines';
  } catch {
    return 'document'; // "{" alone, a pretty record, or a cut record: the whole file will tell
  }
}

/** A first line longer than HEAD_BYTES: a compact array or export (or one long record: the whole file will tell). */
function startsDocument(head: Buffer[]): Shape {
  const t = Buffer.concat(head)
    .toString('utf8', 0, 64)
    .replace(/^\uFEFF/, '')
    .trimStart();
  return t.startsWith('[') || t.startsWith('{') ? 'document' : 'lines';
}

function isExport(v: unknown): v is { events: unknown[] } {
  return v !== null && typeof v === 'object' && Array.isArray((v as { events?: unknown }).events) && !('modelId' in v);
}

interface Subscription {
  messageType: string;
  logStream?: unknown;
  logEvents?: unknown;
}

/**
 * A CloudWatch Logs subscription payload (what a subscription filter sends to Firehose, which
 * writes it to S3 gzipped, several concatenated): DATA_MESSAGE with logEvents, or CONTROL_MESSAGE
 * (CloudWatch checking the destination: no events of the log group).
 */
function isSubscription(v: unknown): v is Subscription {
  if (v === null || typeof v !== 'object' || typeof (v as Subscription).messageType !== 'string') return false;
  const s = v as Subscription;
  return Array.isArray(s.logEvents) || s.messageType === 'CONTROL_MESSAGE';
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
async function readDocument(
  text: string,
  chunks: Buffer[],
  w: RecordSink,
  prep: RecordContext['prep'],
): Promise<ItemRead | 'lines'> {
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
    (n, v) =>
      n +
      (Array.isArray(v)
        ? v.filter(isObject).length
        : isExport(v)
          ? v.events.length
          : isSubscription(v)
            ? 1 + (Array.isArray(v.logEvents) ? v.logEvents.length : 0)
            : isObject(v)
              ? 1
              : 0),
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
  let controls = 0;
  const ready = async (t: string): Promise<string> => (prep ? await prep(t) : t);
  const stage = async (line: number, value: unknown): Promise<void> => {
    records++;
    if (jsonDepthExceeds(value)) return w.reject(line, rejectReason(REJECT.TOO_DEEP));
    w.add(line, await ready(JSON.stringify(value)));
    await w.afterAdd();
  };
  const event = async (line: number, e: unknown, stream?: string): Promise<void> => {
    records++;
    const staged = stageEvent(w, line, e, stream);
    if (staged) {
      w.add(line, await ready(staged.msg), staged.ts, staged.ing, staged.stream);
      await w.afterAdd();
    }
  };
  for (let k = 0; k < scanned.values.length; k++) {
    const v = scanned.values[k];
    const value = parsed[k];
    if (value === FAILED) {
      records++;
      w.reject(v.line, rejectReason(REJECT.MALFORMED_JSON));
    } else if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) await stage(v.elementLines[i] ?? v.line, value[i]);
    } else if (isExport(value)) {
      for (let i = 0; i < value.events.length; i++) await event(v.eventLines[i] ?? v.line, value.events[i]);
    } else if (isSubscription(value)) {
      if (value.messageType !== 'DATA_MESSAGE') controls++;
      const stream = typeof value.logStream === 'string' && value.logStream !== '' ? value.logStream : undefined;
      const events = value.messageType === 'DATA_MESSAGE' && Array.isArray(value.logEvents) ? value.logEvents : [];
      for (let i = 0; i < events.length; i++) await event(v.eventLines[i] ?? v.line, events[i], stream);
    } else {
      await stage(v.line, value);
    }
  }
  if (controls > 0)
    w.note(
      `${controls} CloudWatch Logs subscription control message${controls === 1 ? '' : 's'} skipped (they carry no log events)`,
    );
  if (scanned.error) {
    records++;
    w.reject(scanned.error.line, rejectReason(REJECT.MALFORMED_JSON));
  }
  return { records, complete: true };
}

interface StagedEvent {
  msg: string;
  ts: number;
  ing: number | undefined;
  stream: string | undefined;
}

/**
 * One event of a CloudWatch export or subscription payload: its message is the record, its times
 * and stream are the event's (a subscription payload names the stream once, for all its events).
 * null: rejected.
 */
function stageEvent(w: RecordSink, line: number, e: unknown, streamOfAll?: string): StagedEvent | null {
  if (e === null || typeof e !== 'object') {
    w.reject(line, 'CloudWatch event is not an object');
    return null;
  }
  const ev = e as { timestamp?: unknown; message?: unknown; ingestionTime?: unknown; logStreamName?: unknown };
  if (typeof ev.timestamp !== 'number' || !Number.isFinite(ev.timestamp)) {
    w.reject(line, 'CloudWatch event timestamp must be epoch milliseconds', 'timestamp');
    return null;
  }
  if (ev.message !== null && typeof ev.message === 'object' && jsonDepthExceeds(ev.message)) {
    w.reject(line, rejectReason(REJECT.TOO_DEEP), 'message');
    return null;
  }
  const msg =
    typeof ev.message === 'string'
      ? ev.message.trim()
      : ev.message !== null && typeof ev.message === 'object'
        ? JSON.stringify(ev.message)
        : null;
  if (msg === null) {
    w.reject(line, 'CloudWatch event message must be a JSON string or object', 'message');
    return null;
  }
  const ing = typeof ev.ingestionTime === 'number' && Number.isFinite(ev.ingestionTime) ? ev.ingestionTime : undefined;
  const stream = typeof ev.logStreamName === 'string' && ev.logStreamName !== '' ? ev.logStreamName : streamOfAll;
  return { msg, ts: ev.timestamp, ing, stream };
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
