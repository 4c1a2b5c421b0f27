import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diagnosticsToOriginal, expandSavedQueries, type SavedQuery } from '../../src/insights/savedQueries.js';
import { parseQuery } from '../../src/insights/parser.js';

const SAVED: SavedQuery[] = [
  {
    name: 'ErrorsByLevel',
    queryString: 'fields @timestamp, level | filter level = "{{logLevel}}"',
    parameters: [{ name: 'logLevel', defaultValue: 'ERROR' }],
  },
  { name: 'RecentN', queryString: 'sort @timestamp desc | limit {{count}}', parameters: [{ name: 'count' }] },
  {
    name: 'Errors By App',
    queryString: 'filter app = "{{app}}" and code >= {{min}}',
    parameters: [{ name: 'app' }, { name: 'min', defaultValue: '500' }],
  },
  { name: 'Plain', queryString: 'fields @message' },
  { name: 'Nested', queryString: '$Plain() | limit 1' },
  { name: 'Broken', queryString: 'fields a | sort f(x)' },
];
const lookup = (n: string): SavedQuery | undefined => SAVED.find((s) => s.name === n);

test('text without an invocation comes back unchanged', () => {
  const e = expandSavedQueries('fields a | filter b = "$x" | filter c like /\\$y/ # $z', lookup);
  assert.equal(e.text, 'fields a | filter b = "$x" | filter c like /\\$y/ # $z');
  assert.deepEqual(e.diagnostics, []);
  assert.deepEqual(e.invocations, []);
});

test('$Name(param = "v") substitutes the value; an omitted parameter takes its default', () => {
  assert.equal(
    expandSavedQueries('$ErrorsByLevel(logLevel = "WARN")', lookup).text,
    'fields @timestamp, level | filter level = "WARN"',
  );
  assert.equal(
    expandSavedQueries('$ErrorsByLevel()', lookup).text,
    'fields @timestamp, level | filter level = "ERROR"',
  );
  assert.equal(expandSavedQueries('$Plain', lookup).text, 'fields @message');
});

test('chained invocations, backtick names, numbers and the rest of the query are kept', () => {
  const text = '$ErrorsByLevel(logLevel = "WARN") | $RecentN(count = 10)';
  const e = expandSavedQueries(text, lookup);
  assert.equal(e.text, 'fields @timestamp, level | filter level = "WARN" | sort @timestamp desc | limit 10');
  assert.deepEqual(e.diagnostics, []);
  assert.deepEqual(
    e.invocations.map((i) => [
      i.name,
      text.slice(i.span.start, i.span.end),
      e.text.slice(i.expandedSpan.start, i.expandedSpan.end),
    ]),
    [
      ['ErrorsByLevel', '$ErrorsByLevel(logLevel = "WARN")', 'fields @timestamp, level | filter level = "WARN"'],
      ['RecentN', '$RecentN(count = 10)', 'sort @timestamp desc | limit 10'],
    ],
  );
  const q = parseQuery(e.text);
  assert.ok(q.query);
  const b = expandSavedQueries('$`Errors By App`(app = "shop") | stats count(*)', lookup);
  assert.equal(b.text, 'filter app = "shop" and code >= 500 | stats count(*)');
  const c = expandSavedQueries('$`Errors By App`(app = "shop", min = -1)', lookup);
  assert.equal(c.text, 'filter app = "shop" and code >= -1');
});

test('errors: unknown saved query, required parameters, duplicates, unknown parameter', () => {
  const u = expandSavedQueries('fields a | $Nope()', lookup);
  assert.deepEqual(
    u.diagnostics.map((d) => [d.code, d.column]),
    [['SAVED_UNKNOWN_QUERY', 12]],
  );
  const r = expandSavedQueries('$RecentN()', lookup);
  assert.deepEqual(
    r.diagnostics.map((d) => d.code),
    ['SAVED_REQUIRED_PARAMETERS'],
  );
  assert.match(r.diagnostics[0].message, /^Required parameters not found in queryString: count/);
  const d = expandSavedQueries('$RecentN(count = 1, count = 2)', lookup);
  assert.deepEqual(
    d.diagnostics.map((x) => [x.code, x.message]),
    [['SAVED_DUPLICATE_PARAMETER', 'Duplicate parameter name: count']],
  );
  const k = expandSavedQueries('$RecentN(count = 1, colour = 2)', lookup);
  assert.deepEqual(
    k.diagnostics.map((x) => x.code),
    ['SAVED_UNKNOWN_PARAMETER'],
  );
  // A failed invocation is left in the text, so the parser also refuses it.
  assert.equal(k.text, '$RecentN(count = 1, colour = 2)');
});

test('errors: at most 20 parameters', () => {
  const params = Array.from({ length: 21 }, (_, i) => `p${i} = ${i}`).join(', ');
  const many: SavedQuery = {
    name: 'Many',
    queryString: Array.from({ length: 21 }, (_, i) => `{{p${i}}}`).join(' + '),
    parameters: Array.from({ length: 21 }, (_, i) => ({ name: `p${i}` })),
  };
  const e = expandSavedQueries(`$Many(${params})`, (n) => (n === 'Many' ? many : undefined));
  assert.ok(
    e.diagnostics.some(
      (d) =>
        d.code === 'SAVED_TOO_MANY_PARAMETERS' && d.message.startsWith('Parameter count exceeds the maximum of 20'),
    ),
  );
  const twenty: SavedQuery = { ...many, queryString: 'fields a', parameters: many.parameters?.slice(0, 20) };
  const ok20 = expandSavedQueries(
    `$T(${Array.from({ length: 20 }, (_, i) => `p${i} = ${i}`).join(', ')})`,
    () => twenty,
  );
  assert.deepEqual(ok20.diagnostics, []);
});

test('errors: a saved query may not invoke another', () => {
  const e = expandSavedQueries('$Nested()', lookup);
  assert.deepEqual(
    e.diagnostics.map((d) => d.code),
    ['SAVED_NESTED'],
  );
});

test('errors: the expanded query is at most 10,000 characters (configurable)', () => {
  const big: SavedQuery = { name: 'Big', queryString: `fields ${'a'.repeat(9993)}` }; // exactly 10,000 characters
  const e = expandSavedQueries('$Big() | limit 1', () => big);
  assert.deepEqual(
    e.diagnostics.map((d) => [d.code, d.column]),
    [['SAVED_TOO_LONG', 0]],
  );
  assert.match(e.diagnostics[0].message, /10010 characters long, more than the maximum of 10000/);
  assert.deepEqual(expandSavedQueries('$Big()', () => big).diagnostics, []);
  assert.deepEqual(
    expandSavedQueries('$Plain() | limit 1', lookup, { maxLength: 10 }).diagnostics.map((d) => d.code),
    ['SAVED_TOO_LONG'],
  );
});

test('errors: malformed invocations are SAVED_SYNTAX against the original text', () => {
  for (const text of ['$ Plain()', '$Plain(x)', '$Plain(x = )', '$Plain(x = 1 y = 2)', 'fields a |\n  $Plain(x = 1']) {
    const e = expandSavedQueries(text, lookup);
    assert.deepEqual(
      e.diagnostics.map((d) => d.code),
      ['SAVED_SYNTAX'],
      text,
    );
    const d = e.diagnostics[0];
    assert.ok(d.span.start >= 0 && d.span.end <= text.length, text);
  }
  // The missing ) is reported where it is missing: the end of line 2.
  const last = expandSavedQueries('fields a |\n  $Plain(x = 1', lookup).diagnostics[0];
  assert.deepEqual([last.line, last.column], [2, 14]);
});

test('spans map back to the original text: outside an expansion shifted, inside it the invocation', () => {
  const text = '$RecentN(count = 10) | sort f(x)';
  const e = expandSavedQueries(text, lookup);
  assert.equal(e.text, 'sort @timestamp desc | limit 10 | sort f(x)');
  const r = parseQuery(e.text);
  const mapped = diagnosticsToOriginal(text, e, r.diagnostics);
  assert.equal(mapped.length, 1);
  assert.equal(text.slice(mapped[0].span.start, mapped[0].span.end), '(');
  assert.equal(mapped[0].column, 29);
  // An error inside the expansion points at the invocation and names the saved query.
  const t2 = 'fields x | $Broken()';
  const e2 = expandSavedQueries(t2, lookup);
  const m2 = diagnosticsToOriginal(t2, e2, parseQuery(e2.text).diagnostics);
  assert.equal(m2.length, 1);
  assert.equal(t2.slice(m2[0].span.start, m2[0].span.end), '$Broken()');
  assert.match(m2[0].message, /\(in saved query Broken\)$/);
  assert.equal(m2[0].column, 11);
});

test('a lookup that throws counts as an unknown saved query', () => {
  const e = expandSavedQueries('$X()', () => {
    throw new Error('store unavailable');
  });
  assert.deepEqual(
    e.diagnostics.map((d) => d.code),
    ['SAVED_UNKNOWN_QUERY'],
  );
});
