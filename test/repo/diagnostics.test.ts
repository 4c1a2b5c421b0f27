import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DIAGNOSTIC_CODES } from '../../src/contracts/diagnostic-codes.js';
import { spawnSync } from 'node:child_process';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

const CODE = "'([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)'";
/**
 * The ways src/ raises a code: `new BiError('X'`, `diagnostic(text, 'X'`, the analyzer's and
 * parser's `this.err('X'` / `this.report(t, 'X'`, `code: 'X'`, the lexer's error tokens.
 */
const RAISED = new RegExp(
  `(?:\\bBiError|\\bdiagnostic|\\.err|\\.warn|\\.report|\\.reportSpan)\\(\\s*(?:[^'()]{0,40}?,\\s*)?${CODE}|\\bcode:\\s*${CODE}|kind: 'error'[^\\n]*value: ${CODE}`,
  'g',
);

function codesRaised(text: string): string[] {
  return [...text.matchAll(RAISED)].map((m) => m[1] ?? m[2] ?? m[3]);
}

const files = sources('src').filter((f) => !f.endsWith('diagnostic-codes.ts'));
const texts = files.map((f) => readFileSync(f, 'utf8'));
const registered = new Set(DIAGNOSTIC_CODES.map((e) => e.code));

test('the scanner finds each way of raising a code (hostile forms included)', () => {
  assert.deepEqual(
    codesRaised(
      `throw new BiError(\n  'STORE_MISSING', 'x');\nthis.err('NOT_A_MAP', m, s);\nthis.report(t, 'PARSE_TOO_DEEP');\n{ code: 'QUERY_FAILED' }\npush({ kind: 'error', text: t, value: 'LEX_UNEXPECTED_CHAR', start });\nconst s = 'NOT_RAISED_HERE';`,
    ),
    ['STORE_MISSING', 'NOT_A_MAP', 'PARSE_TOO_DEEP', 'QUERY_FAILED', 'LEX_UNEXPECTED_CHAR'],
  );
});

test('every code raised in src/ is in the registry (and so in docs/diagnostics.md)', () => {
  const raised = new Map<string, string>();
  files.forEach((f, i) => codesRaised(texts[i]).forEach((c) => raised.set(c, f)));
  assert.ok(raised.size > 100, `the scanner found only ${raised.size} codes: is it broken?`);
  const missing = [...raised].filter(([c]) => !registered.has(c)).map(([c, f]) => `${c} (${f})`);
  assert.deepEqual(missing, [], 'add these to src/contracts/diagnostic-codes.ts, then npm run docs:diagnostics');
});

test('every registered code is used in src/, once in the registry', () => {
  assert.equal(registered.size, DIAGNOSTIC_CODES.length, 'a code is registered twice');
  const all = texts.join('\n');
  const unused = [...registered].filter((c) => !all.includes(`'${c}'`));
  assert.deepEqual(unused, [], 'these codes are raised nowhere: remove them from the registry');
});

test('docs/diagnostics.md lists every registered code, as the registry says (npm run docs:diagnostics)', () => {
  const page = readFileSync('docs/diagnostics.md', 'utf8');
  for (const c of registered) assert.ok(page.includes(`| \`${c}\` |`), `${c} is not in the table`);
  const check = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/diagnostics-doc.ts', '--check'], {
    encoding: 'utf8',
  });
  assert.equal(check.status, 0, check.stderr);
});
