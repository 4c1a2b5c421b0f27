import type { StoredEvent } from '../logs/event.js';
import { recordTooLarge } from '../logs/limits.js';
import { REJECT, rejectReason } from '../logs/reasons.js';
import { normalizeBedrockRecord } from '../logs/record.js';

/** What a record text is normalised with, besides the text: the same for every record of a part. */
export interface TextContext {
  logGroup: string;
  keepBodies: boolean;
}

/** A record text as a reader added it, with what its source knows of it. */
export interface RecordText {
  raw: string;
  /** @ingestionTime: a CloudWatch event's, else the file's delivery time, else the time it was read. */
  ingestionTime: number;
  /** A CloudWatch event's own timestamp (@timestamp instead of the record's). */
  eventTimestamp?: number;
  logStream: string;
}

export type TextResult = { ok: true; event: StoredEvent } | { ok: false; reason: string; field?: string };

/**
 * One record text to its event, or why it is rejected: JSON.parse, then normalizeBedrockRecord
 * (src/logs/record.ts, the one set of rules), with the bodies reduced unless kept. The same
 * function whether the chunk writer calls it or its normaliser thread does.
 */
export function normalizeText(r: RecordText, ctx: TextContext): TextResult {
  let record: unknown;
  try {
    record = JSON.parse(r.raw);
  } catch {
    // Too large says more than malformed about a text that is both (a runaway line).
    if (!recordTooLarge(r.raw)) return { ok: false, reason: rejectReason(REJECT.MALFORMED_JSON) };
    const mib = (Buffer.byteLength(r.raw, 'utf8') / (1024 * 1024)).toFixed(1);
    return { ok: false, reason: rejectReason(REJECT.TOO_LARGE, undefined, `${mib} MiB`) };
  }
  const n = normalizeBedrockRecord(record, {
    logGroup: ctx.logGroup,
    logStream: r.logStream,
    ingestionTime: r.ingestionTime,
    ...(r.eventTimestamp === undefined ? {} : { eventTimestamp: Math.trunc(r.eventTimestamp) }),
    keepBodies: ctx.keepBodies,
    text: r.raw,
  });
  if (!n.ok) return { ok: false, reason: n.reason, ...(n.field === undefined ? {} : { field: n.field }) };
  return n;
}
