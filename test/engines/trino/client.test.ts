// The Trino client: protocol edge cases against small loopback servers that speak Trino's JSON
// (busy, broken, silent), and errors, paging, cancel and timeout against the real local Trino.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { BiError } from '../../../src/util/errors.js';
import { TrinoClient, normalizeTrinoUrl } from '../../../src/engines/trino/client.js';
import { closedPort, holdLocalTrino, type HeldTrino } from './helpers.js';

let trino: HeldTrino;
let real: TrinoClient;
const servers: Server[] = [];

before(async () => {
  trino = await holdLocalTrino();
  real = new TrinoClient({ url: trino.url });
});

after(async () => {
  for (const s of servers) s.close();
  await trino?.release();
});

/** A loopback HTTP server on port 0 whose handler plays the coordinator. */
async function fake(handler: (req: IncomingMessage, res: ServerResponse, base: string) => void): Promise<string> {
  const srv = createServer((req, res) => handler(req, res, base));
  servers.push(srv);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const addr = srv.address();
  const base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  return base;
}

async function rejection(p: Promise<unknown>): Promise<BiError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof BiError, `a BiError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected a rejection');
}

/** A query Trino cannot finish soon: 10^12 rows from three cross-joined sequences. */
const ENDLESS =
  'SELECT count(*) FROM UNNEST(sequence(1, 10000)) a(x) CROSS JOIN UNNEST(sequence(1, 10000)) b(y) CROSS JOIN UNNEST(sequence(1, 10000)) c(z)';

/** The server's own view of a query: state and error name from system.runtime.queries. */
async function serverState(queryId: string): Promise<[string, string | null]> {
  // Cancellation is asynchronous on the server: wait until the query has left RUNNING.
  for (let i = 0; i < 100; i++) {
    const r = await real.query(`SELECT state, error_code FROM system.runtime.queries WHERE query_id = '${queryId}'`);
    const row = r.rows[0] as [string, string | null] | undefined;
    if (row && row[0] !== 'RUNNING' && row[0] !== 'QUEUED' && row[0] !== 'PLANNING') return row;
    await new Promise((res) => setTimeout(res, 100));
  }
  assert.fail(`query ${queryId} still running on the server`);
}

test('an unreachable URL is a coded error at once, not a hang', async () => {
  const port = await closedPort();
  const started = Date.now();
  const e = await rejection(new TrinoClient({ url: `http://127.0.0.1:${port}` }).query('SELECT 1'));
  assert.equal(e.code, 'TRINO_UNREACHABLE');
  assert.match(e.message, /Cannot reach Trino at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)\. Check --trino-url/);
  assert.ok(Date.now() - started < 5000, 'a refused connection fails within seconds');
});

test('a server that accepts and never answers: the request timeout ends it as unreachable', async () => {
  const url = await fake(() => {
    /* never answers */
  });
  const e = await rejection(new TrinoClient({ url, requestTimeoutMs: 300 }).query('SELECT 1'));
  assert.equal(e.code, 'TRINO_UNREACHABLE');
  assert.match(e.message, /no answer within 300 ms/);
});

test('busy (503) answers are retried; pages are followed through nextUri; stats come from the last page', async () => {
  let posts = 0;
  const seen: string[] = [];
  const url = await fake((req, res, base) => {
    seen.push(`${req.method} ${req.url} ${String(req.headers['x-trino-user'])}`);
    const send = (body: unknown): void => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const stats = (state: string, rows: number) => ({
      state,
      processedRows: rows,
      processedBytes: rows * 10,
      physicalInputBytes: rows * 3,
    });
    if (req.method === 'POST' && ++posts <= 2) {
      res.writeHead(503);
      res.end();
      return;
    }
    if (req.method === 'POST')
      return send({ id: 'q1', nextUri: `${base}/v1/statement/q1/1`, stats: stats('QUEUED', 0) });
    const columns = [
      { name: 'n', type: 'bigint' },
      { name: 's', type: 'varchar' },
    ];
    if (req.url === '/v1/statement/q1/1')
      return send({
        id: 'q1',
        nextUri: `${base}/v1/statement/q1/2`,
        columns,
        data: [[1, 'a']],
        stats: stats('RUNNING', 1),
      });
    if (req.url === '/v1/statement/q1/2')
      return send({ id: 'q1', nextUri: `${base}/v1/statement/q1/3`, columns, stats: stats('RUNNING', 1) });
    return send({ id: 'q1', columns, data: [[2, null]], stats: stats('FINISHED', 2) });
  });
  const pages: unknown[][][] = [];
  const c = new TrinoClient({ url, user: 'alice' });
  const r = await c.query('SELECT n, s FROM t', { onRows: (rows) => pages.push(rows) });
  assert.equal(posts, 3, 'two 503 answers, then the statement');
  assert.deepEqual(pages, [[[1, 'a']], [[2, null]]]);
  assert.deepEqual(r.rows, [], 'with onRows the rows are not collected');
  assert.deepEqual(r.columns, [
    { name: 'n', type: 'bigint' },
    { name: 's', type: 'varchar' },
  ]);
  assert.equal(r.stats.state, 'FINISHED');
  assert.equal(r.stats.processedRows, 2);
  assert.equal(r.stats.physicalInputBytes, 6);
  assert.deepEqual(seen.slice(-3), [
    'GET /v1/statement/q1/1 alice',
    'GET /v1/statement/q1/2 alice',
    'GET /v1/statement/q1/3 alice',
  ]);
});

test('a coordinator that has no worker yet (NO_NODES_AVAILABLE) is asked again; other query errors are not', async () => {
  let posts = 0;
  const failed = (name: string, type: string) => ({
    id: `q${posts}`,
    stats: { state: 'FAILED' },
    error: { message: 'No nodes available to run query', errorCode: 65540, errorName: name, errorType: type },
  });
  const url = await fake((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    if (req.method !== 'POST') return res.end('{}');
    posts++;
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      if (body.includes('broken')) return res.end(JSON.stringify(failed('SYNTAX_ERROR', 'USER_ERROR')));
      if (posts <= 2) return res.end(JSON.stringify(failed('NO_NODES_AVAILABLE', 'INSUFFICIENT_RESOURCES')));
      res.end(
        JSON.stringify({
          id: 'q3',
          columns: [{ name: 'n', type: 'bigint' }],
          data: [[7]],
          stats: { state: 'FINISHED' },
        }),
      );
    });
  });
  const c = new TrinoClient({ url });
  const r = await c.query('SELECT count(*) FROM t');
  assert.deepEqual(r.rows, [[7]]);
  assert.equal(posts, 3, 'twice no nodes, then the statement ran');
  posts = 0;
  const e = await rejection(c.query('broken'));
  assert.equal(e.details.trinoErrorName, 'SYNTAX_ERROR');
  assert.equal(posts, 1, 'a query Trino refused is not sent again');
  // Until the deadline only: a coordinator that never gets a worker ends as the error it gave.
  posts = -1000;
  const late = await rejection(new TrinoClient({ url, timeoutMs: 1500 }).query('SELECT 1 FROM t'));
  assert.equal(late.details.trinoErrorName, 'NO_NODES_AVAILABLE');
  assert.ok(posts > -1000 + 1 && posts < -1000 + 10, `sent ${posts + 1000} times within 1.5 s`);
});

test('something that is not Trino: HTTP errors and non-JSON bodies are coded errors', async () => {
  const html = await fake((_req, res) => {
    res.writeHead(404, { 'content-type': 'text/html' });
    res.end('<html>not here</html>');
  });
  const e1 = await rejection(new TrinoClient({ url: html }).query('SELECT 1'));
  assert.equal(e1.code, 'TRINO_HTTP_ERROR');
  assert.match(e1.message, /answered HTTP 404 to POST \/v1\/statement/);
  const garbage = await fake((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"id": "q", "data": [[1,');
  });
  const e2 = await rejection(new TrinoClient({ url: garbage }).query('SELECT 1'));
  assert.equal(e2.code, 'TRINO_PROTOCOL');
});

test('URLs: only http(s), trailing slashes dropped', () => {
  assert.equal(normalizeTrinoUrl('http://127.0.0.1:8080/'), 'http://127.0.0.1:8080');
  for (const bad of ['127.0.0.1:8080', 'ftp://x', 'javascript:alert(1)', ''])
    assert.throws(() => new TrinoClient({ url: bad }), /--trino-url must be an http/);
});

test('real Trino: a query it rejects keeps its error name, code and position', async () => {
  const e = await rejection(real.query('SELECT 1 +'));
  assert.equal(e.code, 'TRINO_QUERY_FAILED');
  assert.equal(e.details.trinoErrorName, 'SYNTAX_ERROR');
  assert.equal(e.details.trinoErrorType, 'USER_ERROR');
  assert.equal(e.details.line, 1);
  assert.match(e.message, /^Trino: line 1:11: mismatched input '<EOF>'.* \(SYNTAX_ERROR\)\.$/);
  const div = await rejection(real.query('SELECT 1 / 0'));
  assert.equal(div.details.trinoErrorName, 'DIVISION_BY_ZERO');
});

test('real Trino: a table that does not exist says how to create it', async () => {
  const e = await rejection(real.query('SELECT * FROM hive.no_such_schema_here.invocations'));
  assert.equal(e.code, 'TRINO_TABLE_NOT_FOUND');
  assert.equal(e.details.trinoErrorName, 'SCHEMA_NOT_FOUND');
  assert.match(e.message, /bedrock-insights trino setup --trino-url URL --location DIR_OR_S3_URL/);
});

test('real Trino: values come back typed; large results are paged and all collected', async () => {
  const typed = await real.query(
    "SELECT 1, 'a''b', CAST(NULL AS varchar), MAP(ARRAY['k'], ARRAY['v']), CAST(ROW(1, 'x') AS ROW(n integer, s varchar)), true, 2.5e0",
  );
  assert.deepEqual(typed.rows, [[1, "a'b", null, { k: 'v' }, [1, 'x'], true, 2.5]]);
  assert.equal(typed.columns[4].type, 'row(n integer, s varchar)');
  let pages = 0;
  let n = 0;
  let sum = 0;
  await real.query('SELECT x * 100 + y FROM UNNEST(sequence(1, 2000)) a(x) CROSS JOIN UNNEST(sequence(1, 100)) b(y)', {
    onRows: (rows) => {
      pages++;
      n += rows.length;
      for (const [v] of rows) sum += Number(v);
    },
  });
  assert.equal(n, 200_000);
  assert.equal(sum, 100 * 100 * ((2000 * 2001) / 2) + 2000 * ((100 * 101) / 2));
  assert.ok(pages > 1, `200,000 rows arrive in more than one page (got ${pages})`);
});

test('real Trino: aborting cancels the query on the server', async () => {
  const ac = new AbortController();
  const p = real.query(ENDLESS, {
    signal: ac.signal,
    onStats: (s) => {
      if (s.state === 'RUNNING') ac.abort();
    },
  });
  const e = await rejection(p);
  assert.equal(e.code, 'QUERY_CANCELLED');
  const queryId = String(e.details.queryId);
  assert.match(queryId, /^\d{8}_\d{6}_\d{5}_\w+$/);
  assert.deepEqual(await serverState(queryId), ['FAILED', 'USER_CANCELED']);
});

test('real Trino: a query past its deadline is cancelled on the server and reported as a timeout', async () => {
  const c = new TrinoClient({ url: trino.url, timeoutMs: 3000 });
  const e = await rejection(c.query(ENDLESS));
  assert.equal(e.code, 'TRINO_TIMEOUT');
  assert.match(e.message, /did not finish query \S+ within 3 s; it was cancelled/);
  assert.deepEqual(await serverState(String(e.details.queryId)), ['FAILED', 'USER_CANCELED']);
});
