import { gunzipSync } from 'node:zlib';

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
