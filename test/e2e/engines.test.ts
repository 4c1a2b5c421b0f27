import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultWebRoot, startServer, type RunningServer } from '../../src/api/server.js';
import type { EngineChoice, QueryView, SavedQuery, Widget } from '../../src/contracts/wire.js';
import { writeDataset } from '../../src/demo/generator.js';
import { TrinoClient } from '../../src/engines/trino/client.js';
import { describeLayout } from '../../src/engines/trino/layout.js';
import { setupTrinoTable } from '../../src/engines/trino/setup.js';
import { ingestPaths } from '../../src/sources/ingest.js';
import { Store } from '../../src/store/store.js';
import { closedPort, holdLocalTrino, type HeldTrino } from '../engines/trino/helpers.js';
import { launchBrowser } from './harness.js';

// Engine choice through the server and the console: serve reads named engine connections from
// server.json beside the store; the API runs a query, a check, a saved query and a dashboard
// widget on the one named; a remote engine's failure reaches the API and the page as a coded
// error; the query page's selector runs the same query on Trino with the store's rows.

const SCHEMA = `bi_serve_${process.pid}`;
const TABLE = `hive.${SCHEMA}.invocations`;
const Q7 = `fields requestMetadata.cost_center as CostCenter, requestMetadata.team as Team,
       input.inputTokenCount + output.outputTokenCount as Tokens
| stats sum(Tokens) as TotalTokens, count(*) as Requests by CostCenter, Team
| sort TotalTokens desc`;
const RANGE = { kind: 'absolute', start: Date.parse('2026-10-31T00:00:00Z'), end: Date.parse('2026-11-01T00:00:00Z') };

let trino: HeldTrino;
let dir: string;
let store: Store;
let server: RunningServer;

before(async () => {
  assert.ok(existsSync(join(defaultWebRoot(), 'index.html')), 'the console is built (npm run build)');
  trino = await holdLocalTrino();
  dir = mkdtempSync(join(tmpdir(), 'bi-engines-'));
  const logs = join(dir, 'logs');
  await writeDataset({ out: logs, format: 's3', preset: 'guide', end: '2026-11-01T00:00:00Z' });
  await setupTrinoTable(new TrinoClient({ url: trino.url }), await describeLayout(logs), TABLE);
  const db = join(dir, 'store.duckdb');
  store = await Store.open(db);
  await ingestPaths(store, [logs]);
  const down = await closedPort();
  // serve's config file, beside the store: the engines the console may choose.
  writeFileSync(
    join(dir, 'server.json'),
    JSON.stringify({
      engines: {
        trino: { engine: 'trino', trinoUrl: trino.url, table: TABLE },
        'trino-down': { engine: 'trino', trinoUrl: `http://127.0.0.1:${down}`, table: TABLE, archive: true },
        athena: { engine: 'athena', workgroup: 'primary', region: 'us-east-1' },
      },
    }),
  );
  server = await startServer({ store, port: 0 });
});

after(async () => {
  try {
    await server?.close();
    store?.close();
    const c = new TrinoClient({ url: trino.url });
    await c.query(`DROP TABLE IF EXISTS ${TABLE}`).catch(() => undefined);
    await c.query(`DROP TABLE IF EXISTS ${TABLE}_lines`).catch(() => undefined);
    await c.query(`DROP SCHEMA IF EXISTS hive.${SCHEMA}`).catch(() => undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await trino?.release();
  }
});

async function call<T>(method: string, path: string, body?: unknown): Promise<{ status: number; json: T }> {
  const r = await fetch(`${server.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: r.status, json: (await r.json()) as T };
}

async function runQuery(body: Record<string, unknown>): Promise<QueryView> {
  let r = await call<QueryView>('POST', '/api/queries', { range: RANGE, waitMs: 20_000, history: false, ...body });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  while (!['Complete', 'Failed', 'Cancelled'].includes(r.json.status))
    r = await call<QueryView>('GET', `/api/queries/${r.json.queryId}?waitMs=20000`);
  return r.json;
}

test('the API lists the configured engines (no credentials) and runs a query on the one named', async () => {
  const { json } = await call<{ engines: EngineChoice[] }>('GET', '/api/engines');
  assert.deepEqual(
    json.engines.map((e) => [e.name, e.engine]),
    [
      ['duckdb', 'duckdb'],
      ['trino', 'trino'],
      ['trino-down', 'trino'],
      ['athena', 'athena'],
    ],
  );
  assert.match(json.engines[1].description, new RegExp(`^Trino ${trino.url} ${TABLE}$`));
  const local = await runQuery({ queryString: Q7 });
  const remote = await runQuery({ queryString: Q7, engine: 'trino' });
  assert.equal(remote.status, 'Complete', JSON.stringify(remote.error));
  assert.ok(local.rows.length >= 3);
  assert.deepEqual(remote.rows, local.rows);
  assert.deepEqual(remote.columns, local.columns);
  // The check runs the engine's front end.
  const check = await call<{ diagnostics: unknown[] }>('POST', '/api/check', {
    queryString: 'stats count(*) by',
    engine: 'trino',
  });
  assert.equal(check.status, 200);
  assert.ok(check.json.diagnostics.length > 0);
});

test('a remote engine that fails, and an unknown engine: coded errors through the API', async () => {
  const down = await call<{ error: { code: string; message: string } }>('POST', '/api/queries', {
    queryString: Q7,
    range: RANGE,
    engine: 'trino-down',
  });
  assert.equal(down.status, 502);
  assert.equal(down.json.error.code, 'TRINO_UNREACHABLE');
  assert.match(down.json.error.message, /Cannot reach Trino at http:\/\/127\.0\.0\.1:\d+/);
  const unknown = await call<{ error: { code: string; message: string } }>('POST', '/api/queries', {
    queryString: Q7,
    range: RANGE,
    engine: 'presto',
  });
  assert.equal(unknown.status, 400);
  assert.equal(unknown.json.error.code, 'INVALID_ENGINE');
  assert.match(
    unknown.json.error.message,
    /No engine is named "presto"; this server has duckdb, trino, trino-down, athena/,
  );
});

test('a saved query and a dashboard widget keep their engine', async () => {
  const created = await call<{ savedQuery: SavedQuery }>('POST', '/api/saved-queries', {
    name: 'Cost centers on Trino',
    queryString: Q7,
    engine: 'trino',
  });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  assert.equal(created.json.savedQuery.engine, 'trino');
  const listed = await call<{ savedQueries: SavedQuery[] }>('GET', '/api/saved-queries');
  assert.equal(listed.json.savedQueries.find((q) => q.id === created.json.savedQuery.id)?.engine, 'trino');
  const back = await call<{ savedQuery: SavedQuery }>('PATCH', `/api/saved-queries/${created.json.savedQuery.id}`, {
    engine: '',
  });
  assert.equal(back.json.savedQuery.engine, undefined);
  const bad = await call<{ error: { code: string } }>('POST', '/api/saved-queries', {
    name: 'x',
    queryString: Q7,
    engine: 'nope',
  });
  assert.equal(bad.json.error.code, 'INVALID_ENGINE');
  const widget: Widget = {
    id: 'w1',
    title: 'On Trino',
    queryString: Q7,
    logGroups: [],
    view: 'table',
    width: 12,
    height: 6,
    engine: 'trino',
  };
  const dash = await call<{ dashboard: { id: string; widgets: Widget[] } }>('POST', '/api/dashboards', {
    name: 'Engines',
    widgets: [widget],
  });
  assert.equal(dash.json.dashboard.widgets[0].engine, 'trino');
});

test('the console: the engine selector runs the query on Trino with the store rows; a failing engine shows its code', async () => {
  const browser = await launchBrowser();
  try {
    const page = await browser.ctx.newPage();
    // The URL's range is START-END in epoch ms (rangeToParam); an "abs:" prefix was not read and
    // the page ran its default last hour, an empty result on both engines.
    await page.goto(`${server.url}/query?q=${encodeURIComponent(Q7)}&r=${RANGE.start}-${RANGE.end}`);
    const select = page.getByTestId('engine-select');
    await select.waitFor();
    assert.deepEqual(await select.locator('option').allInnerTexts(), [
      'Local store',
      'trino (trino)',
      'trino-down (trino)',
      'athena (athena)',
    ]);
    const runToEnd = async (): Promise<void> => {
      await page.getByTestId('run-button').click();
      await page
        .getByTestId('cancel-button')
        .waitFor({ timeout: 5_000 })
        .catch(() => undefined);
      await page.getByTestId('run-button').waitFor({ timeout: 90_000 });
    };
    await runToEnd();
    assert.ok((await page.getByTestId('results-table').locator('tbody tr').count()) >= 3, 'the store has rows');
    const localText = await page.locator('table').first().innerText();
    await select.selectOption('trino');
    await page.waitForURL(/engine=trino/);
    await runToEnd();
    assert.equal(await page.locator('table').first().innerText(), localText);
    assert.match(localText, /TotalTokens/);
    await select.selectOption('trino-down');
    await runToEnd();
    const err = page.getByTestId('query-error');
    await err.waitFor({ timeout: 60_000 });
    assert.match(await err.innerText(), /Cannot reach Trino at .*\[TRINO_UNREACHABLE\]/);
  } finally {
    await browser.close();
  }
});
