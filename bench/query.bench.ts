/**
 * Query-engine benchmark (issue 3, "Speed").
 *
 * 1. Builds (once, cached under $BENCH_DIR, default /tmp/bedrock-insights-bench) a 1M-record
 *    store from the demo generator through the real ingest path, and a BENCH_RECORDS-record store
 *    (default 10,000,000) by replicating the 1M store's events with fresh seq/event keys.
 * 2. Times the user's Q2, Q4, Q8 and Q14 through the engine (createEngine: parse, analyse,
 *    compile, run, format rows; not process start) against hand-written DuckDB SQL over the same
 *    table in the same process, medians of BENCH_RUNS runs (default 5) after one warm-up.
 * 3. Times the first query of a fresh CLI process on the 1M store (wall clock, process start included).
 * 4. A naive baseline: a plain Node scan (read the 1M-record JSONL, JSON.parse every line, aggregate Q2).
 *
 * Run: npm run build && node --import tsx bench/query.bench.ts
 */
import { existsSync, mkdirSync, copyFileSync, readFileSync, createReadStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { Store } from '../src/store/store.js';
import { writeDataset } from '../src/demo/generator.js';
import { ingestPaths } from '../src/sources/ingest.js';
import { createEngine } from '../src/engines/factory.js';
import { rebuildDerived } from '../src/store/events.js';
import { pathToFileURL } from 'node:url';

const DIR = process.env.BENCH_DIR ?? '/tmp/bedrock-insights-bench';
const RECORDS = Number(process.env.BENCH_RECORDS ?? 10_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const BASE = 1_000_000;
const jsonl = join(DIR, 'demo-1m.jsonl');
const store1m = join(DIR, 'store-1m.duckdb');
/** The replicated store (bench/dashboard.bench.ts reads it too). */
export const storeN = join(DIR, `store-${RECORDS}.duckdb`);
export const END = '2026-11-01T00:00:00Z';

const HAND: Record<string, string> = {
  Q2: `SELECT request_metadata['application_name'] AS app, sum(input_tokens), sum(output_tokens), sum(input_tokens + output_tokens) AS t,
         count(*), avg(input_tokens + output_tokens) FROM events GROUP BY 1 ORDER BY t DESC`,
  Q4: `SELECT request_metadata['application_name'], request_metadata['environment'], sum(input_tokens + output_tokens) AS t, count(*),
         avg(input_tokens + output_tokens) FROM events GROUP BY 1, 2 ORDER BY t DESC`,
  Q8: `SELECT ts // 3600000 * 3600000 AS h, request_metadata['application_name'], sum(input_tokens + output_tokens), count(*)
         FROM events GROUP BY 1, 2 ORDER BY h DESC`,
  Q14: `SELECT request_metadata['application_name'], min(output_tokens), max(output_tokens), avg(output_tokens),
         quantile_disc(output_tokens, 0.5), quantile_disc(output_tokens, 0.95) FROM events GROUP BY 1`,
};
const FILES: Record<string, string> = {
  Q2: 'q02-tokens-by-application',
  Q4: 'q04-application-by-environment',
  Q8: 'q08-hourly-trend',
  Q14: 'q14-output-size-distribution',
};

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Builds (once, cached) the 1M store through ingest and the BENCH_RECORDS store by replication. */
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
    console.error(`generated ${BASE} records in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
  if (!existsSync(store1m)) {
    const t = performance.now();
    const s = await Store.open(store1m);
    const sum = await ingestPaths(s, [jsonl]);
    s.close();
    console.error(`ingested ${sum.recordsStored} records in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
  if (!existsSync(storeN)) {
    const t = performance.now();
    copyFileSync(store1m, storeN);
    const s = await Store.open(storeN);
    const c = s.connection;
    const max = Number((await c.runAndReadAll('SELECT max(seq) FROM events')).getRows()[0][0]);
    const copies = Math.ceil(RECORDS / BASE) - 1;
    for (let k = 1; k <= copies; k++) {
      // Same records again with new identities (seq, event_key, request_id): realistic value distributions.
      // By name, every column (promoted md_* ones too): the layout may grow.
      await c.run(
        `INSERT INTO events BY NAME SELECT * REPLACE (seq + ${k * max} AS seq, event_key || '#${k}' AS event_key, request_id || '#${k}' AS request_id) FROM events WHERE seq <= ${max}`,
      );
    }
    // Plain-SQL writes: the catalog counts and the hourly roll-ups are recomputed once.
    await rebuildDerived(s);
    await c.run('CHECKPOINT');
    s.close();
    console.error(`replicated to ${RECORDS} records in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
}

async function timeEngineVsHand(): Promise<{ name: string; engine: number; hand: number; rows: number }[]> {
  const store = await Store.open(storeN, { readOnly: true });
  const engine = createEngine(store);
  const conn = await store.connect();
  const out: { name: string; engine: number; hand: number; rows: number }[] = [];
  try {
    const n = Number((await conn.runAndReadAll('SELECT count(*) FROM events')).getRows()[0][0]);
    console.error(`store: ${n} events`);
    for (const [name, file] of Object.entries(FILES)) {
      const text = readFileSync(new URL(`../queries/bedrock/${file}.insights`, import.meta.url), 'utf8');
      const te: number[] = [];
      const th: number[] = [];
      let rows = 0;
      // Warm-up of both, then alternate so that neither gets a warmer cache.
      await engine.run({ queryString: text });
      await conn.runAndReadAll(HAND[name]);
      for (let i = 0; i < RUNS; i++) {
        let t = performance.now();
        const r = await engine.run({ queryString: text });
        te.push(performance.now() - t);
        rows = r.rows.length;
        t = performance.now();
        await conn.runAndReadAll(HAND[name]);
        th.push(performance.now() - t);
      }
      out.push({ name, engine: median(te), hand: median(th), rows });
    }
  } finally {
    conn.closeSync();
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

async function nodeScan(): Promise<{ ms: number; lines: number }> {
  const t = performance.now();
  const agg = new Map<string, { i: number; o: number; n: number }>();
  let lines = 0;
  const rl = createInterface({ input: createReadStream(jsonl), crlfDelay: Infinity });
  for await (const line of rl) {
    if (!line) continue;
    lines++;
    const r = JSON.parse(line) as {
      requestMetadata?: Record<string, string>;
      input?: { inputTokenCount?: number };
      output?: { outputTokenCount?: number };
    };
    const app = r.requestMetadata?.application_name ?? '';
    const a = agg.get(app) ?? { i: 0, o: 0, n: 0 };
    a.i += r.input?.inputTokenCount ?? 0;
    a.o += r.output?.outputTokenCount ?? 0;
    a.n++;
    agg.set(app, a);
  }
  return { ms: performance.now() - t, lines };
}

/** Run as a script (not when another bench imports the builder). */
async function main(): Promise<void> {
  await build();
  const results = await timeEngineVsHand();
  const first = firstQueryLatency();
  const scan = await nodeScan();
  const f = (ms: number) => `${ms.toFixed(0).padStart(7)} ms`;
  console.log(
    `\nQuery engine on ${RECORDS.toLocaleString('en-US')} records (medians of ${RUNS} runs; ${new Date().toISOString()})\n`,
  );
  console.log('query | engine     | hand SQL   | ratio | rows');
  console.log('------|------------|------------|-------|-----');
  for (const r of results)
    console.log(
      `${r.name.padEnd(5)} | ${f(r.engine)} | ${f(r.hand)} | ${(r.engine / r.hand).toFixed(2).padStart(5)} | ${r.rows}`,
    );
  console.log(`\nfirst query of a fresh process (CLI, Q2, 1M store, wall clock incl. start): ${f(first)}`);
  console.log(
    `plain Node scan (JSON.parse every line, Q2 aggregation) over ${scan.lines.toLocaleString('en-US')} lines: ${f(scan.ms)}` +
      ` (~${((scan.ms * RECORDS) / scan.lines / 1000).toFixed(0)} s extrapolated to ${RECORDS.toLocaleString('en-US')})`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
