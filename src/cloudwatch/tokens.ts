import { invalidParameter } from './errors.js';

/**
 * Opaque pagination tokens. They carry only a position (never data), base64url-encoded with a
 * kind tag, so a token from one operation is refused by another instead of being misread.
 */

export function encodeToken(kind: string, value: unknown): string {
  return Buffer.from(JSON.stringify([kind, value]), 'utf8').toString('base64url');
}

/**
 * The token's value, when it is of `kind` and passes `valid`; otherwise InvalidParameterException.
 * Tokens come back from clients, so a forged one (wrong type, fraction, out of range) must be a
 * client error, not a failure deeper down (a 500, which SDKs retry).
 */
export function decodeToken<T>(kind: string, token: string | undefined, valid: (v: unknown) => v is T): T | undefined {
  if (token === undefined) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(parsed) && parsed.length === 2 && parsed[0] === kind && valid(parsed[1])) return parsed[1];
  } catch {
    // fall through
  }
  throw invalidParameter('The specified nextToken is invalid.');
}

/** A row offset or position: a whole number that DuckDB's BIGINT and JavaScript both hold exactly. */
export function isOffset(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

export function isName(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0 && v.length <= 512;
}

/** FilterLogEvents' cursor: [timestamp, sequence number] of the last event examined. */
export function isCursor(v: unknown): v is [number, number] {
  return Array.isArray(v) && v.length === 2 && isOffset(v[0]) && isOffset(v[1]);
}

/**
 * GetLogEvents tokens look like the real ones (`f/` or `b/` and 56 digits): a state digit
 * (0 before everything, 1 at an event, 2 after everything), the timestamp (20 digits) and the
 * event sequence number (20 digits), zero-padded.
 */
export type StreamPosition = { at: 'start' } | { at: 'end' } | { at: 'event'; ts: number; seq: number };

export function encodeStreamToken(dir: 'f' | 'b', p: StreamPosition): string {
  const state = p.at === 'start' ? '0' : p.at === 'event' ? '1' : '2';
  const ts = p.at === 'event' ? String(p.ts).padStart(20, '0') : '0'.repeat(20);
  const seq = p.at === 'event' ? String(p.seq).padStart(20, '0') : '0'.repeat(20);
  return `${dir}/${state}${ts}${seq}${'0'.repeat(15)}`;
}

export function decodeStreamToken(token: string): { dir: 'f' | 'b'; pos: StreamPosition } {
  const m = /^([fb])\/([012])(\d{20})(\d{20})\d{15}$/.exec(token);
  if (!m) throw invalidParameter('The specified nextToken is invalid.');
  const dir = m[1] as 'f' | 'b';
  if (m[2] === '0') return { dir, pos: { at: 'start' } };
  if (m[2] === '2') return { dir, pos: { at: 'end' } };
  const ts = Number(m[3]);
  const seq = Number(m[4]);
  if (!isOffset(ts) || !isOffset(seq)) throw invalidParameter('The specified nextToken is invalid.');
  return { dir, pos: { at: 'event', ts, seq } };
}
