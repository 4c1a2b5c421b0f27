import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, defaultWebRoot, type RunningServer } from '../../src/api/server.js';
import { Store } from '../../src/store/store.js';
import { insertInvocations, OCT, tempDir } from '../reports/helpers.js';
import { artifact, launchBrowser } from './harness.js';

/**
 * The Cost page in Chromium over a store with known costs: three cost centers at 1/3 of $0.10
 * each, $0.05 untagged, one unpriced call; plus a September call (the previous period).
 */
let store: Store;
let server: RunningServer;
const START = Date.UTC(2026, 9, 1);
const END = Date.UTC(2026, 9, 31, 23, 59, 59, 999);

before(async () => {
  if (!existsSync(join(defaultWebRoot(), 'index.html')))
    throw new Error('The console is not built: run "npm run build" first.');
  store = await Store.open(join(tempDir('h9-cost-e2e-'), 'store.duckdb'));
  const third = 0.1 / 3;
  await insertInvocations(store, [
    {
      ts: OCT(2),
      model: 'us.anthropic.claude-haiku-4-5-20251001-v1:0',
      meta: { cost_center: 'CC-A', tenant_id: 't1' },
      cost: third,
    },
    {
      ts: OCT(3),
      model: 'us.anthropic.claude-haiku-4-5-20251001-v1:0',
      meta: { cost_center: 'CC-B', tenant_id: 't1' },
      cost: third,
    },
    {
      ts: OCT(4),
      model: 'anthropic.claude-sonnet-4-5-20250929-v1:0',
      meta: { cost_center: 'CC-C', tenant_id: 't2' },
      cost: third,
    },
    { ts: OCT(5), model: 'mistral.mistral-large-2407-v1:0', cost: 0.05 },
    { ts: OCT(6), model: 'acme.unknown-model-v1', meta: { cost_center: 'CC-A' }, cost: null, input: 600, output: 400 },
    { ts: Date.UTC(2026, 8, 20), model: 'mistral.mistral-large-2407-v1:0', cost: 0.5 },
  ]);
  server = await startServer({ store, port: 0 });
});

after(async () => {
  await server?.close();
  store?.close();
});

test("the Cost page shows the range's figures, breaks down by any key, and downloads a statement that adds up", async () => {
  const b = await launchBrowser({ width: 1400, height: 1000 });
  try {
    const page = b.ctx.pages()[0] ?? (await b.ctx.newPage());
    await page.goto(`${server.url}/query`);
    await page.click('[data-testid="nav-cost"]');
    await page.waitForSelector('[data-testid="cost-page"]');
    // An absolute range over October, in the URL like every console state.
    await page.goto(`${server.url}/cost?r=${START}-${END}&utc=1`);
    await page.waitForSelector('[data-testid="kpi-cost"] .total-value');
    await page.waitForFunction(
      () => document.querySelector('[data-testid="kpi-cost"] .total-value')?.textContent === '$0.15',
    );
    // September holds one call on the 20th: the previous range is only partly covered, so no "▼ 70%".
    assert.match(
      (await page.textContent('[data-testid="kpi-cost"] .total-change:last-child'))!,
      /previous period only partly covered \(data from 2026-09-20/,
    );
    assert.equal(await page.textContent('[data-testid="statement-total"]'), '$0.15');
    // 1/3 of $0.10 each: 4, 3 and 3 cents; untagged 5 cents on its own line.
    // The amount is a cell's first text; a note of unpriced tokens may follow it.
    const statement = await page.$$eval('[data-testid="statement-table"] tbody tr', (rows) =>
      rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.childNodes[0]?.textContent ?? '')),
    );
    const amounts = Object.fromEntries(statement.map((r) => [r[0], r[1]]));
    assert.deepEqual([amounts['CC-A'], amounts['CC-B'], amounts['CC-C']].sort(), ['$0.03', '$0.03', '$0.04']);
    assert.equal(amounts['(untagged)'], '$0.05');
    assert.match((await page.textContent('[data-testid="kpi-untagged"]'))!, /\$0\.05.*33\.3% of cost/);
    const coverage = (await page.textContent('[data-testid="coverage-panel"]'))!;
    // Abbreviated in the table, the full id on hover.
    assert.match(coverage, /unknown-model/);
    assert.equal(
      await page.getAttribute('[data-testid="coverage-panel"] td.cost-name', 'title'),
      'acme.unknown-model-v1',
    );
    const tokens = 3 * 150 + 150 + 1000;
    assert.ok(
      coverage.includes(
        `${(((tokens - 1000) / tokens) * 100).toFixed(2)}% of ${tokens.toLocaleString('en-US')} tokens priced`,
      ),
      coverage,
    );
    await page.waitForSelector('.chart[data-rendered="true"]');
    await page.screenshot({ path: artifact('cost-page.png'), fullPage: true });

    // Break down by another key: tenant_id.
    await page.fill('[data-testid="cost-by"]', 'tenant_id');
    await page.press('[data-testid="cost-by"]', 'Enter');
    await page.waitForFunction(() => new URL(location.href).searchParams.get('by') === 'tenant_id');
    await page.waitForFunction(() =>
      [...document.querySelectorAll('[data-testid="breakdown-table"] td')].some((td) => td.textContent === 't2'),
    );
    const breakdown = await page.$$eval('[data-testid="breakdown-table"] tbody tr', (rows) =>
      rows.map((r) => [...r.querySelectorAll('td')].slice(0, 2).map((td) => td.childNodes[0]?.textContent ?? '')),
    );
    assert.deepEqual(breakdown, [
      ['t1', '$0.07'],
      ['t2', '$0.03'],
      ['(untagged)', '$0.05'],
    ]);

    // Proportional rule, then the CSV download: lines add up to the total.
    await page.selectOption('[data-testid="cost-untagged"]', 'proportional');
    await page.waitForFunction(() => new URL(location.href).searchParams.get('untagged') === 'proportional');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="download-csv"]')]);
    assert.match(download.suggestedFilename(), /^chargeback-tenant_id-2026-10-01-2026-10-31\.csv$/);
    const csv = await (
      await download.createReadStream()
    )
      .toArray()
      .then((chunks) => Buffer.concat(chunks as Buffer[]).toString('utf8'));
    const rows = csv
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(','));
    const total = rows.find((r) => r[2] === 'TOTAL')!;
    assert.equal(total[13], '0.15');
    assert.equal(
      rows.filter((r) => r[2] !== 'TOTAL').reduce((a, r) => a + Math.round(Number(r[13]) * 100), 0),
      15,
    );
    assert.ok(rows.some((r) => r[4] === 'untagged-share'));
    // The HTML statement link serves a page.
    const html = await page.evaluate(
      async (href) => (await fetch(href)).text(),
      (await page.getAttribute('[data-testid="download-html"]', 'href'))!,
    );
    assert.match(html, /Chargeback statement/);
  } finally {
    await b.close();
  }
});

test('the cost API refuses a bad rule and a missing range with a 400', async () => {
  const r1 = await fetch(`${server.url}/api/cost/summary?start=${START}&end=${END}&untagged=split`);
  assert.equal(r1.status, 400);
  assert.match(((await r1.json()) as { error: { message: string } }).error.message, /own, proportional or owner:NAME/);
  const r2 = await fetch(`${server.url}/api/cost/chargeback?by=team`);
  assert.equal(r2.status, 400);
});
