import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startServer, defaultWebRoot, type RunningServer } from '../../src/api/server.js';
import type { QueryView } from '../../src/contracts/wire.js';
import type { Store } from '../../src/store/store.js';
import { demoStore } from '../reports/demo-fixture.js';
import { entityPanels } from '../../src/contracts/entity.js';
import { artifact, launchBrowser } from './harness.js';

/**
 * The "Bedrock operations" dashboard and the drill-down pages on demo data (30 days ending at the
 * last full hour, generated with bodies and ingested the default way: latency, TTFT and usage kept,
 * text dropped). Every figure read off the page is computed again here with plain SQL over the
 * store's columns and the stored records' JSON, not by the query engine the page uses.
 */
let store: Store;
let server: RunningServer;
const DAY = 86_400_000;
const END = Math.floor(Date.now() / 3_600_000) * 3_600_000;
const RANGE = { start: END - 28 * DAY, end: END - 1 };
const IN_RANGE = `ts >= ${RANGE.start} AND ts <= ${RANGE.end}`;
/** The latency of a stored record, read from its JSON (Converse's metrics, or a stream's last chunk). */
const LATENCY_SQL = `coalesce(
  TRY_CAST(json_extract_string(message, '$.output.outputBodyJson.metrics.latencyMs') AS DOUBLE),
  list_max(TRY_CAST(json_extract_string(message, '$.output.outputBodyJson[*]."amazon-bedrock-invocationMetrics".invocationLatency') AS DOUBLE[])))`;
const TTFT_SQL = `list_max(TRY_CAST(json_extract_string(message, '$.output.outputBodyJson[*]."amazon-bedrock-invocationMetrics".firstByteLatency') AS DOUBLE[]))`;

before(async () => {
  if (!existsSync(join(defaultWebRoot(), 'index.html')))
    throw new Error('The console is not built: run "npm run build" first.');
  ({ store } = await demoStore(16_000, { days: 30, end: new Date(END).toISOString(), seed: 3, bodies: true }));
  server = await startServer({ store, port: 0 });
});

after(async () => {
  await server?.close();
  store?.close();
});

async function sql(text: string): Promise<Record<string, unknown>[]> {
  return (await store.connection.runAndReadAll(text)).getRowObjects();
}

/** The ⌈p/100·n⌉-th smallest value (CloudWatch's pct: nearest rank). */
function nearestRank(sorted: number[], p: number): number {
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Percentiles of `valueSql` per `keySql` over the range, computed here from the raw values. */
async function percentiles(
  valueSql: string,
  keySql: string,
  where = 'true',
): Promise<Map<string, { p50: number; p95: number; p99: number; n: number }>> {
  const rows = await sql(
    `SELECT k, list(v ORDER BY v) AS vs
     FROM (SELECT coalesce(${keySql}, '') AS k, ${valueSql} AS v FROM events WHERE ${IN_RANGE} AND ${where})
     WHERE v IS NOT NULL GROUP BY k`,
  );
  const out = new Map<string, { p50: number; p95: number; p99: number; n: number }>();
  for (const r of rows) {
    const list = (r.vs as { items: unknown[] }).items.map(Number);
    out.set(String(r.k), {
      p50: nearestRank(list, 50),
      p95: nearestRank(list, 95),
      p99: nearestRank(list, 99),
      n: list.length,
    });
  }
  return out;
}

/** A table widget's rows as its cells' full values (the title attribute; the text may be abbreviated). */
async function widgetTable(page: Page, id: string): Promise<Record<string, string>[]> {
  return page.$$eval(`[data-widget-id="${id}"] table.results`, (tables) => {
    const t = tables[0];
    const head = [...t.querySelectorAll('thead th')].map((th) => (th.textContent ?? '').trim());
    return [...t.querySelectorAll('tbody tr')].map((tr) => {
      const o: Record<string, string> = {};
      [...tr.querySelectorAll('td')].forEach(
        (td, i) => (o[head[i]] = td.getAttribute('title') ?? td.textContent ?? ''),
      );
      return o;
    });
  });
}

async function waitForWidgets(page: Page, n: number): Promise<void> {
  await page.waitForFunction(
    (want) => {
      const ws = [...document.querySelectorAll('[data-testid="widget"]')];
      return ws.length === want && ws.every((w) => w.getAttribute('data-state') !== 'loading');
    },
    n,
    { timeout: 60_000 },
  );
  const failed = await page.$$eval('[data-testid="widget"][data-state="error"]', (ws) =>
    ws.map((w) => `${w.getAttribute('data-widget-id')}: ${w.textContent}`),
  );
  assert.deepEqual(failed, []);
  // Every chart drawn (a widget with rows and a chart view has a canvas).
  await page.waitForFunction(() =>
    [...document.querySelectorAll('.chart')].every((c) => c.getAttribute('data-rendered') === 'true'),
  );
}

/** No widget's content wider than its card (a table or a title spilling over at 1024 px). */
async function overflowing(page: Page): Promise<string[]> {
  return page.$$eval('[data-testid="widget"]', (ws) =>
    ws
      .filter((w) => w.scrollWidth > w.clientWidth + 1)
      .map((w) => `${w.getAttribute('data-widget-id')}: ${w.scrollWidth} > ${w.clientWidth}`),
  );
}

async function runQuery(queryString: string): Promise<QueryView> {
  const call = async (method: string, path: string, body?: unknown): Promise<QueryView> => {
    const r = await fetch(`${server.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    assert.equal(r.status, 200);
    return (await r.json()) as QueryView;
  };
  let v = await call('POST', '/api/queries', {
    queryString,
    logGroups: ['/aws/bedrock/modelinvocations'],
    startTime: RANGE.start,
    endTime: RANGE.end,
    history: false,
    waitMs: 20_000,
  });
  while (!['Complete', 'Failed', 'Cancelled'].includes(v.status))
    v = await call('GET', `/api/queries/${v.queryId}?waitMs=20000`);
  assert.equal(v.status, 'Complete', JSON.stringify(v.error));
  return v;
}

const close = (a: number, b: number, what: string): void =>
  assert.ok(Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)), `${what}: ${a} != ${b}`);

test('the operations dashboard: latency, TTFT, errors (throttling), caching and operations agree with SQL over the store', async () => {
  const put = await fetch(`${server.url}/api/dashboards/bedrock-operations`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ range: { kind: 'absolute', start: RANGE.start, end: RANGE.end } }),
  });
  assert.equal(put.status, 200);
  const dash = (await put.json()) as { dashboard: { widgets: { id: string; queryString: string }[] } };
  const b = await launchBrowser({ width: 1440, height: 900 });
  try {
    const page = b.ctx.pages()[0] ?? (await b.ctx.newPage());
    await page.goto(`${server.url}/dashboards?utc=1`);
    // A second built-in dashboard beside "Bedrock usage".
    await page.waitForSelector('text=Bedrock operations');
    await page.goto(`${server.url}/dashboards/bedrock-operations?utc=1`);
    await waitForWidgets(page, 12);

    // Latency per model: each model's p50/p95/p99 and count, recomputed from the records' JSON.
    const byModel = await percentiles(LATENCY_SQL, 'model_id');
    const latency = await widgetTable(page, 'latency-by-model');
    assert.equal(latency.length, byModel.size);
    for (const r of latency) {
      const want = byModel.get(r.modelId);
      assert.ok(want, r.modelId);
      assert.deepEqual([r.p50, r.p95, r.p99, r.Invocations].map(Number), [want.p50, want.p95, want.p99, want.n]);
    }
    // Sorted by p95, slowest first.
    const p95s = latency.map((r) => Number(r.p95));
    assert.deepEqual(
      p95s,
      [...p95s].sort((x, y) => y - x),
    );

    // Time to first token: streamed InvokeModel records only.
    const ttft = await percentiles(TTFT_SQL, 'model_id');
    const ttftRows = await widgetTable(page, 'ttft-by-model');
    assert.ok(ttftRows.length > 0 && ttftRows.length === ttft.size);
    for (const r of ttftRows) {
      const want = ttft.get(r.modelId)!;
      assert.deepEqual([r.p50, r.p95, r.Streams].map(Number), [want.p50, want.p95, want.n]);
    }
    const [streams] = await sql(
      `SELECT count(*) AS n FROM events WHERE ${IN_RANGE} AND ${TTFT_SQL} IS NOT NULL AND operation <> 'InvokeModelWithResponseStream'`,
    );
    assert.equal(Number(streams.n), 0);

    // Errors: the rate and the throttled share, overall and per model.
    const [tot] = await sql(
      `SELECT count(*) AS n, count(error_code) AS errors, count(*) FILTER (error_code = 'ThrottlingException') AS throttled FROM events WHERE ${IN_RANGE}`,
    );
    assert.ok(Number(tot.throttled) > 0, 'the demo data has throttled calls');
    const number = async (id: string): Promise<number> =>
      Number(await page.getAttribute(`[data-widget-id="${id}"] .single-number`, 'data-value'));
    // Percentages are rounded to 3 decimals by the queries.
    const pct = (a: number, b: number, what: string): void =>
      assert.ok(Math.abs(a - b) <= 0.0005 + 1e-12, `${what}: ${a} != ${b}`);
    pct(await number('throttled-share'), (Number(tot.throttled) * 100) / Number(tot.n), 'throttled %');
    pct(await number('error-rate'), (Number(tot.errors) * 100) / Number(tot.n), 'error %');
    const errs = new Map(
      (
        await sql(
          `SELECT model_id, count(*) AS n, count(error_code) AS e, count(*) FILTER (error_code = 'ThrottlingException') AS t FROM events WHERE ${IN_RANGE} GROUP BY 1`,
        )
      ).map((r) => [String(r.model_id), r]),
    );
    for (const r of await widgetTable(page, 'errors-by-model')) {
      const want = errs.get(r.modelId)!;
      // A model without errors shows 0, not an empty cell.
      assert.ok(r.ErrorPct !== '' && r.Errors !== '', JSON.stringify(r));
      // A model without errors shows 0, not an empty cell.
      assert.ok(r.ErrorPct !== '' && r.Errors !== '', JSON.stringify(r));
      assert.deepEqual([Number(r.Errors), Number(r.Invocations)], [Number(want.e), Number(want.n)], r.modelId);
      pct(Number(r.ThrottledPct), (Number(want.t) * 100) / Number(want.n), `${r.modelId} throttled`);
      pct(Number(r.ErrorPct), (Number(want.e) * 100) / Number(want.n), `${r.modelId} errors`);
    }

    // The charts' queries, run through the API as the widgets run them, against SQL.
    const q = (id: string): string => dash.dashboard.widgets.find((w) => w.id === id)!.queryString;
    const ops = await runQuery(q('operations-share'));
    const opSql = await sql(`SELECT operation, count(*) AS n FROM events WHERE ${IN_RANGE} GROUP BY 1`);
    assert.equal(ops.rows.length, 4, 'Converse, ConverseStream, InvokeModel and the streamed InvokeModel');
    for (const r of opSql)
      assert.equal(Number(ops.rows.find((x) => x.operation === r.operation)?.Invocations), Number(r.n));
    const codes = await runQuery(q('errors-by-code'));
    assert.equal(codes.rows[0].errorCode, 'ThrottlingException');
    assert.equal(Number(codes.rows[0].Errors), Number(tot.throttled));
    const [cache] = await sql(
      `SELECT sum(cache_read_tokens) * 100 / (sum(input_tokens) + sum(cache_read_tokens) + sum(cache_write_tokens)) AS pct,
              sum(cost_input / input_tokens * (cache_read_tokens + cache_write_tokens) - coalesce(cost_cache_read, 0) - coalesce(cost_cache_write, 0))
                FILTER (cost_total IS NOT NULL AND price_version IS NOT NULL AND input_tokens > 0 AND (cache_read_tokens > 0 OR cache_write_tokens > 0)
                        AND NOT (cost_cache_read IS NULL AND cache_read_tokens > 0) AND NOT (cost_cache_write IS NULL AND cache_write_tokens > 0)) AS saving
       FROM events WHERE ${IN_RANGE}`,
    );
    const hit = await runQuery(q('cache-hit-rate').replace('by bin(1d)', ''));
    close(Number(hit.rows[0].CacheHitPct), Number(cache.pct), 'cache hit %');
    const savings = await runQuery(q('cache-savings'));
    const saved = savings.rows.reduce((a, r) => a + Number(r.CacheSavingsUSD ?? 0), 0);
    assert.ok(Number(cache.saving) > 0);
    assert.ok(Math.abs(saved - Number(cache.saving)) < 1e-6, `${saved} != ${String(cache.saving)}`);

    // Screenshots at both sizes, nothing spilling out of its card.
    assert.deepEqual(await overflowing(page), []);
    await page.screenshot({ path: artifact('ops-dashboard-1440.png'), fullPage: true });
    await page.setViewportSize({ width: 1024, height: 768 });
    await page.waitForTimeout(300); // let the charts re-lay out
    assert.deepEqual(await overflowing(page), []);
    await page.screenshot({ path: artifact('ops-dashboard-1024.png'), fullPage: true });

    // A widget opens in the query page with its query, the user can edit it there.
    await page.click('[data-widget-id="latency-by-model"] [data-testid="open-in-query"]');
    await page.waitForURL(/\/query\?/);
    assert.equal(new URL(page.url()).searchParams.get('q'), q('latency-by-model'));
  } finally {
    await b.close();
  }
});

/** The invocations of one entity, selected from the stored records' JSON (not the engine's columns). */
function entityWhere(jsonPath: string, value: string): string {
  return `${IN_RANGE} AND json_extract_string(message, '${jsonPath}') = '${value.replace(/'/g, "''")}'`;
}

async function summaryOnPage(page: Page): Promise<Record<string, number>> {
  await page.waitForSelector('[data-testid="entity-summary"][data-state="ready"]', { timeout: 60_000 });
  const out: Record<string, number> = {};
  for (const k of ['Invocations', 'Tokens', 'CostUSD', 'Errors'])
    out[k] = Number(await page.getAttribute(`[data-testid="entity-kpi-${k}"]`, 'data-value'));
  return out;
}

async function summaryInSql(where: string): Promise<Record<string, number>> {
  const [r] = await sql(
    `SELECT count(*) AS Invocations, sum(input_tokens) + sum(output_tokens) AS Tokens, sum(cost_total) AS CostUSD, count(error_code) AS Errors FROM events WHERE ${where}`,
  );
  return {
    Invocations: Number(r.Invocations),
    Tokens: Number(r.Tokens),
    CostUSD: Number(r.CostUSD),
    Errors: Number(r.Errors),
  };
}

function sameSummary(got: Record<string, number>, want: Record<string, number>): void {
  assert.deepEqual([got.Invocations, got.Tokens, got.Errors], [want.Invocations, want.Tokens, want.Errors]);
  close(got.CostUSD, want.CostUSD, 'cost');
}

test('drill-down: an application clicked on a dashboard, a model in its table, a model on the Cost page and a team in query results open their pages, with figures as SQL counts them', async () => {
  const r = `${RANGE.start}-${RANGE.end}`;
  const b = await launchBrowser({ width: 1440, height: 900 });
  try {
    const page = b.ctx.pages()[0] ?? (await b.ctx.newPage());
    await page.goto(`${server.url}/dashboards/bedrock-operations?r=${r}&utc=1`);
    await page.click(
      '[data-widget-id="latency-by-application"] a[data-testid="entity-link"]:text-is("CustomerServiceApp")',
    );
    await page.waitForURL(/\/entity\/application\/CustomerServiceApp\?/);
    // The range being viewed goes along, in the URL.
    assert.equal(new URL(page.url()).searchParams.get('r'), r);
    const app = entityWhere('$.requestMetadata.application_name', 'CustomerServiceApp');
    sameSummary(await summaryOnPage(page), await summaryInSql(app));
    await waitForWidgets(page, 7);
    // Top callers: the users with the most tokens, as SQL ranks them.
    const users = await widgetTable(page, 'top-users');
    const topSql = await sql(
      `SELECT json_extract_string(message, '$.requestMetadata.user_id') AS u, count(*) AS n, sum(input_tokens + output_tokens) AS t
       FROM events WHERE ${app} GROUP BY 1 ORDER BY t DESC, u LIMIT 10`,
    );
    assert.equal(users.length, 10);
    assert.deepEqual(
      users.map((u) => [u.User, Number(u.Invocations), Number(u.TotalTokens)]),
      topSql.map((x) => [String(x.u), Number(x.n), Number(x.t)]),
    );
    // Latency over time: the panel's query, through the API, gives SQL's percentiles for every day.
    const panel = entityPanels('application', 'CustomerServiceApp', RANGE.end - RANGE.start).find(
      (p) => p.id === 'latency',
    )!;
    const days = await runQuery(panel.queryString);
    const lat = await percentiles(
      LATENCY_SQL,
      `strftime(make_timestamp(ts // ${DAY} * ${DAY} * 1000), '%Y-%m-%d')`,
      app,
    );
    assert.equal(days.rows.length, lat.size);
    for (const d of days.rows) {
      const want = lat.get(d['bin(1d)'].slice(0, 10))!;
      assert.deepEqual([d.p50, d.p95, d.p99].map(Number), [want.p50, want.p95, want.p99], d['bin(1d)']);
    }
    // Errors over time: a value for every day (0 on a day without errors), adding up to SQL's count.
    const errPanel = entityPanels('application', 'CustomerServiceApp', RANGE.end - RANGE.start).find(
      (p) => p.id === 'errors',
    )!;
    const errDays = await runQuery(errPanel.queryString);
    assert.equal(errDays.rows.length, lat.size);
    assert.ok(errDays.rows.every((d) => d.Errors !== undefined && d.Errors !== '' && d.ThrottledErrors !== undefined));
    assert.equal(
      errDays.rows.reduce((a, d) => a + Number(d.Errors), 0),
      (await summaryInSql(app)).Errors,
    );
    assert.deepEqual(await overflowing(page), []);
    await page.screenshot({ path: artifact('entity-application-1440.png'), fullPage: true });
    await page.setViewportSize({ width: 1024, height: 768 });
    await page.waitForTimeout(300);
    assert.deepEqual(await overflowing(page), []);
    await page.screenshot({ path: artifact('entity-application-1024.png'), fullPage: true });
    await page.setViewportSize({ width: 1440, height: 900 });

    // Each panel's query opens in the query page.
    await page.click('[data-widget-id="cost"] [data-testid="open-in-query"]');
    await page.waitForURL(/\/query\?/);
    const q = new URL(page.url()).searchParams.get('q') ?? '';
    assert.match(
      q,
      /^filter requestMetadata\.application_name = "CustomerServiceApp"\n\| stats sum\(cost\.total\) as CostUSD by bin\(1d\)$/,
    );
    const viaApi = await runQuery(q);
    const perDay = viaApi.rows.reduce((a, x) => a + Number(x.CostUSD ?? 0), 0);
    close(perDay, (await summaryInSql(app)).CostUSD, 'cost per day adds up');
    await page.goBack();
    await page.waitForURL(/\/entity\/application\//);

    // A model in the "Models used" table opens the model's page.
    await waitForWidgets(page, 7);
    const model = (await page.getAttribute('[data-widget-id="models"] a[data-testid="entity-link"]', 'title'))!.replace(
      /^Open the page of model /,
      '',
    );
    await page.click('[data-widget-id="models"] a[data-testid="entity-link"]');
    await page.waitForURL(/\/entity\/model\//);
    assert.equal(await page.getAttribute('[data-testid="entity-page"]', 'data-name'), model);
    sameSummary(await summaryOnPage(page), await summaryInSql(entityWhere('$.modelId', model)));
    await waitForWidgets(page, 7);
    await page.screenshot({ path: artifact('entity-model-1440.png'), fullPage: true });

    // The Cost page: a model row opens its page.
    await page.goto(`${server.url}/cost?r=${r}&utc=1&by=team`);
    await page.waitForSelector('[data-testid="breakdown-table"] a[data-testid="entity-link"]');
    await page.click('[data-testid="breakdown-table"] a[data-testid="entity-link"]:text-is("sales")');
    await page.waitForURL(/\/entity\/team\/sales\?/);
    sameSummary(await summaryOnPage(page), await summaryInSql(entityWhere('$.requestMetadata.team', 'sales')));

    // A results table whose column is a dimension (under an alias) links each value.
    const teamQuery = 'stats count(*) as n by requestMetadata.tenant_id as Tenant';
    await page.goto(`${server.url}/query?r=${r}&utc=1&q=${encodeURIComponent(teamQuery)}`);
    await page.click('[data-testid="run-button"]');
    await page.waitForSelector('[data-testid="results-table"] a[data-testid="entity-link"]:text-is("tenant-globex")');
    await page.click('[data-testid="results-table"] a[data-testid="entity-link"]:text-is("tenant-globex")');
    await page.waitForURL(/\/entity\/tenant\/tenant-globex\?/);
    sameSummary(
      await summaryOnPage(page),
      await summaryInSql(entityWhere('$.requestMetadata.tenant_id', 'tenant-globex')),
    );

    // Hostile names: quotes and backslashes are data, not query text; an unknown kind says so.
    await page.goto(`${server.url}/entity/user/${encodeURIComponent('o"b\\r | stats count(*)')}?r=${r}`);
    assert.deepEqual(await summaryOnPage(page), { Invocations: 0, Tokens: 0, CostUSD: 0, Errors: 0 });
    await page.goto(`${server.url}/entity/planet/earth`);
    await page.waitForSelector('[data-testid="not-found"]');
  } finally {
    await b.close();
  }
});

test('an operations widget added to another dashboard from the editor runs there and is saved with it', async () => {
  const b = await launchBrowser({ width: 1440, height: 900 });
  try {
    const page = b.ctx.pages()[0] ?? (await b.ctx.newPage());
    await page.goto(`${server.url}/dashboards/bedrock-usage?r=${RANGE.start}-${RANGE.end}&utc=1`);
    await page.click('[data-testid="edit-layout"]');
    await page.selectOption('[data-testid="add-builtin-widget"]', 'errors-by-model');
    const added = page.locator('[data-testid="widget"][data-widget-id^="errors-by-model-"]');
    await added.waitFor();
    await page.waitForSelector('[data-widget-id^="errors-by-model-"][data-state="ready"]');
    await page.click('[data-testid="dash-save"]');
    await page.waitForSelector('[data-testid="dash-unsaved"]', { state: 'detached' });
    const saved = (await (await fetch(`${server.url}/api/dashboards/bedrock-usage`)).json()) as {
      dashboard: { widgets: { id: string; queryString: string }[] };
    };
    const w = saved.dashboard.widgets.find((x) => x.id.startsWith('errors-by-model-'));
    assert.ok(w);
    assert.match(w.queryString, /ThrottlingException/);
    // Its figures are the store's: the first row's errors as SQL counts them for that model.
    const first = (await widgetTable(page, (await added.getAttribute('data-widget-id'))!))[0];
    const [want] = await sql(
      `SELECT count(error_code) AS e FROM events WHERE ${IN_RANGE} AND model_id = '${first.modelId.replace(/'/g, "''")}'`,
    );
    assert.equal(Number(first.Errors), Number(want.e));
  } finally {
    await b.close();
  }
});
