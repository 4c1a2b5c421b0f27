/**
 * The protocol edges the audit found (issue 14 Low, issue 15 item 10), and the proof that a
 * refused request writes nothing: refusals before the body is read, the AWS-shaped 413, forged
 * pagination tokens, mistyped members, `@log` and ARNs with the caller's account — and a sweep of
 * every kind of refusal, each carrying a marker, with every table of the store compared before
 * and after.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  DescribeMetricFiltersCommand,
  DescribeQueriesCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  GetQueryResultsCommand,
  PutLogEventsCommand,
  PutMetricFilterCommand,
  PutQueryDefinitionCommand,
  StartQueryCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { startServer, type RunningServer } from '../../src/api/server.js';
import { cloudWatchApiMount } from '../../src/cloudwatch/plugin.js';
import { BODY_LIMIT } from '../../src/cloudwatch/plugin.js';
import { Store } from '../../src/store/store.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ACCESS_KEY, SECRET_KEY, sdkClient, sleep } from './helpers.js';

const OTHER_KEY = 'AKIDOTHERACCOUNT';
const OTHER_SECRET = 'other/secret+0123456789abcdefghijklmnop';
const DEFAULT_ACCOUNT = '123456789012';
const OTHER_ACCOUNT = '210987654321';

// The alarm scheduler's first tick (2 s after listening) creates the alarm tables: the refusals
// test compares every table before and after, and must not see them appear meanwhile.
process.env.BEDROCK_INSIGHTS_ALARM_INTERVAL = '0';

let dir: string;
let store: Store;
let server: RunningServer;
let url: string;
let cw: CloudWatchLogsClient;

before(async () => {
  // The alarm scheduler creates its own tables on its first tick (2 s after start): not a write by
  // any request, but it would show in the before/after table snapshots. Off for this server.
  process.env.BEDROCK_INSIGHTS_ALARM_INTERVAL = '0';
  dir = mkdtempSync(join(tmpdir(), 'h14-protocol-'));
  store = await Store.open(join(dir, 'store.duckdb'));
  server = await startServer({
    store,
    host: '127.0.0.1',
    port: 0,
    cloudWatchApi: cloudWatchApiMount({
      auth: {
        mode: 'sigv4',
        keys: new Map([
          [ACCESS_KEY, SECRET_KEY],
          [OTHER_KEY, OTHER_SECRET],
        ]),
        accounts: new Map([[OTHER_KEY, OTHER_ACCOUNT]]),
      },
      accountId: DEFAULT_ACCOUNT,
    }),
  });
  url = server.url;
  cw = sdkClient(url);
  await cw.send(new CreateLogGroupCommand({ logGroupName: '/p/app' }));
  await cw.send(new CreateLogStreamCommand({ logGroupName: '/p/app', logStreamName: 's' }));
  await cw.send(
    new PutLogEventsCommand({
      logGroupName: '/p/app',
      logStreamName: 's',
      logEvents: Array.from({ length: 5 }, (_, i) => ({ timestamp: Date.now() - 1000 + i, message: `event ${i}` })),
    }),
  );
});

after(async () => {
  cw.destroy();
  await server.close();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

type Middleware = Parameters<CloudWatchLogsClient['middlewareStack']['addRelativeTo']>[0];

async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return (e as Error).name;
  }
}

/** Sends `command` through the real SDK with its JSON body replaced before signing (a client sending a mistyped body). */
async function withBody(send: (c: CloudWatchLogsClient) => Promise<unknown>, body: string): Promise<string> {
  const c = sdkClient(url);
  c.middlewareStack.addRelativeTo(
    ((next: (a: unknown) => Promise<unknown>) => async (args: unknown) => {
      const req = (args as { request: { body: string; headers: Record<string, string> } }).request;
      req.body = body;
      req.headers['content-length'] = String(Buffer.byteLength(body));
      return next(args);
    }) as Middleware,
    { relation: 'before', toMiddleware: 'httpSigningMiddleware', name: 'rawBody' },
  );
  try {
    return await outcome(send(c));
  } finally {
    c.destroy();
  }
}

/** Raw HTTP: sends the head and `body`, and reads the answer (or null when none comes in `waitMs`). */
function rawHttp(
  head: Record<string, string>,
  body: Buffer | null,
  waitMs = 5_000,
): Promise<{ status: number; headers: string; json: { __type?: string; message?: string } } | null> {
  const { port } = new URL(url);
  return new Promise((resolve) => {
    const sock = connect(Number(port), '127.0.0.1');
    let data = '';
    const timer = setTimeout(() => {
      sock.destroy();
      resolve(null);
    }, waitMs);
    sock.on('error', () => undefined);
    sock.on('data', (d: Buffer) => {
      data += d.toString('latin1');
      const end = data.indexOf('\r\n\r\n');
      if (end < 0) return;
      const len = Number(/content-length: (\d+)/i.exec(data.slice(0, end))?.[1] ?? 0);
      if (data.length - end - 4 < len) return;
      clearTimeout(timer);
      sock.destroy();
      resolve({
        status: Number(data.split(' ')[1]),
        headers: data.slice(0, end).toLowerCase(),
        json: JSON.parse(data.slice(end + 4, end + 4 + len) || '{}') as { __type?: string; message?: string },
      });
    });
    const lines = ['POST / HTTP/1.1', `Host: 127.0.0.1:${port}`, ...Object.entries(head).map(([k, v]) => `${k}: ${v}`)];
    sock.write(lines.join('\r\n') + '\r\n\r\n');
    if (body) sock.write(body);
  });
}

function amzDate(ms = Date.now()): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/** Well-formed signature headers for a known key: they pass every check but the signature itself. */
function knownKeyHead(extra: Record<string, string> = {}): Record<string, string> {
  const date = amzDate();
  return {
    'X-Amz-Target': 'Logs_20140328.PutLogEvents',
    'Content-Type': 'application/x-amz-json-1.1',
    'X-Amz-Date': date,
    Authorization: `AWS4-HMAC-SHA256 Credential=${ACCESS_KEY}/${date.slice(0, 8)}/us-east-1/logs/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`,
    ...extra,
  };
}

test('refusals that need only the headers are answered before the body arrives', async () => {
  // Content-Length promises 5 MB that never come: an answer proves nothing waited for the body.
  const unsigned = await rawHttp({ 'X-Amz-Target': 'Logs_20140328.PutLogEvents', 'Content-Length': '5000000' }, null);
  assert.equal(unsigned?.status, 400);
  assert.equal(unsigned?.json.__type, 'MissingAuthenticationTokenException');
  assert.match(unsigned.headers, /content-type: application\/x-amz-json-1\.1/);
  assert.match(unsigned.headers, /x-amzn-requestid: [0-9a-f-]{36}/);
  const garbage = await rawHttp({ Authorization: 'garbage', 'Content-Length': '5000000' }, null);
  assert.equal(garbage?.json.__type, 'IncompleteSignatureException');
  const date = amzDate();
  const unknown = await rawHttp(
    {
      'X-Amz-Date': date,
      Authorization: `AWS4-HMAC-SHA256 Credential=AKIDNOBODY/${date.slice(0, 8)}/us-east-1/logs/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`,
      'Content-Length': '5000000',
    },
    null,
  );
  assert.equal(unknown?.json.__type, 'UnrecognizedClientException');
  const old = amzDate(Date.now() - 20 * 60_000);
  const expired = await rawHttp(
    {
      'X-Amz-Date': old,
      Authorization: `AWS4-HMAC-SHA256 Credential=${ACCESS_KEY}/${old.slice(0, 8)}/us-east-1/logs/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`,
      'Content-Length': '5000000',
    },
    null,
  );
  assert.equal(expired?.json.__type, 'InvalidSignatureException');
  assert.match(expired.json.message ?? '', /Signature expired/);
  // A known key with a well-formed header is let through to read the body: nothing comes back
  // while the body is missing (the signature is checked over the body).
  assert.equal(await rawHttp(knownKeyHead({ 'Content-Length': '100' }), null, 1_000), null);
});

test('bodies over 8 MiB get an AWS-shaped 413, from Content-Length at once or while streaming', async () => {
  const declared = await rawHttp(knownKeyHead({ 'Content-Length': String(BODY_LIMIT + 1) }), null);
  assert.equal(declared?.status, 413);
  assert.equal(declared?.json.__type, 'RequestEntityTooLargeException');
  assert.match(declared.json.message ?? '', /exceeds the limit of 8388608 bytes/);
  assert.match(declared.headers, /content-type: application\/x-amz-json-1\.1/);
  // Chunked: the size is known only while reading; reading stops at the limit.
  const chunk = Buffer.alloc(1024 * 1024, 'x');
  const parts: Buffer[] = [];
  for (let i = 0; i < 9; i++) parts.push(Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n'));
  parts.push(Buffer.from('0\r\n\r\n'));
  const streamed = await rawHttp(knownKeyHead({ 'Transfer-Encoding': 'chunked' }), Buffer.concat(parts));
  assert.equal(streamed?.status, 413);
  assert.equal(streamed?.json.__type, 'RequestEntityTooLargeException');
  // The largest legal PutLogEvents (1 MB of messages, every character escaped) fits.
  const escaped = JSON.stringify({
    logGroupName: '/p/app',
    logStreamName: 's',
    logEvents: Array.from({ length: 4 }, (_, i) => ({ timestamp: Date.now() + i, message: '\u0001'.repeat(262_000) })),
  });
  assert.ok(escaped.length > 6_000_000 && escaped.length < BODY_LIMIT);
  assert.equal(
    await withBody(
      (c) => c.send(new PutLogEventsCommand({ logGroupName: '/p/app', logStreamName: 's', logEvents: [] })),
      escaped,
    ),
    'ok',
  );
});

function token(kind: string, value: unknown): string {
  return Buffer.from(JSON.stringify([kind, value]), 'utf8').toString('base64url');
}

test('forged pagination tokens answer 400 InvalidParameterException, never a retried 500', async () => {
  const forged: [string, () => Promise<unknown>][] = [
    [
      'fle string',
      () =>
        cw.send(
          new FilterLogEventsCommand({ logGroupName: '/p/app', nextToken: token('fle', ['1; DROP TABLE events', 2]) }),
        ),
    ],
    [
      'fle fraction',
      () => cw.send(new FilterLogEventsCommand({ logGroupName: '/p/app', nextToken: token('fle', [1.5, 2]) })),
    ],
    ['fle null', () => cw.send(new FilterLogEventsCommand({ logGroupName: '/p/app', nextToken: token('fle', null) }))],
    [
      'fle huge',
      () => cw.send(new FilterLogEventsCommand({ logGroupName: '/p/app', nextToken: token('fle', [1e300, 2]) })),
    ],
    [
      'dls string',
      () =>
        cw.send(
          new DescribeLogStreamsCommand({ logGroupName: '/p/app', nextToken: token('dls', '0; DROP TABLE events') }),
        ),
    ],
    [
      'dls negative',
      () => cw.send(new DescribeLogStreamsCommand({ logGroupName: '/p/app', nextToken: token('dls', -5) })),
    ],
    ['dlg object', () => cw.send(new DescribeLogGroupsCommand({ nextToken: token('dlg', { x: 1 }) }))],
    ['dmf string', () => cw.send(new DescribeMetricFiltersCommand({ nextToken: token('dmf', '1') }))],
    ['dq fraction', () => cw.send(new DescribeQueriesCommand({ nextToken: token('dq', 0.5) }))],
    ['other kind', () => cw.send(new DescribeLogGroupsCommand({ nextToken: token('dls', 1) }))],
    ['not base64 JSON', () => cw.send(new DescribeLogGroupsCommand({ nextToken: '%%%' }))],
    [
      'GetLogEvents beyond BIGINT',
      () =>
        cw.send(
          new GetLogEventsCommand({ logGroupName: '/p/app', logStreamName: 's', nextToken: `f/1${'9'.repeat(55)}` }),
        ),
    ],
  ];
  for (const [label, send] of forged) assert.equal(await outcome(send()), 'InvalidParameterException', label);
  // A query results token is checked before the query id.
  assert.equal(
    await outcome(cw.send(new GetQueryResultsCommand({ queryId: 'x', nextToken: token('gqr', '1') }))),
    'InvalidParameterException',
  );
  // Real tokens still page.
  const first = await cw.send(new FilterLogEventsCommand({ logGroupName: '/p/app', limit: 2 }));
  const second = await cw.send(
    new FilterLogEventsCommand({ logGroupName: '/p/app', limit: 2, nextToken: first.nextToken }),
  );
  assert.deepEqual(
    second.events?.map((e) => e.message),
    ['event 2', 'event 3'],
  );
});

test('members of the wrong JSON type answer SerializationException (constraint failures stay InvalidParameterException)', async () => {
  const put = (c: CloudWatchLogsClient): Promise<unknown> =>
    c.send(new PutLogEventsCommand({ logGroupName: '/p/app', logStreamName: 's', logEvents: [] }));
  const body = (ts: unknown): string =>
    JSON.stringify({ logGroupName: '/p/app', logStreamName: 's', logEvents: [{ timestamp: ts, message: 'typed' }] });
  assert.equal(await withBody(put, body(String(Date.now()))), 'SerializationException');
  assert.equal(await withBody(put, body(Date.now() + 0.5)), 'SerializationException');
  assert.equal(
    await withBody(put, JSON.stringify({ logGroupName: 7, logStreamName: 's', logEvents: [] })),
    'SerializationException',
  );
  assert.equal(
    await withBody(put, JSON.stringify({ logGroupName: '/p/app', logStreamName: 's', logEvents: {} })),
    'SerializationException',
  );
  const describe = (c: CloudWatchLogsClient): Promise<unknown> => c.send(new DescribeLogGroupsCommand({}));
  assert.equal(await withBody(describe, '{"limit":"5"}'), 'SerializationException');
  assert.equal(await withBody(describe, '{"limit":0}'), 'InvalidParameterException');
  assert.equal(await withBody(put, body(null)), 'InvalidParameterException');
  assert.equal(await withBody(put, body(-1)), 'InvalidParameterException');
});

async function queryRows(client: CloudWatchLogsClient, group: string, q: string): Promise<Record<string, string>[]> {
  const now = Math.floor(Date.now() / 1000);
  const { queryId } = await client.send(
    new StartQueryCommand({ logGroupName: group, startTime: now - 3600, endTime: now + 60, queryString: q }),
  );
  for (let i = 0; i < 300; i++) {
    const r = await client.send(new GetQueryResultsCommand({ queryId }));
    if (r.status === 'Complete')
      return (r.results ?? []).map((row) => Object.fromEntries(row.map((c) => [c.field!, c.value!])));
    assert.ok(r.status === 'Running' || r.status === 'Scheduled', r.status);
    await sleep(50);
  }
  throw new Error('query did not finish');
}

test("@log and ARNs carry the caller's account: the configured default, or the access key's own", async () => {
  await cw.send(new CreateLogGroupCommand({ logGroupName: '/probe/text' }));
  await cw.send(new CreateLogStreamCommand({ logGroupName: '/probe/text', logStreamName: 's' }));
  await cw.send(
    new PutLogEventsCommand({
      logGroupName: '/probe/text',
      logStreamName: 's',
      logEvents: [{ timestamp: Date.now(), message: 'plain text' }],
    }),
  );
  const rows = await queryRows(cw, '/probe/text', 'fields @log, @message');
  assert.deepEqual(
    rows.map((r) => r['@log']),
    [`${DEFAULT_ACCOUNT}:/probe/text`],
  );

  const other = sdkClient(url, { accessKeyId: OTHER_KEY, secretAccessKey: OTHER_SECRET });
  try {
    await other.send(new CreateLogGroupCommand({ logGroupName: '/probe/other' }));
    await other.send(new CreateLogStreamCommand({ logGroupName: '/probe/other', logStreamName: 's' }));
    await other.send(
      new PutLogEventsCommand({
        logGroupName: '/probe/other',
        logStreamName: 's',
        logEvents: [{ timestamp: Date.now(), message: 'theirs' }],
      }),
    );
    const theirs = await queryRows(other, '/probe/other', 'fields @log');
    assert.deepEqual(
      theirs.map((r) => r['@log']),
      [`${OTHER_ACCOUNT}:/probe/other`],
    );
    const g = await other.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/probe/other' }));
    assert.equal(g.logGroups?.[0]?.arn, `arn:aws:logs:us-east-1:${OTHER_ACCOUNT}:log-group:/probe/other:*`);
    // QueryStatistics are doubles on the wire (checked as text through the CLI in cli.test.ts);
    // the SDK reads them as numbers.
    const s = await other.send(new DescribeQueriesCommand({ logGroupName: '/probe/other' }));
    assert.equal(s.queries?.length, 1);
  } finally {
    other.destroy();
  }
});

/** Every table of the store as text, for a before/after comparison. */
async function snapshot(): Promise<Map<string, string>> {
  const conn = await store.connect();
  try {
    const tables = (
      await conn.runAndReadAll(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' AND table_type = 'BASE TABLE' ORDER BY 1",
      )
    )
      .getRows()
      .map((r) => String(r[0]));
    const out = new Map<string, string>();
    for (const t of tables) {
      const rows = (await conn.runAndReadAll(`SELECT * FROM "${t}"`)).getRowsJson();
      out.set(t, JSON.stringify(rows.map((r) => JSON.stringify(r)).sort()));
    }
    return out;
  } finally {
    conn.closeSync();
  }
}

test('every kind of refused request writes nothing: all tables are the same before and after', async () => {
  await sleep(300); // pricing of earlier appends has settled
  const markers: string[] = [];
  const mark = (kind: string): string => {
    const m = `REFUSED${kind}${markers.length}x${Math.random().toString(36).slice(2, 8)}`;
    markers.push(m);
    return m;
  };
  const before = await snapshot();
  const ev = (message: string, ts = Date.now()): { timestamp: number; message: string } => ({ timestamp: ts, message });
  const putBody = (message: string): string =>
    JSON.stringify({ logGroupName: '/p/app', logStreamName: 's', logEvents: [ev(message)] });
  const put = (c: CloudWatchLogsClient): Promise<unknown> =>
    c.send(new PutLogEventsCommand({ logGroupName: '/p/app', logStreamName: 's', logEvents: [] }));
  const results: [string, string][] = [];
  const expect = async (label: string, want: string, got: Promise<string> | string): Promise<void> => {
    results.push([label, await got]);
    assert.equal(results[results.length - 1][1], want, label);
  };

  // Authentication.
  const unsigned = await rawHttp(
    {
      'X-Amz-Target': 'Logs_20140328.PutLogEvents',
      'Content-Length': String(Buffer.byteLength(putBody(mark('unsigned')))),
    },
    Buffer.from(putBody(markers[markers.length - 1])),
  );
  await expect('unsigned', 'MissingAuthenticationTokenException', unsigned?.json.__type ?? 'none');
  const wrong = sdkClient(url, { accessKeyId: ACCESS_KEY, secretAccessKey: 'wrong' });
  await expect(
    'wrong secret',
    'InvalidSignatureException',
    outcome(
      wrong.send(
        new PutLogEventsCommand({ logGroupName: '/p/app', logStreamName: 's', logEvents: [ev(mark('secret'))] }),
      ),
    ),
  );
  await expect(
    'wrong secret, new group',
    'InvalidSignatureException',
    outcome(wrong.send(new CreateLogGroupCommand({ logGroupName: `/${mark('group')}` }))),
  );
  wrong.destroy();
  const nobody = sdkClient(url, { accessKeyId: 'AKIDNOBODY', secretAccessKey: 'x' });
  await expect(
    'unknown key',
    'UnrecognizedClientException',
    outcome(
      nobody.send(
        new PutLogEventsCommand({ logGroupName: '/p/app', logStreamName: 's', logEvents: [ev(mark('unknown'))] }),
      ),
    ),
  );
  nobody.destroy();
  const skewed = new CloudWatchLogsClient({
    region: 'us-east-1',
    endpoint: url,
    credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY },
    maxAttempts: 1,
    systemClockOffset: -20 * 60_000,
  });
  await expect(
    'expired signature',
    'InvalidSignatureException',
    outcome(
      skewed.send(
        new PutLogEventsCommand({ logGroupName: '/p/app', logStreamName: 's', logEvents: [ev(mark('expired'))] }),
      ),
    ),
  );
  skewed.destroy();
  const tamper = sdkClient(url);
  const decoy = mark('decoy');
  const real = mark('tamper').slice(0, decoy.length).padEnd(decoy.length, 'y');
  markers.push(real);
  tamper.middlewareStack.addRelativeTo(
    ((next: (a: unknown) => Promise<unknown>) => async (args: unknown) => {
      const req = (args as { request: { body: string } }).request;
      req.body = req.body.replace(decoy, real);
      return next(args);
    }) as Middleware,
    { relation: 'after', toMiddleware: 'httpSigningMiddleware', name: 'tamper' },
  );
  await expect(
    'body changed after signing',
    'InvalidSignatureException',
    outcome(
      tamper.send(new PutLogEventsCommand({ logGroupName: '/p/app', logStreamName: 's', logEvents: [ev(decoy)] })),
    ),
  );
  tamper.destroy();

  // The body: unreadable, mistyped, over a limit.
  await expect('malformed JSON', 'SerializationException', withBody(put, putBody(mark('json')).slice(0, -1)));
  await expect(
    'timestamp as a string',
    'SerializationException',
    withBody(
      put,
      JSON.stringify({
        logGroupName: '/p/app',
        logStreamName: 's',
        logEvents: [{ timestamp: String(Date.now()), message: mark('typed') }],
      }),
    ),
  );
  const big = await rawHttp(
    knownKeyHead({ 'Content-Length': String(BODY_LIMIT + 10) }),
    Buffer.from(putBody(mark('big'))),
  );
  await expect('413', 'RequestEntityTooLargeException', big?.json.__type ?? 'none');

  // The batch rules of PutLogEvents.
  const now = Date.now();
  const batch = (
    logEvents: { timestamp: number; message: string }[],
    stream = 's',
    group = '/p/app',
  ): Promise<string> =>
    outcome(cw.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: stream, logEvents })));
  await expect(
    'out of order',
    'InvalidParameterException',
    batch([ev(mark('order'), now), ev(mark('order'), now - 1000)]),
  );
  await expect(
    'span over 24 h',
    'InvalidParameterException',
    batch([ev(mark('span'), now - 25 * 3600_000), ev(mark('span'), now)]),
  );
  await expect('event over 1 MB', 'InvalidParameterException', batch([ev(mark('huge') + 'z'.repeat(1_048_576))]));
  await expect(
    'batch over 1 MB',
    'InvalidParameterException',
    batch(Array.from({ length: 5 }, () => ev(mark('batch') + 'z'.repeat(250_000)))),
  );
  await expect(
    '10,001 events',
    'InvalidParameterException',
    batch(Array.from({ length: 10_001 }, () => ev(markers[0] + 'many'))),
  );
  await expect('empty message', 'InvalidParameterException', batch([ev(mark('empty')), ev('')]));
  await expect('missing stream', 'ResourceNotFoundException', batch([ev(mark('nostream'))], 'nostream'));
  await expect('missing group', 'ResourceNotFoundException', batch([ev(mark('nogroup'))], 's', '/p/none'));

  // Catalog, metric filters, query definitions.
  await expect(
    'group name pattern',
    'InvalidParameterException',
    outcome(cw.send(new CreateLogGroupCommand({ logGroupName: `/${mark('colon')}:x` }))),
  );
  await expect(
    'reserved group name',
    'InvalidParameterException',
    outcome(cw.send(new CreateLogGroupCommand({ logGroupName: `aws/${mark('reserved')}` }))),
  );
  await expect(
    'stream in a missing group',
    'ResourceNotFoundException',
    outcome(cw.send(new CreateLogStreamCommand({ logGroupName: '/p/none', logStreamName: mark('orphan') }))),
  );
  const transform = [{ metricName: 'm', metricNamespace: 'ns', metricValue: '1' }];
  await expect(
    'metric filter: invalid pattern',
    'InvalidParameterException',
    outcome(
      cw.send(
        new PutMetricFilterCommand({
          logGroupName: '/p/app',
          filterName: mark('mf'),
          filterPattern: '{ $.x = ',
          metricTransformations: transform,
        }),
      ),
    ),
  );
  await expect(
    'metric filter: too complex regex',
    'InvalidParameterException',
    outcome(
      cw.send(
        new PutMetricFilterCommand({
          logGroupName: '/p/app',
          filterName: mark('mf'),
          filterPattern: '%[ab]{999}[ab]{999}%',
          metricTransformations: transform,
        }),
      ),
    ),
  );
  await expect(
    'metric filter: missing group',
    'ResourceNotFoundException',
    outcome(
      cw.send(
        new PutMetricFilterCommand({
          logGroupName: '/p/none',
          filterName: mark('mf'),
          filterPattern: 'ERROR',
          metricTransformations: transform,
        }),
      ),
    ),
  );
  await expect(
    'query definition: malformed',
    'InvalidParameterException',
    outcome(cw.send(new PutQueryDefinitionCommand({ name: mark('qd'), queryString: '', logGroupNames: ['/p/app'] }))),
  );

  const afterRefusals = await snapshot();
  assert.deepEqual([...afterRefusals.keys()], [...before.keys()]);
  for (const [table, rows] of before) assert.equal(afterRefusals.get(table), rows, `table ${table} changed`);
  const all = [...afterRefusals.values()].join('\n');
  for (const m of markers) assert.ok(!all.includes(m), `${m} was stored`);
  assert.ok(results.length >= 24, `${results.length} refusals`);
});
