// Bodies over the S3 delivery layout read in place (docs/semantics.md T9): Trino shows exactly
// the parts of input.inputBodyJson / output.outputBodyJson that a default store keeps
// (src/logs/bodies.ts) and none of the text, on records built to break the rule: a streamed
// response whose text chunks come first (the store re-indexes the chunks it keeps), a kept key
// holding a long string, a guardrail trace nested four levels with matched text beside the
// outcome, a usage object with a boolean and a long string, a body that is not an object. Each
// field is compared with DuckDB over a store ingested from the same files, and the values that
// matter are also written out, so both engines breaking the same way still fails.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { QueryEngine, QueryRequest, QueryResult } from '../../../src/engines/engine.js';
import { createEngine } from '../../../src/engines/factory.js';
import { TrinoClient } from '../../../src/engines/trino/client.js';
import { describeLayout } from '../../../src/engines/trino/layout.js';
import { setupTrinoTable } from '../../../src/engines/trino/setup.js';
import { ingestPaths } from '../../../src/sources/ingest.js';
import { Store } from '../../../src/store/store.js';
import { holdLocalTrino, type HeldTrino } from './helpers.js';

const SCHEMA = `bi_bodies_${process.pid}`;
const TABLE = `hive.${SCHEMA}.bodies`;
const SECRET = 'the synthetic prompt text nobody may read';
const LONG = 'x'.repeat(129);

let trino: HeldTrino;
let client: TrinoClient;
let dir = '';
let store: Store;

function record(n: number, operation: string, input: unknown, output: unknown): Record<string, unknown> {
  return {
    schemaType: 'ModelInvocationLog',
    schemaVersion: '1.0',
    timestamp: `2026-11-01T10:0${n}:00Z`,
    accountId: '123456789012',
    identity: { arn: 'arn:aws:iam::123456789012:role/app' },
    region: 'us-east-1',
    requestId: `req-${n}`,
    operation,
    modelId: 'anthropic.claude-3-haiku-20240307-v1:0',
    input: { inputContentType: 'application/json', inputBodyJson: input, inputTokenCount: 10 },
    output: { outputContentType: 'application/json', outputBodyJson: output, outputTokenCount: 5 },
  };
}

const RECORDS = [
  // An Anthropic stream: text deltas first, so the kept chunks are not at their delivered positions.
  record(
    1,
    'InvokeModelWithResponseStream',
    { anthropic_version: 'bedrock-2023-05-31', max_tokens: 100, messages: [{ role: 'user', content: SECRET }] },
    [
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: SECRET } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'more' } },
      { type: 'message_start', message: { id: 'msg_1', role: 'assistant', content: [], usage: { input_tokens: 7 } } },
      { type: 'content_block_stop', index: 0 },
      { type: 'message_delta', delta: { stop_reason: 'max_tokens', stop_sequence: null }, usage: { output_tokens: 9 } },
      { type: 'message_stop', 'amazon-bedrock-invocationMetrics': { outputTokenCount: 9, invocationLatency: 321 } },
    ],
  ),
  // Converse: a kept key with a long string (dropped), metrics and usage with a boolean and a long string.
  record(
    2,
    'Converse',
    { messages: [{ role: 'user', content: [{ text: SECRET }] }], inferenceConfig: { maxTokens: 64, temperature: 0.5 } },
    {
      output: {
        message: {
          role: 'assistant',
          content: [{ text: SECRET }, { toolUse: { toolUseId: 't1', name: 'lookup', input: { q: SECRET } } }],
        },
      },
      stopReason: LONG,
      metrics: { latencyMs: 1234 },
      usage: { inputTokens: 10, outputTokens: 5, cached: true, note: LONG, nested: { deep: 3 } },
    },
  ),
  // A guardrail trace: outcome markers kept four levels down, the matched text dropped.
  record(
    3,
    'Converse',
    { messages: [{ role: 'user', content: [{ text: SECRET }] }] },
    {
      stopReason: 'guardrail_intervened',
      trace: {
        guardrail: {
          inputAssessment: {
            g1: {
              contentPolicy: { filters: [{ type: 'VIOLENCE', confidence: 'HIGH', action: 'BLOCKED', match: SECRET }] },
              wordPolicy: { customWords: [{ match: SECRET, action: 'BLOCKED' }] },
            },
          },
          modelOutput: [SECRET],
        },
      },
      metrics: { latencyMs: 55 },
    },
  ),
  // A body that is a bare string: nothing of it is kept.
  record(4, 'InvokeModel', SECRET, SECRET),
];

const FIELDS = [
  'output.outputBodyJson.0.message.id',
  'output.outputBodyJson.0.message.usage.input_tokens',
  'output.outputBodyJson.1.delta.stop_reason',
  'output.outputBodyJson.1.usage.output_tokens',
  '`output.outputBodyJson.2.amazon-bedrock-invocationMetrics.invocationLatency`',
  'output.outputBodyJson.3.type',
  'output.outputBodyJson.stopReason',
  'output.outputBodyJson.metrics.latencyMs',
  'output.outputBodyJson.usage.cached',
  'output.outputBodyJson.usage.note',
  'output.outputBodyJson.usage.nested.deep',
  'output.outputBodyJson.output.message.content.1.toolUse.name',
  'output.outputBodyJson.trace.guardrail.inputAssessment.g1.contentPolicy.filters.0.action',
  'output.outputBodyJson.trace.guardrail.inputAssessment.g1.wordPolicy.customWords.0.action',
  'input.inputBodyJson.max_tokens',
  'input.inputBodyJson.messages.0.role',
  'input.inputBodyJson.inferenceConfig.temperature',
];

before(async () => {
  trino = await holdLocalTrino();
  client = new TrinoClient({ url: trino.url });
  dir = mkdtempSync(join(tmpdir(), 'bi-trino-bodies-'));
  const logs = join(dir, 'logs');
  const hour = join(
    logs,
    'AWSLogs',
    '123456789012',
    'BedrockModelInvocationLogs',
    'us-east-1',
    '2026',
    '11',
    '01',
    '10',
  );
  mkdirSync(hour, { recursive: true });
  writeFileSync(join(hour, 'part-0.json.gz'), gzipSync(RECORDS.map((r) => JSON.stringify(r)).join('\n') + '\n'));
  const db = join(dir, 'store.duckdb');
  const s = await Store.open(db);
  const stats = await ingestPaths(s, [logs]);
  s.close();
  assert.equal(stats.recordsRejected, 0);
  store = await Store.open(db, { readOnly: true });
  await setupTrinoTable(client, await describeLayout(logs), TABLE);
});

after(async () => {
  try {
    store?.close();
    await client?.query(`DROP TABLE IF EXISTS ${TABLE}_lines`);
    await client?.query(`DROP TABLE IF EXISTS ${TABLE}`);
    await client?.query(`DROP SCHEMA IF EXISTS hive.${SCHEMA}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await trino?.release();
  }
});

function trinoEngine(keepBodies = false): QueryEngine {
  // Each field that reads a streamed chunk carries the chunk test (kept-bodies.ts): Trino plans
  // such a query slowly, minutes on the shared machine, so the deadline is generous.
  return createEngine(undefined, {
    engine: 'trino',
    trino: { url: trino.url, table: TABLE, keepBodies, timeoutMs: 1_200_000 },
  });
}

async function run(engine: QueryEngine, req: QueryRequest): Promise<QueryResult> {
  try {
    const r = await engine.run(req);
    assert.equal(r.status, 'Complete', r.error?.message);
    return r;
  } finally {
    await engine.close();
  }
}

function rows(r: QueryResult): Record<string, string>[] {
  return r.rows.map((row) => Object.fromEntries(row.filter((f) => f.field !== '@ptr').map((f) => [f.field, f.value])));
}

test('kept body parts read the same on Trino (layout in place) as on DuckDB (default store), text and long strings missing', async () => {
  const req = {
    queryString: `fields requestId, ${FIELDS.map((f, i) => `${f} as f${i}`).join(', ')} | sort requestId asc`,
  };
  const d = await run(createEngine(store), req);
  const t = await run(trinoEngine(), req);
  assert.deepEqual(rows(t), rows(d));
  assert.deepEqual(rows(t), [
    // The stream: the text deltas and the filler-only stop chunk are gone, so message_start is 0,
    // message_delta 1, message_stop 2, and there is no 3.
    { requestId: 'req-1', f0: 'msg_1', f1: '7', f2: 'max_tokens', f3: '9', f4: '321', f14: '100', f15: 'user' },
    // stopReason of 129 characters is text, not a reason: missing; the boolean prints as 1; the long note is missing.
    { requestId: 'req-2', f7: '1234', f8: '1', f10: '3', f11: 'lookup', f15: 'user', f16: '0.5' },
    { requestId: 'req-3', f6: 'guardrail_intervened', f7: '55', f12: 'BLOCKED', f13: 'BLOCKED', f15: 'user' },
    { requestId: 'req-4' },
  ]);
  assert.ok(!JSON.stringify(t.rows).includes('synthetic prompt'), 'no prompt text in any field');
  assert.deepEqual(t.warnings, [], 'kept fields draw no warning');
  // The store's field index knows no fourth chunk and no note (the long one was dropped as text):
  // both paths are kept by default, so their absence is about the data, not the privacy rule
  // (docs/semantics.md): "never seen", not "bodies not kept". Trino has no index (T3) and reads
  // them as missing.
  assert.deepEqual(
    d.warnings.map((w) => `${w.code} ${w.message.split(' ')[0]}`),
    ['FIELD_NEVER_SEEN output.outputBodyJson.3.type', 'FIELD_NEVER_SEEN output.outputBodyJson.usage.note'],
  );
});

test('a body field the store does not keep is missing on Trino with BODIES_NOT_KEPT naming --keep-bodies; with it, the text is read', async () => {
  const req = {
    queryString: 'fields requestId, output.outputBodyJson.output.message.content.0.text as answer | sort requestId asc',
  };
  const d = await run(createEngine(store), req);
  const t = await run(trinoEngine(), req);
  assert.deepEqual(rows(t), rows(d));
  assert.deepEqual(rows(t), [
    { requestId: 'req-1' },
    { requestId: 'req-2' },
    { requestId: 'req-3' },
    { requestId: 'req-4' },
  ]);
  const w = t.warnings.find((x) => x.code === 'BODIES_NOT_KEPT');
  assert.ok(w, 'BODIES_NOT_KEPT on Trino');
  assert.match(w.message, /are read without bodies/);
  assert.match(w.message, /query with --keep-bodies/);
  assert.ok(d.warnings.some((x) => x.code === 'BODIES_NOT_KEPT' && /ingest with --keep-bodies/.test(x.message)));

  const kept = await run(trinoEngine(true), req);
  assert.equal(rows(kept).find((r) => r.requestId === 'req-2')?.answer, SECRET);
  assert.equal(
    kept.warnings.some((x) => x.code === 'BODIES_NOT_KEPT'),
    false,
  );
  // --keep-bodies reads the whole stream, delivered positions and all.
  const raw = await run(trinoEngine(true), {
    queryString: "filter requestId = 'req-1' | fields output.outputBodyJson.0.delta.text as first",
  });
  assert.deepEqual(rows(raw), [{ first: SECRET }]);
});

test('matching @message against prompt text finds nothing on Trino either, with the warning', async () => {
  const req = { queryString: `filter @message like /${SECRET.split(' ')[1]}/ | stats count(*) as n` };
  const t = await run(trinoEngine(), req);
  assert.equal(t.rows.length, 0);
  assert.ok(t.warnings.some((x) => x.code === 'BODIES_NOT_KEPT' && x.message.includes('@message')));
});
