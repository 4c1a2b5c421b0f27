/**
 * RFC 3339 UTC timestamps as Bedrock writes them: `YYYY-MM-DDTHH:MM:SS[.fraction]Z`.
 * Only `Z` (UTC) is accepted; fractions are truncated to milliseconds. Years before 1970 are
 * rejected (no invocation log predates Bedrock). The SQL normaliser uses TIMESTAMP_PATTERN too.
 */
export const TIMESTAMP_PATTERN = '^(\\d{4})-(\\d{2})-(\\d{2})T([01]\\d|2[0-3]):([0-5]\\d):([0-5]\\d)(\\.\\d+)?Z$';
const RE = new RegExp(TIMESTAMP_PATTERN);

/** Epoch milliseconds, or null when the text is not a valid RFC 3339 UTC time. */
export function parseRfc3339Utc(text: string): number | null {
  const m = RE.exec(text);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number);
  if (y < 1970 || mo < 1 || mo > 12 || d < 1) return null;
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const check = new Date(ms);
  if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) return null; // day 99, Feb 30
  const frac = m[7] ? Number((m[7].slice(1) + '00').slice(0, 3)) : 0;
  return ms + frac;
}
