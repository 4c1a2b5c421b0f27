// The catalog's field counts after ingests that mix record shapes, duplicates and deep records:
// each field's count equals the number of stored events whose message has it. Batches with
// duplicates count fields from the staged rows' signature ids (sig_id into the batch's list),
// deep records from their messages; a wrong id mapping would give another shape's fields.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Store } from '../../src/store/store.js';
import { ingestPaths } from '../../src/sources/ingest.js';
import { fieldNamesOf } from '../../src/logs/fields.js';
import { invocation, scratchDirs } from './scratch.js';

const dir = scratchDirs('bi-field-counts-');

/** Three shapes by i % 3, and a deep one (a key holding the signature separator) every 50th. */
function record(i: number): Record<string, unknown> {
  const shape =
    i % 50 === 0
      ? { 'odd\x1fkey': { nested: [i, { deeper: true }] } }
      : i % 3 === 0
        ? { requestMetadata: { team: `team-${i % 4}`, cost_center: 'cc-1' } }
        : i % 3 === 1
          ? { errorCode: 'ThrottlingException' }
          : {};
  return invocation(i, shape);
}

test('field counts equal the stored messages after a batch with duplicates and deep records', async () => {
  const d = dir();
  const first = join(d, 'first.jsonl');
  const second = join(d, 'second.jsonl');
  const lines = (from: number, to: number): string =>
    Array.from({ length: to - from }, (_, k) => JSON.stringify(record(from + k))).join('\n') + '\n';
  writeFileSync(first, lines(0, 600));
  // Half of it stored already: this batch is not stored whole.
  writeFileSync(second, lines(300, 900));
  const s = await Store.open(join(d, 'store.duckdb'));
  try {
    assert.equal((await ingestPaths(s, [first])).recordsStored, 600);
    const r = await ingestPaths(s, [second]);
    assert.equal(r.recordsStored, 300);
    assert.equal(r.duplicatesSkipped, 300);
    const expected = new Map<string, number>();
    const rows = (await s.connection.runAndReadAll('SELECT message FROM events')).getRows();
    assert.equal(rows.length, 900);
    for (const [message] of rows)
      for (const f of new Set(fieldNamesOf(JSON.parse(String(message))))) expected.set(f, (expected.get(f) ?? 0) + 1);
    const got = new Map(
      (await s.connection.runAndReadAll('SELECT field, events FROM fields'))
        .getRows()
        .map(([f, n]) => [String(f), Number(n)]),
    );
    // 300 multiples of 3 in 0..899, less the 6 multiples of 150, which are deep records.
    assert.equal(got.get('requestMetadata.team'), 294);
    // The deep records' fields are counted from their messages (18 of them: multiples of 50).
    assert.deepEqual(
      [...got].filter(([f]) => f.startsWith('odd')).map(([, n]) => n),
      [...expected].filter(([f]) => f.startsWith('odd')).map(([, n]) => n),
    );
    assert.ok(
      [...got].some(([f, n]) => f.startsWith('odd') && n === 18),
      'deep fields counted',
    );
    assert.deepEqual(
      [...got].sort((a, b) => (a[0] < b[0] ? -1 : 1)),
      [...expected].sort((a, b) => (a[0] < b[0] ? -1 : 1)),
    );
  } finally {
    s.close();
  }
});
