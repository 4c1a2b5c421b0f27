/**
 * The linear-time matchers agree with the backtracking ones they replaced, on inputs small enough
 * for backtracking to finish: RE2 regexes with V8's RegExp (filter-pattern regexes use none of the
 * features where the two dialects differ), one-pass globs with `^…$` regexes, and the dynamic
 * programme for space-delimited patterns with the enumeration of every split (including which
 * assignment it picks, so extracted values stay the same).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { assignDelimited, MAX_TABLE_CELLS } from '../../src/cloudwatch/delimitedMatch.js';
import { compileGlob, compileLinearRegex, MAX_REGEX_INSTRUCTIONS } from '../../src/cloudwatch/linearMatch.js';
import { unmetered, WorkMeter } from '../../src/cloudwatch/work.js';

const atom = fc.constantFrom('a', 'b', 'c', '.', '[ab]', '[^a]', '\\d', '\\s', '\\w', '[a-c1]');
const quant = fc.constantFrom('', '', '*', '+', '?', '{2}', '{1,3}', '{0,2}');
const piece = fc.tuple(atom, quant).map(([a, q]) => a + q);
const branch = fc.array(piece, { minLength: 1, maxLength: 5 }).map((p) => p.join(''));
const regexBody = fc
  .tuple(fc.boolean(), fc.array(branch, { minLength: 1, maxLength: 3 }), fc.boolean())
  .map(([hat, branches, dollar]) => (hat ? '^' : '') + branches.join('|') + (dollar ? '$' : ''));
const text = fc.string({ unit: fc.constantFrom('a', 'b', 'c', '1', ' ', 'x'), maxLength: 24 });

test('RE2 regexes answer as V8 RegExp does on the filter-pattern dialect', () => {
  fc.assert(
    fc.property(regexBody, text, (body, s) => {
      assert.equal(compileLinearRegex(body).test(s, unmetered()), new RegExp(body).test(s), `%${body}% on "${s}"`);
    }),
    { numRuns: 2000 },
  );
});

test('regexes too costly to run are refused when compiled, with the reason', () => {
  assert.throws(() => compileLinearRegex('[ab]{999}[ab]{999}'), /too complex/);
  assert.throws(() => compileLinearRegex('a{1000}'.repeat(146)), /too complex/);
  assert.throws(() => compileLinearRegex('x{1000}{2}'), /Invalid regular expression/);
  assert.throws(() => compileLinearRegex('a\\1'), /Invalid regular expression/);
  // Ordinary patterns are far below the cap.
  assert.ok(compileLinearRegex('[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'));
  assert.ok(MAX_REGEX_INSTRUCTIONS >= 500);
});

test('one-pass globs answer as anchored regexes with .* do', () => {
  const glob = fc.string({ unit: fc.constantFrom('a', 'b', '*', 'ab', '.'), maxLength: 10 });
  const s = fc.string({ unit: fc.constantFrom('a', 'b', '.', '\n'), maxLength: 16 });
  fc.assert(
    fc.property(glob, s, (g, x) => {
      const re = new RegExp(
        `^${g
          .split('*')
          .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
          .join('.*')}$`,
        's',
      );
      assert.equal(compileGlob(g).test(x, unmetered()), re.test(x), `glob ${g} on ${JSON.stringify(x)}`);
    }),
    { numRuns: 3000 },
  );
});

/** The enumeration the dynamic programme replaced: ellipses from the left take as few tokens as they can. */
function enumerate(
  kinds: ('field' | 'ellipsis')[],
  n: number,
  fits: (i: number, j: number) => boolean,
): number[] | null {
  const fixed = kinds.filter((k) => k === 'field').length;
  if (!kinds.includes('ellipsis') && n !== fixed) return null;
  if (n < fixed) return null;
  const go = (i: number, j: number, slack: number, acc: number[]): number[] | null => {
    if (i === kinds.length) return j === n ? acc : null;
    if (kinds[i] === 'ellipsis') {
      const later = kinds.slice(i + 1).includes('ellipsis');
      for (let k = later ? 0 : slack; k <= slack; k++) {
        const r = go(i + 1, j + k, slack - k, [...acc, -1]);
        if (r) return r;
      }
      return null;
    }
    return fits(i, j) ? go(i + 1, j + 1, slack, [...acc, j]) : null;
  };
  return go(0, 0, n - fixed, []);
}

test('space-delimited assignment by dynamic programming picks what the enumeration picked', () => {
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom<'field' | 'ellipsis'>('field', 'ellipsis', 'field'), { minLength: 1, maxLength: 7 }),
      fc.integer({ min: 0, max: 9 }),
      fc.array(fc.array(fc.boolean(), { minLength: 10, maxLength: 10 }), { minLength: 7, maxLength: 7 }),
      (kinds, n, table) => {
        const fits = (i: number, j: number): boolean => table[i][j];
        assert.deepEqual(assignDelimited(kinds, n, fits, unmetered()), enumerate(kinds, n, fits));
      },
    ),
    { numRuns: 3000 },
  );
});

test('space-delimited matching checks each (field, token) pair at most once and bounds its table', () => {
  const kinds: ('field' | 'ellipsis')[] = [];
  for (let i = 0; i < 6; i++) kinds.push('ellipsis', 'field');
  kinds.push('ellipsis');
  const calls = new Set<string>();
  let repeats = 0;
  const r = assignDelimited(
    kinds,
    2000,
    (i, j) => {
      const key = `${i}/${j}`;
      if (calls.has(key)) repeats++;
      calls.add(key);
      return false;
    },
    unmetered(),
  );
  assert.equal(r, null);
  assert.equal(repeats, 0);
  assert.ok(calls.size <= 6 * 2000);
  // A table over the cap is refused with the work-limit error instead of being allocated.
  const wide: ('field' | 'ellipsis')[] = ['ellipsis', ...Array<'field'>(300).fill('field'), 'ellipsis'];
  assert.throws(
    () => assignDelimited(wide, Math.ceil(MAX_TABLE_CELLS / 300) + 10, () => true, unmetered()),
    (e: Error & { code?: string }) => e.code === 'FILTER_WORK_LIMIT',
  );
  // And the cells count against the request's budget.
  assert.throws(
    () => assignDelimited(['ellipsis', 'field', 'ellipsis'], 5000, () => false, new WorkMeter(1000)),
    (e: Error & { code?: string }) => e.code === 'FILTER_WORK_LIMIT',
  );
});
