import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultWebRoot, startServer, type RunningServer } from '../../src/api/server.js';
import { floorToHour, writeDataset } from '../../src/demo/generator.js';
import { plantedWindows } from '../../src/demo/planted.js';
import { ingestPaths } from '../../src/sources/ingest.js';
import { Store } from '../../src/store/store.js';
import { startReceiver, type HttpCatcher } from '../alarms/helpers.js';
import { artifact, launchBrowser } from './harness.js';

// The console's Alarms page in Chromium: the built-in alarm enabled with a webhook through the
// API, evaluated right after the demo data's planted hour; the page shows the state, the watched
// value against the threshold, the history and the notification.

const END = floorToHour(Date.now());
const win = plantedWindows(END, 30)!.hourlyTokenAlarm;
let dir: string;
let store: Store;
let server: RunningServer;
let hook: HttpCatcher;

before(async () => {
  assert.ok(existsSync(join(defaultWebRoot(), 'index.html')), 'the console is built (npm run build)');
  process.env.BEDROCK_INSIGHTS_ALARM_INTERVAL = '0';
  dir = mkdtempSync(join(tmpdir(), 'h10-console-'));
  await writeDataset({
    out: join(dir, 'demo.jsonl'),
    format: 'jsonl',
    records: 3000,
    days: 30,
    seed: 7,
    end: END,
    bodies: false,
  });
  store = await Store.open(join(dir, 'store.duckdb'));
  await ingestPaths(store, [join(dir, 'demo.jsonl')]);
  server = await startServer({ store, port: 0 });
  hook = await startReceiver();
});
after(async () => {
  await server.close();
  store.close();
  await hook.close();
  rmSync(dir, { recursive: true, force: true });
});

async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const r = await fetch(`${server.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body ?? {}),
  });
  const j = (await r.json()) as T;
  assert.ok(r.ok, JSON.stringify(j));
  return j;
}

test('the Alarms page: state, watched value chart with the threshold, history and the notification sent', async () => {
  const en = await api<{ targets: string[] }>('POST', '/api/alarms/BedrockTokenUsageHourly/enable', { to: [hook.url] });
  assert.deepEqual(en.targets, [`webhook:${hook.url}`]);
  await api('POST', '/api/alarms/evaluate', { at: win.endMs + 5 * 60_000 });
  assert.equal(hook.requests.length, 1);

  const browser = await launchBrowser();
  try {
    const page = await browser.ctx.newPage();
    await page.goto(`${server.url}/query`);
    await page.getByTestId('nav-alarms').click();
    await page.waitForURL(/\/alarms$/);
    const item = page.getByTestId('alarm-item').filter({ hasText: 'BedrockTokenUsageHourly' });
    await item.waitFor();
    assert.match(await item.innerText(), /ALARM[\s\S]*ApplicationName=HRPortalApp/);
    await item.click();
    await page.waitForURL(/\/alarms\?name=BedrockTokenUsageHourly$/);
    const detail = page.getByTestId('alarm-detail');
    await detail.waitFor();
    assert.equal(await detail.getByTestId('alarm-state').first().innerText(), 'ALARM');
    // The chart: a canvas drawn for the HRPortalApp series (the one in ALARM is shown first).
    await page.getByTestId('alarm-chart').locator('canvas').first().waitFor();
    assert.equal(await page.getByTestId('alarm-series').inputValue(), 'ApplicationName=HRPortalApp');
    const history = await page.getByTestId('alarm-history').innerText();
    assert.match(
      history,
      /ApplicationName=HRPortalApp\s+INSUFFICIENT_DATA → ALARM\s+[\d,]+\s+10,000\s+1 of the last 1 datapoint\(s\) > 10,000/,
    );
    assert.match(history, /user: u-\d+/);
    const notes = await page.getByTestId('alarm-notifications').innerText();
    assert.match(
      notes,
      new RegExp(
        `transition \\(ALARM\\)\\s+ApplicationName=HRPortalApp\\s+webhook:${hook.url.replace(/[/.]/g, '\\$&')}\\s+sent\\s+1`,
      ),
    );
    await page.screenshot({ path: artifact('alarms-page.png'), fullPage: true });

    // The history row links to the console view of the alarm's period.
    await page
      .getByTestId('alarm-history')
      .locator('tr', { hasText: 'ApplicationName=HRPortalApp' })
      .getByRole('link', { name: 'Query' })
      .click();
    await page.waitForURL(/\/query\?/);
    const u = new URL(page.url());
    assert.equal(u.searchParams.get('r'), `${win.startMs - 3_600_000}-${win.endMs - 1}`);
    assert.match(u.searchParams.get('q')!, /^filter requestMetadata\.application_name = "HRPortalApp"/);

    // Test notification from the page.
    await page.goto(`${server.url}/alarms?name=BedrockTokenUsageHourly`);
    await page.getByTestId('alarm-test-notify').click();
    await page.getByRole('status').filter({ hasText: 'Sent to webhook:' }).waitFor();
    assert.equal(hook.requests.length, 2);
    assert.equal((JSON.parse(hook.requests[1].body) as { type: string }).type, 'test');
  } finally {
    await browser.close();
  }
});
