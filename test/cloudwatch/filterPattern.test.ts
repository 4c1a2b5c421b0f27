import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  compileFilterPattern,
  dimensionValueOf,
  matchFilterPattern,
  metricValueOf,
  parseFilterPattern,
  splitDelimited,
} from '../../src/cloudwatch/filterPattern.js';
import { WorkMeter } from '../../src/cloudwatch/work.js';

const m = (pattern: string, message: string): boolean => compileFilterPattern(pattern)(message) !== null;

test('term patterns: AND, phrases, ?OR, -exclusion, case-sensitive, empty matches all', () => {
  assert.ok(m('', 'anything'));
  assert.ok(m('ERROR', '[ERROR] 400 BAD REQUEST'));
  assert.ok(!m('ERROR', '[error] 400'));
  assert.ok(m('ERROR 400', '[ERROR] 400 BAD REQUEST'));
  assert.ok(!m('ERROR 500', '[ERROR] 400 BAD REQUEST'));
  assert.ok(m('"BAD REQUEST"', '[ERROR] 400 BAD REQUEST'));
  assert.ok(!m('"BAD  REQUEST"', '[ERROR] 400 BAD REQUEST'));
  assert.ok(m('?ERROR ?WARN', 'WARN disk'));
  assert.ok(!m('?ERROR ?WARN', 'INFO ok'));
  assert.ok(m('ERROR -Exiting', 'ERROR retrying'));
  assert.ok(!m('ERROR -Exiting', 'ERROR Exiting now'));
  assert.ok(m('%[Ee]rror|[Ff]ail%', 'it will fail'));
  assert.ok(!m('%^fail%', 'it will fail'));
});

test('regex limits: no groups, at most two', () => {
  assert.throws(() => parseFilterPattern('%(a|b)%'), /groups/);
  assert.throws(() => parseFilterPattern('%a% %b% %c%'), /at most 2/);
});

const rec = JSON.stringify({
  modelId: 'anthropic.claude-3-haiku',
  input: { inputTokenCount: 6120 },
  output: { outputTokenCount: 12 },
  requestMetadata: { application_name: 'chatbot' },
  flag: true,
  gone: null,
  tags: ['a', 'b'],
  users: [{ id: 7 }, { id: 9 }],
});

test('JSON patterns: numeric and string comparisons, wildcards, && || and parentheses', () => {
  assert.ok(m('{ $.input.inputTokenCount > 5000 }', rec));
  assert.ok(!m('{ $.input.inputTokenCount > 7000 }', rec));
  assert.ok(m('{ $.input.inputTokenCount >= 6120 && $.input.inputTokenCount <= 6120 }', rec));
  assert.ok(m('{ $.input.inputTokenCount = 6120 }', rec));
  assert.ok(m('{ $.input.inputTokenCount != 6121 }', rec));
  assert.ok(m('{ $.requestMetadata.application_name = "chatbot" && $.input.inputTokenCount > 5000 }', rec));
  assert.ok(m('{ $.requestMetadata.application_name = chatbot }', rec));
  assert.ok(m('{ $.modelId = "anthropic.*" }', rec));
  assert.ok(m('{ $.modelId = *haiku }', rec));
  assert.ok(!m('{ $.modelId = "*sonnet*" }', rec));
  assert.ok(m('{ $.modelId = %claude-3% }', rec));
  assert.ok(m('{ ($.output.outputTokenCount > 100 || $.modelId = "x") || $.flag IS TRUE }', rec));
  assert.ok(!m('{ $.output.outputTokenCount > 100 || $.modelId = "x" }', rec));
  assert.ok(m('{ $.gone IS NULL }', rec));
  assert.ok(m('{ $.nothing NOT EXISTS }', rec));
  assert.ok(!m('{ $.modelId NOT EXISTS }', rec));
  assert.ok(m('{ $.modelId = * }', rec));
  assert.ok(!m('{ $.nothing = * }', rec));
  assert.ok(m('{ $.tags[1] = "b" }', rec));
  assert.ok(m('{ $.users[1].id = 9 }', rec));
  assert.ok(m('{ $.users[*].id = 9 }', rec));
  assert.ok(m('{ $.input.inputTokenCount < 10e3 }', rec));
  assert.ok(m('{ $.input.inputTokenCount > +1000 }', rec));
  // An object or array is not a scalar: = and != are both false.
  assert.ok(!m('{ $.input = "x" }', rec));
  assert.ok(!m('{ $.input != "x" }', rec));
  // Not JSON never matches a JSON pattern.
  assert.ok(!m('{ $.a = 1 }', 'plain text a=1'));
});

test('JSON pattern syntax errors are reported', () => {
  assert.throws(() => parseFilterPattern('{ $.a > "x" }'), /compares numbers/);
  assert.throws(() => parseFilterPattern('{ $.a = 1'), /end with \}/);
  assert.throws(() => parseFilterPattern('{ a = 1 }'), /selector/);
  assert.throws(() => parseFilterPattern('{ ($.a = 1 }'), /parenthes/);
});

const apache = '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 404 1534';

test('space-delimited patterns: fields, [..] and "..." as one field, ellipsis, conditions', () => {
  const full = compileFilterPattern('[ip, user, username, timestamp, request, status_code, bytes]')(apache);
  assert.deepEqual(full?.extractedValues, {
    $ip: '127.0.0.1',
    $user: '-',
    $username: 'frank',
    $timestamp: '10/Oct/2000:13:25:15 -0700',
    $request: 'GET /apache_pb.gif HTTP/1.0',
    $status_code: '404',
    $bytes: '1534',
  });
  assert.ok(m('[ip, user, username, timestamp, request = *gif*, status_code = 4*, bytes > 1000]', apache));
  assert.ok(!m('[ip, user, username, timestamp, request, status_code = 5*, bytes]', apache));
  assert.ok(!m('[ip, user, username]', apache));
  const tail = compileFilterPattern('[..., status_code = 404, bytes]')(apache);
  assert.deepEqual(tail?.extractedValues, { $status_code: '404', $bytes: '1534' });
  assert.ok(m('[..., status_code = 401 || status_code = 404, bytes]', apache));
  assert.ok(m('[ip, ..., bytes > 1500]', apache));
  assert.ok(!m('[ip, ..., bytes < 1500]', apache));
});

test('metric values and dimensions from matches', () => {
  const jp = parseFilterPattern('{ $.input.inputTokenCount > 5000 }');
  const r = matchFilterPattern(jp, rec)!;
  assert.equal(metricValueOf('1', rec, r), 1);
  assert.equal(metricValueOf('$.input.inputTokenCount', rec, r), 6120);
  assert.equal(metricValueOf('$.modelId', rec, r), undefined);
  assert.equal(dimensionValueOf('$.requestMetadata.application_name', rec, r), 'chatbot');
  const dp = parseFilterPattern('[..., status_code, bytes]');
  const r2 = matchFilterPattern(dp, apache)!;
  assert.equal(metricValueOf('$bytes', apache, r2), 1534);
  assert.equal(dimensionValueOf('$status_code', apache, r2), '404');
});

test("space-delimited conditions test their own field; another field's name is refused", () => {
  assert.ok(m('[a, b = x || b = y, c]', 'p y q'));
  assert.throws(() => parseFilterPattern('[a, b = x || a = y, c]'), /each field's conditions test that field only/);
});

test('work is charged per byte examined and stops a match that needs too much', () => {
  const p = parseFilterPattern('?a ?b ?c');
  const work = new WorkMeter(1_000);
  assert.equal(matchFilterPattern(p, 'x'.repeat(300), work), null);
  assert.equal(work.spent, 900);
  assert.throws(
    () => matchFilterPattern(p, 'x'.repeat(300), work),
    (e: Error & { code?: string }) => e.code === 'FILTER_WORK_LIMIT',
  );
  // Splitting a message of unclosed quotes and brackets reads it once.
  const split = new WorkMeter(Number.POSITIVE_INFINITY);
  const hostile = '[ '.repeat(200_000);
  const t0 = performance.now();
  assert.equal(splitDelimited(hostile, split).length, 200_000);
  assert.equal(split.spent, hostile.length);
  assert.ok(performance.now() - t0 < 2_000);
});
