/**
 * `check` start-up (issue 15 item 4): checking every saved query in one process, against bare
 * Node starting and exiting (the floor no CLI can beat) and against checking one query the old
 * way (with a store, which loads DuckDB and the engine), all in the same run.
 *
 * queries/bedrock holds the user's 13 seed queries (a copy of the spec's seed-queries folder);
 * `-f queries -f queries` checks 26 queries, the size of "queries/ and the seed queries".
 *
 * Run: npm run build && node --import tsx bench/check.bench.ts
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const BIN = new URL('../bin/bedrock-insights.js', import.meta.url).pathname;
const QUERIES = new URL('../queries/', import.meta.url).pathname;
const RUNS = Number(process.env.BENCH_RUNS ?? 7);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(label: string, args: string[]): number {
  const ms: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, args, { encoding: 'utf8', env: { ...process.env, BEDROCK_INSIGHTS_DB: '' } });
    ms.push(performance.now() - t0);
    if (r.status !== 0) throw new Error(`${label} exited ${r.status}: ${r.stdout}${r.stderr}`);
  }
  const m = median(ms);
  console.log(`${label.padEnd(58)} ${m.toFixed(0).padStart(6)} ms (median of ${RUNS})`);
  return m;
}

const dir = mkdtempSync(join(tmpdir(), 'bi-check-bench-'));
try {
  const db = join(dir, 'store.duckdb');
  // Commands refuse a store that does not exist (issue 12 item 4): an empty store, made by ingest.
  writeFileSync(join(dir, 'empty.jsonl'), '');
  const made = spawnSync(process.execPath, [BIN, 'ingest', join(dir, 'empty.jsonl'), '--db', db], {
    encoding: 'utf8',
  });
  if (made.status !== 0) throw new Error(`creating the store failed: ${made.stderr}`);
  const node = time('bare node -e ""', ['-e', '']);
  const all = time('check -f queries -f queries (26 queries, no store)', [BIN, 'check', '-f', QUERIES, '-f', QUERIES]);
  const one = time('check of one query with a store (--db, loads DuckDB)', [
    BIN,
    'check',
    'stats count(*) by bin(5m)',
    '--db',
    db,
  ]);
  console.log(
    `26 queries / bare node: ${(all / node).toFixed(2)}×; one query with a store / 26 without: ${(one / all).toFixed(2)}×` +
      ` (load average ${loadavg()[0].toFixed(1)})`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
