import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { awsFindings, runDoctor } from '../../src/doctor/index.js';
import { Store } from '../../src/store/store.js';
import { ACCESS_KEY, SECRET_KEY, sdkClient, startTestServer } from '../cloudwatch/helpers.js';

const CREDS = { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY };

/** Bedrock's control plane for one call: GET /logging/modelinvocations (REST-JSON), answered per region of the SigV4 scope. */
async function fakeBedrock(
  byRegion: Record<string, { status: number; body: unknown; headers?: Record<string, string> }>,
) {
  const seen: { method: string; path: string; region: string; service: string }[] = [];
  const server = createServer((req, res) => {
    const scope = /Credential=[^/]+\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(
      String(req.headers.authorization ?? ''),
    );
    const region = scope?.[1] ?? '';
    seen.push({ method: req.method ?? '', path: req.url ?? '', region, service: scope?.[2] ?? '' });
    const a = req.url === '/logging/modelinvocations' && req.method === 'GET' ? byRegion[region] : undefined;
    if (!a) {
      res
        .writeHead(404, { 'content-type': 'application/json', 'x-amzn-errortype': 'ResourceNotFoundException' })
        .end('{"message":"no route"}');
      return;
    }
    res.writeHead(a.status, { 'content-type': 'application/json', ...(a.headers ?? {}) }).end(JSON.stringify(a.body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    seen,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

test('doctor AWS checks: logging configuration per region, log group existence, delivery delay', async () => {
  const cw = await startTestServer();
  const logs = sdkClient(cw.url);
  const now = Date.now();
  await logs.send(new CreateLogGroupCommand({ logGroupName: '/aws/bedrock/modelinvocations' }));
  await logs.send(
    new CreateLogStreamCommand({
      logGroupName: '/aws/bedrock/modelinvocations',
      logStreamName: 'aws/bedrock/modelinvocations',
    }),
  );
  // Records stamped 2 and 4 minutes before they are ingested (now).
  const rec = (ms: number, id: string) =>
    JSON.stringify({
      timestamp: new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z'),
      requestId: id,
      operation: 'Converse',
      modelId: 'amazon.nova-micro-v1:0',
      schemaType: 'ModelInvocationLog',
    });
  const t1 = Math.floor((now - 240_000) / 1000) * 1000;
  const t2 = Math.floor((now - 120_000) / 1000) * 1000;
  await logs.send(
    new PutLogEventsCommand({
      logGroupName: '/aws/bedrock/modelinvocations',
      logStreamName: 'aws/bedrock/modelinvocations',
      logEvents: [
        { timestamp: t1, message: rec(t1, 'a') },
        { timestamp: t2, message: rec(t2, 'b') },
        { timestamp: t2, message: rec(t2, 'c') },
      ],
    }),
  );
  const bedrock = await fakeBedrock({
    'us-east-1': {
      status: 200,
      body: {
        loggingConfig: {
          cloudWatchConfig: { logGroupName: '/aws/bedrock/modelinvocations', roleArn: 'arn:aws:iam::1:role/r' },
          textDataDeliveryEnabled: false,
        },
      },
    },
    'us-west-2': { status: 200, body: {} },
    'eu-central-1': {
      status: 200,
      body: {
        loggingConfig: {
          cloudWatchConfig: { logGroupName: 'bedrock-missing', roleArn: 'arn:aws:iam::1:role/r' },
          s3Config: { bucketName: 'logs-bkt', keyPrefix: 'p/' },
          textDataDeliveryEnabled: true,
        },
      },
    },
    'ap-northeast-1': {
      status: 403,
      body: { message: 'User is not authorized' },
      headers: { 'x-amzn-errortype': 'AccessDeniedException' },
    },
  });
  try {
    const r = await awsFindings({
      regions: ['us-east-1', 'us-west-2', 'eu-central-1', 'ap-northeast-1'],
      endpointUrl: bedrock.url,
      logsEndpointUrl: cw.url,
      credentials: CREDS,
    });
    assert.equal(r.ran, true);
    assert.ok(
      bedrock.seen.length >= 4 &&
        bedrock.seen.every(
          (s) => s.method === 'GET' && s.path === '/logging/modelinvocations' && s.service === 'bedrock',
        ),
      'the SDK called GET /logging/modelinvocations signed for bedrock',
    );
    const got = r.findings.map((f) => [f.check, f.severity, (f.data as { region?: string } | undefined)?.region]);
    assert.deepEqual(got, [
      ['logging.enabled', 'ok', 'us-east-1'],
      ['logging.textDelivery', 'info', 'us-east-1'],
      ['logging.largeData', 'info', 'us-east-1'],
      ['cloudwatch.delivery', 'ok', 'us-east-1'],
      ['logging.disabled', 'error', 'us-west-2'],
      ['logging.enabled', 'ok', 'eu-central-1'],
      ['cloudwatch.missingGroup', 'error', 'eu-central-1'],
      ['logging.unreadable', 'error', 'ap-northeast-1'],
    ]);
    const delivery = r.findings.find((f) => f.check === 'cloudwatch.delivery')!;
    assert.equal(delivery.data?.events, 3);
    // Ingestion happened at put time (>= now): delays are the 2 and 4 minutes planted, plus the test's own seconds.
    const p50 = Number(delivery.data?.delayMsP50);
    const max = Number(delivery.data?.delayMsMax);
    assert.ok(p50 >= 120_000 && p50 < 150_000, `median ${p50}`);
    assert.ok(max >= 240_000 && max < 270_000, `max ${max}`);
    assert.match(
      r.findings.find((f) => f.check === 'logging.disabled')!.nextStep,
      /put-model-invocation-logging-configuration --region us-west-2/,
    );
    assert.match(r.findings.find((f) => f.check === 'logging.unreadable')!.detail, /AccessDenied/);
    assert.match(
      r.findings.find((f) => f.check === 'cloudwatch.missingGroup')!.nextStep,
      /create-log-group --region eu-central-1 --log-group-name bedrock-missing/,
    );

    // Without credentials the AWS checks are skipped, and say so; the data checks still run.
    const noCreds = async () => {
      throw Object.assign(new Error('Could not load credentials from any providers'), {
        name: 'CredentialsProviderError',
      });
    };
    const store = await Store.open(':memory:');
    try {
      const rep = await runDoctor(store, { regions: ['us-east-1'], endpointUrl: bedrock.url, credentials: noCreds });
      assert.equal(rep.aws.ran, false);
      assert.match(rep.aws.skipped ?? '', /no AWS credentials/);
      assert.deepEqual(
        rep.findings.map((f) => f.check),
        ['data.empty'],
      );
    } finally {
      store.close();
    }
  } finally {
    await bedrock.close();
    await cw.close();
  }
});
