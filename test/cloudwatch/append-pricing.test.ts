import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppendQueue } from '../../src/cloudwatch/appendQueue.js';
import { normalizeLogEvent } from '../../src/logs/record.js';
import { Store } from '../../src/store/store.js';
import { EventWriter } from '../../src/store/writer.js';
import { WritePricer } from '../../src/pricing/index.js';

// Events pushed through PutLogEvents get their cost fields like ingested files do.
test('PutLogEvents appends are priced once the queue is idle', async () => {
  const store = await Store.open(':memory:');
  try {
    // As the CloudWatch API builds it: the store writer's pricing hook, deferring within 2 s.
    const queue = new AppendQueue(new EventWriter(store, await WritePricer.start(store, { minIntervalMs: 2000 })));
    const record = {
      timestamp: '2026-11-01T10:00:00Z',
      accountId: '111122223333',
      region: 'us-east-1',
      requestId: 'req-priced-1',
      operation: 'Converse',
      modelId: 'anthropic.claude-3-haiku-20240307-v1:0',
      input: { inputContentType: 'application/json', inputTokenCount: 1_000_000 },
      output: { outputContentType: 'application/json', outputTokenCount: 1_000_000 },
      identity: { arn: 'arn:aws:iam::111122223333:user/u' },
      schemaType: 'ModelInvocationLog',
      schemaVersion: '1.0',
    };
    const ev = normalizeLogEvent({
      logGroup: '/aws/bedrock/modelinvocations',
      logStream: 's',
      timestamp: Date.parse(record.timestamp),
      message: JSON.stringify(record),
    });
    assert.equal(ev.kind, 'bedrock');
    const r = await queue.append([ev]);
    assert.equal(r.stored, 1);
    let total: number | null = null;
    for (let i = 0; i < 100 && total === null; i++) {
      const rows = (
        await store.connection.runAndReadAll(`SELECT cost_total FROM events WHERE request_id = 'req-priced-1'`)
      ).getRows();
      total = rows[0][0] === null ? null : Number(rows[0][0]);
      if (total === null) await new Promise((res) => setTimeout(res, 20));
    }
    // Claude 3 Haiku: $0.25 per 1M input + $1.25 per 1M output (spec §4 price table).
    assert.ok(total !== null && Math.abs(total - 1.5) < 1e-9, `cost_total ${total}`);
    await queue.idle();
  } finally {
    store.close();
  }
});

// A sustained burst never lets the queue go idle: pricing must also happen between appends.
test('during a burst that keeps the queue busy, appended events are priced before the burst ends', async () => {
  const store = await Store.open(':memory:');
  try {
    const pricedBeforeAppend: number[] = [];
    class WatchedWriter extends EventWriter {
      override async append(events: Parameters<EventWriter['append']>[0]) {
        const r = await store.connection.runAndReadAll(`SELECT count(*) FROM events WHERE price_version IS NOT NULL`);
        pricedBeforeAppend.push(Number(r.getRows()[0][0]));
        return super.append(events);
      }
    }
    // One request per append, and the writer hook's pricing pass after every commit (interval 0).
    const queue = new AppendQueue(
      new WatchedWriter(store, await WritePricer.start(store, { minIntervalMs: 0 })),
      undefined,
      1,
    );
    const event = (i: number) =>
      normalizeLogEvent({
        logGroup: '/aws/bedrock/modelinvocations',
        logStream: 's',
        timestamp: Date.parse('2026-11-01T10:00:00Z') + i,
        message: JSON.stringify({
          timestamp: '2026-11-01T10:00:00Z',
          accountId: '111122223333',
          region: 'us-east-1',
          requestId: `req-burst-${i}`,
          operation: 'Converse',
          modelId: 'anthropic.claude-3-haiku-20240307-v1:0',
          input: { inputTokenCount: 1000 },
          output: { outputTokenCount: 100 },
          schemaType: 'ModelInvocationLog',
          schemaVersion: '1.0',
        }),
      });
    // Twelve requests arrive together: the queue drains them in one busy stretch.
    const acks = await Promise.all(Array.from({ length: 12 }, (_, i) => queue.append([event(i)])));
    assert.equal(
      acks.reduce((n, a) => n + a.stored, 0),
      12,
    );
    assert.equal(pricedBeforeAppend.length, 12);
    // Before the last append, the earlier events were already priced (not only after the burst).
    assert.ok(pricedBeforeAppend[11] >= 10, `priced before the last append: ${pricedBeforeAppend.join(',')}`);
    await queue.idle();
  } finally {
    store.close();
  }
});
