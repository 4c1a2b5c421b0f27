// Test helpers for the parser tests: a compact S-expression view of expressions so that
// expected trees can be written by hand.
import assert from 'node:assert/strict';
import { parseQuery } from '../../src/insights/parser.js';
import type { Command, Expr, Query } from '../../src/insights/ast.js';
import type { Diagnostic } from '../../src/insights/diagnostics.js';

export function sx(e: Expr): string {
  switch (e.kind) {
    case 'field':
      return e.quoted ? `\`${e.name}\`` : e.name;
    case 'number':
      return `#${e.value}`;
    case 'string':
      return JSON.stringify(e.value);
    case 'regex':
      return `/${e.pattern}/`;
    case 'boolean':
      return String(e.value);
    case 'duration':
      return `${e.amount}${e.unit}`;
    case 'list':
      return `[${e.items.map(sx).join(' ')}]`;
    case 'star':
      return '*';
    case 'unary':
      return `(${e.op} ${sx(e.operand)})`;
    case 'binary':
      return `(${e.op} ${sx(e.left)} ${sx(e.right)})`;
    case 'like':
      return `(${e.negated ? 'not-like' : 'like'} ${sx(e.subject)} ${sx(e.pattern)})`;
    case 'in':
      return `(${e.negated ? 'not-in' : 'in'} ${sx(e.subject)} ${e.list.kind === 'list' ? sx(e.list) : '(subquery)'})`;
    case 'subquery':
      return '(subquery)';
    case 'call':
      return `${e.name}(${e.args.map(sx).join(' ')})`;
    case 'access':
      return `(. ${sx(e.object)} ${typeof e.key === 'number' ? `#${e.key}` : JSON.stringify(e.key)})`;
  }
}

/** Parse and require success with no diagnostic at all. */
export function ok(text: string): Query {
  const r = parseQuery(text);
  assert.deepEqual(
    r.diagnostics,
    [],
    `unexpected diagnostics for ${JSON.stringify(text)}: ${JSON.stringify(r.diagnostics)}`,
  );
  assert.ok(r.query, 'query should be present');
  return r.query;
}

export function one(text: string): Command {
  const q = ok(text);
  assert.equal(q.commands.length, 1);
  return q.commands[0];
}

/** The S-expression of a single `filter` condition. */
export function cond(expr: string): string {
  const c = one(`filter ${expr}`);
  assert.equal(c.kind, 'filter');
  return c.kind === 'filter' ? sx(c.condition) : '';
}

/** Parse and require failure; returns the error diagnostics. */
export function bad(text: string): Diagnostic[] {
  const r = parseQuery(text);
  assert.equal(r.query, undefined, `expected ${JSON.stringify(text)} to fail`);
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  assert.ok(errors.length > 0);
  return errors;
}
