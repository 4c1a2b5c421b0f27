import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseQuery } from '../../src/insights/parser.js';
import { ok, one, sx, bad } from './parser-helpers.js';

test('fields: expressions, aliases, @ aliases, backtick names and written text', () => {
  const text = "fields `foo-bar`, action, abs(f3-f4), concat(Operation, '-', StatusCode) as opStatus, bin(5m) as @t";
  const c = one(text);
  assert.equal(c.kind, 'fields');
  if (c.kind !== 'fields') return;
  assert.deepEqual(
    c.items.map((p) => [p.text, p.alias?.name ?? null]),
    [
      ['`foo-bar`', null],
      ['action', null],
      ['abs(f3-f4)', null],
      ["concat(Operation, '-', StatusCode)", 'opStatus'],
      ['bin(5m)', '@t'],
    ],
  );
  assert.deepEqual(
    c.items.map((p) => sx(p.expr)),
    ['`foo-bar`', 'action', 'abs((- f3 f4))', 'concat(Operation "-" StatusCode)', 'bin(5m)'],
  );
  // Projection spans cover the expression and its alias.
  const last = c.items[4];
  assert.equal(text.slice(last.span.start, last.span.end), 'bin(5m) as @t');
  assert.equal(text.slice(c.span.start, c.span.end), text);
});

test('display: expressions with aliases', () => {
  const c = one('DISPLAY loggingMessage, loggingType = "ERROR" as isError');
  assert.ok(c.kind === 'display');
  if (c.kind === 'display')
    assert.deepEqual(
      c.items.map((p) => [sx(p.expr), p.alias?.name ?? null]),
      [
        ['loggingMessage', null],
        ['(= loggingType "ERROR")', 'isError'],
      ],
    );
});

test('filter and where', () => {
  const f = one('filter (range>3000 and accountId=123456789012)');
  assert.ok(f.kind === 'filter' && f.keyword === 'filter');
  if (f.kind === 'filter') assert.equal(sx(f.condition), '(and (> range #3000) (= accountId #123456789012))');
  const w = one('WHERE x = 1');
  assert.ok(w.kind === 'filter' && w.keyword === 'where');
});

test('filterIndex with = and in', () => {
  const a = one('filterIndex requestId = "abc"');
  assert.ok(a.kind === 'filterIndex');
  if (a.kind === 'filterIndex') assert.equal(sx(a.condition), '(= requestId "abc")');
  const b = one('filterindex region in ["us-east-1", "eu-west-1"]');
  assert.ok(b.kind === 'filterIndex');
  if (b.kind === 'filterIndex') assert.equal(sx(b.condition), '(in region ["us-east-1" "eu-west-1"])');
});

test('stats: several aggregates, by keys with aliases, aggregates inside expressions, no by', () => {
  const text =
    'stats sum(requests) / count(*) AS avg_session_requests, max(@memorySize / 1000 / 1000) as mem, pct(@duration, 95) by bin(5m) as @t, @logStream';
  const c = one(text);
  assert.ok(c.kind === 'stats');
  if (c.kind !== 'stats') return;
  assert.deepEqual(
    c.aggregates.map((p) => [sx(p.expr), p.alias?.name ?? null, p.text]),
    [
      ['(/ sum(requests) count(*))', 'avg_session_requests', 'sum(requests) / count(*)'],
      ['max((/ (/ @memorySize #1000) #1000))', 'mem', 'max(@memorySize / 1000 / 1000)'],
      ['pct(@duration #95)', null, 'pct(@duration, 95)'],
    ],
  );
  assert.deepEqual(
    c.groupBy.map((p) => [sx(p.expr), p.alias?.name ?? null, p.text]),
    [
      ['bin(5m)', '@t', 'bin(5m)'],
      ['@logStream', null, '@logStream'],
    ],
  );
  const noBy = one('stats count(*)');
  assert.ok(noBy.kind === 'stats' && noBy.groupBy.length === 0);
  // count() with no argument and count(*) are both calls named count.
  const counts = one('stats count(), COUNT(*), count_distinct(x)');
  assert.ok(counts.kind === 'stats');
  if (counts.kind === 'stats') {
    assert.deepEqual(
      counts.aggregates.map((p) => [p.text, p.expr.kind === 'call' ? p.expr.lname : '']),
      [
        ['count()', 'count'],
        ['COUNT(*)', 'count'],
        ['count_distinct(x)', 'count_distinct'],
      ],
    );
  }
});

test('stats: the column text keeps the source as typed (spacing and case)', () => {
  const c = one('stats  SUM( x )  ,  Bin(5m)');
  assert.ok(c.kind === 'stats');
  if (c.kind === 'stats')
    assert.deepEqual(
      c.aggregates.map((p) => p.text),
      ['SUM( x )', 'Bin(5m)'],
    );
});

test('stats: a second stats after fields/filter parses', () => {
  const q = ok(
    'FIELDS strlen(@message) AS message_length | STATS sum(message_length)/1024/1024 as logs_mb BY bin(5m) | STATS max(logs_mb) AS peak_ingest_mb, min(logs_mb) AS min_ingest_mb, avg(logs_mb) AS avg_ingest_mb',
  );
  assert.deepEqual(
    q.commands.map((c) => c.kind),
    ['fields', 'stats', 'stats'],
  );
  const s = q.commands[1];
  if (s.kind === 'stats') assert.equal(sx(s.aggregates[0].expr), '(/ (/ sum(message_length) #1024) #1024)');
});

test('sort: several keys, directions, optional by, backtick keys', () => {
  const c = one('sort eventSource, eventName desc, `a-b` asc');
  assert.ok(c.kind === 'sort');
  if (c.kind === 'sort')
    assert.deepEqual(
      c.keys.map((k) => [k.field.name, k.direction ?? null]),
      [
        ['eventSource', null],
        ['eventName', 'desc'],
        ['a-b', 'asc'],
      ],
    );
  const b = one('sort by @timestamp asc');
  assert.ok(b.kind === 'sort');
  if (b.kind === 'sort')
    assert.deepEqual(
      b.keys.map((k) => [k.field.name, k.direction]),
      [['@timestamp', 'asc']],
    );
  const u = one('SORT num DESC');
  if (u.kind === 'sort') assert.equal(u.keys[0].direction, 'desc');
});

test('limit N, limit any N, head N', () => {
  assert.deepEqual(stripSpan(one('limit 25')), { kind: 'limit', count: 25, any: false });
  assert.deepEqual(stripSpan(one('limit any 100')), { kind: 'limit', count: 100, any: true });
  assert.deepEqual(stripSpan(one('head 5')), { kind: 'limit', count: 5, any: false });
  assert.deepEqual(stripSpan(one('limit 100000')), { kind: 'limit', count: 100000, any: false });
});

test('parse glob on @message (implicit) and on a field, aliases with @', () => {
  const a = one('parse "user=*, method:*, latency := *" as @user, @method, @latency');
  assert.ok(a.kind === 'parse');
  if (a.kind !== 'parse') return;
  assert.equal(a.source, undefined);
  assert.equal(a.mode, 'glob');
  assert.deepEqual(a.pattern && a.pattern.kind === 'string' ? a.pattern.value : null, 'user=*, method:*, latency := *');
  assert.deepEqual(
    a.aliases.map((n) => n.name),
    ['@user', '@method', '@latency'],
  );
  assert.equal(a.multi, false);
  const b = one(String.raw`parse @message 'azul.*\t*' as logger, log_message`);
  assert.ok(b.kind === 'parse');
  if (b.kind !== 'parse') return;
  assert.equal(b.source?.name, '@message');
  assert.equal(b.pattern?.kind === 'string' ? b.pattern.value : null, 'azul.*\t*');
});

test('parse regex: named groups become aliases in order, including (?<@name>…), with spans on the names', () => {
  const text = 'parse @message /user=(?<@user2>.*?), method:(?<method2>.*?),latency := (?<latency2>.*?)/';
  const c = one(text);
  assert.ok(c.kind === 'parse');
  if (c.kind !== 'parse') return;
  assert.equal(c.mode, 'regex');
  assert.deepEqual(
    c.aliases.map((n) => n.name),
    ['@user2', 'method2', 'latency2'],
  );
  for (const n of c.aliases) assert.equal(text.slice(n.span.start, n.span.end), n.name);
  assert.equal(
    c.pattern?.kind === 'regex' ? c.pattern.pattern : null,
    'user=(?<@user2>.*?), method:(?<method2>.*?),latency := (?<latency2>.*?)',
  );
  // Lookbehind and escaped parentheses are not named groups.
  const d = one(String.raw`parse x /\(?<notgroup>(?<=a)(?<real>b)/`);
  if (d.kind === 'parse')
    assert.deepEqual(
      d.aliases.map((n) => n.name),
      ['real'],
    );
});

test('parse regex multi, and the `as … multi` fallback form', () => {
  const a = one(String.raw`parse @message /(?<ip_addr>\d+\.\d+\.\d+\.\d+)/ multi`);
  assert.ok(a.kind === 'parse' && a.multi && a.aliases[0].name === 'ip_addr');
  const b = one(String.raw`parse @message /(\d+\.\d+\.\d+\.\d+)/ as ip_addr multi`);
  assert.ok(b.kind === 'parse' && b.multi && b.aliases.length === 1 && b.aliases[0].name === 'ip_addr');
});

test('parse logfmt and csv', () => {
  const a = one('parse @message logfmt as lf');
  assert.ok(a.kind === 'parse');
  if (a.kind === 'parse') {
    assert.equal(a.mode, 'logfmt');
    assert.equal(a.pattern, undefined);
    assert.deepEqual(
      a.aliases.map((n) => n.name),
      ['lf'],
    );
  }
  const b = one('PARSE @message CSV as a, b, c');
  assert.ok(b.kind === 'parse');
  if (b.kind === 'parse') {
    assert.equal(b.mode, 'csv');
    assert.deepEqual(
      b.aliases.map((n) => n.name),
      ['a', 'b', 'c'],
    );
  }
  const c = one('parse logfmt as lf');
  assert.ok(c.kind === 'parse' && c.source === undefined && c.mode === 'logfmt');
});

test('dedup, unnest … into, expand, fillmissing', () => {
  const d = one('dedup server, `severity-level`');
  assert.ok(d.kind === 'dedup');
  if (d.kind === 'dedup')
    assert.deepEqual(
      d.fields.map((n) => n.name),
      ['server', 'severity-level'],
    );
  const u = one('unnest js.accounts into account');
  assert.ok(u.kind === 'unnest');
  if (u.kind === 'unnest') {
    assert.equal(sx(u.source), 'js.accounts');
    assert.equal(u.into.name, 'account');
  }
  const u2 = one('unnest jsonParse(@message).items into item');
  if (u2.kind === 'unnest') assert.equal(sx(u2.source), '(. jsonParse(@message) "items")');
  const e = one('expand tags');
  assert.ok(e.kind === 'expand' && e.field.name === 'tags');
  const f = one('fillmissing');
  assert.ok(f.kind === 'fillmissing' && f.fills.length === 0);
  const g = one('fillmissing with 0 for count, with "none" for name');
  assert.ok(g.kind === 'fillmissing');
  if (g.kind === 'fillmissing')
    assert.deepEqual(
      g.fills.map((x) => [sx(x.value), x.field.name]),
      [
        ['#0', 'count'],
        ['"none"', 'name'],
      ],
    );
});

test('pattern, diff and anomaly parse into their commands', () => {
  const q = ok('pattern concat(a, "x") | diff previousWeek | anomaly');
  assert.deepEqual(
    q.commands.map((c) => c.kind),
    ['pattern', 'diff', 'anomaly'],
  );
  const [p, d] = q.commands;
  assert.ok(p.kind === 'pattern' && p.source.kind === 'call');
  assert.ok(d.kind === 'diff' && d.period === 'previousWeek');
  const plain = ok('pattern @message | DIFF').commands[1];
  assert.ok(plain.kind === 'diff' && plain.period === undefined);
  assert.equal(parseQuery('pattern @message | diff lastYear').query, undefined);
});

test('tier-3 commands parse into unsupported commands named as written, with their text', () => {
  const cases: [string, string][] = [
    ['logcompare timeshift 7d', 'logcompare'],
    ['relevantfields a, b where x > 1', 'relevantfields'],
    ["join type=left left=a right=b where a.k = b.k (SOURCE '/x' | filter y = 1)", 'join'],
    ['lookup known_hosts ip_address as srcAddr OUTPUTNEW hostname, region', 'lookup'],
    ['cidrlookup nets ip OUTPUT name', 'cidrlookup'],
    ['unmask @message', 'unmask'],
    ['addtotals fieldname=T col=true a, b', 'addtotals'],
    ['autoregress bytes p=1-4', 'autoregress'],
    ['filldown cpu*', 'filldown'],
    ['outlier action=remove param=2.5 latency', 'outlier'],
    ['accum bytes as total', 'accum'],
    ['appendcols max=10 (stats count(*) | limit 1)', 'appendcols'],
    ['sessionize user maxspan 30m as sid', 'sessionize'],
    ['countFrequent a, b', 'countFrequent'],
    ['count_frequent a', 'count_frequent'],
    ['estimate', 'estimate'],
    ['search "x"', 'search'],
    ['order x', 'order'],
    ['tail 10', 'tail'],
    ['LOGCOMPARE timeshift 1d', 'LOGCOMPARE'],
  ];
  for (const [text, name] of cases) {
    const q = ok(`fields @message | ${text} | limit 5`);
    assert.equal(q.commands.length, 3, text);
    const c = q.commands[1];
    assert.equal(c.kind, 'unsupported', text);
    if (c.kind === 'unsupported') {
      assert.equal(c.name, name);
      assert.equal(c.text, text);
    }
  }
});

test('SOURCE: logGroups() with every parameter, short form, bare name, start=/end=, lowercase', () => {
  const a = ok(
    "SOURCE logGroups(namePrefix: ['p1', 'p2'], class: ['INFREQUENT_ACCESS'], accountIdentifiers: ['111122223333']) | fields @message | limit 5",
  );
  assert.deepEqual(stripSpan(a.source), {
    kind: 'source',
    logGroupNames: [],
    namePrefixes: ['p1', 'p2'],
    accountIdentifiers: ['111122223333'],
    classes: ['INFREQUENT_ACCESS'],
    allLogGroups: false,
  });
  assert.equal(a.commands.length, 2);
  const b = ok('source logGroups() | fields @message');
  assert.equal(b.source?.allLogGroups, true);
  const c = ok('SOURCE \'/aws/lambda/x\' | filter errorType = "T"');
  assert.deepEqual(c.source?.logGroupNames, ['/aws/lambda/x']);
  const d = ok('SOURCE lg start=-1d end=now | logcompare timeshift 7d');
  assert.deepEqual([d.source?.logGroupNames, d.source?.start, d.source?.end], [['lg'], '-1d', 'now']);
  const e = ok('SOURCE "/a", "/b" | fields x');
  assert.deepEqual(e.source?.logGroupNames, ['/a', '/b']);
});

test('subquery: x in ( SOURCE … | … )', () => {
  const c = one('filter requestId in (SOURCE \'/aws/lambda/x\' | filter errorType = "T" | fields requestId)');
  assert.ok(c.kind === 'filter');
  if (c.kind !== 'filter') return;
  const inExpr = c.condition;
  assert.ok(inExpr.kind === 'in' && inExpr.list.kind === 'subquery');
  if (inExpr.kind !== 'in' || inExpr.list.kind !== 'subquery') return;
  const sub = inExpr.list.query;
  assert.deepEqual(sub.source?.logGroupNames, ['/aws/lambda/x']);
  assert.deepEqual(
    sub.commands.map((x) => x.kind),
    ['filter', 'fields'],
  );
  const n = one('filter id not in (fields id | filter x > 1)');
  assert.ok(n.kind === 'filter' && n.condition.kind === 'in' && n.condition.negated);
});

test('command keywords are case-insensitive; field names keep their case', () => {
  const q = ok('FIELDS A, b | Filter A > 1 | STATS Count(*) As N BY b | SoRt N DeSc | LIMIT 3');
  assert.deepEqual(
    q.commands.map((c) => c.kind),
    ['fields', 'filter', 'stats', 'sort', 'limit'],
  );
  const f = q.commands[0];
  if (f.kind === 'fields')
    assert.deepEqual(
      f.items.map((p) => sx(p.expr)),
      ['A', 'b'],
    );
  const s = q.commands[2];
  if (s.kind === 'stats') {
    assert.equal(s.aggregates[0].expr.kind === 'call' ? s.aggregates[0].expr.name : '', 'Count');
    assert.equal(s.aggregates[0].expr.kind === 'call' ? s.aggregates[0].expr.lname : '', 'count');
  }
});

test('newlines and indentation are whitespace; empty lines between commands are fine', () => {
  const q = ok('fields a,\n\n   b\n\n| filter a = 1\n\n\n| limit 20\n');
  assert.deepEqual(
    q.commands.map((c) => c.kind),
    ['fields', 'filter', 'limit'],
  );
});

test('comments: whole-line # | … segments are skipped; trailing comments after a regex', () => {
  const q = ok(
    'fields @timestamp, @message\n# | filter @logStream like /abc|def/\n| sort @timestamp desc # newest first\n| limit 7',
  );
  assert.deepEqual(
    q.commands.map((c) => c.kind),
    ['fields', 'sort', 'limit'],
  );
  const r = ok(
    'STATS sum(x) as sum_x by y, z\n| STATS max(sum_x) as max_x by z\n# You can only reference `max(sum_x)`, max_x or z at this point',
  );
  assert.equal(r.commands.length, 2);
  const c = ok('fields a # only a comment before the end');
  assert.equal(c.commands.length, 1);
});

test('the query span and command spans', () => {
  const text = '  fields a | limit 1  ';
  const q = ok(text);
  assert.equal(text.slice(q.span.start, q.span.end), 'fields a | limit 1');
  assert.deepEqual(
    q.commands.map((c) => text.slice(c.span.start, c.span.end)),
    ['fields a', 'limit 1'],
  );
});

test('a query that parses carries no diagnostics; a failed one no query', () => {
  assert.ok(parseQuery('fields a').query);
  assert.equal(bad('fields').length, 1);
});

function stripSpan(x: unknown): unknown {
  return JSON.parse(JSON.stringify(x, (k, v) => (k === 'span' ? undefined : v)));
}
