/**
 * Engines benchmark (issue 13): the same Logs Insights queries through the embedded DuckDB store
 * (the baseline) and through a single-node Trino reading (a) the S3 delivery layout in place and
 * (b) the Parquet archive `export` writes, over the same records.
 *
 * 1. Builds (once, cached under $BENCH_DIR, default /tmp/bedrock-insights-bench-engines) a
 *    BENCH_RECORDS-record delivery layout (default 10,000,000; demo preset, 30 days, bodies on, as
 *    Bedrock delivers them), ingests it into a store through the real ingest path, and exports the
 *    store to the archive. The set-up times are printed: ingest and export are what the store and
 *    the archive cost before the first query; the layout costs nothing.
 * 2. Starts (or reuses) the local Trino (`npm run trino:start`, through the tests' holder) and
 *    creates the tables (`trino setup`, `trino setup --archive`).
 * 3. Times Q2, Q4, Q8, Q14 (the user's queries, verbatim) and Q2 over one day (a time range: the
 *    partitions it reads) on each engine: medians of BENCH_RUNS (default 3) after one warm-up, with
 *    the engine's own scan statistics. Ratios are against DuckDB in the same run.
 *
 * Run: node --import tsx bench/engines.bench.ts   (BENCH_RECORDS=200000 for a short run;
 * BENCH_QUERIES="Q2,Q2, last day" to time only those; BENCH_WARMUP=0 to skip the warm-up run)
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { exportArchive } from '../src/archive/export.js';
import { writeDataset } from '../src/demo/generator.js';
import type { QueryEngine, QueryRequest, QueryResult } from '../src/engines/engine.js';
import { createEngine } from '../src/engines/factory.js';
import { describeArchive } from '../src/engines/trino/archive-table.js';
import { TrinoClient } from '../src/engines/trino/client.js';
import { describeLayout } from '../src/engines/trino/layout.js';
import { setupTrinoArchive, setupTrinoTable } from '../src/engines/trino/setup.js';
import { ingestPaths } from '../src/sources/ingest.js';
import { Store } from '../src/store/store.js';
import { holdLocalTrino } from '../test/engines/trino/helpers.js';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 10_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 1);
/** The queries to time (names as printed); default all. A large layout takes minutes per query. */
const ONLY = process.env.BENCH_QUERIES?.split(/,(?! )/).map((q) => q.trim());
/** Request and response bodies in the layout (BENCH_BODIES=0: off, as with text delivery off). */
const BODIES = process.env.BENCH_BODIES !== '0';
const DIR = join(
  process.env.BENCH_DIR ?? '/tmp/bedrock-insights-bench-engines',
  BODIES ? String(RECORDS) : `${RECORDS}-no-bodies`,
);
const END = '2026-11-01T00:00:00Z';
const DAY_MS = 86_400_000;
const layout = join(DIR, 'layout');
const storePath = join(DIR, 'store.duckdb');
const archive = join(DIR, 'archive');
const SCHEMA = 'bi_bench';

const QUERIES: Record<string, string> = {
  Q2: 'q02-tokens-by-application',
  Q4: 'q04-application-by-environment',
  Q8: 'q08-hourly-trend',
  Q14: 'q14-output-size-distribution',
};

/** The 1-minute load average: the machine is shared, so each figure says how busy it was. */
function load(): string {
  return loadavg()[0].toFixed(1);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function timed<T>(what: string, f: () => Promise<T>): Promise<T> {
  const t = performance.now();
  const r = await f();
  console.error(`${what}: ${((performance.now() - t) / 1000).toFixed(1)} s (load average ${load()})`);
  return r;
}

/** A phase of the build is done when its marker exists: an interrupted phase is redone (or resumed). */
function done(phase: string): boolean {
  return existsSync(join(DIR, `.${phase}-done`));
}

function markDone(phase: string): void {
  writeFileSync(join(DIR, `.${phase}-done`), new Date().toISOString() + '\n');
}

/** Progress on standard error every `every` ms, so a build of an hour shows it is moving. */
function throttled(every = 30_000): (line: () => string) => void {
  let last = 0;
  return (line) => {
    const now = performance.now();
    if (now - last < every) return;
    last = now;
    console.error(`  ${line()} (load average ${load()})`);
  };
}

/**
 * Built once per BENCH_RECORDS and BENCH_BODIES, and resumable: the layout is written to a side
 * folder and renamed when complete, ingest skips the files its checkpoints say it read, and the
 * archive is redone until its marker exists.
 */
async function build(): Promise<void> {
  mkdirSync(DIR, { recursive: true });
  if (!done('layout')) {
    const partial = `${layout}.partial`;
    rmSync(partial, { recursive: true, force: true });
    rmSync(layout, { recursive: true, force: true });
    const tick = throttled();
    await timed(`generated ${RECORDS} records as the delivery layout (bodies ${BODIES ? 'on' : 'off'})`, () =>
      writeDataset({
        preset: 'demo',
        records: RECORDS,
        days: 30,
        end: END,
        bodies: BODIES,
        out: partial,
        format: 's3',
        force: true,
        progressEvery: 100_000,
        onProgress: (p) =>
          tick(() => `generated ${p.records.toLocaleString('en-US')} / ${p.total.toLocaleString('en-US')}`),
      }),
    );
    renameSync(partial, layout);
    markDone('layout');
  }
  if (!done('store')) {
    const s = await Store.open(storePath);
    const tick = throttled();
    await timed('ingested the layout into the store', () =>
      ingestPaths(s, [layout], {}, (p) =>
        tick(() => `ingested ${p.records.toLocaleString('en-US')} records, ${p.filesDone} / ${p.filesTotal} files`),
      ),
    );
    s.close();
    markDone('store');
  }
  if (!done('archive')) {
    rmSync(archive, { recursive: true, force: true });
    const s = await Store.open(storePath, { readOnly: true });
    await timed('exported the store to the archive', () => exportArchive(s, { out: archive }));
    s.close();
    markDone('archive');
  }
}

interface Cell {
  ms: number;
  rows: number;
  result: QueryResult;
}

async function measure(engine: QueryEngine, req: QueryRequest): Promise<Cell> {
  for (let i = 0; i < WARMUP; i++) await engine.run(req);
  const ts: number[] = [];
  let result: QueryResult | undefined;
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    result = await engine.run(req);
    ts.push(performance.now() - t);
  }
  if (!result || result.status !== 'Complete') throw new Error(`${result?.status}: ${result?.error?.message}`);
  return { ms: median(ts), rows: result.rows.length, result };
}

function same(a: QueryResult, b: QueryResult): boolean {
  const text = (r: QueryResult) => JSON.stringify(r.rows.map((row) => row.filter((f) => f.field !== '@ptr')));
  return text(a) === text(b);
}

await build();
if (process.env.BENCH_BUILD_ONLY !== undefined) process.exit(0);
const trino = await holdLocalTrino();
const client = new TrinoClient({ url: trino.url });
const store = await Store.open(storePath, { readOnly: true });
const engines: Record<string, QueryEngine> = {};
try {
  await setupTrinoTable(client, await describeLayout(layout), `hive.${SCHEMA}.layout`);
  await setupTrinoArchive(client, await describeArchive(archive), `hive.${SCHEMA}.archive`);
  engines.duckdb = createEngine(store);
  engines['trino layout'] = createEngine(undefined, {
    engine: 'trino',
    trino: { url: trino.url, table: `hive.${SCHEMA}.layout`, timeoutMs: 3_600_000 },
  });
  engines['trino archive'] = createEngine(undefined, {
    engine: 'trino',
    trino: { url: trino.url, table: `hive.${SCHEMA}.archive`, archive: true, timeoutMs: 3_600_000 },
  });
  const endMs = Date.parse(END);
  const requests: [string, QueryRequest][] = Object.entries(QUERIES).map(([name, file]) => [
    name,
    { queryString: readFileSync(new URL(`../queries/bedrock/${file}.insights`, import.meta.url), 'utf8') },
  ]);
  requests.push(['Q2, last day', { ...requests[0][1], startTime: endMs - DAY_MS, endTime: endMs - 1 }]);
  console.log(
    `\nEngines on ${RECORDS.toLocaleString('en-US')} records (medians of ${RUNS} runs after ${WARMUP} warm-up; ${new Date().toISOString()})\n`,
  );
  console.log('query | engine | time | ratio to DuckDB | records scanned | bytes scanned | rows | same rows | load');
  console.log('---|---|---|---|---|---|---|---|---');
  for (const [name, req] of requests) {
    if (ONLY && !ONLY.includes(name)) continue;
    const base = await measure(engines.duckdb, req);
    for (const [label, engine] of Object.entries(engines)) {
      const c = label === 'duckdb' ? base : await measure(engine, req);
      const s = c.result.statistics;
      console.log(
        `${name} | ${label} | ${c.ms.toFixed(0)} ms | ${(c.ms / base.ms).toFixed(2)} | ${s.recordsScanned.toLocaleString('en-US')} | ${s.bytesScanned.toLocaleString('en-US')} | ${c.rows} | ${same(c.result, base.result) ? 'yes' : 'NO'} | ${load()}`,
      );
    }
  }
} finally {
  for (const e of Object.values(engines)) await e.close();
  store.close();
  const tables = await client.query(`SHOW TABLES FROM hive.${SCHEMA}`).catch(() => ({ rows: [] as unknown[][] }));
  for (const [t] of tables.rows) await client.query(`DROP TABLE IF EXISTS hive.${SCHEMA}."${String(t)}"`);
  await client.query(`DROP SCHEMA IF EXISTS hive.${SCHEMA}`).catch(() => undefined);
  await trino.release();
  if (process.env.BENCH_KEEP === undefined && RECORDS < 1_000_000) rmSync(DIR, { recursive: true, force: true });
}
