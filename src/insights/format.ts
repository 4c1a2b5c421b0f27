/**
 * CloudWatch value text: every result value is a string (spec §6.3, §6.4).
 * - numbers: integral values within Java's long range without `.0` (`229`, O2), others as Java's
 *   `Double.toString` prints them (`0.25`, `2.45E-7`, `1.18E21`): the service is Java-based (O3);
 * - timestamps (@timestamp, @ingestionTime, bin(), datefloor/dateceil/fromMillis): `YYYY-MM-DD HH:mm:ss.SSS` UTC;
 * - booleans: `1` / `0`;
 * - text (JSON strings and numbers keep their text): as is.
 * A missing value is `undefined`: the row leaves the field out.
 * Also the @ptr encoding (an opaque, URL-safe pointer to one stored event).
 */
import type { ValueKind } from './functions.js';

/** 2^63: integral values below it print as a Java long would. */
const LONG_LIMIT = 2 ** 63;

/**
 * Number text of a computed value (docs/semantics.md #11): integral values within Java's long
 * range as whole numbers (`229`, `123456789000`), everything else as Java's `Double.toString`
 * (`0.1111111111111111`, `2.45E-7`, `1.23456785E7`, `3.0E22`); non-finite is missing.
 */
export function formatNumber(v: number | bigint): string | undefined {
  if (typeof v === 'bigint') return v.toString();
  if (!Number.isFinite(v)) return undefined;
  if (Object.is(v, -0)) return '0';
  if (Number.isInteger(v) && Math.abs(v) < LONG_LIMIT) return BigInt(v).toString();
  return formatJavaDouble(v);
}

/**
 * Java `Double.toString` text, as CloudWatch returns Lambda's numeric system fields (spec §6.3,
 * O3): `15.0`, `14.97`, and `d.dddE±n` from 10^7 up or below 10^-3 (`6.7E7`, `1.28E8`).
 */
export function formatJavaDouble(v: number): string | undefined {
  if (!Number.isFinite(v)) return undefined;
  const a = Math.abs(v);
  if (a === 0) return Object.is(v, -0) ? '-0.0' : '0.0';
  if (a >= 1e-3 && a < 1e7) {
    const t = String(v);
    return t.includes('.') ? t : `${t}.0`;
  }
  const [mant, exp] = v.toExponential().split('e');
  return `${mant.includes('.') ? mant : `${mant}.0`}E${Number(exp)}`;
}

/** `YYYY-MM-DD HH:mm:ss.SSS` in UTC. */
export function formatTimestamp(ms: number | bigint): string | undefined {
  const n = typeof ms === 'bigint' ? Number(ms) : ms;
  if (!Number.isFinite(n)) return undefined;
  const d = new Date(n);
  if (Number.isNaN(d.getTime())) return undefined;
  const iso = d.toISOString(); // 2024-05-19T06:10:35.743Z
  return iso.endsWith('Z') && iso.length === 24 ? `${iso.slice(0, 10)} ${iso.slice(11, 23)}` : iso;
}

/** Turn one SQL result value into CloudWatch text according to its static kind. */
export function formatValue(v: unknown, kind: ValueKind): string | undefined {
  if (v === null || v === undefined) return undefined;
  switch (kind) {
    case 'time':
      if (typeof v === 'number' || typeof v === 'bigint') return formatTimestamp(v);
      return String(v);
    case 'bool':
      if (typeof v === 'boolean') return v ? '1' : '0';
      if (typeof v === 'number' || typeof v === 'bigint') return Number(v) !== 0 ? '1' : '0';
      return String(v);
    case 'number':
      if (typeof v === 'number' || typeof v === 'bigint') return formatNumber(v);
      if (typeof v === 'boolean') return v ? '1' : '0';
      return numberFromOther(v);
    default:
      if (typeof v === 'string') return v;
      if (typeof v === 'number' || typeof v === 'bigint') return formatNumber(v);
      if (typeof v === 'boolean') return v ? '1' : '0';
      return String(v);
  }
}

function numberFromOther(v: unknown): string | undefined {
  // DECIMAL values and the like: go through their text.
  const n = Number(String(v));
  return Number.isFinite(n) ? formatNumber(n) : String(v);
}

// ------------------------------------------------------------------ @ptr

const PTR_VERSION = 'b1';

/**
 * @ptr: `b1.` + base64url(`<seq>\n<logGroup>`). Opaque to users; GetLogRecord decodes it to find
 * the event (seq is unique in the store; the log group lets access checks happen before a read).
 */
export function encodePtr(logGroup: string, seq: number | bigint): string {
  return `${PTR_VERSION}.${Buffer.from(`${seq}\n${logGroup}`, 'utf8').toString('base64url')}`;
}

/** Decode an @ptr made by encodePtr; undefined when it is not one. */
export function decodePtr(ptr: string): { logGroup: string; seq: bigint } | undefined {
  if (!ptr.startsWith(`${PTR_VERSION}.`)) return undefined;
  let text: string;
  try {
    text = Buffer.from(ptr.slice(PTR_VERSION.length + 1), 'base64url').toString('utf8');
  } catch {
    return undefined;
  }
  const nl = text.indexOf('\n');
  if (nl <= 0) return undefined;
  const seqText = text.slice(0, nl);
  if (!/^\d+$/.test(seqText)) return undefined;
  return { seq: BigInt(seqText), logGroup: text.slice(nl + 1) };
}
