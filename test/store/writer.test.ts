import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Store } from '../../src/store/store.js';
import { EventWriter } from '../../src/store/writer.js';
import { listFields, listLogGroups, listLogStreams } from '../../src/store/catalog.js';
import { normalizeLogEvent } from '../../src/logs/record.js';
import { fieldNamesOf } from '../../src/logs/fields.js';

const bedrockMessage = (id: string, tokens: number): string =>
  JSON.stringify({
    timestamp: '2026-03-01T10:00:00Z',
    accountId: '111122223333',
    region: 'us-east-1',
    requestId: id,
    operation: 'Converse',
    modelId: 'amazon.nova-lite-v1:0',
    input: { inputTokenCount: tokens, inputBodyJson: { messages: [] } },
    output: { outputTokenCount: 1 },
    requestMetadata: { app: 'A' },
  });

async function rows(s: Store, sql: string): Promise<unknown[][]> {
  return (await s.connection.runAndReadAll(sql))
    .getRows()
    .map((r) => r.map((v) => (typeof v === 'bigint' ? Number(v) : v)));
}

test('EventWriter stores each (log group, event key) once, within a batch and across batches', async () => {
  const s = await Store.open(':memory:');
  try {
    const w = new EventWriter(s);
    const ev = (group: string, stream: string, ts: number, message: string, eventKey?: string) =>
      normalizeLogEvent({
        logGroup: group,
        logStream: stream,
        timestamp: ts,
        message,
        ingestionTime: ts + 1,
        eventKey,
      });
    const batch1 = [
      ev('/app', 's1', 1000, 'hello'),
      ev('/app', 's1', 1000, 'hello'), // same stream, time and text: the same event
      ev('/app', 's1', 2000, '{"level":"warn","n":1}'),
      ev('/app', 's2', 500, 'x', 'id-1'),
      ev('/aws/bedrock/modelinvocations', 'aws/bedrock/modelinvocations', 3000, bedrockMessage('r1', 10)),
    ];
    assert.deepEqual(await w.append(batch1), { stored: 4, duplicates: 1 });
    const batch2 = [
      ev('/app', 's2', 999, 'y', 'id-1'), // same key: a duplicate, whatever the content
      ev('/other', 's2', 500, 'x', 'id-1'), // same key in another group: new
      ev('/aws/bedrock/modelinvocations', 'aws/bedrock/modelinvocations', 3000, bedrockMessage('r1', 10)),
      ev('/aws/bedrock/modelinvocations', 'aws/bedrock/modelinvocations', 4000, bedrockMessage('r2', 20)),
    ];
    assert.deepEqual(await w.append(batch2), { stored: 2, duplicates: 2 });
    assert.deepEqual(await w.append([]), { stored: 0, duplicates: 0 });
    const seqs = await rows(s, `SELECT seq FROM events ORDER BY seq`);
    assert.deepEqual(
      seqs.map((r) => r[0]),
      [1, 2, 3, 4, 5, 6],
    );
    const b = await rows(
      s,
      `SELECT kind, request_id, input_tokens, request_metadata['app'], ts, message LIKE '%inputBodyJson%' FROM events WHERE log_group = '/aws/bedrock/modelinvocations' ORDER BY seq`,
    );
    assert.deepEqual(b, [
      ['bedrock', 'r1', 10, 'A', 3000, false],
      ['bedrock', 'r2', 20, 'A', 4000, false],
    ]);
    const groups = await listLogGroups(s);
    assert.deepEqual(
      groups.map((g) => [g.name, g.events, g.genericEvents]),
      [
        ['/app', 3, 3],
        ['/aws/bedrock/modelinvocations', 2, 0],
        ['/other', 1, 1],
      ],
    );
    const streams = await listLogStreams(s, '/app');
    assert.deepEqual(
      streams.map((x) => [x.name, x.firstEventTs, x.lastEventTs, x.lastIngestionTs]),
      [
        ['s1', 1000, 2000, 2001],
        ['s2', 500, 500, 501],
      ],
    );
    assert.deepEqual(await listFields(s, ['/app']), [
      { field: 'level', events: 1 },
      { field: 'n', events: 1 },
    ]);
    const bedrockFields = new Map(
      (await listFields(s, ['/aws/bedrock/modelinvocations'])).map((f) => [f.field, f.events]),
    );
    assert.equal(bedrockFields.get('requestMetadata.app'), 2);
    assert.equal(bedrockFields.get('input.inputTokenCount'), 2);
    const all = await listFields(s);
    assert.equal(all[0].events, 2);
    w.close();
  } finally {
    s.close();
  }
});

test('a file store keeps everything across reopen', async () => {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const d = mkdtempSync(join(tmpdir(), 'h1-writer-'));
  try {
    const path = join(d, 'store.duckdb');
    let s = await Store.open(path);
    const w = new EventWriter(s);
    await w.append([normalizeLogEvent({ logGroup: '/g', logStream: 's', timestamp: 1, message: 'a' })]);
    w.close();
    s.close();
    s = await Store.open(path);
    const w2 = new EventWriter(s);
    assert.deepEqual(
      await w2.append([
        normalizeLogEvent({ logGroup: '/g', logStream: 's', timestamp: 1, message: 'a' }),
        normalizeLogEvent({ logGroup: '/g', logStream: 's', timestamp: 2, message: 'b' }),
      ]),
      { stored: 1, duplicates: 1 },
    );
    assert.deepEqual(await rows(s, `SELECT seq, message FROM events ORDER BY seq`), [
      [1, 'a'],
      [2, 'b'],
    ]);
    w2.close();
    s.close();
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

// The catalog's field counts come from the batch's signatures when every row is stored, from the
// stored rows otherwise (duplicates), and from the messages for deep ones: each path must count
// exactly the fields of the events stored (checked against a count over the stored messages).
test('field counts of the catalog are those of the events stored, with and without duplicates and deep messages', async () => {
  const s = await Store.open(':memory:');
  try {
    const w = new EventWriter(s);
    const ev = (ts: number, message: string, eventKey: string) =>
      normalizeLogEvent({ logGroup: '/app', logStream: 's', timestamp: ts, message, ingestionTime: ts, eventKey });
    const deep = JSON.stringify({ a: { b: [{ c: 1 }, { d: [1, 2] }] }, level: 'info' });
    // No duplicates, shared and distinct shapes, a plain-text line and a deep one.
    await w.append([
      ev(1, '{"level":"warn","n":1}', 'k1'),
      ev(2, '{"level":"info","n":2}', 'k2'),
      ev(3, '{"level":"info","m":{"x":1}}', 'k3'),
      ev(4, 'plain text', 'k4'),
      ev(5, deep, 'k5'),
    ]);
    // Duplicates (of earlier batches and within this one) whose fields differ: not counted.
    await w.append([
      ev(6, '{"other":1}', 'k1'),
      ev(7, '{"level":"x","z":true}', 'k6'),
      ev(8, '{"never":1}', 'k6'),
      ev(9, deep, 'k7'),
    ]);
    const stored = await rows(s, `SELECT message FROM events ORDER BY seq`);
    const expected = new Map<string, number>();
    for (const [m] of stored) {
      let v: unknown;
      try {
        v = JSON.parse(String(m));
      } catch {
        continue;
      }
      for (const f of new Set(fieldNamesOf(v))) expected.set(f, (expected.get(f) ?? 0) + 1);
    }
    const got = new Map((await listFields(s)).map((f) => [f.field, f.events]));
    assert.deepEqual(
      [...got].sort((a, b) => (a[0] < b[0] ? -1 : 1)),
      [...expected].sort((a, b) => (a[0] < b[0] ? -1 : 1)),
    );
    assert.equal(got.get('level'), 6);
    assert.equal(got.has('other'), false);
    assert.equal(got.has('never'), false);
    assert.equal(got.get('a.b.1.d.0'), 2);
    w.close();
  } finally {
    s.close();
  }
});

// log_groups, log_streams and the roll-up marks come from the batch's own counts when every row is
// stored, from SQL over the stored rows otherwise: both must say what the events table says.
test('log groups, streams and roll-up buckets of a write match the stored events, whichever way they were counted', async () => {
  const s = await Store.open(':memory:');
  try {
    const w = new EventWriter(s);
    const ev = (group: string, stream: string, ts: number, message: string, eventKey: string, ingestionTime = ts + 5) =>
      normalizeLogEvent({ logGroup: group, logStream: stream, timestamp: ts, message, ingestionTime, eventKey });
    const H = 3_600_000;
    // Every row new: counted by the batch. Multi-byte text counts in UTF-8 bytes, as strlen does.
    await w.append([
      ev('/a', 's1', 5 * H + 10, 'héllo wörld €', 'k1'),
      ev('/a', 's1', 2 * H, '{"level":"info"}', 'k2', 9 * H),
      ev('/a', 's2', 7 * H + 1, '😀 emoji', 'k3'),
      ev('/b', 's1', 0, 'zero time', 'k4'),
    ]);
    // Duplicates: counted by SQL over the rows stored.
    await w.append([ev('/a', 's1', 8 * H, 'again', 'k1'), ev('/a', 's1', 11 * H, 'later', 'k5')]);
    const q = (sql: string) => rows(s, sql);
    assert.deepEqual(
      await q(`SELECT name, events, generic_events, stored_bytes FROM log_groups ORDER BY name`),
      await q(`SELECT log_group, count(*), count(*) FILTER (WHERE kind = 'generic'), sum(strlen(message))
        FROM events GROUP BY log_group ORDER BY log_group`),
    );
    assert.deepEqual(
      await q(
        `SELECT log_group, name, first_event_ts, last_event_ts, last_ingestion_ts FROM log_streams ORDER BY 1, 2`,
      ),
      await q(
        `SELECT log_group, log_stream, min(ts), max(ts), max(ingestion_ts) FROM events GROUP BY ALL ORDER BY 1, 2`,
      ),
    );
    assert.deepEqual(await q(`SELECT stored_bytes FROM log_groups WHERE name = '/b'`), [[9]]);
    // The roll-up holds every event in its hour (a wrong mark would also be caught by its own check).
    assert.deepEqual(
      await q(`SELECT log_group, ts, sum(r_n)::INT FROM rollup_hourly GROUP BY ALL ORDER BY 1, 2`),
      await q(`SELECT log_group, ts // ${H} * ${H}, count(*)::INT FROM events GROUP BY ALL ORDER BY 1, 2`),
    );
    w.close();
  } finally {
    s.close();
  }
});
