import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { startServer, type RunningServer } from '../../src/api/server.js';
import type { FilterLimits } from '../../src/cloudwatch/context.js';
import { cloudWatchApiMount } from '../../src/cloudwatch/plugin.js';
import {
  requestOf,
  type QueryEngine,
  type QueryHandle,
  type QueryResult,
  type QueryStatus,
} from '../../src/engines/engine.js';
import { createDuckDbEngine } from '../../src/engines/duckdb.js';
import type { Definitions } from '../../src/workspace/definitions.js';
import { Store } from '../../src/store/store.js';

export const ACCESS_KEY = 'AKIDH8TESTKEY';
export const SECRET_KEY = 'h8/secret+Key0123456789abcdefghijklmnopq';

export interface TestServer {
  url: string;
  port: number;
  store: Store;
  server: RunningServer;
  close(): Promise<void>;
}

/** The console's real server (startServer) with the CloudWatch API mounted, on 127.0.0.1 and a free port, over a fresh store file. */
export async function startTestServer(
  opts: {
    engine?: (store: Store, defs: Definitions) => QueryEngine;
    now?: () => number;
    filterLimits?: Partial<FilterLimits>;
    keptResultBytes?: number;
    log?: (line: string) => void;
  } = {},
): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'h8-cw-'));
  const store = await Store.open(join(dir, 'store.duckdb'));
  const server = await startServer({
    store,
    host: '127.0.0.1',
    port: 0,
    ...(opts.engine ? { engine: opts.engine } : {}),
    cloudWatchApi: cloudWatchApiMount({
      auth: { mode: 'sigv4', keys: new Map([[ACCESS_KEY, SECRET_KEY]]) },
      accountId: '123456789012',
      ...(opts.now ? { now: opts.now } : {}),
      ...(opts.filterLimits ? { filterLimits: opts.filterLimits } : {}),
      ...(opts.keptResultBytes !== undefined ? { keptResultBytes: opts.keptResultBytes } : {}),
      ...(opts.log ? { log: opts.log } : {}),
    }),
  });
  return {
    url: server.url,
    port: server.port,
    store,
    server,
    async close() {
      await server.close();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function sdkClient(
  url: string,
  creds: { accessKeyId: string; secretAccessKey: string } = { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY },
): CloudWatchLogsClient {
  return new CloudWatchLogsClient({ region: 'us-east-1', endpoint: url, credentials: creds, maxAttempts: 1 });
}

/** The AWS CLI v2 (Debian package) at /usr/bin/aws; plain `aws` on PATH may be v1. */
export const AWS_CLI = '/usr/bin/aws';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function awsCli(
  url: string,
  args: string[],
  creds: { id: string; secret: string } = { id: ACCESS_KEY, secret: SECRET_KEY },
): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      AWS_CLI,
      [...args, '--endpoint-url', url, '--output', 'json'],
      {
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          HOME: tmpdir(),
          AWS_ACCESS_KEY_ID: creds.id,
          AWS_SECRET_ACCESS_KEY: creds.secret,
          AWS_REGION: 'us-east-1',
          AWS_DEFAULT_REGION: 'us-east-1',
          AWS_CONFIG_FILE: '/dev/null',
          AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
          AWS_PAGER: '',
          AWS_MAX_ATTEMPTS: '1',
        },
        timeout: 60_000,
      },
      (err, stdout, stderr) => {
        const code = err
          ? typeof (err as { code?: unknown }).code === 'number'
            ? (err as { code: number }).code
            : 1
          : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

export function defaultEngine(store: Store): QueryEngine {
  return createDuckDbEngine(store);
}

export async function eventCount(store: Store, group: string): Promise<number> {
  const conn = await store.connect();
  try {
    const r = await conn.runAndReadAll('SELECT count(*) AS n FROM events WHERE log_group = $1', [group]);
    return Number(r.getRowObjects()[0].n);
  } finally {
    conn.closeSync();
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export const SLOW_QUERY = 'fields @message | limit 7777';

/**
 * The real engine, except that SLOW_QUERY stays Running until cancelled, so StopQuery can be
 * tested on a query that is certainly still running (small test data finishes in milliseconds).
 */
export function withSlowQuery(engine: QueryEngine): QueryEngine {
  return {
    name: engine.name,
    prepare: (r) => engine.prepare(r),
    check: (q, g) => engine.check(q, g),
    run: (r, o) => engine.run(r, o),
    close: () => engine.close(),
    async start(query, options): Promise<QueryHandle> {
      if (requestOf(query).queryString !== SLOW_QUERY) return engine.start(query, options);
      let status: QueryStatus = 'Running';
      let finish!: (r: QueryResult) => void;
      const done = new Promise<QueryResult>((r) => {
        finish = r;
      });
      const snapshot = (): QueryResult => ({
        columns: ['@message'],
        rows: [],
        status,
        warnings: [],
        truncated: false,
        aggregated: false,
        statistics: {
          recordsMatched: 0,
          recordsScanned: 0,
          estimatedRecordsSkipped: 0,
          bytesScanned: 0,
          estimatedBytesSkipped: 0,
          logGroupsScanned: 1,
        },
      });
      return {
        id: 'slow-query-1',
        status: () => status,
        snapshot,
        done: () => done,
        async cancel() {
          status = 'Cancelled';
          finish(snapshot());
        },
      };
    },
  };
}
