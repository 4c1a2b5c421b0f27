import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { startServer, defaultWebRoot, type RunningServer } from '../../src/api/server.js';
import type { Store } from '../../src/store/store.js';
import { launchBrowser } from './harness.js';
import { createFixtureStore } from './fixture.js';

// A result the table shows cut (CloudWatch's 10,000-row default) offers every row as a download
// that the server streams (GET /api/queries/export), in Debian's Chromium.

const RECORDS = 12_000;
const NOW = Date.now();

let dir = '';
let store: Store;
let server: RunningServer;
let browser: { ctx: BrowserContext; close: () => Promise<void> };

before(async () => {
  if (!existsSync(join(defaultWebRoot(), 'index.html')))
    throw new Error('The console is not built: run "npm run build" first.');
  dir = mkdtempSync(join(tmpdir(), 'bi-e2e-export-'));
  store = await createFixtureStore(join(dir, 'store.duckdb'), {
    records: RECORDS,
    endMs: NOW - 5 * 60_000,
    spanMs: 86_400_000,
  });
  server = await startServer({ store, port: 0 });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.close();
  store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('a cut result offers "All rows (CSV)": the download has every row', async () => {
  const page = await browser.ctx.newPage();
  const q = 'fields @timestamp, requestId';
  await page.goto(`${server.url}/query?r=3d&q=${encodeURIComponent(q)}`);
  await page.click('[data-testid="run-button"]');
  await page.waitForFunction(() =>
    document.querySelector('[data-testid="run-status"]')?.textContent?.includes('Completed'),
  );
  assert.match((await page.textContent('.query-main')) ?? '', /cut at 10000 rows/);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-all"]')]);
  assert.match(download.suggestedFilename(), /^query-.*\.csv$/);
  const lines = readFileSync(await download.path(), 'utf8')
    .trim()
    .split('\r\n');
  assert.equal(lines[0], '@timestamp,requestId');
  assert.equal(lines.length, 1 + RECORDS);
  assert.equal(new Set(lines.slice(1).map((l) => l.split(',')[1])).size, RECORDS);
  await page.close();
});
