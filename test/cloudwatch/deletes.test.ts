/**
 * Deletes are final (issues 12.5 and 14): DeleteLogGroup / DeleteLogStream racing many concurrent
 * PutLogEvents clients (the real SDK, as race_check.py does with boto3). Before, the append queue
 * wrote batches checked before the delete after it, and its catalog upsert re-created the group
 * with thousands of acknowledged events. Now every put either landed before the delete (and was
 * deleted with it) or is answered ResourceNotFoundException; nothing comes back.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteLogGroupCommand,
  DeleteLogStreamCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  PutLogEventsCommand,
  type CloudWatchLogsClient,
} from '@aws-sdk/client-cloudwatch-logs';
import { eventCount, sdkClient, startTestServer, type TestServer } from './helpers.js';

let srv: TestServer;
const clients: CloudWatchLogsClient[] = [];

before(async () => {
  srv = await startTestServer();
  for (let i = 0; i < 8; i++) clients.push(sdkClient(srv.url));
});
after(async () => {
  for (const c of clients) c.destroy();
  await srv.close();
});

async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return (e as Error).name;
  }
}

function puts(group: string, stream: string, n: number, from: number): Promise<string>[] {
  return Array.from({ length: n }, (_, i) =>
    outcome(
      clients[(from + i) % clients.length].send(
        new PutLogEventsCommand({
          logGroupName: group,
          logStreamName: stream,
          logEvents: Array.from({ length: 200 }, (_, k) => ({ timestamp: Date.now(), message: `m${from + i}-${k}` })),
        }),
      ),
    ),
  );
}

async function streamEvents(group: string, stream: string): Promise<number> {
  const conn = await srv.store.connect();
  try {
    const r = await conn.runAndReadAll('SELECT count(*) AS n FROM events WHERE log_group = $1 AND log_stream = $2', [
      group,
      stream,
    ]);
    return Number(r.getRowObjects()[0].n);
  } finally {
    conn.closeSync();
  }
}

test('DeleteLogGroup racing 80 PutLogEvents: the group stays deleted with none of its events', async () => {
  const c = clients[0];
  for (let round = 0; round < 3; round++) {
    const g = `/race/group-${round}`;
    await c.send(new CreateLogGroupCommand({ logGroupName: g }));
    await c.send(new CreateLogStreamCommand({ logGroupName: g, logStreamName: 's' }));
    const before = puts(g, 's', 40, 0);
    const del = outcome(c.send(new DeleteLogGroupCommand({ logGroupName: g })));
    const afterDelete = puts(g, 's', 40, 40);
    const results = await Promise.all([...before, ...afterDelete]);
    assert.equal(await del, 'ok');
    for (const r of results) assert.ok(r === 'ok' || r === 'ResourceNotFoundException', r);
    const left = await c.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: g }));
    assert.deepEqual(left.logGroups, [], `round ${round}: the deleted group came back`);
    assert.equal(await eventCount(srv.store, g), 0, `round ${round}: events of the deleted group came back`);
    // A write after the delete is refused.
    assert.deepEqual(await Promise.all(puts(g, 's', 1, 0)), ['ResourceNotFoundException']);
  }
});

test('DeleteLogStream racing 60 PutLogEvents: the stream stays deleted with none of its events', async () => {
  const c = clients[0];
  const g = '/race/streams';
  await c.send(new CreateLogGroupCommand({ logGroupName: g }));
  for (let round = 0; round < 3; round++) {
    const s = `s-${round}`;
    await c.send(new CreateLogStreamCommand({ logGroupName: g, logStreamName: s }));
    const before = puts(g, s, 30, 0);
    const del = outcome(c.send(new DeleteLogStreamCommand({ logGroupName: g, logStreamName: s })));
    const afterDelete = puts(g, s, 30, 30);
    const results = await Promise.all([...before, ...afterDelete]);
    assert.equal(await del, 'ok');
    for (const r of results) assert.ok(r === 'ok' || r === 'ResourceNotFoundException', r);
    const streams = await c.send(new DescribeLogStreamsCommand({ logGroupName: g }));
    assert.ok(!streams.logStreams?.some((x) => x.logStreamName === s), `round ${round}: the deleted stream came back`);
    assert.equal(await streamEvents(g, s), 0, `round ${round}: events of the deleted stream came back`);
    assert.deepEqual(await Promise.all(puts(g, s, 1, 0)), ['ResourceNotFoundException']);
  }
});
