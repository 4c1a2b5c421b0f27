import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type RunningServer } from '../../src/api/server.js';
import { Store } from '../../src/store/store.js';
import { HOUR, putEvents, startReceiver, waitFor, type HttpCatcher } from './helpers.js';

// /api/alarms on the real server (startServer), with its scheduler running every 50 ms.
let store: Store;
let server: RunningServer;
let hook: HttpCatcher;
const NOW = Date.now();

before(async () => {
  process.env.BEDROCK_INSIGHTS_ALARM_INTERVAL = '0.05';
  store = await Store.open(':memory:');
  // Two hours ago: 3 requests of 400 input tokens for app A.
  const h = Math.floor(NOW / HOUR) * HOUR - 2 * HOUR;
  await putEvents(
    store,
    [0, 1, 2].map((i) => ({ ts: h + i * 60_000, app: 'A', input: 400 })),
  );
  hook = await startReceiver();
  server = await startServer({ store, port: 0 });
});
after(async () => {
  await server.close();
  store.close();
  await hook.close();
  delete process.env.BEDROCK_INSIGHTS_ALARM_INTERVAL;
});

async function call(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const r = await fetch(`${server.url}${path}`, {
    method,
    ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
  });
  return { status: r.status, json: (await r.json()) as Record<string, unknown> };
}

test('create, read without secrets, validation errors, unknown names', async () => {
  const def = {
    name: 'api-a',
    kind: 'metric',
    threshold: 100,
    period: 3600,
    treatMissingData: 'breaching',
    metric: {
      namespace: 'T',
      name: 'x',
      filters: [{ filterPattern: '{ $.input.inputTokenCount > 0 }', metricValue: '$.input.inputTokenCount' }],
    },
    notify: [
      { type: 'webhook', url: `${hook.url}?token=abc`, secret: 'topsecret' },
      { type: 'email', to: ['a@example.com'], smtpUrl: 'smtp://user:hunter2@mail.example:587' },
    ],
  };
  const created = await call('POST', '/api/alarms', def);
  assert.equal(created.status, 201);
  assert.equal((await call('POST', '/api/alarms', def)).status, 200);
  const got = await call('GET', '/api/alarms/api-a');
  assert.equal(got.status, 200);
  const text = JSON.stringify(got.json);
  assert.doesNotMatch(text, /topsecret|hunter2|token=abc/);
  assert.deepEqual((got.json.definition as { targets: string[] }).targets, [
    `webhook:${hook.url}?…`,
    'email:a@example.com',
  ]);

  const bad = await call('POST', '/api/alarms', {
    name: 'b',
    kind: 'metric',
    metric: { namespace: 'n', name: 'm' },
    comparisonOperator: 'Bigger',
  });
  assert.equal(bad.status, 400);
  assert.equal((bad.json.error as { code: string }).code, 'ALARM_INVALID');
  assert.ok((bad.json.error as { problems: string[] }).problems.some((p) => p.startsWith('comparisonOperator: ')));
  assert.equal((await call('GET', '/api/alarms/nope')).status, 404);
  assert.equal((await call('DELETE', '/api/alarms/nope')).status, 404);
  assert.equal((await call('POST', '/api/alarms/BedrockTokenUsageHourly/enable', {})).status, 400);
});

test("the server's scheduler evaluates enabled alarms by itself; series for the chart; delete", async () => {
  const hookDef = {
    name: 'api-sched',
    kind: 'metric',
    threshold: 1000,
    period: 3600,
    evaluationPeriods: 3,
    datapointsToAlarm: 1,
    treatMissingData: 'notBreaching',
    evaluationDelay: 0,
    metric: {
      namespace: 'T',
      name: 'y',
      filters: [{ filterPattern: '{ $.input.inputTokenCount > 0 }', metricValue: '$.input.inputTokenCount' }],
    },
    notify: [{ type: 'webhook', url: hook.url }],
  };
  assert.equal((await call('POST', '/api/alarms', hookDef)).status, 201);
  // 1,200 tokens two hours ago is within the last 3 hours: ALARM, without anyone calling evaluate.
  await waitFor(
    () => hook.requests.some((r) => (JSON.parse(r.body) as { alarm: string }).alarm === 'api-sched'),
    10_000,
  );
  const list = await call('GET', '/api/alarms');
  const a = (list.json.alarms as { name: string; state: string; enabled: boolean }[]).find(
    (x) => x.name === 'api-sched',
  )!;
  assert.equal(a.state, 'ALARM');
  assert.equal(typeof list.json.lastEvaluation, 'number');
  const builtin = (list.json.alarms as { name: string; enabled: boolean; builtin: boolean }[]).find(
    (x) => x.name === 'BedrockTokenUsageHourly',
  )!;
  assert.deepEqual([builtin.enabled, builtin.builtin], [false, true]);

  const series = await call('GET', `/api/alarms/api-sched/series?since=${NOW - 6 * HOUR}&until=${NOW}`);
  assert.equal(series.status, 200);
  assert.equal(series.json.threshold, 1000);
  const h = Math.floor(NOW / HOUR) * HOUR - 2 * HOUR;
  assert.deepEqual((series.json.values as Record<string, [number, number][]>)[''], [[h, 1200]]);

  const before = hook.requests.length;
  const t = await call('POST', '/api/alarms/api-sched/test-notify', {});
  assert.deepEqual(
    (t.json.deliveries as { ok: boolean }[]).map((d) => d.ok),
    [true],
  );
  assert.equal(hook.requests.length, before + 1);
  assert.equal((await call('POST', '/api/alarms/api-sched/disable', {})).json.enabled, false);
  const del = await call('DELETE', '/api/alarms/api-sched');
  assert.equal(del.status, 200, JSON.stringify(del.json));
  assert.equal((await call('GET', '/api/alarms/api-sched')).status, 404);
});
