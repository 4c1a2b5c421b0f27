import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeStore, bedrock } from '../engines/helpers.js';

// Spawns the built CLI: run `npm run build` first.
const BIN = new URL('../../bin/bedrock-insights.js', import.meta.url).pathname;
let dir = '';
let db = '';

function cli(...args: string[]) {
  return node([BIN, ...args]);
}

function node(args: string[]) {
  const r = spawnSync(process.execPath, args, {
    encoding: 'utf8',
    env: { ...process.env, BEDROCK_INSIGHTS_DB: '' },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'h4-cli-'));
  db = join(dir, 'store.duckdb');
  const store = await makeStore(
    [
      { ts: '2026-01-01T10:05:00.000Z', record: bedrock({ app: 'A', input: 100, output: 50 }) },
      { ts: '2026-01-01T10:15:00.000Z', record: bedrock({ app: 'A, "quoted"', input: 200, output: 7 }) },
      { ts: '2026-01-02T11:05:00.000Z', record: bedrock({ app: 'B', input: 6000, output: 10 }) },
    ],
    { path: db },
  );
  store.close();
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('query --format json: array of objects keyed by column, numbers as JSON numbers', () => {
  const r = cli(
    'query',
    'stats sum(input.inputTokenCount) as t, avg(output.outputTokenCount) as o by requestMetadata.application_name as app | sort t desc',
    '--db',
    db,
    '--format',
    'json',
  );
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(JSON.parse(r.out), [
    { app: 'B', t: 6000, o: 10 },
    { app: 'A, "quoted"', t: 200, o: 7 },
    { app: 'A', t: 100, o: 50 },
  ]);
});

test('query --format csv: RFC 4180 with header; -f FILE; --start/--end inclusive', () => {
  const f = join(dir, 'q.insights');
  writeFileSync(f, 'fields requestMetadata.application_name as app, input.inputTokenCount as n | sort n asc');
  const r = cli(
    'query',
    '-f',
    f,
    '--db',
    db,
    '--format',
    'csv',
    '--start',
    '2026-01-01T10:05:00Z',
    '--end',
    String(Date.parse('2026-01-01T10:15:00Z')),
  );
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, 'app,n\r\nA,100\r\n"A, ""quoted""",200\r\n');
});

test('query --format table: aligned columns; warnings on stderr', () => {
  const r = cli('query', 'fields modelId, output.outputTokens as x | stats count(*) as n by modelId', '--db', db);
  assert.equal(r.code, 0, r.err);
  const lines = r.out.trimEnd().split('\n');
  assert.match(lines[0], /^modelId\s+n$/);
  assert.match(lines[1], /^-+ {2}-$/);
  assert.match(lines[2], /^anthropic\.claude-3-haiku-20240307-v1:0 {2}3$/);
  assert.match(r.err, /did you mean output\.outputTokenCount\?/);
});

test('query --format table rounds long decimals for reading; csv keeps every digit', () => {
  const q = 'filter input.inputTokenCount = 100 | fields input.inputTokenCount / 3 as third';
  const table = cli('query', q, '--db', db, '-q');
  assert.equal(table.code, 0, table.err);
  assert.equal(table.out.trimEnd().split('\n')[2], '33.333333');
  const csv = cli('query', q, '--db', db, '--format', 'csv', '-q');
  assert.equal(csv.code, 0, csv.err);
  assert.match(csv.out, /^third\r\n33\.33333333333333\d*\r\n$/);
});

test('query --no-row-cap --format json streams every row', () => {
  const r = cli('query', 'fields @timestamp', '--db', db, '--format', 'json', '--no-row-cap', '-q');
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(
    JSON.parse(r.out).map((o: Record<string, string>) => o['@timestamp']),
    ['2026-01-02 11:05:00.000', '2026-01-01 10:15:00.000', '2026-01-01 10:05:00.000'],
  );
});

test('query --no-row-cap --format csv: the summary counts the streamed rows', () => {
  const r = cli('query', 'fields @timestamp', '--db', db, '--format', 'csv', '--no-row-cap');
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out.trim().split('\n').length, 4);
  assert.match(r.err, /^3 rows;/m);
});

test('query with a malformed query: diagnostics with caret on stderr, exit 1', () => {
  const r = cli('query', 'stats count(*) by bin(5m) | relevantfields where x = 1', '--db', db);
  assert.equal(r.code, 1);
  assert.match(r.err, /UNSUPPORTED_COMMAND/);
  assert.match(r.err, /\^/);
});

test('check: exit 0 when valid (warnings allowed), 1 when not; json format', () => {
  const ok = cli('check', 'fields output.outputTokens', '--db', db);
  assert.equal(ok.code, 0, ok.err);
  assert.match(ok.out, /warning FIELD_NEVER_SEEN at line 1, column 7/);
  const bad = cli('check', 'fields x\n| sort bin(1d) desc');
  assert.equal(bad.code, 1);
  assert.match(bad.out, /at line 2/);
  const j = cli('check', 'fields nosuchfn(1)', '--format', 'json');
  assert.equal(j.code, 1);
  const parsed = JSON.parse(j.out);
  assert.equal(parsed.valid, false);
  assert.equal(parsed.diagnostics[0].code, 'UNKNOWN_FUNCTION');
});

test('query without a store says how to make one', () => {
  const r = cli('query', 'fields @message', '--db', join(dir, 'none.duckdb'));
  assert.equal(r.code, 2);
  assert.match(r.err, /ingest/);
});

// The hook counts the queries that go through the engine's front end (expansion, parse, rules,
// analysis): one per CLI query, whatever path the rows take. Before, `query` prepared once to
// get the columns and again inside run().
const TRACE_PREPARES = new URL('./trace-prepares.mjs', import.meta.url).pathname;
function prepares(...args: string[]) {
  const r = node(['--import', TRACE_PREPARES, BIN, ...args]);
  const m = /^prepares=(\d+)$/m.exec(r.err);
  assert.ok(m, `no prepare count in: ${r.err}`);
  return { ...r, count: Number(m[1]) };
}

test('a CLI query is parsed and analysed once (table, streamed csv, json, and check)', () => {
  const q = 'stats sum(input.inputTokenCount) as t by requestMetadata.application_name as app | sort t desc';
  for (const extra of [[], ['--format', 'csv', '--no-row-cap'], ['--format', 'json']]) {
    const r = prepares('query', q, '--db', db, ...extra);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /6000/);
    assert.equal(r.count, 1, `${extra.join(' ')}: ${r.count} prepares`);
  }
  const bad = prepares('query', 'stats count(*) by nosuchfn(1)', '--db', db);
  assert.equal(bad.code, 1);
  assert.equal(bad.count, 1);
  const check = prepares('check', q, '--db', db);
  assert.equal(check.code, 0, check.err);
  assert.equal(check.count, 1);
});
