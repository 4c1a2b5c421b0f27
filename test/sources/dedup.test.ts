import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../../src/store/store.js';
import { ingestPaths } from '../../src/sources/ingest.js';

// Campaign F11 (B18, B19): README and `ingest --help` promise that a record already stored (same
// requestId in the log group) is not stored twice. It was true only within a day of the record's
// timestamp; and a second record with the same requestId but other content was dropped silently.

const root = mkdtempSync(join(tmpdir(), 'bi-dedup-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
function file(name: string, records: unknown[]): string {
  const d = join(root, `c${++n}`);
  mkdirSync(d);
  const f = join(d, name);
  writeFileSync(f, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return f;
}
const rec = (id: string, day: number, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  timestamp: new Date(Date.UTC(2026, 0, 1 + day, 12)).toISOString().replace('.000Z', 'Z'),
  requestId: id,
  operation: 'Converse',
  modelId: 'amazon.nova-lite-v1:0',
  input: { inputTokenCount: 10 },
  output: { outputTokenCount: 5 },
  ...extra,
});

test('the same requestId ingested 10 days apart, in two runs, is stored once', async () => {
  const s = await Store.open(':memory:');
  try {
    const a = await ingestPaths(s, [file('a.jsonl', [rec('r-1', 0), rec('r-2', 0)])]);
    assert.equal(a.recordsStored, 2);
    const b = await ingestPaths(s, [file('b.jsonl', [rec('r-1', 10), rec('r-3', 10)])]);
    assert.deepEqual([b.recordsStored, b.duplicatesSkipped], [1, 1]);
    const rows = (
      await s.connection.runAndReadAll(`SELECT count(*), count(DISTINCT request_id) FROM events`)
    ).getRows();
    assert.deepEqual(rows[0].map(Number), [3, 3]);
    // …and its timestamps ten days apart make it a conflict, reported.
    assert.equal(b.conflicts, 1);
    assert.deepEqual(
      b.conflictExamples.map((c) => [c.eventKey, c.line, c.fields]),
      [['r-1', 1, ['@timestamp']]],
    );
  } finally {
    s.close();
  }
});

test('the same requestId with other content is counted as a conflict, with examples; an identical copy is not', async () => {
  const s = await Store.open(':memory:');
  try {
    await ingestPaths(s, [file('first.jsonl', [rec('k-1', 0), rec('k-2', 0), rec('k-3', 0)])]);
    const f = file('second.jsonl', [
      rec('k-1', 0), // the same record again: a plain duplicate
      rec('k-2', 0, { modelId: 'anthropic.claude-3-haiku', input: { inputTokenCount: 999_999 } }),
      rec('k-4', 0),
      rec('k-4', 0, { output: { outputTokenCount: 6 } }), // within the file
      rec('k-3', 1), // a day later: still the same record? no, it says another time
    ]);
    const r = await ingestPaths(s, [f]);
    assert.deepEqual([r.recordsStored, r.duplicatesSkipped], [1, 4]);
    assert.equal(r.conflicts, 3);
    assert.deepEqual(
      r.conflictExamples.map((c) => [c.file, c.line, c.eventKey, c.fields]),
      [
        [f, 2, 'k-2', ['modelId', 'input.inputTokenCount']],
        [f, 4, 'k-4', ['output.outputTokenCount']],
        [f, 5, 'k-3', ['@timestamp']],
      ],
    );
    // The first stored record stays as it was.
    const [[model, tokens]] = (
      await s.connection.runAndReadAll(`SELECT model_id, input_tokens FROM events WHERE request_id = 'k-2'`)
    ).getRows();
    assert.deepEqual([model, Number(tokens)], ['amazon.nova-lite-v1:0', 10]);
  } finally {
    s.close();
  }
});
