import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { MAX_KEPT_STRING, redactBodies, redactBody } from '../../src/logs/bodies.js';
import { redactBodiesText } from '../../src/logs/redact-text.js';
import { normalizeLogEvent } from '../../src/logs/record.js';
import { ingestPaths } from '../../src/sources/ingest.js';
import { Store } from '../../src/store/store.js';
import { LOG_EXAMPLES } from '../fixtures/paths.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
interface Shape {
  name: string;
  operation: string;
  input: Json;
  output: Json;
  keeps: string[];
}

const SHAPES = (
  JSON.parse(readFileSync(new URL('../fixtures/bedrock-body-shapes.json', import.meta.url), 'utf8')) as {
    shapes: Shape[];
  }
).shapes;

/** The shape with a distinct secret in every text slot ($TEXT) and every number of the text ($SECRET_NUMBER). */
function plant(v: Json, texts: string[], secrets: string[]): Json {
  if (v === '$TEXT') {
    const s = `SECRET${secrets.length}_${texts[secrets.length % texts.length]}`;
    secrets.push(s);
    return s;
  }
  if (v === '$SECRET_NUMBER') {
    const n = 987_650_000_000 + secrets.length;
    secrets.push(String(n));
    return n;
  }
  if (Array.isArray(v)) return v.map((x) => plant(x, texts, secrets));
  if (v !== null && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plant(x, texts, secrets)]));
  return v;
}

function record(shape: Shape, input: Json, output: Json, id: string): Record<string, unknown> {
  return {
    schemaType: 'ModelInvocationLog',
    schemaVersion: '1.0',
    timestamp: '2026-11-01T10:00:00Z',
    accountId: '123456789012',
    region: 'us-east-1',
    requestId: id,
    operation: shape.operation,
    modelId: 'anthropic.claude-3-haiku-20240307-v1:0',
    input: { inputContentType: 'application/json', inputBodyJson: input, inputTokenCount: 30 },
    output: { outputContentType: 'application/json', outputBodyJson: output, outputTokenCount: 12 },
  };
}

function at(v: unknown, path: string): unknown {
  let cur = v;
  for (const k of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

function assertNoSecret(where: string, text: string, secrets: string[]): void {
  for (const s of secrets) assert.ok(!text.includes(s), `${where}: ${s.slice(0, 40)} survived`);
}

function assertKeeps(shape: Shape, kept: Record<string, unknown>): void {
  const body = { input: at(kept, 'input.inputBodyJson'), output: at(kept, 'output.outputBodyJson') };
  for (const p of shape.keeps) {
    const v = at(body, p);
    assert.ok(v !== undefined && v !== null && typeof v !== 'object', `${shape.name}: ${p} was not kept`);
  }
}

// Text that tries to escape: quotes, backslashes, braces, JSON inside text, line ends, unicode.
const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom('"}]}', '\\"', '{"stopReason":"x"}', 'line\nbreak', 'é\u2028\u0000', 'end_turn', 'a'.repeat(300)),
);

test('property: no prompt or response text survives, in any shape, on the PutLogEvents and the file path; latency, stop reason and usage do', () => {
  fc.assert(
    fc.property(fc.array(text, { minLength: 1, maxLength: 8 }), fc.boolean(), (texts, pretty) => {
      for (const shape of SHAPES) {
        const secrets: string[] = [];
        const r = record(shape, plant(shape.input, texts, secrets), plant(shape.output, texts, secrets), 'req-1');
        const json = pretty ? JSON.stringify(r, null, 2) : JSON.stringify(r);
        // PutLogEvents: the TypeScript normaliser, message and discovered fields.
        const e = normalizeLogEvent({ logGroup: '/g', logStream: 's', timestamp: 1, message: json });
        assert.equal(e.kind, 'bedrock', shape.name);
        assertNoSecret(`${shape.name} (@message)`, e.message, secrets);
        assertNoSecret(`${shape.name} (fields)`, e.fieldNames.join('\n'), secrets);
        assertKeeps(shape, JSON.parse(e.message) as Record<string, unknown>);
        // Files, S3, CloudWatch: the text cut before staging, byte for byte the object rule on compact text.
        const cut = redactBodiesText(json);
        assert.ok(cut !== null, shape.name);
        assertNoSecret(`${shape.name} (text)`, cut, secrets);
        if (!pretty) assert.equal(cut, JSON.stringify(redactBodies(r)), shape.name);
      }
    }),
    { seed: 18, numRuns: 60 },
  );
});

test('the real records of the fixtures: every string of their bodies but the enum values is gone', () => {
  const ENUMS = new Set(['role', 'stopReason', 'stop_reason', 'completionReason', 'anthropic_version']);
  const examples = readFileSync(LOG_EXAMPLES, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { record: Record<string, unknown> }).record);
  const secrets: string[] = [];
  const mark = (v: unknown, key: string): unknown => {
    if (typeof v === 'string') {
      if (ENUMS.has(key)) return v;
      const s = `REALSECRET${secrets.length}`;
      secrets.push(s);
      return s;
    }
    if (Array.isArray(v)) return v.map((x) => mark(x, key));
    if (v !== null && typeof v === 'object')
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, mark(x, k)]));
    return v;
  };
  let bodies = 0;
  for (const r of examples) {
    const input = r.input as Record<string, unknown> | undefined;
    const output = r.output as Record<string, unknown> | undefined;
    if (input?.inputBodyJson !== undefined) input.inputBodyJson = mark(input.inputBodyJson, '');
    if (output?.outputBodyJson !== undefined) output.outputBodyJson = mark(output.outputBodyJson, '');
    if (input?.inputBodyJson !== undefined || output?.outputBodyJson !== undefined) bodies++;
    const cut = redactBodiesText(JSON.stringify(r));
    assert.ok(cut !== null);
    assertNoSecret(String(r.requestId), cut, secrets);
  }
  assert.ok(bodies >= 8 && secrets.length > 10, `${bodies} records with bodies, ${secrets.length} strings planted`);
  // And what the real ones say about the call stays.
  const first = JSON.parse(redactBodiesText(JSON.stringify(examples[0])) ?? '') as Record<string, unknown>;
  assert.equal(at(first, 'output.outputBodyJson.metrics.latencyMs'), 302);
  assert.equal(at(first, 'output.outputBodyJson.stopReason'), 'end_turn');
  assert.equal(at(first, 'output.outputBodyJson.usage.totalTokens'), 42);
});

test('kept strings are short; a long one in a kept slot is text, and dropped; a hostile nesting keeps nothing deep', () => {
  assert.deepEqual(redactBody({ stopReason: 'x'.repeat(MAX_KEPT_STRING + 1), metrics: { latencyMs: 5 } }, 'output'), {
    metrics: { latencyMs: 5 },
  });
  assert.equal(redactBody('a whole body that is text', 'input'), undefined);
  assert.equal(redactBody({ messages: 'text' }, 'input'), undefined);
  let deep: unknown = { action: 'BLOCKED' };
  for (let i = 0; i < 5000; i++) deep = { x: deep };
  const kept = redactBody({ trace: { guardrail: deep }, stopReason: 'guardrail_intervened' }, 'output');
  assert.deepEqual(kept, { stopReason: 'guardrail_intervened' });
});

test('through a real ingest: the store holds no planted text, and latency, stop reason and usage are fields', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bi-bodies-'));
  const store = await Store.open(':memory:');
  try {
    const secrets: string[] = [];
    const lines = SHAPES.map((s, i) =>
      JSON.stringify(
        record(s, plant(s.input, ['typed by a user'], secrets), plant(s.output, ['said by a model'], secrets), `r${i}`),
      ),
    );
    writeFileSync(join(dir, 'shapes.jsonl'), lines.join('\n') + '\n');
    const sum = await ingestPaths(store, [dir]);
    assert.equal(sum.recordsStored, SHAPES.length);
    const msgs = await store.connection.runAndReadAll(`SELECT string_agg(message, '\n') FROM events`);
    assertNoSecret('store', String(msgs.getRows()[0][0]), secrets);
    const fields = await store.connection.runAndReadAll(`SELECT string_agg(field, '\n') FROM fields`);
    const names = String(fields.getRows()[0][0]);
    assertNoSecret('catalog', names, secrets);
    for (const f of [
      'output.outputBodyJson.metrics.latencyMs',
      'output.outputBodyJson.stopReason',
      'output.outputBodyJson.usage.totalTokens',
      'output.outputBodyJson.stop_reason',
    ])
      assert.ok(names.split('\n').includes(f), f);
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
