import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDuckDbEngine } from '../../src/engines/duckdb.js';
import type { QueryEngine } from '../../src/engines/engine.js';
import { plantedWindows } from '../../src/demo/planted.js';
import { parsePeriod } from '../../src/reports/period.js';
import { buildReport, type ReportData } from '../../src/reports/report.js';
import { renderReportHtml } from '../../src/reports/report-render.js';
import { barChart, svgToPng } from '../../src/reports/charts.js';
import { htmlToPng } from '../../src/reports/pdf.js';
import { formatUsd } from '../../src/contracts/money.js';
import type { Store } from '../../src/store/store.js';
import { DEMO_DAYS, DEMO_END, demoStore } from './demo-fixture.js';

let store: Store;
let dir: string;
let engine: QueryEngine;
let report: ReportData;
const OCT_START = Date.UTC(2026, 9, 1);
const NOV_START = Date.UTC(2026, 10, 1);
const SEP_START = Date.UTC(2026, 8, 1);

before(async () => {
  ({ store, dir } = await demoStore());
  engine = createDuckDbEngine(store);
  report = await buildReport(engine, { period: parsePeriod('2026-10') });
});
after(async () => {
  await engine.close();
  store.close();
});

/** Independent figures: plain SQL over events (not the engine, not the report code). */
async function sql(text: string): Promise<unknown[][]> {
  return (await store.connection.runAndReadAll(text)).getRows();
}
const near = (a: number, b: number, msg: string): void =>
  assert.ok(Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b)), `${msg}: ${a} vs ${b}`);

test('totals and the change against the previous month match SQL over events', async () => {
  const [[cost, requests, tokens]] =
    (await sql(`SELECT sum(cost_total), count(*), sum(coalesce(input_tokens,0)+coalesce(output_tokens,0)+coalesce(cache_read_tokens,0)+coalesce(cache_write_tokens,0))
    FROM events WHERE kind='bedrock' AND ts >= ${OCT_START} AND ts < ${NOV_START}`)) as [[number, bigint, bigint]];
  const [[prevCost, prevRequests]] = (await sql(
    `SELECT sum(cost_total), count(*) FROM events WHERE kind='bedrock' AND ts >= ${SEP_START} AND ts < ${OCT_START}`,
  )) as [[number, bigint]];
  near(report.totals.cost, cost, 'October cost');
  assert.equal(report.totals.requests, Number(requests));
  assert.equal(report.coverage.tokens, Number(tokens));
  near(report.previousTotals.cost, prevCost, 'September cost');
  assert.equal(report.previousTotals.requests, Number(prevRequests));
  assert.ok(report.totals.cost > 10, 'the demo month costs something');
  // The data starts in mid-September: a change against that part of a month would be a fake
  // "▲ 100+%"; it is suppressed and says why.
  const [[first]] = (await sql(`SELECT min(ts) FROM events WHERE kind='bedrock'`)) as [[bigint]];
  assert.ok(Number(first) > SEP_START + 86_400_000, 'the fixture starts inside September');
  assert.deepEqual([report.change.cost.ratio, report.change.cost.basis], [null, 'partial']);
  assert.match(
    report.change.cost.note!,
    new RegExp(`only partly covered \\(data from ${new Date(Number(first)).toISOString().slice(0, 10)}`),
  );
  assert.equal(report.previousCoverage.state, 'partial');
  assert.equal(report.periodCoverage.state, 'full', 'October is wholly covered');
  const html = renderReportHtml(report);
  assert.match(html, /data-basis="partial">previous period only partly covered/);
  assert.doesNotMatch(html, /data-kpi="cost">.*▲/);
});

test('an empty month says so and compares with nothing; a quarter whose previous quarter is partly covered gets no ratio', async () => {
  // 2026-10 vs September is partial above; 2026-Q4 has no data before October: no change at all.
  const q4 = await buildReport(engine, { period: parsePeriod('2026-Q4') });
  assert.equal(q4.previousCoverage.state, 'partial');
  // A month whose previous month is wholly covered: build the change by hand from two full months.
  const [[octCost]] = (await sql(
    `SELECT sum(cost_total) FROM events WHERE kind='bedrock' AND ts >= ${OCT_START} AND ts < ${NOV_START}`,
  )) as [[number]];
  const nov = await buildReport(engine, { period: parsePeriod('2026-11') });
  assert.equal(nov.periodCoverage.state, 'empty', 'the fixture ends on 2026-11-01');
  assert.match(nov.periodCoverage.label, /no data in this period: the store covers/);
  assert.equal(nov.change.cost.basis, 'none', 'no data in November: nothing to compare');
  near(nov.previousTotals.cost, octCost, 'October as the previous period');
  assert.match(renderReportHtml(nov), /data-notice="empty"><b>No invocations in 2026-11<\/b>/);
});

test('price coverage: unpriced tokens per SQL, and the unmapped application profile is among them', async () => {
  const [[unpricedTokens]] =
    (await sql(`SELECT sum(coalesce(input_tokens,0)+coalesce(output_tokens,0)+coalesce(cache_read_tokens,0)+coalesce(cache_write_tokens,0))
    FROM events WHERE kind='bedrock' AND cost_total IS NULL AND ts >= ${OCT_START} AND ts < ${NOV_START}`)) as [
      [bigint],
    ];
  assert.equal(report.coverage.unpricedTokens, Number(unpricedTokens));
  const share = report.coverage.share as number;
  assert.ok(share < 1 && share > 0.5);
  assert.ok(report.coverage.unpriced.some((u) => u.model.includes('application-inference-profile/')));
});

test('top applications, cost centers and models match SQL, untagged listed', async () => {
  const apps = (await sql(`SELECT request_metadata['application_name'] AS a, sum(cost_total) c FROM events
    WHERE kind='bedrock' AND ts >= ${OCT_START} AND ts < ${NOV_START} AND request_metadata['application_name'] IS NOT NULL GROUP BY 1 ORDER BY c DESC`)) as [
    string,
    number,
  ][];
  const tagged = report.top.applications.filter((r) => !r.untagged);
  assert.equal(tagged[0].name, apps[0][0]);
  for (const [name, c] of apps) near(tagged.find((r) => r.name === name)!.cost, c, `app ${name}`);
  const [[untaggedCost]] = (await sql(
    `SELECT sum(cost_total) FROM events WHERE kind='bedrock' AND ts >= ${OCT_START} AND ts < ${NOV_START} AND request_metadata['cost_center'] IS NULL`,
  )) as [[number]];
  near(report.top.costCenters.find((r) => r.untagged)!.cost, untaggedCost, 'untagged cost centers');
  const [[topModel, topModelCost]] = (await sql(
    `SELECT model_id, sum(cost_total) c FROM events WHERE kind='bedrock' AND ts >= ${OCT_START} AND ts < ${NOV_START} GROUP BY 1 ORDER BY c DESC NULLS LAST LIMIT 1`,
  )) as [[string, number]];
  assert.equal(report.top.models[0].name, topModel);
  near(report.top.models[0].cost, topModelCost, 'top model');
  // The months of the trend add up to the period's cost for October.
  near(report.monthly.find((m) => m.label === '2026-10')!.cost, report.totals.cost, 'monthly October');
  near(
    report.weekly.reduce((a, w) => a + w.cost, 0),
    report.totals.cost,
    'weeks add up',
  );
  assert.equal(report.daily.length, 31);
});

test("cache savings: cache-read tokens at the input price minus their cost, as SQL computes it from each row's own input rate", async () => {
  const [[noInput]] = (await sql(
    `SELECT count(*) FROM events WHERE kind='bedrock' AND cost_total IS NOT NULL AND cache_read_tokens > 0 AND coalesce(input_tokens,0) = 0 AND ts >= ${OCT_START} AND ts < ${NOV_START}`,
  )) as [[bigint]];
  assert.equal(Number(noInput), 0, 'every cache-reading row has input tokens to take its input rate from');
  const [[readAtInput, readCost]] =
    (await sql(`SELECT sum(cache_read_tokens * cost_input / input_tokens), sum(cost_cache_read) FROM events
    WHERE kind='bedrock' AND cost_total IS NOT NULL AND cache_read_tokens > 0 AND (error_code IS NULL OR error_code = '') AND ts >= ${OCT_START} AND ts < ${NOV_START}`)) as [
      [number, number],
    ];
  near(report.cache.readCost, readCost, 'cache read cost');
  near(report.cache.savings, readAtInput - readCost, 'cache savings');
  assert.ok(report.cache.savings > 0);
});

test('anomalies: the planted tenant-globex spike is found in its 4-hour window', () => {
  const w = plantedWindows(Date.parse(DEMO_END), DEMO_DAYS)!.tenantSpike;
  const hits = report.anomalies.filter((a) => a.kind === 'owner-hours' && a.subject === 'tenant-globex');
  assert.equal(hits.length, 1, JSON.stringify(report.anomalies));
  assert.ok(
    hits[0].start >= w.startMs && hits[0].end <= w.endMs && hits[0].end - hits[0].start >= 2 * 3_600_000,
    `window ${new Date(hits[0].start).toISOString()}..${new Date(hits[0].end).toISOString()}`,
  );
  assert.ok(hits[0].factor >= 5);
  // Few false alarms on ordinary traffic.
  assert.ok(report.anomalies.length <= 4, `${report.anomalies.length} anomalies`);
});

test('the HTML is self-contained, shows the figures, and renders to PNG in Chromium', async () => {
  const html = renderReportHtml(report);
  assert.doesNotMatch(html, /<script|<link |src="http/i);
  assert.ok((html.match(/<svg/g) ?? []).length >= 5, 'inline SVG charts');
  assert.ok(html.includes(formatUsd(report.totals.cost)));
  assert.ok(html.includes('tenant-globex'));
  assert.match(html, /Price coverage/);
  const file = join(dir, 'report.html');
  writeFileSync(file, html);
  const png = join(dir, 'report.png');
  await htmlToPng(file, png);
  const buf = readFileSync(png);
  assert.equal(buf.subarray(1, 4).toString(), 'PNG');
  assert.equal(buf.readUInt32BE(16), 1100);
  assert.ok(buf.readUInt32BE(20) > 2000, 'a full-page screenshot');
  assert.ok(statSync(png).size > 100_000);
});

test('a chart rasterises with text (resvg with DejaVu Sans): more ink than the same chart without labels', () => {
  const withText = svgToPng(
    barChart('Cost per month with a long title', [
      { name: '2026-09', value: 12 },
      { name: '2026-10', value: 30 },
    ]),
    600,
  );
  const noText = svgToPng(
    barChart('', [
      { name: '', value: 12 },
      { name: '', value: 30 },
    ]),
    600,
  );
  assert.equal(withText.subarray(1, 4).toString(), 'PNG');
  assert.equal(withText.readUInt32BE(16), 600);
  assert.ok(withText.length > noText.length + 1000, `${withText.length} vs ${noText.length}`);
});
