import type { QueryEngine } from '../engines/engine.js';
import { bookFreshness, loadPriceBook, resolveModel, type PriceBook } from '../pricing/index.js';
import { detectDaySpikes, detectOwnerSpikes, type Anomaly, type HourPoint } from './anomalies.js';
import { compare, dataExtent, periodCoverage, timeMs } from './extent.js';
import { DAY_MS, isoDay, monthsEndingAt, previousPeriod, type Period } from './period.js';
import {
  UNTAGGED_LABEL,
  type BookInfo,
  type CacheModel,
  type CacheSavings,
  type Change,
  type Coverage,
  type PeriodCoverage,
  type Ranked,
} from '../contracts/wire.js';
import {
  BEDROCK_ONLY,
  UNPRICED_ONLY,
  USAGE_STATS,
  addUsage,
  emptyUsage,
  num,
  q,
  runQuery,
  tokensOf,
  usageOf,
  type Row,
  type Usage,
} from './query.js';

/**
 * The figures of the executive report, each from a Logs Insights query through the engine
 * (the query text is kept next to each figure in README.md). Nothing here renders.
 */

export interface ReportData {
  period: Period;
  previous: Period;
  totals: Usage;
  previousTotals: Usage;
  change: { cost: Change; requests: Change; tokens: Change };
  coverage: Coverage;
  /** Whether the store has data for the period and the previous one (empty, partial with dates, full). */
  periodCoverage: PeriodCoverage;
  previousCoverage: PeriodCoverage;
  book: BookInfo;
  monthly: { label: string; start: number; cost: number; requests: number; inPeriod: boolean }[];
  weekly: { label: string; start: number; cost: number; requests: number }[];
  daily: { day: string; start: number; cost: number; requests: number; unpricedTokens: number }[];
  top: { applications: Ranked[]; tenants: Ranked[]; costCenters: Ranked[]; models: Ranked[] };
  cache: CacheSavings;
  anomalies: Anomaly[];
  priceVersions: string[];
  generatedAt: number;
}

export interface ReportOptions {
  period: Period;
  logGroups?: string[];
  /** Months in the monthly trend (default 6, ending with the period). */
  months?: number;
  /** Rows per top list (default 10). */
  topN?: number;
  book?: PriceBook;
  /** The key whose owners' hours are checked for spikes (default tenant_id). */
  anomalyKey?: string;
}

/** `2026-11-27 00:00:00.000` (a bin() value, UTC) -> epoch ms. */
export const binMs = timeMs;

/** The book behind the figures, and its staleness warning. */
export function bookInfo(book: PriceBook, now = Date.now()): BookInfo {
  const f = bookFreshness(book, now);
  return { version: book.version, retrieved: f.retrieved, ageDays: f.ageDays, stale: f.stale, warning: f.warning };
}

/** Monday 00:00 UTC of the week holding `ms`. */
export function isoWeekStart(ms: number): number {
  const day = Math.floor(ms / DAY_MS) * DAY_MS;
  const dow = (new Date(day).getUTCDay() + 6) % 7; // Monday = 0
  return day - dow * DAY_MS;
}

export async function ranking(
  engine: QueryEngine,
  field: string,
  period: Period,
  total: number,
  topN: number,
  logGroups?: string[],
): Promise<Ranked[]> {
  const rows = await runQuery(
    engine,
    `${BEDROCK_ONLY} | stats ${USAGE_STATS} by ${q(field)} | sort cost desc`,
    period,
    logGroups,
  );
  const tagged: Ranked[] = [];
  // '' and a missing value both mean untagged: one line for both.
  let untaggedUsage: Usage | null = null;
  for (const r of rows) {
    const name = r[field];
    const u = usageOf(r);
    if (name === undefined || name === '') untaggedUsage = untaggedUsage === null ? u : addUsage(untaggedUsage, u);
    else tagged.push({ name, ...u, share: total > 0 ? u.cost / total : 0 });
  }
  const untagged: Ranked | null =
    untaggedUsage === null
      ? null
      : { name: UNTAGGED_LABEL, ...untaggedUsage, share: total > 0 ? untaggedUsage.cost / total : 0, untagged: true };
  tagged.sort((a, b) => b.cost - a.cost || b.requests - a.requests);
  const out = tagged.slice(0, topN);
  if (tagged.length > topN) {
    const rest = tagged.slice(topN).reduce<Usage>((a, r) => addUsage(a, r), emptyUsage());
    out.push({ name: `${tagged.length - topN} others`, ...rest, share: total > 0 ? rest.cost / total : 0 });
  }
  if (untagged) out.push(untagged);
  return out;
}

export type { CacheModel, CacheSavings, Change, Coverage, Ranked };

export async function totalsOf(engine: QueryEngine, period: Period, logGroups?: string[]): Promise<Usage> {
  const rows = await runQuery(engine, `${BEDROCK_ONLY} | stats ${USAGE_STATS}`, period, logGroups);
  return rows[0] ? usageOf(rows[0]) : emptyUsage();
}

/** Price coverage of a period: its totals' unpriced tokens, and the unpriced bucket per model. */
export async function coverageOf(
  engine: QueryEngine,
  period: Period,
  totals: Usage,
  logGroups?: string[],
): Promise<Coverage> {
  const rows = totals.unpricedRequests
    ? await runQuery(
        engine,
        `${UNPRICED_ONLY} | stats count(*) as requests, sum(cost.unpricedTokens) as tokens by modelId`,
        period,
        logGroups,
      )
    : [];
  const unpriced = rows
    .map((r) => ({ model: r.modelId ?? '', requests: num(r.requests), tokens: num(r.tokens) }))
    .sort((a, b) => b.tokens - a.tokens);
  const tokens = tokensOf(totals);
  return {
    tokens,
    unpricedTokens: totals.unpricedTokens,
    unpricedRequests: totals.unpricedRequests,
    share: tokens > 0 ? (tokens - totals.unpricedTokens) / tokens : null,
    unpriced,
  };
}

/**
 * Cache savings: cache-read tokens priced at the model's input price, minus what they cost (and
 * the cache-write premium over the input price). Only fully priced rows count (a row whose cache
 * class has no price has no saving to measure); the input price is the
 * book's price for (modelId, region) at the period's start (long-context tiers are ignored).
 */
/** The six sums cache savings are made of (USD, tokens). */
export type CacheFigures = Omit<CacheModel, 'model'>;

/**
 * Fully priced invocations that read or write the cache, summed by model and region (and `by`):
 * the input price is looked up per model and region, so savings are computed from each row's own rate.
 */
export function cacheQuery(by: string[] = []): string {
  const keys = [...new Set([...by, 'modelId', 'region'])];
  return `filter ispresent(cost.total) and not ispresent(cost.unpriced) and (input.cacheReadInputTokenCount > 0 or input.cacheWriteInputTokenCount > 0)
    | stats sum(input.cacheReadInputTokenCount) as readTokens, sum(cost.cacheRead) as readCost, sum(input.cacheWriteInputTokenCount) as writeTokens, sum(cost.cacheWrite) as writeCost by ${keys.join(', ')}`;
}

/** One row of cacheQuery: what its cache tokens cost, and what they would have cost as plain input at `at`. */
export function cacheFigures(r: Row, book: PriceBook, at: number): CacheFigures {
  const res = resolveModel(r.modelId, r.region, { book, at });
  const inputPrice = res.priced ? res.prices.input : 0;
  return {
    readTokens: num(r.readTokens),
    readCost: num(r.readCost),
    readAtInput: (num(r.readTokens) * inputPrice) / 1e6,
    writeTokens: num(r.writeTokens),
    writeCost: num(r.writeCost),
    writeAtInput: (num(r.writeTokens) * inputPrice) / 1e6,
  };
}

export function addCacheFigures<T extends CacheFigures>(a: T, b: CacheFigures): T {
  return {
    ...a,
    readTokens: a.readTokens + b.readTokens,
    readCost: a.readCost + b.readCost,
    readAtInput: a.readAtInput + b.readAtInput,
    writeTokens: a.writeTokens + b.writeTokens,
    writeCost: a.writeCost + b.writeCost,
    writeAtInput: a.writeAtInput + b.writeAtInput,
  };
}

export const NO_CACHE: CacheFigures = {
  readTokens: 0,
  readCost: 0,
  readAtInput: 0,
  writeTokens: 0,
  writeCost: 0,
  writeAtInput: 0,
};

/** Net saving of cache figures: reads saved minus the write premium (negative premium: writes cheaper than input). */
export function netSaving(f: CacheFigures): number {
  return f.readAtInput - f.readCost - (f.writeCost - f.writeAtInput);
}

export async function cacheSavings(
  engine: QueryEngine,
  period: Period,
  book: PriceBook,
  logGroups?: string[],
): Promise<CacheSavings> {
  const rows = await runQuery(engine, cacheQuery(), period, logGroups);
  const byModel = new Map<string, CacheModel>();
  for (const r of rows) {
    const model = r.modelId ?? '';
    byModel.set(
      model,
      addCacheFigures(byModel.get(model) ?? { model, ...NO_CACHE }, cacheFigures(r, book, period.start)),
    );
  }
  const list = [...byModel.values()].sort((a, b) => b.readAtInput - b.readCost - (a.readAtInput - a.readCost));
  const t = list.reduce<CacheFigures>((a, m) => addCacheFigures(a, m), { ...NO_CACHE });
  const savings = t.readAtInput - t.readCost;
  const writePremium = t.writeCost - t.writeAtInput;
  return { ...t, savings, writePremium, net: savings - writePremium, byModel: list };
}

export async function buildReport(engine: QueryEngine, opts: ReportOptions): Promise<ReportData> {
  const { period } = opts;
  const lg = opts.logGroups;
  const topN = opts.topN ?? 10;
  const book = opts.book ?? loadPriceBook();
  const previous = previousPeriod(period);
  const totals = await totalsOf(engine, period, lg);
  const previousTotals = await totalsOf(engine, previous, lg);
  const extent = await dataExtent(engine, lg);
  const covered = periodCoverage(period, extent, totals.requests);
  const previousCovered = periodCoverage(previous, extent, previousTotals.requests);

  const coverage = await coverageOf(engine, period, totals, lg);

  // Daily series from the first month of the trend (and 7 days more for the anomaly baseline).
  const months = monthsEndingAt(period.end, Math.max(opts.months ?? 6, period.kind === 'quarter' ? 6 : 1));
  const seriesStart = Math.min(months[0].start, period.start - 7 * DAY_MS);
  const dailyRows = await runQuery(
    engine,
    `${BEDROCK_ONLY} | stats sum(cost.total) as cost, count(*) as requests, sum(cost.unpricedTokens) as unpricedTokens by bin(1d)`,
    { start: seriesStart, end: period.end },
    lg,
  );
  const days = dailyRows
    .map((r) => ({
      start: binMs(r['bin(1d)']),
      cost: num(r.cost),
      requests: num(r.requests),
      unpricedTokens: num(r.unpricedTokens),
    }))
    .filter((d) => Number.isFinite(d.start))
    .sort((a, b) => a.start - b.start);

  const monthly = months.map((m) => {
    const ds = days.filter((d) => d.start >= m.start && d.start < m.end);
    return {
      label: m.label,
      start: m.start,
      cost: ds.reduce((a, d) => a + d.cost, 0),
      requests: ds.reduce((a, d) => a + d.requests, 0),
      inPeriod: m.start >= period.start && m.start < period.end,
    };
  });
  // Days are UTC days: a range that starts mid-day still walks the day bins (midnight to midnight).
  const firstDay = Math.floor(period.start / DAY_MS) * DAY_MS;
  const weeks = new Map<number, { cost: number; requests: number }>();
  for (let d = firstDay; d < period.end; d += DAY_MS)
    weeks.set(isoWeekStart(d), weeks.get(isoWeekStart(d)) ?? { cost: 0, requests: 0 });
  for (const d of days) {
    if (d.start < firstDay || d.start >= period.end) continue;
    const w = weeks.get(isoWeekStart(d.start))!;
    w.cost += d.cost;
    w.requests += d.requests;
  }
  const weekly = [...weeks.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([start, w]) => ({ label: `wk ${isoDay(Math.max(start, period.start)).slice(5)}`, start, ...w }));
  const byDay = new Map(days.map((d) => [d.start, d]));
  const daily: ReportData['daily'] = [];
  for (let d = firstDay; d < period.end; d += DAY_MS) {
    const x = byDay.get(d);
    daily.push({
      day: isoDay(d),
      start: d,
      cost: x?.cost ?? 0,
      requests: x?.requests ?? 0,
      unpricedTokens: x?.unpricedTokens ?? 0,
    });
  }

  const total = totals.cost;
  const top = {
    applications: await ranking(engine, 'requestMetadata.application_name', period, total, topN, lg),
    tenants: await ranking(engine, 'requestMetadata.tenant_id', period, total, topN, lg),
    costCenters: await ranking(engine, 'requestMetadata.cost_center', period, total, topN, lg),
    models: await ranking(engine, 'modelId', period, total, topN, lg),
  };

  // Anomalies: owner hours (tenants) and days.
  const anomalyKey = opts.anomalyKey ?? 'tenant_id';
  const ownerField = anomalyKey.includes('.') ? anomalyKey : `requestMetadata.${anomalyKey}`;
  const hourRows = await runQuery(
    engine,
    `${BEDROCK_ONLY} and ispresent(${q(ownerField)}) | stats count(*) as requests, sum(cost.total) as cost by bin(1h), ${q(ownerField)}`,
    { start: period.start - 7 * DAY_MS, end: period.end },
    lg,
  );
  const points: HourPoint[] = hourRows
    .map((r: Row) => ({
      owner: r[ownerField] ?? '',
      hour: binMs(r['bin(1h)']),
      requests: num(r.requests),
      cost: num(r.cost),
    }))
    .filter((p) => p.owner && Number.isFinite(p.hour));
  const anomalies = [
    ...detectDaySpikes(
      days.map((d) => ({ dayStart: d.start, cost: d.cost })),
      period.start,
      period.end,
    ),
    ...detectOwnerSpikes(points, anomalyKey, period.start, period.end),
  ];

  const versions = await runQuery(
    engine,
    `filter ispresent(cost.priceVersion) | stats count(*) as n by cost.priceVersion`,
    period,
    lg,
  );
  return {
    period,
    previous,
    totals,
    previousTotals,
    change: {
      cost: compare(totals.cost, previousTotals.cost, previousCovered, covered),
      requests: compare(totals.requests, previousTotals.requests, previousCovered, covered),
      tokens: compare(coverage.tokens, tokensOf(previousTotals), previousCovered, covered),
    },
    coverage,
    periodCoverage: covered,
    previousCoverage: previousCovered,
    book: bookInfo(book),
    monthly,
    weekly,
    daily,
    top,
    cache: await cacheSavings(engine, period, book, lg),
    anomalies,
    priceVersions: versions
      .map((r) => r['cost.priceVersion'] ?? '')
      .filter(Boolean)
      .sort(),
    generatedAt: Date.now(),
  };
}
