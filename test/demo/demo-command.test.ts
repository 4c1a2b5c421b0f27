import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ensureDemoData, defaultDemoDataDir, MANIFEST_FILE } from '../../src/demo/demoData.js';
import { summarizeStore, formatSummary } from '../../src/demo/summary.js';
import { Store } from '../../src/store/store.js';

const scratch = mkdtempSync(join(tmpdir(), 'h2-demo-cmd-'));
test.after(() => rmSync(scratch, { recursive: true, force: true }));

test('demo data is generated once and reused while the parameters stay the same', async () => {
  const dir = join(scratch, 'demo-data');
  const params = { records: 1500, days: 2, seed: '1' };
  const first = await ensureDemoData(dir, params);
  assert.equal(first.generated, true);
  assert.equal(first.manifest.summary.records, 1500);
  assert.equal(readFileSync(first.dataFile, 'utf8').trim().split('\n').length, 1500);
  const manifest = join(dir, MANIFEST_FILE);
  const mtime = statSync(manifest).mtimeMs;
  writeFileSync(join(dir, 'user-notes.txt'), 'keep me');

  const again = await ensureDemoData(dir, params);
  assert.equal(again.generated, false);
  assert.equal(statSync(manifest).mtimeMs, mtime);
  assert.equal(again.manifest.endMs, first.manifest.endMs);

  const changed = await ensureDemoData(dir, { ...params, records: 1200 });
  assert.equal(changed.generated, true);
  assert.equal(changed.manifest.records, 1200);
  assert.equal(JSON.parse(readFileSync(manifest, 'utf8')).records, 1200);
  assert.equal(readFileSync(changed.dataFile, 'utf8').trim().split('\n').length, 1200);
  assert.ok(existsSync(join(dir, 'user-notes.txt')), 'files the generator did not write are left alone');
  assert.equal(defaultDemoDataDir('/x/y/store.duckdb'), '/x/y/demo-data');
});

test('the store summary counts records, applications, tenants and tokens with plain SQL', async () => {
  const store = await Store.open(':memory:');
  try {
    const rows = [
      // seq, ts, account, app, tenant, in, out, error
      [1, 1000, '111122223333', 'A', 'tenant-1', 10, 5, null],
      [2, 2000, '111122223333', 'A', 'tenant-2', 20, 6, null],
      [3, 3000, '111122223333', 'B', 'tenant-1', 0, 0, 'ThrottlingException'],
      [4, 4000, '111122223333', null, null, 7, 1, null],
      [5, 5000, '999999999999', 'C', 'tenant-9', 100, 100, null],
    ] as const;
    for (const [seq, ts, acct, app, tenant, inp, out, err] of rows) {
      const meta = app === null ? 'NULL' : `MAP {'application_name': '${app}', 'tenant_id': '${tenant}'}`;
      await store.connection
        .run(`INSERT INTO events (seq, log_group, log_stream, ts, ingestion_ts, event_key, kind, account_id, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, error_code, request_metadata, message)
        VALUES (${seq}, 'g', 's', ${ts}, 0, 'k${seq}', 'bedrock', '${acct}', ${inp}, ${out}, 3, 0, ${err === null ? 'NULL' : `'${err}'`}, ${meta}, '{}')`);
    }
    const s = await summarizeStore(store, { accountId: '111122223333', startMs: 0, endMs: 10_000 });
    assert.deepEqual(s, {
      records: 4,
      firstMs: 1000,
      lastMs: 4000,
      applications: 2,
      tenants: 2,
      inputTokens: 37,
      outputTokens: 12,
      cacheReadTokens: 12,
      cacheWriteTokens: 0,
      errors: 1,
      untagged: 1,
    });
    assert.match(formatSummary(s), /Records: +4 \(1 failed, 1 without requestMetadata\)/);
    const empty = await summarizeStore(store, { accountId: 'none' });
    assert.equal(empty.records, 0);
    assert.equal(empty.firstMs, null);
  } finally {
    store.close();
  }
});

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Runs the CLI from source in a child process (stdout of this process belongs to the test runner).
 * `clockOffsetMs` runs it as if the time were that much earlier.
 */
async function cli(args: string[], clockOffsetMs = 0): Promise<{ code: number; stdout: string; stderr: string }> {
  const clock = clockOffsetMs ? `const realNow = Date.now; Date.now = () => realNow() - ${clockOffsetMs}; ` : '';
  const script = `${clock}import('./src/cli/main.ts').then(async ({ main }) => { process.exitCode = await main(['node', 'bedrock-insights', ...JSON.parse(process.env.CLI_ARGS)]); });`;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      { cwd: ROOT, env: { ...process.env, CLI_ARGS: JSON.stringify(args) } },
      (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

test('generate: writes the data set and prints a summary; errors are coded with a hint', async () => {
  const f = join(scratch, 'guide.jsonl');
  const ok = await cli([
    'generate',
    '--preset',
    'guide',
    '--format',
    'jsonl',
    '--out',
    f,
    '--end',
    '2026-11-01T00:00:00Z',
  ]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /Generated 450 records \(preset guide, seed 1\)/);
  assert.match(ok.stdout, /window 2026-10-31T00:00:00Z \.\. 2026-11-01T00:00:00Z/);
  assert.equal(readFileSync(f, 'utf8').trim().split('\n').length, 450);
  assert.equal(ok.stderr, '', 'no progress line when not on a terminal');

  const again = await cli(['generate', '--preset', 'guide', '--format', 'jsonl', '--out', f]);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /OUTPUT_EXISTS.*--force/);
  const bad = await cli(['generate', '--records', 'lots', '--out', join(scratch, 'x')]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /INVALID_ARGUMENT.*--records lots: use a whole number/);

  const s3 = await cli([
    'generate',
    '--records',
    '1_000',
    '--days',
    '1',
    '--seed',
    'cli',
    '--out',
    join(scratch, 's3'),
  ]);
  assert.equal(s3.code, 0, s3.stderr);
  assert.match(s3.stdout, /Generated 1,000 records .*\n {2}S3 delivery layout, \d+ files/);
});

test(
  'demo: generates, ingests and summarises; a second run reuses the data and stores nothing twice',
  { timeout: 180_000 },
  async () => {
    const db = join(scratch, 'e2e', 'store.duckdb');
    const first = await cli(['demo', '--db', db, '--records', '3000', '--days', '12', '--seed', 'e2e', '--no-serve']);
    assert.equal(first.code, 0, first.stderr);
    const dataFile = join(scratch, 'e2e', 'demo-data', 'bedrock-invocations.jsonl');
    // Expected figures summed from the generated file itself, not from the store.
    const recs = readFileSync(dataFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { input: { inputTokenCount: number }; output: { outputTokenCount: number } });
    const n = (x: number) => x.toLocaleString('en-US');
    const input = recs.reduce((s, r) => s + r.input.inputTokenCount, 0);
    const output = recs.reduce((s, r) => s + r.output.outputTokenCount, 0);
    assert.match(first.stdout, /Generated 3,000 records \(preset demo, seed e2e\)/);
    assert.match(first.stdout, /Ingested into .*: 3,000 new records/);
    assert.match(first.stdout, /Records: +3,000 /);
    assert.match(first.stdout, /Applications: +6\n/);
    assert.match(first.stdout, new RegExp(`Input tokens: +${n(input)} `));
    assert.match(first.stdout, new RegExp(`Output tokens: +${n(output)}\\n`));
    assert.doesNotMatch(first.stdout + first.stderr, /inputBodyJson|Where is my order/, 'bodies are never printed');

    const second = await cli(['demo', '--db', db, '--records', '3000', '--days', '12', '--seed', 'e2e', '--no-serve']);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /reusing it/);
    assert.match(second.stdout, /: 0 new records/);
    assert.match(second.stdout, /Records: +3,000 /);
  },
);

test(
  'demo: data that ended over a day ago is generated again to end now and replaces the old demo records',
  { timeout: 180_000 },
  async () => {
    const db = join(scratch, 'aged', 'store.duckdb');
    const args = ['demo', '--db', db, '--records', '3000', '--days', '12', '--seed', 'aged', '--no-serve'];
    const threeDays = 3 * 86_400_000;
    const old = await cli(args, threeDays);
    assert.equal(old.code, 0, old.stderr);
    assert.match(old.stdout, /Ingested into .*: 3,000 new records/);
    const oldEnd = JSON.parse(readFileSync(join(scratch, 'aged', 'demo-data', MANIFEST_FILE), 'utf8')).endMs as number;
    assert.ok(Date.now() - oldEnd > 2 * 86_400_000);

    const now = await cli(args);
    assert.equal(now.code, 0, now.stderr);
    assert.match(now.stdout, /more than a day ago: generated it again to end now/);
    assert.match(now.stdout, /Ingested into .*: 3,000 new records/);
    const manifest = JSON.parse(readFileSync(join(scratch, 'aged', 'demo-data', MANIFEST_FILE), 'utf8')) as {
      endMs: number;
      replaces?: { endMs: number };
    };
    assert.ok(Date.now() - manifest.endMs <= 3_600_000, 'the new data ends at the current hour');
    assert.equal(manifest.replaces?.endMs, oldEnd);
    const counts = async (): Promise<number[]> => {
      const store = await Store.open(db);
      try {
        const r = await store.connection.runAndReadAll(
          `SELECT count(*), count(DISTINCT request_id), count(*) FILTER (WHERE ts < ${manifest.endMs - 12 * 86_400_000}) FROM events`,
        );
        return r.getRows()[0].map(Number);
      } finally {
        store.close();
      }
    };
    // Only the new data set: no old record left in the overlap, none before the new window.
    assert.deepEqual(await counts(), [3000, 3000, 0]);

    const again = await cli(args);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /reusing it/);
    assert.deepEqual(await counts(), [3000, 3000, 0]);
  },
);
