import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseQuery } from '../../src/insights/parser.js';
import { analyze, type CatalogInfo } from '../../src/insights/analyzer.js';
import { lookupFunction, FUNCTIONS, closest } from '../../src/insights/functions.js';
import { translateRegex, globToRegex } from '../../src/insights/regex.js';
import type { PExpr } from '../../src/insights/plan.js';

const G = '/aws/bedrock/modelinvocations';
const bedrockOnly: CatalogInfo = {
  logGroups: [{ name: G, genericEvents: 0 }],
  fieldsByGroup: new Map([
    [G, new Set(['modelId', 'output.outputTokenCount', 'input.inputTokenCount', 'requestMetadata.team'])],
  ]),
};
const mixed: CatalogInfo = { logGroups: [{ name: G, genericEvents: 3 }], fieldsByGroup: bedrockOnly.fieldsByGroup };

function plan(text: string, catalog = bedrockOnly) {
  const q = parseQuery(text).query;
  assert.ok(q, text);
  return analyze(q, { text, catalog });
}
function firstColumn(text: string, catalog = bedrockOnly): PExpr {
  const a = plan(text, catalog);
  assert.ok(a.plan, JSON.stringify(a.diagnostics));
  return a.plan.columns[0].expr;
}

test('field resolution: system fields, hot columns, request metadata, JSON paths', () => {
  assert.deepEqual(firstColumn('fields @timestamp'), { k: 'base', field: 'timestamp', kind: 'time' });
  assert.deepEqual(firstColumn('fields input.inputTokenCount'), {
    k: 'hot',
    column: 'input_tokens',
    jsonPath: ['input', 'inputTokenCount'],
    mixed: false,
    kind: 'number',
  });
  assert.deepEqual(firstColumn('fields cost.total'), {
    k: 'hot',
    column: 'cost_total',
    jsonPath: ['cost', 'total'],
    mixed: false,
    kind: 'number',
  });
  assert.deepEqual(firstColumn('fields requestMetadata.team'), {
    k: 'meta',
    key: 'team',
    mixed: false,
    kind: 'string',
  });
  assert.deepEqual(firstColumn('fields modelId', mixed), {
    k: 'hot',
    column: 'model_id',
    jsonPath: ['modelId'],
    mixed: true,
    kind: 'string',
  });
  const empty: CatalogInfo = { logGroups: [], fieldsByGroup: new Map() };
  assert.deepEqual(firstColumn('fields a.b.0.c', empty), {
    k: 'json',
    source: null,
    path: ['a', 'b', '0', 'c'],
    guard: false,
    kind: 'string',
  });
});

test('a field never seen is statically missing and warned about with the closest known field', () => {
  const a = plan('fields output.outputTokens as t');
  assert.deepEqual(a.plan?.columns[0].expr, { k: 'lit', kind: 'null', value: null });
  const w = a.diagnostics.find((d) => d.code === 'FIELD_NEVER_SEEN');
  assert.equal(w?.severity, 'warning');
  assert.equal(w?.suggestion, 'output.outputTokenCount');
});

test('aliases are visible to later commands only', () => {
  const a = plan('fields input.inputTokenCount as n | fields n * 2 as m');
  assert.deepEqual(
    a.plan?.columns.map((c) => c.name),
    ['n', 'm'],
  );
  assert.equal(a.plan?.columns[1].expr.k, 'call');
});

test('bin caps: bin(300s) is 60 s, bin(90m) is 60 m, bin(48h) is 24 h', () => {
  for (const [q, amount, unit] of [
    ['bin(300s)', 60, 's'],
    ['bin(90m)', 60, 'm'],
    ['bin(48h)', 24, 'h'],
    ['bin(2d)', 2, 'd'],
  ] as const) {
    const a = plan(`stats count(*) by ${q}`);
    const st = a.plan?.stages[0];
    assert.ok(st && st.op === 'aggregate');
    const key = st.keys[0].expr;
    assert.ok(key.k === 'call' && key.fn === 'bin');
    assert.deepEqual(key.args[1], { k: 'period', amount, unit, kind: 'number' });
  }
});

test('stats: later items may use earlier aliases; output is keys then aggregates; errors are coded', () => {
  const a = plan('stats max(input.inputTokenCount) as a, min(input.inputTokenCount) as b, a - b as spread by modelId');
  assert.deepEqual(
    a.plan?.columns.map((c) => c.name),
    ['modelId', 'a', 'b', 'spread'],
  );
  assert.equal(a.plan?.aggregated, true);
  assert.ok(plan('fields sum(x)').diagnostics.some((d) => d.code === 'AGGREGATE_NOT_ALLOWED'));
  assert.ok(plan('stats count(*) | stats count(*) | stats count(*)').diagnostics.some((d) => d.severity === 'error'));
  assert.ok(
    plan('fields tolowr(modelId)').diagnostics.some((d) => d.code === 'UNKNOWN_FUNCTION' && d.suggestion !== undefined),
  );
  assert.ok(plan('fields substr(modelId)').diagnostics.some((d) => d.code === 'WRONG_ARGUMENT_COUNT'));
});

test('function catalog: every alias spelling resolves case-insensitively', () => {
  for (const [alias, name] of [
    ['countDistinct', 'count_distinct'],
    ['COUNT_OVER_TIME', 'countOverTime'],
    ['sum_over_time', 'sumOverTime'],
    ['regex_replace', 'regexReplace'],
    ['strftime', 'formatDate'],
    ['SORTSFIRST', 'sortsFirst'],
  ]) {
    assert.equal(lookupFunction(alias)?.name, name);
  }
  assert.ok(FUNCTIONS.every((f) => f.minArgs <= f.maxArgs));
  assert.equal(closest('cunt', ['count', 'sum']), 'count');
});

test('regex translation to RE2: (?i) anywhere hoisted, named groups (incl. @) indexed, lookarounds refused', () => {
  const t = translateRegex('^(?i)user=(?<@user>\\w+) (\\d+) (?<m>[^(]+)');
  assert.equal(t.pattern, '(?i)^user=(\\w+) (\\d+) ([^(]+)');
  assert.deepEqual(t.groups, [
    { name: '@user', index: 1 },
    { name: 'm', index: 3 },
  ]);
  assert.ok(translateRegex('a(?=b)').error);
  assert.ok(translateRegex('(a)\\1').error);
  assert.deepEqual(globToRegex('[*] * The error was: *'), {
    pattern: '(?s)\\[(.*?)\\] (.*?) The error was: (.*)',
    stars: 3,
  });
});

test('SOURCE start=/end=: now, relative and absolute times narrow the request range', () => {
  const now = Date.parse('2026-06-15T12:00:00Z');
  const text = "SOURCE '/aws/bedrock/modelinvocations' start=-1d end=now | fields @timestamp";
  const a = analyze(parseQuery(text).query!, { text, catalog: bedrockOnly, now, endTime: now - 3_600_000 });
  assert.equal(a.plan?.startTime, now - 86_400_000);
  assert.equal(a.plan?.endTime, now - 3_600_000);
  const bad = "SOURCE '/aws/bedrock/modelinvocations' start='yesterday-ish' | fields @timestamp";
  assert.ok(
    analyze(parseQuery(bad).query!, { text: bad, catalog: bedrockOnly }).diagnostics.some(
      (d) => d.code === 'SOURCE_TIME_INVALID',
    ),
  );
});
