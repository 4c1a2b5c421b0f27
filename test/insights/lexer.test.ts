import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tokenize, decodeStringBody, durationUnit, type Token } from '../../src/insights/lexer.js';

const kinds = (text: string): string[] => tokenize(text).map((t) => t.kind);
const pick = (text: string): [string, string][] =>
  tokenize(text)
    .filter((t) => t.kind !== 'eof')
    .map((t) => [t.kind, t.value]);

test('every token carries its exact span', () => {
  const text = 'fields  @timestamp, `detail-type` | filter x >= 10';
  for (const t of tokenize(text)) {
    if (t.kind === 'eof') {
      assert.equal(t.start, text.length);
      continue;
    }
    assert.equal(text.slice(t.start, t.end), t.text);
  }
});

test('field names with letters, digits, _, . and @ are one token', () => {
  assert.deepEqual(pick('requestMetadata.application_name @timestamp timeline.0.elapsedMs @aws.region'), [
    ['name', 'requestMetadata.application_name'],
    ['name', '@timestamp'],
    ['name', 'timeline.0.elapsedMs'],
    ['name', '@aws.region'],
  ]);
});

test('backtick names, and @ outside the backticks', () => {
  assert.deepEqual(pick('`detail-type` @`aws.tag.aws:cloudformation:stack-name`'), [
    ['quotedName', 'detail-type'],
    ['quotedName', '@aws.tag.aws:cloudformation:stack-name'],
  ]);
});

test('a trailing dot before a backtick segment is an access dot', () => {
  assert.deepEqual(pick('json_message.`user.id`'), [
    ['name', 'json_message'],
    ['dot', '.'],
    ['quotedName', 'user.id'],
  ]);
});

test('strings in single and double quotes decode \\t \\n \\r \\" \\\' \\\\ and keep other pairs', () => {
  const [a, b] = tokenize(String.raw`"a\tb\nc\rd\"e\\f\'g" 'x\dy\'z'`);
  assert.equal(a.kind, 'string');
  assert.equal(a.value, 'a\tb\nc\rd"e\\f\'g');
  assert.equal(b.value, "x\\dy'z");
  assert.equal(decodeStringBody(String.raw`azul.*\t*`), 'azul.*\t*');
});

test('numbers: integers, decimals, exponents', () => {
  const nums = tokenize('2000 0.5 1e3 2.5E-4 7e+2')
    .filter((t) => t.kind === 'number')
    .map((t) => t.num);
  assert.deepEqual(nums, [2000, 0.5, 1000, 0.00025, 700]);
});

test('durations: every spelling maps to its canonical unit', () => {
  const cases: [string, number, string][] = [
    ['5m', 5, 'm'],
    ['1h', 1, 'h'],
    ['30s', 30, 's'],
    ['1d', 1, 'd'],
    ['2hrs', 2, 'h'],
    ['10mins', 10, 'm'],
    ['1w', 1, 'w'],
    ['3mo', 3, 'mo'],
    ['1q', 1, 'q'],
    ['1y', 1, 'y'],
    ['100ms', 100, 'ms'],
    ['5minute', 5, 'm'],
    ['5minutes', 5, 'm'],
    ['2hour', 2, 'h'],
    ['2hr', 2, 'h'],
    ['3sec', 3, 's'],
    ['3secs', 3, 's'],
    ['4second', 4, 's'],
    ['10msec', 10, 'ms'],
    ['10millisecond', 10, 'ms'],
    ['10milliseconds', 10, 'ms'],
    ['2day', 2, 'd'],
    ['2days', 2, 'd'],
    ['1week', 1, 'w'],
    ['2weeks', 2, 'w'],
    ['1month', 1, 'mo'],
    ['2mon', 2, 'mo'],
    ['2mons', 2, 'mo'],
    ['1quarter', 1, 'q'],
    ['1qtr', 1, 'q'],
    ['2qtrs', 2, 'q'],
    ['1year', 1, 'y'],
    ['2yr', 2, 'y'],
    ['2yrs', 2, 'y'],
    ['5M', 5, 'm'],
  ];
  for (const [text, amount, unit] of cases) {
    const [t] = tokenize(text);
    assert.equal(t.kind, 'duration', text);
    assert.equal(t.num, amount, text);
    assert.equal(t.unit, unit, text);
  }
  assert.equal(durationUnit('hours'), 'h');
  assert.equal(durationUnit('fortnight'), undefined);
});

test('a digit-led word that is not a number or duration is a name', () => {
  assert.deepEqual(pick('2xx 1e'), [
    ['name', '2xx'],
    ['name', '1e'],
  ]);
});

test('regex literals keep their escapes, turn \\/ into / and are told apart from division by position', () => {
  assert.deepEqual(pick(String.raw`filter x like /[A-Z_]+\/[0-9]{3}/`).slice(3), [['regex', '[A-Z_]+/[0-9]{3}']]);
  assert.deepEqual(pick(String.raw`filter f =~ /^(?i)Exception$/`).slice(3), [['regex', '^(?i)Exception$']]);
  // Division after an operand.
  assert.deepEqual(kinds('fields a / b'), ['name', 'name', 'op', 'name', 'eof']);
  assert.deepEqual(kinds('stats sum(x)/1024/1024'), [
    'name',
    'name',
    'lparen',
    'name',
    'rparen',
    'op',
    'number',
    'op',
    'number',
    'eof',
  ]);
  assert.deepEqual(kinds('fields 10 / 2'), ['name', 'number', 'op', 'number', 'eof']);
  // A regex as a function argument.
  assert.equal(tokenize('fields regexReplace(x, /a b/, "c")')[5].kind, 'regex');
  // In a parse command, the pattern after a field is a regex, not a division.
  assert.deepEqual(pick(String.raw`parse path /(?<p>.*?)$/`), [
    ['name', 'parse'],
    ['name', 'path'],
    ['regex', '(?<p>.*?)$'],
  ]);
  // …and the next segment is arithmetic again.
  assert.deepEqual(kinds('parse x /(?<a>.)/ | fields a / 2').slice(-4), ['name', 'op', 'number', 'eof']);
});

test('# comments run to the end of the line outside literals', () => {
  assert.deepEqual(pick('fields a # a comment | filter b\n| limit 1'), [
    ['name', 'fields'],
    ['name', 'a'],
    ['pipe', '|'],
    ['name', 'limit'],
    ['number', '1'],
  ]);
  assert.deepEqual(pick('filter x = "a#b" and y like /c#d/ and `e#f` = 1'), [
    ['name', 'filter'],
    ['name', 'x'],
    ['op', '='],
    ['string', 'a#b'],
    ['name', 'and'],
    ['name', 'y'],
    ['name', 'like'],
    ['regex', 'c#d'],
    ['name', 'and'],
    ['quotedName', 'e#f'],
    ['op', '='],
    ['number', '1'],
  ]);
  // A trailing comment right after a regex literal (research O8).
  assert.deepEqual(pick('parse path /(?<p>x)/ # chop off / the rest'), [
    ['name', 'parse'],
    ['name', 'path'],
    ['regex', '(?<p>x)'],
  ]);
  // A whole-line "# | …" segment disappears.
  assert.deepEqual(kinds('fields a\n# | filter b\n| limit 1'), ['name', 'name', 'pipe', 'name', 'number', 'eof']);
});

test('operators, including the two-character ones', () => {
  // `/` right after another operator would open a regex, so it sits between operands here.
  assert.deepEqual(
    pick('+ - * % ^ = != < <= > >= =~ ! a / b').map(([, v]) => v),
    ['+', '-', '*', '%', '^', '=', '!=', '<', '<=', '>', '>=', '=~', '!', 'a', '/', 'b'],
  );
});

test('punctuation: pipes, parentheses, brackets, commas, colons, dollars', () => {
  assert.deepEqual(kinds('| ( ) [ ] , : $'), [
    'pipe',
    'lparen',
    'rparen',
    'lbracket',
    'rbracket',
    'comma',
    'colon',
    'dollar',
    'eof',
  ]);
});

test('lexical errors become error tokens, never exceptions', () => {
  const err = (text: string): Token | undefined => tokenize(text).find((t) => t.kind === 'error');
  assert.equal(err('filter x = "abc')?.value, 'LEX_UNTERMINATED_STRING');
  assert.equal(err('filter x like /abc')?.value, 'LEX_UNTERMINATED_REGEX');
  assert.equal(err('fields `abc')?.value, 'LEX_UNTERMINATED_BACKTICK');
  assert.equal(err('fields a ; b')?.value, 'LEX_UNEXPECTED_CHAR');
  const emoji = err('fields 😀');
  assert.equal(emoji?.text, '😀');
});

test('spaceBefore records whitespace and comments before a token', () => {
  const t = tokenize('a b#c\nd(e');
  assert.deepEqual(
    t.map((x) => x.spaceBefore),
    [false, true, true, false, false, false],
  );
});

test('bare names are ASCII; other names need backticks', () => {
  assert.deepEqual(pick('café'), [
    ['name', 'caf'],
    ['error', 'LEX_UNEXPECTED_CHAR'],
  ]);
  assert.deepEqual(pick('`café.prix`'), [['quotedName', 'café.prix']]);
});
