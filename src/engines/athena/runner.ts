/**
 * Runs one SQL statement on Amazon Athena through @aws-sdk/client-athena: StartQueryExecution,
 * GetQueryExecution polled until the query ends, GetQueryResults page by page, and
 * StopQueryExecution when the caller aborts or the deadline passes. Athena engine v3 is Trino, so
 * the statement is the Trino dialect's (src/insights/sql/trino/).
 *
 * Results come back as text (`VarCharValue`); they are turned into the values Trino's protocol
 * gives (numbers, booleans, bigint beyond 2^53) from the column types Athena reports, so the
 * engine formats them the same way. Every failure is a coded BiError: ATHENA_WORKGROUP_NOT_FOUND,
 * ATHENA_NO_OUTPUT_LOCATION,
 * ATHENA_TABLE_NOT_FOUND, ATHENA_QUERY_FAILED (Athena's reason in the message), ATHENA_TIMEOUT,
 * ATHENA_UNREACHABLE, QUERY_CANCELLED, AWS_REQUEST_FAILED (credentials, permissions).
 */
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  type ColumnInfo,
  type Row,
} from '@aws-sdk/client-athena';
import { awsClientConfig, awsError } from '../../sources/aws.js';
import { quietSdkNodeWarning } from '../sdk-warning.js';
import { BiError, errorMessage } from '../../util/errors.js';
import type { AthenaSettings } from '../settings.js';
import type { RunnerStats, SqlRunner } from '../trino/engine.js';
import { pollUntilDone } from '../poll.js';

const DEFAULT_TIMEOUT_MS = 5 * 60_000;
const DEFAULT_POLL_MS = 500;
const PAGE = 1000;

/** Athena's text of one value as the value Trino's JSON protocol would give. */
export function athenaValue(text: string | undefined, type: string | undefined): unknown {
  if (text === undefined) return null;
  switch ((type ?? 'varchar').toLowerCase()) {
    case 'bigint':
    case 'integer':
    case 'int':
    case 'smallint':
    case 'tinyint': {
      const n = Number(text);
      return Number.isSafeInteger(n) ? n : BigInt(text);
    }
    case 'double':
    case 'real':
    case 'float': {
      const n = Number(text);
      // NaN / Infinity stay text, as Trino sends them.
      return Number.isFinite(n) ? n : text;
    }
    case 'boolean':
      return text === 'true';
    default:
      return text;
  }
}

function cancelled(id: string | undefined): BiError {
  return new BiError('QUERY_CANCELLED', `The Athena query ${id ?? '(not started)'} was cancelled.`, { queryId: id });
}

/** An SDK failure as a coded error: unreachable endpoint, unknown workgroup, or the generic AWS one. */
function requestError(e: unknown, what: string, s: AthenaSettings): BiError {
  if (e instanceof BiError) return e;
  const name = (e as { name?: string }).name ?? '';
  const msg = errorMessage(e);
  const code =
    (e as { code?: string; cause?: { code?: string } }).code ?? (e as { cause?: { code?: string } }).cause?.code;
  if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ECONNRESET|ETIMEDOUT/.test(`${code ?? ''} ${msg}`) || name === 'TimeoutError')
    return new BiError(
      'ATHENA_UNREACHABLE',
      `Cannot reach Athena${s.endpointUrl ? ` at ${s.endpointUrl}` : s.region ? ` in ${s.region}` : ''} (${code ?? msg}). Check --region / --endpoint-url and the network.`,
      { reason: code ?? msg },
    );
  if (name === 'InvalidRequestException' && /output location/i.test(msg))
    return new BiError(
      'ATHENA_NO_OUTPUT_LOCATION',
      `Athena: ${msg} Pass --output-location s3://BUCKET/PREFIX/, or set one in the workgroup.`,
      { workgroup: s.workgroup },
    );
  if (name === 'InvalidRequestException' && /workgroup\b.*\b(not found|does not exist)/i.test(msg))
    return new BiError(
      'ATHENA_WORKGROUP_NOT_FOUND',
      `Athena: ${msg} Check --workgroup (aws athena list-work-groups lists them).`,
      { workgroup: s.workgroup },
    );
  if (name === 'InvalidRequestException')
    return new BiError('ATHENA_QUERY_FAILED', `Athena refused the query: ${msg}`, { awsError: name });
  return awsError(e, what);
}

/** A FAILED query's reason as a coded error (a missing table names the command that creates it). */
function failedQuery(id: string, reason: string | undefined, errorType: number | undefined): BiError {
  const text = reason ?? 'Athena reported a failure without a reason.';
  if (/TABLE_NOT_FOUND|SCHEMA_NOT_FOUND|does not exist|not found/i.test(text) && /table|schema|database/i.test(text))
    return new BiError(
      'ATHENA_TABLE_NOT_FOUND',
      `Athena: ${text}. Create the tables with the statements of: bedrock-insights athena ddl --location s3://BUCKET/PREFIX`,
      { queryId: id, errorType },
    );
  return new BiError('ATHENA_QUERY_FAILED', `Athena: ${text}`, { queryId: id, errorType });
}

export class AthenaRunner implements SqlRunner {
  private readonly client: AthenaClient;
  private readonly timeoutMs: number;
  private readonly pollMs: number;

  constructor(private readonly s: AthenaSettings) {
    const cfg = awsClientConfig(s);
    // A test or private endpoint seldom cares about the region, but SigV4 needs one.
    if (s.endpointUrl && !cfg.region && !process.env.AWS_REGION && !process.env.AWS_DEFAULT_REGION)
      cfg.region = 'us-east-1';
    quietSdkNodeWarning();
    this.client = new AthenaClient({ ...cfg, maxAttempts: 3 });
    this.timeoutMs = s.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.pollMs = s.pollMs ?? DEFAULT_POLL_MS;
  }

  /** The state of a running query and the bytes it scanned; a failure or a cancel there is thrown, coded. */
  private async look(id: string): Promise<{ state: string | undefined; scanned: number | undefined }> {
    try {
      const q = await this.client.send(new GetQueryExecutionCommand({ QueryExecutionId: id }), {
        abortSignal: AbortSignal.timeout(30_000),
      });
      const ex = q.QueryExecution;
      const state = ex?.Status?.State;
      if (state === 'FAILED')
        throw failedQuery(
          id,
          ex?.Status?.StateChangeReason ?? ex?.Status?.AthenaError?.ErrorMessage,
          ex?.Status?.AthenaError?.ErrorType,
        );
      if (state === 'CANCELLED') throw cancelled(id);
      return { state, scanned: ex?.Statistics?.DataScannedInBytes };
    } catch (e) {
      if (e instanceof BiError) throw e;
      await this.stop(id);
      throw requestError(e, `read the state of Athena query ${id}`, this.s);
    }
  }

  async query(
    sql: string,
    opts: { signal?: AbortSignal; onRows?: (rows: unknown[][]) => void },
  ): Promise<{ rows: unknown[][]; stats: RunnerStats }> {
    const { signal } = opts;
    const deadline = Date.now() + this.timeoutMs;
    if (signal?.aborted) throw cancelled(undefined);
    let id: string | undefined;
    try {
      const started = await this.client.send(
        new StartQueryExecutionCommand({
          QueryString: sql,
          WorkGroup: this.s.workgroup,
          QueryExecutionContext: { Catalog: this.s.catalog ?? 'AwsDataCatalog' },
          ...(this.s.outputLocation ? { ResultConfiguration: { OutputLocation: this.s.outputLocation } } : {}),
        }),
        { abortSignal: AbortSignal.timeout(30_000) },
      );
      id = started.QueryExecutionId;
    } catch (e) {
      throw requestError(e, 'start an Athena query', this.s);
    }
    if (!id) throw new BiError('ATHENA_QUERY_FAILED', 'Athena started a query without an id.');
    let bytes = 0;
    const queryId = id;
    await pollUntilDone<true>({
      ...(signal ? { signal } : {}),
      deadline,
      pollMs: this.pollMs,
      stop: () => this.stop(queryId),
      cancelled: () => {
        throw cancelled(queryId);
      },
      timedOut: () => {
        throw new BiError(
          'ATHENA_TIMEOUT',
          `Athena did not finish query ${queryId} within ${Math.round(this.timeoutMs / 1000)} s; it was stopped. Narrow the time range or raise the timeout.`,
          { queryId, timeoutMs: this.timeoutMs },
        );
      },
      check: async () => {
        const { state, scanned } = await this.look(queryId);
        bytes = scanned ?? bytes;
        return state === 'SUCCEEDED' ? true : undefined;
      },
    });
    const rows: unknown[][] = [];
    let token: string | undefined;
    let first = true;
    let types: string[] = [];
    do {
      if (signal?.aborted) throw cancelled(id);
      let page;
      try {
        page = await this.client.send(
          new GetQueryResultsCommand({
            QueryExecutionId: id,
            MaxResults: PAGE,
            ...(token ? { NextToken: token } : {}),
          }),
          { abortSignal: AbortSignal.timeout(30_000) },
        );
      } catch (e) {
        throw requestError(e, `read the results of Athena query ${id}`, this.s);
      }
      if (first)
        types = (page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? []).map((c: ColumnInfo) => c.Type ?? 'varchar');
      let data: Row[] = page.ResultSet?.Rows ?? [];
      // The first row of a SELECT's results is the header (the column names).
      if (first) data = data.slice(1);
      first = false;
      const converted = data.map((r) => (r.Data ?? []).map((d, i) => athenaValue(d.VarCharValue, types[i])));
      if (opts.onRows) {
        if (converted.length) opts.onRows(converted);
      } else rows.push(...converted);
      token = page.NextToken;
    } while (token);
    // Athena reports bytes scanned, not rows.
    return { rows, stats: { processedRows: 0, physicalInputBytes: bytes } };
  }

  /** StopQueryExecution; never throws (the query may have ended already). */
  private async stop(id: string): Promise<void> {
    try {
      await this.client.send(new StopQueryExecutionCommand({ QueryExecutionId: id }), {
        abortSignal: AbortSignal.timeout(10_000),
      });
    } catch {
      /* best effort */
    }
  }
}
