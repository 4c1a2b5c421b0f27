import type { CostSummary } from '../contracts/wire.js';
import type { QueryEngine } from '../engines/engine.js';

export type { CostSummary };
import { loadPriceBook, type PriceBook } from '../pricing/index.js';
import { buildChargeback, type Statement, type UntaggedRule } from './chargeback.js';
import { compare, dataExtent, periodCoverage } from './extent.js';
import { checkOwnerKey } from './owner-key.js';
import { DAY_MS, previousPeriod, type Period } from './period.js';
import { BEDROCK_ONLY, num, ownerField, runQuery, tokensOf } from './query.js';
import { binMs, bookInfo, cacheSavings, coverageOf, ranking, totalsOf } from './report.js';

export interface CostSummaryOptions {
  period: Period;
  by: string;
  untagged?: UntaggedRule;
  logGroups?: string[];
  book?: PriceBook;
  /** The store's field catalog: the owner key's coverage and did-you-mean are measured against it. */
  knownFields?: string[];
}

/** The console Cost page's figures: every one from a Logs Insights query through the engine. */
export async function buildCostSummary(engine: QueryEngine, opts: CostSummaryOptions): Promise<CostSummary> {
  const { period } = opts;
  const lg = opts.logGroups;
  const field = ownerField(opts.by);
  const previous = previousPeriod(period);
  const book = opts.book ?? loadPriceBook();
  const totals = await totalsOf(engine, period, lg);
  const previousTotals = await totalsOf(engine, previous, lg);
  const extent = await dataExtent(engine, lg);
  const covered = periodCoverage(period, extent, totals.requests);
  const previousCovered = periodCoverage(previous, extent, previousTotals.requests);
  const coverage = await coverageOf(engine, period, totals, lg);
  const unit = period.end - period.start <= 2 * DAY_MS ? '1h' : '1d';
  const seriesRows = await runQuery(
    engine,
    `${BEDROCK_ONLY} | stats sum(cost.total) as cost, count(*) as requests, sum(cost.unpricedTokens) as unpricedTokens by bin(${unit})`,
    period,
    lg,
  );
  // Every bin of the range, empty ones as 0, so the chart does not draw a line across a gap.
  const got = new Map(seriesRows.map((r) => [binMs(r[`bin(${unit})`]), r]));
  const step = unit === '1h' ? 3_600_000 : DAY_MS;
  const series: CostSummary['series'] = [];
  for (let t = period.start - (period.start % step); t < period.end && series.length < 2000; t += step) {
    const r = got.get(t);
    series.push({
      bin: new Date(t).toISOString().replace('T', ' ').replace('Z', ''),
      cost: num(r?.cost),
      requests: num(r?.requests),
      unpricedTokens: num(r?.unpricedTokens),
    });
  }
  const statement: Statement = await buildChargeback(engine, {
    by: opts.by,
    period,
    ...(opts.untagged ? { untagged: opts.untagged } : {}),
    ...(lg ? { logGroups: lg } : {}),
  });
  return {
    period,
    previous,
    by: opts.by,
    field,
    totals,
    previousTotals,
    change: {
      cost: compare(totals.cost, previousTotals.cost, previousCovered, covered),
      requests: compare(totals.requests, previousTotals.requests, previousCovered, covered),
      tokens: compare(tokensOf(totals), tokensOf(previousTotals), previousCovered, covered),
    },
    coverage,
    periodCoverage: covered,
    previousCoverage: previousCovered,
    ownerKey: await checkOwnerKey(engine, {
      by: opts.by,
      period,
      knownFields: opts.knownFields ?? [],
      ...(lg ? { logGroups: lg } : {}),
    }),
    book: bookInfo(book),
    breakdown: await ranking(engine, field, period, totals.cost, 1000, lg),
    models: await ranking(engine, 'modelId', period, totals.cost, 20, lg),
    series,
    seriesUnit: unit,
    cache: await cacheSavings(engine, period, book, lg),
    statement: {
      totalCents: statement.totalCents,
      untaggedCents: statement.untagged.cents,
      untaggedShare: statement.untagged.share,
      owners: statement.owners.map((o) => ({
        owner: o.owner,
        kind: o.kind,
        totalCents: o.totalCents,
        untaggedCents: o.untaggedCents,
        unpricedRequests: o.unpricedRequests,
        unpricedTokens: o.unpricedTokens,
      })),
    },
  };
}
