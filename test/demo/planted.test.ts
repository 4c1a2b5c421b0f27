import { test } from 'node:test';
import assert from 'node:assert/strict';
import { collect, END, END_MS, HOUR } from './helpers.js';
import { PLANTED, plantedWindows } from '../../src/demo/planted.js';

const DAYS = 14;
const records = collect({ records: 20000, days: DAYS, seed: 'plants', end: END });
const windows = plantedWindows(END_MS, DAYS)!;
const ms = (ts: string) => Date.parse(ts);
const inside = (t: number, w: { startMs: number; endMs: number }) => t >= w.startMs && t < w.endMs;
const tokens = (r: (typeof records)[number]) => r.input.inputTokenCount + r.output.outputTokenCount;

test('the plants fall inside the data set', () => {
  for (const w of Object.values(windows)) {
    assert.ok(w.startMs >= END_MS - DAYS * 24 * HOUR && w.endMs <= END_MS);
  }
});

test("tenant spike: the tenant's requests and tokens are about 10x the same hours a week before", () => {
  const { tenant } = PLANTED.tenantSpike;
  const w = windows.tenantSpike;
  const weekBefore = { startMs: w.startMs - 7 * 24 * HOUR, endMs: w.endMs - 7 * 24 * HOUR };
  const of = (win: typeof w) =>
    records.filter((r) => r.requestMetadata?.tenant_id === tenant && inside(ms(r.timestamp), win));
  const spike = of(w);
  const base = of(weekBefore);
  assert.ok(base.length >= 5, `baseline ${base.length}`);
  const ratio = spike.length / base.length;
  assert.ok(ratio > 5 && ratio < 20, `requests ratio ${ratio}`);
  const tokenRatio = spike.reduce((s, r) => s + tokens(r), 0) / base.reduce((s, r) => s + tokens(r), 0);
  assert.ok(tokenRatio > 5, `token ratio ${tokenRatio}`);
  // No other tenant moves like that in those hours.
  const others = records.filter((r) => r.requestMetadata?.tenant_id && r.requestMetadata.tenant_id !== tenant);
  const o1 = others.filter((r) => inside(ms(r.timestamp), w)).length;
  const o0 = others.filter((r) => inside(ms(r.timestamp), weekBefore)).length;
  assert.ok(o1 < 2 * o0, `others ${o1} vs ${o0}`);
});

test('oversized requests: only the planted user exceeds 5000 tokens (what Q11 filters), inside the window', () => {
  const big = records.filter((r) => r.input.inputTokenCount > 5000 || r.output.outputTokenCount > 5000);
  assert.ok(big.length >= 12, `${big.length}`);
  for (const r of big) {
    assert.equal(r.requestMetadata?.user_id, PLANTED.oversizedRequests.user);
    assert.equal(r.requestMetadata?.application_name, PLANTED.oversizedRequests.application);
    assert.ok(r.input.inputTokenCount > 5000);
    assert.ok(inside(ms(r.timestamp), windows.oversizedRequests));
  }
});

test('hourly alarm: the application crosses 10,000 tokens in exactly the planted hour', () => {
  const byHour = new Map<number, number>();
  for (const r of records) {
    if (r.requestMetadata?.application_name !== PLANTED.hourlyTokenAlarm.application) continue;
    const h = ms(r.timestamp) - (ms(r.timestamp) % HOUR);
    byHour.set(h, (byHour.get(h) ?? 0) + tokens(r));
  }
  const over = [...byHour.entries()].filter(([, t]) => t > PLANTED.hourlyTokenAlarm.threshold).map(([h]) => h);
  assert.deepEqual(over, [windows.hourlyTokenAlarm.startMs]);
  // ...while the other applications' busiest hours are ordinary (this one is the alarm's story).
  const quietMax = Math.max(
    ...[...byHour.entries()].filter(([h]) => h !== windows.hourlyTokenAlarm.startMs).map(([, t]) => t),
  );
  assert.ok(quietMax < 5000, `quiet max ${quietMax}`);
});

test('misspelled environment: a few records say "producton", all in the window', () => {
  const bad = records.filter((r) => r.requestMetadata?.environment === 'producton');
  assert.ok(bad.length >= 6, `${bad.length}`);
  for (const r of bad) {
    assert.equal(r.requestMetadata!.application_name, PLANTED.misspelledEnvironment.application);
    assert.ok(inside(ms(r.timestamp), windows.misspelledEnvironment));
  }
});

test('untagged calls are InvokeModel*, from the batch role, developers and some application roles', () => {
  const untagged = records.filter((r) => r.requestMetadata === undefined);
  assert.ok(untagged.length > 1000);
  for (const r of untagged)
    assert.ok((PLANTED.untaggedInvokeModel.operations as readonly string[]).includes(r.operation), r.operation);
  assert.ok(untagged.some((r) => r.identity.arn.startsWith(PLANTED.untaggedInvokeModel.roleArnPrefix)));
  assert.ok(untagged.some((r) => r.identity.arn.startsWith(PLANTED.untaggedInvokeModel.userArnPrefix)));
  assert.ok(untagged.some((r) => r.identity.arn.includes('CustomerServiceAppRole')));
  // Converse calls are always tagged.
  assert.ok(records.filter((r) => r.operation.startsWith('Converse')).every((r) => r.requestMetadata !== undefined));
});

test('the unmapped application-inference-profile ARN is in use', () => {
  const used = records.filter((r) => r.modelId === PLANTED.unmappedApplicationProfile.modelId);
  assert.ok(used.length > 100);
  assert.ok(used.every((r) => r.inferenceRegion !== undefined));
});

test('short or tiny data sets carry no time-bound plants', () => {
  assert.equal(plantedWindows(END_MS, 3), null);
  const small = collect({ records: 500, days: 14, seed: 'plants', end: END });
  assert.equal(small.length, 500);
  assert.ok(small.every((r) => r.input.inputTokenCount <= 5000 && r.requestMetadata?.environment !== 'producton'));
});
