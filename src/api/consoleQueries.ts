import type { QueryEngine, QueryRequest, QueryResult } from '../engines/engine.js';
import { timeMs } from '../contracts/coverage-rules.js';
import { RECORD_COST_FIELDS, type FieldCoverage, type Histogram, type LogGroupExtent } from '../contracts/wire.js';
import { BiError } from '../util/errors.js';
import { appendCommand, fieldText, rowPrefix } from './queryEdit.js';

/**
 * The query page's panels beside the results (a histogram of matching events, the discovered
 * fields' coverage, the data's extent, a record's cost), each a Logs Insights query run through
 * the engine like any other: no SQL of their own, the same admission queue and limits.
 */

/** Bin widths a histogram may use, and their Logs Insights spelling. */
const BINS: ReadonlyArray<[number, string]> = [
  [60_000, '1m'],
  [5 * 60_000, '5m'],
  [10 * 60_000, '10m'],
  [30 * 60_000, '30m'],
  [3_600_000, '1h'],
  [3 * 3_600_000, '3h'],
  [6 * 3_600_000, '6h'],
  [12 * 3_600_000, '12h'],
  [86_400_000, '1d'],
  [7 * 86_400_000, '7d'],
];
/** At most this many bars over the range. */
const MAX_BINS = 100;

export function histogramBin(rangeMs: number): { ms: number; text: string } {
  const hit = BINS.find(([ms]) => rangeMs / ms <= MAX_BINS) ?? BINS[BINS.length - 1];
  return { ms: hit[0], text: hit[1] };
}

/** The histogram's query: the user's row-level commands, then a count per bin. */
export function histogramQuery(queryString: string, bin: string): string {
  return appendCommand(rowPrefix(queryString).text, `stats count(*) as events by bin(${bin}) as t`);
}

/** The coverage query: the user's row-level commands, then count(field) for each field. */
export function coverageQuery(queryString: string, fields: string[]): string {
  const counts = fields.map((f, i) => `count(${fieldText(f)}) as f${i}`);
  return appendCommand(rowPrefix(queryString).text, ['stats count(*) as events', ...counts].join(', '));
}

export const EXTENT_QUERY = 'stats count(*) as events, min(@timestamp) as first, max(@timestamp) as last';

/** Run a derived query to its end; a failure is a BiError with the engine's code. */
async function runToEnd(engine: QueryEngine, req: QueryRequest, signal?: AbortSignal): Promise<QueryResult> {
  const handle = await engine.start({ timeoutMs: 60_000, ...req });
  const stop = (): void => void handle.cancel();
  signal?.addEventListener('abort', stop, { once: true });
  try {
    const r = await handle.done();
    if (r.status !== 'Complete')
      throw new BiError(r.error?.code ?? 'QUERY_FAILED', r.error?.message ?? `The query ended ${r.status}.`);
    return r;
  } finally {
    signal?.removeEventListener('abort', stop);
  }
}

function cell(r: QueryResult, row: number, field: string): string | undefined {
  return r.rows[row]?.find((c) => c.field === field)?.value;
}

export interface PanelRequest {
  queryString: string;
  logGroups: string[];
  start: number;
  end: number;
}

export async function histogram(engine: QueryEngine, p: PanelRequest, signal?: AbortSignal): Promise<Histogram> {
  const bin = histogramBin(p.end - p.start);
  const queryString = histogramQuery(p.queryString, bin.text);
  const r = await runToEnd(
    engine,
    { queryString, logGroups: p.logGroups, startTime: p.start, endTime: p.end, noRowCap: true },
    signal,
  );
  const bins: [number, number][] = [];
  let total = 0;
  for (let i = 0; i < r.rows.length; i++) {
    const t = timeMs(cell(r, i, 't'));
    const n = Number(cell(r, i, 'events') ?? 0);
    if (!Number.isFinite(t)) continue;
    bins.push([t, n]);
    total += n;
  }
  bins.sort((a, b) => a[0] - b[0]);
  return { binMs: bin.ms, bin: bin.text, bins, total, queryString, startTime: p.start, endTime: p.end };
}

export async function fieldCoverage(
  engine: QueryEngine,
  p: PanelRequest,
  fields: string[],
  signal?: AbortSignal,
): Promise<FieldCoverage> {
  const queryString = coverageQuery(p.queryString, fields);
  const r = await runToEnd(engine, { queryString, logGroups: p.logGroups, startTime: p.start, endTime: p.end }, signal);
  const total = Number(cell(r, 0, 'events') ?? 0);
  return {
    total,
    fields: fields.map((field, i) => ({ field, events: Number(cell(r, 0, `f${i}`) ?? 0) })),
    queryString,
  };
}

export async function extent(engine: QueryEngine, logGroups: string[], signal?: AbortSignal): Promise<LogGroupExtent> {
  const r = await runToEnd(engine, { queryString: EXTENT_QUERY, logGroups }, signal);
  const events = Number(cell(r, 0, 'events') ?? 0);
  const first = timeMs(cell(r, 0, 'first'));
  const last = timeMs(cell(r, 0, 'last'));
  return {
    events,
    first: events && Number.isFinite(first) ? first : null,
    last: events && Number.isFinite(last) ? last : null,
  };
}

/**
 * The cost fields of one record: a query over the record's own millisecond in its log group,
 * keeping the row whose @ptr is this record's (the engine resolves cost.* as for any query).
 */
export async function recordCost(
  engine: QueryEngine,
  rec: { logGroup: string; timestamp: number },
  ptr: string,
): Promise<Record<string, string> | undefined> {
  const queryString = `fields ${RECORD_COST_FIELDS.join(', ')}`;
  const r = await runToEnd(engine, {
    queryString,
    logGroups: [rec.logGroup],
    startTime: rec.timestamp,
    endTime: rec.timestamp,
    noRowCap: true,
  });
  const row = r.rows.find((cells) => cells.some((c) => c.field === '@ptr' && c.value === ptr));
  if (!row) return undefined;
  const out: Record<string, string> = {};
  for (const c of row) if (c.field !== '@ptr' && c.value !== '') out[c.field] = c.value;
  return Object.keys(out).length ? out : undefined;
}
