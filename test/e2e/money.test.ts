import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startServer, defaultWebRoot, type RunningServer } from '../../src/api/server.js';
import { DEMO_APPLICATION_PROFILE_ARN } from '../../src/demo/world.js';
import type { Store } from '../../src/store/store.js';
import { demoStore } from '../reports/demo-fixture.js';
import { tempDir } from '../reports/helpers.js';
import { artifact, launchBrowser } from './harness.js';

/**
 * Money in the console on demo data (30 days ending at the last full hour, through the real
 * ingest): unpriced tokens beside every cost, the owner-key did-you-mean, empty and partial
 * ranges, no "▲ 955%" against a partly covered previous range, the KPI wording, tables that stay
 * inside their cards at 1440x900 and 1024x768, and the cost widgets of the default dashboard.
 */
let store: Store;
let server: RunningServer;
const DAY = 86_400_000;
const END = Math.floor(Date.now() / 3_600_000) * 3_600_000;
/** The last 4 weeks, as an absolute range so that the page and this test agree on it. */
const RANGE = { start: END - 28 * DAY, end: END - 1 };

before(async () => {
  if (!existsSync(join(defaultWebRoot(), 'index.html')))
    throw new Error('The console is not built: run "npm run build" first.');
  ({ store } = await demoStore(16_000, { days: 30, end: new Date(END).toISOString(), seed: 3 }));
  server = await startServer({ store, port: 0 });
});

after(async () => {
  await server?.close();
  store?.close();
});

async function sql(text: string): Promise<unknown[][]> {
  return (await store.connection.runAndReadAll(text)).getRows();
}

/** No table wider than the card it is in (the trial's Tokens column spilled over the border). */
async function overflowing(page: Page): Promise<string[]> {
  return page.$$eval('.cost-panel table', (tables) =>
    tables
      .filter((t) => t.scrollWidth > (t.parentElement?.clientWidth ?? 0) + 1)
      .map((t) => `${t.getAttribute('data-testid')}: ${t.scrollWidth} > ${t.parentElement?.clientWidth}`),
  );
}

test('the Cost page: unpriced beside every cost, KPI wording, no ratio against a partly covered range, no overflow', async () => {
  const b = await launchBrowser({ width: 1440, height: 900 });
  try {
    const page = b.ctx.pages()[0] ?? (await b.ctx.newPage());
    await page.goto(`${server.url}/cost?r=${RANGE.start}-${RANGE.end}&utc=1`);
    await page.waitForSelector('[data-testid="models-table"] tbody tr');
    // The unmapped application profile: its unpriced tokens are beside its cost, as SQL counts them.
    const [[unpriced]] = (await sql(
      `SELECT sum(coalesce(input_tokens,0)+coalesce(output_tokens,0)+coalesce(cache_read_tokens,0)+coalesce(cache_write_tokens,0))
       FROM events WHERE model_id = '${DEMO_APPLICATION_PROFILE_ARN}' AND price_version IS NULL AND ts >= ${RANGE.start} AND ts <= ${RANGE.end}`,
    )) as [[bigint]];
    const cell = await page.$eval(
      `[data-testid="models-table"] tr[data-name="${DEMO_APPLICATION_PROFILE_ARN}"] td:nth-child(2)`,
      (td) => ({ text: td.textContent ?? '', tokens: td.getAttribute('data-unpriced-tokens') }),
    );
    assert.equal(Number(cell.tokens), Number(unpriced));
    assert.match(cell.text, /unpriced tokens/);
    // Every Nova model is priced now (its cache reads too): no unpriced note on them.
    const novaNotes = await page.$$eval(
      '[data-testid="models-table"] tr',
      (trs) =>
        trs.filter((tr) => tr.getAttribute('data-name')?.includes('nova') && tr.textContent?.includes('unpriced'))
          .length,
    );
    assert.equal(novaNotes, 0);
    // The 4 weeks before hold two days of data: no "▲ 955%".
    const change = (await page.textContent('[data-testid="kpi-cost"] .total-change:last-child'))!;
    assert.match(change, /previous period only partly covered \(data from /);
    assert.doesNotMatch(change, /[▲▼]/);
    assert.match(
      (await page.textContent('[data-testid="kpi-cost"]'))!,
      /\+ [\d.]+[KM]? unpriced tokens \(not in this amount\)/,
    );
    assert.match(
      (await page.textContent('[data-testid="kpi-tokens"]'))!,
      / in · .* out · .* cache read · .* cache write/,
    );
    assert.match(
      (await page.textContent('[data-testid="kpi-cache"] .total-change'))!,
      /^Net saving \$[\d,.]+ \((after a \$[\d,.]+ write premium|cache writes cost \$[\d,.]+ less than input)\)$/,
    );
    assert.match((await page.textContent('[data-testid="stale-book"]')) ?? '', /days ago|price book/i);
    await page.waitForSelector('.chart[data-rendered="true"]');
    assert.deepEqual(await overflowing(page), []);
    await page.screenshot({ path: artifact('money-cost-1440.png'), fullPage: true });
    await page.setViewportSize({ width: 1024, height: 768 });
    await page.waitForTimeout(300); // let the charts re-lay out
    assert.deepEqual(await overflowing(page), []);
    await page.screenshot({ path: artifact('money-cost-1024.png'), fullPage: true });
  } finally {
    await b.close();
  }
});

test('the Cost page: a mistyped owner key gets a did-you-mean; an empty range says where the data is', async () => {
  const b = await launchBrowser({ width: 1440, height: 900 });
  try {
    const page = b.ctx.pages()[0] ?? (await b.ctx.newPage());
    await page.goto(`${server.url}/cost?r=${RANGE.start}-${RANGE.end}&utc=1&by=cost_centre`);
    await page.waitForSelector('[data-testid="owner-key-warning"]');
    const warning = (await page.textContent('[data-testid="owner-key-warning"]'))!;
    assert.match(
      warning,
      /has requestMetadata\.cost_centre, so all of its spend would be untagged; did you mean cost_center \(on [\d.]+% of invocations\)\?/,
    );
    assert.match(warning, /Keys present in .*cost_center/);
    await page.screenshot({ path: artifact('money-cost-typo.png') });
    await page.click('[data-testid="owner-key-suggestion"]');
    await page.waitForFunction(() => new URL(location.href).searchParams.get('by') === 'cost_center');
    await page.waitForSelector('[data-testid="owner-key-warning"]', { state: 'detached' });

    // A month before the data: the page says so, and one click shows the range that has data.
    await page.goto(`${server.url}/cost?r=${RANGE.start - 90 * DAY}-${RANGE.start - 60 * DAY}&utc=1`);
    await page.waitForSelector('[data-testid="period-coverage"][data-state="empty"]');
    assert.match(
      (await page.textContent('[data-testid="period-coverage"]'))!,
      /No invocations in this range: the store covers/,
    );
    assert.equal(await page.textContent('[data-testid="kpi-coverage"] .total-value'), 'n/a');
    await page.click('[data-testid="show-data-range"]');
    await page.waitForSelector('[data-testid="period-coverage"]', { state: 'detached' });
    assert.notEqual(await page.textContent('[data-testid="kpi-cost"] .total-value'), '$0.00');
  } finally {
    await b.close();
  }
});

test('the default dashboard: cost per day by model, the unpriced share, and KPIs that do not compare with a partly covered range', async () => {
  const put = await fetch(`${server.url}/api/dashboards/bedrock-usage`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ range: { kind: 'absolute', start: RANGE.start, end: RANGE.end } }),
  });
  assert.equal(put.status, 200);
  const b = await launchBrowser({ width: 1440, height: 900 });
  try {
    const page = b.ctx.pages()[0] ?? (await b.ctx.newPage());
    for (const vp of [
      { width: 1440, height: 900 },
      { width: 1024, height: 768 },
    ]) {
      await page.setViewportSize(vp);
      await page.goto(`${server.url}/dashboards/bedrock-usage`);
      await page.waitForSelector('[data-widget-id="cost-per-day-by-model"] .chart[data-rendered="true"]', {
        timeout: 30_000,
      });
      await page.waitForSelector('[data-widget-id="unpriced-share"] .single-number');
      const [[u, t]] = (await sql(
        `SELECT sum(coalesce(input_tokens,0)+coalesce(output_tokens,0)+coalesce(cache_read_tokens,0)+coalesce(cache_write_tokens,0)) FILTER (WHERE price_version IS NULL),
           sum(coalesce(input_tokens,0)+coalesce(output_tokens,0)+coalesce(cache_read_tokens,0)+coalesce(cache_write_tokens,0))
         FROM events WHERE kind = 'bedrock' AND ts >= ${RANGE.start} AND ts <= ${RANGE.end}`,
      )) as [[bigint, bigint]];
      const shown = await page.textContent('[data-widget-id="unpriced-share"] .single-number .muted');
      const pct = (Number(u) * 100) / Number(t);
      assert.ok(Math.abs(Number(shown!.split('·')[1].replace(/,/g, '')) - pct) < 0.01, `${shown} vs ${pct}`);
      await page.waitForFunction(() =>
        document.querySelector('[data-testid="total-requests"] .total-change')?.getAttribute('data-basis'),
      );
      assert.equal(await page.getAttribute('[data-testid="total-requests"] .total-change', 'data-basis'), 'partial');
      assert.match(
        (await page.textContent('[data-testid="total-requests"] .total-change'))!,
        /previous period only partly covered/,
      );
      await page.screenshot({ path: artifact(`money-dashboard-${vp.width}.png`), fullPage: true });
    }
  } finally {
    await b.close();
  }
});

test('the HTML report: the Models table and every other table stay inside the page at 1440 and 1024 px', async () => {
  const { createDuckDbEngine } = await import('../../src/engines/duckdb.js');
  const { buildReport } = await import('../../src/reports/report.js');
  const { renderReportHtml } = await import('../../src/reports/report-render.js');
  const { rangePeriod } = await import('../../src/reports/period.js');
  const engine = createDuckDbEngine(store);
  const data = await buildReport(engine, { period: rangePeriod(RANGE.start, RANGE.end, 'last 4 weeks') });
  await engine.close();
  const file = join(tempDir('money-report-'), 'report.html');
  writeFileSync(file, renderReportHtml(data));
  const b = await launchBrowser({ width: 1440, height: 900 });
  try {
    const page = b.ctx.pages()[0] ?? (await b.ctx.newPage());
    for (const width of [1440, 1024]) {
      await page.setViewportSize({ width, height: 900 });
      await page.goto(`file://${file}`);
      const wide = await page.$$eval('table', (ts) =>
        ts
          .filter(
            (t) =>
              t.getBoundingClientRect().right > (t.closest('.chart, .page')?.getBoundingClientRect().right ?? 0) + 1,
          )
          .map((t) => t.getAttribute('data-table') ?? t.rows[0]?.textContent ?? ''),
      );
      assert.deepEqual(wide, [], `tables past their box at ${width}px`);
      const models = await page.$eval('table[data-table="Models"]', (t) => t.textContent ?? '');
      // The unmapped profile is among the "others" beyond the top 10: their unpriced tokens come along.
      assert.match(models, /\d+ others\$[\d.,]+\+[\d.]+[KM]? tokens unpriced/);
      await page.screenshot({ path: artifact(`money-report-${width}.png`), fullPage: true });
    }
  } finally {
    await b.close();
  }
});
