import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Http2Session } from 'node:http2';
import {
  BedrockRuntimeClient,
  ConverseCommand,
  ConverseStreamCommand,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
} from '@aws-sdk/client-bedrock-runtime';
import { addRequestMetadata, validateRequestMetadata, withRequestMetadata } from '../../src/tagging/index.js';

interface Seen {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Records what the Bedrock runtime client sends (over HTTP/2 cleartext: the client's default handler speaks HTTP/2); answers Converse/InvokeModel with minimal valid bodies. */
async function recorder() {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({
        path: decodeURIComponent(req.url ?? ''),
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      if (req.url?.endsWith('/converse')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            output: { message: { role: 'assistant', content: [{ text: 'ok' }] } },
            stopReason: 'end_turn',
            usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 },
            metrics: { latencyMs: 1 },
          }),
        );
      } else if (req.url?.endsWith('/invoke')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"ok":true}');
      } else {
        // Streams: an empty event stream.
        res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream' });
        res.end();
      }
    });
  });
  const sessions = new Set<Http2Session>();
  server.on('session', (s: Http2Session) => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    seen,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sessions) s.destroy();
        server.close(() => r());
      }),
  };
}

const MODEL = 'us.anthropic.claude-haiku-4-5-20251001-v1:0';
const header = (s: Seen): string | undefined => s.headers['x-amzn-bedrock-request-metadata'] as string | undefined;

test('tagging middleware: requestMetadata on Converse/ConverseStream, the signed header on InvokeModel/InvokeModelWithResponseStream', async () => {
  const rec = await recorder();
  process.env.H11_TEST_ENVIRONMENT = 'production';
  process.env.H11META_TEAM = 'sales';
  const client = addRequestMetadata(
    new BedrockRuntimeClient({
      region: 'us-east-1',
      endpoint: rec.url,
      credentials: { accessKeyId: 'AKIDTAG', secretAccessKey: 'x' },
      maxAttempts: 1,
    }),
    {
      static: { application_name: 'SalesAssistantApp', cost_center: 'SALES-456' },
      env: { environment: 'H11_TEST_ENVIRONMENT', unset_key: 'H11_NOT_SET' },
      envPrefix: 'H11META_',
    },
  );
  try {
    const messages = [{ role: 'user' as const, content: [{ text: 'hello' }] }];
    await withRequestMetadata({ tenant_id: 'sales-emea' }, async () => {
      await client.send(
        new ConverseCommand({ modelId: MODEL, messages, requestMetadata: { user_id: 'u-1', cost_center: 'override' } }),
      );
      const s = await client.send(new ConverseStreamCommand({ modelId: MODEL, messages }));
      for await (const _e of s.stream ?? []) {
        /* drain */
      }
      await client.send(
        new InvokeModelCommand({
          modelId: MODEL,
          contentType: 'application/json',
          body: JSON.stringify({ messages: [] }),
        }),
      );
      const t = await client.send(
        new InvokeModelWithResponseStreamCommand({
          modelId: MODEL,
          contentType: 'application/json',
          body: '{}',
          requestMetadata: JSON.stringify({ user_id: 'u-2' }),
        }),
      );
      for await (const _e of t.body ?? []) {
        /* drain */
      }
    });
    // Outside the context: no tenant.
    await client.send(new InvokeModelCommand({ modelId: MODEL, body: '{}' }));

    assert.deepEqual(
      rec.seen.map((s) => s.path.replace(`/model/${MODEL}/`, '')),
      ['converse', 'converse-stream', 'invoke', 'invoke-with-response-stream', 'invoke'],
    );
    const base = {
      application_name: 'SalesAssistantApp',
      cost_center: 'SALES-456',
      environment: 'production',
      team: 'sales',
    };
    assert.deepEqual(JSON.parse(rec.seen[0].body).requestMetadata, {
      ...base,
      tenant_id: 'sales-emea',
      user_id: 'u-1',
      cost_center: 'override',
    });
    assert.equal(header(rec.seen[0]), undefined);
    assert.deepEqual(JSON.parse(rec.seen[1].body).requestMetadata, { ...base, tenant_id: 'sales-emea' });
    for (const i of [2, 3, 4]) {
      const h = header(rec.seen[i]);
      assert.ok(h, `header on call ${i}`);
      assert.match(
        String(rec.seen[i].headers.authorization),
        /SignedHeaders=[^,]*x-amzn-bedrock-request-metadata/,
        'the header is signed',
      );
      assert.equal(rec.seen[i].body.includes('requestMetadata'), false, 'the model body is left alone');
    }
    assert.deepEqual(JSON.parse(header(rec.seen[2])!), { ...base, tenant_id: 'sales-emea' });
    assert.deepEqual(JSON.parse(header(rec.seen[3])!), { ...base, tenant_id: 'sales-emea', user_id: 'u-2' });
    assert.deepEqual(JSON.parse(header(rec.seen[4])!), base);
    assert.deepEqual(JSON.parse(rec.seen[2].body), { messages: [] });

    // Invalid metadata fails locally, before anything is sent.
    const before = rec.seen.length;
    await assert.rejects(
      client.send(new ConverseCommand({ modelId: MODEL, messages, requestMetadata: { 'bad key!': 'x' } })),
      /contains "!"/,
    );
    await assert.rejects(
      withRequestMetadata({ tenant_id: 'a'.repeat(257) }, () =>
        client.send(new InvokeModelCommand({ modelId: MODEL, body: '{}' })),
      ),
      /257 characters; values may have at most 256/,
    );
    assert.equal(rec.seen.length, before);
  } finally {
    delete process.env.H11_TEST_ENVIRONMENT;
    delete process.env.H11META_TEAM;
    client.destroy();
    await rec.close();
  }
});

test('validateRequestMetadata: Bedrock limits with clear errors', () => {
  const sixteen = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`k${i}`, 'v']));
  assert.deepEqual(validateRequestMetadata(sixteen), sixteen);
  assert.throws(() => validateRequestMetadata({ ...sixteen, k16: 'v' }), /17 keys .*at most 16/);
  assert.throws(() => validateRequestMetadata({ '': 'v' }), /1 to 256/);
  assert.throws(() => validateRequestMetadata({ ['k'.repeat(257)]: 'v' }), /257 characters; keys must be 1 to 256/);
  assert.deepEqual(validateRequestMetadata({ k: '' }), { k: '' }, 'empty values are allowed');
  assert.deepEqual(validateRequestMetadata({ 'a b:_@$#=/+,-.': 'Z 9:_@$#=/+,-.' }), {
    'a b:_@$#=/+,-.': 'Z 9:_@$#=/+,-.',
  });
  assert.throws(() => validateRequestMetadata({ env: 'prod;drop' }), /contains ";"/);
  assert.throws(() => validateRequestMetadata({ env: 'é' }), /contains "é"/);
  assert.throws(() => validateRequestMetadata({ n: 5 }), /only string values/);
  assert.deepEqual(validateRequestMetadata({ a: 'x', gone: undefined }), { a: 'x' });
});
