import { gunzipSync } from 'node:zlib';
import { recordTooLarge } from '../logs/limits.js';

/**
 * What file ingest (the delivery layout's `HH/data/` folder) and s3:// ingest (its objects) share
 * when --keep-bodies puts offloaded bodies back into a record: finding the bodies still offloaded,
 * and turning an object's bytes into the inline value. Only where the bytes come from differs.
 */

export type LoadedBody = { ok: true; body: unknown } | { ok: false };

/** An offloaded body's bytes (gzipped or not) as the record carries it inline: its JSON, or its text when it is not JSON. */
export function decodeBody(bytes: Buffer): LoadedBody {
  const raw = bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes;
  const t = raw.toString('utf8');
  try {
    return { ok: true, body: JSON.parse(t) };
  } catch {
    return { ok: true, body: t };
  }
}

export interface OffloadSlot {
  /** The record's `input` or `output` object, to receive the body. */
  part: Record<string, unknown>;
  /** Its inputBodyS3Path / outputBodyS3Path value, as found (not checked). */
  s3Path: unknown;
  bodyKey: 'inputBodyJson' | 'outputBodyJson';
}

/**
 * The parsed record and its offloaded bodies not inlined yet (input first); null when the text is
 * not JSON (the SQL normaliser reports it).
 */
export function offloadSlots(text: string): { record: Record<string, unknown>; slots: OffloadSlot[] } | null {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return null;
  }
  const slots: OffloadSlot[] = [];
  for (const [partKey, pathKey, bodyKey] of [
    ['input', 'inputBodyS3Path', 'inputBodyJson'],
    ['output', 'outputBodyS3Path', 'outputBodyJson'],
  ] as const) {
    const part = record[partKey] as Record<string, unknown> | undefined;
    if (!part || typeof part !== 'object' || bodyKey in part) continue;
    slots.push({ part, s3Path: part[pathKey], bodyKey });
  }
  return { record, slots };
}

/**
 * The record with its loaded bodies put back (each next to its S3 path). A body that would make
 * the record larger than MAX_RECORD_BYTES stays offloaded (its S3 path remains): the record is
 * stored, without it, rather than rejected for its size. `text` is null when nothing was put back.
 */
export function withBodies(
  found: { record: Record<string, unknown>; slots: OffloadSlot[] },
  bodies: LoadedBody[],
): { text: string | null; leftOffloaded: number } {
  let text: string | null = null;
  let leftOffloaded = 0;
  found.slots.forEach((s, i) => {
    const b = bodies[i];
    if (!b.ok) return;
    s.part[s.bodyKey] = b.body;
    const t = JSON.stringify(found.record);
    if (recordTooLarge(t)) {
      delete s.part[s.bodyKey];
      leftOffloaded++;
    } else text = t;
  });
  return { text, leftOffloaded };
}

/** The note for a file whose bodies were too large to keep. */
export function bodiesLeftNote(n: number): string {
  return `${n} offloaded bod${n === 1 ? 'y was' : 'ies were'} left in S3 (the record with ${n === 1 ? 'it' : 'them'} would exceed the 1 MiB record limit); the S3 paths stay in the records`;
}
