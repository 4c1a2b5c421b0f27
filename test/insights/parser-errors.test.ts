import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseQuery } from '../../src/insights/parser.js';
import { bad, one } from './parser-helpers.js';

/** The one error of a query: [code, message prefix in CloudWatch's words, line, column]. */
function err(text: string): [string, string, number, number] {
  const es = bad(text);
  assert.equal(es.length, 1, JSON.stringify(es));
  const e = es[0];
  return [e.code, e.message.split(';')[0], e.line, e.column];
}

test('empty and comment-only queries give the <EOF> form', () => {
  assert.deepEqual(err(''), ['PARSE_EMPTY_QUERY', 'unexpected symbol found <EOF> at line 1 and position 0', 1, 0]);
  assert.deepEqual(err('   \n  '), [
    'PARSE_EMPTY_QUERY',
    'unexpected symbol found <EOF> at line 2 and position 2',
    2,
    2,
  ]);
  assert.deepEqual(err('# nothing here'), [
    'PARSE_EMPTY_QUERY',
    'unexpected symbol found <EOF> at line 1 and position 14',
    1,
    14,
  ]);
});

test('sort on an expression fails at the ( with a hint to alias it', () => {
  const [e] = bad('stats count(*) by bin(1d) | sort bin(1d) desc');
  assert.equal(e.code, 'PARSE_SORT_KEY_NOT_NAME');
  assert.match(
    e.message,
    /^unexpected symbol found \( at line 1 and position 36; sort keys must be field or alias names: alias the expression/,
  );
  assert.deepEqual(e.span, { start: 36, end: 37 });
  assert.deepEqual(err('sort count(*) desc').slice(0, 2), [
    'PARSE_SORT_KEY_NOT_NAME',
    'unexpected symbol found ( at line 1 and position 10',
  ]);
  assert.deepEqual(err('sort x + 1').slice(0, 2), [
    'PARSE_SORT_KEY_NOT_NAME',
    'unexpected symbol found + at line 1 and position 7',
  ]);
  assert.deepEqual(err('sort 1').slice(0, 2), [
    'PARSE_SORT_KEY_NOT_NAME',
    'unexpected symbol found 1 at line 1 and position 5',
  ]);
});

test('an unknown command names the word and suggests the closest command', () => {
  const [code, msg] = err('fields @timestamp, custom_field | count()');
  assert.deepEqual([code, msg], ['PARSE_UNKNOWN_COMMAND', 'unexpected symbol found count at line 1 and position 34']);
  assert.match(
    bad('fields @timestamp, custom_field | count()')[0].message,
    /`count\(…\)` is a function, not a command: use it inside a command, e\.g\. stats count/,
  );
  const [e] = bad('fileter @message like /x/');
  assert.match(e.message, /did you mean `filter`\?/);
  const [far] = bad('zzzzzz x');
  assert.doesNotMatch(far.message, /did you mean/);
});

test('quoted nested keys and unquoted values with colons are rejected at the offending symbol', () => {
  assert.deepEqual(err('fields request.headers."user-agent"').slice(0, 2), [
    'PARSE_UNEXPECTED_TOKEN',
    'unexpected symbol found "user-agent" at line 1 and position 23',
  ]);
  assert.deepEqual(err('filter x = 12:30').slice(0, 2), [
    'PARSE_UNEXPECTED_TOKEN',
    'unexpected symbol found : at line 1 and position 13',
  ]);
});

test('line is 1-based and position 0-based on the line of the offending token', () => {
  assert.deepEqual(err('fields a,\n  b\n| sort c +'), [
    'PARSE_SORT_KEY_NOT_NAME',
    'unexpected symbol found + at line 3 and position 9',
    3,
    9,
  ]);
});

test('pipes in the wrong place', () => {
  assert.deepEqual(err('| fields a'), [
    'PARSE_EXPECTED_COMMAND',
    'unexpected symbol found | at line 1 and position 0',
    1,
    0,
  ]);
  assert.deepEqual(err('fields a |'), [
    'PARSE_UNEXPECTED_TOKEN',
    'unexpected symbol found <EOF> at line 1 and position 10',
    1,
    10,
  ]);
  assert.deepEqual(err('fields a || limit 1').slice(0, 2), [
    'PARSE_EXPECTED_COMMAND',
    'unexpected symbol found | at line 1 and position 10',
  ]);
  assert.deepEqual(err('fields a b').slice(0, 2), [
    'PARSE_UNEXPECTED_TOKEN',
    'unexpected symbol found b at line 1 and position 9',
  ]);
});

test('incomplete commands end at <EOF>', () => {
  for (const [text, pos] of [
    ['fields', 6],
    ['filter a and', 12],
    ['stats count(*) by', 17],
    ['fields a as', 11],
    ['parse', 5],
    ['limit', 5],
    ['unnest x', 8],
    ['fillmissing with 0', 18],
  ] as const) {
    const [code, msg] = err(text);
    assert.equal(code, 'PARSE_UNEXPECTED_TOKEN', text);
    assert.equal(msg, `unexpected symbol found <EOF> at line 1 and position ${pos}`, text);
  }
});

test('limit must be a whole number from 1 to 100,000', () => {
  for (const n of ['0', '1.5', '100001']) assert.equal(err(`limit ${n}`)[0], 'PARSE_LIMIT_RANGE');
  assert.equal(err('limit x')[0], 'PARSE_UNEXPECTED_TOKEN');
  assert.equal(err('limit -1')[0], 'PARSE_UNEXPECTED_TOKEN');
});

test('parse errors: glob * count, regex without named groups, XML mode, missing as', () => {
  const [g] = bad('parse @message "a=* b=*" as a');
  assert.equal(g.code, 'PARSE_GLOB_ALIAS_COUNT');
  assert.match(g.message, /2 \* but 1 name/);
  assert.equal(err('parse @message /a(b)/')[0], 'PARSE_REGEX_NO_GROUPS');
  assert.equal(err('parse @message XML "/event/level" as l')[0], 'PARSE_MODE_UNSUPPORTED');
  assert.equal(err('parse @message "a=*"')[0], 'PARSE_UNEXPECTED_TOKEN');
  // `parse logfmt @message` is documented as a syntax error.
  assert.deepEqual(err('parse logfmt @message').slice(0, 2), [
    'PARSE_UNEXPECTED_TOKEN',
    'unexpected symbol found @message at line 1 and position 13',
  ]);
});

test('like needs a string or regex literal; in needs a list or a subquery', () => {
  assert.equal(err('filter x like 5')[0], 'PARSE_LIKE_PATTERN');
  assert.equal(err('filter x =~ y')[0], 'PARSE_LIKE_PATTERN');
  assert.equal(err('filter x in (1, 2)')[0], 'PARSE_IN_TARGET');
  assert.equal(err('filter x in 5')[0], 'PARSE_IN_TARGET');
});

test('* outside count(*), reserved words as operands', () => {
  assert.equal(err('fields *')[0], 'PARSE_UNEXPECTED_TOKEN');
  assert.equal(err('filter and')[0], 'PARSE_UNEXPECTED_TOKEN');
});

test('lexical errors: unterminated string/regex/backtick and stray characters, shown on one line', () => {
  assert.deepEqual(err('fields a\n| filter b = "x\n| limit 1'), [
    'LEX_UNTERMINATED_STRING',
    'unexpected symbol found "x… at line 2 and position 13',
    2,
    13,
  ]);
  assert.equal(err('filter x like /abc')[0], 'LEX_UNTERMINATED_REGEX');
  assert.equal(err('fields `abc')[0], 'LEX_UNTERMINATED_BACKTICK');
  assert.deepEqual(err('fields a & b').slice(0, 2), [
    'LEX_UNEXPECTED_CHAR',
    'unexpected symbol found & at line 1 and position 9',
  ]);
  assert.match(bad('fields a ; b')[0].message, /^unexpected symbol found ; at line 1 and position 9; /);
  // Inside a tier-3 command, whose text is otherwise skipped, a lexical error is still reported.
  assert.equal(err('pattern "abc')[0], 'LEX_UNTERMINATED_STRING');
});

test('stats … offset takes a period; unsupported syntax with no AST slot: SOURCE dataSource, SOURCE later in the query', () => {
  const st = one('stats count(*) by bin(5m) offset 1h');
  assert.ok(st.kind === 'stats' && st.offset?.kind === 'duration' && st.offset.amount === 1 && st.offset.unit === 'h');
  const words = one('stats count(*) by bin(5m) offset 2 hours');
  assert.ok(words.kind === 'stats' && words.offset?.amount === 2 && words.offset.unit === 'h');
  assert.equal(err('stats count(*) by bin(5m) offset x')[0], 'PARSE_STATS_OFFSET');
  assert.equal(err('stats count(*) by bin(5m) offset')[0], 'PARSE_UNEXPECTED_TOKEN');
  assert.equal(err('SOURCE dataSource(["amazon_vpc.flow"]) | fields x')[0], 'PARSE_SOURCE_UNSUPPORTED');
  assert.equal(err('fields a | SOURCE "x"')[0], 'PARSE_SOURCE_NOT_FIRST');
  assert.equal(err("SOURCE logGroups(prefix: ['a']) | fields x")[0], 'PARSE_SOURCE_PARAMETER');
  assert.equal(err('SOURCE | fields a')[0], 'PARSE_UNEXPECTED_TOKEN');
});

test('an unexpanded saved-query invocation says to expand it first', () => {
  assert.equal(err('$ErrorsByLevel(logLevel = "WARN") | limit 5')[0], 'PARSE_SAVED_QUERY_NOT_EXPANDED');
});

test('recovery: every broken command is reported, and a broken query yields no AST', () => {
  const r = parseQuery('fields | filter | sort x | stats count(*) by');
  assert.equal(r.query, undefined);
  assert.deepEqual(
    r.diagnostics.map((d) => [d.code, d.column]),
    [
      ['PARSE_UNEXPECTED_TOKEN', 7],
      ['PARSE_UNEXPECTED_TOKEN', 16],
      ['PARSE_UNEXPECTED_TOKEN', 44],
    ],
  );
});

test('diagnostics are well formed: span inside the text, line/column agree with the span', () => {
  const text = 'fields a\n  | filter x like 5\n| sort f(x)';
  const r = parseQuery(text);
  for (const d of r.diagnostics) {
    assert.ok(d.span.start >= 0 && d.span.start <= d.span.end && d.span.end <= text.length);
    const before = text.slice(0, d.span.start).split('\n');
    assert.equal(d.line, before.length);
    assert.equal(d.column, before[before.length - 1].length);
  }
  assert.equal(r.diagnostics.length, 2);
});

test('deep nesting is a coded error, not a stack overflow', () => {
  const deep = `filter ${'('.repeat(5000)}a${')'.repeat(5000)}`;
  assert.deepEqual(
    bad(deep).map((d) => d.code),
    ['PARSE_TOO_DEEP'],
  );
  assert.deepEqual(
    bad(`filter ${'-'.repeat(5000)}a`).map((d) => d.code),
    ['PARSE_TOO_DEEP'],
  );
  assert.deepEqual(
    bad(`fields ${'f('.repeat(3000)}1${')'.repeat(3000)}`).map((d) => d.code),
    ['PARSE_TOO_DEEP'],
  );
  // Ordinary nesting is far below the bound.
  assert.ok(parseQuery(`filter ${'('.repeat(150)}a${')'.repeat(150)} = 1`).query);
});

test('a text full of errors stops after 25 diagnostics, quickly', () => {
  const t0 = Date.now();
  const r = parseQuery('fields a | '.concat('| '.repeat(100_000), ';'.repeat(100_000)));
  assert.equal(r.query, undefined);
  assert.equal(r.diagnostics.length, 25);
  assert.ok(Date.now() - t0 < 5000);
});

test('many warnings do not crowd out an error', () => {
  const r = parseQuery(`fields ${Array.from({ length: 40 }, () => '@ a').join(', ')} | sort f(x)`);
  assert.equal(r.query, undefined);
  assert.deepEqual(
    r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code),
    ['PARSE_SORT_KEY_NOT_NAME'],
  );
  assert.equal(r.diagnostics.filter((d) => d.severity === 'warning').length, 25);
});
