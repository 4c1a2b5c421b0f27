// An ingest leaves the store in whole row groups, so that no later checkpoint's vacuum rewrites it.
// Before (2026-12-05): a checkpoint every 128 MB of WAL left half-full row groups; with vacuum on,
// every checkpoint merged them again (28 of 39 s of commit time at 1M records), and the first
// write of a server after an ingest rewrote the whole store.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { Store } from '../../src/store/store.js';
import { ingestPaths } from '../../src/sources/ingest.js';
import { ChunkWriter, newTotals, type ChunkWriterOptions } from '../../src/sources/chunk-writer.js';
import type { WriteHook } from '../../src/store/writer.js';
import { invocation, scratchDirs } from './scratch.js';

const dir = scratchDirs('bi-row-groups-');
const ROW_GROUP = 122_880; // DuckDB's row group size

/** The blocks holding row group 0 of `events`. */
async function firstGroupBlocks(conn: DuckDBConnection): Promise<string> {
  const r = await conn.runAndReadAll(`SELECT string_agg(DISTINCT block_id::VARCHAR, ',' ORDER BY block_id::VARCHAR)
    FROM pragma_storage_info('events') WHERE row_group_id = 0 AND NOT persistent IS FALSE`);
  return String(r.getRows()[0][0]);
}

/** Rows of each row group of `events`, in order. */
async function rowGroups(conn: DuckDBConnection): Promise<number[]> {
  const r =
    await conn.runAndReadAll(`SELECT row_group_id, max(start + count) - min(start) FROM pragma_storage_info('events')
    WHERE column_name = 'seq' AND segment_type <> 'VALIDITY' GROUP BY ALL ORDER BY row_group_id`);
  return r.getRows().map((row) => Number(row[1]));
}

test('an ingest of 2 row groups and a bit, in chunks that do not divide a row group, writes whole row groups and a remainder; a later checkpoint with vacuum on rewrites none of them', async () => {
  const d = dir();
  const file = join(d, 'records.jsonl');
  const n = 2 * ROW_GROUP + 5_000;
  writeFileSync(file, Array.from({ length: n }, (_, i) => JSON.stringify(invocation(i))).join('\n') + '\n');
  const db = join(d, 'store.duckdb');
  const s = await Store.open(db);
  try {
    // 50,000-record chunks: without the cut at each row group they would end at 150,000 (a
    // checkpoint there leaves a row group of 27,120) and 250,000.
    const r = await ingestPaths(s, [file], { chunkRecords: 50_000 });
    assert.equal(r.recordsStored, n);
    assert.deepEqual(await rowGroups(s.connection), [ROW_GROUP, ROW_GROUP, 5_000]);
  } finally {
    s.close();
  }
  let blocks: string;
  // A server's write: vacuum on (DuckDB's default), a few rows, a checkpoint.
  const before = statSync(db).size;
  const s2 = await Store.open(db);
  try {
    blocks = await firstGroupBlocks(s2.connection);
    await s2.connection
      .run(`INSERT INTO events SELECT * REPLACE (seq + 1000000 AS seq, event_key || '-again' AS event_key)
      FROM events WHERE seq <= 3`);
    await s2.connection.run('CHECKPOINT');
    const after = await rowGroups(s2.connection);
    assert.deepEqual(after.slice(0, 2), [ROW_GROUP, ROW_GROUP]);
    assert.equal(
      after.reduce((a, b) => a + b, 0),
      n + 3,
    );
    assert.equal(await firstGroupBlocks(s2.connection), blocks, 'the whole row group was not rewritten');
  } finally {
    s2.close();
  }
  // A merged and rewritten row group would leave the file larger by about its size.
  assert.ok(statSync(db).size < before + 4 * 1024 * 1024, `store grew from ${before} to ${statSync(db).size} bytes`);
});

test('with another writer holding a transaction open (an ingest through a running server), the ingest and its checkpoints go on and nothing is lost', async () => {
  const d = dir();
  const file = join(d, 'records.jsonl');
  const n = ROW_GROUP + 7_000;
  writeFileSync(file, Array.from({ length: n }, (_, i) => JSON.stringify(invocation(i))).join('\n') + '\n');
  const s = await Store.open(join(d, 'store.duckdb'));
  const other = await s.connect();
  try {
    await other.run('BEGIN TRANSACTION');
    await other.run(`INSERT INTO meta VALUES ('held-by-test', '1')`);
    const r = await ingestPaths(s, [file], { chunkRecords: 50_000 });
    assert.equal(r.recordsStored, n);
    await other.run('COMMIT');
    const [[stored]] = (await s.connection.runAndReadAll('SELECT count(*) FROM events')).getRows();
    assert.equal(Number(stored), n);
  } finally {
    other.closeSync();
    s.close();
  }
});

test('a chunk read while the one before it is still being finished (its roll-ups waiting for the write lock) ends at the row group all the same', async () => {
  // Found under load (the first test failed 5 runs in 6, 2026-12-05): a stored chunk was counted
  // both as stored and as in flight until its roll-ups had been brought up to date (sparse
  // timestamps: a record a minute puts 416 hours in a chunk), the room left came out negative,
  // read as "a new row group has begun", and the chunk being read ran past the row group's end.
  // Here that window is held open for 3 s: when the fourth chunk commits, another writer takes
  // the write lock, and the fifth chunk is read then.
  const d = dir();
  const s = await Store.open(join(d, 'store.duckdb'));
  const conn = await s.connect();
  try {
    await conn.run(`SET checkpoint_threshold = '1GB'`); // as an ingest sets it: only the writer checkpoints
    const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
    let commits = 0;
    /** Rows in the store after each chunk's commit: a chunk must end where each row group does. */
    const after: number[] = [];
    const hook: WriteHook = {
      afterCommit: async (c) => {
        if (++commits === 4) void s.writing(() => sleep(3000));
        after.push(Number((await c.runAndReadAll('SELECT count(*) FROM events')).getRows()[0][0]));
      },
      flush: () => Promise.resolve(),
    };
    // Four chunks are 100,000 rows: the fifth must stop at 22,880. Records without bodies, so that
    // 25,000 of them stay under the chunk's 10 MB of text.
    const chunk = 25_000;
    const small = { input: { inputTokenCount: 10 }, output: { outputTokenCount: 5 } };
    const n = 2 * ROW_GROUP + 5_000;
    const totals = newTotals();
    const w = await ChunkWriter.create(
      conn,
      {
        logGroup: 'g',
        defaultStream: 's',
        keepBodies: false,
        strict: false,
        chunkRecords: chunk,
        pipeline: true,
        hook,
      },
      totals,
    );
    w.beginFile('records.jsonl', Date.UTC(2026, 0, 1));
    for (let i = 0; i < n; i++) {
      // Each chunk is read once the one before it is stored and its roll-ups are up to date (the
      // write lock is free again), so that every chunk is 25,000 rows, as in the comment above;
      // the fifth is read while the fourth's roll-ups still wait.
      if (i > 0 && i % chunk === 0 && i <= 4 * chunk) {
        const deadline = Date.now() + 60_000;
        while (totals.stored < i) {
          if (Date.now() > deadline) assert.fail(`${i} rows were not stored in 60 s (${totals.stored} were)`);
          await sleep(5);
        }
        if (i < 4 * chunk) await s.writing(() => Promise.resolve());
      }
      w.add(i + 1, JSON.stringify(invocation(i, small)));
      await w.afterAdd();
    }
    w.endFile({ path: 'records.jsonl', size: 0, mtimeMs: 0, records: n });
    await w.finish();
    await conn.run('CHECKPOINT');
    assert.equal(totals.stored, n);
    assert.ok(after.includes(ROW_GROUP) && after.includes(2 * ROW_GROUP), `chunks ended at ${after.join(', ')}`);
    assert.deepEqual(await rowGroups(conn), [ROW_GROUP, ROW_GROUP, 5_000]);
  } finally {
    conn.closeSync();
    s.close();
  }
});

/** What a pipelined chunk writer (as a file ingest runs it) did with `n` records. */
interface Pipelined {
  stored: number;
  /** Rows each commit stored, and the bytes in the WAL right after it (before any checkpoint). */
  commits: { rows: number; wal: number }[];
  /** Rows of each row group of `events` at the end. */
  groups: number[];
}

/** Record `i` as a text, with a prompt of `chars` characters kept in its body. */
function withPrompt(chars: number): (i: number) => string {
  const prompt = 'x'.repeat(chars);
  return (i) =>
    JSON.stringify(
      invocation(i, {
        input: { inputBodyJson: { messages: [{ role: 'user', content: [{ text: prompt }] }] }, inputTokenCount: 1 },
      }),
    );
}

async function pipelined(
  n: number,
  record: (i: number) => string,
  opts: Pick<ChunkWriterOptions, 'keepBodies' | 'chunkChars'>,
): Promise<Pipelined> {
  const db = join(dir(), 'store.duckdb');
  const s = await Store.open(db);
  const conn = await s.connect();
  try {
    await conn.run(`SET checkpoint_threshold = '1GB'`); // as an ingest sets it
    const commits: Pipelined['commits'] = [];
    let before = 0;
    const hook: WriteHook = {
      afterCommit: async (c) => {
        const rows = Number((await c.runAndReadAll('SELECT count(*) FROM events')).getRows()[0][0]);
        commits.push({ rows: rows - before, wal: statSync(`${db}.wal`, { throwIfNoEntry: false })?.size ?? 0 });
        before = rows;
      },
      flush: () => Promise.resolve(),
    };
    const totals = newTotals();
    const w = await ChunkWriter.create(
      conn,
      { logGroup: 'g', defaultStream: 's', strict: false, pipeline: true, hook, ...opts },
      totals,
    );
    w.beginFile('records.jsonl', Date.UTC(2026, 0, 1));
    for (let i = 0; i < n; i++) {
      w.add(i + 1, record(i));
      await w.afterAdd();
    }
    w.endFile({ path: 'records.jsonl', size: 0, mtimeMs: 0, records: n });
    await w.finish();
    w.close();
    return { stored: totals.stored, commits, groups: await rowGroups(conn) };
  } finally {
    conn.closeSync();
    s.close();
  }
}

test('a file ingest stores a whole row group in one transaction, which DuckDB writes to the file compressed, not into the WAL', async () => {
  // 2026-12-05: in ~9,000-row transactions every row went into the WAL at commit and again,
  // compressed, at the row group's checkpoint (1M records: commits 6.9 s, checkpoints 8.4 s);
  // DuckDB writes a transaction's rows straight to the file when they fill a row group.
  const n = ROW_GROUP + 5_000;
  let chars = 0;
  const r = await pipelined(
    n,
    (i) => {
      const text = JSON.stringify(invocation(i));
      chars += text.length;
      return text;
    },
    { keepBodies: false },
  );
  assert.equal(r.stored, n);
  // The row group's rows hold more text than the WAL may: they went to the file.
  assert.ok(chars > 20 * 1024 * 1024, `only ${chars} characters of records`);
  assert.ok(r.commits[0].wal < 2 * 1024 * 1024, `the WAL held ${r.commits[0].wal} bytes after the first commit`);
  assert.deepEqual(
    r.commits.map((c) => c.rows),
    [ROW_GROUP, 5_000],
    'one transaction per row group, then the rest',
  );
  assert.deepEqual(r.groups, [ROW_GROUP, 5_000]);
});

test('a chunk of records with large messages (bodies kept) ends at its characters cap before its row group', async () => {
  // A row group of records with kept bodies can hold gigabytes, staged in DuckDB's memory until
  // the chunk is stored: the chunk is cut by its characters first (192 MiB; 60,000 here).
  const n = 300;
  const r = await pipelined(n, withPrompt(2_000), { keepBodies: true, chunkChars: 60_000 });
  assert.equal(r.stored, n);
  // ~2,600 characters a message: 60,000 characters are 23-24 records.
  const sizes = r.commits.map((c) => c.rows);
  assert.ok(sizes.length >= 12, `chunks of ${sizes.join(', ')}`);
  assert.ok(Math.max(...sizes) <= 25, `chunks of ${sizes.join(', ')}`);
});

test('records whose row group would not fit the characters cap (kept bodies of 40 KB) are cut at 10 MB chunks, as without a pipeline', async () => {
  // Two 192 MB chunks of such records at once (one stored through the WAL, the next staged) ran
  // out of DuckDB's 256 MB; what the chunk holds after 10 MB says its row group would be ~5 GB.
  const n = 600;
  const r = await pipelined(n, withPrompt(40_000), { keepBodies: true });
  assert.equal(r.stored, n);
  // 10 MiB are 262 such records.
  const sizes = r.commits.map((c) => c.rows);
  assert.ok(sizes.length >= 3 && Math.max(...sizes) <= 263, `chunks of ${sizes.join(', ')}`);
});
