import { invalidParameter } from './errors.js';

/**
 * Opaque pagination tokens. They carry only a position (never data), base64url-encoded with a
 * kind tag, so a token from one operation is refused by another instead of being misread.
 */

export function encodeToken(kind: string, value: unknown): string {
  return Buffer.from(JSON.stringify([kind, value]), 'utf8').toString('base64url');
}

export function decodeToken<T>(kind: string, token: string | undefined): T | undefined {
  if (token === undefined) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(parsed) && parsed[0] === kind) return parsed[1] as T;
  } catch {
    // fall through
  }
  throw invalidParameter('The specified nextToken is invalid.');
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
  return { dir, pos: { at: 'event', ts: Number(m[3]), seq: Number(m[4]) } };
}
