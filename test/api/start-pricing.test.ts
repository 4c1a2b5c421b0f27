import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { normalizeLogEvent } from '../../src/logs/record.js';
import { Store } from '../../src/store/store.js';
import { EventWriter } from '../../src/store/writer.js';
import { runConsoleQuery, spawnServe } from './serveProcess.js';

// The campaign's K4 (F8): PutLogEvents acknowledges events once they are committed, and prices
// them afterwards; a server killed in between left up to 30,600 of 30,800 events unpriced after
// its restart. The store below is in exactly that state: committed by the writer, not priced.
test('events committed but not priced before a crash are priced when serve starts again', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bi-start-pricing-'));
  try {
    const db = join(dir, 'store.duckdb');
    const N = 3000;
    const store = await Store.open(db);
    const events = Array.from({ length: N }, (_, i) =>
      normalizeLogEvent({
        logGroup: '/aws/bedrock/modelinvocations',
        logStream: 'burst',
        timestamp: Date.parse('2026-11-01T10:00:00Z') + i,
        message: JSON.stringify({
          timestamp: '2026-11-01T10:00:00Z',
          accountId: '111122223333',
          region: 'us-east-1',
          requestId: `burst-${i}`,
          operation: 'Converse',
          modelId: 'anthropic.claude-3-haiku-20240307-v1:0',
          input: { inputTokenCount: 1000 },
          output: { outputTokenCount: 100 },
          schemaType: 'ModelInvocationLog',
          schemaVersion: '1.0',
        }),
      }),
    );
    const w = new EventWriter(store);
    assert.equal((await w.append(events)).stored, N);
    w.close();
    const unpriced = await store.connection.runAndReadAll(`SELECT count(*) FROM events WHERE price_version IS NULL`);
    assert.equal(Number(unpriced.getRows()[0][0]), N, 'the crash state: stored, not priced');
    store.close();

    const s = await spawnServe(['--db', db]);
    try {
      const v = await runConsoleQuery(
        s.url,
        'stats count(*) as n, count(cost.total) as priced, sum(cost.total) as cost, count_distinct(cost.priceVersion) as books',
      );
      assert.equal(v.status, 'Complete');
      const row = v.rows[0];
      assert.equal(row.n, String(N));
      assert.equal(row.priced, String(N));
      assert.equal(row.books, '1');
      // Claude 3 Haiku: $0.25 per 1M input, $1.25 per 1M output tokens.
      assert.ok(Math.abs(Number(row.cost) - N * (1000 * 0.25 + 100 * 1.25) * 1e-6) < 1e-9, row.cost);
    } finally {
      await s.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
