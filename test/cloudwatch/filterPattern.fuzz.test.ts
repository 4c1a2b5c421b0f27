/**
 * Fuzz: random and adversarial filter patterns × long messages. Every pattern either compiles or
 * is refused with FILTER_PATTERN_INVALID, and every match of a compiled one finishes within a
 * per-case time budget (linear matching), including the constructions that backtracked before
 * (nested quantifiers, many-star globs, many ellipses). Each case runs in this thread so its
 * time is measured directly; the server runs the same code on matching threads.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { matchFilterPattern, parseFilterPattern, type FilterPattern } from '../../src/cloudwatch/filterPattern.js';
import { WorkMeter } from '../../src/cloudwatch/work.js';
import { isBiError } from '../../src/util/errors.js';

/** Per case (one pattern against one message of up to ~200 KB), on a shared 2-core machine. */
const CASE_BUDGET_MS = 1_500;

const word = fc.constantFrom('a', 'aa', 'ab', 'ERROR', 'x', 'b', '*', 'a*', '*a*a*b', '4*', '1534', '-', 'w');
const regexAtom = fc.constantFrom('a', 'b', '.', '[ab]', '\\d', '\\w', '\\s', '[^b]', 'a|b', '^', '$');
const regexQuant = fc.constantFrom('', '*', '+', '?', '{1,9}', '{2}', '*?', '{0,50}');
const regex = fc
  .array(fc.tuple(regexAtom, regexQuant), { minLength: 1, maxLength: 8 })
  .map((xs) => `%${xs.map(([a, q]) => a + q).join('')}%`);
const value = fc.oneof(
  word,
  regex,
  word.map((w) => JSON.stringify(w)),
  fc.constantFrom('1', '2.5', '-3'),
);
const op = fc.constantFrom('=', '!=', '<', '>=', '=');

const termPattern = fc
  .array(
    fc.oneof(
      word,
      regex,
      word.map((w) => `?${w}`),
      word.map((w) => `-${w}`),
      word.map((w) => `"${w} ${w}"`),
    ),
    {
      minLength: 1,
      maxLength: 6,
    },
  )
  .map((xs) => xs.join(' '));
const selector = fc.constantFrom('$.v', '$.a.b', '$.arr[0]', '$.arr[*]', '$.*', '$.n', '$.missing');
const jsonCond = fc.oneof(
  fc.tuple(selector, op, value).map(([s, o, v]) => `${s} ${o} ${v}`),
  selector.map((s) => `${s} NOT EXISTS`),
  selector.map((s) => `${s} IS NULL`),
);
const jsonPattern = fc
  .array(fc.tuple(jsonCond, fc.constantFrom('&&', '||')), { minLength: 1, maxLength: 4 })
  .map((xs) => `{ ${xs.map(([c, j], i) => (i < xs.length - 1 ? `(${c}) ${j}` : `(${c})`)).join(' ')} }`);
const field = fc.oneof(
  fc.constantFrom('...', 'f', 'g', 'h'),
  fc.tuple(fc.constantFrom('f', 'g'), op, value).map(([n, o, v]) => `${n} ${o} ${v}`),
  value,
);
const delimitedPattern = fc.array(field, { minLength: 1, maxLength: 12 }).map((xs) => `[${xs.join(', ')}]`);

/** The constructions that backtracked, at their worst. */
const adversarialPattern = fc.constantFrom(
  '%a*a*b%',
  '%a*a*a*a*a*a*a*a*b%',
  '%[ab]*[ab]*[ab]*c%',
  '%a{0,50}a{0,50}a{0,50}b%',
  '%\\w*\\d*\\w*!%',
  '{ $.v = "*a*a*a*a*a*a*b" }',
  '{ $.v = %a*a*a*b% }',
  '[..., f0=nomatch, ..., f1=nomatch, ..., f2=nomatch, ..., f3=nomatch, ..., f4=nomatch, ...]',
  '[..., f=*a*a*a*b, ..., g=*a*a*b, ...]',
  '[..., ..., ..., ..., ..., ..., ..., ..., x]',
  '?a ?aa ?aaa ?aaaa -b -bb %a*b% %a+c%',
);

function pseudoRandom(n: number, alphabet: string, seed: number): string {
  let x = seed;
  let out = '';
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    out += alphabet[x % alphabet.length];
  }
  return out;
}

const message = fc.oneof(
  fc.integer({ min: 1_000, max: 200_000 }).map((n) => 'a'.repeat(n)),
  fc.integer({ min: 1_000, max: 100_000 }).map((n) => JSON.stringify({ v: 'a'.repeat(n), n: 5, arr: ['a', 'b'] })),
  fc.integer({ min: 100, max: 50_000 }).map((n) => Array(n).fill('w').join(' ')),
  fc.integer({ min: 100, max: 20_000 }).map((n) => '[ '.repeat(n) + '" '.repeat(n)),
  fc
    .tuple(fc.integer({ min: 1_000, max: 100_000 }), fc.integer({ min: 1, max: 1_000 }))
    .map(([n, seed]) => pseudoRandom(n, 'ab a1\t"[]{}', seed)),
  fc.string({ maxLength: 200 }),
);

function compileOrRefuse(text: string): FilterPattern | null {
  try {
    return parseFilterPattern(text);
  } catch (e) {
    assert.ok(isBiError(e) && e.code === 'FILTER_PATTERN_INVALID', `pattern ${text}: ${String(e)}`);
    return null;
  }
}

test('fuzz: random and adversarial filter patterns on long messages finish within the per-case budget', () => {
  const pattern = fc.oneof(termPattern, jsonPattern, delimitedPattern, adversarialPattern, adversarialPattern);
  let compiled = 0;
  fc.assert(
    fc.property(pattern, message, (text, msg) => {
      const p = compileOrRefuse(text);
      if (!p) return;
      compiled++;
      const t0 = performance.now();
      const work = new WorkMeter(Number.POSITIVE_INFINITY);
      matchFilterPattern(p, msg, work);
      const ms = performance.now() - t0;
      assert.ok(ms < CASE_BUDGET_MS, `${Math.round(ms)} ms for ${text} on ${msg.length} characters`);
      // Work is charged for what was read: at least the message once unless nothing had to be read.
      assert.ok(work.spent <= msg.length * 64 + 16 * 1024 * 1024, `${work.spent} bytes charged`);
    }),
    { numRuns: 250, seed: 1414 },
  );
  assert.ok(compiled > 150, `only ${compiled} patterns compiled`);
});

test('fuzz: any text as a pattern compiles or is refused with FILTER_PATTERN_INVALID, never another error', () => {
  const unit = fc.constantFrom(...'{}[]()%"$.*?-=!<>&|, \\aAb1'.split(''), 'NOT', 'EXISTS', 'IS', '...', '&&', '||');
  fc.assert(
    fc.property(fc.array(unit, { maxLength: 40 }), (parts) => {
      const p = compileOrRefuse(parts.join(''));
      if (p) matchFilterPattern(p, '{"v": "a b", "n": 1} [x] "y" z', new WorkMeter(1e6));
    }),
    { numRuns: 3000, seed: 14 },
  );
});
