import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildServer, startServer } from '../../src/api/server.js';
import { isLoopbackHost } from '../../src/api/config.js';

test('loopback hosts need no token; anything else does', () => {
  for (const h of ['127.0.0.1', 'localhost', '::1', '[::1]', '127.0.0.2']) assert.equal(isLoopbackHost(h), true, h);
  for (const h of ['0.0.0.0', '192.168.1.10', 'example.com', '::']) assert.equal(isLoopbackHost(h), false, h);
});

test('on loopback without a token, the API answers', async () => {
  const s = await buildServer({ dbPath: ':memory:' });
  try {
    const r = await s.app.inject({ method: 'GET', url: '/api/info' });
    assert.equal(r.statusCode, 200);
    assert.equal(r.json().authRequired, false);
  } finally {
    await s.app.close();
    s.defs.close();
    s.store.close();
  }
});

test('bound beyond loopback, requests without the token get 401; bearer and login cookie get in', async () => {
  const s = await buildServer({ dbPath: ':memory:', host: '0.0.0.0', token: 'sekret-token' });
  try {
    const none = await s.app.inject({ method: 'GET', url: '/api/saved-queries' });
    assert.equal(none.statusCode, 401);
    assert.equal(none.json().error.code, 'UNAUTHORIZED');
    const wrong = await s.app.inject({
      method: 'GET',
      url: '/api/saved-queries',
      headers: { authorization: 'Bearer nope' },
    });
    assert.equal(wrong.statusCode, 401);
    const page = await s.app.inject({ method: 'GET', url: '/query', headers: { accept: 'text/html' } });
    assert.equal(page.statusCode, 401);
    assert.match(page.body, /<form method="post" action="\/api\/login">/);
    const bearer = await s.app.inject({
      method: 'GET',
      url: '/api/saved-queries',
      headers: { authorization: 'Bearer sekret-token' },
    });
    assert.equal(bearer.statusCode, 200);

    const badLogin = await s.app.inject({
      method: 'POST',
      url: '/api/login',
      payload: 'token=nope&next=%2Fquery',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(badLogin.statusCode, 401);
    const login = await s.app.inject({
      method: 'POST',
      url: '/api/login',
      payload: 'token=sekret-token&next=%2Fquery',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(login.statusCode, 302);
    assert.equal(login.headers.location, '/query');
    const cookie = String(login.headers['set-cookie']).split(';')[0];
    assert.match(cookie, /^bi_token=/);
    const withCookie = await s.app.inject({ method: 'GET', url: '/api/saved-queries', headers: { cookie } });
    assert.equal(withCookie.statusCode, 200);

    // An open redirect through ?next= is refused.
    const evil = await s.app.inject({
      method: 'POST',
      url: '/api/login',
      payload: 'token=sekret-token&next=%2F%2Fevil.example',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(evil.headers.location, '/');
  } finally {
    await s.app.close();
    s.defs.close();
    s.store.close();
  }
});

test('first start beyond loopback generates a token, keeps it in the store’s own config.json (0600), and reuses it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'h7-auth-'));
  const db = join(dir, 'store.duckdb');
  const prev = process.env.BEDROCK_INSIGHTS_TOKEN;
  delete process.env.BEDROCK_INSIGHTS_TOKEN;
  try {
    const a = await startServer({ dbPath: db, host: '0.0.0.0', port: 0 });
    assert.equal(a.tokenGenerated, true);
    assert.ok(a.token && a.token.length >= 20);
    const cfgPath = join(dir, 'store.duckdb.config.json');
    assert.equal(JSON.parse(readFileSync(cfgPath, 'utf8')).consoleToken, a.token);
    assert.equal(statSync(cfgPath).mode & 0o777, 0o600);
    const refused = await fetch(`http://127.0.0.1:${a.port}/api/info`);
    assert.equal(refused.status, 401);
    const ok = await fetch(`http://127.0.0.1:${a.port}/api/info`, { headers: { authorization: `Bearer ${a.token}` } });
    assert.equal(ok.status, 200);
    const token = a.token;
    await a.close();
    const b = await startServer({ dbPath: db, host: '0.0.0.0', port: 0 });
    assert.equal(b.tokenGenerated, false);
    assert.equal(b.token, token);
    await b.close();
  } finally {
    if (prev !== undefined) process.env.BEDROCK_INSIGHTS_TOKEN = prev;
  }
});

test('POST / is left to the CloudWatch API: an AWS-shaped error until it is mounted', async () => {
  const s = await buildServer({ dbPath: ':memory:' });
  try {
    const r = await s.app.inject({
      method: 'POST',
      url: '/',
      payload: '{}',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Logs_20140328.DescribeLogGroups' },
    });
    assert.equal(r.statusCode, 400);
    assert.equal(r.json().__type, 'UnknownOperationException');
  } finally {
    await s.app.close();
    s.defs.close();
    s.store.close();
  }
});
