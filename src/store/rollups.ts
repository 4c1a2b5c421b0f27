import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { costUnitsSql } from '../logs/exact-cost.js';
import { UNPRICED_PARTS_SQL, UNPRICED_TOKENS_SQL } from '../logs/hot-fields.js';
import { promotedColumns } from './columns.js';
import { registerTables } from './registry.js';
import { insertValues, sqlString } from './sql.js';
import { inTransaction } from './transaction.js';

/**
 * Hourly roll-ups: per log group, hour and dimension values (model, operation, error code,
 * identity, account, region, price version and the promoted request-metadata columns of few
 * values), the count of events and the sum, count, min and max of the token and cost fields.
 * The query engine answers a stats query from them when that is provably the same answer (see
 * src/insights/sql/rollup.ts), so dashboards over months read thousands of rows, not millions.
 *
 * Exactness does not depend on timing: every change to `events` (insert, delete, re-pricing)
 * records the (log group, hour) buckets it touched in `rollup_dirty`, in the same transaction.
 * A query reads dirty buckets from the events, and `refreshRollups` (after each write, under
 * the store's write lock) recomputes them and clears their marks.
 *
 * That convention is checked, not trusted: the roll-up's rows outside the marked buckets must
 * account for every event outside them, by count and greatest `seq` (both read from DuckDB's
 * statistics for the whole table, so the check costs a scan of the roll-up, not of the events).
 * Events written by plain SQL without `markChanged` break the equation: queries then read the
 * events (`query --explain` says why) and the next refresh (any write through the store, or the
 * store opened for writing) rebuilds the roll-up.
 */

export const HOUR_MS = 3_600_000;

export const ROLLUP_TABLE = 'rollup_hourly';

export const ROLLUP_TABLES = registerTables('rollups', 1, [
  `CREATE TABLE IF NOT EXISTS rollup_dirty (log_group VARCHAR NOT NULL, hour BIGINT NOT NULL)`,
  // built: the roll-up covers every event outside rollup_dirty; dims: its dimension columns;
  // promoted: the promoted columns it was built knowing (a new one brings a rebuild);
  // format: ROLLUP_FORMAT of the release that built it (another one brings a rebuild).
  `CREATE TABLE IF NOT EXISTS rollup_state (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)`,
]);

/**
 * The layout of the roll-up's rows. 2: cost sums in whole 10^-12 USD (`r_u_*`, exact) instead of
 * doubles. A roll-up of another format is not read, and rebuilt by the next refresh.
 */
export const ROLLUP_FORMAT = '2';

/** Dimensions every roll-up has (events columns). */
export const BASE_DIMENSIONS: readonly string[] = [
  'log_group',
  'account_id',
  'region',
  'inference_region',
  'operation',
  'model_id',
  'identity_arn',
  'error_code',
  'price_version',
];

/**
 * A promoted column becomes a dimension only with at most this many distinct values: a roll-up
 * grouped by a per-request or per-user key would be as large as the events it summarises.
 */
export const MAX_DIMENSION_VALUES = 200;

/**
 * What is summed: SQL over an events row, spelled exactly as the query language lowers the field
 * (a test checks that the user's queries hit them). VARCHAR measures keep only their count.
 */
export interface RollupMeasure {
  id: string;
  sql: string;
  type: 'BIGINT' | 'DOUBLE' | 'VARCHAR';
}

export const MEASURES: readonly RollupMeasure[] = [
  { id: 'in', sql: 'input_tokens', type: 'BIGINT' },
  { id: 'out', sql: 'output_tokens', type: 'BIGINT' },
  { id: 'cr', sql: 'cache_read_tokens', type: 'BIGINT' },
  { id: 'cw', sql: 'cache_write_tokens', type: 'BIGINT' },
  // input + output: how the user's queries count tokens (fields … as Tokens | stats sum(Tokens)).
  { id: 'io', sql: '(input_tokens + output_tokens)', type: 'BIGINT' },
  { id: 'ci', sql: 'cost_input', type: 'DOUBLE' },
  { id: 'co', sql: 'cost_output', type: 'DOUBLE' },
  { id: 'ccr', sql: 'cost_cache_read', type: 'DOUBLE' },
  { id: 'ccw', sql: 'cost_cache_write', type: 'DOUBLE' },
  { id: 'ct', sql: 'cost_total', type: 'DOUBLE' },
  { id: 'ut', sql: UNPRICED_TOKENS_SQL, type: 'BIGINT' },
  { id: 'up', sql: UNPRICED_PARTS_SQL, type: 'VARCHAR' },
];

/** The aggregate columns of a roll-up row and the SQL computing each from events rows. */
export function rollupAggregates(): { column: string; sql: string }[] {
  const out = [
    { column: 'r_n', sql: 'count(*)' },
    { column: 'r_ts_min', sql: 'min(ts)' },
    { column: 'r_ts_max', sql: 'max(ts)' },
    { column: 'r_seq_max', sql: 'max(seq)' },
  ];
  for (const m of MEASURES) {
    out.push({ column: `r_c_${m.id}`, sql: `count(${m.sql})` });
    if (m.type === 'VARCHAR') continue;
    out.push(
      m.type === 'DOUBLE'
        ? // A cost: the exact sum of its whole 10^-12 USD (src/logs/exact-cost.ts), DECIMAL(38, 0).
          { column: `r_u_${m.id}`, sql: `sum(${costUnitsSql(m.sql)})` }
        : // Per hour a sum of token counts fits a BIGINT; re-aggregated it widens as sum() does.
          { column: `r_s_${m.id}`, sql: `CAST(sum(${m.sql}) AS ${m.type})` },
      { column: `r_mn_${m.id}`, sql: `min(${m.sql})` },
      { column: `r_mx_${m.id}`, sql: `max(${m.sql})` },
    );
  }
  return out;
}

/** The bucket of an events row: its hour (the floor the query language's bin(1h) computes). */
export function hourOf(ts: string): string {
  return `(${ts} // ${HOUR_MS} * ${HOUR_MS})`;
}
const HOUR_SQL = hourOf('ts');

/**
 * Records the buckets of the rows of `relation` (SQL yielding `log_group` and `ts` of events
 * rows about to change, or just changed) as dirty. In the transaction of the change.
 */
export async function markChanged(conn: DuckDBConnection, relation: string, params: DuckDBValue[] = []): Promise<void> {
  await conn.run(`INSERT INTO rollup_dirty SELECT DISTINCT log_group, ${HOUR_SQL} FROM (${relation})`, params);
}

/** markChanged for buckets already known (a writer's batch counted them): (log group, hour start). */
export async function markBuckets(conn: DuckDBConnection, buckets: [string, number][]): Promise<void> {
  await insertValues(
    conn,
    'rollup_dirty',
    buckets.map(([g, h]) => `(${sqlString(g)}, ${h})`),
  );
}

interface RollupState {
  built: boolean;
  dims: string[];
  promoted: string[];
}

async function readState(conn: DuckDBConnection): Promise<RollupState | undefined> {
  let rows: unknown[][];
  try {
    rows = (await conn.runAndReadAll('SELECT key, value FROM rollup_state')).getRows();
  } catch (e) {
    if (/rollup_state does not exist/i.test(String(e))) return undefined;
    throw e;
  }
  const m = new Map(rows.map(([k, v]) => [String(k), String(v)]));
  if (m.get('built') !== '1' || m.get('format') !== ROLLUP_FORMAT) return { built: false, dims: [], promoted: [] };
  return {
    built: true,
    dims: JSON.parse(m.get('dims') ?? '[]') as string[],
    promoted: JSON.parse(m.get('promoted') ?? '[]') as string[],
  };
}

async function writeState(conn: DuckDBConnection, s: RollupState): Promise<void> {
  const rows = [
    ['built', s.built ? '1' : '0'],
    ['dims', JSON.stringify(s.dims)],
    ['promoted', JSON.stringify(s.promoted)],
    ['format', ROLLUP_FORMAT],
  ];
  await conn.run(
    `INSERT OR REPLACE INTO rollup_state VALUES ${rows.map(([k, v]) => `(${sqlString(k)}, ${sqlString(v)})`).join(', ')}`,
  );
}

/** The SELECT computing roll-up rows from the events rows of `from` (a relation over events). */
function aggregateSql(dims: readonly string[], from: string): string {
  const cols = [...dims, `${HOUR_SQL} AS ts`, ...rollupAggregates().map((a) => `${a.sql} AS ${a.column}`)];
  return `SELECT ${cols.join(', ')} FROM ${from} GROUP BY ALL`;
}

/** Promoted columns with few enough values to group by, by their distinct counts in events. */
async function chooseDimensions(conn: DuckDBConnection, promoted: readonly string[]): Promise<string[]> {
  if (promoted.length === 0) return [...BASE_DIMENSIONS];
  const r = await conn.runAndReadAll(
    `SELECT ${promoted.map((c) => `approx_count_distinct(${c})`).join(', ')} FROM events`,
  );
  const counts = r.getRows()[0].map((v) => Number(v));
  return [...BASE_DIMENSIONS, ...promoted.filter((_, i) => counts[i] <= MAX_DIMENSION_VALUES)];
}

/**
 * Builds the roll-up from every event (new store, a store from before roll-ups, a new promoted
 * column). Runs in the caller's transaction, under the store's write lock.
 */
export async function rebuildRollups(conn: DuckDBConnection, progress?: (text: string) => void): Promise<void> {
  const promoted = (await promotedColumns(conn)).map((p) => p.column);
  const dims = await chooseDimensions(conn, promoted);
  const n = Number((await conn.runAndReadAll('SELECT count(*) FROM events')).getRows()[0][0]);
  if (n >= 1_000_000)
    progress?.(`building the hourly roll-ups over ${n.toLocaleString('en-US')} events (once; queries use them)`);
  await conn.run(`CREATE OR REPLACE TABLE ${ROLLUP_TABLE} AS ${aggregateSql(dims, 'events')}`);
  await conn.run('DELETE FROM rollup_dirty');
  await writeState(conn, { built: true, dims, promoted });
}

/** Above this many dirty buckets a refresh rebuilds (one pass over events beats many ranges). */
const REBUILD_ABOVE = 5_000;
/** Contiguous hour ranges read by one refresh before it reads the span between them instead. */
const MAX_RANGES = 64;

/** Hour starts → contiguous [from, to) ranges, at most MAX_RANGES (merging the closest gaps). */
export function hourRanges(hours: readonly number[]): [number, number][] {
  const sorted = [...new Set(hours)].sort((a, b) => a - b);
  const ranges: [number, number][] = [];
  for (const h of sorted) {
    const last = ranges[ranges.length - 1];
    if (last && last[1] === h) last[1] = h + HOUR_MS;
    else ranges.push([h, h + HOUR_MS]);
  }
  while (ranges.length > MAX_RANGES) {
    let best = 1;
    for (let i = 2; i < ranges.length; i++)
      if (ranges[i][0] - ranges[i - 1][1] < ranges[best][0] - ranges[best - 1][1]) best = i;
    ranges[best - 1][1] = ranges[best][1];
    ranges.splice(best, 1);
  }
  return ranges;
}

/**
 * Brings the roll-up up to date: builds it when it is missing or a column was promoted since,
 * else recomputes the dirty buckets from the events and clears their marks (marks added by a
 * write committed meanwhile stay for the next refresh). One transaction; call under the store's
 * write lock. A no-op on a store without the roll-up tables (read-only, older).
 */
export async function refreshRollupsOn(conn: DuckDBConnection, progress?: (text: string) => void): Promise<void> {
  const state = await readState(conn);
  if (!state) return;
  await inTransaction(conn, async () => {
    const promoted = (await promotedColumns(conn)).map((p) => p.column);
    if (!state.built || promoted.some((c) => !state.promoted.includes(c))) {
      await rebuildRollups(conn, progress);
      return;
    }
    await conn.run(`CREATE OR REPLACE TEMP TABLE rollup_todo AS SELECT DISTINCT log_group, hour FROM rollup_dirty`);
    const hours = (await conn.runAndReadAll('SELECT DISTINCT hour FROM rollup_todo'))
      .getRows()
      .map((r) => Number(r[0]));
    const buckets = Number((await conn.runAndReadAll('SELECT count(*) FROM rollup_todo')).getRows()[0][0]);
    if (buckets > REBUILD_ABOVE) {
      await rebuildRollups(conn, progress);
      return;
    }
    if (hours.length > 0) {
      await conn.run(
        `DELETE FROM ${ROLLUP_TABLE} r USING rollup_todo d WHERE r.log_group = d.log_group AND r.ts = d.hour`,
      );
      const from = `(SELECT e.* FROM ${bucketEvents(hours, 'rollup_todo')} e)`;
      await conn.run(`INSERT INTO ${ROLLUP_TABLE} BY NAME ${aggregateSql(state.dims, from)}`);
      await conn.run(
        `DELETE FROM rollup_dirty r USING rollup_todo d WHERE r.log_group = d.log_group AND r.hour = d.hour`,
      );
    }
    // Events written behind the store's back (no marks): the roll-up no longer covers them.
    if (await uncovered(conn, [])) await rebuildRollups(conn, progress);
  });
  try {
    await conn.run('DROP TABLE IF EXISTS rollup_todo');
  } catch {
    /* a temp table of this connection */
  }
}

/**
 * The events of the given buckets (`buckets`: a relation of `log_group`, `hour`; `hours`: their
 * distinct hours): each contiguous hour range is its own scan, so DuckDB's zone maps on ts skip
 * the rest of the store.
 */
function bucketEvents(hours: readonly number[], buckets: string): string {
  const scans = hourRanges(hours)
    .map(([a, b]) => `SELECT * FROM events WHERE ts >= ${a} AND ts < ${b}`)
    .join(' UNION ALL ');
  return `(SELECT e.* FROM (${scans}) e SEMI JOIN ${buckets} d ON e.log_group = d.log_group AND ${hourOf('e.ts')} = d.hour)`;
}

/**
 * Why the roll-up does not cover exactly the events outside the out-of-date buckets `dirty`, or
 * undefined when it does: the count and greatest `seq` of the events (DuckDB answers both for a
 * whole table from its statistics) must be those of the roll-up's clean rows plus the events of
 * the dirty buckets. A write that bypassed `markChanged` (an insert, a delete, an insert after a
 * delete: seq only grows) breaks it; an UPDATE of a cost by plain SQL does not (re-pricing goes
 * through src/pricing, which marks its buckets).
 */
async function uncovered(
  conn: DuckDBConnection,
  dirty: readonly { logGroup: string; hour: number }[],
): Promise<string | undefined> {
  const one = async (sql: string): Promise<[bigint, bigint | null]> => {
    const [n, s] = (await conn.runAndReadAll(sql)).getRows()[0];
    return [BigInt(String(n ?? 0)), s === null || s === undefined ? null : BigInt(String(s))];
  };
  const [eventsN, eventsSeq] = await one('SELECT count(*), max(seq) FROM events');
  let rollup: [bigint, bigint | null];
  let inDirty: [bigint, bigint | null] = [0n, null];
  if (dirty.length === 0) rollup = await one(`SELECT sum(r_n), max(r_seq_max) FROM ${ROLLUP_TABLE}`);
  else {
    const values = dirty.map((b) => `(${sqlString(b.logGroup)}, ${b.hour})`).join(', ');
    const buckets = `(VALUES ${values}) AS d(log_group, hour)`;
    rollup = await one(
      `SELECT sum(r_n), max(r_seq_max) FROM ${ROLLUP_TABLE} r ANTI JOIN ${buckets} ON r.log_group = d.log_group AND r.ts = d.hour`,
    );
    const hours = dirty.map((b) => b.hour);
    inDirty = await one(`SELECT count(*), max(seq) FROM ${bucketEvents(hours, `(SELECT * FROM ${buckets})`)} e`);
  }
  const covered = rollup[0] + inDirty[0];
  const seqs = [rollup[1], inDirty[1]].filter((v): v is bigint => v !== null);
  const coveredSeq = seqs.length ? seqs.reduce((a, b) => (a > b ? a : b)) : null;
  if (covered !== eventsN)
    return `the roll-up covers ${covered} events where the store holds ${eventsN}: events were written without marking the roll-up (it is rebuilt by the next write or when the store is next opened for writing)`;
  if (coveredSeq !== eventsSeq)
    return `the roll-up's newest event is seq ${coveredSeq ?? 'none'} where the store's is ${eventsSeq ?? 'none'}: events were written without marking the roll-up (it is rebuilt by the next write or when the store is next opened for writing)`;
  return undefined;
}

/** Above this many dirty buckets queries read the events (a refresh is due). */
export const MAX_DIRTY_FOR_QUERIES = 500;

/** What the query engine needs to answer from the roll-up (src/insights' RollupSource). */
export interface RollupInfo {
  table: string;
  dimensions: string[];
  measures: readonly RollupMeasure[];
  /** Buckets whose roll-up rows are out of date: read them from the events. */
  dirty: { logGroup: string; hour: number }[];
}

/** The roll-up a query may read, or why there is none to use. */
export type RollupReading = { info: RollupInfo } | { unavailable: string };

/**
 * The roll-up as the query engine sees it at the start of a query (in the query's snapshot), or
 * why there is none to use (a store without roll-ups, one not built yet or by another release,
 * too many buckets out of date, events it does not cover).
 */
export async function readRollupInfo(conn: DuckDBConnection): Promise<RollupReading> {
  const state = await readState(conn);
  if (!state?.built)
    return {
      unavailable:
        'the roll-up is not built yet (or was built by another release): it is built when the store is next opened for writing',
    };
  const dirty = (
    await conn.runAndReadAll(
      `SELECT DISTINCT log_group, hour FROM rollup_dirty ORDER BY 1, 2 LIMIT ${MAX_DIRTY_FOR_QUERIES + 1}`,
    )
  )
    .getRows()
    .map(([g, h]) => ({ logGroup: String(g), hour: Number(h) }));
  if (dirty.length > MAX_DIRTY_FOR_QUERIES)
    return { unavailable: `more than ${MAX_DIRTY_FOR_QUERIES} of the roll-up's buckets await a refresh` };
  const why = await uncovered(conn, dirty);
  if (why) return { unavailable: why };
  return { info: { table: ROLLUP_TABLE, dimensions: state.dims, measures: MEASURES, dirty } };
}
