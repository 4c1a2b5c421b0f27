import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { startServer, defaultWebRoot, type RunningServer } from '../../src/api/server.js';
import { createDuckDbEngine } from '../../src/engines/duckdb.js';
import { requestOf, type QueryEngine, type QueryHandle, type QueryResult } from '../../src/engines/engine.js';
import type { Store } from '../../src/store/store.js';
import { APPS, COST_CENTERS, createFixtureStore, fixtureRow, type FixtureOptions } from './fixture.js';
import { artifact, launchBrowser } from './harness.js';

// The console end to end, in Debian's Chromium, against the real server and the real engine over
// a store of synthetic records whose values the test computes itself (fixture.ts).

const RECORDS = 2000;
const NOW = Date.now();
const FX: FixtureOptions = { records: RECORDS, endMs: NOW - 5 * 60_000, spanMs: 2 * 86_400_000 };
const SLOW_MARK = '# e2e:hold';

let store: Store;
let server: RunningServer;
let browser: { ctx: BrowserContext; close: () => Promise<void> };

/**
 * The real engine, except that a query carrying SLOW_MARK is held for up to 60 s before it starts
 * (a "long query" on a 2,000-record store); cancelling it cancels through the same handle API.
 */
function holdingEngine(real: QueryEngine): QueryEngine {
  return {
    name: real.name,
    prepare: (r) => real.prepare(r),
    check: (q, g) => real.check(q, g),
    run: (r, o) => real.run(r, o),
    close: () => real.close(),
    async start(query, options) {
      const req = requestOf(query);
      if (!req.queryString.includes(SLOW_MARK)) return real.start(query, options);
      let status: QueryResult['status'] = 'Running';
      let resolveDone!: (r: QueryResult) => void;
      const done = new Promise<QueryResult>((r) => {
        resolveDone = r;
      });
      const snap = (): QueryResult => ({
        columns: [],
        rows: [],
        statistics: {
          recordsMatched: 0,
          recordsScanned: 0,
          estimatedRecordsSkipped: 0,
          bytesScanned: 0,
          estimatedBytesSkipped: 0,
          logGroupsScanned: 0,
        },
        status,
        warnings: [],
        truncated: false,
        aggregated: false,
      });
      let inner: QueryHandle | undefined;
      const timer = setTimeout(() => {
        void (async () => {
          inner = await real.start({ ...req, queryString: req.queryString.replace(SLOW_MARK, '') });
          const r = await inner.done();
          status = r.status;
          resolveDone(r);
        })();
      }, 60_000);
      return {
        id: 'held',
        status: () => status,
        snapshot: () => (inner ? inner.snapshot() : snap()),
        done: () => done,
        async cancel() {
          clearTimeout(timer);
          if (inner) await inner.cancel();
          status = 'Cancelled';
          resolveDone(snap());
        },
      };
    },
  };
}

function expectedByApp(start: number, end: number): Map<string, { input: number; output: number; n: number }> {
  const m = new Map<string, { input: number; output: number; n: number }>();
  for (let i = 0; i < RECORDS; i++) {
    const r = fixtureRow(i, FX);
    if (r.ts < start || r.ts > end) continue;
    const e = m.get(r.app) ?? { input: 0, output: 0, n: 0 };
    e.input += r.input;
    e.output += r.output;
    e.n++;
    m.set(r.app, e);
  }
  return m;
}

async function tableRows(page: Page): Promise<Record<string, string>[]> {
  return page.$$eval('[data-testid="results-table"]', (tables) => {
    const t = tables[0] as HTMLTableElement;
    const heads = [...t.querySelectorAll('thead th')].map((th) => (th.textContent ?? '').replace(/[▲▼]/g, '').trim());
    return [...t.querySelectorAll('tbody tr:not(.detail-row)')].map((tr) => {
      const o: Record<string, string> = {};
      [...tr.querySelectorAll('td')].forEach((td, i) => {
        o[heads[i]] = (td.getAttribute('title') ?? td.textContent ?? '').trim();
      });
      return o;
    });
  });
}

async function setEditor(page: Page, text: string): Promise<void> {
  await page.click('.cm-content');
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(text);
}

before(async () => {
  if (!existsSync(join(defaultWebRoot(), 'index.html')))
    throw new Error('The console is not built: run "npm run build" first.');
  const dir = mkdtempSync(join(tmpdir(), 'bi-e2e-'));
  store = await createFixtureStore(join(dir, 'store.duckdb'), FX);
  server = await startServer({
    store,
    port: 0,
    engine: (s, defs) => holdingEngine(createDuckDbEngine(s, { savedQueries: (n) => defs.lookupByName(n) })),
  });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.close();
  store?.close();
});

test("runs the user's query 2 from the saved queries and shows its rows", async () => {
  const page = await browser.ctx.newPage();
  await page.goto(`${server.url}/query?r=1w`);
  await page.getByText('Query 2: Token usage by application').click();
  await page.click('[data-testid="run-button"]');
  await page.waitForSelector('[data-testid="results-table"] tbody tr');
  await page.waitForFunction(() =>
    document.querySelector('[data-testid="run-status"]')?.textContent?.includes('Completed'),
  );
  const rows = await tableRows(page);
  const exp = expectedByApp(NOW - 7 * 86_400_000 - 120_000, NOW + 120_000);
  assert.equal(rows.length, APPS.length);
  for (const r of rows) {
    const e = exp.get(r.Application);
    assert.ok(e, `unexpected application ${r.Application}`);
    assert.equal(Number(r.TotalInputTokens), e.input);
    assert.equal(Number(r.TotalOutputTokens), e.output);
    assert.equal(Number(r.TotalTokens), e.input + e.output);
    assert.equal(Number(r.TotalRequests), e.n);
  }
  // sorted by TotalTokens desc, as the query says
  const totals = rows.map((r) => Number(r.TotalTokens));
  assert.deepEqual(
    totals,
    [...totals].sort((a, b) => b - a),
  );
  assert.match((await page.textContent('[data-testid="query-stats"]')) ?? '', /records matched/);
  await page.screenshot({ path: artifact('query-table-1440.png') });

  // Sortable columns: Application descending, then ascending.
  await page.click('th:has-text("Application")');
  const desc = (await tableRows(page)).map((r) => r.Application);
  assert.deepEqual(desc, [...APPS].sort().reverse());
  await page.click('th:has-text("Application")');
  assert.deepEqual(
    (await tableRows(page)).map((r) => r.Application),
    [...APPS].sort(),
  );

  // Export CSV: the header and one line per row.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-csv"]')]);
  const csv = readFileSync(await download.path(), 'utf8')
    .trim()
    .split('\r\n');
  assert.equal(csv[0], 'Application,TotalInputTokens,TotalOutputTokens,TotalTokens,TotalRequests,AvgTokensPerRequest');
  assert.equal(csv.length, 1 + APPS.length);

  await page.click('[data-testid="tab-viz"]');
  await page.waitForSelector('.chart[data-rendered="true"]');
  assert.equal(await page.getAttribute('.chart', 'data-view'), 'bar');
  await page.click('[data-testid="viz-pie"]');
  await page.waitForSelector('.chart[data-view="pie"][data-rendered="true"]');
  assert.match(page.url(), /tab=viz/);
  assert.match(page.url(), /viz=pie/);
  await page.screenshot({ path: artifact('query-chart-1440.png') });
  await page.close();
});

test('a stats … by bin() query draws a line chart; a plain query row expands to the full event', async () => {
  const page = await browser.ctx.newPage();
  const q =
    'fields input.inputTokenCount + output.outputTokenCount as Tokens, requestMetadata.application_name as App\n| stats sum(Tokens) as TotalTokens by bin(1h), App';
  await page.goto(`${server.url}/query?r=3d&tab=viz&q=${encodeURIComponent(q)}`);
  await page.click('.cm-content');
  await page.keyboard.press('Control+Enter');
  await page.waitForSelector('.chart[data-rendered="true"]');
  assert.equal(await page.getAttribute('.chart', 'data-view'), 'line');
  await page.screenshot({ path: artifact('query-line-1440.png') });

  await page.goto(
    `${server.url}/query?r=3d&q=${encodeURIComponent('fields @timestamp, requestId, modelId\n| sort @timestamp desc\n| limit 5')}`,
  );
  await page.click('[data-testid="run-button"]');
  await page.waitForSelector('[data-testid="results-table"] tbody tr');
  const rows = await tableRows(page);
  assert.equal(rows.length, 5);
  assert.equal(rows[0].requestId, 'req-000000000', 'newest record first');
  await page.click('[data-testid="results-table"] tbody tr');
  // The expanded record is a field table; its raw JSON is one click away.
  await page.waitForSelector('[data-testid="record-fields"] tr[data-field="requestId"]');
  await page.click('[data-testid="record-raw-toggle"]');
  await page.waitForSelector('[data-testid="record-json"]');
  const json = JSON.parse((await page.textContent('[data-testid="record-json"]')) ?? '{}') as {
    requestId?: string;
    requestMetadata?: { cost_center?: string };
  };
  assert.equal(json.requestId, 'req-000000000');
  assert.equal(json.requestMetadata?.cost_center, COST_CENTERS[0]);
  await page.screenshot({ path: artifact('query-expanded-1440.png') });
  await page.close();
});

test('a bad query marks the editor with the analyzer diagnostic', async () => {
  const page = await browser.ctx.newPage();
  await page.goto(`${server.url}/query`);
  await setEditor(page, 'fields @timestamp\n| stats count(*) by');
  await page.waitForSelector('.cm-lintRange-error', { timeout: 10_000 });
  await page.hover('.cm-lintRange-error');
  await page.waitForSelector('.cm-tooltip-lint', { timeout: 5_000 });
  assert.ok(((await page.textContent('.cm-tooltip-lint')) ?? '').length > 5);
  await page.screenshot({ path: artifact('query-diagnostic-1440.png') });
  await page.close();
});

test('a saved query is on the server: found after a reload', async () => {
  const page = await browser.ctx.newPage();
  await page.goto(`${server.url}/query`);
  await setEditor(page, 'stats count(*) as n by requestMetadata.team');
  await page.click('[data-testid="save-button"]');
  await page.fill('[data-testid="save-name"]', 'Requests per team');
  await page.fill('[data-testid="save-folder"]', 'E2E folder');
  await page.click('[data-testid="save-confirm"]');
  await page.waitForSelector('text=Saved "Requests per team"');
  await page.reload();
  await page.getByText('E2E folder').waitFor();
  await page.getByText('Requests per team').click();
  await page.waitForFunction(() =>
    document.querySelector('.cm-content')?.textContent?.includes('requestMetadata.team'),
  );
  const res = await fetch(`${server.url}/api/saved-queries`);
  const saved = ((await res.json()) as { savedQueries: { name: string; folder: string; queryString: string }[] })
    .savedQueries;
  assert.ok(
    saved.some(
      (q) =>
        q.name === 'Requests per team' &&
        q.folder === 'E2E folder' &&
        q.queryString === 'stats count(*) as n by requestMetadata.team',
    ),
  );
  await page.close();
});

test('a long query shows its elapsed time and can be cancelled', async () => {
  const page = await browser.ctx.newPage();
  await page.goto(`${server.url}/query?q=${encodeURIComponent(`fields @timestamp ${SLOW_MARK}\n| limit 5`)}`);
  await page.click('[data-testid="run-button"]');
  await page.waitForSelector('[data-testid="cancel-button"]');
  await page.waitForFunction(() =>
    /Running… \d/.test(document.querySelector('[data-testid="run-status"]')?.textContent ?? ''),
  );
  await page.waitForTimeout(600);
  await page.click('[data-testid="cancel-button"]');
  await page.waitForFunction(() =>
    document.querySelector('[data-testid="run-status"]')?.textContent?.includes('Cancelled'),
  );
  assert.ok(await page.isVisible('[data-testid="run-button"]'));
  await page.close();
});

test('the default dashboard shows data in its widgets and the totals', async () => {
  // A fixed range, so the test can compute what the widgets must show.
  const end = FX.endMs;
  const start = end - 86_400_000 + 1;
  const put = await fetch(`${server.url}/api/dashboards/bedrock-usage`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ range: { kind: 'absolute', start, end } }),
  });
  assert.equal(put.status, 200);
  for (const vp of [
    { width: 1440, height: 900 },
    { width: 1024, height: 768 },
  ]) {
    const page = await browser.ctx.newPage();
    await page.setViewportSize(vp);
    await page.goto(`${server.url}/dashboards/bedrock-usage`);
    await page.waitForFunction(
      () => {
        const ws = [...document.querySelectorAll('[data-testid="widget"]')];
        return ws.length === 6 && ws.every((w) => w.getAttribute('data-state') === 'ready');
      },
      undefined,
      { timeout: 30_000 },
    );
    // The guide's three charts (this fixture has no costs, so the cost widgets have nothing to plot).
    await page.waitForFunction(() =>
      ['tokens-per-hour', 'share-per-application', 'tokens-per-cost-center'].every((id) =>
        document.querySelector(`[data-widget-id="${id}"] .chart[data-rendered="true"]`),
      ),
    );
    const views = await page.$$eval('[data-testid="widget"]', (ws) => ws.map((w) => w.getAttribute('data-view')));
    assert.deepEqual(views, ['line', 'pie', 'stackedArea', 'number', 'table', 'bar']);
    const latest = await page.$$eval('[data-widget-id="latest-requests"] tbody tr', (trs) => trs.length);
    assert.equal(latest, 20);
    const exp = expectedByApp(start, end);
    const requests = [...exp.values()].reduce((a, e) => a + e.n, 0);
    await page.waitForFunction(
      () => !document.querySelector('[data-testid="total-requests"] .total-value')?.textContent?.includes('—'),
    );
    const shown = await page.getAttribute('[data-testid="total-requests"] .total-value', 'title');
    assert.equal(Number(shown?.replace(/,/g, '')), requests);
    await page.screenshot({ path: artifact(`dashboard-${vp.width}.png`), fullPage: true });
    if (vp.width === 1024) {
      await page.goto(
        `${server.url}/query?r=1w&tab=viz&q=${encodeURIComponent(readFileSync('queries/bedrock/q07-cost-center.insights', 'utf8').split('\n').slice(2).join('\n'))}`,
      );
      await page.click('[data-testid="run-button"]');
      await page.waitForSelector('.chart[data-rendered="true"]');
      await page.screenshot({ path: artifact('query-chart-1024.png') });
    }
    await page.close();
  }
});

test('a query result goes onto a new dashboard; a failing widget says why inside the widget; history lists the runs', async () => {
  const page = await browser.ctx.newPage();
  const q = 'stats count(*) as Requests by requestMetadata.environment as Env';
  await page.goto(`${server.url}/query?r=1w&q=${encodeURIComponent(q)}`);
  await page.click('[data-testid="run-button"]');
  await page.waitForSelector('[data-testid="results-table"] tbody tr');
  await page.click('[data-testid="add-to-dashboard"]');
  await page.selectOption('[data-testid="add-widget-modal"] select[name="dashboard"]', '__new');
  await page.fill('[data-testid="add-widget-modal"] input[name="newName"]', 'E2E board');
  await page.fill('[data-testid="add-widget-modal"] input[name="title"]', 'Requests per environment');
  await page.selectOption('[data-testid="add-widget-modal"] select[name="view"]', 'pie');
  await page.click('[data-testid="add-widget-modal"] button[type="submit"]');
  await page.waitForURL(/\/dashboards\//);
  await page.waitForSelector(
    '[data-testid="widget"][data-state="ready"] .chart[data-view="pie"][data-rendered="true"]',
  );
  const id = decodeURIComponent(page.url().split('/dashboards/')[1]);

  // A widget whose query cannot run shows the reason in place; the others still draw.
  const d = (await (await fetch(`${server.url}/api/dashboards/${id}`)).json()) as { dashboard: { widgets: unknown[] } };
  const broken = {
    id: 'broken',
    title: 'Broken widget',
    queryString: 'stats count(*) by',
    logGroups: [],
    view: 'bar',
    width: 12,
    height: 6,
  };
  await fetch(`${server.url}/api/dashboards/${id}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ widgets: [...d.dashboard.widgets, broken] }),
  });
  await page.reload();
  await page.waitForSelector('[data-widget-id="broken"][data-state="error"]');
  const msg = await page.textContent('[data-widget-id="broken"] .widget-error');
  assert.match(msg ?? '', /failed/i);
  assert.ok((msg ?? '').length > 30, 'the reason is shown, not just "failed"');
  await page.waitForSelector('[data-testid="widget"][data-state="ready"] .chart[data-rendered="true"]');
  await page.screenshot({ path: artifact('dashboard-widget-error-1440.png') });

  // Edit the layout: widen the first widget and move it after the second; nothing reaches the
  // server before "Save dashboard", then both stick.
  await page.click('[data-testid="edit-layout"]');
  const first = '[data-testid="widget"]:first-child';
  await page.click(`${first} button[title="Wider"]`);
  await page.click(`${first} button[title="Move later"]`);
  const unsavedWidth = (
    (await (await fetch(`${server.url}/api/dashboards/${id}`)).json()) as {
      dashboard: { widgets: { width: number }[] };
    }
  ).dashboard.widgets[0].width;
  assert.equal(unsavedWidth, 12, 'a layout draft is not saved');
  await page.click('[data-testid="dash-save"]');
  await page.waitForFunction(() => !document.querySelector('[data-testid="dash-unsaved"]'));
  const order = (
    (await (await fetch(`${server.url}/api/dashboards/${id}`)).json()) as {
      dashboard: { widgets: { id: string; title: string; width: number }[] };
    }
  ).dashboard.widgets;
  assert.deepEqual(
    order.map((w) => [w.title, w.width]),
    [
      ['Broken widget', 12],
      ['Requests per environment', 16],
    ],
  );

  // Export as a CloudWatch body.
  const body = (await (await fetch(`${server.url}/api/dashboards/${id}/cloudwatch`)).json()) as {
    widgets: { type: string; properties: { query: string; view: string } }[];
  };
  assert.equal(body.widgets[1].type, 'log');
  assert.equal(body.widgets[1].properties.view, 'pie');
  assert.equal(body.widgets[1].properties.query, q);

  await page.goto(`${server.url}/query`);
  await page.click('[data-testid="history-tab"]');
  await page.waitForSelector('[data-testid="history-list"] li');
  assert.ok(((await page.textContent('[data-testid="history-list"]')) ?? '').includes('requestMetadata.environment'));
  await page.close();
});

test('bound to a non-loopback address, a request without the token is refused', async () => {
  const guarded = await startServer({
    store,
    host: '0.0.0.0',
    port: 0,
    token: 'e2e-secret-token',
    engine: (s) => createDuckDbEngine(s),
  });
  const page = await browser.ctx.newPage();
  try {
    const api = await fetch(`http://127.0.0.1:${guarded.port}/api/saved-queries`);
    assert.equal(api.status, 401);
    const res = await page.goto(`http://127.0.0.1:${guarded.port}/query`);
    assert.equal(res?.status(), 401);
    await page.waitForSelector('form[action="/api/login"]');
    await page.screenshot({ path: artifact('login-1440.png') });
    await page.fill('#token', 'wrong');
    await page.click('button[type="submit"]');
    await page.waitForSelector('text=That token is not valid.');
    await page.fill('#token', 'e2e-secret-token');
    await page.click('button[type="submit"]');
    await page.waitForSelector('[data-testid="run-button"]');
    assert.match(page.url(), /\/query(\?r=[^&]+)?$/, 'back on the page asked for (the first range is added)');
  } finally {
    await page.close();
    await guarded.close();
  }
});

test('screenshots were written', () => {
  const files = readdirSync('test-artifacts');
  for (const f of [
    'query-table-1440.png',
    'query-chart-1440.png',
    'dashboard-1440.png',
    'dashboard-1024.png',
    'login-1440.png',
  ])
    assert.ok(files.includes(f), f);
});
