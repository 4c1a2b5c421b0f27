/**
 * The command keywords of the Logs Insights language with their support tier (spec §0.2), for the
 * parser's dispatch, the console's autocompletion and highlighting, and "did you mean" hints.
 *
 * Tier 1 and 2 commands are implemented; tier 3 commands parse into an `unsupported` command so
 * the analyzer can name them. Every name is matched case-insensitively (`lname` is lowercase).
 */

export type Tier = 1 | 2 | 3;

export interface CommandKeyword {
  /** The documented spelling. */
  name: string;
  lname: string;
  tier: Tier;
  /** One-line syntax, as shown in completions. */
  syntax: string;
  /** Another spelling that means the same command (e.g. `where` for `filter`). */
  aliasOf?: string;
  deprecated?: boolean;
}

const cmd = (name: string, tier: Tier, syntax: string, extra: Partial<CommandKeyword> = {}): CommandKeyword => ({
  name,
  lname: name.toLowerCase(),
  tier,
  syntax,
  ...extra,
});

export const COMMAND_KEYWORDS: readonly CommandKeyword[] = [
  cmd('fields', 1, 'fields expr [as alias], ...'),
  cmd('display', 1, 'display expr [as alias], ...'),
  cmd('filter', 1, 'filter condition'),
  cmd('where', 1, 'where condition', { aliasOf: 'filter' }),
  cmd('stats', 1, 'stats agg [as alias], ... [by expr [as alias], ...]'),
  cmd('sort', 1, 'sort [by] field [asc|desc], ...'),
  cmd('limit', 1, 'limit [any] N'),
  cmd('head', 1, 'head N', { aliasOf: 'limit', deprecated: true }),
  cmd(
    'parse',
    1,
    'parse [field] "glob*" as a, ... | parse [field] /(?<name>re)/ [multi] | parse [field] logfmt|csv as ...',
  ),
  cmd('dedup', 1, 'dedup field, ...'),
  cmd('unnest', 2, 'unnest expr into name'),
  cmd('expand', 2, 'expand field'),
  cmd('fillmissing', 2, 'fillmissing [with value for field, ...]'),
  cmd('filterIndex', 2, 'filterIndex field = value | filterIndex field in [...]'),
  cmd('pattern', 2, 'pattern field'),
  cmd('anomaly', 2, 'anomaly'),
  cmd('diff', 2, 'diff [previousDay|previousWeek|previousMonth]'),
  cmd('logcompare', 3, 'logcompare timeshift duration'),
  cmd('relevantfields', 3, 'relevantfields [field, ...] where condition'),
  cmd('join', 3, "join type=inner|left left=a right=b where a.k = b.k (SOURCE '...')"),
  cmd('lookup', 3, 'lookup table matchField [as logField] OUTPUT|OUTPUTNEW field, ...'),
  cmd('cidrlookup', 3, 'cidrlookup table ipField OUTPUT|OUTPUTNEW field, ...'),
  cmd('unmask', 3, 'unmask field'),
  cmd('addtotals', 3, 'addtotals [fieldname=Name] [row=bool] [col=bool] [field, ...]'),
  cmd('autoregress', 3, 'autoregress field [as alias] [p=N[-M]]'),
  cmd('filldown', 3, 'filldown [field ...]'),
  cmd('outlier', 3, 'outlier [action=remove|transform] [param=2.5] field ...'),
  cmd('accum', 3, 'accum field [as out]'),
  cmd('appendcols', 3, 'appendcols [override=false] [max=N] ( subquery )'),
  cmd('sessionize', 3, 'sessionize field, ... [maxspan 30m] [as session_id]'),
  cmd('countFrequent', 3, 'countFrequent field, ...'),
  cmd('count_frequent', 3, 'count_frequent field, ...', { aliasOf: 'countFrequent' }),
  cmd('estimate', 3, 'estimate'),
  cmd('json', 3, 'json field=f "path" as alias'),
  cmd('search', 3, 'search ...', { deprecated: true }),
  cmd('order', 3, 'order ...', { deprecated: true }),
  cmd('tail', 3, 'tail N', { deprecated: true }),
];

const BY_LNAME = new Map(COMMAND_KEYWORDS.map((k) => [k.lname, k]));

/** The command keyword for a word (case-insensitive), or undefined. */
export function commandKeyword(word: string): CommandKeyword | undefined {
  return BY_LNAME.get(word.toLowerCase());
}

/** `SOURCE` precedes the pipeline; it is not a command. */
export const SOURCE_KEYWORD = 'SOURCE';

/** Keywords used inside commands and expressions (lowercase). */
export const CLAUSE_KEYWORDS: readonly string[] = [
  'as',
  'by',
  'asc',
  'desc',
  'any',
  'and',
  'or',
  'not',
  'in',
  'like',
  'multi',
  'logfmt',
  'csv',
  'into',
  'with',
  'for',
  'true',
  'false',
  'source',
  'loggroups',
  'nameprefix',
  'class',
  'accountidentifiers',
  'start',
  'end',
  'offset',
  'previousday',
  'previousweek',
  'previousmonth',
];

/** Levenshtein distance, for "did you mean" hints over short keyword lists. */
export function editDistance(a: string, b: string): number {
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length];
}

/** The closest tier 1/2 command name to a misspelled word, if it is close enough. */
export function closestCommand(word: string): string | undefined {
  const w = word.toLowerCase();
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of COMMAND_KEYWORDS) {
    if (k.tier === 3 || k.deprecated) continue;
    const d = editDistance(w, k.lname);
    if (d < bestD) {
      bestD = d;
      best = k.name;
    }
  }
  return bestD <= Math.max(1, Math.floor(w.length / 3)) ? best : undefined;
}
