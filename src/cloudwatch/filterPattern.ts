import { invalidPattern } from './filterErrors.js';
import { assignDelimited } from './delimitedMatch.js';
import { compileGlob, compileLinearRegex, type LinearMatcher } from './linearMatch.js';
import { unmetered, type WorkMeter } from './work.js';

/**
 * The CloudWatch Logs filter pattern language (FilterLogEvents, metric filters, TestMetricFilter,
 * and the alarms that build on metric filters): term patterns (`ERROR`, `"a phrase"`, `?OR`,
 * `-exclude`, `%regex%`), JSON patterns (`{ $.a.b > 5000 && $.c = "x*" }`) and space-delimited
 * patterns (`[ip, user, ..., status = 4*, bytes > 1000]`).
 *
 * parseFilterPattern() compiles once (throws BiError FILTER_PATTERN_INVALID); matchFilterPattern()
 * tests one message and returns the extracted values; metricValueOf()/dimensionValueOf() read a
 * metric transformation's `$.path` / `$name` references from a matched message.
 *
 * Matching is linear in the message: regexes run on RE2 and globs on a one-pass matcher
 * (linearMatch.ts), space-delimited patterns by dynamic programming (delimitedMatch.ts), and every
 * scan is charged to a WorkMeter. The API runs it off the event loop (matchPool.ts).
 */

export const MAX_PATTERN_LENGTH = 1024;
export const MAX_REGEXES = 2;

export type Term = { text: string } | { regex: LinearMatcher };

export type TermPattern = { kind: 'terms'; all: Term[]; any: Term[]; none: Term[] };

/** Keys, indexes and `*` (any element or key). */
export type Selector = readonly (string | number)[];
export type Value =
  | { kind: 'string'; text: string; glob: LinearMatcher | null }
  | { kind: 'number'; value: number; text: string }
  | { kind: 'regex'; regex: LinearMatcher }
  | { kind: 'any' };

export type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=';

export type JsonCond =
  | { kind: 'cmp'; selector: Selector; selectorText: string; op: CompareOp; value: Value }
  | { kind: 'isNull'; selector: Selector }
  | { kind: 'notExists'; selector: Selector }
  | { kind: 'isBool'; selector: Selector; value: boolean };

export type Expr<C> = { kind: 'and' | 'or'; left: Expr<C>; right: Expr<C> } | { kind: 'cond'; cond: C };

export type JsonPattern = { kind: 'json'; expr: Expr<JsonCond> };

export type DelimCond = { name: string; op: CompareOp; value: Value };
export type DelimItem =
  { kind: 'ellipsis' } | { kind: 'field'; name: string | null; position: number; expr: Expr<DelimCond> | null };
export type DelimitedPattern = { kind: 'delimited'; items: DelimItem[] };

export type FilterPattern = { kind: 'all' } | TermPattern | JsonPattern | DelimitedPattern;

export interface MatchResult {
  /** `$name` / `$<position>` -> text, for space-delimited patterns; `{}` for the others. */
  extractedValues: Record<string, string>;
  /** The parsed JSON message, for JSON patterns (so metric values need not parse again). */
  json?: unknown;
}

// ---------------------------------------------------------------------------------------------
// Regexes and globs

const REGEX_ALLOWED = /^[A-Za-z0-9:_#=@/;,\-^$?[\]{}|\\*+. ]*$/;

function compileRegex(body: string, counter: { n: number }): LinearMatcher {
  counter.n++;
  if (counter.n > MAX_REGEXES)
    throw invalidPattern(`A filter pattern may contain at most ${MAX_REGEXES} regular expressions.`);
  if (/[()]/.test(body)) throw invalidPattern('Regular expressions in filter patterns cannot use ( ) groups.');
  if (!REGEX_ALLOWED.test(body))
    throw invalidPattern(
      `The regular expression %${body}% uses a character filter patterns do not allow; use letters, digits, : _ # = @ / ; , - and the operators ^ $ ? [ ] { } | \\ * + .`,
    );
  return compileLinearRegex(body);
}

function globOf(text: string): LinearMatcher | null {
  return text.includes('*') ? compileGlob(text) : null;
}

// ---------------------------------------------------------------------------------------------
// Tokenizer shared by JSON and space-delimited patterns

type Tok =
  | { t: 'lp' | 'rp' | 'and' | 'or' | 'comma' | 'ellipsis' }
  | { t: 'op'; op: CompareOp }
  | { t: 'str'; text: string }
  | { t: 'regex'; body: string }
  | { t: 'word'; text: string };

function readQuoted(s: string, i: number): [string, number] {
  // s[i] === '"'
  let out = '';
  let j = i + 1;
  while (j < s.length) {
    const c = s[j];
    if (c === '\\' && j + 1 < s.length) {
      out += s[j + 1];
      j += 2;
      continue;
    }
    if (c === '"') return [out, j + 1];
    out += c;
    j++;
  }
  throw invalidPattern('Unterminated quoted string in the filter pattern; close it with ".');
}

function tokenize(s: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '(') {
      toks.push({ t: 'lp' });
      i++;
      continue;
    }
    if (c === ')') {
      toks.push({ t: 'rp' });
      i++;
      continue;
    }
    if (c === ',') {
      toks.push({ t: 'comma' });
      i++;
      continue;
    }
    if (s.startsWith('&&', i)) {
      toks.push({ t: 'and' });
      i += 2;
      continue;
    }
    if (s.startsWith('||', i)) {
      toks.push({ t: 'or' });
      i += 2;
      continue;
    }
    if (s.startsWith('...', i)) {
      toks.push({ t: 'ellipsis' });
      i += 3;
      continue;
    }
    if (s.startsWith('!=', i)) {
      toks.push({ t: 'op', op: '!=' });
      i += 2;
      continue;
    }
    if (s.startsWith('<=', i)) {
      toks.push({ t: 'op', op: '<=' });
      i += 2;
      continue;
    }
    if (s.startsWith('>=', i)) {
      toks.push({ t: 'op', op: '>=' });
      i += 2;
      continue;
    }
    if (c === '=' || c === '<' || c === '>') {
      toks.push({ t: 'op', op: c as CompareOp });
      i++;
      continue;
    }
    if (c === '"') {
      const [text, j] = readQuoted(s, i);
      toks.push({ t: 'str', text });
      i = j;
      continue;
    }
    if (c === '%') {
      const j = s.indexOf('%', i + 1);
      if (j < 0) throw invalidPattern('Unterminated regular expression in the filter pattern; close it with %.');
      toks.push({ t: 'regex', body: s.slice(i + 1, j) });
      i = j + 1;
      continue;
    }
    let j = i;
    while (j < s.length && !/[\s(),=<>!&|"%]/.test(s[j])) j++;
    // `!` that does not start `!=` belongs to no token: reject it instead of looping.
    if (j === i) throw invalidPattern(`Unexpected character '${c}' in the filter pattern.`);
    toks.push({ t: 'word', text: s.slice(i, j) });
    i = j;
  }
  return toks;
}

class Cursor {
  i = 0;
  constructor(readonly toks: Tok[]) {}
  peek(): Tok | undefined {
    return this.toks[this.i];
  }
  next(): Tok | undefined {
    return this.toks[this.i++];
  }
  done(): boolean {
    return this.i >= this.toks.length;
  }
}

function parseBool<C>(cur: Cursor, cond: (cur: Cursor) => C, stop: (t: Tok) => boolean): Expr<C> {
  const parseOr = (): Expr<C> => {
    let left = parseAnd();
    while (cur.peek()?.t === 'or') {
      cur.next();
      left = { kind: 'or', left, right: parseAnd() };
    }
    return left;
  };
  const parseAnd = (): Expr<C> => {
    let left = parsePrimary();
    while (cur.peek()?.t === 'and') {
      cur.next();
      left = { kind: 'and', left, right: parsePrimary() };
    }
    return left;
  };
  const parsePrimary = (): Expr<C> => {
    const t = cur.peek();
    if (!t || stop(t)) throw invalidPattern('The filter pattern ends where a condition was expected.');
    if (t.t === 'lp') {
      cur.next();
      const e = parseOr();
      if (cur.next()?.t !== 'rp') throw invalidPattern('Unbalanced parentheses in the filter pattern.');
      return e;
    }
    return { kind: 'cond', cond: cond(cur) };
  };
  return parseOr();
}

function parseValue(cur: Cursor, op: CompareOp, regexes: { n: number }): Value {
  const t = cur.next();
  if (!t) throw invalidPattern(`A value is missing after '${op}' in the filter pattern.`);
  const numeric = op === '<' || op === '<=' || op === '>' || op === '>=';
  if (t.t === 'regex') {
    if (numeric) throw invalidPattern(`'${op}' compares numbers; a regular expression works only with = and !=.`);
    return { kind: 'regex', regex: compileRegex(t.body, regexes) };
  }
  if (t.t === 'str') {
    if (numeric) throw invalidPattern(`'${op}' compares numbers; "${t.text}" is a string.`);
    return { kind: 'string', text: t.text, glob: globOf(t.text) };
  }
  if (t.t === 'word') {
    const n = numberLiteral(t.text);
    if (n !== null) return { kind: 'number', value: n, text: t.text };
    if (numeric) throw invalidPattern(`'${op}' compares numbers; ${t.text} is not a number.`);
    if (t.text === '*') return { kind: 'any' };
    return { kind: 'string', text: t.text, glob: globOf(t.text) };
  }
  throw invalidPattern(`A value is missing after '${op}' in the filter pattern.`);
}

function numberLiteral(text: string): number | null {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return null;
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
}

// ---------------------------------------------------------------------------------------------
// JSON patterns

function parseSelector(text: string): Selector {
  if (!text.startsWith('$'))
    throw invalidPattern(`A JSON pattern condition starts with a selector such as $.field; got ${text}.`);
  const segs: (string | number)[] = [];
  let i = 1;
  while (i < text.length) {
    if (text[i] === '.') {
      let j = i + 1;
      while (j < text.length && text[j] !== '.' && text[j] !== '[') j++;
      const name = text.slice(i + 1, j);
      if (!name) throw invalidPattern(`Empty property name in the selector ${text}.`);
      segs.push(name === '*' ? '*' : name);
      i = j;
    } else if (text[i] === '[') {
      const j = text.indexOf(']', i);
      if (j < 0) throw invalidPattern(`Unclosed [ in the selector ${text}.`);
      const inner = text.slice(i + 1, j).trim();
      if (inner === '*') segs.push('*');
      else if (/^\d+$/.test(inner)) segs.push(Number(inner));
      else throw invalidPattern(`Array index [${inner}] in ${text} must be a number or *.`);
      i = j + 1;
    } else {
      throw invalidPattern(`Unexpected '${text[i]}' in the selector ${text}; use $.name and [n].`);
    }
  }
  return segs;
}

function parseJsonCond(cur: Cursor, regexes: { n: number }): JsonCond {
  const t = cur.next();
  if (!t || t.t !== 'word') throw invalidPattern('A JSON pattern condition starts with a selector such as $.field.');
  const selector = parseSelector(t.text);
  const nx = cur.peek();
  if (nx?.t === 'word' && nx.text.toUpperCase() === 'IS') {
    cur.next();
    const w = cur.next();
    const kw = w?.t === 'word' ? w.text.toUpperCase() : '';
    if (kw === 'NULL') return { kind: 'isNull', selector };
    if (kw === 'TRUE' || kw === 'FALSE') return { kind: 'isBool', selector, value: kw === 'TRUE' };
    throw invalidPattern(`After ${t.text} IS, write NULL, TRUE or FALSE.`);
  }
  if (nx?.t === 'word' && nx.text.toUpperCase() === 'NOT') {
    cur.next();
    const w = cur.next();
    if (w?.t === 'word' && w.text.toUpperCase() === 'EXISTS') return { kind: 'notExists', selector };
    throw invalidPattern(`After ${t.text} NOT, write EXISTS.`);
  }
  const o = cur.next();
  if (!o || o.t !== 'op') throw invalidPattern(`An operator (= != < <= > >=) is missing after ${t.text}.`);
  return { kind: 'cmp', selector, selectorText: t.text, op: o.op, value: parseValue(cur, o.op, regexes) };
}

/** Every value the selector reaches (several with `*`); empty when the path is missing. */
export function selectJson(root: unknown, selector: Selector): unknown[] {
  let cur: unknown[] = [root];
  for (const seg of selector) {
    const next: unknown[] = [];
    for (const v of cur) {
      if (v === null || typeof v !== 'object') continue;
      if (seg === '*') {
        for (const x of Array.isArray(v) ? v : Object.values(v as Record<string, unknown>)) next.push(x);
      } else if (typeof seg === 'number') {
        if (Array.isArray(v) && seg < v.length) next.push(v[seg]);
      } else if (!Array.isArray(v) && Object.prototype.hasOwnProperty.call(v, seg)) {
        next.push((v as Record<string, unknown>)[seg]);
      }
    }
    cur = next;
  }
  return cur;
}

function isScalar(v: unknown): v is string | number | boolean {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

function compareScalar(field: string | number | boolean, op: CompareOp, value: Value, work: WorkMeter): boolean {
  if (value.kind === 'any') return op === '=';
  if (op === '=' || op === '!=') {
    let eq: boolean;
    if (value.kind === 'regex') eq = value.regex.test(String(field), work);
    else if (value.kind === 'number' && typeof field === 'number') eq = field === value.value;
    else if (value.kind === 'number') eq = typeof field === 'string' && numberLiteral(field) === value.value;
    else if (value.glob) eq = value.glob.test(String(field), work);
    else eq = String(field) === value.text;
    return op === '=' ? eq : !eq;
  }
  if (value.kind !== 'number') return false;
  const n = typeof field === 'number' ? field : typeof field === 'string' ? numberLiteral(field) : null;
  if (n === null) return false;
  switch (op) {
    case '<':
      return n < value.value;
    case '<=':
      return n <= value.value;
    case '>':
      return n > value.value;
    default:
      return n >= value.value;
  }
}

function evalJsonCond(json: unknown, c: JsonCond, work: WorkMeter): boolean {
  const vals = selectJson(json, c.selector);
  switch (c.kind) {
    case 'notExists':
      return vals.length === 0;
    case 'isNull':
      return vals.some((v) => v === null);
    case 'isBool':
      return vals.some((v) => v === c.value);
    case 'cmp':
      return vals.some((v) => isScalar(v) && compareScalar(v, c.op, c.value, work));
  }
}

function evalExpr<C>(e: Expr<C>, f: (c: C) => boolean): boolean {
  if (e.kind === 'cond') return f(e.cond);
  if (e.kind === 'and') return evalExpr(e.left, f) && evalExpr(e.right, f);
  return evalExpr(e.left, f) || evalExpr(e.right, f);
}

// ---------------------------------------------------------------------------------------------
// Space-delimited patterns

function splitTopLevel(toks: Tok[]): Tok[][] {
  const items: Tok[][] = [[]];
  let depth = 0;
  for (const t of toks) {
    if (t.t === 'lp') depth++;
    if (t.t === 'rp') depth--;
    if (t.t === 'comma' && depth === 0) {
      items.push([]);
      continue;
    }
    items[items.length - 1].push(t);
  }
  return items;
}

const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_\-.]*$/;

function parseDelimited(body: string, regexes: { n: number }): DelimitedPattern {
  const groups = splitTopLevel(tokenize(body));
  if (groups.length === 1 && groups[0].length === 0)
    throw invalidPattern('A space-delimited pattern [ ] needs at least one field.');
  const items: DelimItem[] = groups.map((g, idx) => {
    if (g.length === 0) throw invalidPattern(`Field ${idx + 1} of the space-delimited pattern is empty.`);
    if (g.length === 1 && g[0].t === 'ellipsis') return { kind: 'ellipsis' };
    const position = idx + 1;
    if (g.length === 1 && g[0].t === 'word' && FIELD_NAME.test(g[0].text))
      return { kind: 'field', name: g[0].text, position, expr: null };
    // A bare literal (quoted or glob) constrains an unnamed field: `[..., "404", bytes]`.
    if (g.length === 1 && (g[0].t === 'str' || g[0].t === 'word' || g[0].t === 'regex')) {
      const cur = new Cursor([{ t: 'op', op: '=' }, g[0]]);
      cur.next();
      const value = parseValue(cur, '=', regexes);
      return {
        kind: 'field',
        name: null,
        position,
        expr: { kind: 'cond', cond: { name: `$${position}`, op: '=', value } },
      };
    }
    let own: string | null = null;
    const cur = new Cursor(g);
    const expr = parseBool<DelimCond>(
      cur,
      (c) => {
        const n = c.next();
        if (!n || n.t !== 'word' || !FIELD_NAME.test(n.text))
          throw invalidPattern(
            `Field ${position} of the space-delimited pattern must be a name or a condition such as status = 404.`,
          );
        own ??= n.text;
        if (n.text !== own)
          throw invalidPattern(
            `Field ${position} of the space-delimited pattern tests ${n.text} after ${own}; each field's conditions test that field only, e.g. [${own} = 1 || ${own} = 2].`,
          );
        const o = c.next();
        if (!o || o.t !== 'op') throw invalidPattern(`An operator (= != < <= > >=) is missing after ${n.text}.`);
        return { name: n.text, op: o.op, value: parseValue(c, o.op, regexes) };
      },
      () => false,
    );
    if (!cur.done()) throw invalidPattern(`Unexpected text in field ${position} of the space-delimited pattern.`);
    return { kind: 'field', name: own, position, expr };
  });
  return { kind: 'delimited', items };
}

/**
 * Splits a message into space-delimited fields; "…" and […] are one field each (without the
 * delimiters). One pass: once a closing quote or bracket is known to be missing after some
 * point, it is not searched for again (a message of many unclosed `[` stays linear).
 */
export function splitDelimited(message: string, work: WorkMeter = unmetered()): string[] {
  work.spend(message.length);
  const out: string[] = [];
  const noClose = { '"': false, ']': false };
  let i = 0;
  const s = message;
  while (i < s.length) {
    if (/\s/.test(s[i])) {
      i++;
      continue;
    }
    if (s[i] === '"' || s[i] === '[') {
      const close = s[i] === '"' ? '"' : ']';
      const j = noClose[close] ? -1 : s.indexOf(close, i + 1);
      if (j >= 0) {
        out.push(s.slice(i + 1, j));
        i = j + 1;
        continue;
      }
      noClose[close] = true;
    }
    let j = i;
    while (j < s.length && !/\s/.test(s[j])) j++;
    out.push(s.slice(i, j));
    i = j;
  }
  return out;
}

function matchDelimited(p: DelimitedPattern, message: string, work: WorkMeter): Record<string, string> | null {
  const toks = splitDelimited(message, work);
  const kinds = p.items.map((x) => x.kind);
  const assigned = assignDelimited(
    kinds,
    toks.length,
    (i, j) => {
      const item = p.items[i];
      // A condition tests its own field only (the parser makes sure of it).
      return (
        item.kind !== 'field' || !item.expr || evalExpr(item.expr, (c) => compareScalar(toks[j], c.op, c.value, work))
      );
    },
    work,
  );
  if (!assigned) return null;
  const vars: Record<string, string> = {};
  p.items.forEach((item, i) => {
    if (item.kind === 'field') vars[`$${item.name ?? item.position}`] = toks[assigned[i]];
  });
  return vars;
}

// ---------------------------------------------------------------------------------------------
// Term patterns

function parseTerms(text: string, regexes: { n: number }): TermPattern {
  const p: TermPattern = { kind: 'terms', all: [], any: [], none: [] };
  let i = 0;
  while (i < text.length) {
    if (/\s/.test(text[i])) {
      i++;
      continue;
    }
    let bucket: Term[] = p.all;
    if (text[i] === '?') {
      bucket = p.any;
      i++;
    } else if (text[i] === '-' && i + 1 < text.length && !/\s/.test(text[i + 1])) {
      bucket = p.none;
      i++;
    }
    if (i >= text.length) throw invalidPattern('A filter term is missing after ? or -.');
    let term: Term;
    if (text[i] === '"') {
      const [t, j] = readQuoted(text, i);
      term = { text: t };
      i = j;
    } else if (text[i] === '%') {
      const j = text.indexOf('%', i + 1);
      if (j < 0) throw invalidPattern('Unterminated regular expression in the filter pattern; close it with %.');
      term = { regex: compileRegex(text.slice(i + 1, j), regexes) };
      i = j + 1;
    } else {
      let j = i;
      while (j < text.length && !/\s/.test(text[j])) j++;
      term = { text: text.slice(i, j) };
      i = j;
    }
    bucket.push(term);
  }
  return p;
}

function termIn(t: Term, message: string, work: WorkMeter): boolean {
  if ('regex' in t) return t.regex.test(message, work);
  work.spend(message.length);
  return message.includes(t.text);
}

// ---------------------------------------------------------------------------------------------

/** Compiles a filter pattern; throws BiError('FILTER_PATTERN_INVALID') with a message for the user. */
export function parseFilterPattern(text: string | undefined | null): FilterPattern {
  return parseCounting(text, { n: 0 });
}

/** How many `%regex%` a (valid) pattern uses: metric filters limit regex-bearing filters per group. */
export function filterPatternRegexCount(text: string | undefined | null): number {
  const regexes = { n: 0 };
  parseCounting(text, regexes);
  return regexes.n;
}

function parseCounting(text: string | undefined | null, regexes: { n: number }): FilterPattern {
  const src = (text ?? '').trim();
  if (src.length > MAX_PATTERN_LENGTH)
    throw invalidPattern(`A filter pattern is at most ${MAX_PATTERN_LENGTH} characters.`);
  if (src === '' || src === '""') return { kind: 'all' };
  if (src.startsWith('{')) {
    if (!src.endsWith('}')) throw invalidPattern('A JSON filter pattern must end with }.');
    const cur = new Cursor(tokenize(src.slice(1, -1)));
    if (cur.done()) throw invalidPattern('A JSON filter pattern { } needs a condition such as { $.field = "value" }.');
    const expr = parseBool<JsonCond>(
      cur,
      (c) => parseJsonCond(c, regexes),
      () => false,
    );
    if (!cur.done()) throw invalidPattern('Unexpected text in the JSON filter pattern; join conditions with && or ||.');
    return { kind: 'json', expr };
  }
  if (src.startsWith('[')) {
    if (!src.endsWith(']')) throw invalidPattern('A space-delimited filter pattern must end with ].');
    return parseDelimited(src.slice(1, -1), regexes);
  }
  return parseTerms(src, regexes);
}

/** Tests one message; null when it does not match. Throws FILTER_WORK_LIMIT when `work` runs out. */
export function matchFilterPattern(
  p: FilterPattern,
  message: string,
  work: WorkMeter = unmetered(),
): MatchResult | null {
  switch (p.kind) {
    case 'all':
      return { extractedValues: {} };
    case 'terms': {
      if (!p.all.every((t) => termIn(t, message, work))) return null;
      if (p.any.length > 0 && !p.any.some((t) => termIn(t, message, work))) return null;
      if (p.none.some((t) => termIn(t, message, work))) return null;
      return { extractedValues: {} };
    }
    case 'json': {
      const json = parseJsonMessage(message, work);
      if (json === undefined) return null;
      return evalExpr(p.expr, (c) => evalJsonCond(json, c, work)) ? { extractedValues: {}, json } : null;
    }
    case 'delimited': {
      const vars = matchDelimited(p, message, work);
      return vars ? { extractedValues: vars } : null;
    }
  }
}

function parseJsonMessage(message: string, work: WorkMeter = unmetered()): unknown {
  work.spend(message.length);
  const t = message.trimStart();
  if (!t.startsWith('{') && !t.startsWith('[')) return undefined;
  try {
    return JSON.parse(message);
  } catch {
    return undefined;
  }
}

/**
 * The plain terms every match must contain (a prefilter for SQL `contains`), and whether they
 * are the whole pattern (then a message that contains them all matches).
 */
export function requiredLiterals(p: FilterPattern): { terms: string[]; complete: boolean } {
  if (p.kind !== 'terms') return { terms: [], complete: false };
  const terms = p.all.flatMap((t) => ('text' in t ? [t.text] : []));
  return { terms, complete: terms.length === p.all.length && p.any.length === 0 && p.none.length === 0 };
}

/** Compile once, test many. */
export function compileFilterPattern(text: string | undefined | null): (message: string) => MatchResult | null {
  const p = parseFilterPattern(text);
  return (message) => matchFilterPattern(p, message);
}

function referenceValue(ref: string, message: string, match: MatchResult): unknown {
  if (ref.startsWith('$.') || ref.startsWith('$[')) {
    const json = match.json !== undefined ? match.json : parseJsonMessage(message);
    if (json === undefined) return undefined;
    const vals = selectJson(json, parseSelector(ref));
    return vals.length > 0 ? vals[0] : undefined;
  }
  if (ref.startsWith('$')) return match.extractedValues[ref];
  return undefined;
}

/**
 * A metric transformation's value for a matched message: a literal number ("1"), or the numeric
 * value of `$.path` (JSON) or `$name` (space-delimited). Undefined when the reference is missing
 * or not numeric (the event then emits nothing).
 */
export function metricValueOf(metricValue: string, message: string, match: MatchResult): number | undefined {
  const literal = numberLiteral(metricValue.trim());
  if (literal !== null) return literal;
  const v = referenceValue(metricValue.trim(), message, match);
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string') return numberLiteral(v.trim()) ?? undefined;
  return undefined;
}

/** A dimension's value (`$.path` or `$name`) as text; undefined when missing or not a scalar. */
export function dimensionValueOf(ref: string, message: string, match: MatchResult): string | undefined {
  const v = referenceValue(ref.trim(), message, match);
  return isScalar(v) ? String(v) : undefined;
}

/** True when `ref` is a field reference a metric value or dimension may use. */
export function isFieldReference(ref: string): boolean {
  return /^\$(\.|\[)/.test(ref) ? safeSelector(ref) : /^\$[A-Za-z0-9_\-.]+$/.test(ref);
}

function safeSelector(ref: string): boolean {
  try {
    parseSelector(ref);
    return true;
  } catch {
    return false;
  }
}
