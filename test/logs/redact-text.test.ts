import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { redactBodiesText } from '../../src/logs/redact-text.js';
import { redactBodies } from '../../src/logs/bodies.js';
import { LOG_EXAMPLES } from '../fixtures/paths.js';

const examples: Record<string, unknown>[] = readFileSync(LOG_EXAMPLES, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l).record);

test('on compact records it gives exactly JSON.stringify(redactBodies(record))', () => {
  for (const r of examples) assert.equal(redactBodiesText(JSON.stringify(r)), JSON.stringify(redactBodies(r)));
  const cases: Record<string, unknown>[] = [
    { input: { inputBodyJson: { a: '"}{[' } } },
    {
      input: { x: 1, inputBodyJson: [1, { y: '\\"' }], z: 2 },
      output: { outputBodyJson: 'text', outputTokenCount: 3 },
    },
    { output: { outputBodyJson: null } },
    { a: 'inputBodyJson"', input: { inputTokenCount: 1 } },
    { nested: { input: { inputBodyJson: 1 } }, input: { inputBodyJson: 2 } },
  ];
  for (const r of cases)
    assert.equal(redactBodiesText(JSON.stringify(r)), JSON.stringify(redactBodies(r)), JSON.stringify(r));
});

test('on pretty text it keeps the rest byte for byte and removes only the bodies', () => {
  const pretty = JSON.stringify(examples[0], null, 2);
  const out = redactBodiesText(pretty) ?? '';
  assert.deepEqual(JSON.parse(out), redactBodies(examples[0]));
  assert.ok(pretty.startsWith(out.slice(0, 40)));
  assert.equal(redactBodiesText('{ "input" : { "inputBodyJson" : {"q":1} , "k": 2 } }'), '{ "input" : { "k": 2 } }');
});

test('a body that cannot be followed or is not JSON gives null (the record is rejected, never stored with it)', () => {
  for (const bad of [
    '{"input":{"inputBodyJson":{',
    '{"input":{"inputBodyJson":1}',
    '{"input":{"inputBodyJson":{"a":NaN}}}',
    '{"output":{"outputBodyJson":[1,2,]}}',
  ]) {
    assert.equal(redactBodiesText(bad), null, bad);
  }
  // Not an object, or no body: unchanged (the normaliser judges it).
  for (const other of ['not json "inputBodyJson"', '[{"input":{"inputBodyJson":1}}]', '{"a":"inputBodyJson\\""}'])
    assert.equal(redactBodiesText(other), other);
});

test('property: for any JSON object, the result parses to stripBodies of it', () => {
  const body = fc.jsonValue({ maxDepth: 3 });
  fc.assert(
    fc.property(
      fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
      fc.option(fc.record({ inputBodyJson: body, n: fc.nat() }, { requiredKeys: [] })),
      fc.option(fc.record({ outputTokenCount: fc.nat(), outputBodyJson: body }, { requiredKeys: [] })),
      (rest, input, output) => {
        const r: Record<string, unknown> = { ...rest };
        if (input) r.input = input;
        if (output) r.output = output;
        const text = JSON.stringify(r);
        assert.equal(redactBodiesText(text), JSON.stringify(redactBodies(JSON.parse(text) as Record<string, unknown>)));
      },
    ),
    { seed: 7, numRuns: 500 },
  );
});

test('a body key spelled with escapes is still reduced (JSON readers decode it to inputBodyJson)', () => {
  const t =
    '{"timestamp":"2026-01-01T00:00:00Z","input":{"inputBody\\u004Ason":{"messages":[{"role":"user","content":[{"text":"SECRET"}]}]}}}';
  assert.ok(Object.hasOwn(JSON.parse(t).input, 'inputBodyJson'));
  const out = redactBodiesText(t);
  assert.ok(out !== null && !out.includes('SECRET'), String(out));
  assert.deepEqual(JSON.parse(out), {
    timestamp: '2026-01-01T00:00:00Z',
    input: { inputBodyJson: { messages: [{ role: 'user' }] } },
  });
});

// The normaliser hands over the bodies it has already reduced from the parsed record (issue 12:
// they were parsed and reduced twice); the result must not depend on it.
test('given the reduced record, the text is the same as when its bodies are parsed again, also when a part or body is named twice', () => {
  const same = (text: string): void => {
    const reduced = redactBodies(JSON.parse(text) as Record<string, unknown>);
    assert.equal(redactBodiesText(text, reduced), redactBodiesText(text), text);
  };
  for (const r of examples) {
    same(JSON.stringify(r));
    same(JSON.stringify(r, null, 2));
  }
  const secret = '{"messages":[{"role":"user","content":[{"text":"SECRET"}]}],"max_tokens":5}';
  for (const t of [
    `{"input":{"inputBodyJson":${secret},"inputBodyJson":{"max_tokens":7}}}`,
    `{"input":{"inputBodyJson":{"max_tokens":7},"inputBodyJson":${secret}}}`,
    `{"input":{"inputBodyJson":${secret}},"input":{"inputTokenCount":3}}`,
    `{"input":{"inputTokenCount":3},"input":{"inputBodyJson":${secret}}}`,
    `{"output":{"outputBodyJson":[{"type":"message_stop"}]},"output":{"outputBodyJson":{"stopReason":"end_turn"}}}`,
    '{ "input" : { "inputBodyJson" : {"q":1} , "k": 2 } }',
    // The body's name elsewhere too, or not as the key: the text is walked (see byKeys).
    `{"a":"inputBodyJson","input":{"inputBodyJson":${secret}}}`,
    `{"a\\"inputBodyJson":1,"input":{"inputBodyJson":${secret}}}`,
    `{"input":{"k":{"outputBodyJson":{"max_tokens":1}},"inputBodyJson":${secret}},"output":{"outputBodyJson":${secret}}}`,
    `{"inputBodyJson":{"max_tokens":1},"input":{"inputTokenCount":1}}`,
    `{"input":{"inputBodyJson" :${secret}}}`,
    `{"input":{"inputBodyJson":${secret} , "n":1},"output":{"n":1 ,\n "outputBodyJson":${secret}}}`,
    `{"output":{"outputBodyJson":"SECRET"},"input":{"inputBodyJson":${secret}}}`,
    `{"input":{"inputBodyJson":"\\"}SECRET"},"output":{"outputBodyJson":{"stopReason":"x"}}}`,
  ]) {
    same(t);
    assert.ok(
      !(redactBodiesText(t, redactBodies(JSON.parse(t) as Record<string, unknown>)) ?? '').includes('SECRET'),
      t,
    );
  }
  fc.assert(
    fc.property(
      fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
      fc.array(fc.constantFrom('input', 'output'), { maxLength: 3 }),
      fc.array(fc.jsonValue({ maxDepth: 3 }), { minLength: 3, maxLength: 3 }),
      (rest, parts, bodies) => {
        // Parts in any order and number, each with its body, written by hand so names can repeat.
        const members = Object.entries(rest).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`);
        parts.forEach((p, i) => members.push(`"${p}":{"${p}BodyJson":${JSON.stringify(bodies[i])},"n":${i}}`));
        same(`{${members.join(',')}}`);
      },
    ),
    { seed: 11, numRuns: 500 },
  );
});
