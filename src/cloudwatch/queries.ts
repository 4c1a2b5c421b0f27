import { randomUUID } from 'node:crypto';
import type { QueryResult } from '../engines/engine.js';
import type { Diagnostic } from '../insights/diagnostics.js';
import type { Operation } from './context.js';
import { CwApiError, invalidParameter, limitExceeded, resourceNotFound } from './errors.js';
import { groupExists } from './groups.js';
import { Double } from './json.js';
import { decodeToken, encodeToken, isOffset } from './tokens.js';
import { GROUP_RULE, Input, LOG_GROUP_IDENTIFIER, constraintError, groupFromIdentifier } from './validate.js';

/** StartQuery, GetQueryResults, StopQuery, DescribeQueries over the QueryEngine interface. */

const QUERY_STATUSES = ['Scheduled', 'Running', 'Complete', 'Failed', 'Cancelled', 'Timeout', 'Unknown'];
const QUERY_LANGUAGES = ['CWLI', 'SQL', 'PPL'];
/** The current model allows 100,000 (older models 10,000); results page with GetQueryResults maxItems/nextToken. */
export const MAX_QUERY_LIMIT = 100_000;

/**
 * StartQuery's times are epoch seconds, inclusive. The CLI's own example passes milliseconds,
 * so values above 10^11 (year 5138 in seconds) are read as milliseconds.
 */
export function queryTimeToMs(v: number, end: boolean): number {
  if (v > 1e11) return v;
  return end ? v * 1000 + 999 : v * 1000;
}

function checkLanguage(input: Input): void {
  const lang = input.str('queryLanguage');
  if (lang === undefined || lang === 'CWLI') return;
  if (!QUERY_LANGUAGES.includes(lang))
    throw constraintError('queryLanguage', lang, `Member must satisfy enum value set: [${QUERY_LANGUAGES.join(', ')}]`);
  throw invalidParameter(
    `Query language ${lang} is not supported by this server; use CWLI (the Logs Insights query language).`,
  );
}

function compileError(queryString: string, d: Diagnostic): CwApiError {
  return new CwApiError('MalformedQueryException', `${d.message} at line ${d.line} and position ${d.column}`, 400, {
    queryCompileError: {
      location: {
        startCharOffset: d.span.start,
        endCharOffset: Math.max(d.span.start, Math.min(queryString.length, d.span.end)),
      },
      message: d.message,
    },
  });
}

function hasSource(queryString: string): boolean {
  return /^\s*SOURCE\b/i.test(queryString.replace(/^\s*#[^\n]*\n/gm, ''));
}

export const startQuery: Operation = async (call, body) => {
  const input = new Input(body);
  checkLanguage(input);
  const one = input.str('logGroupName', GROUP_RULE);
  const many = input.strList('logGroupNames', { max: 50, item: GROUP_RULE });
  const idents = input.strList('logGroupIdentifiers', {
    max: 50,
    item: { min: 1, max: 2048, pattern: LOG_GROUP_IDENTIFIER },
  });
  const startTime = input.int('startTime', { required: true, min: 0 });
  const endTime = input.int('endTime', { required: true, min: 0 });
  const queryString = input.str('queryString', { required: true, max: 10_000 });
  const limit = input.int('limit', { min: 1, max: MAX_QUERY_LIMIT });
  const given = [
    one !== undefined,
    many !== undefined && many.length > 0,
    idents !== undefined && idents.length > 0,
  ].filter(Boolean).length;
  if (given > 1) throw invalidParameter('Specify exactly one of logGroupName, logGroupNames or logGroupIdentifiers.');
  if (given === 0 && !hasSource(queryString))
    throw invalidParameter(
      'Specify exactly one of logGroupName, logGroupNames or logGroupIdentifiers, or select log groups with SOURCE in the query.',
    );
  if (endTime < startTime) throw invalidParameter('End time should not be before the start time.');
  const logGroups =
    one !== undefined ? [one] : many && many.length > 0 ? many : (idents ?? []).map(groupFromIdentifier);
  const { db, queries } = call.shared;
  for (const g of logGroups) {
    if (!(await groupExists(db, g)))
      throw resourceNotFound(`Log group '${g}' does not exist for account ID '${call.accountId}'.`);
  }
  const engine = call.shared.engine();
  // Parsed and analysed once: the prepared query is what starts.
  const prepared = await engine.prepare({
    queryString,
    ...(logGroups.length > 0 ? { logGroups } : {}),
    startTime: queryTimeToMs(startTime, false),
    endTime: queryTimeToMs(endTime, true),
    ...(limit !== undefined ? { limit } : {}),
  });
  const err = prepared.diagnostics.find((d) => d.severity === 'error');
  if (err) throw compileError(queryString, err);
  if (queries.running() >= queries.maxConcurrent)
    throw limitExceeded(`Account maximum query concurrency limit of [${queries.maxConcurrent}] reached.`);
  const handle = await engine.start(prepared);
  const queryId = handle.id && handle.id.length <= 256 ? handle.id : randomUUID();
  queries.add({
    queryId,
    queryString,
    logGroups,
    createTime: call.shared.now(),
    handle,
    ...(call.accessKeyId ? { accessKeyId: call.accessKeyId } : {}),
  });
  return { queryId };
};

/** QueryStatistics members are doubles in the model; CloudWatch writes them so (`3.0`). */
function statistics(r: QueryResult): Record<string, Double> {
  const s = r.statistics;
  return {
    recordsMatched: new Double(s.recordsMatched),
    recordsScanned: new Double(s.recordsScanned),
    estimatedRecordsSkipped: new Double(s.estimatedRecordsSkipped),
    bytesScanned: new Double(s.bytesScanned),
    estimatedBytesSkipped: new Double(s.estimatedBytesSkipped),
    logGroupsScanned: new Double(s.logGroupsScanned),
  };
}

export const getQueryResults: Operation = async (call, body) => {
  const input = new Input(body);
  const queryId = input.str('queryId', { required: true, min: 1, max: 256 });
  const maxItems = input.int('maxItems', { min: 0, max: 10_000 });
  const offset = decodeToken('gqr', input.str('nextToken', { min: 1, max: 1024 }), isOffset) ?? 0;
  const q = call.shared.queries.get(queryId);
  if (!q) throw resourceNotFound(`Query with id ${queryId} does not exist.`);
  if (q.dropped) throw resourceNotFound(`The results of query ${queryId} are no longer kept. ${q.dropped}`);
  const snap = q.handle.snapshot();
  const status = q.override ?? snap.status;
  if (q.finished !== undefined) call.shared.queries.delivered(q);
  let rows = snap.rows;
  let nextToken: string | undefined;
  if (maxItems !== undefined && maxItems > 0) {
    if (offset + maxItems < rows.length) nextToken = encodeToken('gqr', offset + maxItems);
    rows = rows.slice(offset, offset + maxItems);
  } else if (offset > 0) {
    rows = rows.slice(offset);
  }
  const out: Record<string, unknown> = {
    queryLanguage: 'CWLI',
    results: rows.map((row) => row.map((c) => ({ field: c.field, value: c.value }))),
    statistics: statistics(snap),
    status,
  };
  if (nextToken) out.nextToken = nextToken;
  return out;
};

export const stopQuery: Operation = async (call, body) => {
  const queryId = new Input(body).str('queryId', { required: true, min: 1, max: 256 });
  const { queries } = call.shared;
  const q = queries.get(queryId);
  if (!q) throw resourceNotFound(`Query with id ${queryId} does not exist.`);
  const s = queries.status(q);
  if (s !== 'Running' && s !== 'Scheduled')
    throw invalidParameter(`Query with id ${queryId} is not running (status ${s}).`);
  q.override = 'Cancelled';
  await q.handle.cancel();
  return { success: true };
};

export const describeQueries: Operation = async (call, body) => {
  const input = new Input(body);
  const group = input.str('logGroupName', GROUP_RULE);
  const status = input.str('status');
  if (status !== undefined && !QUERY_STATUSES.includes(status))
    throw constraintError('status', status, `Member must satisfy enum value set: [${QUERY_STATUSES.join(', ')}]`);
  const maxResults = input.int('maxResults', { min: 1, max: 1000 }) ?? 1000;
  const lang = input.str('queryLanguage');
  if (lang !== undefined && !QUERY_LANGUAGES.includes(lang))
    throw constraintError('queryLanguage', lang, `Member must satisfy enum value set: [${QUERY_LANGUAGES.join(', ')}]`);
  const offset = decodeToken('dq', input.str('nextToken', { min: 1 }), isOffset) ?? 0;
  const { db, queries } = call.shared;
  if (group !== undefined && !(await groupExists(db, group)))
    throw resourceNotFound('The specified log group does not exist.');
  const all = queries
    .list()
    .filter(
      (q) =>
        (group === undefined || q.logGroups.includes(group)) &&
        (status === undefined || queries.status(q) === status) &&
        (lang === undefined || lang === 'CWLI'),
    );
  const page = all.slice(offset, offset + maxResults);
  const out: Record<string, unknown> = {
    queries: page.map((q) => {
      const info: Record<string, unknown> = {
        queryLanguage: 'CWLI',
        queryId: q.queryId,
        queryString: q.queryString,
        status: queries.status(q),
        createTime: q.createTime,
      };
      if (q.logGroups.length > 0) info.logGroupName = q.logGroups[0];
      if (q.finished !== undefined) info.queryDuration = q.finished - q.createTime;
      const snap = q.handle.snapshot();
      info.bytesScanned = new Double(snap.statistics.bytesScanned);
      return info;
    }),
  };
  if (offset + maxResults < all.length) out.nextToken = encodeToken('dq', offset + maxResults);
  return out;
};
