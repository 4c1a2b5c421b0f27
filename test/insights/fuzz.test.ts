// Property-based robustness: parseQuery, checkComposition and expandSavedQueries never throw and
// always return well-formed diagnostics, on random text and on mutations of real queries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import fc from 'fast-check';
import { parseQuery } from '../../src/insights/parser.js';
import { checkComposition } from '../../src/insights/rules.js';
import { expandSavedQueries } from '../../src/insights/savedQueries.js';
import { tokenize } from '../../src/insights/lexer.js';
import { lineColumn, type Diagnostic } from '../../src/insights/diagnostics.js';
import { REAL_QUERIES } from './parser-corpus.js';

const dir = new URL('../../queries/bedrock/', import.meta.url);
const SEEDS: string[] = [
  ...readdirSync(dir)
    .filter((f) => f.endsWith('.insights'))
    .sort()
    .map((f) => readFileSync(new URL(f, dir), 'utf8')),
  ...Object.values(REAL_QUERIES),
];

const FRAGMENTS = [
  'fields',
  'filter',
  'stats',
  'sort',
  'limit',
  'parse',
  'display',
  'dedup',
  'unnest',
  'into',
  'expand',
  'fillmissing',
  'with',
  'for',
  'SOURCE',
  'logGroups',
  'namePrefix',
  ':',
  'by',
  'as',
  'asc',
  'desc',
  'and',
  'or',
  'not',
  'in',
  'like',
  'multi',
  'logfmt',
  'csv',
  'any',
  'head',
  'pattern',
  'where',
  'filterIndex',
  '|',
  '(',
  ')',
  '[',
  ']',
  ',',
  '.',
  '*',
  '/',
  '+',
  '-',
  '%',
  '^',
  '=',
  '!=',
  '<',
  '<=',
  '>',
  '>=',
  '=~',
  '!',
  '"',
  "'",
  '`',
  '@',
  '#',
  '\n',
  ' ',
  '\\',
  '$',
  '{{',
  '}}',
  '5m',
  '1h',
  '2 hours',
  '0.5',
  '1e3',
  '42',
  'x',
  '@message',
  'a.b.c',
  'count(*)',
  'bin(5m)',
  '/re/',
  '"s"',
  "'s'",
  '`q-n`',
  '(?<g>.)',
  'true',
  'offset',
  'start=',
  '-1d',
  'now',
  '😀',
  '\t',
];

function checkDiagnostics(text: string, ds: readonly Diagnostic[]): void {
  for (const d of ds) {
    assert.equal(typeof d.code, 'string');
    assert.ok(d.code.length > 0);
    assert.ok(['error', 'warning', 'info'].includes(d.severity));
    assert.equal(typeof d.message, 'string');
    assert.ok(d.message.length > 0);
    assert.ok(Number.isInteger(d.span.start) && Number.isInteger(d.span.end));
    assert.ok(
      d.span.start >= 0 && d.span.start <= d.span.end && d.span.end <= text.length,
      `span ${JSON.stringify(d.span)} outside ${text.length}`,
    );
    assert.deepEqual({ line: d.line, column: d.column }, lineColumn(text, d.span.start));
    assert.ok(!d.code.endsWith('_INTERNAL'), `internal error on ${JSON.stringify(text)}: ${d.message}`);
  }
}

/** Every `span` in the AST lies within the text. */
function checkSpans(text: string, node: unknown): void {
  if (Array.isArray(node)) {
    for (const n of node) checkSpans(text, n);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const o = node as Record<string, unknown>;
  const span = o.span as { start: number; end: number } | undefined;
  if (span !== undefined) assert.ok(span.start >= 0 && span.start <= span.end && span.end <= text.length);
  for (const [k, v] of Object.entries(o)) if (k !== 'span') checkSpans(text, v);
}

function robust(text: string): void {
  const r = parseQuery(text);
  checkDiagnostics(text, r.diagnostics);
  const hasError = r.diagnostics.some((d) => d.severity === 'error');
  assert.equal(r.query === undefined, hasError, 'a query is returned exactly when there is no error');
  if (r.query) {
    checkSpans(text, r.query);
    checkDiagnostics(text, checkComposition(r.query, text));
  }
  const e = expandSavedQueries(text, (name) =>
    name.length % 2 === 0
      ? { name, queryString: 'fields {{a}} | limit {{n}}', parameters: [{ name: 'n', defaultValue: '5' }] }
      : undefined,
  );
  checkDiagnostics(text, e.diagnostics);
}

/** Token-level mutations of a seed: delete, insert, swap, duplicate. */
const mutated = fc
  .tuple(
    fc.constantFrom(...SEEDS),
    fc.array(
      fc.tuple(fc.constantFrom('delete', 'insert', 'swap', 'dup'), fc.nat(), fc.nat(), fc.constantFrom(...FRAGMENTS)),
      { minLength: 1, maxLength: 4 },
    ),
  )
  .map(([seed, ops]) => {
    let parts = tokenize(seed)
      .filter((t) => t.kind !== 'eof')
      .map((t) => t.text);
    for (const [op, i, j, frag] of ops) {
      if (parts.length === 0) parts = [frag];
      const a = i % parts.length;
      const b = j % parts.length;
      if (op === 'delete') parts.splice(a, 1);
      else if (op === 'insert') parts.splice(a, 0, frag);
      else if (op === 'swap') [parts[a], parts[b]] = [parts[b], parts[a]];
      else parts.splice(a, 0, parts[a]);
    }
    return parts.join(' ');
  });

/** Character-level mutations of a seed, keeping its layout and comments. */
const charMutated = fc
  .tuple(fc.constantFrom(...SEEDS), fc.nat(), fc.nat({ max: 12 }), fc.constantFrom(...FRAGMENTS))
  .map(([seed, at, len, frag]) => {
    const p = at % (seed.length + 1);
    return seed.slice(0, p) + frag + seed.slice(p + len);
  });

const fromFragments = fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 30 }).map((xs) => xs.join(''));

test('seeds themselves are robust (and parse)', () => {
  for (const s of SEEDS) {
    robust(s);
    assert.ok(parseQuery(s).query);
  }
});

test('random strings never make the front end throw', () => {
  fc.assert(fc.property(fc.string({ maxLength: 80, unit: 'binary' }), robust), { numRuns: 400 });
  fc.assert(fc.property(fc.string({ maxLength: 120 }), robust), { numRuns: 400 });
});

test('random fragment soups never make the front end throw', () => {
  fc.assert(fc.property(fromFragments, robust), { numRuns: 2000 });
});

test('token mutations of the seed and real queries never make the front end throw', () => {
  fc.assert(fc.property(mutated, robust), { numRuns: 1500 });
});

test('character mutations of the seed and real queries never make the front end throw', () => {
  fc.assert(fc.property(charMutated, robust), { numRuns: 1500 });
});
