import { abbreviateModelId } from '../contracts/model-names.js';
import { formatCompact, formatInt, formatUsd } from '../contracts/money.js';
import { iso } from './period.js';
import { tokensOf } from './query.js';
import { table } from '../util/text-table.js';
import type { UsageRow, UsageTable } from './usage-table.js';

/** The daily / monthly table for a terminal (compact, fits 120 columns) or as JSON (full precision). */
export function renderUsageTable(t: UsageTable, format: 'table' | 'json', opts: { wide?: boolean } = {}): string {
  if (format === 'json') return `${JSON.stringify(t, null, 2)}\n`;
  const wide = opts.wide === true;
  const tok = wide ? formatInt : formatCompact;
  const groupName = (g: string | undefined): string =>
    g === undefined ? '' : !wide && t.field === 'modelId' ? abbreviateModelId(g) : g;
  const line = (r: UsageRow, first: boolean): string[] => [
    first ? r.period : '',
    ...(t.field ? [groupName(r.group)] : []),
    formatInt(r.requests),
    tok(r.inputTokens),
    tok(r.outputTokens),
    tok(r.cacheReadTokens),
    tok(r.cacheWriteTokens),
    tok(tokensOf(r)),
    r.requests > 0 && r.pricedRequests === 0 ? 'unpriced' : formatUsd(r.cost),
    formatUsd(r.cacheSavings),
    r.unpricedTokens ? tok(r.unpricedTokens) : '',
  ];
  const rows: string[][] = [];
  let last = '';
  for (const r of t.rows) {
    rows.push(line(r, r.period !== last));
    last = r.period;
  }
  rows.push(line(t.totals, true));
  const header = [
    t.unit === 'day' ? 'DATE' : 'MONTH',
    ...(t.field ? [(t.by ?? '').toUpperCase()] : []),
    'REQUESTS',
    'INPUT',
    'OUTPUT',
    'CACHE RD',
    'CACHE WR',
    'TOKENS',
    'COST',
    'SAVED',
    'UNPRICED',
  ];
  const numeric = header.map((_, i) => i >= (t.field ? 2 : 1));
  const out = [
    `Bedrock usage per ${t.unit}${t.field ? ` and ${t.by} (${t.field})` : ''}`,
    `Range: ${iso(t.start)} .. ${iso(t.end)} (UTC)`,
    `Price book ${t.book}. Tokens in thousands (K), millions (M); --wide or --json for exact figures.`,
    '',
    t.rows.length ? table(header, rows, numeric) : 'No invocations in this range.',
  ];
  if (t.totals.unpricedTokens > 0)
    out.push(
      '',
      `COST leaves out the UNPRICED tokens (${formatInt(t.totals.unpricedTokens)} in ${formatInt(t.totals.unpricedRequests)} requests): no price in the book,`,
      'never counted as $0; see `npx bedrock-insights prices check`.',
    );
  out.push('SAVED: cache reads at the input price minus what they cost, less the cache-write premium.');
  return `${out.join('\n')}\n`;
}
