import { test } from 'node:test';
import assert from 'node:assert/strict';
import { QueryAdmission, type Lease } from '../../src/engines/admission.js';

const light = { heavy: false, expressAllowed: true };

test('admission: general slots in arrival order, the express slot for the newest not-yet-heavy query', async () => {
  const a = new QueryAdmission({ slots: 2, expressMs: 1000 });
  const g1 = await a.acquire(light);
  const g2 = await a.acquire(light);
  assert.deepEqual([g1.lane, g2.lane], ['general', 'general']);
  const e3 = await a.acquire(light); // the express slot was free
  assert.equal(e3.lane, 'express');
  const order: string[] = [];
  const leases = new Map<string, Lease>();
  for (const name of ['q4', 'q5', 'q6'])
    void a.acquire(light).then((l) => {
      order.push(`${name}:${l.lane}`);
      leases.set(name, l);
    });
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(order, []);
  assert.deepEqual(a.stats(), { running: 3, express: true, waiting: 3, slots: 2 });
  // Express overran while the general slots are full: it cannot move, the caller stops it.
  assert.equal(e3.promote(), false);
  e3.release();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(order, ['q6:express'], 'the newest waiting query gets the express slot');
  g1.release();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(order, ['q6:express', 'q4:general'], 'general slots go to the oldest');
  g2.release();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(order, ['q6:express', 'q4:general', 'q5:general']);
  for (const l of leases.values()) l.release();
  assert.deepEqual(a.stats(), { running: 0, express: false, waiting: 0, slots: 2 });
});

test('admission: an overrunning express query moves to a free general slot; heavy ones never get express', async () => {
  const a = new QueryAdmission({ slots: 1, expressMs: 1000 });
  const g = await a.acquire(light);
  const heavy = a.acquire({ heavy: true, expressAllowed: true });
  const streamed = a.acquire({ heavy: false, expressAllowed: false });
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(a.stats(), { running: 1, express: false, waiting: 2, slots: 1 });
  const e = await a.acquire(light);
  assert.equal(e.lane, 'express');
  g.release(); // the heavy query (oldest) takes the general slot
  const h: Lease = await heavy;
  assert.equal(h.lane, 'general');
  h.release(); // the streamed one next
  const s = await streamed;
  assert.equal(s.lane, 'general');
  s.release();
  assert.equal(e.promote(), true);
  assert.equal(e.lane, 'general');
  assert.deepEqual(a.stats(), { running: 1, express: false, waiting: 0, slots: 1 });
  e.release();
  e.release(); // twice is harmless
  assert.deepEqual(a.stats(), { running: 0, express: false, waiting: 0, slots: 1 });
});

test('admission: aborting a waiting query takes it out of the queue', async () => {
  const a = new QueryAdmission({ slots: 1, expressMs: 0 });
  const g = await a.acquire(light);
  const ac = new AbortController();
  const w = a.acquire({ ...light, signal: ac.signal });
  ac.abort();
  await assert.rejects(w, /waited for a slot/);
  assert.equal(a.stats().waiting, 0);
  g.release();
  assert.equal(a.stats().running, 0);
  await assert.rejects(a.acquire({ ...light, signal: AbortSignal.abort() }), /waited for a slot/);
  assert.throws(() => new QueryAdmission({ slots: 0, expressMs: 0 }), /At least one/);
});
