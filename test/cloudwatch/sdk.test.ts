import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteLogGroupCommand,
  DeleteLogStreamCommand,
  DeleteMetricFilterCommand,
  DeleteQueryDefinitionCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  DescribeMetricFiltersCommand,
  DescribeQueryDefinitionsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  PutLogEventsCommand,
  PutMetricFilterCommand,
  PutQueryDefinitionCommand,
  TestMetricFilterCommand,
  paginateDescribeLogGroups,
  paginateFilterLogEvents,
  paginateGetLogEvents,
  type CloudWatchLogsClient,
} from '@aws-sdk/client-cloudwatch-logs';
import { ACCESS_KEY, eventCount, sdkClient, startTestServer, type TestServer } from './helpers.js';

let srv: TestServer;
let cw: CloudWatchLogsClient;

before(async () => {
  srv = await startTestServer();
  cw = sdkClient(srv.url);
});
after(async () => {
  cw.destroy();
  await srv.close();
});

async function errorOf(p: Promise<unknown>): Promise<{ name: string; message: string; status?: number }> {
  try {
    await p;
  } catch (e) {
    const err = e as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return {
      name: err.name,
      message: err.message,
      ...(err.$metadata?.httpStatusCode !== undefined ? { status: err.$metadata.httpStatusCode } : {}),
    };
  }
  return { name: 'no error', message: '' };
}

const HOUR = 3600_000;
// The SDK's middleware type, without importing @smithy/types (a transitive dependency).
type Middleware = Parameters<CloudWatchLogsClient['middlewareStack']['addRelativeTo']>[0];

test('log groups: create, duplicate, reserved and malformed names, describe with pages, delete', async () => {
  await cw.send(new CreateLogGroupCommand({ logGroupName: '/sdk/a' }));
  await cw.send(new CreateLogGroupCommand({ logGroupName: '/sdk/b' }));
  await cw.send(new CreateLogGroupCommand({ logGroupName: '/sdk/c' }));
  const dup = await errorOf(cw.send(new CreateLogGroupCommand({ logGroupName: '/sdk/a' })));
  assert.equal(dup.name, 'ResourceAlreadyExistsException');
  assert.equal(dup.status, 400);
  assert.equal(
    (await errorOf(cw.send(new CreateLogGroupCommand({ logGroupName: 'aws/mine' })))).name,
    'InvalidParameterException',
  );
  const bad = await errorOf(cw.send(new CreateLogGroupCommand({ logGroupName: 'a:b' })));
  assert.equal(bad.name, 'InvalidParameterException');
  assert.match(bad.message, /Member must satisfy regular expression pattern/);
  // The SDK sends a request that lacks a required member; the server must refuse it.
  assert.equal((await errorOf(cw.send(new CreateLogGroupCommand({} as never)))).name, 'InvalidParameterException');

  const names: string[] = [];
  let pages = 0;
  for await (const page of paginateDescribeLogGroups({ client: cw, pageSize: 2 }, { logGroupNamePrefix: '/sdk/' })) {
    pages++;
    for (const g of page.logGroups ?? []) names.push(g.logGroupName!);
  }
  assert.deepEqual(names, ['/sdk/a', '/sdk/b', '/sdk/c']);
  assert.equal(pages, 2);
  const one = await cw.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/sdk/a' }));
  assert.equal(one.logGroups?.[0]?.arn, 'arn:aws:logs:us-east-1:123456789012:log-group:/sdk/a:*');
  assert.equal(one.logGroups?.[0]?.logGroupArn, 'arn:aws:logs:us-east-1:123456789012:log-group:/sdk/a');
  assert.equal(typeof one.logGroups?.[0]?.creationTime, 'number');

  await cw.send(new DeleteLogGroupCommand({ logGroupName: '/sdk/c' }));
  assert.equal(
    (await errorOf(cw.send(new DeleteLogGroupCommand({ logGroupName: '/sdk/c' })))).name,
    'ResourceNotFoundException',
  );
  const left = await cw.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/sdk/' }));
  assert.deepEqual(
    left.logGroups?.map((g) => g.logGroupName),
    ['/sdk/a', '/sdk/b'],
  );
});

test('log streams: create, duplicate, missing group, describe ordered, delete', async () => {
  await cw.send(new CreateLogGroupCommand({ logGroupName: '/sdk/streams' }));
  await cw.send(new CreateLogStreamCommand({ logGroupName: '/sdk/streams', logStreamName: 's2' }));
  await cw.send(new CreateLogStreamCommand({ logGroupName: '/sdk/streams', logStreamName: 's1' }));
  assert.equal(
    (await errorOf(cw.send(new CreateLogStreamCommand({ logGroupName: '/sdk/streams', logStreamName: 's1' })))).name,
    'ResourceAlreadyExistsException',
  );
  const missing = await errorOf(
    cw.send(new CreateLogStreamCommand({ logGroupName: '/sdk/none', logStreamName: 's1' })),
  );
  assert.equal(missing.name, 'ResourceNotFoundException');
  assert.equal(missing.message, 'The specified log group does not exist.');
  assert.equal(
    (await errorOf(cw.send(new CreateLogStreamCommand({ logGroupName: '/sdk/streams', logStreamName: 'a:b' })))).name,
    'InvalidParameterException',
  );
  const d = await cw.send(new DescribeLogStreamsCommand({ logGroupName: '/sdk/streams' }));
  assert.deepEqual(
    d.logStreams?.map((s) => s.logStreamName),
    ['s1', 's2'],
  );
  assert.equal(d.logStreams?.[0]?.arn, 'arn:aws:logs:us-east-1:123456789012:log-group:/sdk/streams:log-stream:s1');
  const desc = await cw.send(
    new DescribeLogStreamsCommand({ logGroupName: '/sdk/streams', descending: true, limit: 1 }),
  );
  assert.deepEqual(
    desc.logStreams?.map((s) => s.logStreamName),
    ['s2'],
  );
  assert.ok(desc.nextToken);
  assert.equal(
    (
      await errorOf(
        cw.send(
          new DescribeLogStreamsCommand({
            logGroupName: '/sdk/streams',
            orderBy: 'LastEventTime',
            logStreamNamePrefix: 's',
          }),
        ),
      )
    ).name,
    'InvalidParameterException',
  );
  await cw.send(new DeleteLogStreamCommand({ logGroupName: '/sdk/streams', logStreamName: 's2' }));
  const after2 = await cw.send(new DescribeLogStreamsCommand({ logGroupName: '/sdk/streams' }));
  assert.deepEqual(
    after2.logStreams?.map((s) => s.logStreamName),
    ['s1'],
  );
  assert.equal(
    (await errorOf(cw.send(new DeleteLogStreamCommand({ logGroupName: '/sdk/streams', logStreamName: 's2' })))).name,
    'ResourceNotFoundException',
  );
});

test('PutLogEvents: every batch rule, with nothing written when the whole call fails', async () => {
  const g = '/sdk/put';
  await cw.send(new CreateLogGroupCommand({ logGroupName: g }));
  await cw.send(new CreateLogStreamCommand({ logGroupName: g, logStreamName: 's' }));
  const now = Date.now();
  const put = (logEvents: { timestamp: number; message: string }[], stream = 's') =>
    cw.send(new PutLogEventsCommand({ logGroupName: g, logStreamName: stream, logEvents }));

  const ok = await put([
    { timestamp: now - 2000, message: 'first line' },
    { timestamp: now - 1000, message: 'second line' },
  ]);
  assert.equal(ok.rejectedLogEventsInfo, undefined);
  assert.equal(await eventCount(srv.store, g), 2);

  const order = await errorOf(
    put([
      { timestamp: now, message: 'b' },
      { timestamp: now - 1, message: 'a' },
    ]),
  );
  assert.equal(order.name, 'InvalidParameterException');
  assert.equal(order.message, 'Log events in a single PutLogEvents request must be in chronological order.');

  const span = await errorOf(
    put([
      { timestamp: now - 25 * HOUR, message: 'a' },
      { timestamp: now, message: 'b' },
    ]),
  );
  assert.equal(
    span.message,
    'The batch of log events in a single PutLogEvents request cannot span more than 24 hours.',
  );

  const big = 'x'.repeat(600_000);
  const size = await errorOf(
    put([
      { timestamp: now, message: big },
      { timestamp: now, message: big },
    ]),
  );
  assert.equal(size.name, 'InvalidParameterException');
  assert.equal(size.message, `Upload too large: ${2 * (600_000 + 26)} bytes exceeds limit of 1048576`);

  const many = Array.from({ length: 10_001 }, (_, i) => ({ timestamp: now, message: `m${i}` }));
  assert.equal((await errorOf(put(many))).name, 'InvalidParameterException');
  assert.equal((await errorOf(put([]))).name, 'InvalidParameterException');
  assert.equal((await errorOf(put([{ timestamp: now, message: '' }]))).name, 'InvalidParameterException');
  assert.equal(
    (await errorOf(put([{ timestamp: now, message: 'x' }], 'nostream'))).message,
    'The specified log stream does not exist.',
  );
  assert.equal(await eventCount(srv.store, g), 2, 'failed calls wrote nothing');

  // Too old (> 14 days) and too new (> 2 hours ahead) are reported; the rest is stored.
  const partial = await put([
    { timestamp: now - 15 * 24 * HOUR, message: 'ancient' },
    { timestamp: now - 500, message: 'kept one' },
    { timestamp: now - 400, message: 'kept two' },
    { timestamp: now + 3 * HOUR, message: 'future' },
  ]);
  assert.deepEqual(partial.rejectedLogEventsInfo, { tooOldLogEventEndIndex: 1, tooNewLogEventStartIndex: 3 });
  assert.equal(await eventCount(srv.store, g), 4);

  // A 10,000-event batch within 1 MB is accepted in one call.
  const full = Array.from({ length: 10_000 }, (_, i) => ({ timestamp: now - 10_000 + i, message: `bulk ${i}` }));
  await cw.send(new PutLogEventsCommand({ logGroupName: g, logStreamName: 's', logEvents: full }));
  assert.equal(await eventCount(srv.store, g), 10_004);
});

test('GetLogEvents: newest page by default, forward paging to the echoed end token, backward paging', async () => {
  const g = '/sdk/get';
  await cw.send(new CreateLogGroupCommand({ logGroupName: g }));
  await cw.send(new CreateLogStreamCommand({ logGroupName: g, logStreamName: 's' }));
  const base = Date.now() - 60_000;
  const events = Array.from({ length: 25 }, (_, i) => ({
    timestamp: base + i * 10,
    message: `event ${String(i).padStart(2, '0')}`,
  }));
  await cw.send(new PutLogEventsCommand({ logGroupName: g, logStreamName: 's', logEvents: events }));

  const streams = await cw.send(new DescribeLogStreamsCommand({ logGroupName: g, orderBy: 'LastEventTime' }));
  assert.equal(streams.logStreams?.[0]?.firstEventTimestamp, base);
  assert.equal(streams.logStreams?.[0]?.lastEventTimestamp, base + 240);
  assert.equal(typeof streams.logStreams?.[0]?.lastIngestionTime, 'number');

  const newest = await cw.send(new GetLogEventsCommand({ logGroupName: g, logStreamName: 's', limit: 10 }));
  assert.deepEqual(
    newest.events?.map((e) => e.message),
    events.slice(15).map((e) => e.message),
  );
  assert.ok(newest.nextBackwardToken?.startsWith('b/'));
  assert.ok(newest.nextForwardToken?.startsWith('f/'));
  const older = await cw.send(
    new GetLogEventsCommand({ logGroupName: g, logStreamName: 's', limit: 10, nextToken: newest.nextBackwardToken }),
  );
  assert.deepEqual(
    older.events?.map((e) => e.message),
    events.slice(5, 15).map((e) => e.message),
  );

  const seen: string[] = [];
  let pages = 0;
  for await (const page of paginateGetLogEvents(
    { client: cw, pageSize: 10, stopOnSameToken: true },
    { logGroupName: g, logStreamName: 's', startFromHead: true },
  )) {
    pages++;
    for (const e of page.events ?? []) seen.push(e.message!);
    assert.ok(pages < 10, 'the end token must be echoed so the paginator stops');
  }
  assert.deepEqual(
    seen,
    events.map((e) => e.message),
  );
  const end = await cw.send(new GetLogEventsCommand({ logGroupName: g, logStreamName: 's', startFromHead: true }));
  const again = await cw.send(
    new GetLogEventsCommand({ logGroupName: g, logStreamName: 's', nextToken: end.nextForwardToken }),
  );
  assert.equal(again.events?.length, 0);
  assert.equal(again.nextForwardToken, end.nextForwardToken);

  // startTime inclusive, endTime exclusive.
  const ranged = await cw.send(
    new GetLogEventsCommand({
      logGroupName: g,
      logStreamName: 's',
      startFromHead: true,
      startTime: base + 20,
      endTime: base + 50,
    }),
  );
  assert.deepEqual(
    ranged.events?.map((e) => e.timestamp),
    [base + 20, base + 30, base + 40],
  );
  assert.equal(typeof ranged.events?.[0]?.ingestionTime, 'number');
});

const bedrock = (requestId: string, app: string, inputTokens: number, ts: number): string =>
  JSON.stringify({
    schemaType: 'ModelInvocationLog',
    schemaVersion: '1.0',
    timestamp: new Date(ts).toISOString(),
    accountId: '123456789012',
    region: 'us-east-1',
    requestId,
    operation: 'Converse',
    modelId: 'anthropic.claude-3-haiku-20240307-v1:0',
    input: { inputContentType: 'application/json', inputTokenCount: inputTokens },
    output: { outputContentType: 'application/json', outputTokenCount: 10 },
    requestMetadata: { application_name: app },
  });

test('FilterLogEvents: JSON and term patterns, inclusive time range, pagination, bad patterns', async () => {
  const g = '/sdk/filter';
  await cw.send(new CreateLogGroupCommand({ logGroupName: g }));
  await cw.send(new CreateLogStreamCommand({ logGroupName: g, logStreamName: 'a' }));
  await cw.send(new CreateLogStreamCommand({ logGroupName: g, logStreamName: 'b' }));
  const t = Date.now() - 30_000;
  await cw.send(
    new PutLogEventsCommand({
      logGroupName: g,
      logStreamName: 'a',
      logEvents: [
        { timestamp: t, message: bedrock('r1', 'chatbot', 6000, t) },
        { timestamp: t + 1, message: bedrock('r2', 'search', 100, t + 1) },
        { timestamp: t + 2, message: 'ERROR disk full' },
      ],
    }),
  );
  await cw.send(
    new PutLogEventsCommand({
      logGroupName: g,
      logStreamName: 'b',
      logEvents: [
        { timestamp: t + 3, message: bedrock('r3', 'chatbot', 9000, t + 3) },
        { timestamp: t + 4, message: 'WARN slow' },
      ],
    }),
  );

  const big = await cw.send(
    new FilterLogEventsCommand({ logGroupName: g, filterPattern: '{ $.input.inputTokenCount > 5000 }' }),
  );
  assert.deepEqual(
    big.events?.map((e) => JSON.parse(e.message!).requestId),
    ['r1', 'r3'],
  );
  assert.deepEqual(
    big.events?.map((e) => e.logStreamName),
    ['a', 'b'],
  );
  assert.equal(big.nextToken, undefined);
  assert.deepEqual(big.searchedLogStreams, []);
  assert.ok(big.events?.[0]?.eventId);

  const both = await cw.send(
    new FilterLogEventsCommand({
      logGroupName: g,
      filterPattern: '{ $.requestMetadata.application_name = "chatbot" && $.input.inputTokenCount < 7000 }',
    }),
  );
  assert.deepEqual(
    both.events?.map((e) => JSON.parse(e.message!).requestId),
    ['r1'],
  );
  const orTerms = await cw.send(new FilterLogEventsCommand({ logGroupName: g, filterPattern: '?ERROR ?WARN' }));
  assert.deepEqual(
    orTerms.events?.map((e) => e.message),
    ['ERROR disk full', 'WARN slow'],
  );
  const streamB = await cw.send(new FilterLogEventsCommand({ logGroupName: g, logStreamNames: ['b'] }));
  assert.equal(streamB.events?.length, 2);
  const ranged = await cw.send(new FilterLogEventsCommand({ logGroupName: g, startTime: t + 1, endTime: t + 3 }));
  assert.deepEqual(
    ranged.events?.map((e) => e.timestamp),
    [t + 1, t + 2, t + 3],
  );

  const all: string[] = [];
  let pages = 0;
  for await (const page of paginateFilterLogEvents({ client: cw }, { logGroupName: g, limit: 2 })) {
    pages++;
    for (const e of page.events ?? []) all.push(String(e.timestamp));
  }
  assert.deepEqual(all, [t, t + 1, t + 2, t + 3, t + 4].map(String));
  assert.ok(pages >= 3);

  assert.equal(
    (await errorOf(cw.send(new FilterLogEventsCommand({ logGroupName: g, filterPattern: '{ $.a = ' })))).name,
    'InvalidParameterException',
  );
  assert.equal(
    (
      await errorOf(
        cw.send(new FilterLogEventsCommand({ logGroupName: g, logStreamNames: ['a'], logStreamNamePrefix: 'a' })),
      )
    ).name,
    'InvalidParameterException',
  );
  assert.equal(
    (await errorOf(cw.send(new FilterLogEventsCommand({ logGroupName: '/sdk/nothing' })))).name,
    'ResourceNotFoundException',
  );
});

test('query definitions are the console saved queries: put, list, update, delete', async () => {
  const listed = await cw.send(new DescribeQueryDefinitionsCommand({ queryDefinitionNamePrefix: 'Bedrock usage/' }));
  assert.equal(listed.queryDefinitions?.length, 13, "the user's 13 queries are preloaded");

  const put = await cw.send(
    new PutQueryDefinitionCommand({
      name: 'Team/errors',
      queryString: 'fields @message | filter @message like /ERROR/',
      logGroupNames: ['/sdk/filter'],
    }),
  );
  assert.ok(put.queryDefinitionId);
  const mine = await cw.send(new DescribeQueryDefinitionsCommand({ queryDefinitionNamePrefix: 'Team/' }));
  assert.equal(mine.queryDefinitions?.length, 1);
  assert.equal(mine.queryDefinitions?.[0]?.name, 'Team/errors');
  assert.deepEqual(mine.queryDefinitions?.[0]?.logGroupNames, ['/sdk/filter']);
  assert.equal(typeof mine.queryDefinitions?.[0]?.lastModified, 'number');

  // The console sees the same query, with its folder.
  const consoleView = (await (await fetch(`${srv.url}/api/saved-queries`)).json()) as {
    savedQueries: { id: string; name: string; folder: string }[];
  };
  const seen = consoleView.savedQueries.find((q) => q.id === put.queryDefinitionId);
  assert.deepEqual(seen && { name: seen.name, folder: seen.folder }, { name: 'errors', folder: 'Team' });

  // An update replaces: omitted log groups become empty.
  await cw.send(
    new PutQueryDefinitionCommand({
      queryDefinitionId: put.queryDefinitionId,
      name: 'Team/errors2',
      queryString: 'fields @message',
    }),
  );
  const updated = await cw.send(new DescribeQueryDefinitionsCommand({ queryDefinitionNamePrefix: 'Team/' }));
  assert.equal(updated.queryDefinitions?.[0]?.name, 'Team/errors2');
  assert.deepEqual(updated.queryDefinitions?.[0]?.logGroupNames, []);

  const paged = await cw.send(new DescribeQueryDefinitionsCommand({ maxResults: 5 }));
  assert.equal(paged.queryDefinitions?.length, 5);
  assert.ok(paged.nextToken);

  const del = await cw.send(new DeleteQueryDefinitionCommand({ queryDefinitionId: put.queryDefinitionId }));
  assert.equal(del.success, true);
  assert.equal(
    (await errorOf(cw.send(new DeleteQueryDefinitionCommand({ queryDefinitionId: put.queryDefinitionId })))).name,
    'ResourceNotFoundException',
  );
  assert.equal(
    (await cw.send(new DescribeQueryDefinitionsCommand({ queryDefinitionNamePrefix: 'Team/' }))).queryDefinitions
      ?.length,
    0,
  );
  assert.equal(
    (await errorOf(cw.send(new PutQueryDefinitionCommand({ name: 'x', queryString: '' })))).name,
    'InvalidParameterException',
  );
});

test('metric filters: put, describe, test, delete, and the validation rules', async () => {
  const g = '/sdk/metrics';
  await cw.send(new CreateLogGroupCommand({ logGroupName: g }));
  await cw.send(
    new PutMetricFilterCommand({
      logGroupName: g,
      filterName: 'large-input',
      filterPattern: '{ $.input.inputTokenCount > 5000 }',
      metricTransformations: [
        {
          metricName: 'LargeInputRequests',
          metricNamespace: 'Bedrock/Usage',
          metricValue: '1',
          unit: 'Count',
          dimensions: { Application: '$.requestMetadata.application_name' },
        },
      ],
    }),
  );
  await cw.send(
    new PutMetricFilterCommand({
      logGroupName: g,
      filterName: 'errors',
      filterPattern: 'ERROR',
      metricTransformations: [{ metricName: 'Errors', metricNamespace: 'App', metricValue: '1', defaultValue: 0 }],
    }),
  );
  const d = await cw.send(new DescribeMetricFiltersCommand({ logGroupName: g }));
  assert.deepEqual(
    d.metricFilters?.map((f) => f.filterName),
    ['errors', 'large-input'],
  );
  const large = d.metricFilters?.[1];
  assert.equal(large?.filterPattern, '{ $.input.inputTokenCount > 5000 }');
  assert.deepEqual(large?.metricTransformations?.[0]?.dimensions, {
    Application: '$.requestMetadata.application_name',
  });
  assert.equal(typeof large?.creationTime, 'number');
  const byMetric = await cw.send(new DescribeMetricFiltersCommand({ metricName: 'Errors', metricNamespace: 'App' }));
  assert.deepEqual(
    byMetric.metricFilters?.map((f) => f.filterName),
    ['errors'],
  );
  const groups = await cw.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: g }));
  assert.equal(groups.logGroups?.[0]?.metricFilterCount, 2);

  const tested = await cw.send(
    new TestMetricFilterCommand({
      filterPattern: '{ $.input.inputTokenCount > 5000 }',
      logEventMessages: [bedrock('x1', 'a', 100, 0), bedrock('x2', 'a', 6000, 0), 'not json'],
    }),
  );
  assert.deepEqual(
    tested.matches?.map((m) => [m.eventNumber, m.extractedValues]),
    [[2, {}]],
  );
  const spaced = await cw.send(
    new TestMetricFilterCommand({
      filterPattern: '[ip, user, status = 4*, bytes]',
      logEventMessages: ['1.2.3.4 bob 404 99', '1.2.3.4 bob 200 99'],
    }),
  );
  assert.deepEqual(
    spaced.matches?.map((m) => m.extractedValues),
    [{ $ip: '1.2.3.4', $user: 'bob', $status: '404', $bytes: '99' }],
  );

  const both = await errorOf(
    cw.send(
      new PutMetricFilterCommand({
        logGroupName: g,
        filterName: 'bad',
        filterPattern: '{ $.a = 1 }',
        metricTransformations: [
          { metricName: 'M', metricNamespace: 'N', metricValue: '1', defaultValue: 0, dimensions: { A: '$.a' } },
        ],
      }),
    ),
  );
  assert.equal(both.name, 'InvalidParameterException');
  assert.equal(
    both.message,
    'Invalid metric transformation: dimensions and default value are mutually exclusive properties',
  );
  assert.equal(
    (
      await errorOf(
        cw.send(
          new PutMetricFilterCommand({
            logGroupName: g,
            filterName: 'two',
            filterPattern: 'x',
            metricTransformations: [
              { metricName: 'M', metricNamespace: 'N', metricValue: '1' },
              { metricName: 'M2', metricNamespace: 'N', metricValue: '1' },
            ],
          }),
        ),
      )
    ).name,
    'InvalidParameterException',
  );
  assert.equal(
    (
      await errorOf(
        cw.send(
          new PutMetricFilterCommand({
            logGroupName: '/sdk/none',
            filterName: 'x',
            filterPattern: 'x',
            metricTransformations: [{ metricName: 'M', metricNamespace: 'N', metricValue: '1' }],
          }),
        ),
      )
    ).name,
    'ResourceNotFoundException',
  );
  assert.equal(
    (await errorOf(cw.send(new TestMetricFilterCommand({ filterPattern: '{ $.a > "b" }', logEventMessages: ['x'] }))))
      .name,
    'InvalidParameterException',
  );

  // At most 5 regex-bearing filters per group.
  await cw.send(new CreateLogGroupCommand({ logGroupName: '/sdk/regex' }));
  const regexFilter = (n: number) =>
    new PutMetricFilterCommand({
      logGroupName: '/sdk/regex',
      filterName: `r${n}`,
      filterPattern: `%fail${n}%`,
      metricTransformations: [{ metricName: 'M', metricNamespace: 'N', metricValue: '1' }],
    });
  for (let n = 1; n <= 5; n++) await cw.send(regexFilter(n));
  assert.equal((await errorOf(cw.send(regexFilter(6)))).name, 'LimitExceededException');
  await cw.send(regexFilter(5)); // replacing one of the five is not a sixth

  await cw.send(new DeleteMetricFilterCommand({ logGroupName: g, filterName: 'errors' }));
  assert.equal(
    (await errorOf(cw.send(new DeleteMetricFilterCommand({ logGroupName: g, filterName: 'errors' })))).name,
    'ResourceNotFoundException',
  );
  assert.deepEqual(
    (await cw.send(new DescribeMetricFiltersCommand({ logGroupName: g }))).metricFilters?.map((f) => f.filterName),
    ['large-input'],
  );
});

test('wrong credentials and tampered requests are refused and write nothing', async () => {
  const wrongSecret = sdkClient(srv.url, { accessKeyId: ACCESS_KEY, secretAccessKey: 'not-the-secret' });
  const unknownKey = sdkClient(srv.url, { accessKeyId: 'AKIDUNKNOWN', secretAccessKey: 'whatever' });
  try {
    const e1 = await errorOf(wrongSecret.send(new CreateLogGroupCommand({ logGroupName: '/sdk/intruder' })));
    assert.equal(e1.name, 'InvalidSignatureException');
    assert.equal(e1.status, 400);
    assert.equal(
      (await errorOf(unknownKey.send(new CreateLogGroupCommand({ logGroupName: '/sdk/intruder' })))).name,
      'UnrecognizedClientException',
    );

    // Change the body after the SDK signed it (same length, so only the signature can tell).
    const tamper = sdkClient(srv.url);
    tamper.middlewareStack.addRelativeTo(
      ((next: (a: unknown) => Promise<unknown>) => async (args: unknown) => {
        const req = (args as { request: { body: string; headers: Record<string, string> } }).request;
        req.body = req.body.replace('/sdk/decoyxyz', '/sdk/intruder');
        return next(args);
      }) as Middleware,
      { relation: 'after', toMiddleware: 'httpSigningMiddleware', name: 'tamperBody' },
    );
    assert.equal(
      (await errorOf(tamper.send(new CreateLogGroupCommand({ logGroupName: '/sdk/decoyxyz' })))).name,
      'InvalidSignatureException',
    );
    tamper.destroy();

    // Flip one hex digit of the signature.
    const flip = sdkClient(srv.url);
    flip.middlewareStack.addRelativeTo(
      ((next: (a: unknown) => Promise<unknown>) => async (args: unknown) => {
        const req = (args as { request: { headers: Record<string, string> } }).request;
        req.headers.authorization = req.headers.authorization.replace(
          /Signature=([0-9a-f])/,
          (_m, c: string) => `Signature=${c === '0' ? '1' : '0'}`,
        );
        return next(args);
      }) as Middleware,
      { relation: 'after', toMiddleware: 'httpSigningMiddleware', name: 'flipSignature' },
    );
    assert.equal(
      (
        await errorOf(
          flip.send(
            new PutLogEventsCommand({
              logGroupName: '/sdk/put',
              logStreamName: 's',
              logEvents: [{ timestamp: Date.now(), message: 'forged' }],
            }),
          ),
        )
      ).name,
      'InvalidSignatureException',
    );
    flip.destroy();

    // Unsigned requests are refused too.
    const res = await fetch(srv.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Logs_20140328.CreateLogGroup' },
      body: '{"logGroupName":"/sdk/intruder"}',
    });
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { __type: string }).__type, 'MissingAuthenticationTokenException');

    const groups = await cw.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/sdk/intruder' }));
    assert.deepEqual(groups.logGroups, []);
    const conn = await srv.store.connect();
    const r = await conn.runAndReadAll(`SELECT count(*) AS n FROM events WHERE message = 'forged'`);
    conn.closeSync();
    assert.equal(Number(r.getRowObjects()[0].n), 0);
  } finally {
    wrongSecret.destroy();
    unknownKey.destroy();
  }
});

test('protocol: the AWS content type and a request id on every answer', async () => {
  const res = await fetch(srv.url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Logs_20140328.CreateLogGroup' },
    body: '{',
  });
  assert.equal(res.headers.get('content-type'), 'application/x-amz-json-1.1');
  assert.ok(res.headers.get('x-amzn-requestid'));
  const d = await cw.send(new DescribeLogGroupsCommand({ limit: 1 }));
  assert.ok(d.$metadata.requestId && /^[0-9a-f-]{36}$/.test(d.$metadata.requestId));
});
