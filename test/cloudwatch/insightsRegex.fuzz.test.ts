/**
 * Fuzz: Logs Insights regexes (`filter @message like /…/`, `=~`, `parse @message /…/`,
 * `regexReplace`) — random and adversarial — over long messages. Each query is either refused
 * with a diagnostic or runs to Complete within a per-case time budget: the regexes run in DuckDB,
 * whose RE2 is linear. And no user regex is ever compiled by V8 (whose RegExp backtracks): the
 * analyzer only translates the text, and the test watches the RegExp constructor to prove it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { withEngine, BEDROCK_GROUP } from '../engines/helpers.js';

const CASE_BUDGET_MS = 5_000;

const atom = fc.constantFrom('a', 'b', '.', '[ab]', '\\d', '\\w', '\\s', '[^b]', 'x', '(a|aa)', '(a+)', '(?:ab)');
const quant = fc.constantFrom('', '*', '+', '?', '{1,9}', '{2}', '*?', '+?');
const randomRegex = fc
  .array(fc.tuple(atom, quant), { minLength: 1, maxLength: 8 })
  .map((xs) => xs.map(([a, q]) => a + q).join(''));
/** Exponential or polynomial for a backtracking engine; plus forms RE2 cannot run at all. */
const adversarial = fc.constantFrom(
  '(a+)+$',
  '(a|aa)*c',
  '(a*)*b',
  '(.*a){12}b',
  '(?i)(a|a)*x',
  '^(a+)+b',
  '(\\w+\\s?)*$',
  'a*a*a*a*a*a*a*a*b',
  '(a)\\1',
  '(?=a)a',
  '(?<!b)a',
  '(?<n>a+)+z',
);
const regex = fc.oneof(randomRegex, adversarial);

const LONG = 'a'.repeat(50_000);
const events = [
  { ts: 1_000, group: BEDROCK_GROUP, message: LONG },
  { ts: 2_000, group: BEDROCK_GROUP, message: `${LONG} ${LONG}!` },
  { ts: 3_000, group: BEDROCK_GROUP, message: JSON.stringify({ v: LONG, w: 'ab ab ab' }) },
  { ts: 4_000, group: BEDROCK_GROUP, message: 'ab '.repeat(20_000) },
];

function queries(re: string): string[] {
  const named = re.includes('(?<') ? re : `(?<cap>${re})`;
  return [
    `filter @message like /${re}/ | stats count(*) as n`,
    `filter @message =~ /${re}/ | stats count(*) as n`,
    `parse @message /${named}/ | stats count(*) as n`,
    `fields regexReplace(@message, "${re.replace(/\\/g, '\\\\')}", "x") as y | stats count(*) as n by strlen(y)`,
  ];
}

/**
 * The RegExp constructor, recording any `new RegExp(text)` / `RegExp(text)` whose text holds `re`
 * (regex literals in our own code do not go through it).
 */
function watch(native: RegExpConstructor, re: string, seen: string[]): RegExpConstructor {
  return new Proxy(native, {
    construct(target, args: [string | RegExp, string?]) {
      if (String(args[0]).includes(re)) seen.push(String(args[0]));
      return Reflect.construct(target, args);
    },
    apply(target, _this, args: [string | RegExp, string?]) {
      if (String(args[0]).includes(re)) seen.push(String(args[0]));
      return Reflect.apply(target, undefined, args);
    },
  });
}

test('the RegExp watch sees a compiled regex', () => {
  const NativeRegExp = globalThis.RegExp;
  const seen: string[] = [];
  globalThis.RegExp = watch(NativeRegExp, 'a+b', seen);
  try {
    assert.ok(new RegExp('(a+b)').test('aab'));
  } finally {
    globalThis.RegExp = NativeRegExp;
  }
  assert.deepEqual(seen, ['(a+b)']);
});

test('fuzz: Insights regexes on long messages are refused with a diagnostic or complete within the budget, and never reach V8', async () => {
  const NativeRegExp = globalThis.RegExp;
  await withEngine(events, async (engine) => {
    const samples = fc.sample(regex, { numRuns: 60, seed: 1412 });
    let ran = 0;
    let refused = 0;
    for (const re of samples) {
      for (const q of queries(re)) {
        const compiledByV8: string[] = [];
        globalThis.RegExp = watch(NativeRegExp, re, compiledByV8);
        try {
          const t0 = performance.now();
          const diags = (await engine.check(q, [BEDROCK_GROUP])).filter((d) => d.severity === 'error');
          if (diags.length > 0) {
            refused++;
            continue;
          }
          const r = await engine.run({ queryString: q, logGroups: [BEDROCK_GROUP] });
          const ms = performance.now() - t0;
          assert.equal(r.status, 'Complete', `${r.error?.message}\n  query: ${q}`);
          assert.ok(ms < CASE_BUDGET_MS, `${Math.round(ms)} ms for ${q}`);
          ran++;
        } finally {
          globalThis.RegExp = NativeRegExp;
        }
        assert.deepEqual(compiledByV8, [], `V8 compiled the user's regex for: ${q}`);
      }
    }
    assert.ok(ran > 100, `only ${ran} queries ran (${refused} refused)`);
    assert.ok(refused > 0, 'the forms RE2 cannot run are refused before running');
  });
});
