// A file or S3 ingest normalises record texts on a second thread (src/sources/normalizer-thread.ts)
// while the main thread reads and stages: what readers do is queued in order and applied as the
// thread's parts come back. The store, the rejections (file, line, reason), the notes and the
// totals must be exactly those of an ingest without the thread, whatever the chunk and part
// boundaries fall on; a failing thread must fail the ingest with a coded error, and a process
// must not hang on it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { DuckDBConnection } from '@duckdb/node-api';
import { ingestPaths, type IngestOptions, type IngestSummary } from '../../src/sources/ingest.js';
import { NormalizerThread, threadUse } from '../../src/sources/normalizer-thread.js';
import { TextPartBuilder } from '../../src/sources/normalized-part.js';
import { Store } from '../../src/store/store.js';
import { isBiError } from '../../src/util/errors.js';
import { invocation, scratchDirs } from './scratch.js';

const dir = scratchDirs('bi-normalizer-thread-');

/** A folder of inputs with every kind of record and mishap the writer queues between records. */
function inputs(d: string): string {
  const a: string[] = [];
  for (let i = 0; i < 300; i++) {
    a.push(JSON.stringify(invocation(i, { requestMetadata: { tenant_id: `t-${i % 5}`, team: `team-${i % 3}` } })));
    if (i % 19 === 0) a.push('{ not json');
    if (i % 23 === 0) a.push(JSON.stringify(invocation(i, { modelId: 7 }))); // a rejection naming its field
    if (i % 29 === 0) a.push(JSON.stringify(invocation(i))); // a duplicate
    if (i % 97 === 0) a.push(JSON.stringify(invocation(i, { output: { outputTokenCount: 99 } }))); // a conflict
    if (i % 37 === 0) a.push(''); // blank lines count in line numbers
  }
  writeFileSync(join(d, 'a.jsonl'), a.join('\n') + '\n');
  // CloudWatch CreateExportTask lines: @timestamp from the line (one of them not a time).
  const b = Array.from({ length: 300 }, (_, i) => {
    const when = i === 150 ? '2026-13-45T00:00:00Z' : new Date(Date.UTC(2026, 1, 1) + i * 1000).toISOString();
    return `${when} ${JSON.stringify(invocation(1000 + i, { requestId: undefined }))}`;
  });
  writeFileSync(join(d, 'b.log.jsonl'), b.join('\n') + '\n');
  writeFileSync(join(d, 'c.jsonl'), ''); // a note: empty
  // A conflict with a record of a.jsonl, named by this file and line (its place in a chunk's files).
  const e = Array.from({ length: 400 }, (_, i) =>
    i === 50
      ? JSON.stringify(invocation(5, { output: { outputTokenCount: 1234 } }))
      : JSON.stringify(invocation(2000 + i, { errorCode: i % 7 ? null : 'ThrottlingException' })),
  );
  writeFileSync(join(d, 'd.jsonl.gz'), gzipSync(e.join('\n') + '\n'));
  writeFileSync(join(d, 'e.json'), JSON.stringify([invocation(3000), invocation(3001), { not: 'a record' }], null, 2));
  return d;
}

async function table(conn: DuckDBConnection, sql: string): Promise<string[]> {
  const r = await conn.runAndReadAll(sql);
  return r.getRows().map((row) => JSON.stringify(row, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)));
}

async function run(
  folder: string,
  opts: IngestOptions,
): Promise<{ summary: IngestSummary; tables: Record<string, string[]> }> {
  const store = await Store.open(join(dir(), 'store.duckdb'));
  try {
    const summary = await ingestPaths(store, [folder], opts);
    const c = store.connection;
    const tables = {
      events: await table(c, 'SELECT * EXCLUDE (price_version) FROM events ORDER BY seq'),
      rollup: await table(c, 'SELECT * EXCLUDE (price_version) FROM rollup_hourly ORDER BY ALL'),
      fields: await table(c, 'SELECT * FROM fields ORDER BY ALL'),
      streams: await table(c, 'SELECT * EXCLUDE (created_ts) FROM log_streams ORDER BY ALL'),
      files: await table(c, 'SELECT path, size, records FROM ingested_files ORDER BY ALL'),
    };
    return { summary, tables };
  } finally {
    store.close();
  }
}

/** What a summary says, without its timing. */
function said(s: IngestSummary): unknown {
  const { elapsedMs: _e, ...rest } = s;
  return rest;
}

test('with the thread the store, the rejections, the notes and the totals are those of an ingest without it', async () => {
  const folder = inputs(dir());
  // Small chunks and parts: chunk ends, stagings and file ends fall inside the thread's parts.
  const small = { chunkRecords: 97, partChars: 3_000 };
  const without = await run(folder, { ...small, threads: 0 });
  const before = threadUse.records;
  const withThread = await run(folder, { ...small, threads: 1, threadAfterChars: 0 });
  assert.ok(threadUse.records - before > 900, `records sent to the thread: ${threadUse.records - before}`);
  assert.equal(without.summary.recordsRejected, 32, JSON.stringify(without.summary.rejected.slice(-3)));
  assert.ok(without.summary.notes.length > 0);
  assert.ok(without.summary.conflictExamples.some((c) => c.file.endsWith('d.jsonl.gz') && c.line === 51));
  assert.ok(without.summary.duplicatesSkipped > 0 && without.summary.conflicts > 0);
  // The export line whose time is no time is rejected, not stored (NaN failed the whole ingest).
  assert.ok(
    without.summary.rejected.some(
      (r) => r.file.endsWith('b.log.jsonl') && r.line === 151 && r.reason.startsWith('@timestamp is not a valid'),
    ),
    JSON.stringify(without.summary.rejected.filter((r) => r.file.endsWith('b.log.jsonl'))),
  );
  assert.deepEqual(said(withThread.summary), said(without.summary));
  assert.deepEqual(withThread.tables, without.tables);
  // The thread starting half-way (after some records were normalised here) changes nothing either.
  const halfway = await run(folder, { ...small, threads: 1, threadAfterChars: 200_000 });
  assert.deepEqual(said(halfway.summary), said(without.summary));
  assert.deepEqual(halfway.tables, without.tables);
});

test('with --strict the thread fails the ingest at the same record, having stored the same chunks', async () => {
  const folder = inputs(dir());
  const outcome = async (opts: IngestOptions): Promise<{ message: string; events: number }> => {
    const store = await Store.open(join(dir(), 'store.duckdb'));
    try {
      const e = await ingestPaths(store, [folder], { ...opts, strict: true, chunkRecords: 7 }).then(
        () => assert.fail('a strict ingest of bad records succeeded'),
        (err: unknown) => err,
      );
      assert.ok(isBiError(e) && e.code === 'INGEST_REJECTED', String(e));
      const n = await store.connection.runAndReadAll('SELECT count(*) FROM events');
      return { message: e.message, events: Number(n.getRows()[0][0]) };
    } finally {
      store.close();
    }
  };
  const without = await outcome({ threads: 0 });
  assert.match(without.message, /a\.jsonl:2: /);
  assert.deepEqual(await outcome({ threads: 1, threadAfterChars: 0 }), without);
});

test('a part the thread cannot normalise fails with INGEST_THREAD_FAILED, and a closed thread takes no more', async () => {
  const thread = new NormalizerThread();
  try {
    const b = new TextPartBuilder({ logGroup: 'g', keepBodies: false });
    b.add({ raw: JSON.stringify(invocation(1)), ingestionTime: 1, logStream: 's' });
    const ok = await thread.normalize(b.build());
    assert.equal(ok.n, 1);
    assert.equal(ok.messages.length, 1);
    assert.ok(!ok.messages[0].includes('secret prompt'), ok.messages[0]);
    // A part without its streams: the thread's normaliser throws, and says so.
    const bogus = { ...b.build(), streams: null } as never;
    await assert.rejects(thread.normalize(bogus), (e: unknown) => isBiError(e) && e.code === 'INGEST_THREAD_FAILED');
    // The thread lives on after a failed part.
    assert.equal((await thread.normalize(b.build())).n, 1);
  } finally {
    await thread.close();
  }
  const b = new TextPartBuilder({ logGroup: 'g', keepBodies: false });
  b.add({ raw: '{}', ingestionTime: 1, logStream: 's' });
  await assert.rejects(thread.normalize(b.build()), (e: unknown) => isBiError(e) && e.code === 'INGEST_THREAD_FAILED');
});

test('the CLI ingests with the thread and exits once done (the thread does not hold the process)', () => {
  const repo = resolve(import.meta.dirname, '..', '..');
  spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: repo, stdio: 'ignore' });
  const d = dir();
  // Past the 4 MB the main thread normalises before the thread starts.
  const lines = Array.from({ length: 6_000 }, (_, i) => JSON.stringify(invocation(i, { padding: 'x'.repeat(700) })));
  writeFileSync(join(d, 'big.jsonl'), lines.join('\n') + '\n');
  const r = spawnSync(
    process.execPath,
    [join(repo, 'bin', 'bedrock-insights.js'), 'ingest', '--db', join(d, 's.duckdb'), join(d, 'big.jsonl')],
    {
      encoding: 'utf8',
      env: { ...process.env, BEDROCK_INSIGHTS_INGEST_THREADS: '1' },
      timeout: 120_000,
    },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /records stored:\s+6,000/);
});
