import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildServer } from '../../src/api/server.js';
import type { FieldCoverage, Histogram, LogGroupExtent, LogRecord } from '../../src/contracts/wire.js';
import type { Store } from '../../src/store/store.js';
import { demoStore } from '../reports/demo-fixture.js';

// The query page's panels (histogram, discovered fields' coverage, data extent, a record's cost)
// over the demo data, each figure checked against the store counted with plain SQL.

let store: Store;
let server: Awaited<ReturnType<typeof buildServer>>;
const END = Date.parse('2026-11-01T00:00:00Z');
const START = END - 10 * 86_400_000;

before(async () => {
  ({ store } = await demoStore(8_000));
  server = await buildServer({ store });
});
after(async () => {
  await server?.close();
  store?.close();
});

async function post<T>(url: string, payload: unknown): Promise<{ status: number; body: T }> {
  const r = await server.app.inject({ method: 'POST', url, payload: payload as Record<string, unknown> });
  return { status: r.statusCode, body: JSON.parse(r.body) as T };
}

async function sql(q: string, params: (string | number)[] = []): Promise<Record<string, unknown>[]> {
  const r = await store.connection.runAndReadAll(
    q,
    params.map((p) => (typeof p === 'number' ? BigInt(p) : p)),
  );
  return r.getRowObjects();
}

test("the histogram counts the events the query's filters match, per bin, as the store has them", async () => {
  const q =
    'fields @timestamp, modelId\n| filter requestMetadata.environment = "production"\n| sort @timestamp desc\n| limit 20';
  const { status, body } = await post<Histogram>('/api/histogram', {
    queryString: q,
    logGroups: [],
    startTime: START,
    endTime: END - 1,
  });
  assert.equal(status, 200);
  assert.equal(body.bin, '3h');
  const rows = await sql(
    `SELECT (ts // $3) * $3 AS b, count(*) AS n FROM events
     WHERE ts BETWEEN $1 AND $2 AND request_metadata['environment'] = 'production' GROUP BY 1 ORDER BY 1`,
    [START, END - 1, body.binMs],
  );
  assert.ok(rows.length > 20);
  assert.deepEqual(
    body.bins,
    rows.map((r) => [Number(r.b), Number(r.n)]),
  );
  assert.equal(
    body.total,
    rows.reduce((a, r) => a + Number(r.n), 0),
  );
  assert.match(
    body.queryString,
    /filter requestMetadata\.environment = "production"\n\| stats count\(\*\) as events by bin\(3h\)/,
  );
});

test("field coverage: the share of matching events with each field equals the store's count", async () => {
  const { status, body } = await post<FieldCoverage>('/api/field-coverage', {
    queryString: 'filter modelId like /nova/',
    logGroups: [],
    startTime: START,
    endTime: END - 1,
  });
  assert.equal(status, 200);
  const [total] = await sql(`SELECT count(*) AS n FROM events WHERE ts BETWEEN $1 AND $2 AND model_id LIKE '%nova%'`, [
    START,
    END - 1,
  ]);
  assert.equal(body.total, Number(total.n));
  const got = new Map(body.fields.map((f) => [f.field, f.events]));
  const [tenant] = await sql(
    `SELECT count(*) AS n FROM events WHERE ts BETWEEN $1 AND $2 AND model_id LIKE '%nova%' AND request_metadata['tenant_id'] IS NOT NULL`,
    [START, END - 1],
  );
  assert.equal(got.get('requestMetadata.tenant_id'), Number(tenant.n));
  assert.ok(Number(tenant.n) > 0 && Number(tenant.n) < body.total, 'a field some events lack');
  const [errors] = await sql(
    `SELECT count(*) AS n FROM events WHERE ts BETWEEN $1 AND $2 AND model_id LIKE '%nova%' AND error_code IS NOT NULL`,
    [START, END - 1],
  );
  assert.equal(got.get('errorCode') ?? 0, Number(errors.n));
  assert.equal(got.get('modelId'), body.total);
});

test('the extent is the oldest and newest event of the log groups', async () => {
  const r = await server.app.inject({ method: 'GET', url: '/api/extent?logGroup=/aws/bedrock/modelinvocations' });
  const body = JSON.parse(r.body) as LogGroupExtent;
  const [x] = await sql(`SELECT count(*) AS n, min(ts) AS a, max(ts) AS b FROM events`);
  assert.deepEqual(body, { events: Number(x.n), first: Number(x.a), last: Number(x.b) });
  // An unknown log group is the query's own error (as StartQuery answers), not zero events.
  const none = await server.app.inject({ method: 'GET', url: '/api/extent?logGroup=/nothing/here' });
  assert.equal(none.statusCode, 400);
  assert.equal((JSON.parse(none.body) as { error: { code: string } }).error.code, 'QUERY_INVALID');
});

test("an expanded record carries its price, the same as the store's cost columns", async () => {
  const run = await post<{ rows: Record<string, string>[] }>('/api/queries', {
    queryString: 'fields @timestamp, requestId | filter input.cacheReadInputTokenCount > 0 | limit 3',
    logGroups: [],
    startTime: START,
    endTime: END,
    waitMs: 10_000,
  });
  assert.equal(run.body.rows.length, 3);
  for (const row of run.body.rows) {
    const r = await server.app.inject({ method: 'GET', url: `/api/records?ptr=${encodeURIComponent(row['@ptr'])}` });
    const rec = (JSON.parse(r.body) as { record: LogRecord }).record;
    const [c] = await sql(`SELECT cost_total, cost_cache_read, price_version FROM events WHERE request_id = $1`, [
      row.requestId,
    ]);
    assert.ok(rec.cost, 'a Bedrock record has its cost');
    if (c.cost_total === null) assert.equal(rec.cost.fields['cost.total'], undefined);
    else assert.equal(Number(rec.cost.fields['cost.total']), Number(c.cost_total));
    assert.equal(rec.cost.fields['cost.priceVersion'], c.price_version ?? undefined);
  }
});

test('query edits answer 400 for a malformed request and never run anything', async () => {
  for (const bad of [
    {},
    { queryString: 'fields a', op: 'drop', field: 'a' },
    { queryString: 'fields a', op: 'filter', field: '' },
    { queryString: 'fields a', op: 'filter', field: 'a', value: { x: 1 } },
    { queryString: 'fields | |', op: 'filter', field: 'a', value: 1 },
  ]) {
    const r = await post<{ error: { code: string; message: string } }>('/api/query-edit', bad);
    assert.equal(r.status, 400, JSON.stringify(bad));
    assert.ok(r.body.error.message.length > 10);
  }
  const ok = await post<{ queryString: string }>('/api/query-edit', {
    queryString: 'stats count(*) by modelId',
    op: 'filter',
    field: 'requestMetadata.tenant_id',
    value: 'tenant-"acme"',
  });
  assert.equal(
    ok.body.queryString,
    'filter requestMetadata.tenant_id = "tenant-\\"acme\\""\n| stats count(*) by modelId',
  );
});
