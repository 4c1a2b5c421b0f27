import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseQuery } from '../../src/insights/parser.js';
import { cond, one, sx } from './parser-helpers.js';

test('precedence follows spec §4.1: or < and < comparison < + - < * / % < ^ < unary < call/access', () => {
  assert.equal(cond('a or b and c'), '(or a (and b c))');
  assert.equal(cond('a and b or c'), '(or (and a b) c)');
  assert.equal(cond('a = 1 and b > 2'), '(and (= a #1) (> b #2))');
  assert.equal(cond('a + b * c > d - e / f'), '(> (+ a (* b c)) (- d (/ e f)))');
  assert.equal(cond('a % b * c'), '(* (% a b) c)');
  assert.equal(cond('a * b ^ c'), '(* a (^ b c))');
  assert.equal(cond('-a ^ 2'), '(^ (- a) #2)');
  assert.equal(cond('!ispresent(x) and y'), '(and (not ispresent(x)) y)');
  assert.equal(cond('a - b - c'), '(- (- a b) c)');
  assert.equal(cond('a / b / c'), '(/ (/ a b) c)');
});

test('^ is right-associative', () => {
  assert.equal(cond('2 ^ 3 ^ 2 = x'), '(= (^ #2 (^ #3 #2)) x)');
});

test('parentheses override precedence and belong to the operand text', () => {
  assert.equal(cond('(a or b) and c'), '(and (or a b) c)');
  const c = one('fields (a + b) * 2 as x');
  if (c.kind === 'fields') {
    assert.equal(sx(c.items[0].expr), '(* (+ a b) #2)');
    assert.equal(c.items[0].text, '(a + b) * 2');
  }
});

test('not and !: prefix negation; not binds tighter than comparisons (spec §4.1) and warns when that matters', () => {
  assert.equal(cond('not ispresent(x)'), '(not ispresent(x))');
  assert.equal(cond('not (a = 1)'), '(not (= a #1))');
  assert.equal(cond('!(a = 1 or b = 2)'), '(not (or (= a #1) (= b #2)))');
  const r = parseQuery('filter not a = 1');
  assert.ok(r.query);
  assert.deepEqual(
    r.diagnostics.map((d) => [d.code, d.severity, d.column]),
    [['PARSE_NOT_PRECEDENCE', 'warning', 7]],
  );
  const f = r.query?.commands[0];
  if (f?.kind === 'filter') assert.equal(sx(f.condition), '(= (not a) #1)');
});

test('comparison operators', () => {
  assert.equal(
    cond('a = 1 or a != 2 or a < 3 or a <= 4 or a > 5 or a >= 6'),
    '(or (or (or (or (or (= a #1) (!= a #2)) (< a #3)) (<= a #4)) (> a #5)) (>= a #6))',
  );
});

test('like / not like / =~ with strings and regexes', () => {
  assert.equal(cond('f1 like /(?i)Exception/'), '(like f1 /(?i)Exception/)');
  assert.equal(cond('f1 =~ /^(?i)Exception$/'), '(like f1 /^(?i)Exception$/)');
  assert.equal(cond('message like "resuming normal operations"'), '(like message "resuming normal operations")');
  assert.equal(cond("status not like '200'"), '(not-like status "200")');
  assert.equal(cond('x NOT LIKE /a/'), '(not-like x /a/)');
  assert.equal(cond('x =~ "text"'), '(like x "text")');
  assert.equal(
    cond("(dstAddr like 'x.x.x.x' and srcAddr like 'y.y.')"),
    '(and (like dstAddr "x.x.x.x") (like srcAddr "y.y."))',
  );
});

test('in / not in with lists of mixed literals', () => {
  assert.equal(cond('statusCode in [300,400,500]'), '(in statusCode [#300 #400 #500])');
  assert.equal(cond('Type not in ["foo","bar",1]'), '(not-in Type ["foo" "bar" #1])');
  assert.equal(cond('x IN []'), '(in x [])');
  assert.equal(cond('a in [1] and b'), '(and (in a [#1]) b)');
});

test('function calls: any name, nesting, star, no arguments, case kept in name and lowered in lname', () => {
  assert.equal(cond('isIpv4InSubnet(srcAddr, "192.0.2.0/24")'), 'isIpv4InSubnet(srcAddr "192.0.2.0/24")');
  assert.equal(cond('MAX(strlen(@message)) > 1'), '(> MAX(strlen(@message)) #1)');
  assert.equal(cond('now() > 0'), '(> now() #0)');
  assert.equal(cond('myFutureFunction(1, 2, 3)'), 'myFutureFunction(#1 #2 #3)');
  const c = one('stats count_over_time(*)');
  if (c.kind === 'stats') assert.equal(sx(c.aggregates[0].expr), 'count_over_time(*)');
});

test('access after calls: .key, [0], ["key"], .`odd key`, .0', () => {
  assert.equal(cond('jsonParse(@message).user.name = "x"'), '(= (. (. jsonParse(@message) "user") "name") "x")');
  assert.equal(cond('jsonParse(x)[0] = 1'), '(= (. jsonParse(x) #0) #1)');
  assert.equal(cond('jsonParse(x)["a b"] = 1'), '(= (. jsonParse(x) "a b") #1)');
  assert.equal(cond('json.users[1].action = 1'), '(= (. (. json.users #1) "action") #1)');
  assert.equal(cond('json_message.`user.id` = 1'), '(= (. json_message "user.id") #1)');
  assert.equal(cond('split(x, ",").0 = "a"'), '(= (. split(x ",") #0) "a")');
});

test('literals: numbers, strings, booleans, durations, regexes, lists, negative numbers', () => {
  assert.equal(cond('x = 0.5'), '(= x #0.5)');
  assert.equal(cond('x = 1e3'), '(= x #1000)');
  assert.equal(cond('x = -3'), '(= x (- #3))');
  assert.equal(cond('x = \'single\' or x = "double"'), '(or (= x "single") (= x "double"))');
  assert.equal(cond('strcontains(x, "y", true) or f(FALSE)'), '(or strcontains(x "y" true) f(false))');
  assert.equal(cond('x = [1, "a", [2]]'), '(= x [#1 "a" [#2]])');
  const c = one('stats count(*) by bin(5m), datefloor(@timestamp, 1h), dateceil(@t, 10 minutes), bin(2 hours)');
  if (c.kind === 'stats')
    assert.deepEqual(
      c.groupBy.map((p) => sx(p.expr)),
      ['bin(5m)', 'datefloor(@timestamp 1h)', 'dateceil(@t 10m)', 'bin(2h)'],
    );
  if (c.kind === 'stats') {
    const spaced = c.groupBy[3].expr;
    assert.ok(spaced.kind === 'call' && spaced.args[0].kind === 'duration' && spaced.args[0].text === '2 hours');
  }
  const n = one('fields 1.50 as x');
  if (n.kind === 'fields' && n.items[0].expr.kind === 'number') assert.equal(n.items[0].expr.text, '1.50');
});

test('regex literal vs division decided by position', () => {
  assert.equal(cond('a / b > c'), '(> (/ a b) c)');
  assert.equal(cond('a like /b/'), '(like a /b/)');
  assert.equal(cond('(a) / 2 = 1'), '(= (/ a #2) #1)');
  assert.equal(cond('regexReplace(x, /a\\/b/, "") = ""'), '(= regexReplace(x /a/b/ "") "")');
});

test('backtick field references are quoted fields; @`…` keeps the @', () => {
  assert.equal(
    cond('@`aws.tag.aws:cloudformation:stack-name` = "my-stack"'),
    '(= `@aws.tag.aws:cloudformation:stack-name` "my-stack")',
  );
  const c = one('fields `output.outputBodyJson.0.amazon-bedrock-invocationMetrics.inputTokenCount`');
  if (c.kind === 'fields') {
    const e = c.items[0].expr;
    assert.ok(
      e.kind === 'field' &&
        e.quoted &&
        e.name === 'output.outputBodyJson.0.amazon-bedrock-invocationMetrics.inputTokenCount',
    );
  }
});

test('every expression node span covers exactly its source text', () => {
  const text = 'filter (a + b) * 2 > 3 and x like /y/ and z in [1, 2] and f(g(1), "s").k[0] = -1';
  const r = parseQuery(text);
  assert.ok(r.query);
  const f = r.query?.commands[0];
  if (f?.kind !== 'filter') return;
  const seen: string[] = [];
  const visit = (e: import('../../src/insights/ast.js').Expr): void => {
    seen.push(text.slice(e.span.start, e.span.end));
    if (e.kind === 'binary') {
      visit(e.left);
      visit(e.right);
    }
    if (e.kind === 'unary') visit(e.operand);
    if (e.kind === 'like') {
      visit(e.subject);
      visit(e.pattern);
    }
    if (e.kind === 'in') {
      visit(e.subject);
      visit(e.list);
    }
    if (e.kind === 'list') e.items.forEach(visit);
    if (e.kind === 'call') e.args.forEach(visit);
    if (e.kind === 'access') visit(e.object);
  };
  visit(f.condition);
  assert.deepEqual(seen, [
    '(a + b) * 2 > 3 and x like /y/ and z in [1, 2] and f(g(1), "s").k[0] = -1',
    '(a + b) * 2 > 3 and x like /y/ and z in [1, 2]',
    '(a + b) * 2 > 3 and x like /y/',
    '(a + b) * 2 > 3',
    '(a + b) * 2',
    '(a + b)',
    'a',
    'b',
    '2',
    '3',
    'x like /y/',
    'x',
    '/y/',
    'z in [1, 2]',
    'z',
    '[1, 2]',
    '1',
    '2',
    'f(g(1), "s").k[0] = -1',
    'f(g(1), "s").k[0]',
    'f(g(1), "s").k',
    'f(g(1), "s")',
    'g(1)',
    '1',
    '"s"',
    '-1',
    '1',
  ]);
});
