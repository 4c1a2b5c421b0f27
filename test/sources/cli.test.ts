import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Store } from '../../src/store/store.js';

// kill -9 in the middle of an ingest, then the same ingest again: the store must end up exactly
// as after one clean ingest. Runs the real CLI (bin/bedrock-insights.js over dist/).

const repo = resolve(import.meta.dirname, '../..');
const bin = join(repo, 'bin', 'bedrock-insights.js');
const work = mkdtempSync(join(tmpdir(), 'h1-interrupt-'));
const data = join(work, 'logs.jsonl');
const RECORDS = 30_000;
const CHUNK = 3_000;

function newestMtime(dir: string): number {
  let m = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    m = Math.max(m, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return m;
}

before(() => {
  // `npm test` builds first; when run alone, build if dist/ is missing or older than the sources.
  const built = join(repo, 'dist', 'sources', 'ingest.js');
  if (!existsSync(built) || statSync(built).mtimeMs < newestMtime(join(repo, 'src'))) {
    spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: repo, stdio: 'ignore' });
  }
  assert.ok(existsSync(built), 'dist/ could not be built (npm run build)');
  const lines: string[] = [];
  for (let i = 0; i < RECORDS; i++) {
    const r: Record<string, unknown> = {
      timestamp: new Date(Date.UTC(2026, 5, 1) + i * 1000).toISOString().replace('.000Z', 'Z'),
      accountId: '123456789012',
      region: 'us-east-1',
      requestId: `req-${i}`,
      operation: 'Converse',
      modelId: 'amazon.nova-lite-v1:0',
      input: { inputTokenCount: i % 977 },
      output: { outputTokenCount: i % 13 },
      requestMetadata: { tenant_id: `tenant-${i % 7}` },
    };
    if (i % 50 === 0) delete r.requestId; // keyed by content hash: the re-read must dedup these too
    lines.push(JSON.stringify(r));
  }
  writeFileSync(data, lines.join('\n') + '\n');
});
after(() => rmSync(work, { recursive: true, force: true }));

async function totals(db: string): Promise<{ n: number; keys: number; tokens: number; fields: number }> {
  const s = await Store.open(db);
  try {
    const r = await s.connection
      .runAndReadAll(`SELECT count(*), count(DISTINCT event_key), coalesce(sum(input_tokens), 0),
      (SELECT coalesce(max(events), 0) FROM fields WHERE field = 'requestMetadata.tenant_id') FROM events`);
    const [n, keys, tokens, fields] = r.getRows()[0].map(Number);
    return { n, keys, tokens, fields };
  } finally {
    s.close();
  }
}

function run(db: string): { status: number | null; stdout: string } {
  const r = spawnSync(process.execPath, [bin, 'ingest', data, '--db', db], {
    encoding: 'utf8',
    env: { ...process.env, BEDROCK_INSIGHTS_INGEST_CHUNK: String(CHUNK) },
  });
  return { status: r.status, stdout: r.stdout };
}

test('an ingest killed with SIGKILL mid-way completes on re-run: no duplicates, no loss', async () => {
  const clean = join(work, 'clean.duckdb');
  assert.equal(run(clean).status, 0);
  const expected = await totals(clean);
  assert.equal(expected.n, RECORDS);

  const db = join(work, 'killed.duckdb');
  const child = spawn(process.execPath, [bin, 'ingest', data, '--db', db], {
    env: { ...process.env, BEDROCK_INSIGHTS_INGEST_CHUNK: String(CHUNK), BEDROCK_INSIGHTS_TIMING: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stored = 0;
  const exited = new Promise<NodeJS.Signals | null>((res) => child.on('exit', (_code, sig) => res(sig)));
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (t: string) => {
    stored += (t.match(/\[ingest\] store/g) ?? []).length;
    if (stored >= 3) child.kill('SIGKILL'); // between chunks 3 and 4 of 10
  });
  assert.equal(await exited, 'SIGKILL', 'the ingest finished before it could be killed');
  const partial = await totals(db);
  assert.ok(partial.n > 0 && partial.n < RECORDS, `partial store: ${partial.n} records`);
  assert.equal(partial.keys, partial.n);

  const again = run(db);
  assert.equal(again.status, 0);
  assert.match(again.stdout, new RegExp(`records stored:\\s+${(RECORDS - partial.n).toLocaleString('en-US')}\\n`));
  assert.match(again.stdout, new RegExp(`duplicates skipped:\\s+${partial.n.toLocaleString('en-US')}\\n`));
  assert.deepEqual(await totals(db), expected);
  // And a third run reads nothing: the file is checkpointed now.
  assert.match(run(db).stdout, /files skipped:\s+1 /);
});

test('the CLI: summary on stdout, rejections with file:line on stderr, --strict exits non-zero', () => {
  const f = join(work, 'small.jsonl');
  writeFileSync(
    f,
    [
      '{"timestamp":"2026-01-01T00:00:00Z","requestId":"a","operation":"Converse","modelId":"m"}',
      '{oops',
      '{"timestamp":"2025-04-99T23:00:17Z","operation":"Converse","modelId":"m"}',
    ].join('\n'),
  );
  const db = join(work, 'cli.duckdb');
  const r = spawnSync(process.execPath, [bin, 'ingest', f, '--db', db, '--log-group', 'cli-group'], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 0);
  assert.match(r.stdout, /files read:\s+1\n/);
  assert.match(r.stdout, /records stored:\s+1\n/);
  assert.match(r.stdout, /records rejected:\s+2\n/);
  assert.ok(r.stderr.includes(`${f}:2: malformed JSON`), r.stderr);
  assert.ok(r.stderr.includes(`${f}:3: timestamp is not a valid RFC 3339 UTC time`), r.stderr);
  assert.equal(r.stderr.includes('\r'), false, 'no progress bar when stderr is not a terminal');
  const strict = spawnSync(process.execPath, [bin, 'ingest', f, '--db', join(work, 'strict.duckdb'), '--strict'], {
    encoding: 'utf8',
  });
  assert.notEqual(strict.status, 0);
  assert.ok(strict.stderr.includes(`${f}:2: malformed JSON`), strict.stderr);
  const help = spawnSync(process.execPath, [bin, 'ingest', '--help'], { encoding: 'utf8' });
  assert.equal(help.status, 0);
  assert.match(help.stdout, /--keep-bodies/);
  assert.match(help.stdout, /Examples:/);
});

test('the CLI: --rejects FILE holds every rejection, the terminal the first 10 and where the rest are', () => {
  const f = join(work, 'many-bad.jsonl');
  const good = '{"timestamp":"2026-01-01T00:00:00Z","requestId":"ok-1","operation":"Converse","modelId":"m"}';
  const bad = Array.from(
    { length: 25 },
    (_, i) => `{"timestamp":"2026-13-0${(i % 9) + 1}T00:00:00Z","operation":"Converse","modelId":"m"}`,
  );
  writeFileSync(f, [good, ...bad, '{"source":"x","notes":"y","record":{"a":1}}'].join('\n'));
  const out = join(work, 'rejects.jsonl');
  const r = spawnSync(process.execPath, [bin, 'ingest', f, '--db', join(work, 'rejects.duckdb'), '--rejects', out], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(
    r.stderr,
    new RegExp(`rejected records \\(first 10 of 26; all of them in ${out.replace(/[/.]/g, '\\$&')}\\)`),
  );
  assert.equal(r.stderr.split('\n').filter((l) => l.startsWith(`  ${f}:`)).length, 10);
  // The value is named, so the line can be fixed without opening the file.
  assert.ok(r.stderr.includes(`${f}:2: timestamp is not a valid RFC 3339 UTC time`), r.stderr);
  assert.ok(r.stderr.includes('; got "2026-13-01T00:00:00Z"'), r.stderr);
  const all = readFileSync(out, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { file: string; line: number; reason: string; field?: string });
  assert.equal(all.length, 26);
  assert.deepEqual(
    all.map((x) => x.line),
    Array.from({ length: 26 }, (_, i) => i + 2),
  );
  assert.equal(all[0].field, 'timestamp');
  assert.equal(all[0].file, f);
  assert.match(all[25].reason, /^not a Bedrock invocation log record .*top-level keys: source, notes, record\)$/);
  // Without --rejects, the terminal says how to get them all.
  const again = spawnSync(process.execPath, [bin, 'ingest', f, '--db', join(work, 'rejects2.duckdb')], {
    encoding: 'utf8',
  });
  assert.match(again.stderr, /first 10 of 26; ingest --rejects FILE writes them all/);
});

test('the CLI: an ingest that stores nothing and rejects something exits 1', () => {
  const f = join(work, 'all-bad.jsonl');
  writeFileSync(f, '{oops\n{"timestamp":"2026-01-01T00:00:00Z"}\n');
  const db = join(work, 'all-bad.duckdb');
  const r = spawnSync(process.execPath, [bin, 'ingest', f, '--db', db], { encoding: 'utf8' });
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stdout, /records stored:\s+0\n/);
  assert.match(r.stderr, /nothing was stored and 2 records were rejected/);
  // Stored something: success, even with rejections.
  const g = join(work, 'some-bad.jsonl');
  writeFileSync(
    g,
    '{oops\n{"timestamp":"2026-01-01T00:00:00Z","requestId":"x","operation":"Converse","modelId":"m"}\n',
  );
  assert.equal(spawnSync(process.execPath, [bin, 'ingest', g, '--db', db], { encoding: 'utf8' }).status, 0);
});
