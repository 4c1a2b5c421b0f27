import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEngine } from '../../src/engines/factory.js';
import type { QueryEngine } from '../../src/engines/engine.js';
import { DEMO_APPLICATION_PROFILE_ARN } from '../../src/demo/world.js';
import { runQuery } from '../../src/reports/query.js';
import type { UsageTable } from '../../src/reports/usage-table.js';
import { Store } from '../../src/store/store.js';
import { demoStore } from './demo-fixture.js';
import { runCli } from './helpers.js';

/**
 * Money a FinOps team can trust unattended, on the demo data (45 days ending 2026-11-01, ingested
 * through the real ingest so the field catalog is there): the CLI's warnings and exit codes, the
 * width of its tables, and the daily/monthly totals against `stats sum(cost.total)`.
 */
let store: Store;
let dir: string;
let dbPath: string;
let engine: QueryEngine;

before(async () => {
  ({ store, dir, dbPath } = await demoStore());
  engine = createEngine(store);
});
after(async () => {
  await engine.close();
  store.close();
});

/** The real program (helpers.ts runCli); the CLI opens the store itself, so ours is closed meanwhile. */
async function run(args: string[], out = true): Promise<{ code: number; out: string; err: string }> {
  await engine.close();
  store.close();
  try {
    return await runCli(dir, args, out);
  } finally {
    store = await Store.open(dbPath);
    engine = createEngine(store);
  }
}

async function sql(text: string): Promise<unknown[][]> {
  return (await store.connection.runAndReadAll(text)).getRows();
}

const OCT = { start: Date.UTC(2026, 9, 1), end: Date.UTC(2026, 10, 1) };

test('a mistyped --by warns with did-you-mean and the keys that exist; --strict exits 1', async () => {
  const r = await run(['chargeback', '--db', dbPath, '--by', 'cost_centre', '--month', '2026-10']);
  assert.equal(r.code, 0, 'without --strict the statement is still written');
  const [[tagged, all]] = (await sql(
    `SELECT count(*) FILTER (WHERE request_metadata['cost_center'] IS NOT NULL), count(*) FROM events
     WHERE kind = 'bedrock' AND ts >= ${OCT.start} AND ts < ${OCT.end}`,
  )) as [[bigint, bigint]];
  const share = ((Number(tagged) / Number(all)) * 100).toFixed(1);
  assert.match(
    r.err,
    new RegExp(
      `warning: No invocation in 2026-10 has requestMetadata\\.cost_centre, so all of its spend would be untagged; did you mean cost_center \\(on ${share}% of invocations\\)\\?`,
    ),
  );
  assert.match(r.err, /Keys present in 2026-10: .*cost_center \d+\.\d%.*tenant_id \d+\.\d%/);
  assert.match(r.out, /WARNING: No invocation in 2026-10 has requestMetadata\.cost_centre/);
  const strict = await run(['chargeback', '--db', dbPath, '--by', 'cost_centre', '--month', '2026-10', '--strict']);
  assert.equal(strict.code, 1);
  // The right key: no warning, and its coverage in the statement.
  const ok = await run(['chargeback', '--db', dbPath, '--by', 'cost_center', '--month', '2026-10', '--strict']);
  assert.equal(ok.code, 0, ok.err);
  assert.doesNotMatch(ok.err, /warning/);
  assert.match(
    ok.out,
    new RegExp(`Owner key: requestMetadata\\.cost_center is set on ${share}% of the period's invocations`),
  );
});

test('an empty month says it has no data and where the data is; coverage n/a; --strict exits 1', async () => {
  const [[first, last]] = (await sql(`SELECT min(ts), max(ts) FROM events WHERE kind = 'bedrock'`)) as [
    [bigint, bigint],
  ];
  const minute = (ms: bigint) => `${new Date(Number(ms)).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  const r = await run(['chargeback', '--db', dbPath, '--by', 'cost_center', '--month', '2026-08']);
  assert.equal(r.code, 0);
  assert.match(
    r.err,
    new RegExp(`no invocations in 2026-08; the store covers ${minute(first)} \\.\\. ${minute(last)}`),
  );
  assert.match(r.out, /NO DATA: no invocations in 2026-08/);
  assert.match(r.out, /Price coverage: n\/a of tokens priced/);
  assert.doesNotMatch(r.out, /100\.00%/);
  assert.equal(
    (await run(['chargeback', '--db', dbPath, '--by', 'cost_center', '--month', '2026-08', '--strict'])).code,
    1,
  );
  const report = await run(
    ['report', '--db', dbPath, '--period', '2026-08', '--strict', '--out', join(dir, 'aug.html')],
    false,
  );
  assert.equal(report.code, 1);
  assert.match(report.err, /no invocations in 2026-08/);
  assert.match(readFileSync(join(dir, 'aug.html'), 'utf8'), /No invocations in 2026-08/);
  // A partial month is labelled (the data starts on September 17th).
  const sep = await run(['chargeback', '--db', dbPath, '--by', 'cost_center', '--month', '2026-09']);
  assert.match(sep.err, new RegExp(`note: 2026-09 is partial: data from ${minute(first)}`));
  assert.match(sep.out, /Period: .*; partial: data from/);
});

test('a mistyped --db is refused, never turned into an empty store and a $0 statement', async () => {
  const typo = join(dir, 'typo.duckdb');
  for (const args of [
    ['chargeback', '--by', 'cost_center', '--month', '2026-10'],
    ['report', '--period', '2026-10'],
    ['daily'],
    ['monthly'],
  ]) {
    const r = await run([...args, '--db', typo]);
    assert.equal(r.code, 2, args[0]);
    assert.match(r.err, /STORE_MISSING.*no store at .*typo\.duckdb/, args[0]);
    assert.equal(existsSync(typo), false, `${args[0]} created no store`);
  }
});

test('the chargeback table fits 120 columns (abbreviated ids, unpriced tokens beside the cost); CSV keeps full ids', async () => {
  const r = await run(['chargeback', '--db', dbPath, '--by', 'cost_center', '--month', '2026-10']);
  const tableLines = r.out.split('\n').filter((l) => /^(OWNER|-{5}|\S.*\$[\d,]+\.\d\d|\s{4,}\S)/.test(l));
  assert.ok(tableLines.length > 10);
  const widest = Math.max(...tableLines.map((l) => l.length));
  assert.ok(widest <= 120, `widest table line ${widest}: ${tableLines.find((l) => l.length === widest)}`);
  // The unmapped application profile is not a bare $0.00: its unpriced tokens are beside it.
  const [[arnTokens]] = (await sql(
    `SELECT sum(coalesce(input_tokens,0)+coalesce(output_tokens,0)+coalesce(cache_read_tokens,0)+coalesce(cache_write_tokens,0))
     FROM events WHERE model_id = '${DEMO_APPLICATION_PROFILE_ARN}' AND price_version IS NULL AND ts >= ${OCT.start} AND ts < ${OCT.end}`,
  )) as [[bigint]];
  assert.match(r.out, /app-profile\/k3m9x2p7q1ab .*\$0\.00 +\+[\d.]+[KM]? tokens unpriced/);
  assert.ok(
    r.out.includes(`  ${DEMO_APPLICATION_PROFILE_ARN}: `) &&
      r.out.includes(`, ${Number(arnTokens).toLocaleString('en-US')} tokens`),
    'the unpriced section has the exact tokens',
  );
  const csv = await run(['chargeback', '--db', dbPath, '--by', 'cost_center', '--month', '2026-10', '--format', 'csv']);
  assert.ok(csv.out.includes(DEMO_APPLICATION_PROFILE_ARN), 'CSV has the full ARN');
  const wide = await run(['chargeback', '--db', dbPath, '--by', 'cost_center', '--month', '2026-10', '--wide']);
  assert.ok(wide.out.includes(DEMO_APPLICATION_PROFILE_ARN), '--wide has the full ARN');
});

test('daily and monthly: totals equal stats sum(cost.total) over the same range, per model too', async () => {
  const expected = (
    await runQuery(
      engine,
      'filter ispresent(modelId) | stats sum(cost.total) as cost, sum(cost.unpricedTokens) as unpriced, count(*) as n',
      OCT,
    )
  )[0];
  const daily = await run(['daily', '--db', dbPath, '--since', '2026-10-01', '--until', '2026-10-31', '--json']);
  assert.equal(daily.code, 0, daily.err);
  const d = JSON.parse(daily.out) as UsageTable;
  assert.deepEqual([d.start, d.end], [OCT.start, OCT.end]);
  assert.equal(d.rows.length, 31);
  assert.ok(Math.abs(d.totals.cost - Number(expected.cost)) < 1e-9, `${d.totals.cost} vs ${expected.cost}`);
  assert.equal(d.totals.unpricedTokens, Number(expected.unpriced));
  assert.equal(d.totals.requests, Number(expected.n));
  assert.ok(d.totals.cacheSavings > 0, 'the demo caches');
  const byModel = JSON.parse(
    (await run(['daily', '--db', dbPath, '--since', '2026-10-01', '--until', '2026-10-31', '--by', 'model', '--json']))
      .out,
  ) as UsageTable;
  assert.ok(Math.abs(byModel.totals.cost - Number(expected.cost)) < 1e-9);
  assert.ok(byModel.rows.some((r) => r.group === DEMO_APPLICATION_PROFILE_ARN && r.unpricedTokens > 0));
  const monthly = JSON.parse(
    (await run(['monthly', '--db', dbPath, '--since', '2026-10-01', '--until', '2026-10-31', '--json'])).out,
  ) as UsageTable;
  assert.deepEqual(
    monthly.rows.map((r) => r.period),
    ['2026-10'],
  );
  assert.ok(Math.abs(monthly.totals.cost - Number(expected.cost)) < 1e-9);
  // The table fits a terminal and has a totals row.
  const table = (await run(['monthly', '--db', dbPath, '--by', 'application'])).out;
  assert.match(
    table,
    /^MONTH +APPLICATION +REQUESTS +INPUT +OUTPUT +CACHE RD +CACHE WR +TOKENS +COST +SAVED +UNPRICED$/m,
  );
  assert.match(table, /^2026-09 /m);
  assert.match(table, /^TOTAL /m);
  assert.match(table, /\(untagged\)/);
  const widest = Math.max(...table.split('\n').map((l) => l.length));
  assert.ok(widest <= 120, `widest line ${widest}`);
  const bad = await run(['daily', '--db', dbPath, '--since', 'yesterday']);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /--since yesterday: use an ISO-8601 time/);
});
