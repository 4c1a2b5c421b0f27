/**
 * `check` as the CI linter of saved queries: many files (and folders) in one process, no store
 * needed (log groups it cannot see are warnings), and a start-up that loads only the front end
 * (no DuckDB) when no store is given. Spawns the built CLI: run `npm run build` first.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeStore, bedrock } from '../engines/helpers.js';

const BIN = new URL('../../bin/bedrock-insights.js', import.meta.url).pathname;
const QUERIES = new URL('../../queries/', import.meta.url).pathname;
const TRACE_NATIVE = new URL('./trace-native.mjs', import.meta.url).pathname;
let dir = '';
let db = '';

function node(args: string[], input?: string) {
  const r = spawnSync(process.execPath, args, {
    encoding: 'utf8',
    env: { ...process.env, BEDROCK_INSIGHTS_DB: '' },
    ...(input !== undefined ? { input } : {}),
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
const cli = (...args: string[]) => node([BIN, ...args]);

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bi-check-'));
  db = join(dir, 'store.duckdb');
  const store = await makeStore([{ ts: '2026-01-01T10:05:00.000Z', record: bedrock({ app: 'A' }) }], { path: db });
  store.close();
  mkdirSync(join(dir, 'lint', 'nested'), { recursive: true });
  writeFileSync(join(dir, 'lint', 'a.insights'), 'stats count(*) by bin(5m)');
  writeFileSync(join(dir, 'lint', 'nested', 'b.insights'), 'fields x\n| sort bin(1d) desc');
  writeFileSync(join(dir, 'lint', 'notes.txt'), 'not a query');
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('without a store, SOURCE naming a log group is checked and only warned about', () => {
  const r = cli('check', "SOURCE '/aws/bedrock/modelinvocations' | stats count(*) by modelId");
  assert.equal(r.code, 0, r.out + r.err);
  assert.match(r.out, /warning LOG_GROUP_UNSEEN at line 1, column 0: .*\/aws\/bedrock\/modelinvocations/);
  assert.match(r.out, /^valid \(1 warning\)$/m);
  // Semantics are still checked without a store.
  const bad = cli('check', "SOURCE '/aws/bedrock/modelinvocations' | stats nosuchfn(x)");
  assert.equal(bad.code, 1);
  assert.match(bad.out, /UNKNOWN_FUNCTION/);
  // --log-group names are unseen too.
  const lg = cli('check', 'fields @message', '--log-group', '/x', '--format', 'json');
  assert.equal(lg.code, 0, lg.out);
  assert.deepEqual(
    JSON.parse(lg.out).diagnostics.map((d: { code: string }) => d.code),
    ['LOG_GROUP_UNSEEN'],
  );
});

test('with a store, a log group it does not hold is an error, as StartQuery would answer', () => {
  const r = cli('check', "SOURCE '/aws/bedrock/nosuch' | stats count(*)", '--db', db);
  assert.equal(r.code, 1, r.out);
  assert.match(r.out, /error LOG_GROUP_NOT_FOUND/);
  assert.equal(cli('check', "SOURCE '/aws/bedrock/modelinvocations' | stats count(*)", '--db', db).code, 0);
});

test('many files in one process: -f repeated, folders recursively (*.insights), stdin; exit 1 if one is not valid', () => {
  const r = cli('check', '-f', join(dir, 'lint'), '-f', '-');
  // stdin is empty here: an empty query is not valid.
  assert.equal(r.code, 1);
  const files = cli('check', '-f', join(dir, 'lint'), '--format', 'json');
  assert.equal(files.code, 1);
  const doc = JSON.parse(files.out) as {
    valid: boolean;
    files: { file: string; valid: boolean; diagnostics: { code: string }[] }[];
  };
  assert.equal(doc.valid, false);
  assert.deepEqual(
    doc.files.map((f) => [f.file.slice(dir.length), f.valid, f.diagnostics.map((d) => d.code)]),
    [
      ['/lint/a.insights', true, []],
      ['/lint/nested/b.insights', false, ['PARSE_SORT_KEY_NOT_NAME']],
    ],
  );
  const text = cli('check', '-f', join(dir, 'lint', 'a.insights'), '-f', join(dir, 'lint', 'nested', 'b.insights'));
  assert.equal(text.code, 1);
  assert.match(text.out, /a\.insights\nvalid\n/);
  assert.match(text.out, /b\.insights\nerror PARSE_SORT_KEY_NOT_NAME at line 2/);
  assert.match(text.out, /^2 queries: 1 valid, 1 not valid$/m);
  const stdin = node([BIN, 'check', '-f', '-'], 'fields @timestamp | limit 5');
  assert.equal(stdin.code, 0, stdin.out);
  // One query keeps the single-query JSON shape.
  assert.deepEqual(JSON.parse(cli('check', 'fields a', '--format', 'json').out), { valid: true, diagnostics: [] });
  assert.equal(cli('check', '-f', join(dir, 'none')).code, 2);
  assert.equal(cli('check', 'fields a', '-f', join(dir, 'lint')).code, 2);
});

test('every saved query of queries/ is valid, checked twice in one process that never loads DuckDB', () => {
  const n = readdirSync(join(QUERIES, 'bedrock')).filter((f) => f.endsWith('.insights')).length;
  const r = node(['--import', TRACE_NATIVE, BIN, 'check', '-f', QUERIES, '-f', QUERIES]);
  assert.equal(r.code, 0, r.out + r.err);
  assert.match(r.out, new RegExp(`^${2 * n} queries: ${2 * n} valid, 0 not valid$`, 'm'));
  const native = /^native=(.*)$/m.exec(r.err);
  assert.ok(native, r.err);
  assert.deepEqual(JSON.parse(native[1]), [], 'check without a store loaded a native addon');
  // With a store, DuckDB is loaded (the trace sees native addons).
  const withDb = node(['--import', TRACE_NATIVE, BIN, 'check', 'fields a', '--db', db]);
  assert.equal(withDb.code, 0, withDb.err);
  assert.match(/^native=(.*)$/m.exec(withDb.err)?.[1] ?? '', /duckdb/i);
});

test('a diff query is valid to check, with or without a store: its range comes with each run', () => {
  // A saved query has no range; refusing it here (DIFF_NEEDS_RANGE) would fail every CI lint of it.
  for (const args of [[], ['--db', db]]) {
    const ok = cli('check', 'pattern @message | diff previousDay | anomaly', ...args);
    assert.equal(ok.code, 0, ok.out + ok.err);
    assert.match(ok.out, /^valid/m);
    // diff is still checked: not after pattern, or after a command that is not event by event.
    const misplaced = cli('check', 'fields @message | diff', ...args);
    assert.equal(misplaced.code, 1, misplaced.out);
    assert.match(misplaced.out, /RULE_DIFF_AFTER_PATTERN/);
    const notRowWise = cli('check', 'limit 5 | pattern @message | diff', ...args);
    assert.equal(notRowWise.code, 1, notRowWise.out);
    assert.match(notRowWise.out, /DIFF_NEEDS_EVENTS/);
  }
  // Running it without a range is still refused: the run is when the range must be there.
  const run = cli('query', 'pattern @message | diff', '--db', db);
  assert.equal(run.code, 1, run.out + run.err);
  assert.match(run.err, /DIFF_NEEDS_RANGE/);
});
