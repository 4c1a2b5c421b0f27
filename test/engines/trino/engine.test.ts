// The Trino engine on the real local Trino, against the embedded engine over the same data:
// the user's 13 queries over a generated S3 delivery layout read in place and over the Parquet
// archive `export` writes, the CLI's output diffed byte for byte in every format, a time range
// reading only its hours (Trino's own scan statistics), exact BIGINT results, exact cost sums,
// and bad input.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createServer } from 'node:http';
import { gunzipSync, gzipSync } from 'node:zlib';
import { exportArchive } from '../../../src/archive/export.js';
import { writeDataset, type WriteOptions } from '../../../src/demo/generator.js';
import type { QueryEngine, QueryRequest, QueryResult } from '../../../src/engines/engine.js';
import { createEngine } from '../../../src/engines/factory.js';
import { describeArchive } from '../../../src/engines/trino/archive-table.js';
import { TrinoClient } from '../../../src/engines/trino/client.js';
import { describeLayout } from '../../../src/engines/trino/layout.js';
import { setupTrinoArchive, setupTrinoTable } from '../../../src/engines/trino/setup.js';
import { ingestPaths } from '../../../src/sources/ingest.js';
import { Store } from '../../../src/store/store.js';
import { closedPort, holdLocalTrino, type HeldTrino } from './helpers.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
const CLI = new URL('../../alarms/run-cli.ts', import.meta.url).pathname;
const QUERIES = join(ROOT, 'queries', 'bedrock');
const SCHEMA = `bi_engine_${process.pid}`;
const GUIDE = `hive.${SCHEMA}.guide`;
const DEMO = `hive.${SCHEMA}.demo`;
const ARCHIVE = `hive.${SCHEMA}.demo_archive`;

let trino: HeldTrino;
let client: TrinoClient;
let dir = '';
let guideDb = '';
let demoDb = '';
let demoLogs = '';
let guideStore: Store;
let demoStore: Store;

const seeds = readdirSync(QUERIES)
  .filter((f) => f.endsWith('.insights'))
  .sort()
  .map((f) => ({ name: f.replace(/\.insights$/, ''), text: readFileSync(join(QUERIES, f), 'utf8') }));

/** The layout generated and ingested; the store reopened read-only, so CLI processes can read it too. */
async function layoutStore(out: string, db: string, gen: Omit<WriteOptions, 'out' | 'format'>): Promise<Store> {
  await writeDataset({ ...gen, out, format: 's3' });
  const store = await Store.open(db);
  const s = await ingestPaths(store, [out]);
  store.close();
  assert.equal(s.recordsRejected, 0);
  return Store.open(db, { readOnly: true });
}

before(async () => {
  trino = await holdLocalTrino();
  client = new TrinoClient({ url: trino.url });
  dir = mkdtempSync(join(tmpdir(), 'bi-trino-engine-'));
  guideDb = join(dir, 'guide.duckdb');
  demoDb = join(dir, 'demo.duckdb');
  demoLogs = join(dir, 'demo-logs');
  const guideLogs = join(dir, 'guide-logs');
  guideStore = await layoutStore(guideLogs, guideDb, { preset: 'guide', end: '2026-11-01T00:00:00Z' });
  // Several regions and hours, many records per file: partitions to prune, ties in time.
  demoStore = await layoutStore(demoLogs, demoDb, {
    preset: 'demo',
    records: 4000,
    days: 2,
    seed: '5',
    end: '2026-11-02T00:00:00Z',
  });
  await setupTrinoTable(client, await describeLayout(guideLogs), GUIDE);
  await setupTrinoTable(client, await describeLayout(demoLogs), DEMO);
  const archive = join(dir, 'archive');
  await exportArchive(demoStore, { out: archive });
  await setupTrinoArchive(client, await describeArchive(archive), ARCHIVE);
});

after(async () => {
  try {
    guideStore?.close();
    demoStore?.close();
    const tables = await client.query(`SHOW TABLES FROM hive.${SCHEMA}`).catch(() => ({ rows: [] }));
    for (const [t] of tables.rows) await client.query(`DROP TABLE IF EXISTS hive.${SCHEMA}."${String(t)}"`);
    await client?.query(`DROP SCHEMA IF EXISTS hive.${SCHEMA}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await trino?.release();
  }
});

function trinoEngine(table: string, archive = false): QueryEngine {
  return createEngine(undefined, {
    engine: 'trino',
    trino: { url: trino.url, table, ...(archive ? { archive } : {}) },
  });
}

async function both(store: Store, other: QueryEngine, req: QueryRequest): Promise<[QueryResult, QueryResult]> {
  const duck = createEngine(store);
  try {
    return [await duck.run(req), await other.run(req)];
  } finally {
    await duck.close();
    await other.close();
  }
}

/** Rows without @ptr values (each engine points its own way), but with @ptr's place kept. */
function shape(r: QueryResult): string[][] {
  return r.rows.map((row) => row.map((f) => (f.field === '@ptr' ? '@ptr' : `${f.field}=${f.value}`)));
}

test('the 13 seed queries give identical rows on DuckDB and on Trino over the generated S3 layout (guide data)', async () => {
  for (const q of seeds) {
    const [d, t] = await both(guideStore, trinoEngine(GUIDE), { queryString: q.text });
    assert.equal(t.status, 'Complete', `${q.name}: ${t.error?.message}`);
    assert.deepEqual(t.columns, d.columns, q.name);
    assert.deepEqual(shape(t), shape(d), q.name);
    assert.equal(t.statistics.recordsMatched, d.statistics.recordsMatched, `${q.name} recordsMatched`);
  }
});

test('the 13 seed queries over the Parquet archive give identical rows, @ptr and ties included', async () => {
  for (const q of seeds) {
    const [d, t] = await both(demoStore, trinoEngine(ARCHIVE, true), { queryString: q.text });
    assert.equal(t.status, 'Complete', `${q.name}: ${t.error?.message}`);
    assert.deepEqual(t.rows, d.rows, q.name);
    // The archive carries the store's catalog: the same warnings (Q13's never-seen field).
    assert.deepEqual(
      t.warnings.map((w) => w.code),
      d.warnings.map((w) => w.code),
      q.name,
    );
  }
});

test('over the demo layout (4 regions, many records per file) the seed queries agree up to the order of same-second records of one file', async () => {
  for (const q of seeds) {
    const [d, t] = await both(demoStore, trinoEngine(DEMO), { queryString: q.text });
    assert.equal(t.status, 'Complete', `${q.name}: ${t.error?.message}`);
    if (d.aggregated) {
      assert.deepEqual(shape(t), shape(d), q.name);
      continue;
    }
    // A table read in place has no line numbers: ties in @timestamp within a file may swap.
    const byTime = (r: QueryResult) => {
      const m = new Map<string, string[]>();
      for (const row of shape(r)) {
        const k = row.find((c) => c.startsWith('@timestamp=')) ?? '';
        m.set(k, [...(m.get(k) ?? []), row.join('|')].sort());
      }
      return m;
    };
    assert.equal(t.rows.length, d.rows.length, q.name);
    assert.deepEqual(byTime(t), byTime(d), q.name);
  }
});

function cli(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, BEDROCK_INSIGHTS_DB: '' },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('query --engine trino prints exactly what the DuckDB engine prints, in table, csv and json', () => {
  const files = ['q01-all-logs-basic', 'q07-cost-center'].map((n) => join(QUERIES, `${n}.insights`));
  for (const f of files)
    for (const format of ['table', 'csv', 'json']) {
      const d = cli('query', '-f', f, '--db', guideDb, '--format', format, '-q');
      const t = cli(
        'query',
        '-f',
        f,
        '--engine',
        'trino',
        '--trino-url',
        trino.url,
        '--table',
        GUIDE,
        '--format',
        format,
        '-q',
      );
      assert.equal(d.code, 0, d.err);
      assert.equal(t.code, 0, t.err);
      assert.ok(d.out.split('\n').length > 4, `${f} ${format} prints rows`);
      assert.equal(t.out, d.out, `${f} --format ${format}`);
    }
  const range = ['--start', '2026-10-31T09:00:00Z', '--end', '2026-10-31T12:59:59.999Z', '--format', 'json', '-q'];
  const q = join(QUERIES, 'q08-hourly-trend.insights');
  const d = cli('query', '-f', q, '--db', guideDb, ...range);
  const t = cli('query', '-f', q, '--engine', 'trino', '--trino-url', trino.url, '--table', GUIDE, ...range);
  assert.equal(t.code, 0, t.err);
  assert.equal(t.out, d.out);
  assert.deepEqual([...new Set((JSON.parse(t.out) as { Hour: string }[]).map((r) => r.Hour))].sort(), [
    '2026-10-31 09:00:00.000',
    '2026-10-31 10:00:00.000',
    '2026-10-31 11:00:00.000',
    '2026-10-31 12:00:00.000',
  ]);
});

/** Record files of the layout in the given hour folders (YYYY/MM/DD/HH). */
function hourFiles(root: string, hours: string[]): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.json.gz') && hours.some((h) => relative(root, d).endsWith(h))) out.push(p);
    }
  };
  walk(root);
  return out;
}

test('a time range reads only its hours (and the delivery lag hour): bytesScanned is exactly those files', async () => {
  const req: QueryRequest = {
    queryString: 'stats count(*) as n, sum(input.inputTokenCount) as t by modelId',
    startTime: Date.parse('2026-11-01T13:00:00Z'),
    endTime: Date.parse('2026-11-01T14:59:59.999Z'),
  };
  const [d, t] = await both(demoStore, trinoEngine(DEMO), req);
  assert.deepEqual(shape(t), shape(d));
  const files = hourFiles(demoLogs, ['2026/11/01/13', '2026/11/01/14', '2026/11/01/15']);
  assert.ok(files.length >= 6, 'three hours in several regions');
  const bytes = files.reduce((n, f) => n + statSync(f).size, 0);
  assert.equal(t.statistics.bytesScanned, bytes);
  const all = await trinoEngine(DEMO).run({ queryString: req.queryString });
  assert.ok(t.statistics.bytesScanned * 8 < all.statistics.bytesScanned, 'three hours of 48 are a small part');
  assert.equal(
    t.statistics.recordsScanned,
    files.reduce((n, f) => n + readGzLines(f), 0),
  );
  // The archive prunes by day.
  const [, a] = await both(demoStore, trinoEngine(ARCHIVE, true), req);
  assert.deepEqual(shape(a), shape(d));
  const full = await trinoEngine(ARCHIVE, true).run({ queryString: req.queryString });
  assert.ok(a.statistics.bytesScanned < full.statistics.bytesScanned, 'one day of two');
  // Parquet is read by its footer and the columns used, so the bytes are at most the day's files.
  const day = join(dir, 'archive', 'events', 'day=2026-11-01');
  const dayBytes = readdirSync(day).reduce((n, f) => n + statSync(join(day, f)).size, 0);
  assert.ok(
    a.statistics.bytesScanned > 0 && a.statistics.bytesScanned <= dayBytes,
    `${a.statistics.bytesScanned} > ${dayBytes}`,
  );
});

function readGzLines(f: string): number {
  return gunzipSync(readFileSync(f)).toString('utf8').trim().split('\n').length;
}

test('sums beyond 2^53 are doubles on both engines, as in CloudWatch (a Java service), within double precision', async () => {
  // Arithmetic is in doubles since issue 15 (overflow gives null instead of failing; CloudWatch's
  // numbers are Java doubles), so a sum past 2^53 is exact only to double precision, and the
  // engines may add in different orders: both must be within a few units in the last place.
  const q = {
    queryString:
      'stats sum(input.inputTokenCount * 1000000000007) as big, sum(input.inputTokenCount) as n, count(*) as c',
  };
  const [d, t] = await both(guideStore, trinoEngine(GUIDE), q);
  const n = BigInt(d.rows[0].find((f) => f.field === 'n')?.value ?? '0');
  const exact = n * 1000000000007n;
  assert.ok(exact > 2n ** 53n);
  for (const r of [d, t]) {
    const big = r.rows[0].find((f) => f.field === 'big')?.value ?? '';
    assert.match(big, /^\d+$/, 'an integral double below 2^63 prints as a whole number');
    const err = BigInt(big) - exact;
    const ulp = 2n ** BigInt(exact.toString(2).length - 53);
    assert.ok((err < 0n ? -err : err) <= 16n * ulp, `${big} vs exact ${exact}`);
  }
  assert.equal(t.rows[0].find((f) => f.field === 'n')?.value, String(n));
});

test('cost sums and averages are exact on both engines: the same digits from the Parquet archive on Trino as from the store', async () => {
  // sum/avg of a cost count whole 10^-12 USD in a DECIMAL (docs/semantics.md R2a), so the order
  // each engine adds in does not show; Trino's DECIMAL sum and conversion give DuckDB's digits.
  const q = {
    queryString:
      'stats sum(cost.total) as usd, avg(cost.total) as mean, sum(cost.input) as i, avg(cost.output) as o, sum(cost.cacheRead) as cr, count(*) as n by modelId, bin(1h) as h | sort modelId, h',
  };
  const [d, t] = await both(demoStore, trinoEngine(ARCHIVE, true), q);
  assert.equal(t.status, 'Complete', t.error?.message);
  assert.ok(d.rows.length > 20, `${d.rows.length} groups`);
  assert.ok(
    d.rows.some((r) => /\.\d{6,}/.test(r.find((f) => f.field === 'usd')?.value ?? '')),
    'some sums have many decimals',
  );
  assert.deepEqual(t.rows, d.rows);
});

test('bad input: unreachable Trino, a missing table, a query Trino fails, a silent server: coded errors, no hang', async () => {
  const port = await closedPort();
  const down = cli(
    'query',
    'fields @timestamp | limit 1',
    '--engine',
    'trino',
    '--trino-url',
    `http://127.0.0.1:${port}`,
  );
  assert.equal(down.code, 2);
  assert.match(
    down.err,
    new RegExp(`^error \\[TRINO_UNREACHABLE\\]: Cannot reach Trino at http://127\\.0\\.0\\.1:${port}`),
  );
  const missing = cli(
    'query',
    'fields @timestamp | limit 1',
    '--engine',
    'trino',
    '--trino-url',
    trino.url,
    '--table',
    `hive.${SCHEMA}.nope`,
  );
  assert.equal(missing.code, 2);
  assert.match(missing.err, /^error \[TRINO_TABLE_NOT_FOUND\]: Trino: .*nope_lines.*trino setup/);
  // An archive that is not one: Trino fails reading a broken Parquet file.
  const broken = join(dir, 'broken');
  const { firstDay } = await describeArchive(join(dir, 'archive'));
  for (const d of ['fields', 'log_groups', `events/day=${firstDay}`]) {
    mkdirSync(join(broken, d), { recursive: true });
    writeFileSync(join(broken, d, 'data_0.parquet'), gzipSync('not parquet'));
  }
  await setupTrinoArchive(client, { root: broken, firstDay }, `hive.${SCHEMA}.broken`);
  const failed = cli(
    'query',
    'fields @timestamp | limit 1',
    '--engine',
    'trino',
    '--trino-url',
    trino.url,
    '--table',
    `hive.${SCHEMA}.broken`,
    '--archive',
  );
  assert.equal(failed.code, 2);
  assert.match(failed.err, /^error \[TRINO_QUERY_FAILED\]: Trino: .*\(HIVE_/);
  // Wrong flags are refused before anything is sent.
  const noUrl = cli('query', 'fields @timestamp', '--engine', 'trino');
  assert.match(noUrl.err, /^error \[INVALID_ARGUMENT\]: --engine trino needs --trino-url/);
  const mixed = cli('query', 'fields @timestamp', '--engine', 'trino', '--trino-url', trino.url, '--workgroup', 'w');
  assert.match(mixed.err, /^error \[INVALID_ARGUMENT\]: --workgroup does not apply to --engine trino/);
});

test('a Trino that accepts the connection and never answers: TRINO_TIMEOUT at the --timeout, not a hang', async () => {
  const silent = createServer(() => {
    /* never answers */
  });
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
  const port = (silent.address() as { port: number }).port;
  try {
    const started = Date.now();
    const r = await new Promise<{ code: number | null; err: string }>((resolve) => {
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          CLI,
          'query',
          'fields @timestamp',
          '--engine',
          'trino',
          '--trino-url',
          `http://127.0.0.1:${port}`,
          '--timeout',
          '2',
        ],
        { cwd: ROOT },
      );
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.on('close', (code) => resolve({ code, err }));
    });
    assert.equal(r.code, 2);
    assert.match(r.err, /^error \[TRINO_TIMEOUT\]: Trino did not finish query \(not started\) within 2 s/);
    assert.ok(Date.now() - started < 60_000, 'bounded by the timeout (generous margin for a shared machine)');
  } finally {
    silent.closeAllConnections();
    silent.close();
  }
});

test('export --from reads a delivery layout straight into the archive; the archive answers as the store', async () => {
  const out = join(dir, 'from-layout');
  const r = cli('export', '--from', demoLogs, '--out', out);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^Exported 4,000 events, 2 days \(2026-10-31 to 2026-11-01\), [\d.]+ KB of Parquet/);
  const table = `hive.${SCHEMA}.from_layout`;
  const setup = cli('trino', 'setup', '--trino-url', trino.url, '--archive', out, '--table', table);
  assert.equal(setup.code, 0, setup.err);
  const q = { queryString: readFileSync(join(QUERIES, 'q04-application-by-environment.insights'), 'utf8') };
  const [d, t] = await both(demoStore, trinoEngine(table, true), q);
  assert.deepEqual(t.rows, d.rows);
  // Exporting again replaces the days it writes and keeps the others.
  const again = cli('export', '--from', demoLogs, '--out', out, '--start', '2026-11-01T00:00:00Z');
  assert.match(again.out, /^Exported [\d,]+ events, 1 day \(2026-11-01 to 2026-11-01\)/);
  const [d2, t2] = await both(demoStore, trinoEngine(table, true), q);
  assert.deepEqual(t2.rows, d2.rows);
});

test('Ctrl-C cancels the query on Trino (DELETE of its next URI) and exits 130', async () => {
  // A coordinator that keeps the query running: every poll answers RUNNING with a next URI.
  const deletes: string[] = [];
  let polls = 0;
  const fake = createServer((req, res) => {
    const base = `http://127.0.0.1:${(fake.address() as { port: number }).port}`;
    if (req.method === 'DELETE') {
      deletes.push(req.url ?? '');
      res.writeHead(204).end();
      return;
    }
    polls++;
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(
      JSON.stringify({ id: 'q1', nextUri: `${base}/v1/statement/executing/q1/${polls}`, stats: { state: 'RUNNING' } }),
    );
  });
  await new Promise<void>((r) => fake.listen(0, '127.0.0.1', () => r()));
  const port = (fake.address() as { port: number }).port;
  try {
    const r = await new Promise<{ code: number | null; err: string }>((resolve) => {
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          CLI,
          'query',
          'stats count(*)',
          '--engine',
          'trino',
          '--trino-url',
          `http://127.0.0.1:${port}`,
        ],
        { cwd: ROOT },
      );
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.on('close', (code) => resolve({ code, err }));
      const wait = setInterval(() => {
        if (polls >= 3) {
          clearInterval(wait);
          child.kill('SIGINT');
        }
      }, 20);
    });
    assert.equal(r.code, 130, r.err);
    assert.match(r.err, /query cancelled/);
    assert.ok(
      deletes.some((u) => u.startsWith('/v1/statement/executing/q1/')),
      JSON.stringify(deletes),
    );
  } finally {
    fake.closeAllConnections();
    fake.close();
  }
});

test("the server's limits bound a Trino query as a store query: rows cut at the kept bytes, the time limit stops it", async () => {
  // Kept bytes: the rows of a real query on the real Trino, cut where their estimate passes the bound.
  // No @message: over the layout it lacks the body parts a default store keeps (docs/semantics.md T9).
  const q = {
    queryString: 'fields @timestamp, modelId, requestId, identity.arn | sort @timestamp asc, requestId asc | limit 500',
  };
  const duck = createEngine(guideStore);
  const full = await duck.run(q);
  await duck.close();
  const bound = 20_000;
  const cut = createEngine(undefined, {
    engine: 'trino',
    trino: { url: trino.url, table: GUIDE },
    limits: { maxResultBytes: bound },
  });
  const r = await cut.run(q);
  await cut.close();
  assert.equal(r.status, 'Complete');
  assert.ok(r.rows.length > 0 && r.rows.length < full.rows.length, `${r.rows.length} of ${full.rows.length}`);
  assert.ok(r.warnings.some((w) => w.code === 'RESULT_TOO_LARGE'));
  assert.deepEqual(shape(r), shape(full).slice(0, r.rows.length), 'the kept rows are the first ones');

  // The time limit: a coordinator that never finishes; the run ends Timeout and the query is deleted.
  const deletes: string[] = [];
  const slow = createServer((req, res) => {
    const base = `http://127.0.0.1:${(slow.address() as { port: number }).port}`;
    if (req.method === 'DELETE') {
      deletes.push(req.url ?? '');
      res.writeHead(204).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ id: 'q2', nextUri: `${base}/v1/statement/executing/q2/1`, stats: { state: 'RUNNING' } }));
  });
  await new Promise<void>((done) => slow.listen(0, '127.0.0.1', () => done()));
  try {
    const port = (slow.address() as { port: number }).port;
    const limited = createEngine(undefined, {
      engine: 'trino',
      trino: { url: `http://127.0.0.1:${port}`, table: GUIDE },
      limits: { timeoutMs: 1000 },
    });
    // The catalog needs no server (a layout table lists every field); the query itself hangs.
    const t = await limited.run({ queryString: 'stats count(*)' });
    await limited.close();
    assert.equal(t.status, 'Timeout');
    assert.equal(t.error?.code, 'QUERY_TIMEOUT');
    assert.ok(
      deletes.some((u) => u.startsWith('/v1/statement/executing/q2/')),
      JSON.stringify(deletes),
    );
  } finally {
    slow.closeAllConnections();
    slow.close();
  }
});
