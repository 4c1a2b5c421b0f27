/**
 * A loopback stand-in for Amazon Athena: it speaks Athena's real JSON protocol (awsJson1_1, the
 * `X-Amz-Target: AmazonAthena.<Operation>` header, `__type` errors) to the real
 * @aws-sdk/client-athena, and executes each statement on the local Trino (Athena engine v3 is
 * Trino), so the SQL the Athena engine sends is proven on Trino while the protocol is exercised
 * end to end: StartQueryExecution, GetQueryExecution (QUEUED → RUNNING → SUCCEEDED / FAILED /
 * CANCELLED), GetQueryResults in pages with the header row first, StopQueryExecution.
 *
 * Athena itself cannot be reached from here; the parts of its behaviour this copies are those of
 * its API reference: an unknown workgroup and a missing output location are InvalidRequestException
 * at start, a failed statement is a FAILED query whose StateChangeReason carries Trino's error
 * name and message, results are text (`VarCharValue`) with the column types in the metadata.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { TrinoClient, type TrinoColumn } from '../../../src/engines/trino/client.js';
import { BiError } from '../../../src/util/errors.js';

export interface StandInOptions {
  trinoUrl: string;
  /** Workgroups by name, with their configured result location (or none). */
  workgroups: Record<string, { outputLocation?: string }>;
  /** Athena catalog → Trino catalog (default AwsDataCatalog → hive). */
  catalogs?: Record<string, string>;
  /** Rows per GetQueryResults page at most (Athena: MaxResults up to 1000). */
  pageSize?: number;
  /** Keep every query QUEUED this long before it runs (timeouts, cancellation). */
  holdMs?: number;
}

interface Execution {
  id: string;
  sql: string;
  workgroup: string;
  output: string;
  state: 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
  reason?: string;
  columns: TrinoColumn[];
  rows: unknown[][];
  bytes: number;
  submitted: number;
  completed?: number;
  abort: AbortController;
}

export interface AthenaStandIn {
  url: string;
  /** Every call received: the operation and its input. */
  calls: { op: string; input: Record<string, unknown> }[];
  executions: Map<string, Execution>;
  close(): Promise<void>;
}

class ApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** Trino's type signature as Athena names the type (`varchar(12)` → varchar). */
function athenaType(t: string): string {
  return t.replace(/\(.*$/, '').toLowerCase();
}

function text(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
}

export async function startAthenaStandIn(o: StandInOptions): Promise<AthenaStandIn> {
  const executions = new Map<string, Execution>();
  const calls: AthenaStandIn['calls'] = [];
  const pageSize = o.pageSize ?? 1000;

  function run(ex: Execution, catalog: string, database?: string): void {
    const client = new TrinoClient({ url: o.trinoUrl, catalog, ...(database ? { schema: database } : {}) });
    void (async () => {
      // The hold ends when the query is stopped or the stand-in closes: a bare timer of holdMs
      // (10 minutes in the tests) kept the test process alive that long after its tests passed.
      if (o.holdMs) await sleep(o.holdMs, undefined, { signal: ex.abort.signal }).catch(() => undefined);
      if (ex.abort.signal.aborted) return;
      ex.state = 'RUNNING';
      try {
        const r = await client.query(ex.sql, { signal: ex.abort.signal });
        ex.columns = r.columns;
        ex.rows = r.rows;
        ex.bytes = r.stats.physicalInputBytes;
        ex.state = 'SUCCEEDED';
      } catch (e) {
        if (ex.abort.signal.aborted) ex.state = 'CANCELLED';
        else {
          ex.state = 'FAILED';
          const name = e instanceof BiError ? String(e.details.trinoErrorName ?? e.code) : 'INTERNAL_ERROR';
          const msg = (e instanceof Error ? e.message : String(e))
            .replace(/^Trino: /, '')
            .replace(/ \([A-Z_]+\)\.$/, '');
          ex.reason = `${name}: ${msg}`;
        }
      }
      ex.completed = Date.now();
    })();
  }

  const ops: Record<string, (input: Record<string, unknown>) => unknown> = {
    StartQueryExecution(input) {
      const workgroup = String(input.WorkGroup ?? 'primary');
      const wg = o.workgroups[workgroup];
      if (!wg)
        throw new ApiError('InvalidRequestException', `WorkGroup ${workgroup} is not found.`, {
          AthenaErrorCode: 'INVALID_INPUT',
        });
      const rc = input.ResultConfiguration as { OutputLocation?: string } | undefined;
      const output = rc?.OutputLocation ?? wg.outputLocation;
      if (!output)
        throw new ApiError(
          'InvalidRequestException',
          'No output location provided. An output location is required either through the Workgroup result configuration setting or as an API input.',
          { AthenaErrorCode: 'INVALID_INPUT' },
        );
      if (typeof input.QueryString !== 'string' || input.QueryString.length === 0)
        throw new ApiError('InvalidRequestException', 'QueryString is required.');
      const ctx = (input.QueryExecutionContext ?? {}) as { Catalog?: string; Database?: string };
      const catalogs = o.catalogs ?? { AwsDataCatalog: 'hive' };
      const catalog = catalogs[ctx.Catalog ?? 'AwsDataCatalog'];
      if (!catalog) throw new ApiError('InvalidRequestException', `Catalog ${ctx.Catalog} is not found.`);
      const id = randomUUID();
      const ex: Execution = {
        id,
        sql: input.QueryString,
        workgroup,
        output: `${output.replace(/\/?$/, '/')}${id}.csv`,
        state: 'QUEUED',
        columns: [],
        rows: [],
        bytes: 0,
        submitted: Date.now(),
        abort: new AbortController(),
      };
      executions.set(id, ex);
      run(ex, catalog, ctx.Database);
      return { QueryExecutionId: id };
    },
    GetQueryExecution(input) {
      const ex = find(input);
      const status: Record<string, unknown> = { State: ex.state, SubmissionDateTime: ex.submitted / 1000 };
      if (ex.completed) status.CompletionDateTime = ex.completed / 1000;
      if (ex.reason) {
        status.StateChangeReason = ex.reason;
        status.AthenaError = { ErrorCategory: 2, ErrorType: 1006, Retryable: false, ErrorMessage: ex.reason };
      }
      return {
        QueryExecution: {
          QueryExecutionId: ex.id,
          Query: ex.sql,
          StatementType: 'DML',
          WorkGroup: ex.workgroup,
          ResultConfiguration: { OutputLocation: ex.output },
          Status: status,
          Statistics: {
            DataScannedInBytes: ex.bytes,
            EngineExecutionTimeInMillis: (ex.completed ?? Date.now()) - ex.submitted,
            TotalExecutionTimeInMillis: (ex.completed ?? Date.now()) - ex.submitted,
          },
          EngineVersion: { SelectedEngineVersion: 'AUTO', EffectiveEngineVersion: 'Athena engine version 3' },
        },
      };
    },
    GetQueryResults(input) {
      const ex = find(input);
      if (ex.state !== 'SUCCEEDED') {
        if (ex.state === 'FAILED') throw new ApiError('InvalidRequestException', ex.reason ?? 'Query failed');
        throw new ApiError('InvalidRequestException', `Query has not yet finished. Current state: ${ex.state}`);
      }
      const max = Math.min(Number(input.MaxResults ?? 1000), 1000, pageSize);
      const start = input.NextToken ? Number(Buffer.from(String(input.NextToken), 'base64').toString()) : 0;
      const header = ex.columns.map((c) => ({ VarCharValue: c.name }));
      const rows = ex.rows.slice(start, start + (start === 0 ? max - 1 : max));
      const data = rows.map((r) => ({ Data: r.map((v) => (text(v) === undefined ? {} : { VarCharValue: text(v) })) }));
      const end = start + rows.length;
      return {
        UpdateCount: 0,
        ResultSet: {
          Rows: start === 0 ? [{ Data: header }, ...data] : data,
          ResultSetMetadata: {
            ColumnInfo: ex.columns.map((c) => ({
              CatalogName: 'hive',
              SchemaName: '',
              TableName: '',
              Name: c.name,
              Label: c.name,
              Type: athenaType(c.type),
              Precision: 0,
              Scale: 0,
              Nullable: 'UNKNOWN',
              CaseSensitive: athenaType(c.type) === 'varchar',
            })),
          },
        },
        ...(end < ex.rows.length ? { NextToken: Buffer.from(String(end)).toString('base64') } : {}),
      };
    },
    StopQueryExecution(input) {
      const ex = find(input);
      if (ex.state === 'QUEUED' || ex.state === 'RUNNING') {
        ex.abort.abort();
        ex.state = 'CANCELLED';
        ex.completed = Date.now();
      }
      return {};
    },
  };

  function find(input: Record<string, unknown>): Execution {
    const ex = executions.get(String(input.QueryExecutionId ?? ''));
    if (!ex)
      throw new ApiError('InvalidRequestException', `QueryExecution ${String(input.QueryExecutionId)} was not found`);
    return ex;
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const op = target.startsWith('AmazonAthena.') ? target.slice('AmazonAthena.'.length) : '';
      const reply = (status: number, payload: unknown): void => {
        res.writeHead(status, { 'Content-Type': 'application/x-amz-json-1.1', 'x-amzn-RequestId': randomUUID() });
        res.end(JSON.stringify(payload));
      };
      try {
        if (req.method !== 'POST' || !ops[op])
          throw new ApiError('UnknownOperationException', `Unknown operation ${target}`);
        if (!/^AWS4-HMAC-SHA256 Credential=/.test(String(req.headers.authorization ?? '')))
          throw new ApiError('MissingAuthenticationTokenException', 'Missing Authentication Token');
        const input = (body ? JSON.parse(body) : {}) as Record<string, unknown>;
        calls.push({ op, input });
        reply(200, ops[op](input));
      } catch (e) {
        const err = e instanceof ApiError ? e : new ApiError('InternalServerException', String(e));
        reply(err.type === 'InternalServerException' ? 500 : 400, {
          __type: err.type,
          Message: err.message,
          ...err.extra,
        });
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    executions,
    close: async () => {
      for (const ex of executions.values()) ex.abort.abort();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
