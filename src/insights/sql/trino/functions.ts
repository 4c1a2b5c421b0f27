/**
 * The Trino function table: every function and operator of the plan → Trino SQL (engine v3 of
 * Athena is Trino, so this is Athena's dialect too). It is a `FunctionTable`, so a function
 * without a mapping here does not compile, and there is no fallback.
 *
 * Where Trino differs from the Logs Insights rules the SQL says so: `/` between integers is
 * integer division in Trino (cast to DOUBLE), `concat`/`greatest`/`least` return NULL on a NULL
 * argument (CloudWatch skips missing ones), regexes run in Joni (Java syntax; the plan's RE2
 * patterns use only what both accept), `url_encode` is Java's form encoding (`+` for a space).
 */
import type { FunctionImpl, FunctionTable } from '../dialect.js';
import { STANDARD_FUNCTIONS } from '../standard.js';
import { IP_FUNCTIONS } from './ip.js';
import { JSON_FUNCTIONS } from './json.js';
import { quoteString, tryCast } from './text.js';
import { TIME_FUNCTIONS } from './time.js';

/** contains(): a substring test (strcontains' case flag is not supported: spec §5.3). */
const contains: FunctionImpl = (c) => `(strpos(${c.s(0)}, ${c.s(1)}) > 0)`;

/** toInt / toLong: truncated toward zero, missing when out of range. */
function truncated(type: 'INTEGER' | 'BIGINT'): FunctionImpl {
  return (c) => `TRY_CAST(truncate(${c.args[0].kind === 'number' ? c.n(0) : tryCast(c.s(0), 'DOUBLE')}) AS ${type})`;
}

/** Trim whitespace (RE2 \s: space, tab, CR, LF, FF) or, with a second argument, any character of that set. */
function trimmer(fn: 'ltrim' | 'rtrim' | 'trim', pattern: string): FunctionImpl {
  return (c) => (c.args.length > 1 ? `${fn}(${c.s(0)}, ${c.s(1)})` : `regexp_replace(${c.s(0)}, '${pattern}', '')`);
}

/** greatest / least skipping missing arguments, as CloudWatch does (Trino's return NULL on one). */
function extreme(fn: 'array_max' | 'array_min'): FunctionImpl {
  return (c) => {
    const args = c.args.map((_, i) => `CAST(${c.n(i)} AS DOUBLE)`);
    return `${fn}(filter(ARRAY[${args.join(', ')}], __v -> __v IS NOT NULL))`;
  };
}

/** A literal replacement's `${1}` becomes Java's `$1` (and its own backslashes are escaped). */
function javaReplacement(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\$\{(\d)\}/g, '$$$1');
}

export const FUNCTIONS: FunctionTable = {
  ...STANDARD_FUNCTIONS,
  ...IP_FUNCTIONS,
  ...JSON_FUNCTIONS,
  ...TIME_FUNCTIONS,
  // operators: `/` and `%` by zero are missing (Trino's double division would give Infinity/NaN)
  '/': (c) => `(CAST(${c.n(0)} AS DOUBLE) / NULLIF(${c.n(1)}, 0))`,
  '%': (c) => `mod(CAST(${c.n(0)} AS DOUBLE), NULLIF(${c.n(1)}, 0))`,
  '^': (c) => `power(${c.n(0)}, ${c.n(1)})`,
  contains,
  regex_match: (c) => `regexp_like(${c.s(0)}, ${c.v(1)})`,
  regex_extract: (c) => {
    const re = c.v(1);
    const g = c.v(2);
    return c.x.share(
      c.s(0),
      (src) => `(CASE WHEN regexp_like(${src}, ${re}) THEN coalesce(regexp_extract(${src}, ${re}, ${g}), '') END)`,
    );
  },
  greatest: extreme('array_max'),
  least: extreme('array_min'),
  round: (c) => (c.args.length > 1 ? `round(${c.n(0)}, TRY_CAST(${c.n(1)} AS INTEGER))` : `round(${c.n(0)})`),
  toint: truncated('INTEGER'),
  tolong: truncated('BIGINT'),
  // general
  messagesize: (c) => `length(to_utf8(${c.s(0)}))`,
  // string (concat skips missing arguments)
  concat: (c) =>
    c.args.length === 1
      ? `coalesce(${c.s(0)}, '')`
      : `concat(${c.args.map((_, i) => `coalesce(${c.s(i)}, '')`).join(', ')})`,
  ltrim: trimmer('ltrim', '^[ \\t\\n\\r\\f]+'),
  rtrim: trimmer('rtrim', '[ \\t\\n\\r\\f]+\\z'),
  trim: trimmer('trim', '^[ \\t\\n\\r\\f]+|[ \\t\\n\\r\\f]+\\z'),
  substr: (c) =>
    c.args.length > 2
      ? `substr(${c.s(0)}, TRY_CAST(${c.n(1)} AS BIGINT) + 1, TRY_CAST(${c.n(2)} AS BIGINT))`
      : `substr(${c.s(0)}, TRY_CAST(${c.n(1)} AS BIGINT) + 1)`,
  regexreplace: (c) => {
    const r = c.args[2];
    const repl = r.k === 'lit' && typeof r.value === 'string' ? quoteString(javaReplacement(r.value)) : c.s(2);
    return `regexp_replace(${c.s(0)}, ${c.v(1)}, ${repl})`;
  },
  strcontains: contains,
  startswith: (c) => `starts_with(${c.s(0)}, ${c.s(1)})`,
  endswith: (c) => c.x.share(c.s(1), (p) => `(length(${p}) = 0 OR substr(${c.s(0)}, - length(${p})) = ${p})`),
  // Java's form encoding turned into RFC 3986 (%20 for a space, ~ kept, * encoded).
  urlencode: (c) => `replace(replace(replace(url_encode(${c.s(0)}), '+', '%20'), '*', '%2A'), '%7E', '~')`,
  urldecode: (c) => `TRY(url_decode(replace(${c.s(0)}, '+', '%2B')))`,
  base64encode: (c) => `to_base64(to_utf8(${c.s(0)}))`,
  base64decode: (c) => `TRY(from_utf8(from_base64(${c.s(0)})))`,
  hextoascii: (c) => `TRY(from_utf8(from_hex(regexp_replace(${c.s(0)}, '^0[xX]', ''))))`,
  hextodec: (c) => `TRY(from_base(regexp_replace(${c.s(0)}, '^0[xX]', ''), 16))`,
  dectohex: (c) =>
    c.x.share(
      c.n(0),
      (n) =>
        `(CASE WHEN ${n} < 0 THEN '-0x' || lower(to_base(TRY_CAST(truncate(- ${n}) AS BIGINT), 16)) ELSE '0x' || lower(to_base(TRY_CAST(truncate(${n}) AS BIGINT), 16)) END)`,
    ),
  // hashing
  md5: (c) => `lower(to_hex(md5(to_utf8(${c.s(0)}))))`,
  sha256: (c) => `lower(to_hex(sha256(to_utf8(${c.s(0)}))))`,
  // parse … csv
  csv_unquote: (c) =>
    c.x.share(
      c.s(0),
      (v) =>
        `(CASE WHEN starts_with(${v}, '"') AND length(${v}) >= 2 THEN replace(substr(${v}, 2, length(${v}) - 2), '""', '"') ELSE ${v} END)`,
    ),
  // by-clause
  histogram: (c) => `(floor(${c.n(0)} / ${c.n(1)}) * ${c.n(1)})`,
};
