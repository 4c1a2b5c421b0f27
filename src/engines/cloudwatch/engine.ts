/**
 * The CloudWatch pass-through engine: the query runs on CloudWatch Logs itself (StartQuery,
 * GetQueryResults polled until it ends, StopQuery on cancel), with the SDK's usual credential
 * chain. The front end still runs here first (src/insights/compile.ts, with CloudWatch's log
 * groups as the catalog), so a query gets the same diagnostics and output columns as on the
 * other engines before anything is sent; the text sent is the query as written. Rows and
 * statistics are CloudWatch's own.
 */
import { randomUUID } from 'node:crypto';
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
import {
  EMPTY_STATS,
  type QueryEngine,
  type QueryResult,
  type QueryStatistics,
  type QueryStatus,
  type ResultRow,
  type StartOptions,
} from '../engine.js';
import type { CloudWatchSettings } from '../settings.js';
import { createQueryEngine, rowCapWarning, type EngineOptions, type RunnableQuery } from '../query-engine.js';
import { timeoutError, type ExecutionLimits } from '../limits.js';
import { pollUntilDone } from '../poll.js';

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

class Run {
  readonly id = randomUUID();
  status: QueryStatus = 'Running';
  rows: ResultRow[] = [];
  statistics: QueryStatistics = { ...EMPTY_STATS };
  truncated = false;
  error?: { code: string; message: string };
  private queryId?: string;
  private readonly abort = new AbortController();
  readonly finished: Promise<QueryResult>;

  constructor(
    private readonly client: CloudWatchLogsClient,
    private readonly s: CloudWatchSettings,
    private readonly prepared: RunnableQuery,
    private readonly groups: string[] | undefined,
    private readonly limits: ExecutionLimits,
    private readonly onRows?: (rows: ResultRow[]) => void | Promise<void>,
  ) {
    this.finished = this.execute();
  }

  result(): QueryResult {
    const warnings = this.prepared.diagnostics.filter((d) => d.severity !== 'error');
    if (this.truncated) warnings.push(rowCapWarning(this.prepared, this.prepared.plan.rowCap ?? 0));
    const r: QueryResult = {
      columns: this.prepared.columns,
      rows: this.rows,
      statistics: this.statistics,
      status: this.status,
      warnings,
      truncated: this.truncated,
      aggregated: this.prepared.plan.aggregated,
    };
    if (this.error) r.error = this.error;
    return r;
  }

  async cancel(): Promise<void> {
    if (this.status !== 'Running') return;
    this.status = 'Cancelled';
    this.abort.abort();
    await this.finished;
  }

  private async stop(): Promise<void> {
    if (!this.queryId) return;
    try {
      await this.client.send(new StopQueryCommand({ queryId: this.queryId }), {
        abortSignal: AbortSignal.timeout(10_000),
      });
    } catch {
      /* the query may have ended already */
    }
  }

  /** One look at the running query: its end (rows, or cancelled there), or undefined while it runs. */
  private async look(signal: AbortSignal): Promise<QueryResult | undefined> {
    const r = await this.client.send(new GetQueryResultsCommand({ queryId: this.queryId }), {
      abortSignal: AbortSignal.any([signal, AbortSignal.timeout(30_000)]),
    });
    const st = r.statistics;
    if (st)
      this.statistics = {
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
      const cap = this.prepared.plan.rowCap;
      this.truncated = cap !== undefined && rows.length >= cap;
      if (this.onRows) {
        if (rows.length) await this.onRows(rows);
      } else this.rows = rows;
      this.status = 'Complete';
      return this.result();
    }
    if (status === 'Cancelled') {
      this.status = 'Cancelled';
      return this.result();
    }
    if (status === 'Failed' || status === 'Timeout' || status === 'Unknown')
      throw new BiError(
        status === 'Timeout' ? 'CLOUDWATCH_TIMEOUT' : 'CLOUDWATCH_QUERY_FAILED',
        `CloudWatch Logs ended query ${this.queryId} with status ${status}.`,
      );
    return undefined;
  }

  private async execute(): Promise<QueryResult> {
    const req = this.prepared.request;
    const signal = this.abort.signal;
    // The server's time limit (a request's, else the server's) ends it as on the store: status Timeout.
    const limit = req.timeoutMs ?? this.limits.timeoutMs;
    const deadline = Date.now() + (limit ?? this.s.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    try {
      const now = Date.now();
      const started = await this.client.send(
        new StartQueryCommand({
          queryString: this.prepared.text,
          startTime: Math.floor((req.startTime ?? 0) / 1000),
          endTime: Math.floor((req.endTime ?? now) / 1000),
          ...(this.groups ? { logGroupNames: this.groups } : {}),
          ...(req.limit !== undefined ? { limit: req.limit } : {}),
        }),
        { abortSignal: AbortSignal.any([signal, AbortSignal.timeout(30_000)]) },
      );
      this.queryId = started.queryId;
      return await pollUntilDone({
        signal,
        deadline,
        pollMs: this.s.pollMs ?? DEFAULT_POLL_MS,
        stop: () => this.stop(),
        cancelled: () => {
          this.status = 'Cancelled';
          return this.result();
        },
        timedOut: () => {
          if (limit === undefined)
            throw new BiError(
              'CLOUDWATCH_TIMEOUT',
              `CloudWatch Logs did not finish query ${this.queryId} within ${Math.round((this.s.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000)} s; it was stopped.`,
            );
          this.status = 'Timeout';
          this.error = timeoutError(limit);
          return this.result();
        },
        check: () => this.look(signal),
      });
    } catch (e) {
      if (this.status === 'Cancelled' || signal.aborted) {
        await this.stop();
        this.status = 'Cancelled';
      } else {
        const err = cwError(e, 'run the query on CloudWatch Logs', this.s);
        this.status = 'Failed';
        this.error = { code: err.code, message: err.message };
      }
      return this.result();
    }
  }
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
        const r = new Run(client, s, query, groups, opts.limits ?? {}, options.onRows);
        return {
          id: r.id,
          status: () => r.status,
          snapshot: () => r.result(),
          done: () => r.finished,
          cancel: () => r.cancel(),
        };
      },
    },
    opts,
  );
}
