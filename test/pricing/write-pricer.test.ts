import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { normalizeLogEvent } from '../../src/logs/record.js';
import { WritePricer } from '../../src/pricing/index.js';
import { Store } from '../../src/store/store.js';
import { EventWriter } from '../../src/store/writer.js';

const HAIKU = 'anthropic.claude-3-haiku-20240307-v1:0';

function event(requestId: string, errorCode?: string) {
  return normalizeLogEvent({
    logGroup: '/aws/bedrock/modelinvocations',
    logStream: 's',
    timestamp: Date.parse('2026-11-01T10:00:00Z'),
    message: JSON.stringify({
      timestamp: '2026-11-01T10:00:00Z',
      accountId: '111122223333',
      region: 'us-east-1',
      requestId,
      operation: 'Converse',
      modelId: HAIKU,
      input: { inputContentType: 'application/json', inputTokenCount: 1_000_000 },
      output: { outputContentType: 'application/json', outputTokenCount: 1_000_000 },
      identity: { arn: 'arn:aws:iam::111122223333:user/u' },
      ...(errorCode ? { errorCode } : {}),
      schemaType: 'ModelInvocationLog',
      schemaVersion: '1.0',
    }),
  });
}

async function costs(store: Store): Promise<[string, number | null, boolean][]> {
  const r = await store.connection.runAndReadAll(
    `SELECT request_id, cost_total, price_version IS NOT NULL FROM events ORDER BY request_id`,
  );
  return r.getRows().map(([id, c, v]) => [String(id), c === null ? null : Number(c), v === true]);
}

// The rows of a write go in priced: no moment where a committed row waits for its cost, and no
// second write of the row (an UPDATE) per chunk.
test('a write is priced as it goes in: committed rows have their cost before any pass', async () => {
  const store = await Store.open(':memory:');
  try {
    // A pass at most every minute: the second append is within it, so only pricing at insert prices it.
    const pricer = await WritePricer.start(store, { minIntervalMs: 60_000 });
    const w = new EventWriter(store, pricer);
    await w.append([event('r1')]);
    await w.append([event('r2'), event('r3', 'ThrottlingException')]);
    // Claude 3 Haiku: $0.25 per 1M input + $1.25 per 1M output; a failed call costs 0.
    assert.deepEqual(await costs(store), [
      ['r1', 1.5, true],
      ['r2', 1.5, true],
      ['r3', 0, true],
    ]);
    // The hourly roll-up holds the costs too (they were in the rows it was built from).
    const r = await store.connection.runAndReadAll(`SELECT sum(r_c_ct)::INT FROM rollup_hourly`);
    assert.equal(Number(r.getRows()[0][0]), 3);
    w.close();
  } finally {
    store.close();
  }
});

test('rows written while the prices file was broken are priced by the first write after it is fixed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bi-write-pricer-'));
  const prev = process.env.BEDROCK_INSIGHTS_PRICES;
  const store = await Store.open(':memory:');
  try {
    const errors: string[] = [];
    const broken = join(dir, 'prices.json');
    writeFileSync(broken, '{ not json');
    process.env.BEDROCK_INSIGHTS_PRICES = broken;
    const pricer = await WritePricer.start(store, { onError: (m) => errors.push(m) });
    const w = new EventWriter(store, pricer);
    await w.append([event('r1')]);
    await w.append([event('r2')]);
    assert.deepEqual(await costs(store), [
      ['r1', null, false],
      ['r2', null, false],
    ]);
    assert.equal(errors.length, 1, `one report per distinct message: ${errors.join(' | ')}`);
    assert.ok(pricer.error);

    if (prev === undefined) delete process.env.BEDROCK_INSIGHTS_PRICES;
    else process.env.BEDROCK_INSIGHTS_PRICES = prev;
    // The pricer keeps the book it failed to load as unloaded: the next write loads it again.
    await w.append([event('r3')]);
    assert.deepEqual(await costs(store), [
      ['r1', 1.5, true],
      ['r2', 1.5, true],
      ['r3', 1.5, true],
    ]);
    assert.equal(pricer.error, undefined);
    w.close();
  } finally {
    if (prev === undefined) delete process.env.BEDROCK_INSIGHTS_PRICES;
    else process.env.BEDROCK_INSIGHTS_PRICES = prev;
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
