import { test } from 'node:test';
import assert from 'node:assert/strict';
import { collect, END, END_MS } from './helpers.js';

// The guide's tables (../shared/spec/mission.md), typed in from the spec, not from the generator.
const Q2 = [
  { app: 'CustomerServiceApp', input: 15000, output: 8500, total: 23500, requests: 250, avg: 94 },
  { app: 'SalesAssistantApp', input: 8200, output: 4100, total: 12300, requests: 120, avg: 102.5 },
  { app: 'DeveloperToolsApp', input: 4500, output: 2800, total: 7300, requests: 80, avg: 91.25 },
];
const Q4_TOP = [
  { app: 'CustomerServiceApp', env: 'production', usage: 20000, requests: 220, avg: 90.9 },
  { app: 'SalesAssistantApp', env: 'production', usage: 10000, requests: 110, avg: 90.9 },
  { app: 'DeveloperToolsApp', env: 'development', usage: 5000, requests: 60, avg: 83.3 },
];
const Q7 = [
  { cc: 'CS-123', team: 'customer-support', total: 23500, requests: 250 },
  { cc: 'SALES-456', team: 'sales', total: 12300, requests: 120 },
  { cc: 'ENG-789', team: 'engineering', total: 7300, requests: 80 },
];

const records = collect({ preset: 'guide', end: END, seed: 'any' });

function group<K extends string>(key: (m: Record<string, string>) => K) {
  const g = new Map<K, { input: number; output: number; requests: number }>();
  for (const r of records) {
    const k = key(r.requestMetadata!);
    const s = g.get(k) ?? { input: 0, output: 0, requests: 0 };
    s.input += r.input.inputTokenCount;
    s.output += r.output.outputTokenCount;
    s.requests++;
    g.set(k, s);
  }
  return g;
}

test('every guide record is tagged with every key, succeeds, and lies in the last 23 hours', () => {
  assert.equal(records.length, 450);
  for (const r of records) {
    assert.ok(r.requestMetadata);
    for (const k of [
      'application_name',
      'application_id',
      'environment',
      'tenant_id',
      'user_id',
      'team',
      'cost_center',
    ]) {
      assert.ok(r.requestMetadata[k], k);
    }
    assert.equal(r.errorCode, undefined);
    assert.ok(r.input.inputTokenCount >= 1 && r.output.outputTokenCount >= 1);
    const ms = Date.parse(r.timestamp);
    // Not in the window's first hour, so "last 1 day" run in the hour after `end` sees them all.
    assert.ok(ms >= END_MS - 23 * 3_600_000 && ms < END_MS);
  }
  const csTenants = new Set(
    records
      .filter((r) => r.requestMetadata!.application_name === 'CustomerServiceApp')
      .map((r) => r.requestMetadata!.tenant_id),
  );
  assert.ok(csTenants.size >= 3);
  for (const t of csTenants) assert.match(t, /^tenant-/);
  // Only customer-service tenants match Q5's /tenant-/.
  for (const r of records) {
    if (r.requestMetadata!.application_name !== 'CustomerServiceApp')
      assert.doesNotMatch(r.requestMetadata!.tenant_id, /tenant-/);
  }
});

test('Q2: tokens by application match the guide exactly', () => {
  const g = group((m) => m.application_name);
  assert.equal(g.size, 3);
  const rows = [...g.entries()]
    .map(([app, s]) => ({
      app,
      input: s.input,
      output: s.output,
      total: s.input + s.output,
      requests: s.requests,
      avg: (s.input + s.output) / s.requests,
    }))
    .sort((a, b) => b.total - a.total);
  assert.deepEqual(rows, Q2);
});

test('Q4: the top environment of each application is the guide row, and the largest', () => {
  const g = group((m) => `${m.application_name}|${m.environment}`);
  for (const want of Q4_TOP) {
    const s = g.get(`${want.app}|${want.env}`);
    assert.ok(s, `${want.app} ${want.env}`);
    assert.equal(s.input + s.output, want.usage);
    assert.equal(s.requests, want.requests);
    assert.ok(Math.abs((s.input + s.output) / s.requests - want.avg) < 0.05);
    const others = [...g.entries()].filter(([k]) => k.startsWith(`${want.app}|`) && k !== `${want.app}|${want.env}`);
    assert.ok(others.length >= 1, `${want.app} has traffic in other environments`);
    for (const [k, o] of others) assert.ok(o.input + o.output < want.usage, k);
  }
});

test('Q7: tokens by cost center and team match the guide exactly', () => {
  const g = group((m) => `${m.cost_center}|${m.team}`);
  const rows = [...g.entries()]
    .map(([k, s]) => ({ cc: k.split('|')[0], team: k.split('|')[1], total: s.input + s.output, requests: s.requests }))
    .sort((a, b) => b.total - a.total);
  assert.deepEqual(rows, Q7);
});

test('the totals hold for any seed and end; the records differ', () => {
  const other = collect({ preset: 'guide', seed: 99, end: '2025-01-01T00:00:00Z', days: 3 });
  const sum = (rs: typeof records) => rs.reduce((s, r) => s + r.input.inputTokenCount + r.output.outputTokenCount, 0);
  assert.equal(sum(other), 23500 + 12300 + 7300);
  assert.notDeepEqual(
    other.map((r) => r.input.inputTokenCount),
    records.map((r) => r.input.inputTokenCount),
  );
  assert.ok(other.every((r) => Date.parse(r.timestamp) >= Date.parse('2024-12-29T00:00:00Z')));
});
