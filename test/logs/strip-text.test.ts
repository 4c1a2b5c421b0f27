import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { stripBodiesText } from '../../src/logs/strip-text.js';
import { stripBodies } from '../../src/logs/record.js';
import { LOG_EXAMPLES } from '../fixtures/paths.js';

const examples: Record<string, unknown>[] = readFileSync(LOG_EXAMPLES, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l).record);

test('on compact records it gives exactly JSON.stringify(stripBodies(record))', () => {
  for (const r of examples) assert.equal(stripBodiesText(JSON.stringify(r)), JSON.stringify(stripBodies(r)));
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
    assert.equal(stripBodiesText(JSON.stringify(r)), JSON.stringify(stripBodies(r)), JSON.stringify(r));
});

test('on pretty text it keeps the rest byte for byte and removes only the bodies', () => {
  const pretty = JSON.stringify(examples[0], null, 2);
  const out = stripBodiesText(pretty);
  assert.deepEqual(JSON.parse(out), stripBodies(examples[0]));
  assert.ok(pretty.startsWith(out.slice(0, 40)));
  assert.equal(stripBodiesText('{ "input" : { "inputBodyJson" : {"q":1} , "k": 2 } }'), '{ "input" : { "k": 2 } }');
});

test('malformed text is returned unchanged', () => {
  for (const bad of [
    '{"input":{"inputBodyJson":{',
    '{"input":{"inputBodyJson":1}',
    'not json "inputBodyJson"',
    '[{"input":{"inputBodyJson":1}}]',
  ]) {
    assert.equal(stripBodiesText(bad), bad);
  }
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
        assert.equal(stripBodiesText(text), JSON.stringify(stripBodies(JSON.parse(text) as Record<string, unknown>)));
      },
    ),
    { seed: 7, numRuns: 500 },
  );
});
