// An ingest runs DuckDB with one thread and without checkpoints by WAL size (src/sources/driver.ts
// INGEST_SETTINGS: 1M records took 58.5 s and 92 s of CPU with two threads, 51.6 s and 71 s with
// one), and gives the store its settings back when it ends, whether it stored or failed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { ingestPaths } from '../../src/sources/ingest.js';
import { Store } from '../../src/store/store.js';
import { invocation, scratchDirs } from './scratch.js';

const dir = scratchDirs('bi-ingest-settings-');

async function setting(conn: DuckDBConnection, name: string): Promise<string> {
  return String((await conn.runAndReadAll(`SELECT current_setting('${name}')`)).getRows()[0][0]);
}

test('during an ingest DuckDB runs one thread; after it, and after a failed one, the store has its own settings again', async () => {
  const d = dir();
  const file = join(d, 'records.jsonl');
  writeFileSync(file, Array.from({ length: 3_000 }, (_, i) => JSON.stringify(invocation(i))).join('\n') + '\n');
  const store = await Store.open(join(d, 'store.duckdb'));
  const other = await store.connect();
  try {
    const before = { threads: await setting(other, 'threads'), wal: await setting(other, 'checkpoint_threshold') };
    assert.equal(before.threads, '2');
    const during: string[] = [];
    const seen: Promise<void>[] = [];
    const summary = await ingestPaths(store, [file], { chunkRecords: 500 }, () => {
      seen.push(setting(other, 'threads').then((t) => void during.push(t)));
    });
    await Promise.all(seen);
    assert.equal(summary.recordsStored, 3_000);
    assert.ok(during.length > 0, 'progress was reported');
    assert.ok(
      during.every((t) => t === '1'),
      `threads during the ingest: ${during.join(', ')}`,
    );
    assert.equal(await setting(other, 'threads'), before.threads);
    assert.equal(await setting(other, 'checkpoint_threshold'), before.wal);
    const more = join(d, 'more.jsonl');
    writeFileSync(more, Array.from({ length: 3_000 }, (_, i) => JSON.stringify(invocation(10_000 + i))).join('\n'));
    await assert.rejects(
      ingestPaths(store, [more], { chunkRecords: 500 }, () => {
        throw new Error('the progress line broke');
      }),
      /the progress line broke/,
    );
    assert.equal(await setting(other, 'threads'), before.threads);
    assert.equal(await setting(other, 'checkpoint_threshold'), before.wal);
  } finally {
    other.closeSync();
    store.close();
  }
});
