import { z } from 'zod';
import { BiError } from '../util/errors.js';
import { MAX_CONSOLE_LIMIT } from './limits.js';
import { isRangeSpec, resolveRange, type RangeSpec } from '../contracts/range.js';
import { parseInput } from './errors.js';

/**
 * The console's request bodies as zod schemas, read through `parseInput` (errors.ts): a field that
 * does not fit is a 400 INVALID_REQUEST whose message (a whole sentence, set here) names the field.
 * The pieces below are shared by every route body, so one field reads the same everywhere.
 */

/** A string field that must be there and not blank. */
export const requiredText = (what: string) =>
  z.string({ error: `${what} is required.` }).refine((v) => v.trim() !== '', { error: `${what} is required.` });

/** A string field that may be absent. */
export const optionalText = (what: string) => z.string({ error: `${what} must be a string.` }).optional();

/** A list of strings; absent or null is the empty list. */
export const stringList = (what: string) => {
  const error = `${what} must be an array of strings.`;
  return z
    .array(z.string({ error }), { error })
    .nullish()
    .transform((v) => v ?? []);
};

/** A request's `engine`: absent, null or "" is the store's; otherwise a name the server knows (checked on use). */
export const engineName = z
  .string({ error: 'engine must be the name of an engine (GET /api/engines).' })
  .nullish()
  .transform((v) => v || undefined);

const RANGE_ERROR = 'range must be {kind:"relative", value:"1h"} or {kind:"absolute", start, end} (epoch ms).';
const LIMIT_ERROR = `limit must be a whole number from 1 to ${MAX_CONSOLE_LIMIT}. To get more rows, export the query (POST /api/queries/export streams every row).`;

/**
 * The fields of a console query (POST /api/queries, /api/histogram, /api/field-coverage, the
 * export). startTime/endTime are read only as a pair of finite numbers; otherwise `range`.
 */
export const ConsoleQueryBody = z.object({
  queryString: requiredText('queryString'),
  logGroups: stringList('logGroups'),
  startTime: z.unknown().optional(),
  endTime: z.unknown().optional(),
  range: z.custom<RangeSpec>(isRangeSpec, { error: RANGE_ERROR }).optional(),
  limit: z
    .number({ error: LIMIT_ERROR })
    .int({ error: LIMIT_ERROR })
    .min(1, { error: LIMIT_ERROR })
    .max(MAX_CONSOLE_LIMIT, { error: LIMIT_ERROR })
    .nullish(),
});
export type ConsoleQueryFields = z.infer<typeof ConsoleQueryBody>;

/** The finite epoch-ms number a field holds, or undefined. */
function finite(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** A time range from a request: {range: RangeSpec} or explicit {startTime, endTime} in epoch ms. */
export function timeBounds(b: Pick<ConsoleQueryFields, 'startTime' | 'endTime' | 'range'>): {
  start: number;
  end: number;
  spec: RangeSpec;
} {
  const start = finite(b.startTime);
  const end = finite(b.endTime);
  if (start !== undefined && end !== undefined) {
    if (start > end) throw new BiError('INVALID_REQUEST', 'startTime must not be after endTime.');
    return { start, end, spec: { kind: 'absolute', start, end } };
  }
  const spec: RangeSpec = b.range ?? { kind: 'relative', value: '1h' };
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

/** A console query from its parsed fields. */
export function toConsoleQuery(b: ConsoleQueryFields): ConsoleQueryRequest {
  const { start, end, spec } = timeBounds(b);
  const r: ConsoleQueryRequest = { queryString: b.queryString, logGroups: b.logGroups, start, end, spec };
  if (b.limit !== undefined && b.limit !== null) r.limit = b.limit;
  return r;
}

/** A console query read from a request body (unknown fields are ignored). */
export function consoleQueryRequest(body: unknown): ConsoleQueryRequest {
  return toConsoleQuery(parseInput(ConsoleQueryBody, body, 'body'));
}
