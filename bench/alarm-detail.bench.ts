// The alarm detail page's data (GET /api/alarms/:name and GET /api/alarms/:name/series for 7
// days, requested together as the page does) for the built-in BedrockTokenUsageHourly over the
// demo data set (`bedrock-insights demo`: 150,000 records, 30 days), through the real server.
// Baseline in the same run: the series computed as before issue 18, every message of the range
// through the filter-pattern matcher (MetricSource with sql=false), against the SQL aggregation
// now used. Also the editor's 30-day backtest of a query alarm: one query per period (before)
// against one query with bin(period) (now). Run on demand: `npm run bench:alarms`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../src/api/server.js';
import { AlarmStore, backtestData, parseAlarmDefinition, replay } from '../src/alarms/index.js';
import type { MetricAlarmDef, QueryAlarmDef } from '../src/alarms/definition.js';
import { MetricSource } from '../src/alarms/sources/metric.js';
import { QuerySource } from '../src/alarms/sources/query.js';
import { DEMO_DEFAULT_RECORDS, floorToHour, writeDataset } from '../src/demo/generator.js';
import { createEngine } from '../src/engines/factory.js';
import { ingestPaths } from '../src/sources/ingest.js';
import { Store } from '../src/store/store.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const DAY = 86_400_000;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function timed(f: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await f();
  return performance.now() - t;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bi-bench-alarms-'));
  try {
    const end = floorToHour(Date.now());
    await writeDataset({
      out: join(dir, 'demo.jsonl'),
      format: 'jsonl',
      records: DEMO_DEFAULT_RECORDS,
      days: 30,
      seed: '1',
      end,
      bodies: false,
    });
    const store = await Store.open(join(dir, 'store.duckdb'));
    await ingestPaths(store, [join(dir, 'demo.jsonl')]);
    const alarms = await AlarmStore.open(store);
    const engine = createEngine(store);
    const rt = { store, alarms, engine: () => engine };
    const builtin = (await alarms.require('BedrockTokenUsageHourly')).definition as MetricAlarmDef;
    const until = Date.now();
    const week = { since: until - 7 * DAY, until };

    // Series for 7 days: matcher (before) vs SQL (now), alternating, same answer checked.
    const before: number[] = [];
    const now: number[] = [];
    const fired: [number, number] = [0, 0];
    for (let i = 0; i < RUNS; i++) {
      before.push(
        await timed(async () => {
          const source = await MetricSource.create(store, alarms.conn, builtin, { sql: false });
          fired[0] = replay(await backtestData(rt, builtin, { ...week, source })).transitions.length;
        }),
      );
      now.push(
        await timed(async () => {
          fired[1] = replay(await backtestData(rt, builtin, week)).transitions.length;
        }),
      );
    }
    if (fired[0] !== fired[1]) throw new Error(`the two paths disagree: ${fired[0]} vs ${fired[1]} state changes`);

    // The page's two requests through the real server.
    const server = await startServer({ store, port: 0 });
    const page: number[] = [];
    for (let i = 0; i < RUNS; i++)
      page.push(
        await timed(() =>
          Promise.all([
            fetch(`${server.url}/api/alarms/BedrockTokenUsageHourly`).then((r) => r.json()),
            fetch(
              `${server.url}/api/alarms/BedrockTokenUsageHourly/series?since=${week.since}&until=${week.until}`,
            ).then((r) => r.json()),
          ]),
        ),
      );
    await server.close();

    // The editor's 30-day backtest of an hourly query alarm.
    const q = parseAlarmDefinition({
      name: 'q',
      kind: 'query',
      query: {
        queryString:
          'stats sum(input.inputTokenCount + output.outputTokenCount) as tokens by requestMetadata.application_name',
        column: 'tokens',
      },
      threshold: 10000,
      treatMissingData: 'notBreaching',
    }) as QueryAlarmDef;
    const month = { since: until - 30 * DAY, until };
    const perPeriod = await timed(() => backtestData(rt, q, { ...month, source: new QuerySource(engine, q, false) }));
    const binned = await timed(() => backtestData(rt, q, month));

    console.log(`demo data: ${DEMO_DEFAULT_RECORDS.toLocaleString()} records over 30 days; medians of ${RUNS}`);
    console.log(`series, 7 days, matcher (before)      ${median(before).toFixed(0)} ms`);
    console.log(
      `series, 7 days, SQL aggregation (now) ${median(now).toFixed(0)} ms  (${(median(before) / median(now)).toFixed(1)}x faster)`,
    );
    console.log(`detail page's two requests over HTTP  ${median(page).toFixed(0)} ms`);
    console.log(
      `query alarm, 30-day backtest: one query per period ${perPeriod.toFixed(0)} ms, one binned query ${binned.toFixed(0)} ms`,
    );
    alarms.close();
    store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
