import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Page, Response } from 'playwright-core';
import { defaultWebRoot, startServer, type RunningServer } from '../../src/api/server.js';
import { DEMO_DEFAULT_RECORDS, floorToHour, writeDataset } from '../../src/demo/generator.js';
import { ingestPaths } from '../../src/sources/ingest.js';
import { Store } from '../../src/store/store.js';
import type { AlarmBacktest } from '../../src/contracts/wire.js';
import { evaluatedPeriods, fires, hourlyValues, suggested, TOKENS_PER_APP_JSON } from '../alarms/independent.js';
import { artifact, launchBrowser, screenshotAtReviewSizes } from './harness.js';

// The alarm editor in Chromium on the demo data set as `bedrock-insights demo` makes it (150,000
// records over 30 days): the built-in alarm's backtest and suggestion, a query alarm created
// through the form, edited, refused with the server's problems beside their fields, disabled and
// deleted; each figure the page shows checked against the same figure computed from the stored
// messages with DuckDB's JSON functions (test/alarms/independent.ts), not by src/alarms.

const END = floorToHour(Date.now());
let dir: string;
let store: Store;
let conn: DuckDBConnection;
let server: RunningServer;

before(async () => {
  assert.ok(existsSync(join(defaultWebRoot(), 'index.html')), 'the console is built (npm run build)');
  process.env.BEDROCK_INSIGHTS_ALARM_INTERVAL = '0';
  dir = mkdtempSync(join(tmpdir(), 'alarm-editor-'));
  await writeDataset({
    out: join(dir, 'demo.jsonl'),
    format: 'jsonl',
    records: DEMO_DEFAULT_RECORDS,
    days: 30,
    seed: '1',
    end: END,
    bodies: false,
  });
  store = await Store.open(join(dir, 'store.duckdb'));
  await ingestPaths(store, [join(dir, 'demo.jsonl')]);
  conn = await store.connect();
  server = await startServer({ store, port: 0 });
});
after(async () => {
  conn?.closeSync();
  await server?.close();
  store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function api<T>(method: string, path: string, body?: unknown): Promise<{ status: number; json: T }> {
  const r = await fetch(`${server.url}${path}`, {
    method,
    ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
  });
  return { status: r.status, json: (await r.json()) as T };
}

/** Keeps the last backtest the page received, to read the range it covered. */
function lastBacktest(page: Page): () => AlarmBacktest | undefined {
  let last: AlarmBacktest | undefined;
  page.on('response', (r: Response) => {
    if (r.url().endsWith('/api/alarms/backtest') && r.ok())
      void r.json().then(
        (j: AlarmBacktest) => (last = j),
        () => undefined,
      );
  });
  return () => last;
}

/** Waits until the backtest panel shows a settled result (no request pending) and returns its count. */
async function settledCount(page: Page): Promise<number> {
  await page.waitForFunction(
    () =>
      document.querySelector('[data-testid="backtest"]')?.getAttribute('aria-busy') === 'false' &&
      document.querySelector('[data-testid="backtest-count"]') !== null,
    undefined,
    { timeout: 60_000 },
  );
  // The debounce may start another replay right after: wait past it and check again.
  await page.waitForTimeout(900);
  await page.waitForFunction(
    () => document.querySelector('[data-testid="backtest"]')?.getAttribute('aria-busy') === 'false',
    undefined,
    { timeout: 60_000 },
  );
  return Number((await page.getByTestId('backtest-count').innerText()).replace(/,/g, ''));
}

const num = (s: string): number => Number(s.replace(/,/g, ''));

test("the built-in alarm's editor says how often 10,000 tokens/hour would have fired in 30 days and suggests a threshold from history", async () => {
  const browser = await launchBrowser();
  try {
    const page = await browser.ctx.newPage();
    const last = lastBacktest(page);
    await page.goto(`${server.url}/alarms?name=BedrockTokenUsageHourly`);
    await page.getByTestId('alarm-edit').click();
    await page.waitForURL(/edit=1/);
    const shown = await settledCount(page);
    const bt = last()!;
    assert.equal(bt.fired, shown);

    const periods = evaluatedPeriods(bt.since, bt.until);
    const values = await hourlyValues(conn, TOKENS_PER_APP_JSON, periods.first, periods.last + 3_600_000);
    const expected = fires(values, 10_000, periods);
    assert.equal(shown, expected, 'the count shown is the count computed from the messages');
    assert.ok(expected > 150 && expected < 300, `the demo's ~220 fires (got ${expected})`);
    assert.match(
      await page.getByTestId('backtest-fired').innerText(),
      /Would have fired [\d,]+ times in the last 30 days/,
    );

    const s = suggested(values, bt.since, periods);
    assert.equal(num(await page.getByTestId('suggested-threshold').innerText()), s);
    assert.equal(num(await page.getByTestId('suggested-fired').innerText()), fires(values, s, periods));
    assert.match(
      await page.getByTestId('backtest-suggestion').innerText(),
      /p99 of the [\d,]+ 1-hour values of the last 30 days \(6 series\), rounded up to 2 significant figures/,
    );
    await page.getByTestId('backtest-chart').locator('canvas').first().waitFor();

    await screenshotAtReviewSizes(page, 'alarm-editor-builtin');

    // Using the suggestion replays with it: the count becomes the suggestion's.
    await page.getByTestId('use-suggestion').click();
    assert.equal(await page.locator('[data-field="threshold"]').inputValue(), String(s));
    assert.equal(await settledCount(page), fires(values, s, periods));
  } finally {
    await browser.close();
  }
});

test('a query alarm created through the form, with the backtest and the suggestion, edited, refused field by field, disabled and deleted', async () => {
  const browser = await launchBrowser();
  try {
    const page = await browser.ctx.newPage();
    const last = lastBacktest(page);
    await page.goto(`${server.url}/alarms`);
    await page.getByTestId('alarm-new').click();
    await page.waitForURL(/new=1/);
    const form = page.getByTestId('alarm-form');
    assert.equal(await form.locator('#f-kind').inputValue(), 'query');
    // A hostile name first: the server's problem shows beside the name.
    await form.locator('[data-field="name"]').fill('tokens/app');
    await form.locator('[data-field="threshold"]').fill('10000');
    await page.getByTestId('alarm-save').click();
    await page.getByTestId('alarm-save-error').waitFor();
    assert.match(
      await form.locator('[data-testid="field-problem"][data-problem-for="name"]').innerText(),
      /must not start with a space or contain \//,
    );

    await form.locator('[data-field="name"]').fill('TokensPerApplicationQuery');
    const queryText = await form.locator('[data-field="query.queryString"]').inputValue();
    assert.equal(
      queryText,
      'stats sum(input.inputTokenCount + output.outputTokenCount) as tokens by requestMetadata.application_name',
    );
    const shown = await settledCount(page);
    const bt = last()!;
    // Independently: the same sums per application (a missing application is a series of its own,
    // as the query's `by` makes it) from the messages' JSON.
    const periods = evaluatedPeriods(bt.since, bt.until);
    const values = await hourlyValues(
      conn,
      `SELECT (ts // 3600000) * 3600000, coalesce(json_extract_string(message, '$.requestMetadata.application_name'), ''),
              sum(json_extract(message, '$.input.inputTokenCount')::DOUBLE + json_extract(message, '$.output.outputTokenCount')::DOUBLE)
       FROM events WHERE ts >= $1 AND ts < $2 GROUP BY ALL`,
      periods.first,
      periods.last + 3_600_000,
    );
    assert.equal(shown, fires(values, 10_000, periods));
    const s = suggested(values, bt.since, periods);
    assert.equal(num(await page.getByTestId('suggested-threshold').innerText()), s);
    await page.getByTestId('use-suggestion').click();
    assert.equal(await settledCount(page), fires(values, s, periods));
    await form.locator('[data-field="description"]').fill('Tokens per application and hour, from a query');
    await page.getByTestId('add-target').click();
    await form.getByLabel('Target 1 address').fill('finops@example.com');
    await screenshotAtReviewSizes(page, 'alarm-editor-query');
    await page.getByTestId('alarm-save').click();
    await page.waitForURL(/\/alarms\?name=TokensPerApplicationQuery$/);
    await page.getByTestId('alarm-detail').waitFor();

    const stored = await api<{ definition: Record<string, unknown> }>('GET', '/api/alarms/TokensPerApplicationQuery');
    assert.equal(stored.status, 200);
    const d = stored.json.definition;
    assert.equal(d.kind, 'query');
    assert.equal(d.threshold, s);
    assert.equal(d.period, 3600);
    assert.equal(d.comparisonOperator, 'GreaterThanThreshold');
    assert.equal(d.treatMissingData, 'notBreaching');
    assert.equal(d.description, 'Tokens per application and hour, from a query');
    assert.deepEqual(d.query, { queryString: queryText, column: 'tokens', logGroups: [] });
    assert.deepEqual(d.notify, [{ type: 'email', to: ['finops@example.com'] }]);
    // The stored definition, replayed by the API, fires as the form said.
    const replayed = await api<AlarmBacktest>('POST', '/api/alarms/backtest', {
      definition: d,
      since: bt.since,
      until: bt.until,
    });
    assert.equal(replayed.json.fired, fires(values, s, periods));

    // Edit: 2 of 3 periods, a new threshold; first a threshold that is not a number and M > N.
    await page.getByTestId('alarm-edit').click();
    await page.waitForURL(/edit=1/);
    assert.equal(await form.locator('[data-field="name"]').getAttribute('readonly'), '');
    await form.locator('[data-field="threshold"]').fill('lots');
    await form.locator('[data-field="evaluationPeriods"]').fill('3');
    await form.locator('[data-field="datapointsToAlarm"]').fill('4');
    await page.getByTestId('alarm-save').click();
    await page.getByTestId('alarm-save-error').waitFor();
    assert.match(
      await form.locator('[data-testid="field-problem"][data-problem-for="threshold"]').innerText(),
      /number/i,
    );
    await form.locator('[data-field="threshold"]').fill('150000');
    await page.getByTestId('alarm-save').click();
    await form.locator('[data-testid="field-problem"][data-problem-for="datapointsToAlarm"]').waitFor();
    assert.match(
      await form.locator('[data-testid="field-problem"][data-problem-for="datapointsToAlarm"]').innerText(),
      /datapointsToAlarm must not exceed evaluationPeriods/,
    );
    assert.equal(await form.locator('[data-field="datapointsToAlarm"]').getAttribute('aria-invalid'), 'true');
    await page.screenshot({ path: artifact('alarm-editor-problems-1440x900.png') });
    await form.locator('[data-field="datapointsToAlarm"]').fill('2');
    await page.getByTestId('alarm-save').click();
    await page.waitForURL(/\/alarms\?name=TokensPerApplicationQuery$/);
    const edited = (await api<{ definition: Record<string, unknown> }>('GET', '/api/alarms/TokensPerApplicationQuery'))
      .json.definition;
    assert.equal(edited.threshold, 150000);
    assert.equal(edited.evaluationPeriods, 3);
    assert.equal(edited.datapointsToAlarm, 2);
    assert.deepEqual(edited.notify, [{ type: 'email', to: ['finops@example.com'] }]);

    // Disable, then delete with confirmation (Cancel first keeps it).
    await page.getByTestId('alarm-disable').click();
    await page.getByRole('status').filter({ hasText: 'Disabled.' }).waitFor();
    assert.equal((await api<{ enabled: boolean }>('GET', '/api/alarms/TokensPerApplicationQuery')).json.enabled, false);
    await page.getByTestId('alarm-delete').click();
    await page.getByTestId('alarm-delete-confirm').getByRole('button', { name: 'Cancel' }).click();
    assert.equal((await api('GET', '/api/alarms/TokensPerApplicationQuery')).status, 200);
    await page.getByTestId('alarm-delete').click();
    await page.getByTestId('alarm-delete-yes').click();
    await page.waitForURL(/\/alarms$/);
    assert.equal((await api('GET', '/api/alarms/TokensPerApplicationQuery')).status, 404);
    await page.getByTestId('alarm-item').filter({ hasText: 'BedrockTokenUsageHourly' }).waitFor();
    // The list reloads after the delete: wait for the item to go.
    await page
      .getByTestId('alarm-item')
      .filter({ hasText: 'TokensPerApplicationQuery' })
      .waitFor({ state: 'detached' });
  } finally {
    await browser.close();
  }
});
