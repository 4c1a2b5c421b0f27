// The default "Bedrock usage" dashboard over a 1,000,000-record store, in Debian's Chromium:
// time from navigation to the last widget drawn (all four widgets ready, the three charts
// rendered, the totals filled), cold (fresh server and browser profile) and warm (reloads).
// Baseline in the same run: the same six aggregations as hand-written DuckDB SQL, run one after
// the other on the same store. Run on demand: `npm run bench:console` (about a minute).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startServer } from '../src/api/server.js';
import { Store } from '../src/store/store.js';
import { createFixtureStore } from '../test/e2e/fixture.js';
import { launchBrowser } from '../test/e2e/harness.js';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 1_000_000);
const SPAN_DAYS = Number(process.env.BENCH_SPAN_DAYS ?? 30);
const WARM_RUNS = 5;

async function drawnAt(page: Page, url: string): Promise<number> {
  await page.goto(url);
  const handle = await page.waitForFunction(
    () => {
      const ws = [...document.querySelectorAll('[data-testid="widget"]')];
      const ready = ws.length === 4 && ws.every((w) => w.getAttribute('data-state') === 'ready');
      const charts = document.querySelectorAll('[data-testid="widget"] .chart[data-rendered="true"]').length === 3;
      const totals = !document.querySelector('[data-testid="total-requests"] .total-value')?.textContent?.includes('—');
      const rows = document.querySelectorAll('[data-widget-id="latest-requests"] tbody tr').length === 20;
      return ready && charts && totals && rows ? performance.now() : false;
    },
    undefined,
    { polling: 'raf', timeout: 120_000 },
  );
  return (await handle.jsonValue()) as number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function baselineMs(store: Store, start: number, end: number): Promise<number> {
  const conn = await store.connect();
  const where = `log_group = '/aws/bedrock/modelinvocations' AND ts BETWEEN ${start} AND ${end}`;
  const sqls = [
    `SELECT time_bucket(INTERVAL 1 HOUR, make_timestamp(ts * 1000)) h, sum(input_tokens + output_tokens) FROM events WHERE ${where} GROUP BY h ORDER BY h`,
    `SELECT request_metadata['application_name'] a, sum(input_tokens + output_tokens) t FROM events WHERE ${where} GROUP BY a ORDER BY t DESC`,
    `SELECT ts, request_metadata['application_name'], request_metadata['environment'], model_id, input_tokens, output_tokens FROM events WHERE ${where} ORDER BY ts DESC LIMIT 20`,
    `SELECT request_metadata['cost_center'] c, sum(input_tokens + output_tokens) t FROM events WHERE ${where} GROUP BY c ORDER BY t DESC`,
    `SELECT count(*), sum(input_tokens), sum(output_tokens) FROM events WHERE ${where}`,
    `SELECT count(*), sum(input_tokens), sum(output_tokens) FROM events WHERE log_group = '/aws/bedrock/modelinvocations' AND ts BETWEEN ${2 * start - end - 1} AND ${start - 1}`,
  ];
  const t0 = performance.now();
  for (const s of sqls) await conn.runAndReadAll(s);
  const ms = performance.now() - t0;
  conn.closeSync();
  return ms;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bi-bench-console-'));
  const db = join(dir, 'store.duckdb');
  const now = Date.now();
  const t = performance.now();
  const built = await createFixtureStore(db, { records: RECORDS, endMs: now - 60_000, spanMs: SPAN_DAYS * 86_400_000 });
  built.close();
  console.log(
    `store: ${RECORDS.toLocaleString()} records over ${SPAN_DAYS} days, built in ${((performance.now() - t) / 1000).toFixed(1)} s`,
  );

  const results: { range: string; cold: number; warm: number; baseline: number }[] = [];
  for (const range of ['1d', '4w']) {
    // Cold: a freshly opened store and server, and a fresh browser profile.
    const store = await Store.open(db);
    const server = await startServer({ store, port: 0 });
    const put = await fetch(`${server.url}/api/dashboards/bedrock-usage`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ range: { kind: 'relative', value: range } }),
    });
    if (!put.ok) throw new Error(`cannot set the range: ${put.status}`);
    const browser = await launchBrowser();
    try {
      const page = await browser.ctx.newPage();
      const url = `${server.url}/dashboards/bedrock-usage`;
      const cold = await drawnAt(page, url);
      const warm: number[] = [];
      for (let i = 0; i < WARM_RUNS; i++) warm.push(await drawnAt(page, url));
      const rangeMs = range === '1d' ? 86_400_000 : 28 * 86_400_000;
      const baseline = median([
        await baselineMs(store, Date.now() - rangeMs, Date.now()),
        await baselineMs(store, Date.now() - rangeMs, Date.now()),
        await baselineMs(store, Date.now() - rangeMs, Date.now()),
      ]);
      results.push({ range, cold, warm: median(warm), baseline });
    } finally {
      await browser.close();
      await server.close();
      store.close();
    }
  }
  console.log(
    '\nrange | records in range | cold: navigation → last widget | warm (median of 5) | hand SQL, same 6 queries | warm / SQL',
  );
  for (const r of results) {
    const inRange =
      r.range === '1d' ? Math.round(RECORDS / SPAN_DAYS) : Math.round(RECORDS * Math.min(1, 28 / SPAN_DAYS));
    console.log(
      `${r.range.padEnd(5)} | ~${inRange.toLocaleString().padStart(15)} | ${r.cold.toFixed(0).padStart(6)} ms | ${r.warm.toFixed(0).padStart(6)} ms | ${r.baseline.toFixed(0).padStart(6)} ms | ${(r.warm / r.baseline).toFixed(1)}x`,
    );
  }
  rmSync(dir, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
