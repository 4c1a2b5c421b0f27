import { RE2JS } from 're2js';
import { invalidPattern } from './filterErrors.js';
import type { WorkMeter } from './work.js';

/**
 * Matchers whose time is linear in the text they examine: filter-pattern regexes run on RE2
 * (re2js, a pure-JavaScript port: the same dialect as DuckDB's regexp functions, no native build,
 * the same on every Node version), and `*` globs are matched segment by segment with indexOf.
 * V8's RegExp backtracks (`%a*a*b%` against 20,000 `a` ran for half an hour), so no filter
 * pattern ever reaches it.
 */

export interface LinearMatcher {
  /** The pattern as written, for messages. */
  readonly source: string;
  test(text: string, work: WorkMeter): boolean;
}

/**
 * RE2 runs in time proportional to text × program size; `x{1000}` repeats make a program large.
 * A filter-pattern regex may compile to at most this many instructions (typical ones use 10–60),
 * which keeps the per-byte cost small and compiling fast (a 1,024-character pattern of `a{1000}`
 * would otherwise compile for half a second and then run 140,000 steps a character).
 */
export const MAX_REGEX_INSTRUCTIONS = 1_000;

/** Instructions `body` needs at least, read from its `{m,n}` counts, before anything is compiled. */
function repetitionEstimate(body: string): number {
  let total = body.length;
  const rep = /\{(\d+)(,(\d*))?\}/g;
  let m: RegExpExecArray | null;
  while ((m = rep.exec(body)) !== null) {
    const lo = Number(m[1]);
    const hi = m[3] ? Number(m[3]) : m[2] ? lo + 1 : lo;
    total += Math.max(lo, hi);
  }
  return total;
}

function instructionCount(re: RE2JS): number {
  const prog: unknown = re.re2().prog;
  const count = (prog as { numInst?: () => unknown } | null)?.numInst?.();
  return typeof count === 'number' ? count : 0;
}

/** Compiles an RE2 regex (unanchored search); throws FILTER_PATTERN_INVALID with the reason. */
export function compileLinearRegex(body: string, flags = 0): LinearMatcher {
  const tooComplex = (): Error =>
    invalidPattern(
      `The regular expression %${body}% is too complex to match efficiently (more than ${MAX_REGEX_INSTRUCTIONS} steps per character); use smaller {m,n} counts or fewer alternatives.`,
    );
  if (repetitionEstimate(body) > 2 * MAX_REGEX_INSTRUCTIONS) throw tooComplex();
  let re: RE2JS;
  try {
    re = RE2JS.compile(body, flags);
  } catch (e) {
    const why = (e instanceof Error ? e.message : String(e)).replace(/^error parsing regexp:\s*/, '');
    throw invalidPattern(`Invalid regular expression %${body}%: ${why}.`);
  }
  if (instructionCount(re) > MAX_REGEX_INSTRUCTIONS) throw tooComplex();
  return {
    source: body,
    test(text, work) {
      work.spend(text.length);
      return re.test(text);
    },
  };
}

/**
 * A glob where `*` stands for any run of characters (newlines too) and the whole text must match.
 * Each literal segment is found once, left to right, so a match costs one pass over the text
 * (the greedy leftmost choice is always safe when `*` is the only wildcard).
 */
export function compileGlob(glob: string): LinearMatcher {
  const parts = glob.split('*');
  const first = parts[0];
  const last = parts[parts.length - 1];
  const middle = parts.slice(1, -1).filter((p) => p !== '');
  return {
    source: glob,
    test(text, work) {
      work.spend(text.length);
      if (parts.length === 1) return text === glob;
      if (text.length < first.length + last.length) return false;
      if (!text.startsWith(first) || !text.endsWith(last)) return false;
      let at = first.length;
      const end = text.length - last.length;
      for (const seg of middle) {
        const i = text.indexOf(seg, at);
        if (i < 0 || i + seg.length > end) return false;
        at = i + seg.length;
      }
      return true;
    },
  };
}
