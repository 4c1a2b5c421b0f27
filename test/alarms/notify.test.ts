import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { parseAlarmDefinition, type NotifyTarget } from '../../src/alarms/definition.js';
import { evaluateAlarms, testNotify, type AlarmRuntime } from '../../src/alarms/evaluate.js';
import { AlarmStore } from '../../src/alarms/store.js';
import { Store } from '../../src/store/store.js';
import {
  HOUR,
  putEvents,
  startReceiver,
  TOKEN_FILTERS,
  startSmtp,
  type HttpCatcher,
  type SmtpCatcher,
} from './helpers.js';

const D0 = Date.UTC(2026, 4, 4, 0, 0, 0);
let store: Store;
let alarms: AlarmStore;
let hook: HttpCatcher;
let smtp: SmtpCatcher;
let rt: AlarmRuntime;
const logged: string[] = [];

before(async () => {
  store = await Store.open(':memory:');
  alarms = await AlarmStore.open(store);
  hook = await startReceiver();
  smtp = await startSmtp();
  rt = {
    store,
    alarms,
    delivery: { attempts: 3, backoffMs: 5 },
    consoleUrl: 'http://c.example',
    log: (l) => logged.push(l),
  };
  // Hour 1: tenant t-big and user u-7 drive app A to 2,000 tokens; hour 0: 200 tokens from t-small.
  await putEvents(store, [
    { ts: D0 + 10 * 60_000, app: 'A', input: 150, output: 50, tenant: 't-small', user: 'u-1' },
    {
      ts: D0 + HOUR + 60_000,
      app: 'A',
      input: 900,
      output: 100,
      tenant: 't-big',
      user: 'u-7',
      model: 'amazon.nova-pro-v1:0',
    },
    {
      ts: D0 + HOUR + 120_000,
      app: 'A',
      input: 900,
      output: 100,
      tenant: 't-big',
      user: 'u-7',
      model: 'amazon.nova-pro-v1:0',
    },
  ]);
});
after(async () => {
  alarms.close();
  store.close();
  await hook.close();
  await smtp.close();
});
beforeEach(() => {
  hook.requests.length = 0;
  hook.failFirst = [];
  smtp.messages.length = 0;
});

function alarm(name: string, notify: NotifyTarget[], extra: Record<string, unknown> = {}) {
  return parseAlarmDefinition({
    name,
    kind: 'metric',
    period: 3600,
    threshold: 1000,
    treatMissingData: 'notBreaching',
    notify,
    ...extra,
    metric: {
      namespace: 'T',
      name,
      statistic: 'Sum',
      dimensions: { App: 'A' },
      filters: TOKEN_FILTERS,
    },
  });
}
const AT = D0 + 2 * HOUR + 5 * 60_000;

test('webhook: JSON body with the explanation, signed with HMAC SHA-256 over timestamp and body', async () => {
  await alarms.put(alarm('wh', [{ type: 'webhook', url: hook.url, secret: 'k3y' }]));
  const r = await evaluateAlarms(rt, { at: AT, names: ['wh'] });
  assert.deepEqual(
    r.deliveries.map((d) => [d.ok, d.attempts]),
    [[true, 1]],
  );
  assert.equal(hook.requests.length, 1);
  const { headers, body } = hook.requests[0];
  const ts = String(headers['x-bedrock-insights-timestamp']);
  const expectedSig = `sha256=${createHmac('sha256', 'k3y').update(`${ts}.${body}`).digest('hex')}`;
  assert.equal(headers['x-bedrock-insights-signature'], expectedSig);
  assert.notEqual(
    headers['x-bedrock-insights-signature'],
    `sha256=${createHmac('sha256', 'wrong').update(`${ts}.${body}`).digest('hex')}`,
  );
  const p = JSON.parse(body) as {
    alarm: string;
    state: string;
    previousState: string;
    value: number;
    threshold: number;
    periodStart: number;
    explanation: {
      previousValue: number;
      drivers: { dimension: string; items: { value: string; current: number; previous: number }[] }[];
    };
    consoleUrl: string;
  };
  assert.equal(p.alarm, 'wh');
  assert.equal(p.state, 'ALARM');
  assert.equal(p.previousState, 'INSUFFICIENT_DATA');
  assert.equal(p.value, 2000);
  assert.equal(p.threshold, 1000);
  assert.equal(p.periodStart, D0 + HOUR);
  assert.equal(p.explanation.previousValue, 200);
  const drivers = Object.fromEntries(p.explanation.drivers.map((d) => [d.dimension, d.items[0]]));
  assert.deepEqual(drivers.tenant, { dimension: 'tenant', value: 't-big', current: 2000, previous: 0 });
  assert.deepEqual(drivers.user, { dimension: 'user', value: 'u-7', current: 2000, previous: 0 });
  assert.deepEqual(drivers.model, { dimension: 'model', value: 'amazon.nova-pro-v1:0', current: 2000, previous: 0 });
  assert.deepEqual(drivers.tokenKind, {
    dimension: 'tokenKind',
    value: 'input.inputTokenCount',
    current: 1800,
    previous: 150,
  });
  assert.match(p.consoleUrl, /^http:\/\/c\.example\/query\?q=/);
});

test('a failing target is retried with backoff, reported, and does not stop other alarms or targets', async () => {
  await alarms.put(
    alarm('broken', [
      { type: 'email', to: ['x@example.com'], smtpUrl: 'smtp://127.0.0.1:1' },
      { type: 'webhook', url: hook.url },
    ]),
  );
  await alarms.put(
    alarm('fine', [{ type: 'email', to: ['ops@example.com'], smtpUrl: `smtp://127.0.0.1:${smtp.port}` }]),
  );
  const r = await evaluateAlarms(rt, { at: AT, names: ['broken', 'fine'] });
  const byTarget = Object.fromEntries(r.deliveries.map((d) => [`${d.alarm} ${d.target}`, d]));
  assert.equal(byTarget['broken email:x@example.com'].ok, false);
  assert.equal(byTarget['broken email:x@example.com'].attempts, 3);
  assert.match(byTarget['broken email:x@example.com'].error!, /ECONNREFUSED|connect/i);
  assert.equal(byTarget[`broken webhook:${hook.url}`].ok, true);
  assert.equal(byTarget['fine email:ops@example.com'].ok, true);
  assert.equal(smtp.messages.length, 1);
  assert.ok(logged.some((l) => /broken: notification to email:x@example\.com failed after 3 attempt/.test(l)));
  const rows = await alarms.recentNotifications('broken');
  assert.deepEqual(rows.map((n) => n.status).sort(), ['failed', 'sent']);
});

test('a webhook answering 500 then 503 is delivered on the third attempt', async () => {
  hook.failFirst = [500, 503];
  await alarms.put(alarm('flaky', [{ type: 'webhook', url: hook.url }]));
  const r = await evaluateAlarms(rt, { at: AT, names: ['flaky'] });
  assert.deepEqual(
    r.deliveries.map((d) => [d.ok, d.attempts]),
    [[true, 3]],
  );
  assert.equal(hook.requests.length, 3);
  assert.equal(hook.requests[0].body, hook.requests[2].body);
});

test('Slack-compatible webhook gets a text message', async () => {
  await alarms.put(alarm('slack', [{ type: 'slack', url: hook.url }]));
  await evaluateAlarms(rt, { at: AT, names: ['slack'] });
  const body = JSON.parse(hook.requests[0].body) as { text: string };
  assert.match(body.text, /^\*ALARM: slack - 2,000 > 1,000\*\n/);
  assert.match(body.text, /tenant: t-big 2,000 \(was 0, \+2,000\)/);
});

test('SNS Publish through the SDK with an endpoint override', async () => {
  process.env.AWS_ACCESS_KEY_ID = 'AKIDSNSTEST';
  process.env.AWS_SECRET_ACCESS_KEY = 'secret';
  const sns = await startReceiver();
  const orig = sns.url;
  try {
    // SNS's query protocol answers in XML.
    sns.answer = {
      contentType: 'text/xml',
      body: '<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>m-1</MessageId></PublishResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></PublishResponse>',
    };
    await alarms.put(
      alarm('sns', [
        {
          type: 'sns',
          topicArn: 'arn:aws:sns:eu-west-1:123456789012:bedrock-alerts',
          endpoint: orig.replace('/hook', ''),
        },
      ]),
    );
    const r = await evaluateAlarms(rt, { at: AT, names: ['sns'] });
    assert.deepEqual(
      r.deliveries.map((d) => [d.ok, d.attempts, d.target]),
      [[true, 1, 'sns:arn:aws:sns:eu-west-1:123456789012:bedrock-alerts']],
    );
    assert.equal(sns.requests.length, 1);
    const form = new URLSearchParams(sns.requests[0].body);
    assert.equal(form.get('Action'), 'Publish');
    assert.equal(form.get('TopicArn'), 'arn:aws:sns:eu-west-1:123456789012:bedrock-alerts');
    assert.equal(form.get('Subject'), 'ALARM: sns - 2,000 > 1,000');
    assert.match(form.get('Message')!, /Value: 2,000 > threshold 1,000/);
    assert.match(
      String(sns.requests[0].headers.authorization),
      /Credential=AKIDSNSTEST\/\d{8}\/eu-west-1\/sns\/aws4_request/,
    );
  } finally {
    await sns.close();
  }
});

test('reminders while in ALARM, and test-notify', async () => {
  await alarms.put(
    alarm('remind', [{ type: 'webhook', url: hook.url }], { treatMissingData: 'ignore', reminderEvery: 3600 }),
  );
  await evaluateAlarms(rt, { at: AT, names: ['remind'] });
  assert.equal(hook.requests.length, 1);
  await evaluateAlarms(rt, { at: AT + 30 * 60_000, names: ['remind'] }); // still ALARM (no data, ignore), too early for a reminder
  assert.equal(hook.requests.length, 1);
  await evaluateAlarms(rt, { at: AT + HOUR, names: ['remind'] });
  assert.equal(hook.requests.length, 2);
  const reminder = JSON.parse(hook.requests[1].body) as { type: string; state: string };
  assert.deepEqual([reminder.type, reminder.state], ['reminder', 'ALARM']);
  const sent = await testNotify(rt, 'remind', AT + HOUR);
  assert.deepEqual(
    sent.map((s) => s.ok),
    [true],
  );
  assert.equal((JSON.parse(hook.requests[2].body) as { type: string }).type, 'test');
});

test('a disabled alarm changes state but notifies nobody', async () => {
  await alarms.put({ ...alarm('quiet', [{ type: 'webhook', url: hook.url }]), enabled: false });
  const r = await evaluateAlarms(rt, { at: AT, names: ['quiet'] });
  assert.equal(r.alarms[0].transitions[0].to, 'ALARM');
  assert.equal(hook.requests.length, 0);
  // Not evaluated at all without an explicit name.
  const all = await evaluateAlarms(rt, { at: AT });
  assert.equal(
    all.alarms.some((a) => a.name === 'quiet'),
    false,
  );
});
