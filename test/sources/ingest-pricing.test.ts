import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ingestPaths } from '../../src/sources/ingest.js';
import { Store } from '../../src/store/store.js';

function record(requestId: string, modelId: string, input: number, output: number): string {
  return JSON.stringify({
    timestamp: '2026-11-02T08:00:00Z', accountId: '111122223333', region: 'us-east-1', requestId,
    operation: 'Converse', modelId, identity: { arn: 'arn:aws:iam::111122223333:user/u' },
    input: { inputContentType: 'application/json', inputTokenCount: input },
    output: { outputContentType: 'application/json', outputTokenCount: output },
    schemaType: 'ModelInvocationLog', schemaVersion: '1.0',
  });
}

test('ingest prices what it stored and keeps unknown models unpriced, not $0', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bi-ingest-pricing-'));
  const store = await Store.open(':memory:');
  try {
    const file = join(dir, 'logs.jsonl');
    writeFileSync(file, [
      record('r-known', 'anthropic.claude-3-haiku-20240307-v1:0', 2_000_000, 400_000),
      record('r-unknown', 'acme.not-a-real-model-v9', 1000, 10),
    ].join('\n') + '\n');
    const s = await ingestPaths(store, [file]);
    assert.equal(s.recordsStored, 2);
    assert.equal(s.pricing?.priced, 1);
    assert.equal(s.pricing?.unpriced, 1);
    assert.equal(s.pricing?.unpricedTokens, 1010);
    const rows = (await store.connection.runAndReadAll(`SELECT request_id, cost_total FROM events ORDER BY request_id`)).getRows();
    // Claude 3 Haiku: $0.25/1M input, $1.25/1M output (spec §4): 0.5 + 0.5.
    assert.equal(rows[0][0], 'r-known');
    assert.ok(Math.abs(Number(rows[0][1]) - 1.0) < 1e-9);
    assert.deepEqual(rows[1], ['r-unknown', null]);
    // Nothing new: no pricing pass is reported.
    const again = await ingestPaths(store, [file]);
    assert.equal(again.recordsStored, 0);
    assert.equal(again.pricing, undefined);
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
