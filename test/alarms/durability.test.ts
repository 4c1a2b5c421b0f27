import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { parseAlarmDefinition } from '../../src/alarms/definition.js';
import { deliverPending, evaluateAlarms } from '../../src/alarms/evaluate.js';
import { startAlarmScheduler } from '../../src/alarms/scheduler.js';
import { AlarmStore } from '../../src/alarms/store.js';
import { Store } from '../../src/store/store.js';
import { HOUR, putEvents, startReceiver, waitFor, type HttpCatcher } from './helpers.js';

const D0 = Date.UTC(2026, 5, 6, 0, 0, 0);
let dir: string;
let hook: HttpCatcher;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'h10-durable-'));
  hook = await startReceiver();
});
after(async () => {
  await hook.close();
  rmSync(dir, { recursive: true, force: true });
});

function def(name: string, url: string) {
  return parseAlarmDefinition({
    name,
    kind: 'metric',
    threshold: 100,
    treatMissingData: 'notBreaching',
    notify: [{ type: 'webhook', url }],
    metric: {
      namespace: 'T',
      name,
      filters: [{ filterPattern: '{ $.input.inputTokenCount > 0 }', metricValue: '$.input.inputTokenCount' }],
    },
  });
}

test('a notification queued before a crash is sent once after the restart; nothing is sent twice', async () => {
  const path = join(dir, 'crash.duckdb');
  let store = await Store.open(path);
  let alarms = await AlarmStore.open(store);
  await putEvents(store, [{ ts: D0 + 60_000, app: 'A', input: 500 }]);
  await alarms.put(def('crash', hook.url));
  const at = D0 + HOUR + 5 * 60_000;
  // The state change and its outbox row are committed; the process "dies" before delivering.
  const r = await evaluateAlarms({ store, alarms }, { at, deliver: false });
  assert.equal(r.alarms[0].transitions[0].to, 'ALARM');
  assert.equal(hook.requests.length, 0);
  alarms.close();
  store.close();

  store = await Store.open(path);
  alarms = await AlarmStore.open(store);
  assert.equal((await alarms.pending()).length, 1);
  const again = await evaluateAlarms({ store, alarms }, { at });
  assert.equal(again.alarms[0].transitions.length, 0);
  assert.deepEqual(
    again.deliveries.map((d) => d.ok),
    [true],
  );
  assert.equal(hook.requests.length, 1);
  assert.deepEqual(await deliverPending({ store, alarms }), []);
  await evaluateAlarms({ store, alarms }, { at: at + 60_000 });
  assert.equal(hook.requests.length, 1);
  // The built-in was seeded once; deleting it keeps it deleted after a reopen.
  assert.equal(await alarms.delete('BedrockTokenUsageHourly'), true);
  alarms.close();
  store.close();
  store = await Store.open(path);
  alarms = await AlarmStore.open(store);
  assert.deepEqual(
    (await alarms.list()).map((a) => a.definition.name),
    ['crash'],
  );
  alarms.close();
  store.close();
});

test('the scheduler evaluates on its interval, never overlapping, and stops', async () => {
  const store = await Store.open(':memory:');
  const alarms = await AlarmStore.open(store);
  await putEvents(store, [{ ts: D0 + 60_000, app: 'A', input: 500 }]);
  await alarms.put(def('sched', hook.url));
  const before = hook.requests.length;
  let now = D0 + 30 * 60_000; // hour 0 not over yet: INSUFFICIENT -> OK (no data, notBreaching)
  const s = startAlarmScheduler({ store, alarms }, { intervalMs: 40, now: () => now });
  await waitFor(() => s.last() !== undefined);
  assert.equal((await alarms.states('sched'))[0].state, 'OK');
  now = D0 + HOUR + 5 * 60_000;
  await waitFor(() => s.last()?.at === now);
  await waitFor(() => hook.requests.length === before + 1);
  const direct = await s.runNow(now);
  assert.equal(direct.alarms[0].transitions.length, 0);
  await s.stop();
  const after = s.last();
  await new Promise((r) => setTimeout(r, 150));
  assert.equal(s.last(), after);
  assert.equal(hook.requests.length, before + 1);
  alarms.close();
  store.close();
});

test('e-mail with SMTP authentication over STARTTLS', async () => {
  const got: { user: string; secure: boolean; subject: string }[] = [];
  const server = new SMTPServer({
    logger: false,
    authMethods: ['PLAIN', 'LOGIN'],
    onAuth(auth, _session, cb) {
      if (auth.username === 'alarms' && auth.password === 'p@ss') cb(null, { user: auth.username });
      else cb(new Error('Invalid username or password'));
    },
    onData(stream, session, cb) {
      let raw = '';
      stream.on('data', (d: Buffer) => {
        raw += d.toString();
      });
      stream.on('end', () => {
        got.push({
          user: String(session.user),
          secure: session.secure,
          subject: /^Subject: (.*)$/m.exec(raw)?.[1] ?? '',
        });
        cb();
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.server.address() as AddressInfo).port;
  const store = await Store.open(':memory:');
  const alarms = await AlarmStore.open(store);
  try {
    await putEvents(store, [{ ts: D0 + 60_000, app: 'A', input: 500 }]);
    const base = def('mail', hook.url);
    await alarms.put({
      ...base,
      notify: [
        {
          type: 'email',
          to: ['ops@example.com'],
          smtpUrl: `smtp://alarms:p%40ss@127.0.0.1:${port}`,
          requireTls: true,
          tlsInsecure: true,
        },
      ],
    });
    await alarms.put({
      ...base,
      name: 'badpass',
      notify: [
        {
          type: 'email',
          to: ['ops@example.com'],
          smtpUrl: `smtp://alarms:wrong@127.0.0.1:${port}`,
          requireTls: true,
          tlsInsecure: true,
        },
      ],
    });
    const r = await evaluateAlarms(
      { store, alarms, delivery: { attempts: 2, backoffMs: 5 } },
      { at: D0 + HOUR + 5 * 60_000 },
    );
    const by = Object.fromEntries(r.deliveries.map((d) => [d.alarm, d]));
    assert.equal(by.mail.ok, true, by.mail.error);
    assert.equal(by.badpass.ok, false);
    assert.match(by.badpass.error!, /Invalid username or password|auth/i);
    assert.deepEqual(
      got.map((g) => [g.user, g.secure]),
      [['alarms', true]],
    );
    assert.match(got[0].subject, /^ALARM: mail - 500 > 100$/);
  } finally {
    alarms.close();
    store.close();
    await new Promise<void>((r) => server.close(() => r()));
  }
});
