// A file ingest prices each chunk's rows as they go in (WriteHook.atInsert, joined to the INSERT by
// the row's place in the chunk) while the next chunk is read and staged on a second connection,
// into the store's in-memory staging database. Each row must get its own cost whatever
// duplicates (within a chunk and across chunks) and rejections shift the rows, and no staging
// table may outlive the ingest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { priceEvents } from '../../src/pricing/index.js';
import { ingestPaths } from '../../src/sources/ingest.js';
import { Store } from '../../src/store/store.js';
import { STAGE_DB } from '../../src/store/writer.js';
import { invocation, scratchDirs } from './scratch.js';

const dir = scratchDirs('bi-pipeline-costs-');
const MODELS = ['amazon.nova-lite-v1:0', 'anthropic.claude-3-haiku-20240307-v1:0', 'meta.llama3-8b-instruct-v1:0'];

async function rows(conn: DuckDBConnection): Promise<string[]> {
  const r = await conn.runAndReadAll(
    `SELECT request_id, model_id, input_tokens, cost_input, cost_output, cost_total, price_version FROM events ORDER BY request_id`,
  );
  return r.getRows().map((row) => JSON.stringify(row, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v)));
}

/** Records with duplicates (within a chunk and across chunks) and rejections among them. */
function recordsFile(d: string): string {
  const lines: string[] = [];
  for (let i = 0; i < 400; i++) {
    const rec = invocation(i, {
      modelId: MODELS[i % 3],
      input: { inputContentType: 'application/json', inputTokenCount: 1_000 * (i + 1) },
      output: { outputContentType: 'application/json', outputTokenCount: 7 * i },
    });
    lines.push(JSON.stringify(rec));
    if (i % 11 === 0) lines.push('{ not json'); // a rejection shifts the lines after it
    if (i % 13 === 0) lines.push(JSON.stringify(rec)); // a duplicate within the chunk
    if (i % 17 === 0 && i > 50) lines.push(JSON.stringify(invocation(i - 50, { modelId: MODELS[(i - 50) % 3] }))); // an earlier chunk's
  }
  const file = join(d, 'records.jsonl');
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

test('each row gets its own cost through duplicates and rejections across staged chunks, equal to a re-pricing of every row, and no staging table is left', async () => {
  const d = dir();
  const file = recordsFile(d);
  const store = await Store.open(join(d, 'store.duckdb'));
  try {
    const s = await ingestPaths(store, [file], { chunkRecords: 37 });
    assert.equal(s.recordsStored, 400);
    assert.ok(s.duplicatesSkipped > 0 && s.recordsRejected > 0);
    const stored = await rows(store.connection);
    const priced = stored.filter((r) => !r.endsWith(',null]'));
    assert.ok(priced.length > 200, `rows priced at insert: ${priced.length}`);
    // Every row's cost is its own: recomputing every row from the same book changes nothing.
    await priceEvents(store, { where: 'all' });
    assert.deepEqual(await rows(store.connection), stored);
    const left = await store.connection.runAndReadAll(
      `SELECT count(*) FROM duckdb_tables() WHERE database_name = '${STAGE_DB}'`,
    );
    assert.equal(Number(left.getRows()[0][0]), 0);
  } finally {
    store.close();
  }
});

test('a chunk staged in parts (a row group of records is, 10 MB of messages at a time) stores what a chunk staged at once stores, with the same duplicates, conflicts and lines', async () => {
  const d = dir();
  const file = recordsFile(d);
  const ingest = async (name: string, opts: { chunkRecords: number; partChars?: number }) => {
    const store = await Store.open(join(d, name));
    try {
      const s = await ingestPaths(store, [file], opts);
      const r = await store.connection.runAndReadAll(
        `SELECT seq, event_key, message, input_tokens, cost_total FROM events ORDER BY seq`,
      );
      const left = await store.connection.runAndReadAll(
        `SELECT count(*) FROM duckdb_tables() WHERE database_name = '${STAGE_DB}'`,
      );
      return {
        counts: [s.recordsStored, s.duplicatesSkipped, s.recordsRejected, s.conflicts],
        conflicts: s.conflictExamples,
        rows: JSON.stringify(r.getRows(), (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v)),
        left: Number(left.getRows()[0][0]),
      };
    } finally {
      store.close();
    }
  };
  const whole = await ingest('whole.duckdb', { chunkRecords: 150 });
  // About 600 characters a record: each chunk of 150 is staged in 20 or more parts.
  const parts = await ingest('parts.duckdb', { chunkRecords: 150, partChars: 4_000 });
  assert.equal(whole.counts[0], 400);
  assert.ok(whole.conflicts.length > 0, 'the file has conflicting duplicates');
  assert.deepEqual(parts.counts, whole.counts);
  assert.deepEqual(parts.conflicts, whole.conflicts);
  assert.equal(parts.rows, whole.rows);
  assert.equal(parts.left, 0);
});

test('an ingest that fails half-way through a chunk staged in parts leaves no staging table behind (a server would hold it until restarted)', async () => {
  const d = dir();
  const lines: string[] = [];
  for (let i = 0; i < 300; i++) lines.push(JSON.stringify(invocation(i)));
  lines.push('{ not json'); // line 301: a strict ingest stops here, its chunk's parts already staged
  const file = join(d, 'records.jsonl');
  writeFileSync(file, lines.join('\n') + '\n');
  const store = await Store.open(join(d, 'store.duckdb'));
  try {
    await assert.rejects(
      ingestPaths(store, [file], { strict: true, partChars: 4_000 }),
      /INGEST_REJECTED|records\.jsonl:301/,
    );
    const left = await store.connection.runAndReadAll(
      `SELECT count(*) FROM duckdb_tables() WHERE database_name = '${STAGE_DB}'`,
    );
    assert.equal(Number(left.getRows()[0][0]), 0);
    const [[stored]] = (await store.connection.runAndReadAll('SELECT count(*) FROM events')).getRows();
    assert.equal(Number(stored), 0, 'nothing of the failed chunk is stored');
  } finally {
    store.close();
  }
});
