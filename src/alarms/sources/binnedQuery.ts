import { parseQuery } from '../../insights/parser.js';

/** The column the rewritten query names each row's period with. */
export const PERIOD_COLUMN = 'alarmPeriodStart';

/** Commands that act on each event alone: run before `stats`, they give the same rows per window as over the whole range. */
const PER_EVENT = new Set(['fields', 'filter', 'filterIndex', 'parse']);

/**
 * A query alarm reads one result per period (the query over the window ending at the period's
 * end): 720 queries for a 30-day backtest of an hourly alarm. When the window is the period and
 * the query is per-event commands, one `stats`, then at most `sort`, the results of every
 * period are the groups of one query over the whole range with `bin(period)` added to its `by`
 * (bins are epoch-aligned, as the periods are). Returns that query, or undefined when the
 * rewrite would not be exact (limit, dedup, several stats, an offset, a different window…).
 */
export function binnedQuery(queryString: string, periodSeconds: number, window?: number): string | undefined {
  if (window !== undefined && window !== periodSeconds) return undefined;
  const q = parseQuery(queryString).query;
  if (!q || q.source) return undefined;
  const statsAt = q.commands.findIndex((c) => c.kind === 'stats');
  if (statsAt < 0) return undefined;
  const stats = q.commands[statsAt];
  if (stats.kind !== 'stats' || stats.offset) return undefined;
  if (!q.commands.slice(0, statsAt).every((c) => PER_EVENT.has(c.kind))) return undefined;
  if (!q.commands.slice(statsAt + 1).every((c) => c.kind === 'sort')) return undefined;
  if ([...stats.aggregates, ...stats.groupBy].some((p) => p.alias?.name === PERIOD_COLUMN)) return undefined;
  const unit =
    periodSeconds % 86_400 === 0
      ? `${periodSeconds / 86_400}d`
      : periodSeconds % 3600 === 0
        ? `${periodSeconds / 3600}h`
        : periodSeconds % 60 === 0
          ? `${periodSeconds / 60}m`
          : `${periodSeconds}s`;
  const bin = `bin(${unit}) as ${PERIOD_COLUMN}`;
  const text = queryString;
  if (stats.groupBy.length > 0) {
    const at = stats.groupBy[0].span.start;
    return `${text.slice(0, at)}${bin}, ${text.slice(at)}`;
  }
  const at = stats.span.end;
  return `${text.slice(0, at)} by ${bin}${text.slice(at)}`;
}

/** A `bin()` value (`2026-11-04 15:00:00.000`, UTC) as epoch ms. */
export function periodOf(binText: string): number {
  return Date.parse(`${binText.replace(' ', 'T')}Z`);
}
