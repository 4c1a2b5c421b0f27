import { randomUUID } from 'node:crypto';
import type { QueryEngine } from '../engines/engine.js';
import { Definitions } from '../workspace/definitions.js';
import type { Store } from '../store/store.js';
import { EventWriter } from '../store/writer.js';
import { WritePricer } from '../pricing/index.js';
import { BiError, isBiError } from '../util/errors.js';
import { AppendQueue } from './appendQueue.js';
import { DEFAULT_FILTER_LIMITS, type ApiShared, type Call, type FilterLimits, type Operation } from './context.js';
import { Db } from '../store/db.js';
import { CwApiError, serviceUnavailable } from './errors.js';
import { filterLogEvents, getLogEvents, getLogRecord, putLogEvents } from './events.js';
import {
  catalogGate,
  createLogGroup,
  createLogStream,
  deleteLogGroup,
  deleteLogStream,
  describeLogGroups,
  describeLogStreams,
} from './groups.js';
import { toJson } from './json.js';
import { MatchPool } from './matchPool.js';
import { MetricFilterStore } from './metricFilterStore.js';
import { deleteMetricFilter, describeMetricFilters, putMetricFilter, testMetricFilter } from './metricFilters.js';
import { describeQueries, getQueryResults, startQuery, stopQuery } from './queries.js';
import { deleteQueryDefinition, describeQueryDefinitions, putQueryDefinition } from './queryDefinitions.js';
import { QueryTracker } from './queryTracker.js';
import { checkSignatureHeaders, header, verifySigV4, type HeaderBag, type VerifyOptions } from './sigv4.js';
import { FILTER_DEADLINE, FILTER_MATCH_FAILED, FILTER_PATTERN_INVALID, FILTER_WORK_LIMIT } from './filterErrors.js';

export const TARGET_PREFIX = 'Logs_20140328.';
export const CONTENT_TYPE = 'application/x-amz-json-1.1';

const OPERATIONS: Readonly<Record<string, Operation>> = {
  CreateLogGroup: createLogGroup,
  DeleteLogGroup: deleteLogGroup,
  DescribeLogGroups: describeLogGroups,
  CreateLogStream: createLogStream,
  DeleteLogStream: deleteLogStream,
  DescribeLogStreams: describeLogStreams,
  PutLogEvents: putLogEvents,
  GetLogEvents: getLogEvents,
  FilterLogEvents: filterLogEvents,
  GetLogRecord: getLogRecord,
  StartQuery: startQuery,
  GetQueryResults: getQueryResults,
  StopQuery: stopQuery,
  DescribeQueries: describeQueries,
  PutQueryDefinition: putQueryDefinition,
  DescribeQueryDefinitions: describeQueryDefinitions,
  DeleteQueryDefinition: deleteQueryDefinition,
  PutMetricFilter: putMetricFilter,
  DescribeMetricFilters: describeMetricFilters,
  DeleteMetricFilter: deleteMetricFilter,
  TestMetricFilter: testMetricFilter,
};

export const SUPPORTED_OPERATIONS: readonly string[] = Object.keys(OPERATIONS);

/**
 * A pattern that is invalid, or that needs more matching work or time than a request may use, is
 * the caller's to change: 400 InvalidParameterException, which SDKs do not retry (a 5xx or a
 * LimitExceededException would be retried, and cost the same again).
 */
const FILTER_CLIENT_ERRORS = new Set([FILTER_PATTERN_INVALID, FILTER_WORK_LIMIT, FILTER_DEADLINE]);

/**
 * Authentication: SigV4 against access keys (the default), or none. `none` is accepted only
 * for a server bound to loopback, and each request must then come from a loopback address too.
 */
export type AuthMode =
  | {
      mode: 'sigv4';
      keys: ReadonlyMap<string, string>;
      /** The account each access key acts for (ARNs, `@log`); absent: CloudWatchApiOptions.accountId. */
      accounts?: ReadonlyMap<string, string>;
      maxSkewMs?: number;
    }
  | { mode: 'none'; bindHost: string };

export interface CloudWatchApiOptions {
  auth: AuthMode;
  /** The console's saved queries (one store, two views). Absent: opened here (tests). */
  definitions?: Definitions;
  /** Account id in ARNs and @log; default 000000000000. */
  accountId?: string;
  /** Region in ARNs when a request is unsigned; default us-east-1. */
  region?: string;
  /** Keep Bedrock request/response bodies in @message for pushed invocation records. */
  keepBodies?: boolean;
  /** Filter-pattern matching limits per request (default 256 MiB examined, 5 s). */
  filterLimits?: Partial<FilterLimits>;
  /** Concurrent StartQuery limit (LimitExceededException beyond it); default 100. */
  maxConcurrentQueries?: number;
  /** Finished StartQuery rows held for GetQueryResults, all queries together; default 256 MB. */
  keptResultBytes?: number;
  now?: () => number;
  /** Receives one line per failed request (operation, code, request id); never bodies or secrets. */
  log?: (line: string) => void;
}

export interface ApiRequest {
  method: string;
  /** Path as received, without the query string. */
  path: string;
  query?: string;
  headers: HeaderBag;
  rawBody: Buffer;
  /** The client's address (for the unauthenticated mode's loopback check). */
  remoteAddress?: string;
}

export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface CloudWatchLogsApi {
  handle(req: ApiRequest): Promise<ApiResponse>;
  /**
   * The checks that need only the headers (signature headers, a known key, the clock; loopback
   * for the unauthenticated mode): the refusal to send before the body is read, or null.
   */
  precheck(req: Pick<ApiRequest, 'headers' | 'remoteAddress'>): ApiResponse | null;
  /** Cancels running queries and releases the API's connections (not the store). */
  close(): Promise<void>;
  /** The shared state, for tests and the alarms (metric filters). */
  readonly shared: ApiShared;
}

export function isLoopbackAddress(addr: string | undefined): boolean {
  if (!addr) return false;
  const a = addr
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '');
  return a === 'localhost' || a === '::1' || /^(::ffff:)?127\.\d+\.\d+\.\d+$/.test(a);
}

/** An error answer outside an operation (the body-size limit of the HTTP layer). */
export function errorResponse(err: CwApiError): ApiResponse {
  return response(err.status, randomUUID(), err.body());
}

function requireLoopback(remoteAddress: string | undefined): void {
  if (!isLoopbackAddress(remoteAddress))
    throw new CwApiError(
      'AccessDeniedException',
      'This server accepts unauthenticated CloudWatch API requests only from loopback.',
    );
}

function response(status: number, requestId: string, body: Record<string, unknown> | null): ApiResponse {
  return {
    status,
    headers: { 'content-type': CONTENT_TYPE, 'x-amzn-requestid': requestId },
    body: body === null ? '' : toJson(body),
  };
}

/** The CloudWatch Logs JSON 1.1 API over one store and one engine. */
export async function createCloudWatchLogsApi(
  store: Store,
  engine: QueryEngine | (() => QueryEngine),
  opts: CloudWatchApiOptions,
): Promise<CloudWatchLogsApi> {
  if (opts.auth.mode === 'none' && !isLoopbackAddress(opts.auth.bindHost)) {
    throw new BiError(
      'AUTH_REQUIRED',
      `The CloudWatch API without authentication is allowed only on a loopback address, not ${opts.auth.bindHost}; configure access keys (${'BEDROCK_INSIGHTS_ACCESS_KEYS'}=ID:SECRET) instead.`,
    );
  }
  const now = opts.now ?? Date.now;
  const conn = await store.connect();
  const db = new Db(conn);
  const ownsDefinitions = !opts.definitions;
  const definitions = opts.definitions ?? (await Definitions.open(store));
  const metricFilters = await MetricFilterStore.open(store, conn);
  // Pushed events are priced through the store writer's hook, as ingested ones are; a burst of
  // small batches is priced at most every 2 s, and the rest when the append queue goes idle.
  let lastPricingError = '';
  const pricer = await WritePricer.start(store, {
    minIntervalMs: 2000,
    onError: (msg) => {
      // A broken user prices file must not refuse logs; say so once per distinct problem.
      if (msg !== lastPricingError)
        process.stderr.write(`bedrock-insights: pricing new events failed: ${msg}
`);
      lastPricingError = msg;
    },
  });
  const shared: ApiShared = {
    store,
    db,
    engine: typeof engine === 'function' ? engine : () => engine,
    definitions,
    metricFilters,
    queries: new QueryTracker(now, {
      maxConcurrent: opts.maxConcurrentQueries ?? 100,
      ...(opts.keptResultBytes !== undefined ? { keptResultBytes: opts.keptResultBytes } : {}),
      notice: (line) => (opts.log ?? (() => undefined))(`cloudwatch ${line}`),
    }),
    appender: new AppendQueue(new EventWriter(store, pricer), catalogGate(db)),
    matcher: new MatchPool(),
    filterLimits: { ...DEFAULT_FILTER_LIMITS, ...opts.filterLimits },
    accountId: opts.accountId ?? '000000000000',
    defaultRegion: opts.region ?? 'us-east-1',
    keepBodies: opts.keepBodies ?? false,
    now,
  };
  const log = opts.log ?? (() => undefined);

  async function handle(req: ApiRequest): Promise<ApiResponse> {
    const requestId = randomUUID();
    let operation = '?';
    try {
      if (req.method.toUpperCase() !== 'POST')
        throw new CwApiError('UnknownOperationException', 'The CloudWatch Logs API accepts only POST.');
      const target = header(req.headers, 'x-amz-target') ?? '';
      operation = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : target;
      const call: Call = { shared, requestId, region: shared.defaultRegion, accountId: shared.accountId };
      // Authenticate before anything is parsed or written.
      if (opts.auth.mode === 'sigv4') {
        const caller = verifySigV4(
          {
            method: req.method,
            path: req.path,
            ...(req.query ? { query: req.query } : {}),
            headers: req.headers,
            rawBody: req.rawBody,
          },
          verifyOptions(opts.auth),
        );
        call.region = caller.region;
        call.accessKeyId = caller.accessKeyId;
        call.accountId = opts.auth.accounts?.get(caller.accessKeyId) ?? shared.accountId;
      } else requireLoopback(req.remoteAddress);
      // hasOwn: a target such as Logs_20140328.constructor must not reach Object.prototype.
      const op =
        target.startsWith(TARGET_PREFIX) && Object.hasOwn(OPERATIONS, operation) ? OPERATIONS[operation] : undefined;
      if (!op)
        throw new CwApiError(
          'UnknownOperationException',
          `Unknown operation ${target || '(no X-Amz-Target header)'}; this server supports ${SUPPORTED_OPERATIONS.join(', ')}.`,
        );
      let body: unknown = {};
      const text = req.rawBody.toString('utf8').trim();
      if (text) {
        try {
          body = JSON.parse(text);
        } catch {
          throw new CwApiError('SerializationException', 'The request body is not valid JSON.');
        }
      }
      if (!body || typeof body !== 'object' || Array.isArray(body))
        throw new CwApiError('SerializationException', 'The request body must be a JSON object.');
      const out = await op(call, body as Record<string, unknown>);
      return response(200, requestId, out);
    } catch (e) {
      let err: CwApiError;
      if (e instanceof CwApiError) err = e;
      else if (isBiError(e) && (e.code === 'ENGINE_UNAVAILABLE' || e.code === FILTER_MATCH_FAILED))
        err = new CwApiError('ServiceUnavailableException', e.message, 503);
      else if (isBiError(e) && FILTER_CLIENT_ERRORS.has(e.code))
        err = new CwApiError('InvalidParameterException', e.message);
      else if (isBiError(e) && e.code === 'STORE_CONFLICT')
        // CloudWatch's error for concurrent changes to one resource: the client retries.
        err = new CwApiError(
          'OperationAbortedException',
          'A conflicting operation is currently in progress against this resource. Please try again.',
        );
      else {
        // Internal failure. Only our own BiError messages are logged: a storage error may quote
        // the data it failed on, and log messages and prompts must never reach the log.
        log(
          `cloudwatch ${operation} ${requestId} internal error ${isBiError(e) ? `${e.code}: ${e.message.split('\n')[0]}` : e instanceof Error ? e.name : typeof e}`,
        );
        err = serviceUnavailable('The service cannot complete the request.');
      }
      if (err.status >= 500 || err.code !== 'ResourceNotFoundException')
        log(`cloudwatch ${operation} ${requestId} ${err.status} ${err.code}`);
      return response(err.status, requestId, err.body());
    }
  }

  function verifyOptions(auth: Extract<AuthMode, { mode: 'sigv4' }>): VerifyOptions {
    return { keys: auth.keys, now: now(), ...(auth.maxSkewMs !== undefined ? { maxSkewMs: auth.maxSkewMs } : {}) };
  }

  function precheck(req: Pick<ApiRequest, 'headers' | 'remoteAddress'>): ApiResponse | null {
    try {
      if (opts.auth.mode === 'sigv4') checkSignatureHeaders(req.headers, verifyOptions(opts.auth));
      else requireLoopback(req.remoteAddress);
      return null;
    } catch (e) {
      if (!(e instanceof CwApiError)) throw e;
      const requestId = randomUUID();
      log(
        `cloudwatch ${header(req.headers, 'x-amz-target') ?? '?'} ${requestId} ${e.status} ${e.code} (before the body)`,
      );
      return response(e.status, requestId, e.body());
    }
  }

  return {
    handle,
    precheck,
    shared,
    async close() {
      await shared.queries.cancelAll();
      await shared.matcher.close();
      // Appends and their pricing pass finish before the store can be closed under them.
      await shared.appender.idle();
      if (ownsDefinitions) definitions.close();
      try {
        conn.closeSync();
      } catch {
        /* already closed */
      }
    },
  };
}
