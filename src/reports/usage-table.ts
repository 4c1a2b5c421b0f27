import { UNTAGGED_LABEL } from '../contracts/wire.js';
import type { QueryEngine } from '../engines/engine.js';
import { loadPriceBook, type PriceBook } from '../pricing/index.js';
import { timeMs } from './extent.js';
import { DAY_MS, isoDay } from './period.js';
import {
  BEDROCK_ONLY,
  USAGE_STATS,
  addUsage,
  emptyUsage,
  ownerField,
  q,
  runQuery,
  usageOf,
  type Usage,
} from './query.js';
import { NO_CACHE, addCacheFigures, cacheFigures, cacheQuery, netSaving, type CacheFigures } from './report.js';

/**
 * `bedrock-insights daily` / `monthly`: tokens by kind, cost, cache savings and what is unpriced,
 * per UTC day or month (and per model, application, team or any request-metadata key), as ccusage
 * shows for Claude Code. Two Logs Insights queries through the engine, by bin(1d); months are
 * summed from days, so the table's total is `stats sum(cost.total)` over the same range.
 */

export type UsageUnit = 'day' | 'month';

/** Friendly names for --by; anything else is a field (hot field) or a request-metadata key. */
const BY_ALIASES: Readonly<Record<string, string>> = {
  model: 'modelId',
  application: 'requestMetadata.application_name',
  app: 'requestMetadata.application_name',
  team: 'requestMetadata.team',
  tenant: 'requestMetadata.tenant_id',
  user: 'requestMetadata.user_id',
  environment: 'requestMetadata.environment',
  'cost-center': 'requestMetadata.cost_center',
  region: 'region',
  operation: 'operation',
  caller: 'identity.arn',
};

/** The Logs Insights field of a --by value. */
export function groupField(by: string): string {
  return BY_ALIASES[by.trim()] ?? ownerField(by);
}

export interface UsageRow extends Usage {
  /** `2026-11-04` or `2026-11`. */
  period: string;
  /** The --by value (model id, application…); UNTAGGED_LABEL when the invocation has none. */
  group?: string;
  /** Cache reads saved minus the write premium, against the model's input price. */
  cacheSavings: number;
}

export interface UsageTable {
  unit: UsageUnit;
  /** Inclusive start, exclusive end (epoch ms). */
  start: number;
  end: number;
  by: string | null;
  field: string | null;
  rows: UsageRow[];
  totals: UsageRow;
  /** The price book the cache savings are computed with. */
  book: string;
}

export interface UsageTableOptions {
  unit: UsageUnit;
  start: number;
  /** Exclusive. */
  end: number;
  by?: string;
  logGroups?: string[];
  book?: PriceBook;
}

function periodOf(dayStart: number, unit: UsageUnit): string {
  return unit === 'day' ? isoDay(dayStart) : isoDay(dayStart).slice(0, 7);
}

export async function buildUsageTable(engine: QueryEngine, o: UsageTableOptions): Promise<UsageTable> {
  const book = o.book ?? loadPriceBook();
  const field = o.by ? groupField(o.by) : null;
  const groupBy = ['bin(1d)', ...(field ? [q(field)] : [])];
  const range = { start: o.start, end: o.end };
  const usageRows = await runQuery(
    engine,
    `${BEDROCK_ONLY} | stats ${USAGE_STATS} by ${groupBy.join(', ')}`,
    range,
    o.logGroups,
  );
  const cacheRows = await runQuery(engine, cacheQuery(groupBy), range, o.logGroups);

  const name = (v: string | undefined): string => (v === undefined || v.trim() === '' ? UNTAGGED_LABEL : v);
  const key = (day: number, group: string | null): string => `${periodOf(day, o.unit)}\u0000${group ?? ''}`;
  const cells = new Map<string, { period: string; group: string | null; usage: Usage; cache: CacheFigures }>();
  const cell = (day: number, group: string | null) => {
    const k = key(day, group);
    let c = cells.get(k);
    if (!c) cells.set(k, (c = { period: periodOf(day, o.unit), group, usage: emptyUsage(), cache: { ...NO_CACHE } }));
    return c;
  };
  for (const r of usageRows) {
    const day = timeMs(r['bin(1d)']);
    if (!Number.isFinite(day)) continue;
    const c = cell(day, field ? name(r[field]) : null);
    c.usage = addUsage(c.usage, usageOf(r));
  }
  for (const r of cacheRows) {
    const day = timeMs(r['bin(1d)']);
    if (!Number.isFinite(day)) continue;
    // The input price on that day: a dated price change moves the counterfactual with it.
    const c = cell(day, field ? name(r[field]) : null);
    c.cache = addCacheFigures(c.cache, cacheFigures(r, book, day));
  }
  const rows: UsageRow[] = [...cells.values()]
    .map((c) => ({
      period: c.period,
      ...(field ? { group: c.group ?? UNTAGGED_LABEL } : {}),
      ...c.usage,
      cacheSavings: netSaving(c.cache),
    }))
    .sort(
      (a, b) =>
        a.period.localeCompare(b.period) ||
        b.cost - a.cost ||
        b.requests - a.requests ||
        (a.group ?? '').localeCompare(b.group ?? ''),
    );
  const totals: UsageRow = rows.reduce<UsageRow>(
    (t, r) => ({ ...addUsage(t, r), period: 'TOTAL', cacheSavings: t.cacheSavings + r.cacheSavings }),
    { period: 'TOTAL', ...emptyUsage(), cacheSavings: 0 },
  );
  return { unit: o.unit, start: o.start, end: o.end, by: o.by ?? null, field, rows, totals, book: book.version };
}

/** The UTC day holding `ms`, as [start, next day). */
export function dayBounds(ms: number): { start: number; end: number } {
  const start = Math.floor(ms / DAY_MS) * DAY_MS;
  return { start, end: start + DAY_MS };
}
