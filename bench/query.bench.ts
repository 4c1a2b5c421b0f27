/**
 * Query-engine benchmark (issue 12, "Speed and memory").
 *
 * 1. Builds once, cached under $BENCH_DIR (default /tmp/bedrock-insights-bench):
 *    - a 1M-record store from the demo generator's JSONL through the real ingest path;
 *    - a BENCH_RECORDS-record store (default 10,000,000) replicating the 1M store's events with
 *      fresh seq/event keys (same value distributions), catalog counts and roll-ups rebuilt;
 *    - the baseline: the same JSONL loaded by DuckDB alone (`read_json`) into a flat typed table
 *      in a database of its own (one column per field the queries use, no MAP), replicated the
 *      same number of times.
 *    A cached store is reused only when its schema version is the current one.
 * 2. Times the user's Q2, Q4, Q7, Q8, Q9 and Q14 verbatim through the engine (createEngine:
 *    parse, analyse, compile, run, CloudWatch row formatting, statistics; not process start)
 *    against hand-written SQL over the flat table, alternating, after one warm-up each; medians
 *    of BENCH_RUNS runs (default 5). Each pair's answers are compared (rows, groups, counts).
 * 3. Times the first query of a fresh CLI process on the 1M store (wall clock, process start included).
 *
 * Run: npm run build && npm run bench:query   (BENCH_ONLY=Q2,Q4 runs a subset)
 */
import { existsSync, mkdirSync, copyFileSync, readFileSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { DuckDBInstance } from '@duckdb/node-api';
import { Store } from '../src/store/store.js';
import { SCHEMA_VERSION } from '../src/store/schema.js';
import { writeDataset } from '../src/demo/generator.js';
import { ingestPaths } from '../src/sources/ingest.js';
import { createEngine } from '../src/engines/factory.js';
import { rebuildDerived } from '../src/store/events.js';
import { pathToFileURL } from 'node:url';
import type { QueryResult } from '../src/engines/engine.js';

const DIR = process.env.BENCH_DIR ?? '/tmp/bedrock-insights-bench';
const RECORDS = Number(process.env.BENCH_RECORDS ?? 10_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const ONLY = process.env.BENCH_ONLY?.split(',');
const BASE = 1_000_000;
const COPIES = Math.ceil(RECORDS / BASE);
const jsonl = join(DIR, 'demo-1m.jsonl');
const store1m = join(DIR, 'store-1m.duckdb');
/** The replicated store (bench/dashboard.bench.ts reads it too). */
export const storeN = join(DIR, `store-${RECORDS}.duckdb`);
const flatN = join(DIR, `flat-${RECORDS}.duckdb`);
export const END = '2026-11-01T00:00:00Z';

/**
 * Hand-written SQL over the flat table, the answer each query asks for. Each returns its group
 * key(s) first and the group's record count in the column named by COUNT_COLUMN (to compare).
 */
const HAND: Record<string, string> = {
  Q2: `SELECT app, sum(i), sum(o), sum(i + o) AS t, count(*), avg(i + o) FROM flat GROUP BY app ORDER BY t DESC`,
  Q4: `SELECT app, env, sum(i + o) AS t, count(*), avg(i + o) FROM flat GROUP BY app, env ORDER BY t DESC`,
  Q7: `SELECT cost_center, team, sum(i + o) AS t, count(*) FROM flat GROUP BY cost_center, team ORDER BY t DESC`,
  Q8: `SELECT ts // 3600000 * 3600000 AS h, app, sum(i + o), count(*) FROM flat GROUP BY h, app ORDER BY h DESC`,
  Q9: `SELECT ts // 86400000 * 86400000 AS d, app, sum(i + o), count(*) FROM flat GROUP BY d, app ORDER BY d DESC`,
  Q14: `SELECT app, min(o), max(o), avg(o), quantile_disc(o, 0.5), quantile_disc(o, 0.95) FROM flat GROUP BY app`,
};
const FILES: Record<string, string> = {
  Q2: 'q02-tokens-by-application',
  Q4: 'q04-application-by-environment',
  Q7: 'q07-cost-center',
  Q8: 'q08-hourly-trend',
  Q9: 'q09-daily-trend',
  Q14: 'q14-output-size-distribution',
};
/** The engine's count field per query (compared with the hand SQL's count(*)); Q14 has none. */
const COUNTS: Record<string, { engine: string; hand: number } | undefined> = {
  Q2: { engine: 'TotalRequests', hand: 4 },
  Q4: { engine: 'Requests', hand: 3 },
  Q7: { engine: 'Requests', hand: 3 },
  Q8: { engine: 'Requests', hand: 3 },
  Q9: { engine: 'DailyRequests', hand: 3 },
  Q14: undefined,
};

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const secs = (t: number) => `${((performance.now() - t) / 1000).toFixed(1)} s`;
const load = () => loadavg()[0].toFixed(1);

/** The schema version a cached store was written with (undefined: unreadable, rebuild it). */
async function cachedVersion(path: string): Promise<number | undefined> {
  if (!existsSync(path)) return undefined;
  try {
    const db = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' });
    const c = await db.connect();
    const v = (await c.runAndReadAll(`SELECT value FROM meta WHERE key = 'schema_version'`)).getRows()[0]?.[0];
    c.closeSync();
    db.closeSync();
    return v === undefined ? undefined : Number(v);
  } catch {
    return undefined;
  }
}

async function dropStale(path: string): Promise<void> {
  const v = await cachedVersion(path);
  if (existsSync(path) && v !== SCHEMA_VERSION) {
    console.error(`${path}: schema ${v ?? '?'}, current ${SCHEMA_VERSION}: rebuilding`);
    rmSync(path, { force: true });
    rmSync(`${path}.wal`, { force: true });
  }
}

/** Builds (once, cached) the 1M store through ingest, the BENCH_RECORDS store by replication and the flat table. */
export async function build(): Promise<void> {
  mkdirSync(DIR, { recursive: true });
  if (!existsSync(jsonl)) {
    const t = performance.now();
    await writeDataset({
      preset: 'demo',
      records: BASE,
      days: 30,
      end: END,
      out: jsonl,
      format: 'jsonl',
      bodies: false,
      force: true,
    });
    console.error(`generated ${BASE} records in ${secs(t)}`);
  }
  await dropStale(store1m);
  if (!existsSync(store1m)) {
    const t = performance.now();
    const s = await Store.open(store1m);
    const sum = await ingestPaths(s, [jsonl]);
    s.close();
    console.error(`ingested ${sum.recordsStored} records in ${secs(t)} (load ${load()})`);
  }
  await dropStale(storeN);
  if (!existsSync(storeN)) {
    const t = performance.now();
    copyFileSync(store1m, storeN);
    const s = await Store.open(storeN);
    const c = s.connection;
    const max = Number((await c.runAndReadAll('SELECT max(seq) FROM events')).getRows()[0][0]);
    for (let k = 1; k < COPIES; k++) {
      // Same records again with new identities (seq, event_key, request_id): realistic value distributions.
      // By name, every column (promoted md_* ones too): the layout may grow.
      await c.run(
        `INSERT INTO events BY NAME SELECT * REPLACE (seq + ${k * max} AS seq, event_key || '#${k}' AS event_key, request_id || '#${k}' AS request_id) FROM events WHERE seq <= ${max}`,
      );
    }
    await c.run(`UPDATE fields SET events = events * ${COPIES}`);
    // Plain-SQL writes: the catalog counts and the hourly roll-ups are recomputed once.
    await rebuildDerived(s);
    await c.run('CHECKPOINT');
    s.close();
    console.error(`replicated to ${RECORDS} records in ${secs(t)} (load ${load()})`);
  }
  if (!existsSync(flatN)) {
    const t = performance.now();
    const db = await DuckDBInstance.create(flatN, { threads: '2', memory_limit: '2GB' });
    const c = await db.connect();
    // DuckDB alone: its JSON reader, typed columns for exactly the fields the queries use.
    await c.run(`CREATE TABLE flat1 AS SELECT epoch_ms(timestamp::TIMESTAMP) AS ts,
        requestMetadata.application_name AS app, requestMetadata.environment AS env,
        requestMetadata.cost_center AS cost_center, requestMetadata.team AS team,
        input.inputTokenCount AS i, output.outputTokenCount AS o
      FROM read_json('${jsonl}', format = 'newline_delimited', columns = {
        timestamp: 'VARCHAR', input: 'STRUCT(inputTokenCount BIGINT)', output: 'STRUCT(outputTokenCount BIGINT)',
        requestMetadata: 'STRUCT(application_name VARCHAR, environment VARCHAR, cost_center VARCHAR, team VARCHAR)'})`);
    await c.run('CREATE TABLE flat AS SELECT * FROM flat1 LIMIT 0');
    for (let k = 0; k < COPIES; k++) await c.run('INSERT INTO flat SELECT * FROM flat1');
    await c.run('DROP TABLE flat1');
    await c.run('CHECKPOINT');
    c.closeSync();
    db.closeSync();
    console.error(`flat baseline table (${RECORDS} rows, DuckDB read_json) in ${secs(t)}`);
  }
}

interface Timing {
  name: string;
  engine: number;
  hand: number;
  /** CPU time of the process (DuckDB's threads included): less sensitive to a shared machine. */
  engineCpu: number;
  handCpu: number;
  rows: number;
  same: string;
  load: string;
}

/** Whether the engine's and the hand SQL's answers agree: same number of rows and the same counts. */
function compare(name: string, r: QueryResult, hand: unknown[][]): string {
  if (r.rows.length !== hand.length) return `NO (${r.rows.length} rows vs ${hand.length})`;
  const spec = COUNTS[name];
  if (!spec) return 'rows';
  const mine = r.rows.map((row) => Number(row.find((f) => f.field === spec.engine)?.value)).sort((a, b) => a - b);
  const theirs = hand.map((row) => Number(row[spec.hand])).sort((a, b) => a - b);
  return mine.every((v, i) => v === theirs[i]) ? 'yes' : 'NO (counts differ)';
}

function cpuMs(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
}

async function timeEngineVsFlat(): Promise<Timing[]> {
  const store = await Store.open(storeN, { readOnly: true });
  const engine = createEngine(store);
  const flatDb = await DuckDBInstance.create(flatN, { access_mode: 'READ_ONLY', threads: '2', memory_limit: '2GB' });
  const conn = await flatDb.connect();
  const out: Timing[] = [];
  try {
    const n = Number((await store.connection.runAndReadAll('SELECT count(*) FROM events')).getRows()[0][0]);
    const m = Number((await conn.runAndReadAll('SELECT count(*) FROM flat')).getRows()[0][0]);
    console.error(`store: ${n} events; flat table: ${m} rows`);
    for (const [name, file] of Object.entries(FILES)) {
      if (ONLY && !ONLY.includes(name)) continue;
      const text = readFileSync(new URL(`../queries/bedrock/${file}.insights`, import.meta.url), 'utf8');
      const te: number[] = [];
      const th: number[] = [];
      const ce: number[] = [];
      const ch: number[] = [];
      // Warm-up of both, then alternate so that neither gets a warmer cache.
      const first = await engine.run({ queryString: text });
      if (first.error) throw new Error(`${name}: ${first.error.message}`);
      const same = compare(name, first, (await conn.runAndReadAll(HAND[name])).getRows());
      for (let i = 0; i < RUNS; i++) {
        let t = performance.now();
        let u = process.cpuUsage();
        await engine.run({ queryString: text });
        te.push(performance.now() - t);
        ce.push(cpuMs(u));
        t = performance.now();
        u = process.cpuUsage();
        await conn.runAndReadAll(HAND[name]);
        th.push(performance.now() - t);
        ch.push(cpuMs(u));
      }
      out.push({
        name,
        engine: median(te),
        hand: median(th),
        engineCpu: median(ce),
        handCpu: median(ch),
        rows: first.rows.length,
        same,
        load: load(),
      });
    }
  } finally {
    conn.closeSync();
    flatDb.closeSync();
    await engine.close();
    store.close();
  }
  return out;
}

function firstQueryLatency(): number {
  const bin = new URL('../bin/bedrock-insights.js', import.meta.url).pathname;
  const q = new URL('../queries/bedrock/q02-tokens-by-application.insights', import.meta.url).pathname;
  const ts: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    const r = spawnSync(process.execPath, [bin, 'query', '-f', q, '--db', store1m, '--format', 'json', '-q'], {
      encoding: 'utf8',
    });
    ts.push(performance.now() - t);
    if (r.status !== 0) throw new Error(`CLI failed: ${r.stderr}`);
  }
  return median(ts);
}

/** Run as a script (not when another bench imports the builder). */
async function main(): Promise<void> {
  await build();
  const results = await timeEngineVsFlat();
  const first = process.env.BENCH_SKIP_CLI ? undefined : firstQueryLatency();
  const f = (ms: number) => `${ms.toFixed(0).padStart(6)} ms`;
  console.log(
    `\nQuery engine on ${RECORDS.toLocaleString('en-US')} records vs hand-written SQL over a flat typed table ` +
      `(medians of ${RUNS} runs; ${new Date().toISOString()}; load average at the end of each query's runs)\n`,
  );
  console.log('query | engine    | flat SQL  | ratio | engine CPU | flat CPU  | CPU ratio | rows | same answer | load');
  console.log('------|-----------|-----------|-------|------------|-----------|-----------|------|-------------|-----');
  for (const r of results)
    console.log(
      `${r.name.padEnd(5)} | ${f(r.engine)} | ${f(r.hand)} | ${(r.engine / r.hand).toFixed(2).padStart(5)} | ` +
        `${f(r.engineCpu)}  | ${f(r.handCpu)} | ${(r.engineCpu / r.handCpu).toFixed(2).padStart(9)} | ` +
        `${String(r.rows).padStart(4)} | ${r.same.padEnd(11)} | ${r.load}`,
    );
  if (first !== undefined)
    console.log(
      `\nfirst query of a fresh process (CLI, Q2, 1M store, wall clock incl. start): ${f(first)} (load ${load()})`,
    );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
