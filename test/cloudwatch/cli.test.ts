import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { createDuckDbEngine } from '../../src/engines/duckdb.js';
import type { QueryEngine } from '../../src/engines/engine.js';
import {
  AWS_CLI,
  SLOW_QUERY,
  awsCli,
  eventCount,
  sleep,
  startTestServer,
  withSlowQuery,
  type CliResult,
  type TestServer,
} from './helpers.js';

// The real AWS CLI v2 (Debian's awscli, installed by .ci/run) against the console server.
let srv: TestServer;
let direct: QueryEngine;
const G = '/cli/app';

before(async () => {
  assert.ok(existsSync(AWS_CLI), `${AWS_CLI} (AWS CLI v2) is required: apt-get install -y awscli`);
  srv = await startTestServer({ engine: (store) => withSlowQuery(createDuckDbEngine(store)) });
  direct = createDuckDbEngine(srv.store);
});
after(async () => {
  await direct.close();
  await srv.close();
});

const cli = (...args: string[]): Promise<CliResult> => awsCli(srv.url, args);
function json<T>(r: CliResult): T {
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as T;
}

test('aws --version is CLI v2', async () => {
  const r = await awsCli(srv.url, ['--version']);
  assert.match(r.stdout + r.stderr, /^aws-cli\/2\./);
});

test('groups, streams, events: create, put (good and bad batches), get-log-events, filter-log-events with a JSON pattern', async () => {
  assert.equal((await cli('logs', 'create-log-group', '--log-group-name', G)).code, 0);
  assert.equal((await cli('logs', 'create-log-stream', '--log-group-name', G, '--log-stream-name', 'web')).code, 0);
  const dup = await cli('logs', 'create-log-group', '--log-group-name', G);
  assert.equal(dup.code, 254);
  assert.match(
    dup.stderr,
    /An error occurred \(ResourceAlreadyExistsException\) when calling the CreateLogGroup operation( \(reached max retries: \d+\))?: The specified log group already exists/,
  );
  const groups = json<{ logGroups: { logGroupName: string }[] }>(
    await cli('logs', 'describe-log-groups', '--log-group-name-prefix', '/cli/'),
  );
  assert.deepEqual(
    groups.logGroups.map((g) => g.logGroupName),
    [G],
  );

  const t = Date.now() - 60_000;
  const events = [
    { timestamp: t, message: JSON.stringify({ level: 'info', input: { inputTokenCount: 120 } }) },
    { timestamp: t + 1, message: JSON.stringify({ level: 'warn', input: { inputTokenCount: 8000 } }) },
    { timestamp: t + 2, message: 'plain ERROR line' },
  ];
  const put = json<{ nextSequenceToken?: string; rejectedLogEventsInfo?: unknown }>(
    await cli(
      'logs',
      'put-log-events',
      '--log-group-name',
      G,
      '--log-stream-name',
      'web',
      '--log-events',
      JSON.stringify(events),
    ),
  );
  assert.equal(put.rejectedLogEventsInfo, undefined);

  const unordered = await cli(
    'logs',
    'put-log-events',
    '--log-group-name',
    G,
    '--log-stream-name',
    'web',
    '--log-events',
    JSON.stringify([
      { timestamp: t + 5, message: 'b' },
      { timestamp: t + 4, message: 'a' },
    ]),
  );
  assert.equal(unordered.code, 254);
  assert.match(unordered.stderr, /\(InvalidParameterException\).*chronological order/);
  const span = await cli(
    'logs',
    'put-log-events',
    '--log-group-name',
    G,
    '--log-stream-name',
    'web',
    '--log-events',
    JSON.stringify([
      { timestamp: t - 30 * 3600_000, message: 'a' },
      { timestamp: t, message: 'b' },
    ]),
  );
  assert.match(span.stderr, /\(InvalidParameterException\).*cannot span more than 24 hours/);
  const partial = json<{ rejectedLogEventsInfo?: Record<string, number> }>(
    await cli(
      'logs',
      'put-log-events',
      '--log-group-name',
      G,
      '--log-stream-name',
      'web',
      '--log-events',
      JSON.stringify([
        { timestamp: t + 10, message: 'kept' },
        { timestamp: Date.now() + 3 * 3600_000, message: 'too new' },
      ]),
    ),
  );
  assert.deepEqual(partial.rejectedLogEventsInfo, { tooNewLogEventStartIndex: 1 });
  assert.equal(await eventCount(srv.store, G), 4);

  const got = json<{ events: { message: string; timestamp: number }[]; nextForwardToken: string }>(
    await cli('logs', 'get-log-events', '--log-group-name', G, '--log-stream-name', 'web', '--start-from-head'),
  );
  assert.deepEqual(
    got.events.map((e) => e.message),
    [...events.map((e) => e.message), 'kept'],
  );
  assert.match(got.nextForwardToken, /^f\/\d{56}$/);

  const filtered = json<{ events: { message: string }[] }>(
    await cli(
      'logs',
      'filter-log-events',
      '--log-group-name',
      G,
      '--filter-pattern',
      '{ $.input.inputTokenCount > 5000 }',
    ),
  );
  assert.deepEqual(
    filtered.events.map((e) => JSON.parse(e.message).level),
    ['warn'],
  );
  const terms = json<{ events: { message: string }[] }>(
    await cli('logs', 'filter-log-events', '--log-group-name', G, '--filter-pattern', 'ERROR'),
  );
  assert.deepEqual(
    terms.events.map((e) => e.message),
    ['plain ERROR line'],
  );

  // `aws logs tail` is built on FilterLogEvents (interleaved, startTime, following nextToken).
  const tail = await awsCli(srv.url, ['logs', 'tail', G, '--since', '1h', '--format', 'short']);
  assert.equal(tail.code, 0, tail.stderr);
  const lines = tail.stdout.trim().split('\n');
  assert.equal(lines.length, 4);
  assert.match(lines[2], /plain ERROR line$/);
  assert.match(lines[3], /kept$/);
});

async function pollCli(
  queryId: string,
): Promise<{ status: string; results: { field: string; value: string }[][]; statistics: Record<string, number> }> {
  for (let i = 0; i < 200; i++) {
    const r = json<{
      status: string;
      results: { field: string; value: string }[][];
      statistics: Record<string, number>;
    }>(await cli('logs', 'get-query-results', '--query-id', queryId));
    if (r.status !== 'Running' && r.status !== 'Scheduled') return r;
    await sleep(100);
  }
  throw new Error('query did not finish');
}

test('start-query and get-query-results return what the engine returns; stop-query stops a running query', async () => {
  const start = Math.floor((Date.now() - 3600_000) / 1000);
  const end = Math.floor(Date.now() / 1000);
  const queryString = 'fields @timestamp, @message | sort @timestamp desc | limit 10';
  const { queryId } = json<{ queryId: string }>(
    await cli(
      'logs',
      'start-query',
      '--log-group-name',
      G,
      '--start-time',
      String(start),
      '--end-time',
      String(end),
      '--query-string',
      queryString,
    ),
  );
  const r = await pollCli(queryId);
  assert.equal(r.status, 'Complete');
  const expected = await direct.run({
    queryString,
    logGroups: [G],
    startTime: start * 1000,
    endTime: end * 1000 + 999,
  });
  assert.deepEqual(r.results, expected.rows);
  assert.equal(r.results.length, 4);

  const stats = 'stats count(*) as n, sum(input.inputTokenCount) as tokens';
  const s = json<{ queryId: string }>(
    await cli(
      'logs',
      'start-query',
      '--log-group-name',
      G,
      '--start-time',
      String(start),
      '--end-time',
      String(end),
      '--query-string',
      stats,
    ),
  );
  const sr = await pollCli(s.queryId);
  // QueryStatistics members are doubles: CloudWatch sends `"recordsMatched": 3.0` and the CLI
  // prints what it receives (research O1).
  const printed = await cli('logs', 'get-query-results', '--query-id', s.queryId);
  assert.match(printed.stdout, /"recordsMatched": 4\.0,/);
  assert.match(printed.stdout, /"recordsScanned": 4\.0,/);
  assert.match(printed.stdout, /"bytesScanned": [1-9]\d*\.0\n/);
  assert.equal(sr.statistics.recordsMatched, 4);
  assert.deepEqual(sr.results, [
    [
      { field: 'n', value: '4' },
      { field: 'tokens', value: '8120' },
    ],
  ]);

  const slow = json<{ queryId: string }>(
    await cli(
      'logs',
      'start-query',
      '--log-group-name',
      G,
      '--start-time',
      String(start),
      '--end-time',
      String(end),
      '--query-string',
      SLOW_QUERY,
    ),
  );
  assert.equal(
    json<{ status: string }>(await cli('logs', 'get-query-results', '--query-id', slow.queryId)).status,
    'Running',
  );
  assert.deepEqual(json<{ success: boolean }>(await cli('logs', 'stop-query', '--query-id', slow.queryId)), {
    success: true,
  });
  assert.equal(
    json<{ status: string }>(await cli('logs', 'get-query-results', '--query-id', slow.queryId)).status,
    'Cancelled',
  );
  const described = json<{ queries: { queryId: string; status: string }[] }>(
    await cli('logs', 'describe-queries', '--log-group-name', G),
  );
  assert.equal(described.queries.find((q) => q.queryId === slow.queryId)?.status, 'Cancelled');
});

test("the user's query 2 from its file, through the CLI, equals the engine's rows", async () => {
  // The CLI's own examples pass millisecond times; the server reads values above 10^11 as ms.
  const file = join(import.meta.dirname, '..', '..', 'queries', 'bedrock', 'q02-tokens-by-application.insights');
  const startMs = Date.now() - 3600_000;
  const endMs = Date.now();
  const { queryId } = json<{ queryId: string }>(
    await cli(
      'logs',
      'start-query',
      '--log-group-name',
      G,
      '--start-time',
      String(startMs),
      '--end-time',
      String(endMs),
      '--query-string',
      `file://${file}`,
    ),
  );
  const r = await pollCli(queryId);
  assert.equal(r.status, 'Complete');
  const expected = await direct.run({
    queryString: readFileSync(file, 'utf8'),
    logGroups: [G],
    startTime: startMs,
    endTime: endMs,
  });
  assert.deepEqual(r.results, expected.rows);
});

test('query definitions: put, describe, delete', async () => {
  const { queryDefinitionId } = json<{ queryDefinitionId: string }>(
    await cli(
      'logs',
      'put-query-definition',
      '--name',
      'CLI/warnings',
      '--query-string',
      'fields @message | filter level = "warn"',
      '--log-group-names',
      G,
    ),
  );
  const listed = json<{ queryDefinitions: { name: string; queryDefinitionId: string; logGroupNames: string[] }[] }>(
    await cli('logs', 'describe-query-definitions', '--query-definition-name-prefix', 'CLI/'),
  );
  assert.deepEqual(
    listed.queryDefinitions.map((d) => [d.name, d.queryDefinitionId, d.logGroupNames]),
    [['CLI/warnings', queryDefinitionId, [G]]],
  );
  assert.deepEqual(
    json<{ success: boolean }>(
      await cli('logs', 'delete-query-definition', '--query-definition-id', queryDefinitionId),
    ),
    { success: true },
  );
  const gone = json<{ queryDefinitions: unknown[] }>(
    await cli('logs', 'describe-query-definitions', '--query-definition-name-prefix', 'CLI/'),
  );
  assert.deepEqual(gone.queryDefinitions, []);
});

test('metric filters: put, describe, test-metric-filter', async () => {
  const put = await cli(
    'logs',
    'put-metric-filter',
    '--log-group-name',
    G,
    '--filter-name',
    'big-input',
    '--filter-pattern',
    '{ $.input.inputTokenCount > 5000 }',
    '--metric-transformations',
    'metricName=BigInputs,metricNamespace=Bedrock/Usage,metricValue=1,defaultValue=0',
  );
  assert.equal(put.code, 0, put.stderr);
  const d = json<{
    metricFilters: { filterName: string; metricTransformations: { metricName: string; defaultValue: number }[] }[];
  }>(await cli('logs', 'describe-metric-filters', '--log-group-name', G));
  assert.deepEqual(
    d.metricFilters.map((f) => [
      f.filterName,
      f.metricTransformations[0].metricName,
      f.metricTransformations[0].defaultValue,
    ]),
    [['big-input', 'BigInputs', 0]],
  );
  const tested = json<{ matches: { eventNumber: number; eventMessage: string; extractedValues: object }[] }>(
    await cli(
      'logs',
      'test-metric-filter',
      '--filter-pattern',
      'ERROR',
      '--log-event-messages',
      '[ERROR] 400 BAD REQUEST',
      '[ERROR] 400 BAD REQUEST',
      '[INFO] 200 OK',
    ),
  );
  assert.deepEqual(tested.matches, [
    { eventNumber: 1, eventMessage: '[ERROR] 400 BAD REQUEST', extractedValues: {} },
    { eventNumber: 2, eventMessage: '[ERROR] 400 BAD REQUEST', extractedValues: {} },
  ]);
});

test('wrong credentials are refused with the AWS error and write nothing', async () => {
  const wrong = await awsCli(srv.url, ['logs', 'create-log-group', '--log-group-name', '/cli/intruder'], {
    id: 'AKIDH8TESTKEY',
    secret: 'wrong-secret',
  });
  assert.equal(wrong.code, 254);
  assert.match(wrong.stderr, /\(InvalidSignatureException\).*signature we calculated does not match/);
  const unknown = await awsCli(
    srv.url,
    [
      'logs',
      'put-log-events',
      '--log-group-name',
      G,
      '--log-stream-name',
      'web',
      '--log-events',
      JSON.stringify([{ timestamp: Date.now(), message: 'forged' }]),
    ],
    { id: 'AKIDNOBODY', secret: 'x' },
  );
  assert.match(unknown.stderr, /\(UnrecognizedClientException\)/);
  const groups = json<{ logGroups: unknown[] }>(
    await cli('logs', 'describe-log-groups', '--log-group-name-prefix', '/cli/intruder'),
  );
  assert.deepEqual(groups.logGroups, []);
  assert.equal(await eventCount(srv.store, G), 4);
});
