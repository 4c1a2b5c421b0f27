import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { Store } from '../../src/store/store.js';
import { STAGE_DDL, normalizeStage, stagedText } from '../../src/sources/sql-normalize.js';
import { normalizeBedrockRecord } from '../../src/logs/record.js';
import { fieldNamesOf } from '../../src/logs/fields.js';
import { rejectReason } from '../../src/logs/reasons.js';
import { SIG_DEEP, SIG_SEP } from '../../src/store/writer.js';
import { LOG_EXAMPLES } from '../fixtures/paths.js';

// The bulk path (SQL) and normalizeBedrockRecord (TypeScript) must store the same thing.

const examples: unknown[] = readFileSync(LOG_EXAMPLES, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l).record);

const storeP = Store.open(':memory:');
after(async () => (await storeP).close());

interface NormRow {
  [k: string]: unknown;
}

async function sqlNormalize(texts: string[], keepBodies: boolean): Promise<NormRow[]> {
  const store = await storeP;
  const c = store.connection;
  await c.run(STAGE_DDL);
  const app = await c.createAppender('stage', 'main', 'temp');
  // Every row on line 1, as the records of a compact array are: rows are told apart by rn alone.
  texts.forEach((t, i) => {
    app.appendInteger(i + 1);
    app.appendInteger(0);
    app.appendBigInt(1n);
    // As the chunk writer stages it: bodies cut down first (a body it cannot read rejects the
    // record there as malformed, as SQL does with the text), with the kept bodies' field names.
    const staged = stagedText(t, keepBodies);
    app.appendVarchar(staged?.text ?? t);
    app.appendNull();
    app.appendNull();
    app.appendNull();
    if (staged?.bodySig == null) app.appendNull();
    else app.appendVarchar(staged.bodySig);
    app.endRow();
  });
  app.closeSync();
  await normalizeStage(c, {
    logGroup: '/g',
    defaultStream: 'aws/bedrock/modelinvocations',
    ingestionTime: 7,
    keepBodies,
  });
  const r =
    await c.runAndReadAll(`SELECT ln, reject, reject_field, reject_value, log_group, log_stream, ts, ingestion_ts, event_key, account_id, region,
    inference_region, operation, model_id, identity_arn, request_id, error_code, input_tokens, output_tokens, cache_read_tokens,
    cache_write_tokens, to_json(request_metadata)::VARCHAR AS md, message, sig FROM norm ORDER BY rn`);
  return r.getRowObjectsJS();
}

const jsonOrText = (t: string): unknown => {
  try {
    return JSON.parse(t);
  } catch {
    return t;
  }
};

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

async function assertEquivalent(texts: string[], keepBodies: boolean): Promise<{ stored: number; rejected: number }> {
  const rows = await sqlNormalize(texts, keepBodies);
  const out = { stored: 0, rejected: 0 };
  assert.equal(rows.length, texts.length);
  texts.forEach((text, i) => {
    const row = rows[i];
    const label = `#${i + 1} ${text.slice(0, 160)}`;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      assert.equal(row.reject, 'malformed-json', label);
      return;
    }
    const ts = normalizeBedrockRecord(parsed, { logGroup: '/g', ingestionTime: 7, keepBodies });
    if (!ts.ok) {
      out.rejected++;
      assert.notEqual(row.reject, null, `${label}: TS rejects (${ts.reason}), SQL stores`);
      assert.equal(row.reject, ts.code, label);
      assert.equal(row.reject_field ?? undefined, ts.field, label);
      // The value named in the reason: the same value (DuckDB writes some numbers and escapes its own way).
      const v = (row.reject_value as string | null) ?? undefined;
      assert.equal(v === undefined, ts.value === undefined, `${label}: value ${v} / ${ts.value}`);
      if (v !== undefined && ts.value !== undefined) assert.deepEqual(jsonOrText(v), jsonOrText(ts.value), label);
      assert.equal(
        rejectReason(String(row.reject), (row.reject_field as string | null) ?? undefined, ts.value),
        ts.reason,
        label,
      );
      return;
    }
    out.stored++;
    const compact = text === JSON.stringify(parsed);
    // DuckDB writes non-integral numbers its own way (1e+156 as 1e156) when it re-serialises a
    // record whose bodies it stripped: the same JSON, another text (documented in sql-normalize.ts).
    const floats = /\d[eE][+-]?\d|\d\.\d/.test(text);
    // A record without requestId is keyed by a hash of its stored message, which is the text as
    // delivered: only compact input (as Bedrock writes it) gives the same key on both paths.
    const e = (compact && !floats) || ts.event.requestId ? ts.event : { ...ts.event, eventKey: String(row.event_key) };
    assert.equal(
      row.reject,
      null,
      `${label}: SQL rejects (${String(row.reject)} ${String(row.reject_field)}), TS stores`,
    );
    assert.deepEqual(
      {
        log_group: row.log_group,
        log_stream: row.log_stream,
        ts: num(row.ts),
        ingestion_ts: num(row.ingestion_ts),
        event_key: row.event_key,
        account_id: row.account_id,
        region: row.region,
        inference_region: row.inference_region,
        operation: row.operation,
        model_id: row.model_id,
        identity_arn: row.identity_arn,
        request_id: row.request_id,
        error_code: row.error_code,
        tokens: [
          num(row.input_tokens),
          num(row.output_tokens),
          num(row.cache_read_tokens),
          num(row.cache_write_tokens),
        ],
        md: row.md === null ? null : JSON.parse(String(row.md)),
      },
      {
        log_group: e.logGroup,
        log_stream: e.logStream,
        ts: e.timestamp,
        ingestion_ts: e.ingestionTime,
        event_key: e.eventKey,
        account_id: e.accountId,
        region: e.region,
        inference_region: e.inferenceRegion,
        operation: e.operation,
        model_id: e.modelId,
        identity_arn: e.identityArn,
        request_id: e.requestId,
        error_code: e.errorCode,
        tokens: [e.inputTokens, e.outputTokens, e.cacheReadTokens, e.cacheWriteTokens],
        md: e.requestMetadata,
      },
      label,
    );
    // Compact input (as Bedrock writes it): the stored message is the same text.
    if (compact && !floats) assert.equal(row.message, e.message, label);
    else assert.deepEqual(JSON.parse(String(row.message)), JSON.parse(e.message), label);
    const sig = String(row.sig);
    const sqlFields = sig.includes(SIG_DEEP)
      ? fieldNamesOf(JSON.parse(String(row.message)))
      : sig === ''
        ? []
        : sig.split(SIG_SEP);
    assert.deepEqual([...new Set(sqlFields)].sort(), [...e.fieldNames].sort(), label);
  });
  return out;
}

/** An object nested `levels` deep below the one holding it. */
function nested(levels: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < levels; i++) v = i % 2 ? { k: v } : [v];
  return v;
}

test('SQL and TypeScript normalisers agree on every real example record', async () => {
  const texts = examples.map((r) => JSON.stringify(r));
  const a = await assertEquivalent(texts, false);
  await assertEquivalent(texts, true);
  // The sample must exercise both outcomes, or it proves little.
  assert.deepEqual(a, { stored: 7, rejected: 3 });
});

test('they agree on malformed and unusual records', async () => {
  const base = examples[8] as Record<string, unknown>;
  const texts = [
    '{bad',
    '[1,2]',
    '5',
    '"x"',
    '{}',
    'null',
    JSON.stringify({ ...base, accountId: 5 }),
    JSON.stringify({ ...base, requestId: '' }),
    JSON.stringify({ ...base, requestId: null }),
    JSON.stringify({ ...base, operation: '' }),
    JSON.stringify({ ...base, identity: [] }),
    JSON.stringify({ ...base, identity: { arn: true } }),
    JSON.stringify({ ...base, schemaType: 'X' }),
    JSON.stringify({ ...base, timestamp: 5 }),
    JSON.stringify({ ...base, timestamp: '2026-02-30T00:00:00Z' }),
    JSON.stringify({ ...base, timestamp: '2026-02-28T23:59:59.98765Z' }),
    JSON.stringify({ ...base, requestMetadata: { a: 'x\\"y', 'k.k': 'é✓' } }),
    JSON.stringify({ ...base, requestMetadata: { a: 1 } }),
    JSON.stringify({ ...base, requestMetadata: {} }),
    JSON.stringify({ ...base, '@odd': 'v', extra: { deep: [1, { x: null }] }, nul: null, emptyO: {}, emptyA: [] }),
    JSON.stringify({
      ...base,
      input: { inputTokenCount: -0, inputBodyJson: null },
      output: { outputBodyJson: [1, 2], outputTokenCount: 9007199254740991 },
    }),
    '{"timestamp":"2026-01-01T00:00:00Z","operation":"Converse","modelId":"m","input":{"inputTokenCount":5.0,"cacheReadInputTokenCount":1e3}}',
    '{"timestamp":"2026-01-01T00:00:00Z","operation":"Converse","modelId":"m","input":{"inputTokenCount":5.5}}',
    '{"timestamp":"2026-01-01T00:00:00Z","operation":"Converse","modelId":"m","output":{"outputTokenCount":9007199254740993}}',
    '{ "timestamp" : "2026-01-01T00:00:00Z", "operation": "Converse", "modelId": "m\\u00e9", "input": {"inputBodyJson": {"q": 1}} }',
    // A boolean is no token count (DuckDB casts true to 1: campaign F14), nor an array or a string.
    JSON.stringify({ ...base, input: { inputTokenCount: true } }),
    JSON.stringify({ ...base, input: { inputTokenCount: false } }),
    JSON.stringify({ ...base, output: { outputTokenCount: [5] } }),
    JSON.stringify({ ...base, input: { cacheReadInputTokenCount: '5' } }),
    // Not a record: a wrapper (as the example file's lines are), an empty-ish object.
    JSON.stringify({ source: 's', notes: 'n', record: base }),
    JSON.stringify({ a: 1, b: null }),
    JSON.stringify({
      ...base,
      timestamp: undefined,
      operation: undefined,
      modelId: undefined,
      requestId: undefined,
      schemaType: undefined,
    }),
    JSON.stringify({ ...base, timestamp: undefined }),
    // Values named in reasons: long, quoted, escaped.
    JSON.stringify({ ...base, timestamp: 'x'.repeat(300) }),
    JSON.stringify({ ...base, accountId: { nested: ['a "q"'] } }),
    JSON.stringify({ ...base, requestMetadata: { ok: 'x', bad: null } }),
    JSON.stringify({ ...base, requestMetadata: { bad: { o: 1 } } }),
    JSON.stringify({ ...base, input: 'a prompt, never shown' }),
    JSON.stringify({ ...base, identity: 5 }),
    // Depth: 256 levels is a record, 257 is not (MAX_JSON_DEPTH), in arrays or objects.
    JSON.stringify({ ...base, nest: nested(255) }),
    JSON.stringify({ ...base, nest: nested(256) }),
    JSON.stringify({ ...base, input: { inputTokenCount: 1, deep: nested(4000) } }),
    JSON.stringify({ ...base, nest: '['.repeat(500) }),
    '{"timestamp":"2026-01-01T00:00:00Z","operation":"Converse","modelId":"m","nest":' +
      '['.repeat(300) +
      ']'.repeat(300) +
      '}',
  ];
  const a = await assertEquivalent(texts, false);
  await assertEquivalent(texts, true);
  // The sample must exercise both outcomes, or it proves little.
  assert.ok(a.stored >= 8 && a.rejected >= 25, JSON.stringify(a));
  const outcome = (r: unknown): string => {
    const n = normalizeBedrockRecord(r, { logGroup: '/g' });
    return n.ok ? 'ok' : n.code;
  };
  assert.equal(outcome({ ...base, nest: nested(255) }), 'ok', '256 levels deep is a record');
  assert.equal(outcome({ ...base, nest: nested(256) }), 'too-deep', '257 levels is not');
  assert.equal(outcome({ ...base, input: { inputTokenCount: true } }), 'token');
  assert.equal(outcome({ source: 's', notes: 'n', record: base }), 'not-record');
  const wrapped = normalizeBedrockRecord({ source: 's', notes: 'n', record: base }, { logGroup: '/g' });
  assert.ok(!wrapped.ok && /top-level keys: source, notes, record/.test(wrapped.reason));
  const badTs = normalizeBedrockRecord({ ...base, timestamp: '2025-04-99T23:00:17Z' }, { logGroup: '/g' });
  assert.ok(!badTs.ok && badTs.reason.endsWith('; got "2025-04-99T23:00:17Z"'), !badTs.ok ? badTs.reason : '');
  const prompt = normalizeBedrockRecord({ ...base, input: 'a prompt, never shown' }, { logGroup: '/g' });
  assert.ok(!prompt.ok && !prompt.reason.includes('prompt') && prompt.reason.includes('a string'));
});

test('they agree on generated records (property test, fixed seed)', async () => {
  // Mostly valid values, with a few wrong types, so that both outcomes are common.
  const rare = <T>(a: fc.Arbitrary<T>) => ({ arbitrary: a, weight: 1 });
  const str = fc.oneof(
    { arbitrary: fc.constant(undefined), weight: 10 },
    { arbitrary: fc.string({ maxLength: 8 }), weight: 40 },
    rare(fc.constant(null)),
    rare(fc.integer()),
    rare(fc.boolean()),
    rare(fc.constant({ a: 1 })),
  );
  const tok = fc.oneof(
    { arbitrary: fc.constant(undefined), weight: 10 },
    { arbitrary: fc.nat({ max: 100000 }), weight: 40 },
    rare(fc.constant(null)),
    rare(fc.integer({ min: -5, max: -1 })),
    rare(fc.double({ noNaN: true, noDefaultInfinity: true })),
    rare(fc.constant('7')),
  );
  const ts = fc.oneof(
    fc
      .date({ min: new Date('1971-01-01'), max: new Date('2099-01-01'), noInvalidDate: true })
      .map((d) => d.toISOString()),
    fc.date({ min: new Date('1971-01-01'), max: new Date('2099-01-01'), noInvalidDate: true }).map((d) =>
      d
        .toISOString()
        .replace('.000Z', 'Z')
        .replace(/\.\d+Z$/, 'Z'),
    ),
    rare(fc.constantFrom('2025-04-99T23:00:17Z', 'xxxx', '2026-01-01T00:00:00', '2026-01-01T00:00:00.1234567Z')),
  );
  const md = fc.oneof(
    fc.constant(undefined),
    fc.constant(null),
    { arbitrary: fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 4 }), weight: 8 },
    rare(
      fc.dictionary(fc.string({ maxLength: 3 }), fc.oneof(fc.string(), fc.integer(), fc.constant(null)), {
        maxKeys: 3,
      }),
    ),
    rare(fc.constant(['a'])),
  );
  const rec = fc.record(
    {
      timestamp: ts,
      accountId: str,
      region: str,
      requestId: fc.oneof(str, fc.uuid()),
      operation: fc.oneof({ arbitrary: fc.constantFrom('Converse', 'InvokeModel'), weight: 30 }, rare(str)),
      modelId: fc.oneof({ arbitrary: fc.constant('amazon.nova-lite-v1:0'), weight: 30 }, rare(str)),
      inferenceRegion: str,
      errorCode: str,
      identity: fc.oneof(
        fc.constant(undefined),
        { arbitrary: fc.record({ arn: str }), weight: 5 },
        rare(fc.constant('x')),
      ),
      input: fc.oneof(
        fc.constant(undefined),
        fc.record(
          {
            inputContentType: fc.constant('application/json'),
            inputTokenCount: tok,
            cacheReadInputTokenCount: tok,
            cacheWriteInputTokenCount: tok,
            inputBodyJson: fc.oneof(fc.constant(undefined), fc.constant({ messages: [{ role: 'user' }] })),
          },
          { requiredKeys: [] },
        ),
      ),
      output: fc.oneof(
        fc.constant(undefined),
        fc.record(
          { outputTokenCount: tok, outputBodyJson: fc.oneof(fc.constant(undefined), fc.constant([{ a: true }])) },
          { requiredKeys: [] },
        ),
      ),
      requestMetadata: md,
      schemaType: fc.oneof(
        { arbitrary: fc.constantFrom(undefined, 'ModelInvocationLog'), weight: 20 },
        rare(fc.constant('Nope')),
      ),
      extra: fc.oneof(fc.constant(undefined), fc.jsonValue({ maxDepth: 2 })),
    },
    { requiredKeys: [] },
  );
  const records = fc.sample(rec, { numRuns: 400, seed: 20261127 });
  const texts = records.map((r) => JSON.stringify(r)).filter((t) => t !== undefined);
  const a = await assertEquivalent(texts, false);
  await assertEquivalent(texts, true);
  // The sample must exercise both outcomes, or it proves little.
  assert.ok(a.stored >= 60 && a.rejected >= 60, JSON.stringify(a));
});

test('kept bodies are named by the redaction, and the cases it cannot name exactly fall back to flattening', async () => {
  const base = examples[8] as Record<string, unknown>;
  const usage = (u: Record<string, unknown>): string =>
    JSON.stringify({
      ...base,
      input: { inputTokenCount: 3, inputBodyJson: { messages: [{ role: 'user', content: [{ text: 'secret' }] }] } },
      output: { outputTokenCount: 2, outputBodyJson: { stopReason: 'end_turn', usage: u } },
    });
  const named = usage({ inputTokens: 3, outputTokens: 2 });
  const sep = usage({ 'a\u001fb': 1 }); // a name holding the signature's separator
  const at = usage({ '@x': 1 }); // '@' only doubles at the top of a record
  let deep: unknown = 1;
  for (let i = 0; i < 40; i++) deep = { k: deep };
  const deepBody = usage({ d: deep });
  const twice = named.replace('"outputBodyJson":', '"outputBodyJson":{"stopReason":"x"},"outputBodyJson":');
  const texts = [named, sep, at, deepBody, twice];
  const staged = texts.map((t) => stagedText(t, false));
  assert.ok(staged[0]?.bodySig?.split(SIG_SEP).includes('output.outputBodyJson.usage.inputTokens'));
  assert.ok(!staged[0]?.bodySig?.includes('secret') && !staged[0]?.bodySig?.includes('.text'));
  assert.equal(staged[1]?.bodySig, null);
  assert.ok(staged[2]?.bodySig?.split(SIG_SEP).includes('output.outputBodyJson.usage.@x'));
  assert.equal(staged[3]?.bodySig, null);
  assert.equal(staged[4]?.bodySig, null);
  assert.equal(stagedText(named, true)?.bodySig, null);
  // The signature SQL builds from them names what the TypeScript normaliser finds (checked inside).
  await assertEquivalent(texts.slice(0, 4), false);
  const rows = await sqlNormalize([named], false);
  assert.ok(!String(rows[0].sig).includes(SIG_DEEP), 'a record with a kept body is no longer flattened again');
});
