import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../src/api/server.js';
import { cloudWatchApiMount } from '../../src/cloudwatch/plugin.js';

// The probes of the audit's console_probe.py (research/cloudwatch-api-audit, 2026-12) as tests:
// path traversal, CORS, cross-site form posts (CSRF), DNS-rebinding Host headers and the access
// token, over real HTTP on 127.0.0.1. Every refused request is checked to have written nothing.

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw HTTP request: the path is sent as written and any Host header can be set. */
function raw(
  s: RunningServer,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: s.port, method, path, headers: { host: `127.0.0.1:${s.port}`, ...headers } },
      (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (data += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: data }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function accessControl(a: Answer): string[] {
  return Object.keys(a.headers).filter((k) => k.startsWith('access-control'));
}

async function withServer(
  opts: { token?: string; allowHosts?: string[]; cloudWatch?: boolean },
  fn: (s: RunningServer, dir: string) => Promise<void>,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bi-console-sec-'));
  const s = await startServer({
    dbPath: join(dir, 'store.duckdb'),
    port: 0,
    ...(opts.token ? { token: opts.token } : {}),
    ...(opts.allowHosts ? { allowHosts: opts.allowHosts } : {}),
    ...(opts.cloudWatch
      ? { cloudWatchApi: cloudWatchApiMount({ auth: { mode: 'none', bindHost: '127.0.0.1' } }) }
      : {}),
  });
  try {
    await fn(s, dir);
  } finally {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const EVIL = 'http://evil.example';
const FORM = 'application/x-www-form-urlencoded';

async function savedQueries(s: RunningServer): Promise<{ id: string; name: string; folder: string }[]> {
  const r = await raw(s, 'GET', '/api/saved-queries');
  assert.equal(r.status, 200);
  return (JSON.parse(r.body) as { savedQueries: { id: string; name: string; folder: string }[] }).savedQueries;
}

test('path traversal never reaches a file outside the web root', async () => {
  await withServer({ token: 'probe-token-123' }, async (s) => {
    const secrets = [
      'root:x:0:0',
      'consoleToken',
      'probe-token-123',
      'accessKeys',
      '"name": "bedrock-insights"',
      'DUCK',
    ];
    const paths = [
      '/../../etc/passwd',
      '/../../../../../../etc/passwd',
      '/..%2f..%2f..%2f..%2fetc%2fpasswd',
      '/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
      '/%252e%252e/%252e%252e/etc/passwd',
      '/assets/../../package.json',
      '/assets/..%2f..%2fpackage.json',
      '/assets/%2e%2e/%2e%2e/package.json',
      '/assets/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      '//etc/passwd',
      '/assets/....//....//etc/passwd',
      '/assets/..\\..\\package.json',
      '/index.html/../../package.json',
      '/assets/%c0%ae%c0%ae/%c0%ae%c0%ae/package.json',
      '/assets/..%00/package.json',
      '/.%2e/.%2e/package.json',
      '/server.json',
      '/../server.json',
      '/assets/../../../server.json',
    ];
    for (const p of paths) {
      const r = await raw(s, 'GET', p, { authorization: 'Bearer probe-token-123' });
      const leaked = secrets.filter((x) => r.body.includes(x));
      assert.deepEqual(leaked, [], `GET ${p} -> ${r.status} leaked ${leaked.join(', ')}`);
    }
  });
});

test('no CORS: preflights and cross-origin reads get no Access-Control-Allow-* header', async () => {
  await withServer({ cloudWatch: true }, async (s) => {
    for (const [path, method] of [
      ['/', 'POST'],
      ['/api/queries', 'POST'],
      ['/api/log-groups', 'GET'],
    ] as const) {
      const r = await raw(s, 'OPTIONS', path, {
        origin: EVIL,
        'access-control-request-method': method,
        'access-control-request-headers': 'content-type,x-amz-target,authorization',
      });
      assert.deepEqual(accessControl(r), [], `OPTIONS ${path}`);
    }
    const r = await raw(s, 'GET', '/api/log-groups', { origin: EVIL });
    assert.deepEqual(accessControl(r), []);
  });
});

test('cross-site form posts are refused and write nothing (saved queries, folders, alarms)', async () => {
  await withServer({}, async (s) => {
    const before = await savedQueries(s);
    const form = 'name=csrf-probe&queryString=fields%20%40message%20%7C%20limit%201&folder=csrf';
    // The audit's probe: a foreign Origin and Sec-Fetch-Site: cross-site.
    const a = await raw(
      s,
      'POST',
      '/api/saved-queries',
      { origin: EVIL, 'content-type': FORM, 'sec-fetch-site': 'cross-site' },
      form,
    );
    assert.equal(a.status, 403);
    assert.equal(JSON.parse(a.body).error.code, 'CROSS_SITE_REQUEST');
    // Each signal alone is enough.
    const b = await raw(s, 'POST', '/api/saved-queries', { origin: EVIL, 'content-type': FORM }, form);
    assert.equal(b.status, 403);
    const c = await raw(
      s,
      'POST',
      '/api/saved-queries',
      { 'sec-fetch-site': 'cross-site', 'content-type': 'application/json' },
      JSON.stringify({ name: 'csrf-json', queryString: 'fields @message', folder: 'csrf' }),
    );
    assert.equal(c.status, 403);
    // `Origin: null` (a sandboxed frame, a file: page) is no origin of ours either.
    const d = await raw(s, 'POST', '/api/saved-queries', { origin: 'null', 'content-type': FORM }, form);
    assert.equal(d.status, 403);
    // Without any browser header a form body is still not accepted: only /api/login takes forms.
    const e = await raw(s, 'POST', '/api/saved-queries', { 'content-type': FORM }, form);
    assert.equal(e.status, 415);
    assert.equal(JSON.parse(e.body).error.code, 'UNSUPPORTED_MEDIA_TYPE');

    const folder = before[0].folder;
    for (const [path, body] of [
      ['/api/folders/rename', `from=${encodeURIComponent(folder)}&to=csrf-other`],
      ['/api/folders/delete', `folder=${encodeURIComponent(folder)}`],
    ] as const) {
      const r = await raw(s, 'POST', path, { origin: EVIL, 'content-type': FORM }, body);
      assert.equal(r.status, 403, path);
      const json = await raw(
        s,
        'POST',
        path,
        { origin: EVIL, 'content-type': 'application/json' },
        JSON.stringify({ from: folder, to: 'x', folder }),
      );
      assert.equal(json.status, 403, `${path} (JSON)`);
    }
    // A no-cors fetch with no body and no content type: only the Origin tells it apart.
    const alarms = JSON.parse((await raw(s, 'GET', '/api/alarms')).body) as {
      alarms: { name: string; enabled: boolean }[];
    };
    const alarm = alarms.alarms[0];
    for (const path of [
      `/api/alarms/${encodeURIComponent(alarm.name)}/enable`,
      `/api/alarms/${encodeURIComponent(alarm.name)}/disable`,
      `/api/alarms/${encodeURIComponent(alarm.name)}/test-notify`,
      '/api/alarms/evaluate',
    ]) {
      const r = await raw(s, 'POST', path, { origin: EVIL });
      assert.equal(r.status, 403, path);
    }
    const del = await raw(s, 'DELETE', `/api/saved-queries/${before[0].id}`, { origin: EVIL });
    assert.equal(del.status, 403);

    // Nothing was written.
    assert.deepEqual(await savedQueries(s), before);
    const after = JSON.parse((await raw(s, 'GET', '/api/alarms')).body) as typeof alarms;
    assert.equal(after.alarms.find((x) => x.name === alarm.name)!.enabled, alarm.enabled);

    // The console's own pages still change things: same origin, or no browser headers at all.
    const own = await raw(
      s,
      'POST',
      '/api/saved-queries',
      {
        origin: `http://127.0.0.1:${s.port}`,
        'sec-fetch-site': 'same-origin',
        'content-type': 'application/json',
      },
      JSON.stringify({ name: 'mine', queryString: 'fields @message', folder: 'own' }),
    );
    assert.equal(own.status, 201, own.body);
    const cli = await raw(
      s,
      'POST',
      '/api/folders/rename',
      { 'content-type': 'application/json' },
      JSON.stringify({ from: 'own', to: 'own2' }),
    );
    assert.equal(cli.status, 200);
  });
});

test('the export link (GET) cannot be started by another site', async () => {
  await withServer({}, async (s) => {
    const path = '/api/queries/export?queryString=fields%20%40message&startTime=0&endTime=4102444800000';
    const cross = await raw(s, 'GET', path, { 'sec-fetch-site': 'cross-site' });
    assert.equal(cross.status, 403);
    assert.equal(JSON.parse(cross.body).error.code, 'CROSS_SITE_REQUEST');
    const own = await raw(s, 'GET', path, { 'sec-fetch-site': 'same-origin' });
    assert.equal(own.status, 200);
    assert.equal(own.body, '@message\r\n');
  });
});

test('a text/plain POST (a simple cross-site request) is refused', async () => {
  await withServer({}, async (s) => {
    const body = '{"queryString":"fields @message | limit 1"}';
    const a = await raw(s, 'POST', '/api/queries', { origin: EVIL, 'content-type': 'text/plain' }, body);
    assert.equal(a.status, 403);
    const b = await raw(s, 'POST', '/api/queries', { 'content-type': 'text/plain' }, body);
    assert.equal(b.status, 415);
    const h = JSON.parse((await raw(s, 'GET', '/api/history')).body) as { history: unknown[] };
    assert.equal(h.history.length, 0, 'no query ran');
  });
});

test('DNS rebinding: a foreign Host is refused on every route, POST / included; loopback names and --allow-host pass', async () => {
  await withServer({ cloudWatch: true, allowHosts: ['bi.internal.example'] }, async (s) => {
    const port = s.port;
    for (const [method, path] of [
      ['GET', '/api/log-groups'],
      ['GET', '/api/info'],
      ['GET', '/'],
      ['GET', '/api/saved-queries'],
    ] as const) {
      const r = await raw(s, method, path, { host: `rebind.attacker.example:${port}` });
      assert.equal(r.status, 403, `${method} ${path}`);
      assert.equal(JSON.parse(r.body).error.code, 'HOST_NOT_ALLOWED');
      assert.match(JSON.parse(r.body).error.message, /--allow-host rebind\.attacker\.example/);
    }
    // The CloudWatch API without SigV4 (--no-auth): a rebinding page must not create a group.
    const cw = (host: string, op: string, body: object) =>
      raw(
        s,
        'POST',
        '/',
        { host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `Logs_20140328.${op}` },
        JSON.stringify(body),
      );
    const created = await cw(`rebind.attacker.example:${port}`, 'CreateLogGroup', { logGroupName: '/rebound' });
    assert.equal(created.status, 403);
    assert.equal(JSON.parse(created.body).__type, 'AccessDeniedException');
    const groups = await cw(`127.0.0.1:${port}`, 'DescribeLogGroups', {});
    assert.equal(groups.status, 200);
    assert.deepEqual(JSON.parse(groups.body).logGroups, [], 'nothing was created');

    for (const host of [
      `127.0.0.1:${port}`,
      `localhost:${port}`,
      `[::1]:${port}`,
      'localhost',
      `bi.internal.example:${port}`,
      `BI.Internal.Example`,
    ]) {
      const r = await raw(s, 'GET', '/api/log-groups', { host });
      assert.equal(r.status, 200, host);
    }
    // A page served under an allowed name may post to it.
    const ok = await raw(
      s,
      'POST',
      '/api/saved-queries',
      {
        host: `bi.internal.example:${port}`,
        origin: `http://bi.internal.example:${port}`,
        'content-type': 'application/json',
      },
      JSON.stringify({ name: 'via name', queryString: 'fields @message' }),
    );
    assert.equal(ok.status, 201);
  });
});

test('with a token: what needs it gets 401 without it, the sign-in form works, no open redirect, POST / still needs SigV4', async () => {
  const token = 'probe-token-456';
  await withServer({ token, cloudWatch: false }, async (s) => {
    const cases: [string, Record<string, string>, string, number][] = [
      ['no token', {}, '/api/log-groups', 401],
      ['wrong bearer', { authorization: 'Bearer nope' }, '/api/log-groups', 401],
      ['right bearer', { authorization: `Bearer ${token}` }, '/api/log-groups', 200],
      ['cookie', { cookie: `bi_token=${token}` }, '/api/log-groups', 200],
      ['no token, SPA page', { accept: 'text/html' }, '/', 401],
      ['no token, /api/info', {}, '/api/info', 401],
      ['no token, GET /login', {}, '/login', 200],
    ];
    for (const [label, headers, path, want] of cases) {
      const r = await raw(s, 'GET', path, headers);
      assert.equal(r.status, want, label);
    }
    const redirect = await raw(s, 'GET', `/login?token=${token}&next=//evil.example`);
    assert.equal(redirect.headers.location, '/');
    // The sign-in form (the one urlencoded body the server takes), from its own page.
    const login = await raw(
      s,
      'POST',
      '/api/login',
      { origin: `http://127.0.0.1:${s.port}`, 'content-type': FORM },
      `token=${token}&next=%2Fquery`,
    );
    assert.equal(login.status, 302);
    assert.equal(login.headers.location, '/query');
    assert.match(String(login.headers['set-cookie']), /bi_token=.*HttpOnly; SameSite=Strict/);
    // A cross-site page cannot sign the browser in with a token of its choosing.
    const forced = await raw(s, 'POST', '/api/login', { origin: EVIL, 'content-type': FORM }, `token=${token}`);
    assert.equal(forced.status, 403);
    const cw = await raw(
      s,
      'POST',
      '/',
      { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Logs_20140328.DescribeLogGroups' },
      '{}',
    );
    assert.ok(cw.status === 400 || cw.status === 403, `POST / without SigV4: ${cw.status}`);
  });
});
