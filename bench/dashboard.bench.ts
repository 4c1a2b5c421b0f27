/**
 * Dashboard benchmark (issue 12 item 3): the default dashboard's four widgets over the last 30
 * days of the BENCH_RECORDS store (bench/query.bench.ts builds it), with the hourly roll-ups on
 * against the same engine reading only events (roll-ups off: the baseline), in the same run.
 * Medians of BENCH_RUNS warm runs (default 5) of the four widgets one after another, and each
 * widget's answers compared on and off (they must be the same).
 *
 * Run: npm run build && node --import tsx bench/dashboard.bench.ts
 */
import assert from 'node:assert/strict';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Store } from '../src/store/store.js';
import { createEngine } from '../src/engines/factory.js';
import type { QueryEngine, QueryRequest, QueryResult } from '../src/engines/engine.js';
import { answerText } from '../src/contracts/answer-text.js';
import { defaultDashboardBody } from '../src/workspace/definitions.js';
import { build, END, median, storeN } from './query.bench.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const DAY = 86_400_000;

await build();
const store = await Store.open(storeN);
const records = Number((await store.connection.runAndReadAll('SELECT count(*) FROM events')).getRows()[0][0]);
const end = Date.parse(END);
const widgets = defaultDashboardBody().widgets.slice(0, 4);
const requests: QueryRequest[] = widgets.map((w) => ({
  queryString: w.queryString,
  logGroups: [...w.logGroups],
  startTime: end - 30 * DAY,
  endTime: end - 1,
}));

async function dashboard(engine: QueryEngine): Promise<{ ms: number; each: number[]; results: QueryResult[] }> {
  const t = performance.now();
  const results: QueryResult[] = [];
  const each: number[] = [];
  for (const r of requests) {
    const w = performance.now();
    results.push(await engine.run(r));
    each.push(performance.now() - w);
  }
  return { ms: performance.now() - t, each, results };
}

async function timed(
  rollups: boolean,
): Promise<{ total: number; each: number[]; cpu: number; results: QueryResult[] }> {
  const engine = createEngine(store, { engine: 'duckdb', rollups });
  try {
    const warm = await dashboard(engine);
    const runs: { ms: number; each: number[] }[] = [];
    const since = process.cpuUsage();
    for (let i = 0; i < RUNS; i++) runs.push(await dashboard(engine));
    const used = process.cpuUsage(since);
    return {
      total: median(runs.map((r) => r.ms)),
      // Each widget's median over the runs (so a slow widget shows even when the total is noisy).
      each: requests.map((_, w) => median(runs.map((r) => r.each[w]))),
      // CPU time of the whole process (DuckDB's threads included) per dashboard: on a shared
      // machine it says what the work costs when the wall clock is stretched by other load.
      cpu: (used.user + used.system) / 1000 / RUNS,
      results: warm.results,
    };
  } finally {
    await engine.close();
  }
}

const loadBefore = loadavg()[0];
const off = await timed(false);
const on = await timed(true);
for (let i = 0; i < widgets.length; i++) {
  assert.equal(on.results[i].status, 'Complete', on.results[i].error?.message);
  assert.deepEqual(on.results[i].statistics, off.results[i].statistics, `${widgets[i].title}: statistics differ`);
  // Every widget, cost sums included (exact on both paths since docs/semantics.md R2a).
  assert.deepEqual(on.results[i].rows, off.results[i].rows, `${widgets[i].title}: roll-ups on and off differ`);
}
store.close();

const f = (ms: number) => `${ms.toFixed(0).padStart(7)} ms`;
console.log(
  `\nDefault dashboard (4 widgets, last 30 days) on ${records.toLocaleString('en-US')} records, medians of ${RUNS} warm runs (${new Date().toISOString()})\n`,
);
console.log(`load average ${loadBefore.toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end (2 cores)`);
console.log(`roll-ups off (events only, baseline): ${f(off.total)}   CPU ${f(off.cpu)} per dashboard`);
console.log(
  `roll-ups on:                          ${f(on.total)}   CPU ${f(on.cpu)} per dashboard   (${(off.total / on.total).toFixed(1)}x faster)`,
);
for (let i = 0; i < widgets.length; i++) {
  const a = on.results[i].answeredBy;
  console.log(
    `- ${widgets[i].title}: off ${f(off.each[i])}, on ${f(on.each[i])}; ${a ? answerText(a) : 'no decision'}`,
  );
}
