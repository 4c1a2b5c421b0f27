import { normalizeLogEvent } from '../logs/record.js';
import { MAX_JSON_DEPTH } from '../logs/limits.js';
import type { StoredEvent } from '../logs/event.js';
import type { Operation } from './context.js';
import { CwApiError, invalidParameter, resourceNotFound } from './errors.js';
import { listLogGroups } from '../store/catalog.js';
import { eventAt, scanEvents, type EventRow as StoredRow } from '../store/events.js';
import { parseFilterPattern, requiredLiterals, type FilterPattern } from './filterPattern.js';
import { requireGroup, requireStream } from './groups.js';
import { decodePtr } from './ptr.js';
import { RequestMatcher } from './requestMatcher.js';
import {
  decodeStreamToken,
  decodeToken,
  encodeStreamToken,
  encodeToken,
  isCursor,
  type StreamPosition,
} from './tokens.js';
import { GROUP_RULE, Input, STREAM_RULE, checkString, groupNameOrIdentifier, typeError } from './validate.js';
import { isBiError } from '../util/errors.js';

/** PutLogEvents, GetLogEvents, FilterLogEvents and GetLogRecord over the `events` table. */

export const MAX_BATCH_BYTES = 1_048_576;
export const EVENT_OVERHEAD = 26;
export const MAX_BATCH_EVENTS = 10_000;
export const MAX_EVENT_BYTES = 1_048_576;
export const TOO_NEW_MS = 2 * 3600_000;
export const TOO_OLD_MS = 14 * 86400_000;
export const MAX_SPAN_MS = 24 * 3600_000;
const RESPONSE_BYTES = 1_048_576;

let sequence = 0n;

export const putLogEvents: Operation = async (call, body) => {
  const input = new Input(body);
  const group = input.str('logGroupName', { ...GROUP_RULE, required: true });
  const stream = input.str('logStreamName', { ...STREAM_RULE, required: true });
  const raw = input.list('logEvents', { required: true, min: 1, max: MAX_BATCH_EVENTS })!;
  input.str('sequenceToken');
  const events = raw.map((e, i) => {
    if (!e || typeof e !== 'object' || Array.isArray(e))
      throw typeError(`logEvents.${i + 1}.member`, 'an object with timestamp and message', e);
    const r = e as Record<string, unknown>;
    const ts = r.timestamp;
    if (ts === undefined || ts === null)
      throw invalidParameter(
        `1 validation error detected: Value null at 'logEvents.${i + 1}.member.timestamp' failed to satisfy constraint: Member must not be null`,
      );
    if (typeof ts !== 'number' || !Number.isInteger(ts))
      throw typeError(`logEvents.${i + 1}.member.timestamp`, 'an integer (epoch milliseconds)', ts);
    if (ts < 0)
      throw invalidParameter(
        `Invalid value for 'logEvents.${i + 1}.member.timestamp': expected epoch milliseconds (an integer >= 0).`,
      );
    const message = checkString(`logEvents.${i + 1}.member.message`, r.message, {
      required: true,
      min: 1,
      secret: true,
    })!;
    return { timestamp: ts, message };
  });

  // Size rules first: they fail the whole call.
  let total = 0;
  for (const e of events) {
    const bytes = Buffer.byteLength(e.message, 'utf8');
    if (bytes > MAX_EVENT_BYTES - EVENT_OVERHEAD)
      throw invalidParameter(
        `Log event too large: ${bytes + EVENT_OVERHEAD} bytes exceeds limit of ${MAX_EVENT_BYTES}`,
      );
    total += bytes + EVENT_OVERHEAD;
  }
  if (total > MAX_BATCH_BYTES)
    throw invalidParameter(`Upload too large: ${total} bytes exceeds limit of ${MAX_BATCH_BYTES}`);
  for (let i = 1; i < events.length; i++) {
    if (events[i].timestamp < events[i - 1].timestamp)
      throw invalidParameter('Log events in a single PutLogEvents request must be in chronological order.');
  }

  const { db } = call.shared;
  await requireStream(db, group, stream);
  const retention = (await listLogGroups(db, [group]))[0]?.retentionDays;

  const now = call.shared.now();
  let tooOldEnd = 0;
  while (tooOldEnd < events.length && events[tooOldEnd].timestamp < now - TOO_OLD_MS) tooOldEnd++;
  let expiredEnd = 0;
  if (retention !== null && retention !== undefined) {
    const limit = now - retention * 86400_000;
    while (expiredEnd < events.length && events[expiredEnd].timestamp < limit) expiredEnd++;
  }
  let tooNewStart = events.length;
  while (tooNewStart > 0 && events[tooNewStart - 1].timestamp > now + TOO_NEW_MS) tooNewStart--;
  const first = Math.max(tooOldEnd, expiredEnd);
  const valid = first < tooNewStart ? events.slice(first, tooNewStart) : [];
  if (valid.length > 1 && valid[valid.length - 1].timestamp - valid[0].timestamp > MAX_SPAN_MS) {
    throw invalidParameter('The batch of log events in a single PutLogEvents request cannot span more than 24 hours.');
  }

  if (valid.length > 0) {
    const stored: StoredEvent[] = valid.map((e, k) =>
      normalizeLogEvent(
        {
          logGroup: group,
          logStream: stream,
          timestamp: e.timestamp,
          message: e.message,
          ingestionTime: now,
          // Pushed events are distinct even when identical: the key is assigned on receipt.
          eventKey: `put/${call.requestId}/${first + k}`,
        },
        { keepBodies: call.shared.keepBodies },
      ),
    );
    // `@log` is `<account>:<group>`: an event that names no account belongs to the caller's.
    for (const e of stored) e.accountId ??= call.accountId;
    await call.shared.appender.append(stored, { group, stream });
  }

  sequence++;
  const out: Record<string, unknown> = { nextSequenceToken: String(sequence).padStart(56, '0') };
  const rejected: Record<string, number> = {};
  if (tooNewStart < events.length) rejected.tooNewLogEventStartIndex = tooNewStart;
  if (tooOldEnd > 0) rejected.tooOldLogEventEndIndex = tooOldEnd;
  if (expiredEnd > 0) rejected.expiredLogEventEndIndex = expiredEnd;
  if (Object.keys(rejected).length > 0) out.rejectedLogEventsInfo = rejected;
  return out;
};

interface EventRow {
  ts: number;
  seq: number;
  ingestion: number;
  message: string;
  stream: string;
}

function toEventRow(r: StoredRow): EventRow {
  return { ts: r.ts, seq: r.seq, ingestion: r.ingestionTs, message: r.message, stream: r.logStream };
}

/** Keep rows while the page's messages fit the 1 MB response budget (at least one row). */
function fitBudget(rows: EventRow[]): EventRow[] {
  let bytes = 0;
  const out: EventRow[] = [];
  for (const r of rows) {
    bytes += Buffer.byteLength(r.message, 'utf8') + EVENT_OVERHEAD;
    if (out.length > 0 && bytes > RESPONSE_BYTES) break;
    out.push(r);
  }
  return out;
}

export const getLogEvents: Operation = async (call, body) => {
  const input = new Input(body);
  const group = groupNameOrIdentifier(input);
  const stream = input.str('logStreamName', { ...STREAM_RULE, required: true });
  const startTime = input.int('startTime', { min: 0 });
  const endTime = input.int('endTime', { min: 0 });
  const limit = input.int('limit', { min: 1, max: 10_000 }) ?? 10_000;
  const startFromHead = input.bool('startFromHead') ?? false;
  input.bool('unmask');
  const tokenText = input.str('nextToken', { min: 1 });
  const token = tokenText !== undefined ? decodeStreamToken(tokenText) : undefined;
  const { db } = call.shared;
  await requireStream(db, group, stream);

  const forward = token ? token.dir === 'f' : startFromHead;
  const pos: StreamPosition = token ? token.pos : forward ? { at: 'start' } : { at: 'end' };
  // Past the end in the direction of reading: nothing to read.
  const past = (forward && pos.at === 'end') || (!forward && pos.at === 'start');
  const rows = past
    ? []
    : (
        await scanEvents(db, {
          logGroup: group,
          streams: [stream],
          ...(startTime !== undefined ? { from: startTime } : {}),
          ...(endTime !== undefined ? { toExclusive: endTime } : {}),
          ...(pos.at === 'event' ? { after: { ts: pos.ts, seq: pos.seq } } : {}),
          backward: !forward,
          limit,
        })
      ).map(toEventRow);
  let page = fitBudget(rows);
  if (!forward) page = page.reverse();

  let nextForwardToken: string;
  let nextBackwardToken: string;
  if (page.length === 0) {
    // End of data in that direction: hand back the caller's token (the only end signal).
    const here = tokenText ?? encodeStreamToken(forward ? 'f' : 'b', pos);
    const other = encodeStreamToken(forward ? 'b' : 'f', pos);
    nextForwardToken = forward ? here : other;
    nextBackwardToken = forward ? other : here;
  } else {
    const firstRow = page[0];
    const lastRow = page[page.length - 1];
    nextForwardToken = encodeStreamToken('f', { at: 'event', ts: lastRow.ts, seq: lastRow.seq });
    nextBackwardToken = encodeStreamToken('b', { at: 'event', ts: firstRow.ts, seq: firstRow.seq });
  }
  return {
    events: page.map((r) => ({ timestamp: r.ts, message: r.message, ingestionTime: r.ingestion })),
    nextForwardToken,
    nextBackwardToken,
  };
};

/** How many rows one FilterLogEvents page may scan before it answers with a partial page. */
const FILTER_SCAN_BUDGET = 100_000;
const FILTER_CHUNK = 5_000;

function compilePattern(text: string | undefined): FilterPattern {
  try {
    return parseFilterPattern(text);
  } catch (e) {
    if (isBiError(e)) throw invalidParameter(`Invalid filter pattern: ${e.message}`);
    throw e;
  }
}

export const filterLogEvents: Operation = async (call, body) => {
  const input = new Input(body);
  const group = groupNameOrIdentifier(input);
  const streams = input.strList('logStreamNames', { min: 1, max: 100, item: STREAM_RULE });
  const streamPrefix = input.str('logStreamNamePrefix', STREAM_RULE);
  if (streams && streamPrefix !== undefined)
    throw invalidParameter('logStreamNames and logStreamNamePrefix are mutually exclusive.');
  const startTime = input.int('startTime', { min: 0 });
  const endTime = input.int('endTime', { min: 0 });
  const limit = input.int('limit', { min: 1, max: 10_000 }) ?? 10_000;
  const patternText = input.str('filterPattern', { max: 1024 });
  input.bool('interleaved');
  input.bool('unmask');
  const after = decodeToken('fle', input.str('nextToken', { min: 1 }), isCursor);
  const pattern = compilePattern(patternText);
  const { db } = call.shared;
  await requireGroup(db, group);

  // Plain required terms must appear literally: let DuckDB discard the rest before JS matches
  // (and when they are the whole pattern, nothing is left for JS to match).
  const literal = requiredLiterals(pattern);
  let cursor: [number, number] | undefined = after;
  const matched: EventRow[] = [];
  let scanned = 0;
  let exhausted = false;
  let bytes = 0;
  const matching = new RequestMatcher(call, patternText ?? '', pattern, literal.complete);
  outer: while (matched.length < limit && scanned < FILTER_SCAN_BUDGET) {
    // Out of matching time after some progress: a partial page with a nextToken, as CloudWatch
    // answers a page that hit its own scan limits.
    if (scanned > 0 && matching.expired()) break;
    const rows = (
      await scanEvents(db, {
        logGroup: group,
        ...(streams ? { streams } : {}),
        ...(streamPrefix !== undefined ? { streamPrefix } : {}),
        ...(startTime !== undefined ? { from: startTime } : {}),
        ...(endTime !== undefined ? { toInclusive: endTime } : {}),
        contains: literal.terms,
        ...(cursor ? { after: { ts: cursor[0], seq: cursor[1] } } : {}),
        limit: FILTER_CHUNK,
      })
    ).map(toEventRow);
    const verdict = await matching.judge(
      rows.map((r) => r.message),
      scanned > 0,
    );
    if (!verdict) break; // out of time or budget after progress: end the page here
    for (let i = 0; i < verdict.decided; i++) {
      const r = rows[i];
      scanned++;
      cursor = [r.ts, r.seq];
      if (verdict.matches(i)) {
        bytes += Buffer.byteLength(r.message, 'utf8') + EVENT_OVERHEAD;
        if (matched.length > 0 && bytes > RESPONSE_BYTES) {
          cursor = [matched[matched.length - 1].ts, matched[matched.length - 1].seq];
          break outer;
        }
        matched.push(r);
        if (matched.length >= limit) break outer;
      }
    }
    if (verdict.decided < rows.length) break; // the budget ended inside this chunk
    if (rows.length < FILTER_CHUNK) {
      exhausted = true;
      break;
    }
  }
  const out: Record<string, unknown> = {
    events: matched.map((r) => ({
      logStreamName: r.stream,
      timestamp: r.ts,
      message: r.message,
      ingestionTime: r.ingestion,
      eventId: `${String(r.ts).padStart(20, '0')}${String(r.seq).padStart(20, '0')}`,
    })),
    searchedLogStreams: [],
  };
  if (!exhausted && cursor) out.nextToken = encodeToken('fle', cursor);
  return out;
};

/**
 * Flattens a JSON message the Logs Insights way: dotted keys, `.N.` for arrays, booleans as 1/0,
 * at most `limit` fields, in document order. Iterative and depth-capped (MAX_JSON_DEPTH): pushed
 * generic events may nest thousands of levels, and a recursive walk overflowed the stack on them.
 */
export function flattenJson(
  value: unknown,
  prefix = '',
  out: Record<string, string> = {},
  limit = 200,
): Record<string, string> {
  let count = Object.keys(out).length;
  // Depth-first, children pushed in reverse so that fields come in document order.
  const stack: [unknown, string, number][] = [[value, prefix, 1]];
  while (stack.length > 0 && count < limit) {
    const [v, p, depth] = stack.pop()!;
    if (v === null || v === undefined) continue;
    if (typeof v !== 'object') {
      if (p === '') continue;
      out[p] = typeof v === 'boolean' ? (v ? '1' : '0') : String(v);
      count++;
      continue;
    }
    if (depth > MAX_JSON_DEPTH) continue;
    const entries: [string, unknown][] = Array.isArray(v)
      ? v.map((x, i): [string, unknown] => [String(i), x])
      : Object.entries(v as Record<string, unknown>);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [k, x] = entries[i];
      stack.push([x, p ? `${p}.${k}` : k, depth + 1]);
    }
  }
  return out;
}

export const getLogRecord: Operation = async (call, body) => {
  const input = new Input(body);
  const ptr = input.str('logRecordPointer', { required: true, min: 1 });
  input.bool('unmask');
  const loc = await decodePtr(ptr);
  if (!loc) throw invalidParameter('The specified logRecordPointer is invalid.');
  const { db } = call.shared;
  const r = await eventAt(db, loc);
  if (!r) throw resourceNotFound('The log record does not exist (it may have been deleted).');
  const message = r.message;
  const record: Record<string, string> = {};
  const t = message.trimStart();
  if (t.startsWith('{') || t.startsWith('[')) {
    try {
      flattenJson(JSON.parse(message), '', record);
    } catch {
      /* not JSON: system fields only */
    }
  }
  record['@ingestionTime'] = String(r.ingestionTs);
  record['@log'] = `${r.accountId ? r.accountId : call.accountId}:${r.logGroup}`;
  record['@logStream'] = r.logStream;
  record['@message'] = message;
  record['@timestamp'] = String(r.ts);
  return { logRecord: record };
};

export { CwApiError };
