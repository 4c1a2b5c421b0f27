/**
 * The CloudWatch pass-through engine: the query runs on CloudWatch Logs itself (StartQuery,
 * GetQueryResults polled until it ends, StopQuery on cancel), with the SDK's usual credential
 * chain. The front end still runs here first (src/insights/compile.ts, with CloudWatch's log
 * groups as the catalog), so a query gets the same diagnostics and output columns as on the
 * other engines before anything is sent; the text sent is the query as written. Rows and
 * statistics are CloudWatch's own.
 */
import {
  CloudWatchLogsClient,
  DescribeLogGroupsCommand,
  GetQueryResultsCommand,
  StartQueryCommand,
  StopQueryCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import type { CatalogInfo } from '../../insights/compile.js';
import { awsClientConfig, awsError } from '../../sources/aws.js';
import { quietSdkNodeWarning } from '../sdk-warning.js';
import { BiError, errorMessage } from '../../util/errors.js';
import type { QueryEngine, ResultRow, StartOptions } from '../engine.js';
import type { CloudWatchSettings } from '../settings.js';
import { createQueryEngine, type EngineOptions, type RunnableQuery } from '../query-engine.js';
import { pollUntilDone } from '../poll.js';
import { startRemoteRun, type RemoteRun } from '../remote-run.js';

const DEFAULT_TIMEOUT_MS = 15 * 60_000;
const DEFAULT_POLL_MS = 500;
/** StartQuery takes at most 50 log groups. */
const MAX_GROUPS = 50;

/** An SDK failure as a coded error. */
function cwError(e: unknown, what: string, s: CloudWatchSettings): BiError {
  if (e instanceof BiError) return e;
  const name = (e as { name?: string }).name ?? '';
  const msg = errorMessage(e);
  const code = (e as { code?: string }).code ?? (e as { cause?: { code?: string } }).cause?.code;
  if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ECONNRESET|ETIMEDOUT/.test(`${code ?? ''} ${msg}`) || name === 'TimeoutError')
    return new BiError(
      'CLOUDWATCH_UNREACHABLE',
      `Cannot reach CloudWatch Logs${s.endpointUrl ? ` at ${s.endpointUrl}` : s.region ? ` in ${s.region}` : ''} (${code ?? msg}). Check --region / --endpoint-url and the network.`,
      { reason: code ?? msg },
    );
  if (name === 'ResourceNotFoundException')
    return new BiError('CLOUDWATCH_LOG_GROUP_NOT_FOUND', `CloudWatch Logs: ${msg} Check --log-group and --region.`);
  if (name === 'MalformedQueryException')
    return new BiError('CLOUDWATCH_QUERY_INVALID', `CloudWatch Logs refused the query: ${msg}`);
  if (name === 'LimitExceededException')
    return new BiError('CLOUDWATCH_LIMIT', `CloudWatch Logs: ${msg} Wait for running queries to end.`);
  return awsError(e, what);
}

interface CloudWatchRun {
  client: CloudWatchLogsClient;
  s: CloudWatchSettings;
  groups: string[] | undefined;
  /** The server's time limit (a request's, else the server's), or undefined: the engine's own applies. */
  limit: number | undefined;
  onRows?: ((rows: ResultRow[]) => void | Promise<void>) | undefined;
  /** The id CloudWatch gave the query, once started (StopQuery needs it). */
  queryId?: string | undefined;
}

/** StopQuery; never throws (the query may have ended already). */
async function stopQuery(t: CloudWatchRun): Promise<void> {
  if (!t.queryId) return;
  try {
    await t.client.send(new StopQueryCommand({ queryId: t.queryId }), { abortSignal: AbortSignal.timeout(10_000) });
  } catch {
    /* the query may have ended already */
  }
}

/** One look at the running query: its end (rows, or cancelled there), or undefined while it runs. */
async function look(t: CloudWatchRun, run: RemoteRun): Promise<'Complete' | 'Cancelled' | undefined> {
  const r = await t.client.send(new GetQueryResultsCommand({ queryId: t.queryId }), {
    abortSignal: AbortSignal.any([run.signal, AbortSignal.timeout(30_000)]),
  });
  const st = r.statistics;
  if (st)
    run.statistics = {
      recordsMatched: st.recordsMatched ?? 0,
      recordsScanned: st.recordsScanned ?? 0,
      estimatedRecordsSkipped: st.estimatedRecordsSkipped ?? 0,
      bytesScanned: st.bytesScanned ?? 0,
      estimatedBytesSkipped: st.estimatedBytesSkipped ?? 0,
      logGroupsScanned: st.logGroupsScanned ?? 0,
    };
  const status = r.status ?? 'Unknown';
  if (status === 'Complete') {
    const rows: ResultRow[] = (r.results ?? []).map((row) =>
      row.filter((f) => f.field !== undefined).map((f) => ({ field: f.field ?? '', value: f.value ?? '' })),
    );
    const cap = run.prepared.plan.rowCap;
    run.truncated = cap !== undefined && rows.length >= cap;
    if (t.onRows) {
      if (rows.length) await t.onRows(rows);
    } else run.rows = rows;
    return 'Complete';
  }
  if (status === 'Cancelled') return 'Cancelled';
  if (status === 'Failed' || status === 'Timeout' || status === 'Unknown')
    throw new BiError(
      status === 'Timeout' ? 'CLOUDWATCH_TIMEOUT' : 'CLOUDWATCH_QUERY_FAILED',
      `CloudWatch Logs ended query ${t.queryId} with status ${status}.`,
    );
  return undefined;
}

/**
 * The query on CloudWatch Logs, through the shared remote run (src/engines/remote-run.ts): the
 * server's time limit ends it as on the store (status Timeout); without one, the engine's own
 * timeout stops it with CLOUDWATCH_TIMEOUT.
 */
async function runOnCloudWatch(t: CloudWatchRun, run: RemoteRun): Promise<'Complete' | 'Cancelled'> {
  const req = run.prepared.request;
  const own = t.s.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const now = Date.now();
  const started = await t.client.send(
    new StartQueryCommand({
      queryString: run.prepared.text,
      startTime: Math.floor((req.startTime ?? 0) / 1000),
      endTime: Math.floor((req.endTime ?? now) / 1000),
      ...(t.groups ? { logGroupNames: t.groups } : {}),
      ...(req.limit !== undefined ? { limit: req.limit } : {}),
    }),
    { abortSignal: AbortSignal.any([run.signal, AbortSignal.timeout(30_000)]) },
  );
  t.queryId = started.queryId;
  return pollUntilDone<'Complete' | 'Cancelled'>({
    signal: run.signal,
    // The server's limit, when there is one, is the remote run's timer; it replaces the engine's own.
    deadline: t.limit === undefined ? now + own : Number.POSITIVE_INFINITY,
    pollMs: t.s.pollMs ?? DEFAULT_POLL_MS,
    stop: () => stopQuery(t),
    cancelled: () => 'Cancelled',
    timedOut: () => {
      throw new BiError(
        'CLOUDWATCH_TIMEOUT',
        `CloudWatch Logs did not finish query ${t.queryId} within ${Math.round(own / 1000)} s; it was stopped.`,
      );
    },
    check: () => look(t, run),
  });
}

/** Every log group CloudWatch lists (the catalog: names only, fields are not read). */
async function listLogGroups(client: CloudWatchLogsClient, s: CloudWatchSettings): Promise<CatalogInfo> {
  const names: string[] = [];
  let token: string | undefined;
  try {
    do {
      const r = await client.send(new DescribeLogGroupsCommand({ ...(token ? { nextToken: token } : {}) }), {
        abortSignal: AbortSignal.timeout(30_000),
      });
      for (const g of r.logGroups ?? []) if (g.logGroupName) names.push(g.logGroupName);
      token = r.nextToken;
    } while (token);
  } catch (e) {
    throw cwError(e, 'list the log groups of CloudWatch Logs', s);
  }
  // Generic events may be anywhere: fields are read from each message, as CloudWatch does.
  return { logGroups: names.map((name) => ({ name, genericEvents: 1 })), fieldsByGroup: new Map() };
}

export function createCloudWatchEngine(s: CloudWatchSettings, opts: EngineOptions = {}): QueryEngine {
  quietSdkNodeWarning();
  const client = new CloudWatchLogsClient({ ...awsClientConfig(s), maxAttempts: 3 });
  let cached: { at: number; catalog: Promise<CatalogInfo> } | undefined;
  const catalog = (): Promise<CatalogInfo> => {
    if (!cached || Date.now() - cached.at > 60_000) {
      const p = listLogGroups(client, s);
      cached = { at: Date.now(), catalog: p };
      p.catch(() => (cached = undefined));
    }
    return cached.catalog;
  };
  return createQueryEngine(
    {
      name: 'cloudwatch',
      catalog,
      async execute(query: RunnableQuery, options: StartOptions) {
        // A query with SOURCE names its own log groups; otherwise those the front end resolved.
        const names = query.plan.source.names;
        const hasSource = /^\s*source\s/i.test(query.text.replace(/^(\s*#[^\n]*\n)+/, ''));
        let groups: string[] | undefined;
        if (!hasSource) {
          groups = names === 'all' ? (await catalog()).logGroups.map((g) => g.name) : names;
          if (groups.length > MAX_GROUPS)
            throw new BiError(
              'CLOUDWATCH_TOO_MANY_LOG_GROUPS',
              `CloudWatch Logs queries at most ${MAX_GROUPS} log groups at once (${groups.length} selected); name them with --log-group.`,
            );
        }
        const limits = opts.limits ?? {};
        const t: CloudWatchRun = {
          client,
          s,
          groups,
          limit: query.request.timeoutMs ?? limits.timeoutMs,
          onRows: options.onRows,
        };
        return startRemoteRun({
          prepared: query,
          limits,
          rowCap: query.plan.rowCap,
          aggregated: query.plan.aggregated,
          body: (run) => runOnCloudWatch(t, run),
          failure: (e) => cwError(e, 'run the query on CloudWatch Logs', s),
          stopRemote: () => stopQuery(t),
        });
      },
    },
    opts,
  );
}
