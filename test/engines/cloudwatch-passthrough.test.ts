// The CloudWatch pass-through engine with the real SDK against this project's own
// CloudWatch-compatible server as the remote: `serve --access-keys` over one store, and
// `query --engine cloudwatch --endpoint-url` (credentials from the environment, the SDK's chain)
// printing what the embedded engine prints over a second store with the same data. A recording
// proxy in between shows StartQuery / GetQueryResults / StopQuery as they cross the wire.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeDataset } from '../../src/demo/generator.js';
import { ingestPaths } from '../../src/sources/ingest.js';
import { createEngine } from '../../src/engines/factory.js';
import { Store } from '../../src/store/store.js';
import { closedPort } from './trino/helpers.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const CLI = new URL('../alarms/run-cli.ts', import.meta.url).pathname;
const Q = (n: string) => join(ROOT, 'queries', 'bedrock', `${n}.insights`);
const KEY = 'AKIDPASSTHROUGH';
const SECRET = 'pass/through+secret0123456789';
const GROUP = '/aws/bedrock/modelinvocations';
const RANGE = ['--start', '2026-10-31T00:00:00Z', '--end', '2026-10-31T23:59:59Z'];

let dir = '';
let localDb = '';
let serve: ChildProcess;
let remote = '';
let proxy: Server;
let proxyUrl = '';
/** Operations seen by the proxy, and GetQueryResults answers to hold back (ms). */
const seen: { op: string; body: string }[] = [];
let holdResultsMs = 0;
/** When set, GetQueryResults is answered by the proxy: still Running (a remote that never finishes). */
let stillRunning = false;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bi-cw-pass-'));
  const logs = join(dir, 'logs');
  await writeDataset({ out: logs, format: 's3', preset: 'guide', end: '2026-11-01T00:00:00Z' });
  localDb = join(dir, 'local.duckdb');
  const remoteDb = join(dir, 'remote.duckdb');
  for (const db of [localDb, remoteDb]) {
    const s = await Store.open(db);
    await ingestPaths(s, [logs]);
    s.close();
  }
  serve = spawn(
    process.execPath,
    ['--import', 'tsx', CLI, 'serve', '--db', remoteDb, '--port', '0', '--access-keys', `${KEY}:${SECRET}`],
    {
      cwd: ROOT,
      env: { ...process.env, BEDROCK_INSIGHTS_TOKEN: 'console-token' },
    },
  );
  remote = await new Promise<string>((resolve, reject) => {
    let out = '';
    serve.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /console: (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
      if (m) resolve(m[1]);
    });
    serve.on('exit', (code) => reject(new Error(`serve exited ${code}`)));
  });
  // A pass-through proxy that records each operation (X-Amz-Target) and can hold results back.
  proxy = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const op = String(req.headers['x-amz-target'] ?? '').replace(/^Logs_20140328\./, '');
      seen.push({ op, body });
      const forward = (): void => {
        const up = request(`${remote}${req.url}`, { method: req.method, headers: req.headers }, (r) => {
          res.writeHead(r.statusCode ?? 500, r.headers);
          r.pipe(res);
        });
        // The client may be gone (Ctrl-C) and the server stopped (after) before a held answer is sent.
        up.on('error', () => res.destroy());
        up.end(body);
      };
      if (op === 'GetQueryResults' && stillRunning) {
        res.writeHead(200, { 'Content-Type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify({ status: 'Running', results: [] }));
      } else if (op === 'GetQueryResults' && holdResultsMs > 0) setTimeout(forward, holdResultsMs);
      else forward();
    });
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`;
});

after(async () => {
  proxy?.closeAllConnections();
  proxy?.close();
  serve?.kill('SIGTERM');
  await new Promise((r) => serve?.once('exit', r));
  rmSync(dir, { recursive: true, force: true });
});

interface Ran {
  code: number | null;
  out: string;
  err: string;
}

function cli(args: string[], opts: { key?: string; onStart?: (c: ChildProcess) => void } = {}): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
      cwd: ROOT,
      env: {
        ...process.env,
        BEDROCK_INSIGHTS_DB: '',
        AWS_ACCESS_KEY_ID: opts.key ?? KEY,
        AWS_SECRET_ACCESS_KEY: SECRET,
        AWS_EC2_METADATA_DISABLED: 'true',
      },
    });
    let out = '';
    let err = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => resolve({ code, out, err }));
    opts.onStart?.(child);
  });
}

const cw = (url = proxyUrl) => ['--engine', 'cloudwatch', '--endpoint-url', url, '--region', 'us-east-1'];

test('query --engine cloudwatch runs on the remote and prints what the local engine prints', async () => {
  for (const [name, format] of [
    ['q02-tokens-by-application', 'table'],
    ['q07-cost-center', 'json'],
    ['q01-all-logs-basic', 'csv'],
  ]) {
    const local = await cli(['query', '-f', Q(name), '--db', localDb, ...RANGE, '--format', format, '-q']);
    const from = seen.length;
    const r = await cli(['query', '-f', Q(name), ...cw(), '--log-group', GROUP, ...RANGE, '--format', format, '-q']);
    assert.equal(local.code, 0, local.err);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, local.out, name);
    const ops = seen.slice(from).map((s) => s.op);
    assert.deepEqual([...new Set(ops)], ['DescribeLogGroups', 'StartQuery', 'GetQueryResults'], ops.join());
    const start = JSON.parse(seen.slice(from).find((s) => s.op === 'StartQuery')?.body ?? '{}') as Record<
      string,
      unknown
    >;
    assert.deepEqual(start.logGroupNames, [GROUP]);
    assert.equal(start.startTime, Date.parse('2026-10-31T00:00:00Z') / 1000);
    assert.equal(start.endTime, Date.parse('2026-10-31T23:59:59Z') / 1000);
    assert.match(String(start.queryString), /^# Query/);
  }
  // The statistics are the remote's.
  const r = await cli(['query', 'stats count(*) as n', ...cw(), ...RANGE]);
  assert.match(r.err, /450 records matched, 450 scanned, \d+ bytes, 1 log group/);
});

test('bad input: wrong credentials, a log group the remote lacks, an unreachable endpoint: coded errors', async () => {
  const creds = await cli(['query', 'stats count(*)', ...cw(), ...RANGE], { key: 'AKIDWRONG' });
  assert.equal(creds.code, 2);
  assert.match(
    creds.err,
    /^error \[AWS_REQUEST_FAILED\]: Cannot list the log groups of CloudWatch Logs: UnrecognizedClientException/,
  );
  const group = await cli(['query', 'stats count(*)', ...cw(), '--log-group', '/nope', ...RANGE]);
  assert.equal(group.code, 1);
  assert.match(group.err, /LOG_GROUP_NOT_FOUND|The log group \/nope does not exist/);
  const port = await closedPort();
  const down = await cli(['query', 'stats count(*)', ...cw(`http://127.0.0.1:${port}`), ...RANGE]);
  assert.equal(down.code, 2);
  assert.match(
    down.err,
    /^error \[CLOUDWATCH_UNREACHABLE\]: Cannot reach CloudWatch Logs at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/,
  );
});

test('Ctrl-C sends StopQuery for the running query and exits 130', async () => {
  holdResultsMs = 3000;
  try {
    const from = seen.length;
    const r = await cli(['query', 'stats count(*) by modelId', ...cw(), ...RANGE], {
      onStart: (child) => {
        const wait = setInterval(() => {
          if (seen.slice(from).some((s) => s.op === 'GetQueryResults')) {
            clearInterval(wait);
            child.kill('SIGINT');
          }
        }, 50);
      },
    });
    assert.equal(r.code, 130, r.err);
    assert.match(r.err, /query cancelled/);
    const started = seen.slice(from).find((s) => s.op === 'StartQuery');
    const stop = seen.slice(from).find((s) => s.op === 'StopQuery');
    assert.ok(
      stop,
      seen
        .slice(from)
        .map((s) => s.op)
        .join(),
    );
    const id = (JSON.parse(stop.body) as { queryId: string }).queryId;
    assert.ok(started && id.length > 0);
    // The remote was asked for that query's results before it was stopped.
    assert.ok(seen.slice(from).some((s) => s.op === 'GetQueryResults' && s.body.includes(id)));
  } finally {
    holdResultsMs = 0;
  }
});

// Without the limit the engine would wait CloudWatch's 15 minutes: the test's own timeout fails it first.
test(
  "the server's time limit ends a pass-through query as a store query: status Timeout, StopQuery sent",
  { timeout: 120_000 },
  async () => {
    stillRunning = true;
    const engine = createEngine(undefined, {
      engine: 'cloudwatch',
      cloudwatch: {
        endpointUrl: proxyUrl,
        region: 'us-east-1',
        credentials: { accessKeyId: KEY, secretAccessKey: SECRET },
        pollMs: 100,
      },
      limits: { timeoutMs: 1000 },
    });
    try {
      const from = seen.length;
      const r = await engine.run({
        queryString: 'stats count(*) by modelId',
        logGroups: [GROUP],
        startTime: Date.parse('2026-10-31T00:00:00Z'),
        endTime: Date.parse('2026-10-31T23:59:59Z'),
      });
      assert.equal(r.status, 'Timeout');
      assert.equal(r.error?.code, 'QUERY_TIMEOUT');
      const started = seen.slice(from).find((s) => s.op === 'StartQuery');
      const stop = seen.slice(from).find((s) => s.op === 'StopQuery');
      assert.ok(
        started && stop,
        seen
          .slice(from)
          .map((s) => s.op)
          .join(),
      );
    } finally {
      stillRunning = false;
      await engine.close();
    }
  },
);
