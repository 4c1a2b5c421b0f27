import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DescribeQueriesCommand,
  GetQueryResultsCommand,
  PutLogEventsCommand,
  StartQueryCommand,
  type CloudWatchLogsClient,
  type GetQueryResultsCommandOutput,
} from '@aws-sdk/client-cloudwatch-logs';
import { generateRecords } from '../../src/demo/generator.js';
import { createDuckDbEngine } from '../../src/engines/duckdb.js';
import { sdkClient, sleep, startTestServer, type TestServer } from './helpers.js';

/*
 * StartQuery results live in the server's memory until they are read or expire (7 days), so
 * they have a budget: one query may hold a bounded number of bytes of rows (the engine's
 * RESULT_TOO_LARGE cut), and all finished queries together a bounded total. GetQueryResults
 * cannot carry a warning, so neither bound may pass a cut result off as a Complete one.
 */

const GROUP = '/aws/bedrock/modelinvocations';
const STREAM = 'aws/bedrock/modelinvocations';
// One row of `fields @message | limit 40` over the guide records is about 1 KB once held;
// 40 rows about 40-50 KB. The budget holds two such results, not three.
const PER_QUERY_BYTES = 120_000;
const KEPT_BYTES = 110_000;
const lines: string[] = [];
let srv: TestServer;
let cw: CloudWatchLogsClient;
let start = 0;
let end = 0;

before(async () => {
  srv = await startTestServer({
    engine: (store) => createDuckDbEngine(store, { limits: { maxResultBytes: PER_QUERY_BYTES } }),
    keptResultBytes: KEPT_BYTES,
    log: (line) => lines.push(line),
  });
  cw = sdkClient(srv.url);
  await cw.send(new CreateLogGroupCommand({ logGroupName: GROUP }));
  await cw.send(new CreateLogStreamCommand({ logGroupName: GROUP, logStreamName: STREAM }));
  const last = Date.now() - 3600_000;
  const events = [...generateRecords({ preset: 'guide', end: last, bodies: false })]
    .map((r) => ({ timestamp: Date.parse(r.timestamp), message: JSON.stringify(r) }))
    .sort((a, b) => a.timestamp - b.timestamp);
  for (let i = 0; i < events.length; i += 100) {
    await cw.send(
      new PutLogEventsCommand({ logGroupName: GROUP, logStreamName: STREAM, logEvents: events.slice(i, i + 100) }),
    );
  }
  start = Math.floor(events[0].timestamp / 1000) - 1;
  end = Math.ceil(events[events.length - 1].timestamp / 1000) + 1;
});

after(async () => {
  cw.destroy();
  await srv.close();
});

async function run(queryString: string): Promise<string> {
  const r = await cw.send(new StartQueryCommand({ logGroupName: GROUP, startTime: start, endTime: end, queryString }));
  assert.ok(r.queryId);
  return r.queryId;
}

/** Waits for the end through DescribeQueries, which reads no rows (GetQueryResults would mark them read). */
async function finished(queryId: string): Promise<string> {
  for (let i = 0; i < 600; i++) {
    const d = await cw.send(new DescribeQueriesCommand({ logGroupName: GROUP }));
    const s = d.queries?.find((q) => q.queryId === queryId)?.status;
    if (s && s !== 'Running' && s !== 'Scheduled') return s;
    await sleep(50);
  }
  throw new Error(`query ${queryId} did not finish`);
}

async function results(queryId: string): Promise<GetQueryResultsCommandOutput> {
  await finished(queryId);
  return cw.send(new GetQueryResultsCommand({ queryId }));
}

test('a result over the per-query bound fails with its reason logged, instead of a cut "Complete"', async () => {
  const id = await run('fields @timestamp, @message | sort @timestamp asc | limit 450');
  const r = await results(id);
  assert.equal(r.status, 'Failed');
  assert.deepEqual(r.results, []);
  const logged = lines.find((l) => l.includes(id));
  assert.ok(logged, `no log line names ${id}: ${lines.join(' | ')}`);
  assert.match(logged, /RESULT_TOO_LARGE|was cut at \d+ rows/);
  // The same query within the bound still completes, every row there.
  const small = await results(await run('fields @timestamp, @message | sort @timestamp asc | limit 20'));
  assert.equal(small.status, 'Complete');
  assert.equal(small.results?.length, 20);
});

test('finished results beyond the total budget are dropped, read ones first, and say so', async () => {
  const q = 'fields @timestamp, @message | sort @timestamp asc | limit 40';
  const a = await run(q);
  const ra = await results(a); // delivered
  assert.equal(ra.results?.length, 40);
  const b = await run(q + ' | display @message');
  assert.equal(await finished(b), 'Complete'); // finished, never read
  const c = await run(q + ' | display @timestamp, @message');
  const rc = await results(c);
  assert.equal(rc.status, 'Complete');
  assert.equal(rc.results?.length, 40);
  // A was read already, B never: A's rows are the ones dropped.
  await assert.rejects(cw.send(new GetQueryResultsCommand({ queryId: a })), (e: Error) => {
    assert.equal(e.name, 'ResourceNotFoundException');
    assert.match(e.message, /no longer kept.*run the query again/);
    return true;
  });
  const rb = await cw.send(new GetQueryResultsCommand({ queryId: b }));
  assert.equal(rb.status, 'Complete');
  assert.equal(rb.results?.length, 40);
  // The dropped query is still listed (its status has not changed), only its rows are gone.
  const d = await cw.send(new DescribeQueriesCommand({ logGroupName: GROUP }));
  assert.equal(d.queries?.find((x) => x.queryId === a)?.status, 'Complete');
  assert.ok(lines.some((l) => l.includes(a) && /dropped/.test(l)));
});
