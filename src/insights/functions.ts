/**
 * The function catalog of the Logs Insights language: every scalar function, aggregate and
 * by-clause function of spec §5, with every documented alias spelling, arity and result kind.
 * The analyzer validates calls against it; the console's autocompletion reads it too.
 * It knows nothing of SQL.
 */

/** The static kind of a value as the analyzer tracks it. */
export type ValueKind =
  | 'number' // numeric (JSON numbers read from messages are 'string' until used numerically)
  | 'string' // text; numeric text still compares and computes as a number
  | 'bool' // shown as 1/0
  | 'time' // epoch ms, shown as `YYYY-MM-DD HH:mm:ss.SSS`
  | 'json' // a jsonParse map or list (JSON text)
  | 'null'; // statically missing

export type FunctionRole = 'scalar' | 'aggregate' | 'group';
export type FunctionCategory =
  'numeric' | 'general' | 'string' | 'datetime' | 'ip' | 'json' | 'hash' | 'aggregate' | 'timeseries';

export interface FunctionSpec<N extends string = string, R extends FunctionRole = FunctionRole> {
  /** Canonical name (the documented spelling). */
  name: N;
  /** Other accepted spellings (matched case-insensitively, like the canonical name). */
  aliases: readonly string[];
  role: R;
  category: FunctionCategory;
  minArgs: number;
  maxArgs: number;
  /** Result kind; 'arg' means the kind of the first argument. */
  returns: ValueKind | 'arg';
  /** One line for autocompletion. */
  doc: string;
  /** Signature text for autocompletion, e.g. `substr(s, start [, len])`. */
  signature: string;
}

const INF = Number.POSITIVE_INFINITY;

// `const` keeps each name and role a literal type, so FunctionName below is the closed set.
function f<const N extends string, const R extends FunctionRole>(
  name: N,
  role: R,
  category: FunctionCategory,
  minArgs: number,
  maxArgs: number,
  returns: ValueKind | 'arg',
  signature: string,
  doc: string,
  aliases: string[] = [],
): FunctionSpec<N, R> {
  return { name, aliases, role, category, minArgs, maxArgs, returns, signature, doc };
}

export const FUNCTIONS = [
  // numeric (§5.1)
  f('abs', 'scalar', 'numeric', 1, 1, 'number', 'abs(a)', 'Absolute value.'),
  f('ceil', 'scalar', 'numeric', 1, 1, 'number', 'ceil(a)', 'Round up to an integer.'),
  f('floor', 'scalar', 'numeric', 1, 1, 'number', 'floor(a)', 'Round down to an integer.'),
  f('sqrt', 'scalar', 'numeric', 1, 1, 'number', 'sqrt(a)', 'Square root.'),
  f('log', 'scalar', 'numeric', 1, 1, 'number', 'log(a)', 'Natural logarithm.'),
  f('greatest', 'scalar', 'numeric', 1, INF, 'number', 'greatest(a, ...)', 'Largest argument.'),
  f('least', 'scalar', 'numeric', 1, INF, 'number', 'least(a, ...)', 'Smallest argument.'),
  f('round', 'scalar', 'numeric', 1, 2, 'number', 'round(a [, d])', 'Round half away from zero, to d decimals.'),
  f(
    'haversine',
    'scalar',
    'numeric',
    4,
    4,
    'number',
    'haversine(lat1, lon1, lat2, lon2)',
    'Great-circle distance in km.',
  ),
  f('toNumber', 'scalar', 'numeric', 1, 1, 'number', 'toNumber(s)', 'Convert to a number; missing when it is not one.'),
  f('toDouble', 'scalar', 'numeric', 1, 1, 'number', 'toDouble(s)', 'Convert to a double; missing when it is not one.'),
  f('toInt', 'scalar', 'numeric', 1, 1, 'number', 'toInt(s)', 'Convert to a 32-bit integer (truncates).'),
  f('toLong', 'scalar', 'numeric', 1, 1, 'number', 'toLong(s)', 'Convert to a 64-bit integer (truncates).'),
  // general (§5.2)
  f('ispresent', 'scalar', 'general', 1, 1, 'bool', 'ispresent(f)', '1 if the field exists.'),
  f('coalesce', 'scalar', 'general', 1, INF, 'arg', 'coalesce(f1, f2, ...)', 'First present argument.'),
  f('if', 'scalar', 'general', 3, 3, 'arg', 'if(cond, a, b)', 'a when cond is true, else b.'),
  f(
    'case',
    'scalar',
    'general',
    2,
    21,
    'arg',
    'case(c1, v1, c2, v2, ..., [default])',
    'First value whose condition is true.',
  ),
  f('isNumeric', 'scalar', 'general', 1, 1, 'bool', 'isNumeric(f)', '1 if the value parses as a number.'),
  f('messageSize', 'scalar', 'general', 1, 1, 'number', 'messageSize(f)', 'Length in bytes (UTF-8).'),
  f('queryStartTime', 'scalar', 'general', 0, 0, 'number', 'queryStartTime()', 'Start of the query range, epoch ms.'),
  f('queryEndTime', 'scalar', 'general', 0, 0, 'number', 'queryEndTime()', 'End of the query range, epoch ms.'),
  f('queryTimeRange', 'scalar', 'general', 0, 0, 'number', 'queryTimeRange()', 'Length of the query range in ms.'),
  f('unmask', 'scalar', 'general', 1, 1, 'arg', 'unmask(f)', 'The unmasked value (no masking here: identity).'),
  // string (§5.3)
  f('isempty', 'scalar', 'string', 1, 1, 'bool', 'isempty(f)', '1 if missing or "".'),
  f('isblank', 'scalar', 'string', 1, 1, 'bool', 'isblank(f)', '1 if missing, empty or only whitespace.'),
  f('concat', 'scalar', 'string', 1, INF, 'string', 'concat(a, b, ...)', 'Concatenate as text.'),
  f(
    'ltrim',
    'scalar',
    'string',
    1,
    2,
    'string',
    'ltrim(s [, chars])',
    'Trim leading whitespace or characters of the set.',
  ),
  f(
    'rtrim',
    'scalar',
    'string',
    1,
    2,
    'string',
    'rtrim(s [, chars])',
    'Trim trailing whitespace or characters of the set.',
  ),
  f('trim', 'scalar', 'string', 1, 2, 'string', 'trim(s [, chars])', 'Trim both ends.'),
  f('strlen', 'scalar', 'string', 1, 1, 'number', 'strlen(s)', 'Length in code points.'),
  f('toupper', 'scalar', 'string', 1, 1, 'string', 'toupper(s)', 'Upper case.'),
  f('tolower', 'scalar', 'string', 1, 1, 'string', 'tolower(s)', 'Lower case.'),
  f('substr', 'scalar', 'string', 2, 3, 'string', 'substr(s, start [, len])', 'Substring, 0-based start.'),
  f('replace', 'scalar', 'string', 3, 3, 'string', 'replace(s, search, repl)', 'Replace every literal occurrence.'),
  f(
    'regexReplace',
    'scalar',
    'string',
    3,
    3,
    'string',
    'regexReplace(s, pattern, repl)',
    'Replace every regex match (RE2).',
    ['regex_replace'],
  ),
  f('strcontains', 'scalar', 'string', 2, 3, 'bool', 'strcontains(s, sub [, ci])', '1 if s contains sub.'),
  f('startsWith', 'scalar', 'string', 2, 2, 'bool', 'startsWith(s, p)', '1 if s starts with p.'),
  f('endsWith', 'scalar', 'string', 2, 2, 'bool', 'endsWith(s, p)', '1 if s ends with p.'),
  f('split', 'scalar', 'string', 2, 2, 'json', 'split(s, delim)', 'Split into a list.'),
  f('urlencode', 'scalar', 'string', 1, 1, 'string', 'urlencode(s)', 'Percent-encode.'),
  f('urldecode', 'scalar', 'string', 1, 1, 'string', 'urldecode(s)', 'Percent-decode.'),
  f('base64encode', 'scalar', 'string', 1, 1, 'string', 'base64encode(s)', 'Base64 of the UTF-8 bytes.'),
  f('base64decode', 'scalar', 'string', 1, 1, 'string', 'base64decode(s)', 'Decode base64 to text.'),
  f('hexToAscii', 'scalar', 'string', 1, 1, 'string', 'hexToAscii(hex)', 'Decode hex to text.'),
  f('hexToDec', 'scalar', 'string', 1, 1, 'number', 'hexToDec(hex)', 'Hex (optional 0x) to a number.'),
  f('decToHex', 'scalar', 'string', 1, 1, 'string', 'decToHex(n)', 'Number to lowercase 0x hex.'),
  // datetime (§5.4)
  f('bin', 'scalar', 'datetime', 1, 2, 'time', 'bin([ts,] period)', 'Floor @timestamp (or ts) to the period (UTC).'),
  f('datefloor', 'scalar', 'datetime', 2, 2, 'time', 'datefloor(ts, period)', 'Round a timestamp down to the period.'),
  f('dateceil', 'scalar', 'datetime', 2, 2, 'time', 'dateceil(ts, period)', 'Round a timestamp up to the period.'),
  f('fromMillis', 'scalar', 'datetime', 1, 1, 'time', 'fromMillis(ms)', 'Epoch ms to a timestamp.'),
  f('toMillis', 'scalar', 'datetime', 1, 1, 'number', 'toMillis(ts)', 'Timestamp to epoch ms.'),
  f('now', 'scalar', 'datetime', 0, 0, 'number', 'now()', 'Query start, epoch SECONDS.'),
  f(
    'parseDate',
    'scalar',
    'datetime',
    2,
    3,
    'number',
    'parseDate(s, javaPattern [, tz])',
    'Parse a date (Java pattern) to epoch ms.',
  ),
  f(
    'formatDate',
    'scalar',
    'datetime',
    2,
    3,
    'string',
    'formatDate(ts, strftimeFormat [, tz])',
    'Format a timestamp (strftime).',
    ['strftime'],
  ),
  // IP (§5.5)
  f('isValidIp', 'scalar', 'ip', 1, 1, 'bool', 'isValidIp(s)', '1 for a valid IPv4 or IPv6 address.'),
  f('isValidIpV4', 'scalar', 'ip', 1, 1, 'bool', 'isValidIpV4(s)', '1 for a valid IPv4 address.'),
  f('isValidIpV6', 'scalar', 'ip', 1, 1, 'bool', 'isValidIpV6(s)', '1 for a valid IPv6 address.'),
  f('isIpInSubnet', 'scalar', 'ip', 2, 2, 'bool', 'isIpInSubnet(ip, cidr)', '1 if the IPv4 address is in the subnet.'),
  f(
    'isIpv4InSubnet',
    'scalar',
    'ip',
    2,
    2,
    'bool',
    'isIpv4InSubnet(ip, cidr)',
    '1 if the IPv4 address is in the subnet.',
  ),
  f(
    'isIpv6InSubnet',
    'scalar',
    'ip',
    2,
    2,
    'bool',
    'isIpv6InSubnet(ip, cidr)',
    'IPv6 subnet test (prefix match on the textual form).',
  ),
  f('ipv4ToNumber', 'scalar', 'ip', 1, 1, 'number', 'ipv4ToNumber(ip)', 'IPv4 address as a number.'),
  f('isPrivateIP', 'scalar', 'ip', 1, 1, 'bool', 'isPrivateIP(ip)', '1 for RFC 1918 addresses.', ['isPrivateIp']),
  f('isPublicIP', 'scalar', 'ip', 1, 1, 'bool', 'isPublicIP(ip)', '1 for public IPv4 addresses.', ['isPublicIp']),
  f('isReservedIP', 'scalar', 'ip', 1, 1, 'bool', 'isReservedIP(ip)', '1 for reserved IPv4 ranges.', ['isReservedIp']),
  // JSON (§5.6)
  f('jsonParse', 'scalar', 'json', 1, 1, 'json', 'jsonParse(s)', 'Parse a JSON object or array (missing otherwise).'),
  f('jsonStringify', 'scalar', 'json', 1, 1, 'string', 'jsonStringify(v)', 'Compact JSON text of a map or list.'),
  f('jsonArraySize', 'scalar', 'json', 1, 1, 'number', 'jsonArraySize(s)', 'Element count of a JSON array string.'),
  f('jsonArrayContains', 'scalar', 'json', 2, 2, 'bool', 'jsonArrayContains(s, v)', '1 if the JSON array contains v.'),
  // hashing (§5.7)
  f('md5', 'scalar', 'hash', 1, 1, 'string', 'md5(s)', 'MD5, lowercase hex.'),
  f('sha256', 'scalar', 'hash', 1, 1, 'string', 'sha256(s)', 'SHA-256, lowercase hex.'),
  // aggregates (§5.8, §5.9)
  f('count', 'aggregate', 'aggregate', 0, 1, 'number', 'count(* | f)', 'Rows, or rows where f is present.'),
  f('count_distinct', 'aggregate', 'aggregate', 1, 1, 'number', 'count_distinct(f)', 'Distinct values (exact here).', [
    'countDistinct',
  ]),
  f('sum', 'aggregate', 'aggregate', 1, 1, 'number', 'sum(f)', 'Sum of numeric values.'),
  f('avg', 'aggregate', 'aggregate', 1, 1, 'number', 'avg(f)', 'Average of numeric values.'),
  f('min', 'aggregate', 'aggregate', 1, 1, 'arg', 'min(f)', 'Smallest value.'),
  f('max', 'aggregate', 'aggregate', 1, 1, 'arg', 'max(f)', 'Largest value.'),
  f('pct', 'aggregate', 'aggregate', 2, 2, 'number', 'pct(f, p)', 'p-th percentile (exact nearest rank).', [
    'percentile',
  ]),
  f('stddev', 'aggregate', 'aggregate', 1, 1, 'number', 'stddev(f)', 'Sample standard deviation.'),
  f('earliest', 'aggregate', 'aggregate', 1, 1, 'arg', 'earliest(f)', 'Value of f in the earliest event that has it.'),
  f('latest', 'aggregate', 'aggregate', 1, 1, 'arg', 'latest(f)', 'Value of f in the latest event that has it.'),
  f('sortsFirst', 'aggregate', 'aggregate', 1, 1, 'arg', 'sortsFirst(f)', 'The value that sorts first.'),
  f('sortsLast', 'aggregate', 'aggregate', 1, 1, 'arg', 'sortsLast(f)', 'The value that sorts last.'),
  f('values', 'aggregate', 'aggregate', 1, 1, 'string', 'values(f)', 'Distinct values, comma-separated.'),
  // time series (§5.10)
  f('countOverTime', 'aggregate', 'timeseries', 0, 1, 'number', 'countOverTime(* | f)', 'count per bin.', [
    'count_over_time',
  ]),
  f('sumOverTime', 'aggregate', 'timeseries', 1, 1, 'number', 'sumOverTime(f)', 'sum per bin.', ['sum_over_time']),
  f('rate', 'aggregate', 'timeseries', 2, 2, 'number', 'rate(f, period)', 'Per-period rate of change of f.'),
  f(
    'histogram',
    'group',
    'timeseries',
    2,
    2,
    'number',
    'histogram(f, width)',
    'By-clause: lower bound of the width-wide bucket of f.',
  ),
] as const;

/** One entry of the catalog, with its literal name and role. */
export type CatalogFunction = (typeof FUNCTIONS)[number];

/**
 * Every function of the language by its lowercase canonical name: how the plan names a call
 * (`toNumber` → `tonumber`). A dialect's function table is keyed by these, so a function added
 * here without an SQL mapping is a type error in every dialect.
 */
export type FunctionName = Lowercase<CatalogFunction['name']>;
/** Functions evaluated per row (scalars, and by-clause functions such as histogram). */
export type ScalarFunctionName = Lowercase<Extract<CatalogFunction, { role: 'scalar' | 'group' }>['name']>;

/** The plan's name of a function: its canonical name in lower case. */
export function functionName<S extends CatalogFunction>(spec: S): Lowercase<S['name']> {
  return spec.name.toLowerCase() as Lowercase<S['name']>;
}

/**
 * The one kind several values take when one expression may yield any of them (if, case,
 * coalesce): their common kind; numbers when they are all numeric-like; text otherwise.
 * The analyzer and every dialect must agree on it.
 */
export function unifyKinds(kinds: readonly ValueKind[]): ValueKind {
  const set = new Set(kinds.filter((k) => k !== 'null'));
  if (set.size === 0) return 'string';
  if (set.size === 1) return [...set][0];
  if ([...set].every((k) => k === 'number' || k === 'bool' || k === 'time')) return 'number';
  return 'string';
}

const BY_NAME = new Map<string, CatalogFunction>();
for (const spec of FUNCTIONS) {
  BY_NAME.set(spec.name.toLowerCase(), spec);
  for (const a of spec.aliases) BY_NAME.set(a.toLowerCase(), spec);
}

/** Look a function up by any spelling, case-insensitively. */
export function lookupFunction(name: string): CatalogFunction | undefined {
  return BY_NAME.get(name.toLowerCase());
}

/** Every accepted spelling (for autocompletion and "did you mean"). */
export function allFunctionNames(): string[] {
  const out: string[] = [];
  for (const s of FUNCTIONS) out.push(s.name, ...s.aliases);
  return out;
}

/** Levenshtein distance, for suggestions. */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  if (m === 0) return n;
  if (n === 0) return m;
  let prev = new Array<number>(n + 1);
  let cur = new Array<number>(n + 1);
  for (let j = 0; j <= n; j++) prev[j] = j;
  for (let i = 1; i <= m; i++) {
    cur[0] = i;
    for (let j = 1; j <= n; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[n];
}

/** The closest candidate to `name`, or undefined when nothing is reasonably close. */
export function closest(name: string, candidates: Iterable<string>, caseInsensitive = true): string | undefined {
  const key = caseInsensitive ? name.toLowerCase() : name;
  let best: string | undefined;
  let bestD = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const d = editDistance(key, caseInsensitive ? c.toLowerCase() : c);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  if (best === undefined) return undefined;
  // Accept up to about a third of the name's length (and at least 2 edits).
  return bestD <= Math.max(2, Math.ceil(name.length / 3)) ? best : undefined;
}
