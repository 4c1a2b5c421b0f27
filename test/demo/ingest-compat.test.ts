import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeDataset, generateRecords } from '../../src/demo/generator.js';
import { ingestPaths } from '../../src/sources/ingest.js';
import { Store } from '../../src/store/store.js';
import { END } from './helpers.js';

const scratch = mkdtempSync(join(tmpdir(), 'h2-demo-ingest-'));
test.after(() => rmSync(scratch, { recursive: true, force: true }));

test(
  'the real ingest stores every generated record from the S3 layout (marker skipped, nothing rejected)',
  { timeout: 120_000 },
  async () => {
    const root = join(scratch, 'bucket');
    const opts = { records: 1200, days: 1, seed: 'compat', end: END } as const;
    const summary = await writeDataset({ ...opts, format: 's3', out: root });
    // Independent expectations, summed from the generator's records.
    let input = 0;
    let untagged = 0;
    for (const r of generateRecords(opts)) {
      input += r.input.inputTokenCount;
      if (!r.requestMetadata) untagged++;
    }

    const store = await Store.open(':memory:');
    try {
      const res = await ingestPaths(store, [root]);
      assert.equal(res.recordsRejected, 0, JSON.stringify(res.rejected.slice(0, 3)));
      assert.equal(res.recordsStored, 1200);
      assert.equal(res.filesRead, summary.files);
      const rows = (
        await store.connection.runAndReadAll(
          `SELECT count(*), sum(input_tokens), count(*) FILTER (WHERE request_metadata IS NULL), count(DISTINCT request_id) FROM events`,
        )
      ).getRows()[0];
      assert.deepEqual(
        rows.map((v) => Number(v)),
        [1200, input, untagged, 1200],
      );
    } finally {
      store.close();
    }
  },
);
