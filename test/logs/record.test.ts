import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { normalizeBedrockRecord, normalizeLogEvent, modelIdForm, BEDROCK_OPERATIONS } from '../../src/logs/record.js';
import { parseRfc3339Utc } from '../../src/logs/timestamp.js';
import { fieldNamesOf } from '../../src/logs/fields.js';
import { LOG_EXAMPLES } from '../fixtures/paths.js';

const EXAMPLES = LOG_EXAMPLES;
type Rec = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test fixtures are free-form JSON
const examples: Rec[] = readFileSync(EXAMPLES, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l).record);
const ctx = { logGroup: '/aws/bedrock/modelinvocations', ingestionTime: 1_700_000_000_000 };

function ok(r: ReturnType<typeof normalizeBedrockRecord>) {
  if (!r.ok) assert.fail(`rejected: ${r.reason}`);
  return r.event;
}

test('every real example record is stored, except the three with redacted timestamps', () => {
  const outcome = examples.map((r) => normalizeBedrockRecord(r, ctx));
  // Records 2 and 3 have x-ed out timestamps, record 7 a day 99: rejected, naming the field.
  for (const i of [1, 2, 6]) {
    const r = outcome[i];
    assert.equal(r.ok, false, `record ${i + 1} should be rejected`);
    if (!r.ok) {
      assert.equal(r.field, 'timestamp');
      assert.match(r.reason, /timestamp/);
    }
  }
  for (const i of [0, 3, 4, 5, 7, 8, 9]) assert.equal(outcome[i].ok, true, `record ${i + 1} should be stored`);
});

test('hot fields of a real record are typed; absent cache counts stay null, not 0', () => {
  const e4 = ok(normalizeBedrockRecord(examples[3], ctx));
  assert.equal(e4.timestamp, Date.UTC(2026, 3, 19, 13, 28, 51));
  assert.equal(e4.accountId, '123456789012');
  assert.equal(e4.region, 'us-west-2');
  assert.equal(e4.inferenceRegion, 'us-east-2');
  assert.equal(e4.operation, 'Converse');
  assert.equal(e4.modelId, 'global.anthropic.claude-opus-4-5-20251101-v1:0');
  assert.equal(e4.identityArn, 'arn:aws:iam::123456789012:user/your-iam-username');
  assert.equal(e4.requestId, '7487ab04-734e-470b-8dfc-46d8d8506381');
  assert.equal(e4.eventKey, '7487ab04-734e-470b-8dfc-46d8d8506381');
  assert.deepEqual([e4.inputTokens, e4.outputTokens, e4.cacheReadTokens, e4.cacheWriteTokens], [255, 113, 0, 0]);
  assert.equal(e4.kind, 'bedrock');
  assert.equal(e4.logStream, 'aws/bedrock/modelinvocations');
  assert.equal(e4.ingestionTime, ctx.ingestionTime);
  const e9 = ok(normalizeBedrockRecord(examples[8], ctx));
  assert.equal(e9.cacheReadTokens, null);
  assert.equal(e9.cacheWriteTokens, null);
  assert.equal(e9.errorCode, null);
  const e5 = ok(normalizeBedrockRecord(examples[4], ctx));
  assert.equal(e5.cacheWriteTokens, 24479);
});

test('the record without requestId and accountId is stored under a content hash', () => {
  const e = ok(normalizeBedrockRecord(examples[7], ctx));
  assert.equal(e.accountId, null);
  assert.equal(e.requestId, null);
  assert.equal(e.eventKey, 'h:' + createHash('md5').update(e.message).digest('hex'));
  assert.equal(e.inferenceRegion, 'ap-southeast-4');
  // The same record again has the same key, so it is stored once.
  assert.equal(ok(normalizeBedrockRecord(structuredClone(examples[7]), ctx)).eventKey, e.eventKey);
});

test('bodies are cut down in @message by default (the text goes, latency/stop reason/usage stay), key order kept, S3 paths kept', () => {
  const e = ok(normalizeBedrockRecord(examples[5], ctx));
  const m = JSON.parse(e.message);
  assert.equal(m.input.inputBodyJson, undefined);
  assert.equal(m.output.outputBodyJson, undefined, 'a stream of placeholder strings keeps nothing');
  assert.match(m.input.inputBodyS3Path, /_input\.json\.gz$/);
  assert.deepEqual(Object.keys(m), Object.keys(examples[5]));
  assert.deepEqual(Object.keys(m.input), [
    'inputContentType',
    'inputBodyS3Path',
    'inputTokenCount',
    'cacheReadInputTokenCount',
    'cacheWriteInputTokenCount',
  ]);
  assert.ok(!e.message.includes('stop_reason') && !e.message.includes('"bytes"'), 'no body content left');
  const kept = ok(normalizeBedrockRecord(examples[0], { ...ctx, keepBodies: true }));
  assert.equal(kept.message, JSON.stringify(examples[0]));
  assert.ok(kept.fieldNames.includes('input.inputBodyJson.messages.0.content.0.text'));
  const stripped = ok(normalizeBedrockRecord(examples[0], ctx));
  assert.ok(!stripped.message.includes('hello how are you'));
  assert.ok(!stripped.message.includes('How can I assist'));
  assert.ok(!stripped.fieldNames.some((f) => f.endsWith('.text')));
  for (const f of [
    'output.outputBodyJson.metrics.latencyMs',
    'output.outputBodyJson.stopReason',
    'output.outputBodyJson.usage.totalTokens',
    'input.inputBodyJson.inferenceConfig.maxTokens',
    'input.inputBodyJson.messages.0.role',
  ])
    assert.ok(stripped.fieldNames.includes(f), f);
});

test('unknown extra fields are kept in @message and discovered', () => {
  const r = { ...examples[8], performanceConfig: { latency: 'optimized' }, status: 'ok', flags: [true, false] };
  const e = ok(normalizeBedrockRecord(r, ctx));
  const m = JSON.parse(e.message);
  assert.deepEqual(m.performanceConfig, { latency: 'optimized' });
  assert.equal(m.status, 'ok');
  for (const f of ['performanceConfig.latency', 'status', 'flags.0', 'flags.1']) assert.ok(e.fieldNames.includes(f), f);
});

test('every operation and every modelId form is accepted and stored as logged', () => {
  const ids = [
    'anthropic.claude-3-haiku-20240307-v1:0',
    'us.anthropic.claude-sonnet-4-20250514-v1:0',
    'eu.amazon.nova-lite-v1:0',
    'apac.amazon.nova-micro-v1:0',
    'global.anthropic.claude-opus-4-6-v1',
    'arn:aws:bedrock:us-west-2:123456789012:inference-profile/global.anthropic.claude-opus-4-7',
    'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123',
  ];
  const forms = ids.map(modelIdForm);
  assert.deepEqual(forms, [
    'base',
    'cross-region-profile',
    'cross-region-profile',
    'cross-region-profile',
    'cross-region-profile',
    'inference-profile-arn',
    'application-inference-profile-arn',
  ]);
  for (const op of BEDROCK_OPERATIONS) {
    for (const modelId of ids) {
      const e = ok(normalizeBedrockRecord({ ...examples[8], operation: op, modelId }, ctx));
      assert.equal(e.operation, op);
      assert.equal(e.modelId, modelId);
    }
  }
});

test('token counts must be non-negative integers', () => {
  const base = examples[8];
  const withInput = (v: unknown) => ({ ...base, input: { ...base.input, inputTokenCount: v } });
  for (const bad of [-1, 1.5, '5', true, 2 ** 60]) {
    const r = normalizeBedrockRecord(withInput(bad), ctx);
    assert.equal(r.ok, false, `inputTokenCount ${String(bad)}`);
    if (!r.ok) assert.equal(r.field, 'input.inputTokenCount');
  }
  assert.equal(ok(normalizeBedrockRecord(withInput(5.0), ctx)).inputTokens, 5);
  assert.equal(ok(normalizeBedrockRecord(withInput(null), ctx)).inputTokens, null);
  const r = normalizeBedrockRecord({ ...base, output: { outputTokenCount: -3 } }, ctx);
  assert.equal(r.ok ? '' : r.field, 'output.outputTokenCount');
  const c = normalizeBedrockRecord({ ...base, input: { cacheWriteInputTokenCount: 'x' } }, ctx);
  assert.equal(c.ok ? '' : c.field, 'input.cacheWriteInputTokenCount');
});

test('requestMetadata is a flat map of strings: other values are rejected, naming the key', () => {
  const base = examples[8];
  const e = ok(normalizeBedrockRecord({ ...base, requestMetadata: { tenant_id: 'tenant-1', app: 'A' } }, ctx));
  assert.deepEqual(e.requestMetadata, { tenant_id: 'tenant-1', app: 'A' });
  assert.ok(e.fieldNames.includes('requestMetadata.tenant_id'));
  for (const [md, field] of [
    [{ a: 'x', b: 1 }, 'requestMetadata.b'],
    [{ a: { nested: 'x' } }, 'requestMetadata.a'],
    [{ a: null }, 'requestMetadata.a'],
    [['x'], 'requestMetadata'],
    ['x', 'requestMetadata'],
  ] as const) {
    const r = normalizeBedrockRecord({ ...base, requestMetadata: md }, ctx);
    assert.equal(r.ok, false, JSON.stringify(md));
    if (!r.ok) assert.equal(r.field, field);
  }
  assert.equal(ok(normalizeBedrockRecord({ ...base, requestMetadata: null }, ctx)).requestMetadata, null);
});

test('structural checks name the field: strings, objects, required fields, schemaType', () => {
  const base = examples[8];
  const cases: [Rec, string][] = [
    [{ ...base, accountId: 123456789012 }, 'accountId'],
    [{ ...base, errorCode: 5 }, 'errorCode'],
    [{ ...base, operation: '' }, 'operation'],
    [{ ...base, modelId: undefined }, 'modelId'],
    [{ ...base, identity: 'arn' }, 'identity'],
    [{ ...base, identity: { arn: 5 } }, 'identity.arn'],
    [{ ...base, input: [] }, 'input'],
    [{ ...base, schemaType: 'Other' }, 'schemaType'],
    [{ ...base, timestamp: undefined }, 'timestamp'],
  ];
  for (const [rec, field] of cases) {
    const r = normalizeBedrockRecord(rec, ctx);
    assert.equal(r.ok ? '(stored)' : r.field, field);
  }
  for (const notObject of [null, 5, 'x', [examples[8]]]) {
    const r = normalizeBedrockRecord(notObject, ctx);
    assert.equal(r.ok, false);
  }
  const err = ok(
    normalizeBedrockRecord({ ...base, errorCode: 'ResourceNotFoundException', input: {}, output: {} }, ctx),
  );
  assert.equal(err.errorCode, 'ResourceNotFoundException');
  assert.equal(err.inputTokens, null);
});

test('timestamps: RFC 3339 UTC only, fractions truncated to ms, impossible dates rejected', () => {
  assert.equal(parseRfc3339Utc('2026-04-19T13:28:51Z'), Date.UTC(2026, 3, 19, 13, 28, 51));
  assert.equal(parseRfc3339Utc('2026-04-19T13:28:51.1Z'), Date.UTC(2026, 3, 19, 13, 28, 51, 100));
  assert.equal(parseRfc3339Utc('2026-04-19T13:28:51.123456Z'), Date.UTC(2026, 3, 19, 13, 28, 51, 123));
  assert.equal(parseRfc3339Utc('2024-02-29T00:00:00Z'), Date.UTC(2024, 1, 29));
  for (const bad of [
    '2025-04-99T23:00:17Z',
    '2025-02-29T00:00:00Z',
    '2026-04-19T24:00:00Z',
    '2026-04-19 13:28:51Z',
    '2026-04-19T13:28:51',
    '2026-04-19T13:28:51+02:00',
    'xxxxxxxxxxxx',
    '1969-12-31T23:59:59Z',
    '2026-13-01T00:00:00Z',
  ]) {
    assert.equal(parseRfc3339Utc(bad), null, bad);
  }
  // Days are remembered once parsed: every time of every day of a leap year, a bad day asked twice.
  for (let day = 0; day < 366; day++) {
    const d = new Date(Date.UTC(2024, 0, 1) + day * 86_400_000).toISOString().slice(0, 10);
    for (const [h, m, sec] of [
      [0, 0, 0],
      [23, 59, 59],
      [13, 7, 42],
    ]) {
      const t = `${d}T${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}.5Z`;
      assert.equal(parseRfc3339Utc(t), Date.parse(t), t);
    }
  }
  assert.equal(parseRfc3339Utc('2023-02-29T10:00:00Z'), null);
  assert.equal(parseRfc3339Utc('2023-02-29T11:00:00Z'), null);
  assert.equal(parseRfc3339Utc('2024-02-29T25:00:00Z'), null);
  // A CloudWatch export's event timestamp is @timestamp.
  assert.equal(ok(normalizeBedrockRecord(examples[8], { ...ctx, eventTimestamp: 42 })).timestamp, 42);
});

test('field discovery: dots, .0. array segments, booleans count, null/{}/[] do not, @ doubled', () => {
  const names = fieldNamesOf({ a: { b: 1, c: [{ d: 'x' }, 2] }, t: true, f: false, n: null, e: {}, l: [], '@x': 1 });
  assert.deepEqual(names.sort(), ['@@x', 'a.b', 'a.c.0.d', 'a.c.1', 'f', 't'].sort());
});

test('normalizeLogEvent: Bedrock messages become Bedrock events, anything else generic', () => {
  const msg = JSON.stringify(examples[3]);
  const b = normalizeLogEvent({ logGroup: '/g', logStream: 's', timestamp: 1000, message: msg, ingestionTime: 2000 });
  assert.equal(b.kind, 'bedrock');
  assert.equal(b.timestamp, 1000);
  assert.equal(b.ingestionTime, 2000);
  assert.equal(b.eventKey, examples[3].requestId);
  assert.equal(b.inputTokens, 255);
  assert.ok(!b.message.includes('inputBodyJson'));
  assert.ok(
    normalizeLogEvent(
      { logGroup: '/g', logStream: 's', timestamp: 1, message: msg },
      { keepBodies: true },
    ).message.includes('inputBodyJson'),
  );
  const t = normalizeLogEvent({ logGroup: '/g', logStream: 's', timestamp: 5, message: 'START RequestId: abc' });
  assert.equal(t.kind, 'generic');
  assert.deepEqual(t.fieldNames, []);
  assert.equal(t.message, 'START RequestId: abc');
  assert.equal(t.operation, null);
  assert.equal(t.eventKey, 'h:' + createHash('md5').update('s\n5\nSTART RequestId: abc').digest('hex'));
  const j = normalizeLogEvent({
    logGroup: '/g',
    logStream: 's',
    timestamp: 5,
    message: '{"level":"info","ctx":{"user":"u1"},"ok":true}',
    eventKey: 'k1',
  });
  assert.equal(j.kind, 'generic');
  assert.equal(j.eventKey, 'k1');
  assert.deepEqual([...j.fieldNames].sort(), ['ctx.user', 'level', 'ok']);
  // A Bedrock-looking message that fails validation is still kept (as a generic event).
  const bad = normalizeLogEvent({ logGroup: '/g', logStream: 's', timestamp: 5, message: JSON.stringify(examples[6]) });
  assert.equal(bad.kind, 'generic');
});

test('a pushed Bedrock message is stored as received, bodies cut down in the text: spacing, 1.50 and \\u escapes kept', () => {
  const body = '"inputBodyJson": {"messages": [{"role": "user", "content": "secret \\"prompt\\""}]}, ';
  const cut = '"inputBodyJson": {"messages":[{"role":"user"}]}, ';
  const text = `{ "schemaType": "ModelInvocationLog", "timestamp": "2026-11-01T10:00:00Z", "requestId": "r-text",
    "operation": "Converse", "modelId": "amazon.nova-lite-v1:0", "price": 1.50, "note": "caf\\u00e9",
    "input": { "inputContentType": "application/json", ${body}"inputTokenCount": 3 }, "output": { "outputTokenCount": 4 } }`;
  const e = normalizeLogEvent({ logGroup: 'g', logStream: 's', timestamp: 1, message: `${text}\n` });
  assert.equal(e.kind, 'bedrock');
  assert.equal(e.message, text.replace(body, cut));
  assert.doesNotMatch(e.message, /secret/);
  assert.equal(e.inputTokens, 3);
  // Kept bodies: the text itself.
  assert.equal(
    normalizeLogEvent({ logGroup: 'g', logStream: 's', timestamp: 1, message: text }, { keepBodies: true }).message,
    text,
  );
  // Without the text (a record built in code), the record is serialised.
  const r = normalizeBedrockRecord(JSON.parse(text), { logGroup: 'g' });
  assert.ok(r.ok);
  assert.equal(
    r.event.message,
    JSON.stringify({
      ...JSON.parse(text),
      input: {
        inputContentType: 'application/json',
        inputBodyJson: { messages: [{ role: 'user' }] },
        inputTokenCount: 3,
      },
    }),
  );
});
