import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildServer } from '../../src/api/server.js';
import { makeStore } from '../engines/helpers.js';
import {
  requestOf,
  type PreparedQuery,
  type QueryEngine,
  type QueryHandle,
  type QueryRequest,
  type QueryResult,
  type QueryStatus,
} from '../../src/engines/engine.js';

// A scripted engine: the API layer is under test here (ids, waiting, cancel, history, errors),
// so the engine is a stand-in whose behaviour the test controls.
function scriptedEngine(): QueryEngine & { requests: QueryRequest[] } {
  const requests: QueryRequest[] = [];
  return {
    name: 'scripted',
    requests,
    async check(text: string) {
      return text.includes('oops')
        ? [
            {
              code: 'E_TEST',
              severity: 'error' as const,
              message: 'bad',
              span: { start: 0, end: 4 },
              line: 1,
              column: 0,
            },
          ]
        : [];
    },
    async prepare(req: QueryRequest) {
      return {
        request: req,
        text: req.queryString,
        diagnostics: await this.check(req.queryString),
        columns: ['n'],
        now: 0,
      };
    },
    async start(query: QueryRequest | PreparedQuery): Promise<QueryHandle> {
      const req = requestOf(query);
      requests.push(req);
      let status: QueryStatus = 'Running';
      let finish!: (r: QueryResult) => void;
      const done = new Promise<QueryResult>((r) => {
        finish = r;
      });
      const result = (s: QueryStatus): QueryResult => ({
        columns: ['n'],
        rows: s === 'Complete' ? [[{ field: 'n', value: '42' }]] : [],
        statistics: {
          recordsMatched: 7,
          recordsScanned: 9,
          estimatedRecordsSkipped: 0,
          bytesScanned: 100,
          estimatedBytesSkipped: 0,
          logGroupsScanned: 1,
        },
        status: s,
        warnings: [],
        truncated: false,
        aggregated: true,
      });
      const slow = req.queryString.includes('slow');
      if (!slow)
        setTimeout(() => {
          status = 'Complete';
          finish(result('Complete'));
        }, 20);
      return {
        id: 'x',
        status: () => status,
        snapshot: () => result(status),
        done: () => done,
        async cancel() {
          status = 'Cancelled';
          finish(result('Cancelled'));
        },
      };
    },
    async run() {
      throw new Error('unused');
    },
    async close() {},
  };
}

test('start waits up to waitMs and returns rows as objects with statistics; history records the run', async () => {
  const eng = scriptedEngine();
  const s = await buildServer({ dbPath: ':memory:', engine: () => eng });
  try {
    const r = await s.app.inject({
      method: 'POST',
      url: '/api/queries',
      payload: {
        queryString: 'stats count(*) as n',
        logGroups: ['/g'],
        range: { kind: 'relative', value: '3h' },
        waitMs: 2000,
      },
    });
    assert.equal(r.statusCode, 200);
    const v = r.json();
    assert.equal(v.status, 'Complete');
    assert.deepEqual(v.rows, [{ n: '42' }]);
    assert.equal(v.statistics.recordsMatched, 7);
    const req = eng.requests[0];
    assert.deepEqual(req.logGroups, ['/g']);
    assert.equal(req.endTime! - req.startTime!, 3 * 3_600_000);
    await new Promise((r2) => setTimeout(r2, 50));
    const h = (await s.app.inject({ method: 'GET', url: '/api/history' })).json().history;
    assert.equal(h.length, 1);
    assert.equal(h[0].queryString, 'stats count(*) as n');
    assert.deepEqual(h[0].range, { kind: 'relative', value: '3h' });
    // dashboard widgets opt out of history
    await s.app.inject({
      method: 'POST',
      url: '/api/queries',
      payload: { queryString: 'stats count(*) as n', history: false, waitMs: 2000 },
    });
    await new Promise((r2) => setTimeout(r2, 50));
    assert.equal((await s.app.inject({ method: 'GET', url: '/api/history' })).json().history.length, 1);
  } finally {
    await s.app.close();
    s.defs.close();
    s.store.close();
  }
});

test('a running query can be polled and cancelled', async () => {
  const s = await buildServer({ dbPath: ':memory:', engine: () => scriptedEngine() });
  try {
    const started = (
      await s.app.inject({
        method: 'POST',
        url: '/api/queries',
        payload: { queryString: 'slow', startTime: 0, endTime: 10 },
      })
    ).json();
    assert.equal(started.status, 'Running');
    const polled = (await s.app.inject({ method: 'GET', url: `/api/queries/${started.queryId}?waitMs=30` })).json();
    assert.equal(polled.status, 'Running');
    const cancelled = (await s.app.inject({ method: 'DELETE', url: `/api/queries/${started.queryId}` })).json();
    assert.equal(cancelled.status, 'Cancelled');
    const unknown = await s.app.inject({ method: 'GET', url: '/api/queries/nope' });
    assert.equal(unknown.statusCode, 404);
  } finally {
    await s.app.close();
    s.defs.close();
    s.store.close();
  }
});

test('requests are validated; check returns diagnostics', async () => {
  const s = await buildServer({ dbPath: ':memory:', engine: () => scriptedEngine() });
  try {
    assert.equal((await s.app.inject({ method: 'POST', url: '/api/queries', payload: {} })).statusCode, 400);
    assert.equal(
      (
        await s.app.inject({
          method: 'POST',
          url: '/api/queries',
          payload: { queryString: 'x', startTime: 5, endTime: 1 },
        })
      ).statusCode,
      400,
    );
    assert.equal(
      (await s.app.inject({ method: 'POST', url: '/api/queries', payload: { queryString: 'x', logGroups: 'g' } }))
        .statusCode,
      400,
    );
    const c = (await s.app.inject({ method: 'POST', url: '/api/check', payload: { queryString: 'oops' } })).json();
    assert.equal(c.diagnostics[0].code, 'E_TEST');
  } finally {
    await s.app.close();
    s.defs.close();
    s.store.close();
  }
});

test('an engine that cannot be created gives queries and checks a clear 503, not a parser-only answer', async () => {
  const s = await buildServer({
    dbPath: ':memory:',
    engine: () => {
      throw new Error('not implemented yet');
    },
  });
  try {
    const r = await s.app.inject({ method: 'POST', url: '/api/queries', payload: { queryString: 'fields @message' } });
    assert.equal(r.statusCode, 503);
    assert.equal(r.json().error.code, 'ENGINE_UNAVAILABLE');
    assert.match(r.json().error.message, /query engine is not available/);
    const c = await s.app.inject({
      method: 'POST',
      url: '/api/check',
      payload: { queryString: 'fields @message | stats count(*) by' },
    });
    assert.equal(c.statusCode, 503);
    assert.equal(c.json().error.code, 'ENGINE_UNAVAILABLE');
  } finally {
    await s.app.close();
    s.defs.close();
    s.store.close();
  }
});

test('saved queries and dashboards over HTTP, including CloudWatch JSON export and import', async () => {
  const s = await buildServer({ dbPath: ':memory:', engine: () => scriptedEngine() });
  try {
    const created = await s.app.inject({
      method: 'POST',
      url: '/api/saved-queries',
      payload: { name: 'Mine', folder: 'Team', queryString: 'fields @message', logGroups: ['/g'] },
    });
    assert.equal(created.statusCode, 201);
    const id = created.json().savedQuery.id;
    const list = (await s.app.inject({ method: 'GET', url: '/api/saved-queries' })).json().savedQueries;
    assert.equal(list.length, 14);
    assert.equal(
      (await s.app.inject({ method: 'PATCH', url: `/api/saved-queries/${id}`, payload: { name: 'Renamed' } })).json()
        .savedQuery.name,
      'Renamed',
    );
    assert.equal((await s.app.inject({ method: 'DELETE', url: `/api/saved-queries/${id}` })).statusCode, 200);
    assert.equal((await s.app.inject({ method: 'DELETE', url: `/api/saved-queries/${id}` })).statusCode, 404);

    const cw = (await s.app.inject({ method: 'GET', url: '/api/dashboards/bedrock-usage/cloudwatch' })).json();
    assert.equal(cw.widgets.length, 6);
    const imported = await s.app.inject({
      method: 'POST',
      url: '/api/dashboards/import',
      payload: { name: 'Copy', body: JSON.stringify(cw) },
    });
    assert.equal(imported.statusCode, 201);
    assert.equal(imported.json().dashboard.widgets.length, 6);
    // The two built-in dashboards ("Bedrock usage", "Bedrock operations") and the copy.
    assert.equal((await s.app.inject({ method: 'GET', url: '/api/dashboards' })).json().dashboards.length, 3);
  } finally {
    await s.app.close();
    s.defs.close();
    s.store.close();
  }
});

test('GET /api/records returns the event behind a row @ptr of a real query; a forged @ptr is refused', async () => {
  // Recent events: the console's default range is relative to now.
  const t = Date.now() - 120_000;
  const store = await makeStore([
    { ts: t, group: '/g', stream: 's1', message: '{"a":1}' },
    { ts: t + 60_000, group: '/g', stream: 's1', message: 'plain text' },
  ]);
  const s = await buildServer({ store });
  try {
    const q = await s.app.inject({
      method: 'POST',
      url: '/api/queries',
      payload: { queryString: 'fields @message | sort @timestamp asc', waitMs: 10_000 },
    });
    assert.equal(q.statusCode, 200, q.body);
    const ptrs = (q.json().rows as Record<string, string>[]).map((r) => r['@ptr']);
    assert.equal(ptrs.length, 2);
    const rec = await s.app.inject({ method: 'GET', url: `/api/records?ptr=${encodeURIComponent(ptrs[1])}` });
    assert.equal(rec.statusCode, 200, rec.body);
    assert.deepEqual(
      { ...rec.json().record, ingestionTime: undefined },
      {
        logGroup: '/g',
        logStream: 's1',
        timestamp: t + 60_000,
        ingestionTime: undefined,
        message: 'plain text',
      },
    );
    const bad = await s.app.inject({ method: 'GET', url: '/api/records?ptr=b1.%27%3B%20DROP' });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.code, 'INVALID_REQUEST');
  } finally {
    await s.app.close();
    s.defs.close();
    store.close();
  }
});

test('the query view says whether the hourly roll-up or the events answered (the console shows it beside the statistics)', async () => {
  const { EventWriter } = await import('../../src/store/writer.js');
  const { generateRecords } = await import('../../src/demo/generator.js');
  const { normalizeBedrockRecord } = await import('../../src/logs/record.js');
  const s = await buildServer({ dbPath: ':memory:' });
  try {
    const end = Date.parse('2026-06-04T00:00:00Z');
    const events = [...generateRecords({ records: 300, days: 1, seed: 3, end, bodies: false })].map((r) => {
      const n = normalizeBedrockRecord(r, { logGroup: '/aws/bedrock/modelinvocations', ingestionTime: end });
      if (!n.ok) throw new Error(n.reason);
      return n.event;
    });
    await new EventWriter(s.store).append(events);
    const run = async (queryString: string) =>
      (
        await s.app.inject({
          method: 'POST',
          url: '/api/queries',
          payload: {
            queryString,
            range: { kind: 'absolute', start: end - 24 * 3_600_000, end: end - 1 },
            waitMs: 10_000,
          },
        })
      ).json();
    const rolled = await run('stats sum(input.inputTokenCount) as t by bin(1h)');
    assert.equal(rolled.status, 'Complete');
    assert.equal(rolled.answeredBy.source, 'rollup');
    assert.equal(rolled.statistics.recordsMatched, 300);
    const plain = await run('stats pct(input.inputTokenCount, 50) as p');
    assert.equal(plain.answeredBy.source, 'events');
    assert.match(plain.answeredBy.reason, /pct\(\)/);
  } finally {
    await s.app.close();
    s.defs.close();
    s.store.close();
  }
});
