/**
 * Ingest benchmark (issue 2): one run measures, on the same generated data,
 *   ours   `ingestPaths` of a 1,000,000-record .jsonl into a fresh store file (the compiled dist/,
 *          as the CLI runs it; the bench builds it first)
 *   duckdb DuckDB's own `CREATE TABLE … AS SELECT * FROM read_json(file)` into a fresh file (the engine's limit)
 *   naive  a plain Node readline + JSON.parse loop (the naive baseline)
 *   gz     `ingestPaths` of the S3 delivery layout (hourly .json.gz files)
 *   floor  writing the rows `ours` stored, alone, into a fresh store (what storing costs, without
 *          reading, parsing, validating, dedup, catalog or pricing)
 * and prints records/s, the ratios, the store's size on disk per million records and the peak
 * RSS of each measurement (each runs in its own child process, so peaks do not mix).
 *
 *   npm run bench:ingest                       # 1,000,000 records (gz: 250,000)
 *   npm run bench:ingest -- --records 200000   # smaller
 *   npm run bench:ingest -- --no-bodies        # records without request/response bodies
 *   npm run bench:ingest -- --no-floor         # skip the floor: writing our stored rows alone
 *
 * Data comes from src/demo/generator.ts (the demo preset, seeded), cached in /tmp/bi-bench-ingest.
 */
import { spawnSync } from 'node:child_process';
import { V8_FLAGS } from '../src/util/v8-flags.js';
import { createReadStream, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const self = fileURLToPath(import.meta.url);
const ROOT = join(dirname(self), '..');
const args = process.argv.slice(2);
const opt = (name: string, dflt: string): string => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1] : dflt;
};
const RECORDS = Number(opt('--records', '1000000'));
const GZ_RECORDS = Number(opt('--gz-records', String(Math.min(RECORDS, 250_000))));
const BODIES = !args.includes('--no-bodies');
const DIR = opt('--dir', '/tmp/bi-bench-ingest');
const END = '2026-11-01T00:00:00Z';

interface PhaseResult {
  ms: number;
  records: number;
  rssMb: number;
  extra?: Record<string, number>;
}

/** Child mode: run one measurement and print its result as JSON on the last line. */
async function phase(name: string, target: string, db: string): Promise<void> {
  const t0 = performance.now();
  let records = 0;
  const extra: Record<string, number> = {};
  if (name === 'ours' || name === 'gz') {
    // The compiled build, which `bedrock-insights ingest` runs (main() builds it first): the same
    // code loaded from src/ through tsx took 2-3 s longer at 1M records (2026-12-05: 42.8-44.5 s
    // against 41.0-41.1 s).
    const { Store } = await import('../dist/store/store.js');
    const { ingestPaths, INGEST_MEMORY_LIMIT } = await import('../dist/sources/ingest.js');
    const store = await Store.open(db, { memoryLimit: INGEST_MEMORY_LIMIT }); // as the CLI does
    const s = await ingestPaths(store, [target]);
    store.close();
    records = s.recordsStored;
    extra.rejected = s.recordsRejected;
    extra.duplicates = s.duplicatesSkipped;
  } else if (name === 'duckdb') {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const inst = await DuckDBInstance.create(db, {
      threads: '2',
      memory_limit: '2GB',
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
    });
    const c = await inst.connect();
    await c.run(`CREATE TABLE raw AS SELECT * FROM read_json('${target.replace(/'/g, "''")}')`);
    const r = await c.runAndReadAll('SELECT count(*) FROM raw');
    records = Number(r.getRows()[0][0]);
    c.closeSync();
    inst.closeSync();
  } else if (name === 'floor') {
    // What writing our rows alone costs: the events `ours` stored (typed columns + message, bodies
    // cut) copied from memory into a fresh store, in one statement and in chunk-sized transactions.
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const inst = await DuckDBInstance.create(db, {
      threads: '2',
      memory_limit: '2GB',
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
    });
    const c = await inst.connect();
    await c.run(`ATTACH '${target.replace(/'/g, "''")}' AS src (READ_ONLY)`);
    records = Number((await c.runAndReadAll('SELECT count(*) FROM src.events')).getRows()[0][0]);
    const CH = 22_000; // about what a 16 MB chunk of these records holds
    const parts = Math.ceil(records / CH);
    for (let i = 0; i < parts; i++)
      await c.run(
        `CREATE TEMP TABLE m${i} AS SELECT * FROM src.events WHERE seq > ${i * CH} AND seq <= ${(i + 1) * CH}`,
      );
    await c.run('DETACH src');
    await c.run(`SET checkpoint_threshold = '128MB'`);
    const all = Array.from({ length: parts }, (_, i) => `SELECT * FROM m${i}`).join(' UNION ALL ');
    let t = performance.now();
    await c.run(`CREATE TABLE one AS ${all}`);
    await c.run('CHECKPOINT');
    extra.oneStatementMs = performance.now() - t;
    await c.run('CREATE TABLE chunked AS SELECT * FROM m0 WHERE false');
    t = performance.now();
    for (let i = 0; i < parts; i++) {
      await c.run('BEGIN TRANSACTION');
      await c.run(`INSERT INTO chunked SELECT * FROM m${i}`);
      await c.run('COMMIT');
    }
    await c.run('CHECKPOINT');
    extra.chunkedMs = performance.now() - t;
    c.closeSync();
    inst.closeSync();
  } else if (name === 'naive') {
    const rl = createInterface({ input: createReadStream(target), crlfDelay: Infinity });
    let tokens = 0;
    for await (const line of rl) {
      if (!line) continue;
      const o = JSON.parse(line) as { input?: { inputTokenCount?: number } };
      tokens += o.input?.inputTokenCount ?? 0;
      records++;
    }
    extra.tokens = tokens;
  }
  const ms = performance.now() - t0;
  const rssMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write('\n' + JSON.stringify({ ms, records, rssMb, extra } satisfies PhaseResult) + '\n');
}

function runPhase(name: string, target: string, db: string): PhaseResult {
  for (const f of [db, `${db}.wal`]) rmSync(f, { force: true });
  // Every phase with the CLI's V8 flags: ours as a user runs it, the baselines alike.
  const args = [...V8_FLAGS, '--import', 'tsx', self, '--phase', name, '--target', target, '--db', db];
  const r = spawnSync(process.execPath, args, {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  if (r.status !== 0) throw new Error(`phase ${name} failed:\n${r.stderr}`);
  const last = r.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(last) as PhaseResult;
}

function size(path: string): number {
  return existsSync(path) ? statSync(path).size : 0;
}

async function main(): Promise<void> {
  if (args.includes('--phase')) return phase(opt('--phase', ''), opt('--target', ''), opt('--db', ''));
  mkdirSync(DIR, { recursive: true });
  process.stderr.write('building dist/ (the ingest phases run the compiled build)\n');
  const built = spawnSync(
    process.execPath,
    [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
    {
      cwd: ROOT,
      encoding: 'utf8',
    },
  );
  if (built.status !== 0) throw new Error(`tsc -p tsconfig.build.json failed:\n${built.stdout}${built.stderr}`);
  const { writeDataset } = await import('../src/demo/generator.js');
  const tag = `${RECORDS}${BODIES ? '' : '-nobodies'}`;
  const jsonl = join(DIR, `records-${tag}.jsonl`);
  const s3 = join(DIR, `s3-${GZ_RECORDS}${BODIES ? '' : '-nobodies'}`);
  if (!existsSync(jsonl)) {
    process.stderr.write(`generating ${RECORDS.toLocaleString('en-US')} records -> ${jsonl}\n`);
    await writeDataset({
      preset: 'demo',
      records: RECORDS,
      days: 30,
      seed: 'bench',
      end: END,
      bodies: BODIES,
      format: 'jsonl',
      out: jsonl,
      force: true,
    });
  }
  if (!existsSync(s3)) {
    process.stderr.write(`generating ${GZ_RECORDS.toLocaleString('en-US')} records -> ${s3} (S3 layout)\n`);
    await writeDataset({
      preset: 'demo',
      records: GZ_RECORDS,
      days: 30,
      seed: 'bench',
      end: END,
      bodies: BODIES,
      format: 's3',
      out: s3,
      force: true,
    });
  }
  const jsonlBytes = size(jsonl);
  process.stderr.write(
    `data: ${(jsonlBytes / 1e6).toFixed(1)} MB .jsonl, bodies ${BODIES ? 'on' : 'off'}; running phases (each in its own process)\n`,
  );
  const results: Record<string, PhaseResult> = {};
  const dbOurs = join(DIR, 'ours.duckdb');
  for (const [name, target, db] of [
    ['naive', jsonl, ''],
    ['duckdb', jsonl, join(DIR, 'raw.duckdb')],
    ['ours', jsonl, dbOurs],
    ['gz', s3, join(DIR, 'gz.duckdb')],
  ] as const) {
    process.stderr.write(`  ${name}…\n`);
    results[name] = runPhase(name, target, db);
  }
  const rate = (r: PhaseResult): number => r.records / (r.ms / 1000);
  const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
  const oursBytes = size(dbOurs) + size(`${dbOurs}.wal`);
  const rows = [
    ['ours: ingest .jsonl', results.ours],
    ['DuckDB read_json -> table', results.duckdb],
    ['Node readline + JSON.parse', results.naive],
    ['ours: ingest S3 layout .json.gz', results.gz],
  ] as const;
  console.log(
    `\nIngest benchmark: ${fmt(RECORDS)} records (${(jsonlBytes / 1e6).toFixed(0)} MB .jsonl, bodies ${BODIES ? 'on' : 'off'}), ${new Date().toISOString()}`,
  );
  console.log('| method | records | seconds | records/s | peak RSS (MB) |');
  console.log('|---|---:|---:|---:|---:|');
  for (const [label, r] of rows)
    console.log(`| ${label} | ${fmt(r.records)} | ${(r.ms / 1000).toFixed(2)} | ${fmt(rate(r))} | ${fmt(r.rssMb)} |`);
  console.log(
    `\nours / DuckDB raw load: ${(rate(results.ours) / rate(results.duckdb)).toFixed(2)}x   (target >= 0.5x)`,
  );
  console.log(`ours / naive loop:      ${(rate(results.ours) / rate(results.naive)).toFixed(2)}x   (target >= 5x)`);
  console.log(
    `DuckDB / naive loop:    ${(rate(results.duckdb) / rate(results.naive)).toFixed(2)}x   (the engine's own limit)`,
  );
  console.log(
    `store size: ${(oursBytes / 1e6).toFixed(1)} MB for ${fmt(results.ours.records)} records = ${(oursBytes / 1e6 / (results.ours.records / 1e6)).toFixed(1)} MB per million`,
  );
  console.log(`peak RSS of our ingest: ${fmt(results.ours.rssMb)} MB (target < 1024)`);
  if (!args.includes('--no-floor')) {
    process.stderr.write('  floor…\n');
    const f = runPhase('floor', dbOurs, join(DIR, 'floor.duckdb'));
    const ratio = (ms: number): string => (results.duckdb.ms / ms).toFixed(2);
    console.log(`\nWriting our stored rows alone (typed columns + message, from memory, into a fresh store):`);
    console.log(
      `  one statement:                    ${((f.extra?.oneStatementMs ?? 0) / 1000).toFixed(2)} s  (= ${ratio(f.extra?.oneStatementMs ?? 1)}x the raw load's speed)`,
    );
    console.log(
      `  transactions of 22,000 records:   ${((f.extra?.chunkedMs ?? 0) / 1000).toFixed(2)} s  (= ${ratio(f.extra?.chunkedMs ?? 1)}x; a killed ingest loses at most one chunk)`,
    );
  }
  if (results.ours.extra?.rejected || results.gz.extra?.rejected)
    console.log(`rejected: jsonl ${results.ours.extra?.rejected}, gz ${results.gz.extra?.rejected}`);
}

await main();
