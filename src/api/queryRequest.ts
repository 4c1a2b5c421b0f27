import { BiError } from '../util/errors.js';
import { MAX_CONSOLE_LIMIT } from './limits.js';
import { isRangeSpec, resolveRange, type RangeSpec } from '../contracts/range.js';

/** Reading the console's request bodies: each failure is a 400 INVALID_REQUEST that names the field. */

export function stringArray(v: unknown, what: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))
    throw new BiError('INVALID_REQUEST', `${what} must be an array of strings.`);
  return v as string[];
}

export function optionalString(v: unknown, what: string): string {
  if (typeof v !== 'string') throw new BiError('INVALID_REQUEST', `${what} must be a string.`);
  return v;
}

export function requiredString(v: unknown, what: string): string {
  if (typeof v !== 'string' || !v.trim()) throw new BiError('INVALID_REQUEST', `${what} is required.`);
  return v;
}

/** A request's `engine`: absent, null or "" is the store's; otherwise a name the server knows (checked on use). */
export function optionalEngine(v: unknown): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string')
    throw new BiError('INVALID_REQUEST', 'engine must be the name of an engine (GET /api/engines).');
  return v;
}

/** A time range from a request: {range: RangeSpec} or explicit {startTime, endTime} in epoch ms. */
export function timeBounds(b: Record<string, unknown>): { start: number; end: number; spec: RangeSpec } {
  if (Number.isFinite(b.startTime) && Number.isFinite(b.endTime)) {
    const start = b.startTime as number;
    const end = b.endTime as number;
    if (start > end) throw new BiError('INVALID_REQUEST', 'startTime must not be after endTime.');
    return { start, end, spec: { kind: 'absolute', start, end } };
  }
  const spec: RangeSpec = isRangeSpec(b.range) ? b.range : { kind: 'relative', value: '1h' };
  if (b.range !== undefined && !isRangeSpec(b.range))
    throw new BiError(
      'INVALID_REQUEST',
      'range must be {kind:"relative", value:"1h"} or {kind:"absolute", start, end} (epoch ms).',
    );
  return { ...resolveRange(spec), spec };
}

/** What starting a console query (or an export) needs from the request body. */
export interface ConsoleQueryRequest {
  queryString: string;
  logGroups: string[];
  start: number;
  end: number;
  spec: RangeSpec;
  limit?: number;
}

export function consoleQueryRequest(b: Record<string, unknown>): ConsoleQueryRequest {
  const queryString = requiredString(b.queryString, 'queryString');
  const logGroups = stringArray(b.logGroups, 'logGroups');
  const { start, end, spec } = timeBounds(b);
  const r: ConsoleQueryRequest = { queryString, logGroups, start, end, spec };
  if (b.limit !== undefined && b.limit !== null) {
    const n = b.limit;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_CONSOLE_LIMIT)
      throw new BiError(
        'INVALID_REQUEST',
        `limit must be a whole number from 1 to ${MAX_CONSOLE_LIMIT}. To get more rows, export the query (POST /api/queries/export streams every row).`,
      );
    r.limit = n;
  }
  return r;
}
