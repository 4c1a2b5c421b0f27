import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseQuery } from '../../src/insights/parser.js';
import { checkComposition } from '../../src/insights/rules.js';
import type { Diagnostic } from '../../src/insights/diagnostics.js';

function check(text: string, maxStats?: number): Diagnostic[] {
  const r = parseQuery(text);
  assert.ok(r.query, `should parse: ${JSON.stringify(r.diagnostics)}`);
  return r.query ? checkComposition(r.query, text, maxStats === undefined ? {} : { maxStats }) : [];
}
const codes = (text: string, maxStats?: number): string[] => check(text, maxStats).map((d) => d.code);

test('two stats are fine, a third is rejected by default; the maximum is a parameter', () => {
  assert.deepEqual(codes('stats count(*) as n by a | stats sum(n) as s by a'), []);
  const text = 'stats count(*) as n by a, b | stats sum(n) as s by a | stats max(s) as m';
  const ds = check(text);
  assert.deepEqual(
    ds.map((d) => [d.code, d.column, text.slice(d.span.start, d.span.end)]),
    [['RULE_TOO_MANY_STATS', 55, 'stats']],
  );
  assert.match(ds[0].message, /at most 2 stats/);
  assert.deepEqual(codes(text, 10), []);
  assert.deepEqual(codes('stats count(*) as n by a | stats sum(n) as s', 1), ['RULE_TOO_MANY_STATS']);
});

test('sort and limit must come after the last stats; fields and filter between two stats are fine', () => {
  assert.deepEqual(
    codes('stats count(*) as n by a | filter n > 1 | fields n * 2 as m | stats sum(m) as s | sort s desc | limit 5'),
    [],
  );
  const text = 'sort x | limit 5 | stats count(*) by x';
  const ds = check(text);
  assert.deepEqual(
    ds.map((d) => [d.code, d.column]),
    [
      ['RULE_SORT_BEFORE_STATS', 0],
      ['RULE_LIMIT_BEFORE_STATS', 9],
    ],
  );
  assert.match(
    ds[0].message,
    /^unexpected symbol found sort at line 1 and position 0; sort must come after the last stats/,
  );
  assert.deepEqual(codes('stats count(*) as n by a | sort n | stats sum(n) as s'), ['RULE_SORT_BEFORE_STATS']);
  assert.deepEqual(codes('head 3 | stats count(*)'), ['RULE_LIMIT_BEFORE_STATS']);
});

test('only limit may follow dedup', () => {
  assert.deepEqual(codes('sort @timestamp desc | dedup server | limit 5'), []);
  const text = 'dedup server\n| sort @timestamp desc';
  const ds = check(text);
  assert.deepEqual(
    ds.map((d) => [d.code, d.line, d.column]),
    [['RULE_AFTER_DEDUP', 2, 2]],
  );
  assert.match(ds[0].message, /^unexpected symbol found sort at line 2 and position 2; only limit may follow dedup/);
  assert.deepEqual(codes('dedup a | fields b | filter c = 1 | limit 1 | pattern @message'), [
    'RULE_AFTER_DEDUP',
    'RULE_AFTER_DEDUP',
    'RULE_AFTER_DEDUP',
  ]);
});

test('Ephemeral field is already defined: parse alias re-listed by fields', () => {
  const text = 'parse @message "src=*" as srcAddr | fields srcAddr';
  const ds = check(text);
  assert.deepEqual(
    ds.map((d) => [d.code, text.slice(d.span.start, d.span.end)]),
    [['RULE_EPHEMERAL_REDEFINED', 'srcAddr']],
  );
  assert.match(ds[0].message, /^Ephemeral field is already defined: srcAddr \(\[43,50\]\)/);
});

test('Ephemeral: stats alias equal to a parsed field, fields alias redefined, duplicate parse names', () => {
  assert.deepEqual(codes('parse @message "x=*" as x | stats latest(x) as x'), ['RULE_EPHEMERAL_REDEFINED']);
  assert.deepEqual(codes('fields a + 1 as b | fields b * 2 as b'), ['RULE_EPHEMERAL_REDEFINED']);
  assert.deepEqual(codes('parse @message "*-*" as a, a'), ['RULE_EPHEMERAL_REDEFINED']);
  assert.deepEqual(codes('fields x as platform | parse @message /(?<platform>\\w+)/'), ['RULE_EPHEMERAL_REDEFINED']);
  assert.deepEqual(codes('fields a as t | stats count(*) by bin(1h) as t'), ['RULE_EPHEMERAL_REDEFINED']);
});

test('Ephemeral: re-listing system/discovered fields, display, stats by a plain ephemeral field are fine', () => {
  assert.deepEqual(codes('fields @timestamp, @message | fields @timestamp, status | display status, status'), []);
  assert.deepEqual(codes('parse @message "u=*" as u | display u | display u'), []);
  assert.deepEqual(codes('fields a as App | stats count(*) as n by App | sort n desc'), []);
  assert.deepEqual(codes('fields toMillis(@timestamp) as ms | stats rate(ms, 1m) by bin(5m)'), []);
});

test('fillmissing needs a stats before it', () => {
  assert.deepEqual(codes('stats count(*) by bin(5m) | fillmissing'), []);
  assert.deepEqual(codes('fillmissing | stats count(*) by bin(5m)'), ['RULE_FILLMISSING_PLACEMENT']);
});

test('rules apply inside subqueries too', () => {
  assert.deepEqual(codes('filter id in (fields id | dedup id | sort id)'), ['RULE_AFTER_DEDUP']);
});

test('the 13 seed queries pass every rule', async () => {
  const { readFileSync, readdirSync } = await import('node:fs');
  const dir = new URL('../../queries/bedrock/', import.meta.url);
  const files = readdirSync(dir).filter((f) => f.endsWith('.insights'));
  assert.equal(files.length, 13);
  for (const f of files) assert.deepEqual(codes(readFileSync(new URL(f, dir), 'utf8')), [], f);
});

test('checkComposition never throws, even on a malformed AST', () => {
  // Deliberately broken input from a hypothetical caller: rules must report, not crash.
  const broken = {
    kind: 'query',
    commands: [{ kind: 'fields', items: null }],
    span: { start: 0, end: 0 },
  } as unknown as Parameters<typeof checkComposition>[0];
  const ds = checkComposition(broken, '');
  assert.deepEqual(
    ds.map((d) => d.code),
    ['RULE_INTERNAL'],
  );
});
