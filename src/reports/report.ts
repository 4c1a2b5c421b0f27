import type { QueryEngine } from '../engines/engine.js';
import { loadPriceBook, resolveModel, type PriceBook } from '../pricing/index.js';
import { detectDaySpikes, detectOwnerSpikes, type Anomaly, type HourPoint } from './anomalies.js';
import { DAY_MS, isoDay, monthsEndingAt, previousPeriod, type Period } from './period.js';
import type { CacheModel, CacheSavings, Change, Coverage, Ranked } from '../api/wire.js';
import {
  BEDROCK_ONLY,
  UNPRICED_ONLY,
  USAGE_STATS,
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
  monthly: { label: string; start: number; cost: number; requests: number; inPeriod: boolean }[];
  weekly: { label: string; start: number; cost: number; requests: number }[];
  daily: { day: string; start: number; cost: number; requests: number }[];
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

function change(current: number, previous: number): Change {
  return { current, previous, ratio: previous > 0 ? (current - previous) / previous : null };
}

/** `2026-11-27 00:00:00.000` (a bin() value, UTC) -> epoch ms. */
export function binMs(v: string | undefined): number {
  if (!v) return NaN;
  return Date.parse(`${v.replace(' ', 'T')}Z`);
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
    if (name === undefined || name === '') untaggedUsage = untaggedUsage === null ? u : sum(untaggedUsage, u);
    else tagged.push({ name, ...u, share: total > 0 ? u.cost / total : 0 });
  }
  const untagged: Ranked | null =
    untaggedUsage === null
      ? null
      : { name: '(untagged)', ...untaggedUsage, share: total > 0 ? untaggedUsage.cost / total : 0, untagged: true };
  tagged.sort((a, b) => b.cost - a.cost || b.requests - a.requests);
  const out = tagged.slice(0, topN);
  if (tagged.length > topN) {
    const rest = tagged.slice(topN).reduce((a, r) => sum(a, r), emptyUsage());
    out.push({ name: `${tagged.length - topN} others`, ...rest, share: total > 0 ? rest.cost / total : 0 });
  }
  if (untagged) out.push(untagged);
  return out;
}

function sum(a: Usage, b: Usage): Usage {
  return {
    requests: a.requests + b.requests,
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cacheReadTokens: a.cacheReadTokens + b.cacheReadTokens,
    cacheWriteTokens: a.cacheWriteTokens + b.cacheWriteTokens,
    cost: a.cost + b.cost,
    pricedRequests: a.pricedRequests + b.pricedRequests,
  };
}

export type { CacheModel, CacheSavings, Change, Coverage, Ranked };

export async function totalsOf(engine: QueryEngine, period: Period, logGroups?: string[]): Promise<Usage> {
  const rows = await runQuery(engine, `${BEDROCK_ONLY} | stats ${USAGE_STATS}`, period, logGroups);
  return rows[0] ? usageOf(rows[0]) : emptyUsage();
}

export async function coverageOf(
  engine: QueryEngine,
  period: Period,
  totals: Usage,
  logGroups?: string[],
): Promise<Coverage> {
  const rows = await runQuery(
    engine,
    `${UNPRICED_ONLY} | stats count(*) as requests, sum(input.inputTokenCount) as inputTokens, sum(output.outputTokenCount) as outputTokens, sum(input.cacheReadInputTokenCount) as cacheReadTokens, sum(input.cacheWriteInputTokenCount) as cacheWriteTokens by modelId`,
    period,
    logGroups,
  );
  const unpriced = rows
    .map((r) => ({ model: r.modelId ?? '', requests: num(r.requests), tokens: tokensOf(usageOf(r)) }))
    .sort((a, b) => b.tokens - a.tokens);
  const unpricedTokens = unpriced.reduce((a, u) => a + u.tokens, 0);
  const tokens = tokensOf(totals);
  return {
    tokens,
    unpricedTokens,
    unpricedRequests: unpriced.reduce((a, u) => a + u.requests, 0),
    share: tokens > 0 ? (tokens - unpricedTokens) / tokens : 1,
    unpriced,
  };
}

/**
 * Cache savings: cache-read tokens priced at the model's input price, minus what they cost (and
 * the cache-write premium over the input price). Only priced rows count; the input price is the
 * book's price for (modelId, region) at the period's start (long-context tiers are ignored).
 */
export async function cacheSavings(
  engine: QueryEngine,
  period: Period,
  book: PriceBook,
  logGroups?: string[],
): Promise<CacheSavings> {
  const rows = await runQuery(
    engine,
    `filter ispresent(cost.total) and (input.cacheReadInputTokenCount > 0 or input.cacheWriteInputTokenCount > 0)
    | stats sum(input.cacheReadInputTokenCount) as readTokens, sum(cost.cacheRead) as readCost, sum(input.cacheWriteInputTokenCount) as writeTokens, sum(cost.cacheWrite) as writeCost by modelId, region`,
    period,
    logGroups,
  );
  const byModel = new Map<string, CacheModel>();
  for (const r of rows) {
    const res = resolveModel(r.modelId, r.region, { book, at: period.start });
    const inputPrice = res.priced ? res.prices.input : 0;
    const m = byModel.get(r.modelId ?? '') ?? {
      model: r.modelId ?? '',
      readTokens: 0,
      readCost: 0,
      readAtInput: 0,
      writeTokens: 0,
      writeCost: 0,
      writeAtInput: 0,
    };
    m.readTokens += num(r.readTokens);
    m.readCost += num(r.readCost);
    m.readAtInput += (num(r.readTokens) * inputPrice) / 1e6;
    m.writeTokens += num(r.writeTokens);
    m.writeCost += num(r.writeCost);
    m.writeAtInput += (num(r.writeTokens) * inputPrice) / 1e6;
    byModel.set(m.model, m);
  }
  const list = [...byModel.values()].sort((a, b) => b.readAtInput - b.readCost - (a.readAtInput - a.readCost));
  const t = list.reduce(
    (a, m) => ({
      readTokens: a.readTokens + m.readTokens,
      readCost: a.readCost + m.readCost,
      readAtInput: a.readAtInput + m.readAtInput,
      writeTokens: a.writeTokens + m.writeTokens,
      writeCost: a.writeCost + m.writeCost,
      writeAtInput: a.writeAtInput + m.writeAtInput,
    }),
    { readTokens: 0, readCost: 0, readAtInput: 0, writeTokens: 0, writeCost: 0, writeAtInput: 0 },
  );
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

  const coverage = await coverageOf(engine, period, totals, lg);

  // Daily series from the first month of the trend (and 7 days more for the anomaly baseline).
  const months = monthsEndingAt(period.end, Math.max(opts.months ?? 6, period.kind === 'quarter' ? 6 : 1));
  const seriesStart = Math.min(months[0]!.start, period.start - 7 * DAY_MS);
  const dailyRows = await runQuery(
    engine,
    `${BEDROCK_ONLY} | stats sum(cost.total) as cost, count(*) as requests by bin(1d)`,
    { start: seriesStart, end: period.end },
    lg,
  );
  const days = dailyRows
    .map((r) => ({ start: binMs(r['bin(1d)']), cost: num(r.cost), requests: num(r.requests) }))
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
  const weeks = new Map<number, { cost: number; requests: number }>();
  for (let d = period.start; d < period.end; d += DAY_MS)
    weeks.set(isoWeekStart(d), weeks.get(isoWeekStart(d)) ?? { cost: 0, requests: 0 });
  for (const d of days) {
    if (d.start < period.start || d.start >= period.end) continue;
    const w = weeks.get(isoWeekStart(d.start))!;
    w.cost += d.cost;
    w.requests += d.requests;
  }
  const weekly = [...weeks.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([start, w]) => ({ label: `wk ${isoDay(Math.max(start, period.start)).slice(5)}`, start, ...w }));
  const byDay = new Map(days.map((d) => [d.start, d]));
  const daily: ReportData['daily'] = [];
  for (let d = period.start; d < period.end; d += DAY_MS) {
    const x = byDay.get(d);
    daily.push({ day: isoDay(d), start: d, cost: x?.cost ?? 0, requests: x?.requests ?? 0 });
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
      cost: change(totals.cost, previousTotals.cost),
      requests: change(totals.requests, previousTotals.requests),
      tokens: change(coverage.tokens, tokensOf(previousTotals)),
    },
    coverage,
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
