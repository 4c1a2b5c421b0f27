import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  GetQueryResultsCommand,
  PutLogEventsCommand,
  StartQueryCommand,
  type CloudWatchLogsClient,
} from '@aws-sdk/client-cloudwatch-logs';
import { sdkClient, sleep, startTestServer } from './helpers.js';

const CLIENTS = 4;
const BATCHES = 15;
const PER_BATCH = 250;
const G = '/load/app';

async function queryCount(cw: CloudWatchLogsClient, startSec: number): Promise<{ status: string; n: number }> {
  const { queryId } = await cw.send(
    new StartQueryCommand({
      logGroupName: G,
      startTime: startSec,
      endTime: Math.ceil(Date.now() / 1000) + 1,
      queryString: 'stats count(*) as n',
    }),
  );
  for (;;) {
    const r = await cw.send(new GetQueryResultsCommand({ queryId }));
    if (r.status !== 'Running' && r.status !== 'Scheduled') {
      return { status: r.status!, n: Number(r.results?.[0]?.find((c) => c.field === 'n')?.value ?? 0) };
    }
    await sleep(20);
  }
}

test('concurrent clients put a known number of events while queries run: every event is stored exactly once', async () => {
  const srv = await startTestServer();
  const clients = Array.from({ length: CLIENTS }, () => sdkClient(srv.url));
  try {
    const admin = clients[0];
    await admin.send(new CreateLogGroupCommand({ logGroupName: G }));
    // Two clients share each stream: parallel PutLogEvents to one stream are allowed.
    await admin.send(new CreateLogStreamCommand({ logGroupName: G, logStreamName: 's0' }));
    await admin.send(new CreateLogStreamCommand({ logGroupName: G, logStreamName: 's1' }));
    const start = Date.now() - 60_000;
    let writing = true;
    const queryStatuses: string[] = [];
    const counts: number[] = [];
    const reader = (async () => {
      while (writing) {
        const r = await queryCount(admin, Math.floor(start / 1000) - 1);
        queryStatuses.push(r.status);
        counts.push(r.n);
      }
    })();
    await Promise.all(
      clients.map(async (cw, c) => {
        for (let b = 0; b < BATCHES; b++) {
          const logEvents = Array.from({ length: PER_BATCH }, (_, i) => ({
            timestamp: start + b * PER_BATCH + i,
            message: `client ${c} batch ${b} event ${i}`,
          }));
          const r = await cw.send(new PutLogEventsCommand({ logGroupName: G, logStreamName: `s${c % 2}`, logEvents }));
          assert.equal(r.rejectedLogEventsInfo, undefined);
        }
      }),
    );
    writing = false;
    await reader;

    const total = CLIENTS * BATCHES * PER_BATCH;
    const conn = await srv.store.connect();
    const r = await conn.runAndReadAll(
      `SELECT count(*) AS n, count(DISTINCT message) AS distinct_messages,
              count(*) FILTER (WHERE regexp_full_match(message, 'client [0-9]+ batch [0-9]+ event [0-9]+')) AS ours,
              count(*) FILTER (WHERE kind = 'generic') AS generic
       FROM events WHERE log_group = $1`,
      [G],
    );
    conn.closeSync();
    const row = r.getRowObjects()[0];
    assert.equal(Number(row.n), total);
    assert.equal(Number(row.distinct_messages), total);
    assert.equal(Number(row.ours), total);
    assert.equal(Number(row.generic), total, 'plain text lines are stored as generic events');

    assert.ok(queryStatuses.length > 0);
    assert.ok(
      queryStatuses.every((s) => s === 'Complete'),
      queryStatuses.join(','),
    );
    // Counts seen while writing only grow (a committed batch never disappears).
    for (let i = 1; i < counts.length; i++) assert.ok(counts[i] >= counts[i - 1], counts.join(','));
    // Pushed events are queryable at once.
    assert.equal((await queryCount(admin, Math.floor(start / 1000) - 1)).n, total);
  } finally {
    for (const c of clients) c.destroy();
    await srv.close();
  }
});
