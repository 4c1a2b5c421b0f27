/**
 * Engines benchmark (issue 13): the same Logs Insights queries through the embedded DuckDB store
 * (the baseline) and through a single-node Trino reading (a) the S3 delivery layout in place and
 * (b) the Parquet archive `export` writes, over the same records.
 *
 * 1. Builds (once, cached and resumable under $BENCH_DIR, default /tmp/bedrock-insights-bench-engines)
 *    a BENCH_RECORDS-record delivery layout (default 10,000,000; demo preset, 30 days; bodies on,
 *    as Bedrock delivers them, or off with BENCH_BODIES=0), ingests it into a store through the
 *    real ingest path, and exports the store to the archive, with progress every 30 s. The set-up
 *    times are printed: ingest and export are what the store and the archive cost before the first
 *    query; the layout costs nothing. BENCH_BUILD_ONLY=1 stops after the build.
 * 2. Starts (or reuses) the local Trino (`npm run trino:start`, through the tests' holder) and
 *    creates the tables (`trino setup`, `trino setup --archive`) in a schema of its own.
 * 3. Times the user's 13 queries (queries/bedrock, verbatim) and Q2 over the last day (a time
 *    range: the partitions it reads), engine by engine (BENCH_ENGINES, default all; DuckDB first):
 *    the median of BENCH_RUNS (default 3) after BENCH_WARMUP (default 1) warm-up runs, the CPU
 *    (Trino's own; DuckDB's as the process's, it runs in-process), the engine's scan statistics,
 *    the ratio to DuckDB in the same run and whether the rows equal DuckDB's (`@ptr` aside).
 *    Trino queries stop at BENCH_TIMEOUT_MIN (default 25) and are recorded as timeouts. Above 1M
 *    records the layout runs a subset (LAYOUT_QUERIES below). Each row is also appended to
 *    $BENCH_DIR/<records>/results.jsonl, so a run stopped part-way keeps what it measured.
 *
 * Run: node --import tsx bench/engines.bench.ts   (BENCH_RECORDS=200000 for a short run;
 * BENCH_QUERIES="Q2,Q2, last day" to time only those)
 */
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { exportArchive } from '../src/archive/export.js';
import { writeDataset } from '../src/demo/generator.js';
import type { QueryEngine, QueryRequest, QueryResult } from '../src/engines/engine.js';
import { createEngine } from '../src/engines/factory.js';
import { createTrinoEngine, type SqlRunner } from '../src/engines/trino/engine.js';
import { eventSource } from '../src/engines/trino/relation.js';
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
/** Per process, so that two runs at once (a layout-only pass beside a build) do not drop each other's tables. */
const SCHEMA = `bi_bench_${process.pid}`;

/** The engines to time (BENCH_ENGINES, comma-separated); DuckDB first, as every ratio's baseline. */
const ENGINES = (process.env.BENCH_ENGINES ?? 'duckdb,trino layout,trino archive').split(',').map((e) => e.trim());
/**
 * The queries Trino runs over the JSON layout. Every query there reads and parses every gzipped
 * JSON record of its range (no column pruning in a text format): 45-85 µs a record on this shared
 * node, so 8-14 minutes a query at 10M. Up to 1M records all of them; beyond, Q2 (the guide's
 * first table, a full 30-day scan: the cost of any query over the whole layout) and Q2 over the
 * last day (a time range: the partitions it prunes). BENCH_LAYOUT_QUERIES overrides.
 */
const LAYOUT_QUERIES = (
  process.env.BENCH_LAYOUT_QUERIES ??
  (RECORDS <= 1_000_000 ? 'Q1,Q2,Q3,Q4,Q5,Q6,Q7,Q8,Q9,Q10,Q11,Q13,Q14,Q2, last day' : 'Q2,Q2, last day')
)
  .split(/,(?! )/)
  .map((q) => q.trim());
/** Runs over the layout: above 1M records one run without a warm-up (a warm-up would double 10+ minutes). */
const LAYOUT_WARMUP = Number(process.env.BENCH_LAYOUT_WARMUP ?? (RECORDS <= 1_000_000 ? WARMUP : 0));
const LAYOUT_RUNS = Number(process.env.BENCH_LAYOUT_RUNS ?? (RECORDS <= 1_000_000 ? RUNS : 1));
/** Each Trino query's time limit (BENCH_TIMEOUT_MIN, default 25 minutes): past it, cancelled and recorded as a timeout. */
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MIN ?? 25) * 60_000;

/** The 1-minute load average: the machine is shared, so each figure says how busy it was. */
function load(): string {
  return loadavg()[0].toFixed(1);
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
  if (!done('store') && ENGINES.some((e) => e !== 'trino layout')) {
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
  if (!done('archive') && ENGINES.includes('trino archive')) {
    rmSync(archive, { recursive: true, force: true });
    const s = await Store.open(storePath, { readOnly: true });
    await timed('exported the store to the archive', () => exportArchive(s, { out: archive }));
    s.close();
    markDone('archive');
  }
}

/** A SqlRunner that remembers the CPU Trino reports for the last main query (the engine does not carry it). */
class CpuRecordingRunner implements SqlRunner {
  lastCpuMs = 0;
  constructor(private readonly client: TrinoClient) {}
  async query(sql: string, opts: Parameters<SqlRunner['query']>[1]): ReturnType<SqlRunner['query']> {
    const r = await this.client.query(sql, opts);
    // The count query of an event query runs beside the main one; the main one carries rows.
    if (opts.onRows) this.lastCpuMs = r.stats.cpuTimeMillis;
    return r;
  }
}

interface Timed {
  label: string;
  engine: QueryEngine;
  /** CPU of the last run in ms, or undefined where the engine does not say. */
  cpu(): number | undefined;
  /** Reset before a run (DuckDB: the process's CPU, as it runs in-process). */
  before(): void;
}

interface Cell {
  ms: number;
  cpuMs: number | undefined;
  rows: number;
  result: QueryResult;
}

/** One warm-up (BENCH_WARMUP) and BENCH_RUNS timed runs; the median wall time and its run's CPU. */
async function measure(t: Timed, req: QueryRequest, warmup: number, runs: number): Promise<Cell | 'timeout'> {
  for (let i = 0; i < warmup; i++) await t.engine.run(req);
  const done: { ms: number; cpuMs: number | undefined; result: QueryResult }[] = [];
  for (let i = 0; i < runs; i++) {
    t.before();
    const at = performance.now();
    const result = await t.engine.run(req);
    if (result.status === 'Timeout') return 'timeout';
    if (result.status !== 'Complete') throw new Error(`${t.label}: ${result.status}: ${result.error?.message}`);
    done.push({ ms: performance.now() - at, cpuMs: t.cpu(), result });
  }
  const mid = [...done].sort((x, y) => x.ms - y.ms)[Math.floor((done.length - 1) / 2)];
  return { ms: mid.ms, cpuMs: mid.cpuMs, rows: mid.result.rows.length, result: mid.result };
}

function same(a: QueryResult, b: QueryResult): boolean {
  const text = (r: QueryResult) => JSON.stringify(r.rows.map((row) => row.filter((f) => f.field !== '@ptr')));
  return text(a) === text(b);
}

function trinoEngine(runner: SqlRunner, table: string, archiveTable: boolean): QueryEngine {
  return createTrinoEngine({
    name: 'trino',
    runner,
    source: eventSource({ table, ...(archiveTable ? { archive: true } : {}) }, table),
    // The per-query time limit: a query past it ends with status Timeout and is cancelled on Trino.
    limits: { timeoutMs: TIMEOUT_MS },
  });
}

const fmt = (n: number): string => n.toLocaleString('en-US');

await build();
if (process.env.BENCH_BUILD_ONLY !== undefined) process.exit(0);
const trino = await holdLocalTrino();
const client = new TrinoClient({ url: trino.url, timeoutMs: TIMEOUT_MS + 60_000 });
const needsStore = ENGINES.some((e) => e !== 'trino layout');
const store = needsStore ? await Store.open(storePath, { readOnly: true }) : undefined;
const engines: Timed[] = [];
const results = join(DIR, 'results.jsonl');
try {
  await setupTrinoTable(client, await describeLayout(layout), `hive.${SCHEMA}.layout`);
  if (ENGINES.includes('trino archive'))
    await setupTrinoArchive(client, await describeArchive(archive), `hive.${SCHEMA}.archive`);
  let cpuAt = process.cpuUsage();
  if (store)
    engines.push({
      label: 'duckdb',
      engine: createEngine(store),
      before: () => (cpuAt = process.cpuUsage()),
      cpu: () => {
        const d = process.cpuUsage(cpuAt);
        return (d.user + d.system) / 1000;
      },
    });
  for (const [label, table, isArchive] of [
    ['trino archive', `hive.${SCHEMA}.archive`, true],
    ['trino layout', `hive.${SCHEMA}.layout`, false],
  ] as const) {
    const runner = new CpuRecordingRunner(client);
    engines.push({
      label,
      engine: trinoEngine(runner, table, isArchive),
      before: () => (runner.lastCpuMs = 0),
      cpu: () => runner.lastCpuMs,
    });
  }
  const endMs = Date.parse(END);
  const dir = new URL('../queries/bedrock/', import.meta.url);
  const requests: [string, QueryRequest][] = readdirSync(dir)
    .filter((f) => f.endsWith('.insights'))
    .sort()
    .map((f) => [`Q${Number(/^q(\d+)/.exec(f)?.[1])}`, { queryString: readFileSync(new URL(f, dir), 'utf8') }]);
  const q2 = requests.find(([n]) => n === 'Q2');
  if (q2) requests.push(['Q2, last day', { ...q2[1], startTime: endMs - DAY_MS, endTime: endMs - 1 }]);
  console.log(
    `\nEngines on ${fmt(RECORDS)} records, bodies ${BODIES ? 'on' : 'off'} (median of ${RUNS} runs after ${WARMUP} warm-up; Trino layout: ${LAYOUT_QUERIES.join(', ')}; ${new Date().toISOString()})\n`,
  );
  console.log(
    'query | engine | wall | CPU | ratio to DuckDB | records scanned | bytes scanned | rows | same rows | load',
  );
  console.log('---|---|---|---|---|---|---|---|---|---');
  // Engine by engine, the slow one last: DuckDB gives every query's baseline first, and a run
  // stopped during the long layout scans has kept (results.jsonl) everything before them.
  const base = new Map<string, Cell>();
  for (const t of engines) {
    if (!ENGINES.includes(t.label)) continue;
    const layoutRun = t.label === 'trino layout';
    for (const [name, req] of requests) {
      if (ONLY && !ONLY.includes(name)) continue;
      if (layoutRun && !LAYOUT_QUERIES.includes(name)) continue;
      const c = await measure(t, req, layoutRun ? LAYOUT_WARMUP : WARMUP, layoutRun ? LAYOUT_RUNS : RUNS);
      if (t.label === 'duckdb' && c !== 'timeout') base.set(name, c);
      const b = base.get(name);
      const line =
        c === 'timeout'
          ? { query: name, engine: t.label, timeout: TIMEOUT_MS, load: load() }
          : {
              query: name,
              engine: t.label,
              ms: Math.round(c.ms),
              cpuMs: c.cpuMs === undefined ? undefined : Math.round(c.cpuMs),
              ratio: b ? Number((c.ms / b.ms).toFixed(2)) : undefined,
              recordsScanned: c.result.statistics.recordsScanned,
              bytesScanned: c.result.statistics.bytesScanned,
              rows: c.rows,
              same: b ? same(c.result, b.result) : undefined,
              load: load(),
            };
      appendFileSync(
        results,
        JSON.stringify({ records: RECORDS, bodies: BODIES, at: new Date().toISOString(), ...line }) + '\n',
      );
      console.log(
        c === 'timeout'
          ? `${name} | ${t.label} | timeout (${TIMEOUT_MS / 1000} s) | | | | | | | ${load()}`
          : `${name} | ${t.label} | ${fmt(Math.round(c.ms))} ms | ${c.cpuMs === undefined ? '—' : `${fmt(Math.round(c.cpuMs))} ms`} | ${b ? (c.ms / b.ms).toFixed(2) : '—'} | ${fmt(c.result.statistics.recordsScanned)} | ${fmt(c.result.statistics.bytesScanned)} | ${c.rows} | ${b ? (same(c.result, b.result) ? 'yes' : 'NO') : '—'} | ${load()}`,
      );
    }
  }
} finally {
  for (const t of engines) await t.engine.close();
  store?.close();
  const tables = await client.query(`SHOW TABLES FROM hive.${SCHEMA}`).catch(() => ({ rows: [] as unknown[][] }));
  for (const [t] of tables.rows) await client.query(`DROP TABLE IF EXISTS hive.${SCHEMA}."${String(t)}"`);
  await client.query(`DROP SCHEMA IF EXISTS hive.${SCHEMA}`).catch(() => undefined);
  await trino.release();
  if (process.env.BENCH_KEEP === undefined && RECORDS < 1_000_000) rmSync(DIR, { recursive: true, force: true });
}
