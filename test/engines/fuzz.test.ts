/**
 * Robustness of the generated SQL: random nested expressions over fields of every kind (typed
 * Bedrock columns, JSON text, numbers, booleans, times, missing fields) must compile to SQL of
 * bounded size that DuckDB accepts and runs: a query either runs to Complete or is refused
 * with diagnostics, never fails at run time with a type error.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { withEngine, bedrock, BEDROCK_GROUP } from './helpers.js';
import { compileDuckDb } from '../../src/insights/sql/duckdb/index.js';

const atoms = [
  'x',
  'status',
  '@timestamp',
  '@message',
  'input.inputTokenCount',
  'modelId',
  '1',
  '2.5',
  '"7"',
  '"s"',
  'nope',
  'true',
  'requestMetadata.app',
];
const unary = [
  'abs',
  'ceil',
  'sqrt',
  'log',
  'toNumber',
  'toInt',
  'ispresent',
  'isNumeric',
  'messageSize',
  'isempty',
  'isblank',
  'strlen',
  'toupper',
  'trim',
  'base64encode',
  'hexToDec',
  'decToHex',
  'fromMillis',
  'toMillis',
  'jsonParse',
  'jsonStringify',
  'jsonArraySize',
  'md5',
  'isValidIp',
  'ipv4ToNumber',
  'isPrivateIP',
];
const binary = ['+', '-', '*', '/', '%', '^', '=', '!=', '<', '>=', 'and', 'or'];
const fn2 = [
  'concat',
  'coalesce',
  'greatest',
  'least',
  'round',
  'strcontains',
  'startsWith',
  'split',
  'substr',
  'jsonArrayContains',
  'isIpInSubnet',
];
const expr: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom(...atoms),
    fc.tuple(fc.constantFrom(...unary), tie('e')).map(([f, a]) => `${f}(${a})`),
    fc.tuple(tie('e'), fc.constantFrom(...binary), tie('e')).map(([a, o, b]) => `(${a} ${o} ${b})`),
    fc.tuple(fc.constantFrom(...fn2), tie('e'), tie('e')).map(([f, a, b]) => `${f}(${a}, ${b})`),
    fc.tuple(tie('e'), tie('e'), tie('e')).map(([a, b, c]) => `if(${a}, ${b}, ${c})`),
    fc.tuple(tie('e'), fc.constantFrom('1h', '1w', '1mo')).map(([a, p]) => `datefloor(${a}, ${p})`),
    fc.tuple(tie('e'), fc.constantFrom('1h', '1q')).map(([a, p]) => `dateceil(${a}, ${p})`),
    tie('e').map((a) => `${a} like /a(?i)b/`),
    tie('e').map((a) => `${a} not in ["a", 1]`),
  ),
})).e;
const aggs = [
  'count',
  'sum',
  'avg',
  'min',
  'max',
  'stddev',
  'count_distinct',
  'earliest',
  'latest',
  'sortsFirst',
  'values',
];

test('random expressions compile to bounded SQL that runs', async () => {
  await withEngine(
    [
      { ts: 1000, record: bedrock({ app: 'A', input: 3, meta: { app: 'z' } }) },
      { ts: 2000, group: BEDROCK_GROUP, message: '{"x":"5","status":"200","items":[{"name":"n"}]}' },
      { ts: 3000, group: BEDROCK_GROUP, message: 'user=bob, latency=150' },
      { ts: 4000, group: BEDROCK_GROUP, message: '{"x":true,"status":404}' },
    ],
    async (engine) => {
      const samples = fc.sample(fc.tuple(expr, expr, fc.constantFrom(...aggs), fc.boolean()), {
        numRuns: 250,
        seed: 2026,
      });
      let ran = 0;
      for (const [a, b, g, desc] of samples) {
        for (const q of [
          `fields ${a} as v, ${b} as w | filter ${b} or ${a} | sort v ${desc ? 'desc' : 'asc'}`,
          `fields ${a} as v | stats ${g}(v) as r by ${b} as k | sort r desc`,
        ]) {
          const p = await engine.prepare({ queryString: q });
          if (!p.plan) continue;
          const sql = compileDuckDb(p.plan, { now: p.now }).sql;
          assert.ok(sql.length < 200_000, `SQL of ${sql.length} characters for: ${q}`);
          const r = await engine.run(p);
          assert.equal(r.status, 'Complete', `${r.error?.message}\n  query: ${q}`);
          ran++;
        }
      }
      assert.ok(ran > 150, `only ${ran} of the random queries were valid`);
    },
  );
});
