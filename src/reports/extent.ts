import type { QueryEngine } from '../engines/engine.js';
import { timeMs, type DataExtent } from '../contracts/coverage-rules.js';
import { BEDROCK_ONLY, runQuery } from './query.js';

/**
 * Which part of a period the store has data for, so that an empty month says so (instead of
 * "$0.00, 100% priced"), a partial month is labelled, and a change against a previous period
 * that the data only partly covers is not shown as "▲ 955%".
 */

/** Far enough to hold any store; the engine takes inclusive bounds. */
const ALL_TIME = { start: 0, end: Date.UTC(9999, 0, 1) };

/** The first and last invocation in the store (all time), through the engine; null when there is none. */
export async function dataExtent(engine: QueryEngine, logGroups?: string[]): Promise<DataExtent | null> {
  const rows = await runQuery(
    engine,
    `${BEDROCK_ONLY} | stats min(@timestamp) as first, max(@timestamp) as last, count(*) as n`,
    ALL_TIME,
    logGroups,
  );
  const r = rows[0];
  const first = timeMs(r?.first);
  const last = timeMs(r?.last);
  return Number.isFinite(first) && Number.isFinite(last) ? { first, last } : null;
}

export { compare, periodCoverage, timeMs, type DataExtent } from '../contracts/coverage-rules.js';
