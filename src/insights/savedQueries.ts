import type { Span } from './ast.js';
import { diagnostic, lineColumn, type Diagnostic } from './diagnostics.js';
import { tokenize, type Token } from './lexer.js';

/**
 * Saved-query expansion (spec §1.6, §9): `$Name(param = "v", n = 10)` and
 * ``$`Quoted Name`(…)`` invocations, possibly chained with `|`, are replaced textually by the saved
 * query's text with its `{{param}}` placeholders filled in, before the query is parsed.
 *
 * Substitution inserts the parameter's *value*: a string argument's decoded contents (no quotes), a
 * number's or name's text as written. Defaults are plain strings in the API (QueryParameter
 * .defaultValue), so a value and a default substitute the same way; a template that needs a
 * string literal writes the quotes itself: `filter level = "{{logLevel}}"`.
 *
 * Errors are diagnostics against the original text. A span mapping lets the caller put the
 * parser's diagnostics (which concern the expanded text) back onto the text the user wrote.
 */

export interface SavedQueryParameter {
  name: string;
  defaultValue?: string;
  description?: string;
}

export interface SavedQuery {
  name: string;
  queryString: string;
  parameters?: readonly SavedQueryParameter[];
}

/** Finds a saved query by its name (exact, as written in the invocation). */
export type SavedQueryLookup = (name: string) => SavedQuery | undefined;

export interface ExpansionOptions {
  /** The longest expanded query (spec §8: 10,000 characters). */
  maxLength?: number;
  /** The most parameters a saved query or an invocation may have (spec §1.6: 20). */
  maxParameters?: number;
}

export interface Invocation {
  name: string;
  /** The invocation in the original text. */
  span: Span;
  /** Where its expansion sits in the expanded text. */
  expandedSpan: Span;
}

export interface SavedQueryExpansion {
  /** The expanded text; equal to the input when it holds no invocation. */
  text: string;
  /** Problems found while expanding, with spans and lines in the ORIGINAL text. */
  diagnostics: Diagnostic[];
  invocations: Invocation[];
  /** Map a span of the expanded text to the original text (inside an expansion: the invocation). */
  toOriginal(span: Span): Span;
}

export const MAX_QUERY_LENGTH = 10_000;
export const MAX_PARAMETERS = 20;
const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

interface Segment {
  orig: Span;
  exp: Span;
  invocation: boolean;
}

export function expandSavedQueries(
  text: string,
  lookup: SavedQueryLookup,
  options: ExpansionOptions = {},
): SavedQueryExpansion {
  // Untyped callers (JSON bodies) may pass anything; treat a non-string as an empty query.
  if (typeof text !== 'string') text = '';
  const maxLength = options.maxLength ?? MAX_QUERY_LENGTH;
  const maxParams = options.maxParameters ?? MAX_PARAMETERS;
  const diagnostics: Diagnostic[] = [];
  const invocations: Invocation[] = [];
  const segments: Segment[] = [];
  let out = '';
  let copied = 0;

  const err = (code: string, message: string, span: Span): void => {
    diagnostics.push(diagnostic(text, code, 'error', message, span));
  };

  let tokens: Token[];
  try {
    tokens = tokenize(text);
  } catch {
    tokens = [];
  }

  for (let i = 0; i < tokens.length; i++) {
    const dollar = tokens[i];
    if (dollar.kind !== 'dollar') continue;
    const parsed = parseInvocation(tokens, i, text);
    if ('error' in parsed) {
      err('SAVED_SYNTAX', parsed.error, parsed.span);
      continue;
    }
    i = parsed.nextIndex - 1;
    const span: Span = { start: dollar.start, end: parsed.end };
    const expansion = expandOne(parsed, span, lookup, maxParams, err);
    if (expansion === undefined) continue;
    // Copy the text before the invocation, then the expansion.
    const before = text.slice(copied, span.start);
    segments.push({
      orig: { start: copied, end: span.start },
      exp: { start: out.length, end: out.length + before.length },
      invocation: false,
    });
    out += before;
    const expStart = out.length;
    out += expansion;
    segments.push({ orig: span, exp: { start: expStart, end: out.length }, invocation: true });
    invocations.push({ name: parsed.name, span, expandedSpan: { start: expStart, end: out.length } });
    copied = span.end;
  }
  const rest = text.slice(copied);
  segments.push({
    orig: { start: copied, end: text.length },
    exp: { start: out.length, end: out.length + rest.length },
    invocation: false,
  });
  out += rest;

  if (invocations.length > 0 && out.length > maxLength) {
    err(
      'SAVED_TOO_LONG',
      `the expanded query is ${out.length} characters long, more than the maximum of ${maxLength}: shorten the saved queries or split the query`,
      invocations[0].span,
    );
  }

  const toOriginal = (s: Span): Span => ({
    start: mapOffset(segments, s.start, 'start'),
    end: mapOffset(segments, s.end, 'end'),
  });
  return { text: out, diagnostics, invocations, toOriginal };
}

/**
 * Put diagnostics computed on the expanded text back onto the original text: spans mapped, line
 * and column recomputed. A diagnostic inside an expansion points at the whole invocation and says
 * which saved query it came from.
 */
export function diagnosticsToOriginal(
  originalText: string,
  expansion: SavedQueryExpansion,
  diags: readonly Diagnostic[],
): Diagnostic[] {
  return diags.map((d) => {
    const span = expansion.toOriginal(d.span);
    const inv = expansion.invocations.find(
      (x) => d.span.start >= x.expandedSpan.start && d.span.start < x.expandedSpan.end,
    );
    const message = inv ? `${d.message} (in saved query ${inv.name})` : d.message;
    const { line, column } = lineColumn(originalText, span.start);
    return { ...d, message, span, line, column };
  });
}

// ---------------------------------------------------------------- invocation syntax

interface ParsedInvocation {
  name: string;
  nameSpan: Span;
  args: { name: string; value: string; span: Span }[];
  end: number;
  nextIndex: number;
}

function parseInvocation(tokens: Token[], i: number, text: string): ParsedInvocation | { error: string; span: Span } {
  const dollar = tokens[i];
  const nameTok = tokens[i + 1];
  const HINT = 'write $Name(param = "value", other = 10) or $`Quoted Name`(…)';
  if (nameTok === undefined || (nameTok.kind !== 'name' && nameTok.kind !== 'quotedName') || nameTok.spaceBefore) {
    return {
      error: `a saved-query name must follow $ directly: ${HINT}`,
      span: { start: dollar.start, end: dollar.end },
    };
  }
  let j = i + 2;
  const args: ParsedInvocation['args'] = [];
  let end = nameTok.end;
  if (tokens[j]?.kind === 'lparen') {
    j++;
    for (;;) {
      const t = tokens[j];
      if (t === undefined || t.kind === 'eof') {
        return {
          error: `the invocation of ${nameTok.value} is not closed: add )`,
          span: { start: dollar.start, end: text.length },
        };
      }
      if (t.kind === 'rparen') {
        end = t.end;
        j++;
        break;
      }
      const eq = tokens[j + 1];
      if (t.kind !== 'name' || eq?.kind !== 'op' || eq.value !== '=') {
        return {
          error: `unexpected ${t.text} in the arguments of ${nameTok.value}: ${HINT}`,
          span: { start: t.start, end: t.end },
        };
      }
      // The value: an optional sign, then a string, number, duration or bare word.
      let k = j + 2;
      let sign = '';
      const s = tokens[k];
      if (s?.kind === 'op' && (s.value === '-' || s.value === '+')) {
        sign = s.value === '-' ? '-' : '';
        k++;
      }
      const v = tokens[k];
      if (v === undefined || !['string', 'number', 'duration', 'name', 'quotedName'].includes(v.kind)) {
        const at = v ?? t;
        return { error: `the parameter ${t.value} needs a value: ${HINT}`, span: { start: at.start, end: at.end } };
      }
      args.push({
        name: t.value,
        value: sign + (v.kind === 'string' || v.kind === 'quotedName' ? v.value : v.text),
        span: { start: t.start, end: v.end },
      });
      j = k + 1;
      const sep = tokens[j];
      if (sep?.kind === 'comma') j++;
      else if (sep?.kind !== 'rparen') {
        const at = sep ?? v;
        return {
          error: `separate the parameters of ${nameTok.value} with commas and close with ): ${HINT}`,
          span: { start: at.start, end: at.end },
        };
      }
    }
  }
  return { name: nameTok.value, nameSpan: { start: nameTok.start, end: nameTok.end }, args, end, nextIndex: j };
}

function expandOne(
  inv: ParsedInvocation,
  span: Span,
  lookup: SavedQueryLookup,
  maxParams: number,
  err: (code: string, message: string, span: Span) => void,
): string | undefined {
  let saved: SavedQuery | undefined;
  try {
    saved = lookup(inv.name);
  } catch {
    saved = undefined;
  }
  if (saved === undefined) {
    err(
      'SAVED_UNKNOWN_QUERY',
      `there is no saved query named ${inv.name}: check the name (it is case-sensitive) or save the query first`,
      inv.nameSpan,
    );
    return undefined;
  }
  let ok = true;
  if (inv.args.length > maxParams) {
    err('SAVED_TOO_MANY_PARAMETERS', `Parameter count exceeds the maximum of ${maxParams}`, span);
    ok = false;
  }
  const declared = saved.parameters ?? [];
  if (declared.length > maxParams) {
    err(
      'SAVED_TOO_MANY_PARAMETERS',
      `Parameter count exceeds the maximum of ${maxParams} (saved query ${saved.name} declares ${declared.length})`,
      inv.nameSpan,
    );
    ok = false;
  }
  const values = new Map<string, string>();
  for (const a of inv.args) {
    if (!PARAM_NAME.test(a.name)) {
      err(
        'SAVED_PARAMETER_NAME',
        `${a.name} is not a valid parameter name: start with a letter or _, then letters, digits or _`,
        a.span,
      );
      ok = false;
    } else if (values.has(a.name)) {
      err('SAVED_DUPLICATE_PARAMETER', `Duplicate parameter name: ${a.name}`, a.span);
      ok = false;
    }
    values.set(a.name, a.value);
  }
  const declaredNames = new Set(declared.map((p) => p.name));
  const used = new Set<string>();
  for (const m of saved.queryString.matchAll(PLACEHOLDER)) used.add(m[1]);
  for (const a of inv.args) {
    if (!declaredNames.has(a.name) && !used.has(a.name)) {
      err(
        'SAVED_UNKNOWN_PARAMETER',
        `saved query ${saved.name} has no parameter ${a.name}` +
          (declared.length ? `; its parameters are ${declared.map((p) => p.name).join(', ')}` : ''),
        a.span,
      );
      ok = false;
    }
  }
  const missing = [...used].filter(
    (n) => !values.has(n) && declared.find((p) => p.name === n)?.defaultValue === undefined,
  );
  if (missing.length > 0) {
    err(
      'SAVED_REQUIRED_PARAMETERS',
      `Required parameters not found in queryString: ${missing.join(', ')}; pass them as $${inv.name}(${missing.map((n) => `${n} = …`).join(', ')})`,
      span,
    );
    ok = false;
  }
  if (tokenize(saved.queryString).some((t) => t.kind === 'dollar')) {
    err(
      'SAVED_NESTED',
      `saved query ${saved.name} invokes another saved query, which is not allowed: inline that query's text instead`,
      inv.nameSpan,
    );
    ok = false;
  }
  if (!ok) return undefined;
  return saved.queryString.replace(
    PLACEHOLDER,
    (_m, name: string) => values.get(name) ?? declared.find((p) => p.name === name)?.defaultValue ?? '',
  );
}

function mapOffset(segments: Segment[], off: number, edge: 'start' | 'end'): number {
  for (const s of segments) {
    const inside = edge === 'start' ? off >= s.exp.start && off < s.exp.end : off > s.exp.start && off <= s.exp.end;
    if (!inside) continue;
    if (s.invocation) return edge === 'start' ? s.orig.start : s.orig.end;
    return s.orig.start + (off - s.exp.start);
  }
  // Empty segments or the very end: clamp to the end of the last segment.
  const last = segments[segments.length - 1];
  if (last === undefined) return off;
  if (off <= 0) return 0;
  return last.orig.end;
}
