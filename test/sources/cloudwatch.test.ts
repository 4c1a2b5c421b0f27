import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join, resolve } from 'node:path';
import { CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { ingestCloudWatch, parseCloudWatchUrl } from '../../src/sources/cloudwatch/source.js';
import { listCloudWatchCheckpoints } from '../../src/sources/checkpoints.js';
import { Store } from '../../src/store/store.js';
import { ACCESS_KEY, SECRET_KEY, sdkClient, startTestServer } from '../cloudwatch/helpers.js';

const GROUP = '/aws/bedrock/modelinvocations';

function record(id: string, ts: number): string {
  return JSON.stringify({
    timestamp: new Date(Math.floor(ts / 1000) * 1000).toISOString().replace('.000Z', 'Z'),
    accountId: '123456789012',
    region: 'us-east-1',
    requestId: id,
    operation: 'Converse',
    modelId: 'amazon.nova-micro-v1:0',
    input: {
      inputContentType: 'application/json',
      inputTokenCount: 10 + id.length,
      inputBodyJson: { messages: ['PROMPT'] },
    },
    output: { outputContentType: 'application/json', outputTokenCount: 5 },
    identity: { arn: 'arn:aws:iam::123456789012:user/t' },
    requestMetadata: { app: 'cw-test' },
    schemaType: 'ModelInvocationLog',
    schemaVersion: '1.0',
  });
}

async function snapshot(store: Store, group: string): Promise<string[]> {
  const r = await store.connection.runAndReadAll(
    `SELECT ts, ingestion_ts, log_stream, request_id, input_tokens, message FROM events WHERE log_group = $1 ORDER BY ts, request_id`,
    [group],
  );
  return r.getRows().map((x) => JSON.stringify(x, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
}

test('parseCloudWatchUrl', () => {
  assert.equal(parseCloudWatchUrl('cloudwatch:///aws/bedrock/modelinvocations'), '/aws/bedrock/modelinvocations');
  assert.equal(parseCloudWatchUrl('cloudwatch://bedrock'), 'bedrock');
  assert.throws(() => parseCloudWatchUrl('cloudwatch://'), /cloudwatch:\/\/LOG_GROUP/);
});

test('CloudWatch ingest through the real SDK: interrupted run, late events, the copy ends identical to the source', async () => {
  const src = await startTestServer();
  const copy = await Store.open(':memory:');
  const cw = sdkClient(src.url);
  try {
    await cw.send(new CreateLogGroupCommand({ logGroupName: GROUP }));
    await cw.send(new CreateLogStreamCommand({ logGroupName: GROUP, logStreamName: 'aws/bedrock/modelinvocations' }));
    await cw.send(new CreateLogStreamCommand({ logGroupName: GROUP, logStreamName: 'other-stream' }));
    const base = Date.now() - 3_600_000;
    const put = (stream: string, items: { id: string; ts: number }[]) =>
      cw.send(
        new PutLogEventsCommand({
          logGroupName: GROUP,
          logStreamName: stream,
          logEvents: items.map((e) => ({ timestamp: e.ts, message: record(e.id, e.ts) })),
        }),
      );
    await put(
      'aws/bedrock/modelinvocations',
      Array.from({ length: 30 }, (_, i) => ({ id: `r${String(i).padStart(3, '0')}`, ts: base + i * 10_000 })),
    );
    await put(
      'other-stream',
      Array.from({ length: 5 }, (_, i) => ({ id: `o${i}`, ts: base + i * 60_000 + 5_000 })),
    );

    // First run: interrupted at the third FilterLogEvents page.
    const client = sdkClient(src.url);
    let calls = 0;
    client.middlewareStack.add(
      (next) => async (args) => {
        if (++calls === 3) throw new Error('network went away');
        return next(args);
      },
      { step: 'initialize', name: 'h11Interrupt' },
    );
    const url = `cloudwatch://${GROUP}`;
    await assert.rejects(
      ingestCloudWatch(copy, url, { client, endpointUrl: src.url, pageLimit: 7 }),
      /network went away/,
    );
    const partial = (await snapshot(copy, GROUP)).length;
    assert.equal(partial, 14, 'two pages of 7 committed before the failure');

    // Late events: timestamps below what was already read (inside the overlap window), and new ones.
    await put('aws/bedrock/modelinvocations', [
      { id: 'late1', ts: base + 5_000 },
      { id: 'late2', ts: base + 95_000 },
    ]);
    await put('aws/bedrock/modelinvocations', [{ id: 'new1', ts: base + 400_000 }]);
    const opts = {
      endpointUrl: src.url,
      region: 'us-east-1',
      credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY },
      pageLimit: 7,
    };
    const second = await ingestCloudWatch(copy, url, opts);
    assert.ok(second.eventsAlreadyRead > 0, 'the overlap window was read again');
    assert.equal(second.duplicatesSkipped, 0, 'events already read were skipped by id, not offered again');
    const source = await snapshot(src.store, GROUP);
    assert.equal(source.length, 38);
    assert.deepEqual(await snapshot(copy, GROUP), source);
    assert.ok(!(await snapshot(copy, GROUP)).join('').includes('PROMPT'), 'bodies stripped');

    // More late events after a complete run, then a quiet run.
    await put('other-stream', [{ id: 'late3', ts: base + 290_000 }]);
    const third = await ingestCloudWatch(copy, url, opts);
    assert.equal(third.recordsStored, 1);
    const fourth = await ingestCloudWatch(copy, url, opts);
    assert.equal(fourth.recordsStored, 0);
    assert.equal(fourth.recordsRead, 0);
    assert.deepEqual(await snapshot(copy, GROUP), await snapshot(src.store, GROUP));
    const cps = await listCloudWatchCheckpoints(copy);
    assert.equal(cps.length, 1);
    assert.equal(cps[0].events, 39);
    assert.equal(cps[0].highTs, base + 400_000);
  } finally {
    copy.close();
    await src.close();
  }
});

test('a missing log group is a clear error', async () => {
  const src = await startTestServer();
  const copy = await Store.open(':memory:');
  try {
    await assert.rejects(
      ingestCloudWatch(copy, 'cloudwatch://nope', {
        endpointUrl: src.url,
        region: 'us-east-1',
        credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY },
      }),
      (e: Error & { code?: string }) => e.code === 'AWS_REQUEST_FAILED' && /ResourceNotFound/.test(e.message),
    );
  } finally {
    copy.close();
    await src.close();
  }
});

test('CLI: ingest cloudwatch://GROUP --endpoint-url stores under the remote group name, and a re-run reads nothing new', async () => {
  const { spawn } = await import('node:child_process');
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { fileURLToPath } = await import('node:url');
  const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const run = (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((done) => {
      const child = spawn(
        process.execPath,
        [
          '--no-warnings',
          '--import',
          'tsx',
          '--input-type=module',
          '-e',
          `import { main } from './src/cli/main.ts'; process.exitCode = await main(['node', 'bedrock-insights', ...JSON.parse(process.env.H11_ARGS)]);`,
        ],
        {
          cwd: repo,
          env: {
            ...process.env,
            AWS_ACCESS_KEY_ID: ACCESS_KEY,
            AWS_SECRET_ACCESS_KEY: SECRET_KEY,
            AWS_REGION: 'us-east-1',
            H11_ARGS: JSON.stringify(args),
          },
        },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (b: Buffer) => {
        stdout += b.toString();
      });
      child.stderr.on('data', (b: Buffer) => {
        stderr += b.toString();
      });
      child.on('close', (code) => done({ code: code ?? -1, stdout, stderr }));
    });
  const src = await startTestServer();
  const dir = mkdtempSync(join(tmpdir(), 'h11-cwcli-'));
  try {
    const cw = sdkClient(src.url);
    await cw.send(new CreateLogGroupCommand({ logGroupName: 'bedrock' }));
    await cw.send(new CreateLogStreamCommand({ logGroupName: 'bedrock', logStreamName: 's' }));
    const t = Date.now() - 60_000;
    await cw.send(
      new PutLogEventsCommand({
        logGroupName: 'bedrock',
        logStreamName: 's',
        logEvents: [
          { timestamp: t, message: record('c1', t) },
          { timestamp: t + 1, message: record('c2', t + 1) },
        ],
      }),
    );
    const db = join(dir, 'copy.duckdb');
    const a = await run(['ingest', 'cloudwatch://bedrock', '--endpoint-url', src.url, '--db', db]);
    assert.equal(a.code, 0, a.stderr);
    assert.match(a.stdout, /\(2 events read\)\n/);
    assert.match(a.stdout, /records stored:\s+2\n/);
    const b = await run(['ingest', 'cloudwatch://bedrock', '--endpoint-url', src.url, '--db', db]);
    assert.match(b.stdout, /\(0 events read\)\n/);
    // An event that arrives 40 minutes late: outside the default 15-minute overlap, inside --overlap 60.
    const late = t - 40 * 60_000;
    await cw.send(
      new PutLogEventsCommand({
        logGroupName: 'bedrock',
        logStreamName: 's',
        logEvents: [{ timestamp: late, message: record('c0', late) }],
      }),
    );
    const c = await run(['ingest', 'cloudwatch://bedrock', '--endpoint-url', src.url, '--db', db]);
    assert.match(c.stdout, /\(0 events read\)\n/);
    const d = await run(['ingest', 'cloudwatch://bedrock', '--endpoint-url', src.url, '--db', db, '--overlap', '60']);
    assert.equal(d.code, 0, d.stderr);
    assert.match(d.stdout, /\(1 events read\)\n/);
    assert.match(d.stdout, /records stored:\s+1\n/);
    // sync add keeps it per source; it means nothing for S3.
    const added = await run(['sync', 'add', 'cloudwatch://bedrock', '--db', db, '--overlap', '60']);
    assert.equal(added.code, 0, added.stderr);
    assert.match((await run(['sync', 'list', '--db', db])).stdout, /cloudwatch:\/\/bedrock .*overlap=60m/);
    const s3 = await run(['sync', 'add', 's3://b/AWSLogs/', '--db', db, '--overlap', '60']);
    assert.notEqual(s3.code, 0);
    assert.match(s3.stderr, /--overlap applies to cloudwatch:\/\/ sources only/);
    const copy = await Store.open(db);
    try {
      assert.deepEqual(await snapshot(copy, 'bedrock'), await snapshot(src.store, 'bedrock'));
    } finally {
      copy.close();
    }
  } finally {
    await src.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an interrupted run never moves the next start past an event it did not read (pages out of time order)', async () => {
  const { CloudWatchLogsClient } = await import('@aws-sdk/client-cloudwatch-logs');
  const events = [
    {
      eventId: 'a',
      timestamp: 1_000_200_000,
      ingestionTime: 1_000_200_500,
      logStreamName: 's',
      message: record('a', 1_000_200_000),
    },
    {
      eventId: 'b',
      timestamp: 1_000_100_000,
      ingestionTime: 1_000_300_000,
      logStreamName: 's',
      message: record('b', 1_000_100_000),
    },
  ];
  /** A FilterLogEvents answered in-process, one event per page, in the order above (b is older). */
  const fake = (failOnSecondPage: boolean) => {
    const c = new CloudWatchLogsClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    });
    c.middlewareStack.add(
      (() => async (args: { input: { startTime?: number; nextToken?: string } }) => {
        const list = events.filter((e) => args.input.startTime === undefined || e.timestamp >= args.input.startTime);
        const i = args.input.nextToken ? Number(args.input.nextToken) : 0;
        if (failOnSecondPage && i === 1) throw new Error('connection reset');
        return {
          output: {
            events: list.slice(i, i + 1),
            ...(i + 1 < list.length ? { nextToken: String(i + 1) } : {}),
            $metadata: {},
          },
          response: {},
        };
      }) as never,
      { step: 'initialize', name: 'h11Fake' },
    );
    return c;
  };
  const copy = await Store.open(':memory:');
  try {
    const opts = { endpointUrl: 'http://fake', overlapMs: 10_000 };
    await assert.rejects(ingestCloudWatch(copy, 'cloudwatch://g', { ...opts, client: fake(true) }), /connection reset/);
    const r = await ingestCloudWatch(copy, 'cloudwatch://g', { ...opts, client: fake(false) });
    assert.equal(r.eventsAlreadyRead, 1);
    assert.equal(r.recordsStored, 1);
    const ids = (await copy.connection.runAndReadAll(`SELECT request_id FROM events ORDER BY 1`))
      .getRows()
      .map(([x]) => x);
    assert.deepEqual(ids, ['a', 'b']);
    assert.equal(r.highTs, 1_000_200_000);
  } finally {
    copy.close();
  }
});
