import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DescribeQueriesCommand,
  GetLogRecordCommand,
  GetQueryResultsCommand,
  PutLogEventsCommand,
  StartQueryCommand,
  StopQueryCommand,
  type CloudWatchLogsClient,
  type GetQueryResultsCommandOutput,
} from '@aws-sdk/client-cloudwatch-logs';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { generateRecords } from '../../src/demo/generator.js';
import { PREPARE_CHANNEL } from '../../src/engines/query-engine.js';
import { createDuckDbEngine } from '../../src/engines/duckdb.js';
import type { QueryEngine } from '../../src/engines/engine.js';
import { SLOW_QUERY, sdkClient, sleep, startTestServer, withSlowQuery, type TestServer } from './helpers.js';

const GROUP = '/aws/bedrock/modelinvocations';
let srv: TestServer;
let cw: CloudWatchLogsClient;
let direct: QueryEngine;
let firstMs = Infinity;
let lastMs = -Infinity;

before(async () => {
  srv = await startTestServer({ engine: (store) => withSlowQuery(createDuckDbEngine(store)) });
  cw = sdkClient(srv.url);
  direct = createDuckDbEngine(srv.store);
  await cw.send(new CreateLogGroupCommand({ logGroupName: GROUP }));
  await cw.send(new CreateLogStreamCommand({ logGroupName: GROUP, logStreamName: 'aws/bedrock/modelinvocations' }));
  // The guide data set (450 Bedrock records over the last day), pushed as CloudWatch would receive it.
  const end = Date.now() - 3600_000;
  const events = [...generateRecords({ preset: 'guide', end, bodies: false })].map((r) => ({
    timestamp: Date.parse(r.timestamp),
    message: JSON.stringify(r),
  }));
  events.sort((a, b) => a.timestamp - b.timestamp);
  for (let i = 0; i < events.length; i += 100) {
    const batch = events.slice(i, i + 100);
    const r = await cw.send(
      new PutLogEventsCommand({ logGroupName: GROUP, logStreamName: 'aws/bedrock/modelinvocations', logEvents: batch }),
    );
    assert.equal(r.rejectedLogEventsInfo, undefined);
  }
  firstMs = events[0].timestamp;
  lastMs = events[events.length - 1].timestamp;
});

after(async () => {
  cw.destroy();
  await direct.close();
  await srv.close();
});

async function poll(queryId: string): Promise<GetQueryResultsCommandOutput> {
  for (let i = 0; i < 600; i++) {
    const r = await cw.send(new GetQueryResultsCommand({ queryId }));
    if (r.status !== 'Running' && r.status !== 'Scheduled') return r;
    await sleep(50);
  }
  throw new Error(`query ${queryId} did not finish`);
}

const queryDir = join(import.meta.dirname, '..', '..', 'queries', 'bedrock');
const queryFiles = readdirSync(queryDir)
  .filter((f) => f.endsWith('.insights'))
  .sort();

test('pushed Bedrock records get the typed columns of ingested ones', async () => {
  const conn = await srv.store.connect();
  const r = await conn.runAndReadAll(
    `SELECT count(*) AS n, count(*) FILTER (WHERE kind = 'bedrock' AND model_id IS NOT NULL AND input_tokens IS NOT NULL AND request_metadata IS NOT NULL) AS typed
     FROM events WHERE log_group = $1`,
    [GROUP],
  );
  conn.closeSync();
  const row = r.getRowObjects()[0];
  assert.equal(Number(row.n), 450);
  assert.equal(Number(row.typed), 450);
});

test("the user's 13 queries through StartQuery/GetQueryResults equal the engine's own rows", async () => {
  assert.equal(queryFiles.length, 13);
  const startTime = Math.floor(firstMs / 1000);
  const endTime = Math.ceil(lastMs / 1000);
  let withRows = 0;
  for (const f of queryFiles) {
    const queryString = readFileSync(join(queryDir, f), 'utf8');
    const { queryId } = await cw.send(new StartQueryCommand({ logGroupName: GROUP, startTime, endTime, queryString }));
    assert.ok(queryId, f);
    const got = await poll(queryId);
    assert.equal(got.status, 'Complete', f);
    const expected = await direct.run({
      queryString,
      logGroups: [GROUP],
      startTime: startTime * 1000,
      endTime: endTime * 1000 + 999,
    });
    assert.equal(expected.status, 'Complete', f);
    if (expected.rows.length > 0) withRows++;
    assert.deepEqual(
      got.results?.map((row) => row.map((c) => ({ field: c.field, value: c.value }))),
      expected.rows,
      f,
    );
    assert.equal(got.statistics?.recordsMatched, expected.statistics.recordsMatched, f);
    assert.equal(got.statistics?.recordsScanned, expected.statistics.recordsScanned, f);
  }
  // Q11 looks for oversized requests, which the guide data may not contain; the others do return rows.
  assert.ok(withRows >= 12, `${withRows} of 13 queries returned rows`);
});

test('values are strings, raw rows carry @ptr, and GetLogRecord returns the event', async () => {
  const { queryId } = await cw.send(
    new StartQueryCommand({
      logGroupName: GROUP,
      startTime: Math.floor(firstMs / 1000),
      endTime: Math.ceil(lastMs / 1000),
      queryString: 'fields @timestamp, requestId, input.inputTokenCount, accountId | sort @timestamp asc | limit 3',
    }),
  );
  const r = await poll(queryId!);
  assert.equal(r.results?.length, 3);
  const row = r.results[0];
  assert.deepEqual(
    row.map((c) => c.field),
    ['@timestamp', 'requestId', 'input.inputTokenCount', 'accountId', '@ptr'],
  );
  assert.match(row[0].value!, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/);
  const ptr = row.find((c) => c.field === '@ptr')!.value!;
  const rec = await cw.send(new GetLogRecordCommand({ logRecordPointer: ptr }));
  const lr = rec.logRecord!;
  // @log names the account of the record itself (the generator's), as CloudWatch names the owning account.
  assert.equal(lr['@log'], `${row[3].value}:${GROUP}`);
  assert.equal(lr['@logStream'], 'aws/bedrock/modelinvocations');
  assert.equal(lr.requestId, row[1].value);
  assert.equal(lr['input.inputTokenCount'], row[2].value);
  assert.equal(JSON.parse(lr['@message']).requestId, row[1].value);
  assert.match(lr['@timestamp'], /^\d{13}$/);
  const bad = await cw.send(new GetLogRecordCommand({ logRecordPointer: 'garbage' })).catch((e: Error) => e);
  assert.equal((bad as Error).name, 'InvalidParameterException');
});

test('GetQueryResults pages with maxItems and nextToken; limit is validated', async () => {
  const { queryId } = await cw.send(
    new StartQueryCommand({
      logGroupName: GROUP,
      startTime: Math.floor(firstMs / 1000),
      endTime: Math.ceil(lastMs / 1000),
      queryString: 'fields requestId | sort @timestamp asc',
      limit: 25,
    }),
  );
  const whole = await poll(queryId!);
  assert.equal(whole.results?.length, 25);
  const ids: string[] = [];
  let nextToken: string | undefined;
  let pages = 0;
  do {
    const page = await cw.send(
      new GetQueryResultsCommand({ queryId, maxItems: 10, ...(nextToken ? { nextToken } : {}) }),
    );
    pages++;
    for (const row of page.results ?? []) ids.push(row.find((c) => c.field === 'requestId')!.value!);
    nextToken = page.nextToken;
  } while (nextToken && pages < 10);
  assert.equal(pages, 3);
  assert.deepEqual(
    ids,
    whole.results.map((row) => row.find((c) => c.field === 'requestId')!.value),
  );
  const tooMany = await cw
    .send(
      new StartQueryCommand({
        logGroupName: GROUP,
        startTime: 0,
        endTime: 1,
        queryString: 'fields @message',
        limit: 100_001,
      }),
    )
    .catch((e: Error) => e);
  assert.equal((tooMany as Error).name, 'InvalidParameterException');
});

test('StopQuery cancels a running query; DescribeQueries lists queries with their status', async () => {
  const now = Math.floor(Date.now() / 1000);
  const { queryId } = await cw.send(
    new StartQueryCommand({ logGroupName: GROUP, startTime: now - 3600, endTime: now, queryString: SLOW_QUERY }),
  );
  const running = await cw.send(new GetQueryResultsCommand({ queryId }));
  assert.equal(running.status, 'Running');
  const listedRunning = await cw.send(new DescribeQueriesCommand({ status: 'Running' }));
  assert.deepEqual(
    listedRunning.queries?.map((q) => q.queryId),
    [queryId],
  );
  const stop = await cw.send(new StopQueryCommand({ queryId }));
  assert.equal(stop.success, true);
  assert.equal((await cw.send(new GetQueryResultsCommand({ queryId }))).status, 'Cancelled');
  const again = await cw.send(new StopQueryCommand({ queryId })).catch((e: Error) => e);
  assert.equal((again as Error).name, 'InvalidParameterException');

  const all = await cw.send(new DescribeQueriesCommand({ logGroupName: GROUP }));
  assert.ok((all.queries?.length ?? 0) >= 15, `listed ${all.queries?.length}`);
  const mine = all.queries?.find((q) => q.queryId === queryId);
  assert.equal(mine?.status, 'Cancelled');
  assert.equal(mine?.queryString, SLOW_QUERY);
  assert.equal(mine?.logGroupName, GROUP);
  const complete = await cw.send(new DescribeQueriesCommand({ status: 'Complete', maxResults: 2 }));
  assert.equal(complete.queries?.length, 2);
  assert.ok(complete.nextToken, 'a second page exists');
  assert.deepEqual(
    complete.queries?.map((q) => q.status),
    ['Complete', 'Complete'],
  );
});

test('StartQuery parses and analyses the query once, valid or not', async () => {
  const seen: string[] = [];
  const count = (m: unknown) => seen.push((m as { queryString: string }).queryString);
  subscribe(PREPARE_CHANNEL, count);
  try {
    const range = { logGroupName: GROUP, startTime: Math.floor(firstMs / 1000), endTime: Math.ceil(lastMs / 1000) };
    const { queryId } = await cw.send(new StartQueryCommand({ ...range, queryString: 'stats count(*) as n' }));
    const got = await poll(queryId!);
    assert.equal(got.status, 'Complete');
    assert.deepEqual(got.results?.[0], [{ field: 'n', value: '450' }]);
    assert.deepEqual(seen, ['stats count(*) as n']);
    const bad = await cw
      .send(new StartQueryCommand({ ...range, queryString: 'stats count(*) by nosuchfn(1)' }))
      .catch((e: unknown) => e);
    assert.equal((bad as Error).name, 'MalformedQueryException');
    assert.deepEqual(seen, ['stats count(*) as n', 'stats count(*) by nosuchfn(1)']);
  } finally {
    unsubscribe(PREPARE_CHANNEL, count);
  }
});

test('StartQuery errors: malformed query, missing group, conflicting group members, unknown id', async () => {
  const now = Math.floor(Date.now() / 1000);
  const bad = await cw
    .send(
      new StartQueryCommand({
        logGroupName: GROUP,
        startTime: now - 60,
        endTime: now,
        queryString: 'fields @timestamp | sort',
      }),
    )
    .catch((e: unknown) => e);
  assert.equal((bad as Error).name, 'MalformedQueryException');
  const loc = (bad as { queryCompileError?: { location?: { startCharOffset?: number } } }).queryCompileError?.location;
  assert.equal(typeof loc?.startCharOffset, 'number');
  const missing = await cw
    .send(
      new StartQueryCommand({
        logGroupName: '/no/such',
        startTime: now - 60,
        endTime: now,
        queryString: 'fields @message',
      }),
    )
    .catch((e: Error) => e);
  assert.equal((missing as Error).name, 'ResourceNotFoundException');
  const both = await cw
    .send(
      new StartQueryCommand({
        logGroupName: GROUP,
        logGroupNames: [GROUP],
        startTime: now - 60,
        endTime: now,
        queryString: 'fields @message',
      }),
    )
    .catch((e: Error) => e);
  assert.equal((both as Error).name, 'InvalidParameterException');
  const backwards = await cw
    .send(
      new StartQueryCommand({ logGroupName: GROUP, startTime: now, endTime: now - 60, queryString: 'fields @message' }),
    )
    .catch((e: Error) => e);
  assert.equal((backwards as Error).name, 'InvalidParameterException');
  const sql = await cw
    .send(
      new StartQueryCommand({
        logGroupName: GROUP,
        startTime: now - 60,
        endTime: now,
        queryString: 'SELECT 1',
        queryLanguage: 'SQL',
      }),
    )
    .catch((e: Error) => e);
  assert.equal((sql as Error).name, 'InvalidParameterException');
  const unknown = await cw.send(new GetQueryResultsCommand({ queryId: 'no-such-query' })).catch((e: Error) => e);
  assert.equal((unknown as Error).name, 'ResourceNotFoundException');
});
