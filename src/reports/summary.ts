import type { CostSummary } from '../api/wire.js';
import type { QueryEngine } from '../engines/engine.js';

export type { CostSummary };
import { loadPriceBook, type PriceBook } from '../pricing/index.js';
import { buildChargeback, type Statement, type UntaggedRule } from './chargeback.js';
import { DAY_MS, previousPeriod, type Period } from './period.js';
import { BEDROCK_ONLY, num, ownerField, runQuery, type Usage } from './query.js';
import { binMs, cacheSavings, coverageOf, ranking, totalsOf, type Change } from './report.js';

function change(current: number, previous: number): Change {
  return { current, previous, ratio: previous > 0 ? (current - previous) / previous : null };
}

export async function buildCostSummary(
  engine: QueryEngine,
  opts: { period: Period; by: string; untagged?: UntaggedRule; logGroups?: string[]; book?: PriceBook },
): Promise<CostSummary> {
  const { period } = opts;
  const lg = opts.logGroups;
  const field = ownerField(opts.by);
  const previous = previousPeriod(period);
  const totals = await totalsOf(engine, period, lg);
  const previousTotals = await totalsOf(engine, previous, lg);
  const coverage = await coverageOf(engine, period, totals, lg);
  const unit = period.end - period.start <= 2 * DAY_MS ? '1h' : '1d';
  const seriesRows = await runQuery(
    engine,
    `${BEDROCK_ONLY} | stats sum(cost.total) as cost, count(*) as requests by bin(${unit})`,
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
      cost: change(totals.cost, previousTotals.cost),
      requests: change(totals.requests, previousTotals.requests),
    },
    coverage,
    breakdown: await ranking(engine, field, period, totals.cost, 1000, lg),
    models: await ranking(engine, 'modelId', period, totals.cost, 20, lg),
    series,
    seriesUnit: unit,
    cache: await cacheSavings(engine, period, opts.book ?? loadPriceBook(), lg),
    statement: {
      totalCents: statement.totalCents,
      untaggedCents: statement.untagged.cents,
      untaggedShare: statement.untagged.share,
      owners: statement.owners.map((o) => ({
        owner: o.owner,
        kind: o.kind,
        totalCents: o.totalCents,
        untaggedCents: o.untaggedCents,
      })),
    },
  };
}
