import { BiError } from '../util/errors.js';

/** The coded errors of filter patterns; the API answers each with 400 InvalidParameterException. */

export const FILTER_PATTERN_INVALID = 'FILTER_PATTERN_INVALID';
export const FILTER_WORK_LIMIT = 'FILTER_WORK_LIMIT';
export const FILTER_DEADLINE = 'FILTER_DEADLINE';
/** The matching thread stopped (server shutdown, thread crash): retryable, 503. */
export const FILTER_MATCH_FAILED = 'FILTER_MATCH_FAILED';

export function invalidPattern(message: string): BiError {
  return new BiError(FILTER_PATTERN_INVALID, message);
}

export function workLimitError(limit: number): BiError {
  return new BiError(
    FILTER_WORK_LIMIT,
    `Matching this filter pattern needs more work than one request may use (over ${limit.toLocaleString('en-US')} bytes examined). Use fewer or simpler terms, fewer or shorter messages, or narrow FilterLogEvents with startTime/endTime or logStreamNames.`,
    { limit },
  );
}

export function deadlineError(ms: number): BiError {
  return new BiError(
    FILTER_DEADLINE,
    `Matching this filter pattern took longer than ${ms} ms and was stopped. Use a simpler pattern (fewer wildcards, smaller {m,n} counts), fewer or shorter messages, or narrow FilterLogEvents with startTime/endTime or logStreamNames.`,
    { deadlineMs: ms },
  );
}
