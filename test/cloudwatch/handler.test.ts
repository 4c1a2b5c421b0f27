import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCloudWatchLogsApi, type ApiRequest } from '../../src/cloudwatch/handler.js';
import type { QueryEngine } from '../../src/engines/engine.js';
import { Store } from '../../src/store/store.js';

// No query runs here: the engine is never reached by these requests.
const noEngine = (): QueryEngine => {
  throw new Error('engine not used in this test');
};

const req = (target: string, body: string, remoteAddress = '127.0.0.1'): ApiRequest => ({
  method: 'POST',
  path: '/',
  headers: { 'x-amz-target': target, 'content-type': 'application/x-amz-json-1.1' },
  rawBody: Buffer.from(body),
  remoteAddress,
});

test('unauthenticated mode: only on a loopback bind, only from loopback clients', async () => {
  const store = await Store.open(':memory:');
  try {
    await assert.rejects(
      createCloudWatchLogsApi(store, noEngine, { auth: { mode: 'none', bindHost: '0.0.0.0' } }),
      /loopback/,
    );
    const api = await createCloudWatchLogsApi(store, noEngine, { auth: { mode: 'none', bindHost: '127.0.0.1' } });
    const ok = await api.handle(req('Logs_20140328.CreateLogGroup', '{"logGroupName":"/h/a"}'));
    assert.equal(ok.status, 200);
    assert.equal(ok.body, '');
    const far = await api.handle(req('Logs_20140328.CreateLogGroup', '{"logGroupName":"/h/b"}', '10.0.0.5'));
    assert.equal(far.status, 400);
    assert.equal(JSON.parse(far.body).__type, 'AccessDeniedException');
    const list = await api.handle(req('Logs_20140328.DescribeLogGroups', ''));
    assert.deepEqual(
      JSON.parse(list.body).logGroups.map((g: { logGroupName: string }) => g.logGroupName),
      ['/h/a'],
    );
    await api.close();
  } finally {
    store.close();
  }
});

test('dispatch errors: unknown operation, bad JSON, a non-object body, GET', async () => {
  const store = await Store.open(':memory:');
  try {
    const api = await createCloudWatchLogsApi(store, noEngine, { auth: { mode: 'none', bindHost: '127.0.0.1' } });
    const unknown = await api.handle(req('Logs_20140328.PutRetentionPolicyX', '{}'));
    assert.equal(unknown.status, 400);
    assert.equal(JSON.parse(unknown.body).__type, 'UnknownOperationException');
    assert.equal(
      JSON.parse((await api.handle(req('Other_1.CreateLogGroup', '{}'))).body).__type,
      'UnknownOperationException',
    );
    assert.equal(
      JSON.parse((await api.handle(req('Logs_20140328.constructor', '{}'))).body).__type,
      'UnknownOperationException',
    );
    assert.equal(
      JSON.parse((await api.handle(req('Logs_20140328.toString', '{}'))).body).__type,
      'UnknownOperationException',
    );
    const bad = await api.handle(req('Logs_20140328.CreateLogGroup', '{"logGroupName":'));
    assert.equal(JSON.parse(bad.body).__type, 'SerializationException');
    assert.equal(
      JSON.parse((await api.handle(req('Logs_20140328.CreateLogGroup', '[1]'))).body).__type,
      'SerializationException',
    );
    const get = await api.handle({ ...req('Logs_20140328.DescribeLogGroups', ''), method: 'GET' });
    assert.equal(get.status, 400);
    assert.equal(get.headers['content-type'], 'application/x-amz-json-1.1');
    assert.match(get.headers['x-amzn-requestid'] ?? '', /^[0-9a-f-]{36}$/);
    await api.close();
  } finally {
    store.close();
  }
});

test('serve wiring: --no-auth only on loopback; the summary names key ids, never secrets', async () => {
  const { cloudWatchApiForServe } = await import('../../src/cloudwatch/plugin.js');
  assert.throws(() => cloudWatchApiForServe({ host: '0.0.0.0', noAuth: true }), /loopback/);
  const withKeys = cloudWatchApiForServe({
    host: '0.0.0.0',
    env: { BEDROCK_INSIGHTS_ACCESS_KEYS: 'AKIDONE:topsecret1,AKIDTWO:topsecret2' },
  });
  assert.match(withKeys.summary, /AKIDONE, AKIDTWO/);
  assert.doesNotMatch(withKeys.summary, /topsecret/);
  assert.match(cloudWatchApiForServe({ host: '127.0.0.1', env: {} }).summary, /refuses every request/);

  const { startServer } = await import('../../src/api/server.js');
  const store = await Store.open(':memory:');
  const open = cloudWatchApiForServe({ host: '127.0.0.1', noAuth: true });
  const server = await startServer({ store, host: '127.0.0.1', port: 0, cloudWatchApi: open.mount });
  try {
    const res = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Logs_20140328.CreateLogGroup' },
      body: '{"logGroupName":"/serve/open"}',
    });
    assert.equal(res.status, 200);
    const list = await fetch(server.url, {
      method: 'POST',
      headers: { 'x-amz-target': 'Logs_20140328.DescribeLogGroups' },
    });
    assert.deepEqual(
      ((await list.json()) as { logGroups: { logGroupName: string }[] }).logGroups.map((g) => g.logGroupName),
      ['/serve/open'],
    );
  } finally {
    await server.close();
    store.close();
  }
});
