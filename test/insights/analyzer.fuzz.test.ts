/**
 * Robustness: for random mutations of the seed queries (and random text), whatever the parser
 * accepts, the analyzer and the SQL compiler never throw; they return a plan or diagnostics.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import fc from 'fast-check';
import { parseQuery } from '../../src/insights/parser.js';
import { analyze, type CatalogInfo } from '../../src/insights/analyzer.js';
import { compileDuckDb } from '../../src/insights/sql/duckdb/index.js';

const dir = new URL('../../queries/bedrock/', import.meta.url);
const seeds = readdirSync(dir)
  .filter((f) => f.endsWith('.insights'))
  .map((f) => readFileSync(new URL(f, dir), 'utf8'));
seeds.push(
  'fields jsonParse(@message) as j | unnest j.items into it | stats count(*) by it.name',
  "parse @message 'user=*, latency=*' as u, l | filter l > 100 | stats avg(l), pct(l, 99) by u | sort u desc | limit 5",
  'stats count(*) as n by bin(5m) | fillmissing with 0 for n',
  'fields @timestamp | dedup @logStream | limit 3',
  'filter @message like /(?i)err(or)?/ and status not in [200, 204] | stats count_distinct(path) as d, earliest(@timestamp) as e by bin(1h) as h | stats max(d) by h',
);
const G = '/g';
const catalog: CatalogInfo = {
  logGroups: [{ name: G, genericEvents: 1 }],
  fieldsByGroup: new Map([[G, new Set(['modelId', 'status', 'path'])]]),
};
const tokens = [
  '|',
  'fields',
  'stats',
  'by',
  'bin(5m)',
  'sort',
  'desc',
  'limit 10',
  'filter',
  '=',
  '(',
  ')',
  ',',
  'as',
  'count(*)',
  'x',
  '@timestamp',
  '"s"',
  '/re/',
  'dedup',
  'parse',
  'display',
  'unnest',
  'into',
  'not',
  'in',
  '[1,2]',
  'jsonParse(x)',
  '.a',
  'sum(',
  'pct(x, 50)',
];

function check(text: string): void {
  const parsed = parseQuery(text);
  if (!parsed.query) return;
  const a = analyze(parsed.query, { text, catalog, startTime: 0, endTime: 1_000_000 });
  for (const d of a.diagnostics) {
    assert.ok(d.span.start >= 0 && d.span.end <= text.length + 1 && d.span.start <= d.span.end, JSON.stringify(d));
    assert.ok(d.code && d.message);
  }
  if (a.plan) assert.equal(typeof compileDuckDb(a.plan, { now: 0 }).sql, 'string');
}

test('analyzer and compiler never throw on mutated seed queries', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...seeds),
      fc.array(fc.tuple(fc.nat(), fc.nat(), fc.constantFrom(...tokens), fc.constantFrom('delete', 'insert', 'swap')), {
        maxLength: 4,
      }),
      (seed, edits) => {
        let parts = seed.split(/(\s+)/);
        for (const [i, j, tok, op] of edits) {
          if (parts.length === 0) break;
          const a = i % parts.length;
          const b = j % parts.length;
          if (op === 'delete') parts.splice(a, 1);
          else if (op === 'insert') parts.splice(a, 0, ` ${tok} `);
          else [parts[a], parts[b]] = [parts[b], parts[a]];
        }
        parts = parts.filter((p) => p !== undefined);
        check(parts.join(''));
      },
    ),
    { numRuns: 400, seed: 42 },
  );
});

test('analyzer and compiler never throw on random token soup', () => {
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...tokens), { maxLength: 14 }), (toks) => check(toks.join(' '))),
    { numRuns: 400, seed: 7 },
  );
});
