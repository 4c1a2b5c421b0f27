/**
 * RFC 3339 UTC timestamps as Bedrock writes them: `YYYY-MM-DDTHH:MM:SS[.fraction]Z`.
 * Only `Z` (UTC) is accepted; fractions are truncated to milliseconds. Years before 1970 are
 * rejected (no invocation log predates Bedrock). The SQL normaliser uses TIMESTAMP_PATTERN too.
 */
export const TIMESTAMP_PATTERN = '^(\\d{4})-(\\d{2})-(\\d{2})T([01]\\d|2[0-3]):([0-5]\\d):([0-5]\\d)(\\.\\d+)?Z$';
const RE = new RegExp(TIMESTAMP_PATTERN);

/**
 * The start of each day seen (null: not a date, such as day 99 or Feb 30), by its `YYYY-MM-DD`:
 * records come in time order, so an ingest parses a few dates and hundreds of thousands of
 * times (the Date checks per record were 4 µs of the normaliser's ~25, issue 12).
 */
const DAYS = new Map<string, number | null>();
const DAYS_KEPT = 100_000;

function dayStart(y: number, mo: number, d: number): number | null {
  if (y < 1970 || mo < 1 || mo > 12 || d < 1) return null;
  const ms = Date.UTC(y, mo - 1, d);
  const check = new Date(ms);
  return check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d ? null : ms;
}

/** Epoch milliseconds, or null when the text is not a valid RFC 3339 UTC time. */
export function parseRfc3339Utc(text: string): number | null {
  const m = RE.exec(text);
  if (!m) return null;
  const key = text.slice(0, 10);
  let day = DAYS.get(key);
  if (day === undefined) {
    day = dayStart(Number(m[1]), Number(m[2]), Number(m[3]));
    if (DAYS.size >= DAYS_KEPT) DAYS.clear();
    DAYS.set(key, day);
  }
  if (day === null) return null;
  const frac = m[7] ? Number((m[7].slice(1) + '00').slice(0, 3)) : 0;
  // The pattern bounds hours to 23 and minutes and seconds to 59: no carry into the next day.
  return day + Number(m[4]) * 3_600_000 + Number(m[5]) * 60_000 + Number(m[6]) * 1000 + frac;
}
