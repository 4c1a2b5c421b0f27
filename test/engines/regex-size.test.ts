/**
 * A regex too large for RE2's memory budget is refused at analysis (REGEX_INVALID), never an
 * engine failure ("pattern too large - compile failed") after check accepted it. The size estimate
 * (src/insights/regex.ts) is checked against real DuckDB: for the costliest kinds of class, the
 * largest repetition the analyzer accepts runs, and what DuckDB cannot compile is refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { re2Problem } from '../../src/insights/regex.js';
import { withEngine, BEDROCK_GROUP } from './helpers.js';

const events = [{ ts: Date.UTC(2026, 0, 1), group: BEDROCK_GROUP, message: 'ERROR ünïcödé 42' }];

/** The costliest kinds of unit per character of pattern (measured: UTF-8 byte ranges, case folding). */
const UNITS = [
  '.',
  '\\pL',
  '\\PL',
  '\\p{Han}',
  '\\S',
  '(?i)\\w',
  '[\\x{101}-\\x{10FFFE}]',
  '[\\x{10001}-\\x{10FFFE}]',
  '[^\\x{7F}-\\x{80}\\x{7FF}-\\x{800}\\x{FFFF}-\\x{10000}]',
];

/** `unit{100}` k times, with a leading (?i) kept in front. */
function repeated(unit: string, k: number): string {
  const flag = unit.startsWith('(?i)') ? '(?i)' : '';
  return flag + `${unit.slice(flag.length)}{100}`.repeat(k);
}

/** The largest k (up to 90, which stays under the query length limit) whose pattern is accepted. */
function largestAccepted(unit: string): number {
  let k = 0;
  while (k < 90 && re2Problem(repeated(unit, k + 1)) === undefined) k++;
  return k;
}

test('the largest regex of each costly kind that analysis accepts runs in DuckDB; larger ones are refused, not failed', async () => {
  await withEngine(events, async (engine) => {
    for (const unit of UNITS) {
      const k = largestAccepted(unit);
      if (k > 0) {
        const r = await engine.run({ queryString: `filter @message like /${repeated(unit, k)}/ | stats count(*)` });
        assert.equal(r.status, 'Complete', `${unit}{100} × ${k}: ${r.error?.message}`);
      }
      if (k < 90) {
        const p = await engine.prepare({ queryString: `filter @message like /${repeated(unit, k + 1)}/` });
        assert.deepEqual(
          p.diagnostics.map((d) => d.code),
          ['REGEX_INVALID'],
          unit,
        );
        assert.match(p.diagnostics[0].message, /too large to run/);
      }
    }
    // The example found by hand: nine \pL{1000} failed in DuckDB after check accepted it.
    assert.match(re2Problem(`(?i)${'\\pL{1000}'.repeat(9)}`)?.reason ?? '', /too large/);
    assert.match(re2Problem('\\pL{1000}')?.reason ?? '', /too large/);
  });
});

test('ordinary regexes, long literals and modest counts of Unicode classes stay accepted', () => {
  for (const p of [
    '(?i)err(or)?',
    '\\pL{20}',
    '\\w{1000}',
    'x'.repeat(9000),
    '[a-z]{1000}'.repeat(9),
    '(\\d+\\.){3}\\d+',
  ]) {
    assert.equal(re2Problem(p), undefined, p.slice(0, 40));
  }
});
