/**
 * Regular expressions of the query language, translated to RE2 syntax (the dialect used by
 * DuckDB's regexp_* functions, and by CloudWatch's own regexReplace).
 *
 * Why RE2 in the database rather than a JavaScript UDF: matching runs vectorised inside DuckDB
 * next to the data (no per-row round trip into V8), RE2 is linear-time (a hostile pattern cannot
 * hang the engine), and CloudWatch's documented regex features (inline `(?i)`, named groups, lazy
 * quantifiers, `\d \s \S`, `{m,n}`, alternation) are all RE2 features. Lookarounds and
 * backreferences are not (nor are they in Hyperscan, CloudWatch's filter engine): they are
 * reported as a diagnostic instead of failing at run time.
 */

import { RE2JS, RE2JSSyntaxException } from 're2js';

export interface TranslatedRegex {
  /** RE2 pattern: `(?i)` hoisted to the front when present anywhere; named groups made plain. */
  pattern: string;
  caseInsensitive: boolean;
  /** Named groups in order of appearance with their 1-based capture index. */
  groups: { name: string; index: number }[];
  /** Number of capturing groups. */
  captureCount: number;
  /** Set when the pattern uses something RE2 cannot run. */
  error?: string;
}

/** Translate a Logs Insights regex (text between the slashes) to RE2. */
export function translateRegex(src: string): TranslatedRegex {
  let ci = false;
  let out = '';
  let captures = 0;
  const groups: { name: string; index: number }[] = [];
  let error: string | undefined;
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === '\\') {
      const next = src[i + 1];
      if (next !== undefined && /[1-9]/.test(next) && !inClass) {
        error ??= `backreference \\${next} is not supported (RE2 has no backreferences)`;
      }
      if (next === 'k' && src[i + 2] === '<') error ??= 'named backreferences are not supported';
      out += c + (next ?? '');
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      // A leading ] or ^] is literal inside a class.
      if (src[i + 1] === '^') {
        out += '^';
        i++;
      }
      if (src[i + 1] === ']') {
        out += ']';
        i++;
      }
      continue;
    }
    if (c === '(') {
      if (src.startsWith('(?i)', i)) {
        ci = true;
        i += 3;
        continue;
      }
      const named = /^\(\?P?<([@A-Za-z_][@A-Za-z0-9_.]*)>/.exec(src.slice(i));
      if (named) {
        captures++;
        groups.push({ name: named[1], index: captures });
        out += '(';
        i += named[0].length - 1;
        continue;
      }
      if (
        src.startsWith('(?=', i) ||
        src.startsWith('(?!', i) ||
        src.startsWith('(?<=', i) ||
        src.startsWith('(?<!', i)
      ) {
        error ??= 'lookaround assertions are not supported (RE2 has none)';
        out += c;
        continue;
      }
      if (src[i + 1] !== '?') captures++;
      out += c;
      continue;
    }
    out += c;
  }
  return {
    pattern: (ci ? '(?i)' : '') + out,
    caseInsensitive: ci,
    groups,
    captureCount: captures,
    ...(error ? { error } : {}),
  };
}

/** Why RE2 rejects a pattern: its reason and the part of the pattern at fault (when it names one). */
export interface Re2Problem {
  reason: string;
  fragment?: string;
}

/**
 * Checks a translated pattern with RE2's own parser (re2js, RE2 in pure JavaScript: the regex
 * rules of DuckDB's regexp functions), so that an invalid regex is a diagnostic at check time
 * instead of an engine error at run time. The user's pattern never reaches V8's RegExp.
 */
export function re2Problem(pattern: string): Re2Problem | undefined {
  try {
    const size = compiledSize(RE2JS.compile(pattern));
    if (size > MAX_COMPILED_SIZE)
      return {
        reason: `it is too large to run (about ${Math.round(size)} RE2 instructions; the limit is ${MAX_COMPILED_SIZE}): use + or * instead of large {n} counts, especially of Unicode classes such as \\pL`,
      };
    return undefined;
  } catch (e) {
    if (e instanceof RE2JSSyntaxException) {
      return { reason: e.error, ...(e.input && e.input !== pattern ? { fragment: e.input } : {}) };
    }
    return { reason: e instanceof Error ? e.message : String(e) };
  }
}

/**
 * RE2 (C++, in DuckDB) refuses a pattern whose compiled program would pass its memory budget
 * ("pattern too large - compile failed": about 87,000 instructions with the default 8 MiB). re2js
 * compiles a character class into one instruction where RE2 compiles UTF-8 byte ranges, so the
 * estimate weighs each class instruction: an ASCII range is cheap, a non-ASCII range costs about
 * 3.5 instructions, and a class of many ranges shares suffixes (about 4 + ranges/2). Measured
 * against DuckDB (test/engines/regex-size.test.ts): the costliest single range fails from about
 * 23,000 repetitions, \pL from about 450; the limit keeps a margin of 2 under both.
 */
const MAX_COMPILED_SIZE = 40_000;

/** The parts of re2js's compiled program the estimate reads (not in its published types). */
interface ProgramShape {
  re2Input?: { prog?: { inst?: { runes?: ArrayLike<number> }[] } };
}

function compiledSize(re: RE2JS): number {
  // The program is re2js's internal state: if a release moves it, fall back to its own count.
  const inst = (re as unknown as ProgramShape).re2Input?.prog?.inst;
  if (!Array.isArray(inst)) return re.programSize();
  let size = 0;
  for (const i of inst) {
    const runes = i.runes;
    if (!runes || runes.length === 0) {
      size += 1;
      continue;
    }
    let byRange = 0;
    for (let r = 0; r + 1 < runes.length; r += 2) byRange += runes[r + 1] < 0x80 ? 0.5 : 3.5;
    size += 1 + Math.min(byRange, 4 + runes.length / 4);
  }
  return size;
}

const RE_META = /[\\^$.|?*+()[\]{}]/g;

/**
 * A glob `parse` pattern as RE2: found anywhere (unanchored), literals escaped, each non-final `*`
 * lazy `(.*?)`, a final `*` takes the rest `(.*)`; `.` crosses newlines (multi-line messages).
 */
export function globToRegex(glob: string): { pattern: string; stars: number } {
  const parts = glob.split('*');
  let out = '(?s)';
  for (let i = 0; i < parts.length; i++) {
    out += parts[i].replace(RE_META, (m) => '\\' + m);
    if (i < parts.length - 1) out += i === parts.length - 2 && parts[i + 1] === '' ? '(.*)' : '(.*?)';
  }
  return { pattern: out, stars: parts.length - 1 };
}

/** Escape text for use as a literal inside an RE2 pattern. */
export function escapeRegex(text: string): string {
  return text.replace(RE_META, (m) => '\\' + m);
}
