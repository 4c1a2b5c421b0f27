import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COMMAND_KEYWORDS, closestCommand, commandKeyword, editDistance } from '../../src/insights/keywords.js';
import { parseQuery } from '../../src/insights/parser.js';

// A minimal valid use of each tier 1/2 command, and the AST kind it must produce.
const MINIMAL: Record<string, [string, string]> = {
  fields: ['fields a', 'fields'],
  display: ['display a', 'display'],
  filter: ['filter a = 1', 'filter'],
  where: ['where a = 1', 'filter'],
  stats: ['stats count(*)', 'stats'],
  sort: ['sort a', 'sort'],
  limit: ['limit 1', 'limit'],
  head: ['head 1', 'limit'],
  parse: ['parse "a=*" as a', 'parse'],
  dedup: ['dedup a', 'dedup'],
  unnest: ['unnest a into b', 'unnest'],
  expand: ['expand a', 'expand'],
  fillmissing: ['fillmissing', 'fillmissing'],
  filterIndex: ['filterIndex a = 1', 'filterIndex'],
  pattern: ['pattern @message', 'pattern'],
  anomaly: ['anomaly', 'anomaly'],
  diff: ['diff', 'diff'],
};

test('every tier 1/2 keyword parses into its command, in any case', () => {
  const tier12 = COMMAND_KEYWORDS.filter((k) => k.tier !== 3);
  assert.deepEqual(tier12.map((k) => k.name).sort(), Object.keys(MINIMAL).sort());
  for (const k of tier12) {
    const [text, kind] = MINIMAL[k.name];
    for (const variant of [text, text.replace(k.name, k.name.toUpperCase())]) {
      const r = parseQuery(variant);
      assert.ok(r.query, `${variant}: ${JSON.stringify(r.diagnostics)}`);
      assert.equal(r.query?.commands[0].kind, kind, variant);
    }
  }
});

test('every tier 3 keyword parses into an unsupported command named as written', () => {
  for (const k of COMMAND_KEYWORDS.filter((x) => x.tier === 3)) {
    const r = parseQuery(`fields a | ${k.name} x`);
    const c = r.query?.commands[1];
    assert.equal(c?.kind, 'unsupported', k.name);
    if (c?.kind === 'unsupported') assert.equal(c.name, k.name);
  }
});

test('keyword lookup is case-insensitive; aliases point at their command', () => {
  assert.equal(commandKeyword('STATS')?.name, 'stats');
  assert.equal(commandKeyword('filterindex')?.name, 'filterIndex');
  assert.equal(commandKeyword('where')?.aliasOf, 'filter');
  assert.equal(commandKeyword('head')?.deprecated, true);
  assert.equal(commandKeyword('nope'), undefined);
});

test('closestCommand suggests near misses of tier 1/2 commands only', () => {
  assert.equal(closestCommand('fileter'), 'filter');
  assert.equal(closestCommand('stat'), 'stats');
  assert.equal(closestCommand('DISPLY'), 'display');
  assert.equal(closestCommand('xyzzy'), undefined);
  assert.equal(editDistance('kitten', 'sitting'), 3);
});
