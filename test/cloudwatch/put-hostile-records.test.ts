import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  GetLogRecordCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { encodePtr } from '../../src/insights/format.js';
import { sdkClient, startTestServer, type TestServer } from './helpers.js';

// Campaign F3 / B34, through PutLogEvents: one record nested 4,000 levels deep among 99 good ones
// answered 503 for the whole batch (field discovery overflowed the stack). CloudWatch itself
// accepts any message under its size limit, so the batch is accepted: the 99 are stored as
// Bedrock invocations, the deep one as a generic event (as any message that is not a valid
// invocation record is), with its fields discovered down to 256 levels.

let srv: TestServer;
before(async () => {
  srv = await startTestServer();
});
after(async () => srv.close());

const record = (i: number, extra = ''): string =>
  `{"timestamp":"2026-03-01T10:00:00Z","requestId":"put-${i}","operation":"Converse","modelId":"amazon.nova-lite-v1:0","input":{"inputTokenCount":${i}}${extra}}`;
const deep = (levels: number): string => ',"nest":' + '{"k":'.repeat(levels) + '1' + '}'.repeat(levels);

test('PutLogEvents: a 4,000-level record among 99 good ones is accepted with them; the 99 are invocations', async () => {
  const c = sdkClient(srv.url);
  await c.send(new CreateLogGroupCommand({ logGroupName: '/put/hostile' }));
  await c.send(new CreateLogStreamCommand({ logGroupName: '/put/hostile', logStreamName: 's' }));
  const now = Date.now();
  const messages = Array.from({ length: 100 }, (_, i) => (i === 50 ? record(i, deep(4000)) : record(i)));
  const r = await c.send(
    new PutLogEventsCommand({
      logGroupName: '/put/hostile',
      logStreamName: 's',
      logEvents: messages.map((message) => ({ timestamp: now, message })),
    }),
  );
  assert.equal(r.$metadata.httpStatusCode, 200);
  assert.equal(r.rejectedLogEventsInfo, undefined);
  // Alone, too; and a record with a boolean token count is no invocation here either (as in file ingest).
  await c.send(
    new PutLogEventsCommand({
      logGroupName: '/put/hostile',
      logStreamName: 's',
      logEvents: [
        { timestamp: now, message: record(200, deep(4000)) },
        { timestamp: now, message: record(201).replace('"inputTokenCount":201', '"inputTokenCount":true') },
      ],
    }),
  );
  const rows = (
    await srv.store.connection.runAndReadAll(
      `SELECT kind, count(*), sum(input_tokens) FROM events WHERE log_group = '/put/hostile' GROUP BY kind ORDER BY kind`,
    )
  )
    .getRows()
    .map((x) => x.map((v) => (typeof v === 'bigint' ? Number(v) : v)));
  const tokens = Array.from({ length: 100 }, (_, i) => (i === 50 ? 0 : i)).reduce((a, b) => a + b, 0);
  assert.deepEqual(rows, [
    ['bedrock', 99, tokens],
    ['generic', 3, null],
  ]);
  const fields = (
    await srv.store.connection.runAndReadAll(
      `SELECT max(length(field)) FROM fields WHERE log_group = '/put/hostile' AND field LIKE 'nest.%'`,
    )
  ).getRows()[0][0];
  assert.equal(Number(fields ?? 0), 0, 'nothing deeper than 256 levels is discovered (the one leaf is at 4,001)');
});

test('GetLogRecord on the 4,000-level event: its fields down to 256 levels, its message whole (the flattening was recursive)', async () => {
  const c = sdkClient(srv.url);
  const r = await srv.store.connection.runAndReadAll(
    `SELECT seq FROM events WHERE log_group = '/put/hostile' AND message LIKE '%"put-200"%'`,
  );
  const seq = r.getRows()[0][0] as bigint;
  const rec = await c.send(new GetLogRecordCommand({ logRecordPointer: encodePtr('/put/hostile', seq) }));
  const lr = rec.logRecord!;
  assert.equal(lr.requestId, 'put-200');
  assert.equal(lr['input.inputTokenCount'], '200');
  assert.equal(lr['@message'], record(200, deep(4000)));
  assert.ok(!Object.keys(lr).some((k) => k.startsWith('nest.')), 'the leaf at 4,001 levels is not flattened');
});
