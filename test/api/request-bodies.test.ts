import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildServer } from '../../src/api/server.js';

// The route bodies are read with zod schemas (src/api/queryRequest.ts and each routes file): a
// body of the wrong shape is a 400 INVALID_REQUEST whose message names the field, never a 500, a
// cast that lets a wrong type through, or a silently ignored field.

type Server = Awaited<ReturnType<typeof buildServer>>;

async function withServer(opts: Parameters<typeof buildServer>[0], f: (s: Server) => Promise<void>): Promise<void> {
  const s = await buildServer({ dbPath: ':memory:', ...opts });
  try {
    await f(s);
  } finally {
    await s.app.close();
    s.defs.close();
    s.store.close();
  }
}

async function refused(s: Server, method: 'POST' | 'PUT' | 'PATCH', url: string, payload: unknown): Promise<string> {
  const r = await s.app.inject({
    method,
    url,
    payload: JSON.stringify(payload),
    headers: { 'content-type': 'application/json' },
  });
  assert.equal(r.statusCode, 400, `${method} ${url} ${JSON.stringify(payload)}: ${r.body}`);
  const e = r.json().error as { code: string; message: string };
  assert.equal(e.code, 'INVALID_REQUEST');
  return e.message;
}

test('hostile console query bodies are refused with a message that names the field', async () => {
  await withServer({}, async (s) => {
    for (const url of ['/api/queries', '/api/histogram', '/api/field-coverage', '/api/queries/export']) {
      assert.equal(await refused(s, 'POST', url, { queryString: '   ' }), 'queryString is required.');
      assert.equal(await refused(s, 'POST', url, { queryString: 7 }), 'queryString is required.');
      assert.equal(
        await refused(s, 'POST', url, { queryString: 'x', logGroups: ['a', { $ne: 1 }] }),
        'logGroups must be an array of strings.',
      );
      assert.match(await refused(s, 'POST', url, { queryString: 'x', range: { kind: 'relative' } }), /^range must be/);
      assert.match(await refused(s, 'POST', url, { queryString: 'x', limit: '10' }), /^limit must be a whole number/);
      assert.match(await refused(s, 'POST', url, [1, 2]), /^body: .*expected object/);
    }
    for (const url of ['/api/queries', '/api/queries/export'])
      assert.match(await refused(s, 'POST', url, { queryString: 'x', engine: ['duckdb'] }), /^engine must be the name/);
    assert.equal(
      await refused(s, 'POST', '/api/queries/export', { queryString: 'x', format: 'xlsx' }),
      'format must be "csv" or "ndjson".',
    );
    assert.equal(
      await refused(s, 'POST', '/api/field-coverage', { queryString: 'x', fields: 'a' }),
      'fields must be an array of strings.',
    );
  });
});

test('hostile saved-query, folder, dashboard and alarm bodies are refused; a valid one still works', async () => {
  await withServer({}, async (s) => {
    assert.equal(await refused(s, 'POST', '/api/saved-queries', { queryString: 'x' }), 'name is required.');
    assert.equal(
      await refused(s, 'POST', '/api/saved-queries', { name: 'n', queryString: 'x', folder: 3 }),
      'folder must be a string.',
    );
    assert.match(
      await refused(s, 'POST', '/api/saved-queries', { name: 'n', queryString: 'x', engine: 5 }),
      /^engine must be the name/,
    );
    const made = await s.app.inject({
      method: 'POST',
      url: '/api/saved-queries',
      payload: { name: 'n', queryString: 'fields @message', logGroups: null, engine: null },
    });
    assert.equal(made.statusCode, 201, made.body);
    const id = made.json().savedQuery.id as string;
    assert.equal(await refused(s, 'PATCH', `/api/saved-queries/${id}`, { name: '' }), 'name is required.');
    const renamed = await s.app.inject({ method: 'PATCH', url: `/api/saved-queries/${id}`, payload: { name: 'm' } });
    assert.equal(renamed.json().savedQuery.name, 'm');
    assert.equal(renamed.json().savedQuery.queryString, 'fields @message');

    assert.equal(await refused(s, 'POST', '/api/folders/rename', { from: 'a' }), 'to is required.');
    assert.equal(await refused(s, 'POST', '/api/folders/delete', { folder: ['a'] }), 'folder is required.');
    assert.equal(await refused(s, 'POST', '/api/dashboards', { widgets: [] }), 'name is required.');
    assert.equal(await refused(s, 'POST', '/api/dashboards/import', { name: 4 }), 'name is required.');
    for (const body of [{ widgets: [null] }, { widgets: 'w' }, '{"widgets": [1]}']) {
      const r = await s.app.inject({ method: 'POST', url: '/api/dashboards/import', payload: { name: 'i', body } });
      assert.equal(r.statusCode, 400, r.body);
      assert.equal(r.json().error.code, 'INVALID_DASHBOARD');
    }
    const d = await s.app.inject({ method: 'POST', url: '/api/dashboards', payload: { name: 'd' } });
    assert.equal(d.statusCode, 201, d.body);
    const did = d.json().dashboard.id as string;
    assert.equal(await refused(s, 'PUT', `/api/dashboards/${did}`, { name: 12 }), 'name must be a string.');
    assert.equal(await refused(s, 'PUT', `/api/dashboards/${did}`, 'a string'), 'The body must be a JSON object.');

    assert.equal(
      await refused(s, 'POST', '/api/alarms/evaluate', { at: 'yesterday' }),
      'at must be a time in epoch milliseconds.',
    );
    assert.equal(
      await refused(s, 'POST', '/api/alarms/a/enable', { to: 'x@example.com' }),
      'to must be an array of strings.',
    );
  });
});

test('sign-in with a field of another shape is a plain refusal (401), never a 500', async () => {
  await withServer({ host: '0.0.0.0', token: 'sekret-token' }, async (s) => {
    const json = await s.app.inject({
      method: 'POST',
      url: '/api/login',
      payload: { token: ['sekret-token'], next: 5 },
    });
    assert.equal(json.statusCode, 401, json.body);
    const page = await s.app.inject({ method: 'GET', url: '/login?token=a&token=b' });
    assert.equal(page.statusCode, 200, page.body);
    const ok = await s.app.inject({ method: 'POST', url: '/api/login', payload: { token: 'sekret-token' } });
    assert.equal(ok.statusCode, 200, ok.body);
  });
});
