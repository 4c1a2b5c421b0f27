import { relativeMs } from '../contracts/range.js';
import { BiError } from '../util/errors.js';

/**
 * The one reading of every time option of the CLI (`--since`, `--until`, `--start`, `--end`,
 * `--at`) and of its durations (`--query-timeout`). Before, `query` and `alarms` each had a parser
 * and they disagreed (`--since 1H` worked for one only).
 */

const DAY_MS = 86_400_000;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DURATION_HINT = 'a number and a unit (ms, s, m, h, d, w), like 15m, 1h, 3h, 1d or 2w';
const TIME_HINT = 'an ISO-8601 time (2026-01-31T12:00:00Z), a date (2026-01-31) or epoch milliseconds';

/** `15m`, `1H`, `2w`, `500ms` → milliseconds (`flag` names the option in the error). */
export function parseDuration(text: string, flag: string): number {
  const ms = relativeMs(text);
  if (ms === undefined) throw new BiError('INVALID_ARGUMENT', `${flag} ${text}: use ${DURATION_HINT}.`);
  return ms;
}

/**
 * An instant: ISO-8601, a date (its first millisecond, UTC; with `endOfDay` its last, so that
 * `--until 2026-11-30` includes that day) or epoch milliseconds.
 */
export function parseTime(text: string, flag: string, endOfDay = false): number {
  const t = text.trim();
  if (/^\d+$/.test(t)) return Number(t);
  const ms = DATE_ONLY.test(t) ? Date.parse(`${t}T00:00:00Z`) : Date.parse(t);
  if (!Number.isFinite(ms)) throw new BiError('INVALID_ARGUMENT', `${flag} ${text}: use ${TIME_HINT}.`);
  return DATE_ONLY.test(t) && endOfDay ? ms + DAY_MS - 1 : ms;
}

/** Is this text a duration (`30d`) rather than a time? */
export function isDuration(text: string): boolean {
  return relativeMs(text) !== undefined;
}

export interface RangeFlags {
  /** A duration back from now (`30d`) or a time. */
  since?: string;
  /** A time; a date alone means the end of that UTC day. */
  until?: string;
  /** `query`'s names: a time each (`--end` a date alone: the end of that day). */
  start?: string;
  end?: string;
}

/** Epoch-millisecond bounds, both inclusive; a side left open is undefined. */
export interface TimeRange {
  start?: number;
  end?: number;
}

/**
 * The range the time options name, at `now`. `--since` takes a time, or a duration back from the
 * end (`--until`/`--end`, else now: then the range ends now); `--since` with `--start`, or
 * `--until` with `--end`, is refused, and so is a start after the end.
 */
export function parseRange(flags: RangeFlags, now = Date.now()): TimeRange {
  if (flags.since !== undefined && flags.start !== undefined)
    throw new BiError('INVALID_ARGUMENT', 'Use either --since or --start, not both.');
  if (flags.until !== undefined && flags.end !== undefined)
    throw new BiError('INVALID_ARGUMENT', 'Use either --until or --end, not both.');
  const range: TimeRange = {};
  const endText = flags.until ?? flags.end;
  const endFlag = flags.until !== undefined ? '--until' : '--end';
  if (endText !== undefined) range.end = parseTime(endText, endFlag, true);
  if (flags.since !== undefined) {
    if (isDuration(flags.since)) {
      range.end ??= now;
      range.start = range.end - parseDuration(flags.since, '--since');
    } else range.start = parseTime(flags.since, '--since');
  }
  if (flags.start !== undefined) range.start = parseTime(flags.start, '--start');
  if (range.start !== undefined && range.end !== undefined && range.start > range.end) {
    const from = flags.since !== undefined ? `--since ${flags.since}` : `--start ${flags.start}`;
    throw new BiError(
      'INVALID_ARGUMENT',
      `The range is empty: ${from} is after ${endText !== undefined ? `${endFlag} ${endText}` : 'now'}.`,
    );
  }
  return range;
}
