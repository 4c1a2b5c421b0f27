/**
 * `query --explain` (issue 12 item 3): which relation answered, through the built CLI over a
 * store made by the real `generate` and `ingest` commands (so the roll-up is the one ingest
 * maintains), and the same rows with BEDROCK_INSIGHTS_ROLLUPS=off.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

// Spawns the built CLI: run `npm run build` first.
const BIN = new URL('../../bin/bedrock-insights.js', import.meta.url).pathname;
const Q2 = new URL('../../queries/bedrock/q02-tokens-by-application.insights', import.meta.url).pathname;
let dir = '';
let db = '';

function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, BEDROCK_INSIGHTS_DB: '', BEDROCK_INSIGHTS_ROLLUPS: '', ...env },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'bi-explain-'));
  db = join(dir, 'store.duckdb');
  const data = join(dir, 'd.jsonl');
  const g = cli(['generate', '--out', data, '--records', '3000', '--days', '2', '--end', '2026-06-04T00:00:00Z']);
  assert.equal(g.code, 0, g.err);
  const i = cli(['ingest', data, '--db', db]);
  assert.equal(i.code, 0, i.err);
});
after(() => rmSync(dir, { recursive: true, force: true }));

const WHOLE_HOURS = ['--start', '2026-06-02T00:00:00Z', '--end', '2026-06-03T23:59:59.999Z'];

test('query --explain: Q2 over whole hours is answered from the hourly roll-up, with the same rows as from the events', () => {
  const r = cli(['query', '--db', db, '-f', Q2, ...WHOLE_HOURS, '--explain']);
  assert.equal(r.code, 0, r.err);
  const lines = r.out.trim().split('\n');
  assert.equal(lines[0], 'plan: stats (5 aggregates, 1 key) | sort');
  assert.equal(lines[1], 'answered by: hourly roll-up (2026-06-02 00:00 to 2026-06-04 00:00 UTC)');
  assert.match(lines[2], /^7 rows; 3000 records matched, 3000 scanned, \d+ bytes, 1 log group$/);
  const on = cli(['query', '--db', db, '-f', Q2, ...WHOLE_HOURS, '--format', 'json']);
  const off = cli(['query', '--db', db, '-f', Q2, ...WHOLE_HOURS, '--format', 'json'], {
    BEDROCK_INSIGHTS_ROLLUPS: 'off',
  });
  assert.equal(on.code, 0, on.err);
  assert.equal(JSON.parse(on.out).length, 7);
  assert.equal(on.out, off.out);
  assert.equal(on.err, off.err, 'the same statistics line');
});

test('query --explain: a range cut inside hours reads its edge hours from the events', () => {
  const r = cli([
    'query',
    '--db',
    db,
    '--explain',
    '--start',
    '2026-06-02T00:20:00Z',
    '--end',
    '2026-06-03T12:10:00Z',
    'stats count(*) as n by bin(1h)',
  ]);
  assert.equal(r.code, 0, r.err);
  assert.match(
    r.out,
    /answered by: hourly roll-up \(2026-06-02 01:00 to 2026-06-03 12:00 UTC\); events for the partly covered edge hours/,
  );
});

test('query --explain: a query the roll-up cannot answer says the events answered, and why', () => {
  const cases: [string, RegExp][] = [
    [
      'stats pct(input.inputTokenCount, 90) by modelId',
      /answered by: events \(pct\(\) is not answered from the roll-up/,
    ],
    ['stats stddev(cost.total) by modelId', /answered by: events \(stddev\(\) is not answered from the roll-up/],
    [
      'filter input.inputTokenCount > 100 | stats count(*)',
      /answered by: events \(a filter before stats reads more than roll-up dimensions: input\.inputTokenCount/,
    ],
    ['stats count(*) by bin(30m)', /answered by: events \(stats … by: bin\(\) by a period that is not whole hours\)/],
    ['fields modelId | limit 3', /answered by: events \(not a stats query\)/],
  ];
  for (const [q, want] of cases) {
    const r = cli(['query', '--db', db, ...WHOLE_HOURS, '--explain', q]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, want, q);
  }
});

test('query --explain: a cost sum is answered from the roll-up, the same digits as from the events', () => {
  const q = 'stats sum(cost.total) as usd, avg(cost.output) as o by modelId, bin(1h) | sort modelId';
  const r = cli(['query', '--db', db, ...WHOLE_HOURS, '--explain', q]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /answered by: hourly roll-up/);
  const on = cli(['query', '--db', db, ...WHOLE_HOURS, '--format', 'json', q]);
  const off = cli(['query', '--db', db, ...WHOLE_HOURS, '--format', 'json', q], { BEDROCK_INSIGHTS_ROLLUPS: 'off' });
  assert.equal(on.code, 0, on.err);
  assert.ok(JSON.parse(on.out).length > 10);
  assert.equal(on.out, off.out);
});

test('query --explain: events written by plain SQL behind the store are read from the events, and the next ingest rebuilds the roll-up', async () => {
  const copy = join(dir, 'behind.duckdb');
  copyFileSync(db, copy);
  const inst = await DuckDBInstance.create(copy);
  const c = await inst.connect();
  await c.run(
    "INSERT INTO events BY NAME SELECT * REPLACE (seq + 1000000 AS seq, event_key || '#x' AS event_key) FROM events ORDER BY seq LIMIT 40",
  );
  c.closeSync();
  inst.closeSync();
  const r = cli(['query', '--db', copy, '-f', Q2, ...WHOLE_HOURS, '--explain']);
  assert.equal(r.code, 0, r.err);
  assert.match(
    r.out,
    /answered by: events \(the roll-up covers 3000 events where the store holds 3040: events were written without marking the roll-up/,
  );
  const off = cli(['query', '--db', copy, '-f', Q2, ...WHOLE_HOURS], { BEDROCK_INSIGHTS_ROLLUPS: 'off' });
  const on = cli(['query', '--db', copy, '-f', Q2, ...WHOLE_HOURS]);
  assert.equal(on.out, off.out, 'the events answered: the 40 copies counted');
  // Any write through the store refreshes the roll-up, finds it short and rebuilds it.
  const more = join(dir, 'more.jsonl');
  assert.equal(
    cli(['generate', '--out', more, '--records', '5', '--days', '1', '--end', '2026-06-04T00:00:00Z', '--seed', '9'])
      .code,
    0,
  );
  const i = cli(['ingest', more, '--db', copy]);
  assert.equal(i.code, 0, i.err);
  const again = cli(['query', '--db', copy, '-f', Q2, ...WHOLE_HOURS, '--explain']);
  assert.match(again.out, /answered by: hourly roll-up/);
});

test('BEDROCK_INSIGHTS_ROLLUPS=off: --explain says the events answered because roll-ups are off', () => {
  const r = cli(['query', '--db', db, '-f', Q2, ...WHOLE_HOURS, '--explain'], { BEDROCK_INSIGHTS_ROLLUPS: 'off' });
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /answered by: events \(roll-ups are off: BEDROCK_INSIGHTS_ROLLUPS=off/);
});
