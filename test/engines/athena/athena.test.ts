// The Athena engine through the real @aws-sdk/client-athena against a loopback stand-in that speaks
// Athena's JSON protocol and runs each statement on the local Trino (stand-in.ts): the output of
// `query --engine athena` equals the embedded engine's for the same S3 layout, results are read
// page by page, and a wrong workgroup, a missing table, a failed statement, a deadline and Ctrl-C
// each end as a coded error (StopQueryExecution sent where a query was running).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeDataset } from '../../../src/demo/generator.js';
import { TrinoClient } from '../../../src/engines/trino/client.js';
import { describeLayout } from '../../../src/engines/trino/layout.js';
import { setupTrinoTable } from '../../../src/engines/trino/setup.js';
import { ingestPaths } from '../../../src/sources/ingest.js';
import { Store } from '../../../src/store/store.js';
import { closedPort, holdLocalTrino, type HeldTrino } from '../trino/helpers.js';
import { startAthenaStandIn, type AthenaStandIn } from './stand-in.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
const CLI = new URL('../../alarms/run-cli.ts', import.meta.url).pathname;
const Q = (n: string) => join(ROOT, 'queries', 'bedrock', `${n}.insights`);
const SCHEMA = `bi_athena_${process.pid}`;

let trino: HeldTrino;
let client: TrinoClient;
let athena: AthenaStandIn;
let dir = '';
let db = '';

before(async () => {
  trino = await holdLocalTrino();
  client = new TrinoClient({ url: trino.url });
  dir = mkdtempSync(join(tmpdir(), 'bi-athena-'));
  const logs = join(dir, 'logs');
  db = join(dir, 'store.duckdb');
  await writeDataset({ out: logs, format: 's3', preset: 'guide', end: '2026-11-01T00:00:00Z' });
  const store = await Store.open(db);
  await ingestPaths(store, [logs]);
  store.close();
  await setupTrinoTable(client, await describeLayout(logs), `hive.${SCHEMA}.invocations`);
  // A "lines" table without the line column: a statement Trino rejects.
  await client.query(`CREATE TABLE hive.${SCHEMA}.broken_lines (x varchar)`);
  athena = await startAthenaStandIn({
    trinoUrl: trino.url,
    workgroups: { primary: {}, analytics: { outputLocation: 's3://athena-results/analytics/' } },
    // Small pages, so a result of 450 rows takes several GetQueryResults calls.
    pageSize: 100,
  });
});

after(async () => {
  try {
    await athena?.close();
    for (const t of ['invocations', 'invocations_lines', 'broken_lines'])
      await client?.query(`DROP TABLE IF EXISTS hive.${SCHEMA}.${t}`);
    await client?.query(`DROP SCHEMA IF EXISTS hive.${SCHEMA}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await trino?.release();
  }
});

interface Ran {
  code: number | null;
  out: string;
  err: string;
}

function cli(args: string[], opts: { onStart?: (child: ReturnType<typeof spawn>) => void } = {}): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
      cwd: ROOT,
      env: {
        ...process.env,
        BEDROCK_INSIGHTS_DB: '',
        AWS_ACCESS_KEY_ID: 'AKIDTEST',
        AWS_SECRET_ACCESS_KEY: 'secret',
        AWS_REGION: 'us-east-1',
        AWS_EC2_METADATA_DISABLED: 'true',
      },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => resolve({ code, out, err }));
    opts.onStart?.(child);
  });
}

function athenaArgs(extra: string[] = [], standIn = athena): string[] {
  return [
    '--engine',
    'athena',
    '--workgroup',
    'primary',
    '--output-location',
    's3://athena-results/q/',
    '--endpoint-url',
    standIn.url,
    '--table',
    `${SCHEMA}.invocations`,
    ...extra,
  ];
}

test('query --engine athena prints what the DuckDB engine prints; results read page by page', async () => {
  for (const [name, format] of [
    ['q02-tokens-by-application', 'table'],
    ['q04-application-by-environment', 'json'],
    ['q01-all-logs-basic', 'csv'],
  ]) {
    const d = await cli(['query', '-f', Q(name), '--db', db, '--format', format, '-q']);
    const before = athena.calls.length;
    const a = await cli(['query', '-f', Q(name), ...athenaArgs(['--format', format, '-q'])]);
    assert.equal(d.code, 0, d.err);
    assert.equal(a.code, 0, a.err);
    assert.equal(a.out, d.out, name);
    const ops = athena.calls.slice(before).map((c) => c.op);
    assert.equal(ops[0], 'StartQueryExecution');
    assert.ok(ops.includes('GetQueryExecution'));
    // Athena charges by the byte: one statement per query, no count query beside it.
    assert.equal(ops.filter((o) => o === 'StartQueryExecution').length, 1, ops.join());
  }
  // 450 events in pages of 100: five GetQueryResults calls with NextToken.
  const before = athena.calls.length;
  const all = await cli(['query', 'fields @timestamp, requestId', ...athenaArgs(['--format', 'csv', '-q'])]);
  assert.equal(all.code, 0, all.err);
  assert.equal(all.out.trim().split('\r\n').length, 451);
  const pages = athena.calls.slice(before).filter((c) => c.op === 'GetQueryResults');
  assert.equal(pages.length, 5);
  assert.equal(pages.filter((p) => p.input.NextToken !== undefined).length, 4);
  const start = athena.calls.slice(before).find((c) => c.op === 'StartQueryExecution');
  assert.equal(start?.input.WorkGroup, 'primary');
  assert.deepEqual(start?.input.ResultConfiguration, { OutputLocation: 's3://athena-results/q/' });
  assert.match(String(start?.input.QueryString), new RegExp(`FROM ${SCHEMA}\\.invocations_lines`));
});

test('statistics: bytes scanned come from Athena', async () => {
  const a = await cli(['query', '-f', Q('q07-cost-center'), ...athenaArgs()]);
  assert.equal(a.code, 0, a.err);
  const m = /(\d+) records matched, (\d+) scanned, (\d+) bytes, 1 log group/.exec(a.err);
  assert.ok(m, a.err);
  assert.equal(Number(m[1]), 450);
  const last = [...athena.executions.values()].at(-1);
  assert.ok(last && last.bytes > 0);
  assert.equal(Number(m[3]), last.bytes);
});

test('bad input: wrong workgroup, missing table, a statement Athena fails, unreachable: coded errors', async () => {
  const wg = await cli(['query', 'fields @timestamp', ...athenaArgs(), '--workgroup', 'nope']);
  assert.equal(wg.code, 2);
  assert.match(wg.err, /^error \[ATHENA_WORKGROUP_NOT_FOUND\]: Athena: WorkGroup nope is not found\./);
  const noOutput = await cli([
    'query',
    'fields @timestamp',
    '--engine',
    'athena',
    '--workgroup',
    'primary',
    '--endpoint-url',
    athena.url,
    '--table',
    `${SCHEMA}.invocations`,
  ]);
  assert.equal(noOutput.code, 2);
  assert.match(
    noOutput.err,
    /^error \[ATHENA_NO_OUTPUT_LOCATION\]: Athena: No output location provided\. .* Pass --output-location/,
  );
  const table = await cli(['query', 'fields @timestamp', ...athenaArgs(), '--table', `${SCHEMA}.missing`]);
  assert.equal(table.code, 2);
  assert.match(table.err, /^error \[ATHENA_TABLE_NOT_FOUND\]: Athena: TABLE_NOT_FOUND: .*missing_lines.*athena ddl/);
  const failed = await cli(['query', 'fields @timestamp', ...athenaArgs(), '--table', `${SCHEMA}.broken`]);
  assert.equal(failed.code, 2);
  assert.match(failed.err, /^error \[ATHENA_QUERY_FAILED\]: Athena: COLUMN_NOT_FOUND: .*'line' cannot be resolved/);
  const port = await closedPort();
  const down = await cli(['query', 'fields @timestamp', ...athenaArgs(), '--endpoint-url', `http://127.0.0.1:${port}`]);
  assert.equal(down.code, 2);
  assert.match(
    down.err,
    /^error \[ATHENA_UNREACHABLE\]: Cannot reach Athena at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/,
  );
  const badLoc = await cli(['query', 'fields @timestamp', ...athenaArgs(), '--output-location', '/tmp/x']);
  assert.match(badLoc.err, /^error \[INVALID_ARGUMENT\]: --output-location must be an s3:\/\/ URL/);
});

test('a query past --timeout is stopped on Athena (StopQueryExecution) and ends ATHENA_TIMEOUT', async () => {
  const slow = await startAthenaStandIn({ trinoUrl: trino.url, workgroups: { primary: {} }, holdMs: 600_000 });
  try {
    const r = await cli(['query', 'stats count(*)', ...athenaArgs(['--timeout', '1.5'], slow)]);
    assert.equal(r.code, 2);
    assert.match(
      r.err,
      /^error \[ATHENA_TIMEOUT\]: Athena did not finish query [0-9a-f-]+ within 2 s; it was stopped\./,
    );
    const [ex] = [...slow.executions.values()];
    assert.equal(ex.state, 'CANCELLED');
    assert.ok(slow.calls.some((c) => c.op === 'StopQueryExecution' && c.input.QueryExecutionId === ex.id));
  } finally {
    await slow.close();
  }
});

test('Ctrl-C stops the running Athena query and exits 130', async () => {
  const slow = await startAthenaStandIn({ trinoUrl: trino.url, workgroups: { primary: {} }, holdMs: 600_000 });
  try {
    const r = await cli(['query', 'stats count(*)', ...athenaArgs([], slow)], {
      onStart: (child) => {
        const wait = setInterval(() => {
          if (slow.calls.some((c) => c.op === 'GetQueryExecution')) {
            clearInterval(wait);
            child.kill('SIGINT');
          }
        }, 50);
        // A CLI that ended before polling must not leave this interval keeping the run alive.
        child.once('close', () => clearInterval(wait));
      },
    });
    assert.equal(r.code, 130, r.err);
    assert.match(r.err, /query cancelled/);
    const [ex] = [...slow.executions.values()];
    assert.equal(ex.state, 'CANCELLED');
    assert.ok(slow.calls.some((c) => c.op === 'StopQueryExecution' && c.input.QueryExecutionId === ex.id));
  } finally {
    await slow.close();
  }
});

test('the stand-in answers like Athena: results of an unfinished query are refused', async () => {
  const slow = await startAthenaStandIn({ trinoUrl: trino.url, workgroups: { primary: {} }, holdMs: 600_000 });
  try {
    const { AthenaClient, GetQueryResultsCommand, StartQueryExecutionCommand } = await import('@aws-sdk/client-athena');
    const sdk = new AthenaClient({
      endpoint: slow.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' },
    });
    const { QueryExecutionId } = await sdk.send(
      new StartQueryExecutionCommand({
        QueryString: 'SELECT 1',
        WorkGroup: 'primary',
        ResultConfiguration: { OutputLocation: 's3://x/' },
      }),
    );
    await assert.rejects(sdk.send(new GetQueryResultsCommand({ QueryExecutionId })), (e: Error) => {
      assert.equal(e.name, 'InvalidRequestException');
      assert.match(e.message, /Query has not yet finished\. Current state: QUEUED/);
      return true;
    });
    sdk.destroy(); // its keep-alive agent
  } finally {
    await slow.close();
  }
});
