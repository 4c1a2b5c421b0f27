/**
 * The DuckDB function table: every function and operator of the plan → DuckDB SQL. It is a
 * `FunctionTable` (a Record over every name of src/insights/functions.ts plus the operators),
 * so a function without a mapping here does not compile, and there is no fallback.
 */
import type { FunctionImpl, FunctionTable } from '../dialect.js';
import { STANDARD_FUNCTIONS } from '../standard.js';
import { IP_FUNCTIONS } from './ip.js';
import { JSON_FUNCTIONS } from './json.js';
import { quoteString } from './text.js';
import { TIME_FUNCTIONS } from './time.js';

/** contains(): DuckDB's substring test (strcontains' case flag is not supported: spec §5.3). */
const contains: FunctionImpl = (c) => `contains(${c.s(0)}, ${c.s(1)})`;

/** toInt / toLong: truncated toward zero, missing when out of range. */
function truncated(type: 'INTEGER' | 'BIGINT'): FunctionImpl {
  return (c) => `TRY_CAST(trunc(${c.args[0].kind === 'number' ? c.n(0) : `TRY_CAST(${c.s(0)} AS DOUBLE)`}) AS ${type})`;
}

/** Trim whitespace (RE2 \s) or, with a second argument, any character of that set. */
function trimmer(fn: 'ltrim' | 'rtrim' | 'trim', whitespace: string): FunctionImpl {
  return (c) => (c.args.length > 1 ? `${fn}(${c.s(0)}, ${c.s(1)})` : `regexp_replace(${c.s(0)}, ${whitespace})`);
}

export const FUNCTIONS: FunctionTable = {
  ...STANDARD_FUNCTIONS,
  ...IP_FUNCTIONS,
  ...JSON_FUNCTIONS,
  ...TIME_FUNCTIONS,
  // operators
  contains,
  regex_match: (c) => `regexp_matches(${c.s(0)}, ${c.v(1)})`,
  regex_extract: (c) => {
    const re = c.v(1);
    const g = c.v(2);
    return c.x.share(
      c.s(0),
      (src) => `(CASE WHEN regexp_matches(${src}, ${re}) THEN regexp_extract(${src}, ${re}, ${g}) END)`,
    );
  },
  // numeric (DuckDB's greatest/least skip missing arguments, as CloudWatch does)
  greatest: (c) => `greatest(${c.args.map((_, i) => c.n(i)).join(', ')})`,
  least: (c) => `least(${c.args.map((_, i) => c.n(i)).join(', ')})`,
  round: (c) => (c.args.length > 1 ? `round(${c.n(0)}, TRY_CAST(${c.n(1)} AS INTEGER))` : `round(${c.n(0)})`),
  toint: truncated('INTEGER'),
  tolong: truncated('BIGINT'),
  // general
  messagesize: (c) => `strlen(${c.s(0)})`,
  // string (concat skips missing arguments)
  concat: (c) => `concat(${c.args.map((_, i) => c.s(i)).join(', ')})`,
  ltrim: trimmer('ltrim', `'^\\s+', ''`),
  rtrim: trimmer('rtrim', `'\\s+$', ''`),
  trim: trimmer('trim', `'^\\s+|\\s+$', '', 'g'`),
  substr: (c) =>
    c.args.length > 2
      ? `substring(${c.s(0)}, TRY_CAST(${c.n(1)} AS BIGINT) + 1, TRY_CAST(${c.n(2)} AS BIGINT))`
      : `substring(${c.s(0)}, TRY_CAST(${c.n(1)} AS BIGINT) + 1)`,
  regexreplace: (c) => {
    // A literal replacement's $1 / ${1} become RE2's \1 (and its own backslashes are escaped).
    const r = c.args[2];
    const repl =
      r.k === 'lit' && typeof r.value === 'string'
        ? quoteString(r.value.replace(/\\/g, '\\\\').replace(/\$\{?(\d)\}?/g, '\\$1'))
        : c.s(2);
    return `regexp_replace(${c.s(0)}, ${c.v(1)}, ${repl}, 'g')`;
  },
  strcontains: contains,
  startswith: (c) => `prefix(${c.s(0)}, ${c.s(1)})`,
  endswith: (c) => `suffix(${c.s(0)}, ${c.s(1)})`,
  urlencode: (c) => `url_encode(${c.s(0)})`,
  urldecode: (c) => `try(url_decode(${c.s(0)}))`,
  base64encode: (c) => `to_base64(encode(${c.s(0)}))`,
  base64decode: (c) => `try(decode(from_base64(${c.s(0)})))`,
  hextoascii: (c) => `try(decode(unhex(regexp_replace(${c.s(0)}, '^0[xX]', ''))))`,
  hextodec: (c) => `TRY_CAST(('0x' || regexp_replace(${c.s(0)}, '^0[xX]', '')) AS BIGINT)`,
  dectohex: (c) =>
    `(CASE WHEN ${c.n(0)} < 0 THEN '-0x' || lower(hex(TRY_CAST(trunc(- ${c.n(0)}) AS BIGINT))) ELSE '0x' || lower(hex(TRY_CAST(trunc(${c.n(0)}) AS BIGINT))) END)`,
  // hashing
  md5: (c) => `md5(${c.s(0)})`,
  sha256: (c) => `sha256(${c.s(0)})`,
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
