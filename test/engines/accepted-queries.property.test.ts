/**
 * Property (issue 15): a query that `check` accepts never fails at run time. Random pipelines of
 * every command (fields, filter, stats with offset, sort, limit, parse in each mode, dedup,
 * display, unnest, fillmissing, pattern, diff, anomaly) over random expressions of every catalog
 * function, regexes valid and invalid, periods over their caps, comparisons on missing fields and
 * huge numbers. Each is checked as `check` does without a store (a catalog that cannot see log
 * groups) and by the engine's own prepare; every query either is refused with an error
 * diagnostic, or runs to Complete on a small store with Bedrock records, JSON and text events.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compileQuery } from '../../src/insights/compile.js';
import { FUNCTIONS } from '../../src/insights/functions.js';
import { withEngine, bedrock, BEDROCK_GROUP } from './helpers.js';

const T0 = Date.UTC(2026, 0, 1);
const events = [
  { ts: T0 + 60_000, record: bedrock({ app: 'A', input: 3, output: 5, requestId: 'r1' }) },
  {
    ts: T0 + 120_000,
    record: bedrock({ app: 'B', input: 9_000_000_000, requestId: 'r2', extra: { errorCode: 'ThrottlingException' } }),
  },
  { ts: T0 + 180_000, group: BEDROCK_GROUP, message: '{"x":"5","status":"200","items":[{"name":"n"}],"flag":true}' },
  { ts: T0 + 240_000, group: BEDROCK_GROUP, message: 'ERROR call failed id=3f1c attempt=2 user=bob, latency=150' },
  { ts: T0 + 300_000, group: BEDROCK_GROUP, message: '{"x":-2.5e-9,"status":404,"s":"2026-01-02"}' },
  { ts: T0 + 3_900_000, group: BEDROCK_GROUP, message: 'WARN retry 1200 ms level=warn msg="slow"' },
];

const fieldAtoms = [
  'x',
  'status',
  'items',
  'flag',
  '@timestamp',
  '@message',
  '@logStream',
  '@log',
  'input.inputTokenCount',
  'output.outputTokenCount',
  'modelId',
  'errorCode',
  'requestMetadata.application_name',
  '`requestMetadata.cost-center`',
  'nosuch',
  'input.inputBodyJson.messages.0.role',
  'jsonParse(@message)',
  'jsonParse(@message).items.0.name',
  'split(@message, " ")',
  'lf.level',
  'it.name',
  'pid',
  'a0',
  '@pattern',
];
const literals = [
  '1',
  '0',
  '2.5',
  '1e11',
  '1e308',
  '1e150',
  '-3',
  '"7"',
  '"s"',
  '""',
  'true',
  '"2022-01-14T13:18:031.000-08:00"',
];
const regexes = [
  '/a(/',
  '/[z-a]/',
  '/x{2,1}/',
  '/(?i)err(or)?/',
  '/\\d+/',
  '/(?=a)b/',
  '/a**/',
  '/^[A-Z]+$/',
  '/(?<n>\\w+)=(?<v>\\d+)/',
];
const periods = ['1m', '5m', '300s', '86400s', '2h', '1d', '1w', '1mo', '90s', '0m'];
const scalars = FUNCTIONS.filter((f) => f.role === 'scalar');
const aggregates = FUNCTIONS.filter((f) => f.role === 'aggregate');

const expr: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...fieldAtoms, ...literals),
    fc
      .tuple(tie('e'), fc.constantFrom('+', '-', '*', '/', '%', '^', '=', '!=', '<', '>=', 'and', 'or'), tie('e'))
      .map(([a, o, b]) => `(${a} ${o} ${b})`),
    fc.tuple(tie('e'), fc.constantFrom(...regexes)).map(([a, r]) => `${a} like ${r}`),
    fc.tuple(tie('e'), fc.constantFrom('"x"', '"Exc"')).map(([a, s]) => `${a} not like ${s}`),
    fc.tuple(tie('e'), fc.constantFrom('["a", 1]', '[200, "404"]')).map(([a, l]) => `${a} in ${l}`),
    tie('e').map((a) => `not ${a}`),
    fc
      .tuple(
        fc.constantFrom(...scalars),
        fc.array(tie('e'), { minLength: 0, maxLength: 3 }),
        fc.constantFrom(...periods),
      )
      .map(([f, args, p]) => {
        if (['bin', 'datefloor', 'dateceil'].includes(f.name))
          return f.name === 'bin' ? `bin(${p})` : `${f.name}(${args[0] ?? '@timestamp'}, ${p})`;
        if (f.name === 'regexReplace')
          return `regexReplace(${args[0] ?? 'x'}, "${args.length % 2 ? 'a(' : '[0-9]+'}", "#")`;
        const n = Math.min(Math.max(args.length, f.minArgs), Math.min(f.maxArgs, 3));
        const a = Array.from({ length: n }, (_, i) => args[i] ?? 'x');
        return `${f.name}(${a.join(', ')})`;
      }),
  ),
})).e;

// A third of the aggregates read values scaled past what a double can square (stddev's sum of squares).
const aggregateArg = fc
  .tuple(expr, fc.constantFrom('', '', ' * 1e160'))
  .map(([e, scale]) => (scale ? `(${e})${scale}` : e));
const aggregate = fc
  .tuple(fc.constantFrom(...aggregates), aggregateArg, fc.constantFrom(...periods))
  .map(([f, a, p]) => {
    if (f.name === 'count' || f.name === 'countOverTime') return `${f.name}(*)`;
    if (f.name === 'pct') return `pct(${a}, 90)`;
    if (f.name === 'rate') return `rate(${a}, ${p})`;
    return `${f.name}(${a})`;
  });

const command: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(expr, expr).map(([a, b]) => `fields ${a} as v, ${b} as w`),
  expr.map((a) => `filter ${a}`),
  fc
    .tuple(
      fc.array(aggregate, { minLength: 1, maxLength: 2 }),
      fc.constantFrom(
        '',
        'by bin(5m)',
        'by modelId',
        'by bin(@timestamp, 1h) as t',
        'by bin(10m) offset 1h',
        'by histogram(x, 10)',
        'by bin(86400s)',
      ),
    )
    .map(([aggs, by]) => `stats ${aggs.map((g, i) => `${g} as a${i}`).join(', ')} ${by}`),
  fc.constantFrom('a0', 'v', '@timestamp', 'nosuch', '@sampleCount').map((f) => `sort ${f} desc`),
  fc.constantFrom('limit 3', 'limit 1'),
  fc.constantFrom(
    'parse @message "id=* attempt=*" as pid, patt',
    'parse @message /(?<k>\\w+)=(?<vv>\\d+)/',
    'parse @message /(?<k2>[a-z]+)=/ multi',
    'parse @message logfmt as lf',
    'parse @message csv as c1, c2',
    'parse @message /(?<bad>a(/',
  ),
  fc.constantFrom('dedup modelId', 'display @timestamp, v', 'unnest jsonParse(@message).items into it', 'fillmissing'),
  fc.constantFrom(
    'pattern @message',
    'pattern @message | diff',
    'pattern @message | anomaly',
    'pattern concat(modelId, x) | diff previousDay | anomaly',
  ),
);

const query = fc
  .tuple(
    fc.constantFrom('', "SOURCE '/aws/bedrock/modelinvocations' | "),
    fc.array(command, { minLength: 1, maxLength: 4 }),
  )
  .map(([src, cmds]) => src + cmds.join(' | '));

test('property: every random query that check accepts runs to Complete (none fails in the engine)', async () => {
  const unseen = { logGroups: [], fieldsByGroup: new Map<string, Set<string>>(), logGroupsKnown: false };
  await withEngine(events, async (engine) => {
    const samples = fc.sample(fc.tuple(query, fc.boolean()), { numRuns: 400, seed: 1515 });
    let ran = 0;
    let refused = 0;
    for (const [q, ranged] of samples) {
      const request = ranged ? { startTime: T0, endTime: T0 + 7_199_999 } : {};
      const check = compileQuery(q, { catalog: unseen, rangeAtRunTime: true, request });
      const prepared = await engine.prepare({ queryString: q, ...request });
      const errors = (ds: { severity: string }[]) => ds.some((d) => d.severity === 'error');
      if (errors(check.diagnostics) || errors(prepared.diagnostics)) {
        refused++;
        continue;
      }
      const r = await engine.run(prepared);
      assert.equal(r.status, 'Complete', `${r.error?.message}\n  query: ${q}\n  range: ${JSON.stringify(request)}`);
      ran++;
    }
    // Both sides must be exercised for the property to mean anything.
    assert.ok(ran > 100, `only ${ran} random queries were accepted (${refused} refused)`);
    assert.ok(refused > 50, `only ${refused} random queries were refused`);
  });
});

test('property: every aggregate over values of every magnitude runs to Complete (overflow is missing, never an engine error)', async () => {
  // Focused on numbers: the pipeline property above meets a given aggregate over large varying
  // values too rarely to catch, e.g., stddev_samp failing when its squares overflow.
  const scale = fc.constantFrom('1', '1e-300', '1e-160', '1e140', '1e150', '1e160', '1e200', '1e300', '-1e308');
  const agg = fc
    .tuple(fc.constantFrom(...aggregates), fc.constantFrom(...fieldAtoms.slice(0, 12), ...literals), scale)
    .map(([f, a, k]) => {
      const arg = `(${a}) * ${k}`;
      if (f.name === 'count' || f.name === 'countOverTime') return `${f.name}(${arg})`;
      if (f.name === 'pct') return `pct(${arg}, 50)`;
      if (f.name === 'rate') return `rate(${arg}, 1m)`;
      return `${f.name}(${arg})`;
    });
  const q = fc
    .tuple(fc.array(agg, { minLength: 1, maxLength: 4 }), fc.constantFrom('', 'by modelId', 'by bin(1h)'))
    .map(([aggs, by]) => `stats ${aggs.map((g, i) => `${g} as a${i}`).join(', ')} ${by}`);
  await withEngine(events, async (engine) => {
    let ran = 0;
    for (const text of fc.sample(q, { numRuns: 300, seed: 1516 })) {
      const prepared = await engine.prepare({ queryString: text });
      if (prepared.diagnostics.some((d) => d.severity === 'error')) continue;
      const r = await engine.run(prepared);
      assert.equal(r.status, 'Complete', `${r.error?.message}\n  query: ${text}`);
      ran++;
    }
    assert.ok(ran > 200, `only ${ran} random aggregate queries were accepted`);
  });
});
