/**
 * Regexes are checked at analysis with RE2's rules (re2js), so a query `check` accepts cannot
 * fail at run time on its regex, and the user's pattern never reaches V8's RegExp (which
 * backtracks): a watch on the RegExp constructor proves it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileQuery } from '../../src/insights/compile.js';
import { renderDiagnostic } from '../../src/insights/diagnostics.js';

const catalog = { logGroups: [], fieldsByGroup: new Map<string, Set<string>>() };

function errors(q: string) {
  return compileQuery(q, { catalog }).diagnostics.filter((d) => d.severity === 'error');
}

test('an invalid regex is REGEX_INVALID, with the caret on the part at fault', () => {
  const q = 'filter @message like /x[z-a]/';
  const [d] = errors(q);
  assert.equal(d.code, 'REGEX_INVALID');
  assert.equal(q.slice(d.span.start, d.span.end), 'z-a');
  assert.match(renderDiagnostic(q, d), /\n {2}filter @message like \/x\[z-a\]\/\n {26}\^~~$/);
  // A reason without a fragment points at the whole literal.
  const unbalanced = 'filter @message like /a(/';
  const [u] = errors(unbalanced);
  assert.equal(unbalanced.slice(u.span.start, u.span.end), '/a(/');
  assert.match(u.message, /missing closing \)/);
});

test('parse, =~ and regexReplace patterns are checked too; valid RE2 passes', () => {
  assert.equal(errors('parse @message /(?<a>x{2,1})/')[0]?.code, 'REGEX_INVALID');
  assert.equal(errors('filter x =~ /a**/')[0]?.code, 'REGEX_INVALID');
  const [r] = errors('fields regexReplace(x, "(", "y") as z');
  assert.equal(r?.code, 'REGEX_INVALID');
  assert.deepEqual(errors('fields regexReplace(x, /(?i)a+?b{1,3}\\d/, "y") as z | filter x like /^(?<g>[a-z]+)$/'), []);
  // Lookarounds and backreferences keep their own code.
  assert.equal(errors('filter x like /(?=a)b/')[0]?.code, 'REGEX_UNSUPPORTED');
  assert.equal(errors('fields regexReplace(x, y, "z") as w')[0]?.code, 'BAD_ARGUMENT');
});

test("checking a regex never hands the user's pattern to V8's RegExp", () => {
  const Native = globalThis.RegExp;
  const seen: string[] = [];
  const marker = 'qzq(';
  globalThis.RegExp = new Proxy(Native, {
    construct(target, args: [string | RegExp, string?]) {
      if (String(args[0]).includes('qzq')) seen.push(String(args[0]));
      return Reflect.construct(target, args);
    },
    apply(target, _this, args: [string | RegExp, string?]) {
      if (String(args[0]).includes('qzq')) seen.push(String(args[0]));
      return Reflect.apply(target, undefined, args);
    },
  });
  try {
    assert.equal(errors(`filter @message like /${marker}/`)[0]?.code, 'REGEX_INVALID');
    assert.equal(errors(`fields regexReplace(@message, "${marker}", "") as r`)[0]?.code, 'REGEX_INVALID');
    assert.deepEqual(errors('filter @message like /qzq+(a|b)*/'), []);
  } finally {
    globalThis.RegExp = Native;
  }
  assert.deepEqual(seen, []);
});
