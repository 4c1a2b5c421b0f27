// Real queries that ran on CloudWatch (../shared/research/real-cloudwatch-outputs.md) and
// official doc examples: each must parse, with the shape checked by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseQuery } from '../../src/insights/parser.js';
import { ok, sx } from './parser-helpers.js';
import { REAL_QUERIES } from './parser-corpus.js';

test('every real query parses', () => {
  for (const [name, text] of Object.entries(REAL_QUERIES)) {
    const r = parseQuery(text);
    assert.ok(r.query, `${name}: ${JSON.stringify(r.diagnostics)}`);
    const errors = r.diagnostics.filter((d) => d.severity === 'error');
    assert.deepEqual(errors, [], name);
  }
});

test('O2: unaliased bin(5m) keeps its text as the column name', () => {
  const q = ok(REAL_QUERIES.O2);
  const s = q.commands[1];
  assert.ok(s.kind === 'stats');
  if (s.kind === 'stats') {
    assert.deepEqual(
      s.groupBy.map((g) => [g.text, g.alias]),
      [['bin(5m)', undefined]],
    );
    assert.equal(s.aggregates[0].text, 'max(@maxMemoryUsed / 1000 / 1000)');
  }
});

test('O6: \\t in a single-quoted glob is a TAB, \\t stays as written inside the regex', () => {
  const q = ok(REAL_QUERIES.O6);
  assert.deepEqual(
    q.commands.map((c) => c.kind),
    ['fields', 'filter', 'filter', 'parse', 'display', 'sort', 'limit'],
  );
  const f = q.commands[1];
  if (f.kind === 'filter') assert.equal(sx(f.condition), String.raw`(like @message /303947c8ee7a\tazul.chalice/)`);
  const p = q.commands[3];
  assert.ok(p.kind === 'parse');
  if (p.kind === 'parse') {
    assert.equal(p.pattern?.kind === 'string' ? p.pattern.value : '', 'azul.*\t*');
    assert.deepEqual(
      p.aliases.map((a) => a.name),
      ['logger', 'log_message'],
    );
  }
  const l = q.commands[6];
  assert.ok(l.kind === 'limit' && l.count === 10000);
});

test('O7: "@ message" is read as @message with a warning; the # | segment is skipped', () => {
  const r = parseQuery(REAL_QUERIES.O7);
  assert.ok(r.query);
  assert.deepEqual(
    r.diagnostics.map((d) => [d.code, d.severity, d.line, d.column, d.suggestion]),
    [['PARSE_SPACE_AFTER_AT', 'warning', 2, 34, '@message']],
  );
  const q = r.query;
  if (!q) return;
  assert.deepEqual(
    q.commands.map((c) => c.kind),
    ['fields', 'filter', 'parse', 'sort', 'limit'],
  );
  const f = q.commands[1];
  if (f.kind === 'filter')
    assert.equal(sx(f.condition), '(or (not-like status "200") (like @message /not authorized/))');
  const p = q.commands[2];
  if (p.kind === 'parse') {
    assert.equal(p.source?.name, '@log');
    assert.equal(p.pattern?.kind === 'string' ? p.pattern.value : '', ':*');
  }
});

test('O8: sort by … asc, trailing comment after a regex, optional groups, display order', () => {
  const q = ok(REAL_QUERIES.O8);
  assert.deepEqual(
    q.commands.map((c) => c.kind),
    ['fields', 'filter', 'parse', 'display', 'sort', 'limit'],
  );
  const p = q.commands[2];
  assert.ok(p.kind === 'parse');
  if (p.kind === 'parse') {
    assert.equal(p.mode, 'regex');
    assert.equal(p.source?.name, 'path');
    assert.deepEqual(
      p.aliases.map((a) => a.name),
      ['path_str'],
    );
    assert.equal(
      p.pattern?.kind === 'regex' ? p.pattern.pattern : '',
      '(?<path_str>.*?)(/[a-zA-Z0-9]+-[a-zA-Z0-9-]+)?(/(lMQ|ksQ)[a-zA-Z0-9_=-]+)?$',
    );
  }
  const d = q.commands[3];
  if (d.kind === 'display')
    assert.deepEqual(
      d.items.map((i) => i.text),
      [
        '@timestamp',
        'sourceIp',
        'method',
        'path_str',
        'error_responseType',
        'status',
        'latency',
        'userAgent',
        'integration_requestId',
      ],
    );
  const s = q.commands[4];
  if (s.kind === 'sort')
    assert.deepEqual(
      s.keys.map((k) => [k.field.name, k.direction]),
      [['@timestamp', 'asc']],
    );
});

test('doc example: a later stats item may use an earlier alias (parsed as a plain field)', () => {
  const q = ok(REAL_QUERIES.docStats);
  const s = q.commands[0];
  if (s.kind === 'stats') assert.equal(sx(s.aggregates[2].expr), '(- provisonedMemoryMB maxMemoryUsedMB)');
});
