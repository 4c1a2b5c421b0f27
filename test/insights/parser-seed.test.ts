import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseQuery } from '../../src/insights/parser.js';
import type { Command, Query } from '../../src/insights/ast.js';

const dir = fileURLToPath(new URL('../../queries/bedrock/', import.meta.url));
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.insights'))
  .sort();

function parsed(text: string): Query {
  const r = parseQuery(text);
  assert.deepEqual(r.diagnostics, [], `unexpected diagnostics: ${JSON.stringify(r.diagnostics)}`);
  assert.ok(r.query, 'query should be present');
  return r.query;
}

const kinds = (q: Query): string[] => q.commands.map((c: Command) => c.kind);

test('all 13 seed queries are present and parse verbatim without a diagnostic', () => {
  assert.equal(files.length, 13);
  for (const f of files) parsed(readFileSync(dir + f, 'utf8'));
});

test('seed command sequences', () => {
  const expected: Record<string, string[]> = {
    'q01-all-logs-basic.insights': ['fields', 'sort', 'limit'],
    'q02-tokens-by-application.insights': ['fields', 'stats', 'sort'],
    'q03-application-detail.insights': ['fields', 'filter', 'sort', 'limit'],
    'q04-application-by-environment.insights': ['fields', 'stats', 'sort'],
    'q05-usage-by-tenant.insights': ['fields', 'filter', 'stats', 'sort'],
    'q06-top-10-heavy-users.insights': ['fields', 'stats', 'sort', 'limit'],
    'q07-cost-center.insights': ['fields', 'stats', 'sort'],
    'q08-hourly-trend.insights': ['fields', 'stats', 'sort'],
    'q09-daily-trend.insights': ['fields', 'stats', 'sort'],
    'q10-combined-filter.insights': ['fields', 'filter', 'stats', 'sort'],
    'q11-oversized-requests.insights': ['fields', 'filter', 'sort'],
    'q13-iam-role-and-metadata.insights': ['fields', 'stats', 'sort'],
    'q14-output-size-distribution.insights': ['fields', 'stats'],
  };
  for (const f of files) assert.deepEqual(kinds(parsed(readFileSync(dir + f, 'utf8'))), expected[f], f);
});

test('Q2: stats aggregates keep their aliases and text, group key and sort direction', () => {
  const q = parsed(readFileSync(dir + 'q02-tokens-by-application.insights', 'utf8'));
  const stats = q.commands[1];
  assert.equal(stats.kind, 'stats');
  if (stats.kind !== 'stats') return;
  assert.deepEqual(
    stats.aggregates.map((a) => [a.text, a.alias?.name]),
    [
      ['sum(InputTokens)', 'TotalInputTokens'],
      ['sum(OutputTokens)', 'TotalOutputTokens'],
      ['sum(InputTokens + OutputTokens)', 'TotalTokens'],
      ['count(*)', 'TotalRequests'],
      ['avg(InputTokens + OutputTokens)', 'AvgTokensPerRequest'],
    ],
  );
  assert.deepEqual(
    stats.groupBy.map((g) => g.text),
    ['Application'],
  );
  const count = stats.aggregates[3].expr;
  assert.equal(count.kind === 'call' && count.args[0].kind, 'star');
  const sort = q.commands[2];
  assert.ok(sort.kind === 'sort');
  if (sort.kind === 'sort')
    assert.deepEqual(
      sort.keys.map((k) => [k.field.name, k.direction]),
      [['TotalTokens', 'desc']],
    );
});

test('Q8: bin(1h) as Hour is a duration group key with an alias', () => {
  const q = parsed(readFileSync(dir + 'q08-hourly-trend.insights', 'utf8'));
  const stats = q.commands[1];
  assert.ok(stats.kind === 'stats');
  if (stats.kind !== 'stats') return;
  const g = stats.groupBy[0];
  assert.equal(g.text, 'bin(1h)');
  assert.equal(g.alias?.name, 'Hour');
  assert.ok(g.expr.kind === 'call' && g.expr.lname === 'bin');
  if (g.expr.kind === 'call')
    assert.deepEqual(g.expr.args[0], { kind: 'duration', amount: 1, unit: 'h', text: '1h', span: g.expr.args[0].span });
});

test('Q10: a multi-line filter with and/parentheses keeps the precedence of and over >', () => {
  const text = readFileSync(dir + 'q10-combined-filter.insights', 'utf8');
  const q = parsed(text);
  const f = q.commands[1];
  assert.ok(f.kind === 'filter');
  if (f.kind !== 'filter') return;
  const c = f.condition;
  assert.ok(c.kind === 'binary' && c.op === 'and');
  if (c.kind !== 'binary') return;
  assert.ok(c.right.kind === 'binary' && c.right.op === '>');
  if (c.right.kind === 'binary') {
    assert.equal(
      text.slice(c.right.left.span.start, c.right.left.span.end),
      '(input.inputTokenCount + output.outputTokenCount)',
    );
  }
});

test('Q13 keeps the unknown field output.outputTokens as a plain field reference', () => {
  const q = parsed(readFileSync(dir + 'q13-iam-role-and-metadata.insights', 'utf8'));
  const f = q.commands[0];
  assert.ok(f.kind === 'fields');
  if (f.kind !== 'fields') return;
  const tokens = f.items[4];
  assert.equal(tokens.alias?.name, 'Tokens');
  assert.ok(tokens.expr.kind === 'binary' && tokens.expr.right.kind === 'field');
  if (tokens.expr.kind === 'binary' && tokens.expr.right.kind === 'field')
    assert.equal(tokens.expr.right.name, 'output.outputTokens');
});
