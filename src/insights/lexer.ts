import type { DurationUnit, Span } from './ast.js';

/**
 * The Logs Insights lexer. One pass over the text, every token with its [start, end) span.
 * It never throws: a character it cannot use becomes an `error` token that the parser reports.
 *
 * Two decisions are contextual and made here, because the parser needs them settled:
 * - `/` starts a regex literal where an operand is expected, and is division after an operand
 *   (inside a `parse` command every `/` starts a regex: parse has no arithmetic).
 * - `#` starts a comment only outside string, regex and backtick literals.
 */

export type TokenKind =
  | 'name' // bare field name / keyword / function name: letters, digits, _ . @
  | 'quotedName' // `backtick name`, or @`name` (the @ is kept in `value`)
  | 'string'
  | 'number'
  | 'duration'
  | 'regex'
  | 'op' // + - * / % ^ = != < <= > >= =~ !
  | 'pipe'
  | 'lparen'
  | 'rparen'
  | 'lbracket'
  | 'rbracket'
  | 'comma'
  | 'colon'
  | 'dot' // a `.` that starts a token: access after a call or bracket
  | 'dollar' // `$` of a saved-query invocation
  | 'error'
  | 'eof';

export interface Token {
  kind: TokenKind;
  /** The source text of the token, exactly as written. */
  text: string;
  /**
   * The decoded value: a string's contents with escapes decoded, a regex's pattern with `\/`
   * turned into `/`, a quoted name without backticks, a name as written. For `error` tokens, the
   * reason.
   */
  value: string;
  /** Numbers and durations: the numeric amount. */
  num?: number;
  /** Durations: the canonical unit. */
  unit?: DurationUnit;
  start: number;
  end: number;
  /** True when whitespace or a comment precedes the token. */
  spaceBefore: boolean;
}

export type LexErrorCode =
  'LEX_UNTERMINATED_STRING' | 'LEX_UNTERMINATED_REGEX' | 'LEX_UNTERMINATED_BACKTICK' | 'LEX_UNEXPECTED_CHAR';

/** Every accepted spelling of a period unit (spec §6.4), lowercase, mapped to its canonical unit. */
export const DURATION_UNITS: ReadonlyMap<string, DurationUnit> = buildUnits();

function buildUnits(): Map<string, DurationUnit> {
  const m = new Map<string, DurationUnit>();
  const add = (unit: DurationUnit, spellings: string[]): void => {
    for (const s of spellings) {
      m.set(s, unit);
      // Multi-character spellings may take a plural s (`hrs`, `mins`); `ms` is itself a unit.
      if (s.length > 1 && s !== 'ms') m.set(s + 's', unit);
    }
  };
  add('ms', ['millisecond', 'ms', 'msec']);
  add('s', ['second', 's', 'sec']);
  add('m', ['minute', 'm', 'min']);
  add('h', ['hour', 'h', 'hr']);
  add('d', ['day', 'd']);
  add('w', ['week', 'w']);
  add('mo', ['month', 'mo', 'mon']);
  add('q', ['quarter', 'q', 'qtr']);
  add('y', ['year', 'y', 'yr']);
  return m;
}

/** The canonical unit of a spelling (case-insensitive), or undefined. */
export function durationUnit(spelling: string): DurationUnit | undefined {
  return DURATION_UNITS.get(spelling.toLowerCase());
}

/**
 * Names after which an operand is expected even though they look like a field name, so that a
 * following `/` opens a regex rather than dividing.
 */
const OPERAND_EXPECTING_NAMES = new Set([
  'like',
  'in',
  'and',
  'or',
  'not',
  'by',
  'as',
  'filter',
  'where',
  'fields',
  'display',
  'stats',
  'filterindex',
  'dedup',
  'unnest',
  'into',
  'with',
  'for',
  'sort',
  'limit',
  'parse',
  'expand',
]);

// Bare names are ASCII: Logs Insights rejects non-ASCII identifiers and aliases (observed on real
// CloudWatch, spec bedrock-invocation-logs §2); other names need backticks (`` `café` ``).
const isWordChar = (c: string): boolean => /[A-Za-z0-9_.@]/.test(c);
const isWordStart = (c: string): boolean => /[A-Za-z0-9_@]/.test(c);
const isDigit = (c: string): boolean => c >= '0' && c <= '9';

const SIMPLE_ESCAPES: Record<string, string> = { t: '\t', n: '\n', r: '\r', '"': '"', "'": "'", '\\': '\\' };

/** Decode the escapes of a string literal's body: \t \n \r \" \' \\; any other pair stays as written. */
export function decodeStringBody(body: string): string {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '\\' && i + 1 < body.length) {
      const n = body[i + 1];
      const decoded = SIMPLE_ESCAPES[n];
      out += decoded ?? c + n;
      i++;
    } else {
      out += c;
    }
  }
  return out;
}

/** Tokenize the whole text. The last token is always `eof`. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let spaceBefore = false;
  // Index in `tokens` of the first token of the current pipe segment, to know we are in `parse`.
  let segmentStart = 0;
  // Bracket depth at which the current segment started (subqueries nest segments).
  const segmentStack: number[] = [];

  const push = (t: Omit<Token, 'spaceBefore'>): void => {
    tokens.push({ ...t, spaceBefore });
    spaceBefore = false;
  };

  const inParseCommand = (): boolean => {
    const first = tokens[segmentStart];
    return first !== undefined && first.kind === 'name' && first.value.toLowerCase() === 'parse';
  };

  const slashIsDivision = (): boolean => {
    const prev = tokens[tokens.length - 1];
    if (prev === undefined) return false;
    if (inParseCommand()) return false;
    switch (prev.kind) {
      case 'number':
      case 'duration':
      case 'string':
      case 'regex':
      case 'quotedName':
      case 'rparen':
      case 'rbracket':
        return true;
      case 'name':
        return !OPERAND_EXPECTING_NAMES.has(prev.value.toLowerCase());
      default:
        return false;
    }
  };

  while (i < text.length) {
    const c = text[i];
    const start = i;

    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v') {
      i++;
      spaceBefore = true;
      continue;
    }
    if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
      spaceBefore = true;
      continue;
    }

    // Strings.
    if (c === '"' || c === "'") {
      i++;
      let closed = false;
      while (i < text.length) {
        const d = text[i];
        if (d === '\\' && i + 1 < text.length) {
          i += 2;
          continue;
        }
        if (d === c) {
          closed = true;
          i++;
          break;
        }
        i++;
      }
      if (!closed) {
        push({ kind: 'error', text: text.slice(start, i), value: 'LEX_UNTERMINATED_STRING', start, end: i });
        continue;
      }
      push({
        kind: 'string',
        text: text.slice(start, i),
        value: decodeStringBody(text.slice(start + 1, i - 1)),
        start,
        end: i,
      });
      continue;
    }

    // Backtick names, with an optional @ outside: @`aws.tag.x:y`.
    if (c === '`' || (c === '@' && text[i + 1] === '`')) {
      const prefix = c === '@' ? '@' : '';
      i += prefix.length + 1;
      const bodyStart = i;
      while (i < text.length && text[i] !== '`' && text[i] !== '\n') i++;
      if (text[i] !== '`') {
        push({ kind: 'error', text: text.slice(start, i), value: 'LEX_UNTERMINATED_BACKTICK', start, end: i });
        continue;
      }
      const body = text.slice(bodyStart, i);
      i++;
      push({ kind: 'quotedName', text: text.slice(start, i), value: prefix + body, start, end: i });
      continue;
    }

    // Regex literal or division.
    if (c === '/') {
      if (slashIsDivision()) {
        i++;
        push({ kind: 'op', text: '/', value: '/', start, end: i });
        continue;
      }
      i++;
      let pattern = '';
      let closed = false;
      while (i < text.length) {
        const d = text[i];
        if (d === '\n') break;
        if (d === '\\' && i + 1 < text.length && text[i + 1] !== '\n') {
          pattern += text[i + 1] === '/' ? '/' : d + text[i + 1];
          i += 2;
          continue;
        }
        if (d === '/') {
          closed = true;
          i++;
          break;
        }
        pattern += d;
        i++;
      }
      if (!closed) {
        push({ kind: 'error', text: text.slice(start, i), value: 'LEX_UNTERMINATED_REGEX', start, end: i });
        continue;
      }
      push({ kind: 'regex', text: text.slice(start, i), value: pattern, start, end: i });
      continue;
    }

    // Words: names, numbers, durations.
    if (isWordStart(c)) {
      i++;
      while (i < text.length) {
        const d = text[i];
        if (d === '.') {
          // A dot belongs to the name only when a name character follows (`a.b`, `timeline.0.x`);
          // `a.` before a backtick or bracket is an access.
          if (i + 1 < text.length && isWordStart(text[i + 1])) {
            i++;
            continue;
          }
          // A decimal point may be followed by nothing in `3.`; keep it out of the token.
          break;
        }
        if (!isWordChar(d)) break;
        i++;
      }
      // Exponent with a sign: `1e+3`, `2.5E-4`.
      let word = text.slice(start, i);
      if (/^\d+(\.\d+)?[eE]$/.test(word) && (text[i] === '+' || text[i] === '-') && isDigit(text[i + 1] ?? '')) {
        i += 2;
        while (i < text.length && isDigit(text[i])) i++;
        word = text.slice(start, i);
      }
      if (isDigit(c)) {
        if (/^\d+(\.\d+)?([eE][+-]?\d+)?$/.test(word)) {
          push({ kind: 'number', text: word, value: word, num: Number(word), start, end: i });
          continue;
        }
        const m = /^(\d+(?:\.\d+)?)([A-Za-z]+)$/.exec(word);
        const unit = m ? durationUnit(m[2]) : undefined;
        if (m && unit !== undefined) {
          push({ kind: 'duration', text: word, value: word, num: Number(m[1]), unit, start, end: i });
          continue;
        }
      }
      push({ kind: 'name', text: word, value: word, start, end: i });
      continue;
    }

    // Punctuation and operators.
    const two = text.slice(i, i + 2);
    if (two === '!=' || two === '<=' || two === '>=' || two === '=~') {
      i += 2;
      push({ kind: 'op', text: two, value: two, start, end: i });
      continue;
    }
    i++;
    switch (c) {
      case '|':
        push({ kind: 'pipe', text: c, value: c, start, end: i });
        segmentStart = tokens.length;
        break;
      case '(':
        push({ kind: 'lparen', text: c, value: c, start, end: i });
        segmentStack.push(segmentStart);
        segmentStart = tokens.length;
        break;
      case ')':
        push({ kind: 'rparen', text: c, value: c, start, end: i });
        segmentStart = segmentStack.pop() ?? segmentStart;
        break;
      case '[':
        push({ kind: 'lbracket', text: c, value: c, start, end: i });
        break;
      case ']':
        push({ kind: 'rbracket', text: c, value: c, start, end: i });
        break;
      case ',':
        push({ kind: 'comma', text: c, value: c, start, end: i });
        break;
      case ':':
        push({ kind: 'colon', text: c, value: c, start, end: i });
        break;
      case '.':
        push({ kind: 'dot', text: c, value: c, start, end: i });
        break;
      case '$':
        push({ kind: 'dollar', text: c, value: c, start, end: i });
        break;
      case '+':
      case '-':
      case '*':
      case '%':
      case '^':
      case '=':
      case '<':
      case '>':
      case '!':
        push({ kind: 'op', text: c, value: c, start, end: i });
        break;
      default: {
        // Keep a whole surrogate pair together so the span never splits a character.
        const cp = text.codePointAt(start) ?? 0;
        if (cp > 0xffff) i++;
        push({ kind: 'error', text: text.slice(start, i), value: 'LEX_UNEXPECTED_CHAR', start, end: i });
      }
    }
  }
  push({ kind: 'eof', text: '<EOF>', value: '', start: text.length, end: text.length });
  return tokens;
}

export function tokenSpan(t: Token): Span {
  return { start: t.start, end: t.end };
}
