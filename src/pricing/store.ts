import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { UNPRICED_PARTS_SQL, UNPRICED_TOKENS_SQL } from '../logs/hot-fields.js';
import { markChanged } from '../store/rollups.js';
import { sqlString } from '../store/sql.js';
import type { Store } from '../store/store.js';
import { refreshRollups } from '../store/writer.js';
import { loadPriceBook } from './book.js';
import { profileSnapshots, snapshotPricing, type SnapshotPricing } from './profiles.js';
import { resolveModel, resolveOverTime, type TimedResolution } from './resolve.js';
import type { PriceBook } from './types.js';

/**
 * Pricing of the stored events, set-based: the few DISTINCT (model_id, region) pairs are resolved
 * in TypeScript, loaded into a small temporary table, and one UPDATE … FROM computes every row's
 * cost in DuckDB. The arithmetic is exactly costOfInvocation's (src/pricing/cost.ts).
 */

export interface PriceEventsOptions {
  /** 'unpriced' (default): only rows without a price yet; 'all': recompute every Bedrock row. */
  where?: 'unpriced' | 'all';
  /** The book; default loadPriceBook(). */
  book?: PriceBook;
  /**
   * Only rows with seq > afterSeq: the rows an ingest has just stored. Ingest prices after every
   * chunk, so that one UPDATE never spans a whole large ingest (it set the ingest's peak memory).
   */
  afterSeq?: number;
}

export interface PriceEventsResult {
  version: string;
  /** Distinct (model_id, region) pairs looked at. */
  pairs: number;
  /** Rows given a cost (failed invocations included, at 0; partly priced rows included). */
  priced: number;
  /**
   * Rows with an unpriced part after the pass (in the whole store): no price at all, or a cache
   * class without a price; and their unpriced tokens.
   */
  unpriced: number;
  unpricedTokens: number;
  /** Of `unpriced`, the rows priced except for a cache class. */
  partlyPriced: number;
}

// One temporary table per call: two pricing calls may interleave on the same connection.
let resolutionSeq = 0;
function resolutionTable(): string {
  resolutionSeq += 1;
  return `pricing_resolution_${process.pid}_${resolutionSeq}`;
}
const TOKENS = `(coalesce(input_tokens, 0) + coalesce(output_tokens, 0) + coalesce(cache_read_tokens, 0) + coalesce(cache_write_tokens, 0))`;
/** Bedrock rows a price may still fill: no price yet, or a cache class priced NULL (alias: '' or 'e.'). */
function waiting(a: string): string {
  return `(${a}price_version IS NULL OR (${a}cost_cache_read IS NULL AND ${a}cache_read_tokens > 0) OR (${a}cost_cache_write IS NULL AND ${a}cache_write_tokens > 0))`;
}

/** DuckDB integers arrive as BigInt: the one place they become numbers. */
function num(v: unknown): number {
  return v === null || v === undefined ? 0 : Number(v);
}
function str(v: unknown): string | null {
  return v === null || v === undefined ? null : String(v);
}

/** A (model id, region) the book resolves. */
interface PairKey {
  modelId: string | null;
  region: string | null;
}

interface Pair extends PairKey {
  rows: number;
  failed: number;
  tokens: number;
  /** Rows without any price yet. */
  unpricedRows: number;
  /** Priced rows whose cache reads / writes are unpriced. */
  missingCacheRead: number;
  missingCacheWrite: number;
}

/** Extra row condition for afterSeq (alias: the events table's alias, or '' for none). */
function seqCondition(afterSeq: number | undefined, alias: string): string {
  return afterSeq === undefined ? '' : ` AND ${alias}seq > ${Math.trunc(afterSeq)}`;
}

async function distinctPairs(store: Store, onlyUnpriced: boolean, afterSeq?: number): Promise<Pair[]> {
  const r = await store.connection.runAndReadAll(
    `SELECT model_id, region, count(*), count(*) FILTER (WHERE error_code IS NOT NULL AND error_code <> ''), coalesce(sum(${TOKENS}), 0),
       count(*) FILTER (WHERE price_version IS NULL),
       count(*) FILTER (WHERE price_version IS NOT NULL AND cost_cache_read IS NULL AND cache_read_tokens > 0),
       count(*) FILTER (WHERE price_version IS NOT NULL AND cost_cache_write IS NULL AND cache_write_tokens > 0)
     FROM events WHERE kind = 'bedrock'${onlyUnpriced ? ` AND ${waiting('')}` : ''}${seqCondition(afterSeq, '')} GROUP BY ALL`,
  );
  return r.getRows().map((row) => ({
    modelId: str(row[0]),
    region: str(row[1]),
    rows: num(row[2]),
    failed: num(row[3]),
    tokens: num(row[4]),
    unpricedRows: num(row[5]),
    missingCacheRead: num(row[6]),
    missingCacheWrite: num(row[7]),
  }));
}

/**
 * Whether the book can change anything for the waiting rows of a pair: price rows that have no
 * price, or fill a cache class that was missing. Pairs that cannot are left out of the UPDATE,
 * so a store whose only gaps are a model without a price, or without a cache price, costs one
 * GROUP BY per pricing pass and no UPDATE.
 */
function canChange(pair: Pair, resolutions: TimedResolution[]): boolean {
  if (pair.failed > 0 && pair.unpricedRows > 0) return true;
  for (const { resolution: r } of resolutions) {
    if (!r.priced) continue;
    if (pair.unpricedRows > 0) return true;
    const tiers = r.longContext ? [r.prices, r.longContext] : [r.prices];
    if (pair.missingCacheRead > 0 && tiers.some((p) => p.cacheRead !== null)) return true;
    if (pair.missingCacheWrite > 0 && tiers.some((p) => p.cacheWrite5m !== null)) return true;
  }
  return false;
}

/**
 * GetInferenceProfile snapshots (profiles.ts), read only when an application-profile ARN is
 * among the pairs: the common store has none, and ingest prices after every batch.
 */
async function snapshotsFor(
  store: Store,
  pairs: { modelId: string | null }[],
): Promise<Map<string, SnapshotPricing> | undefined> {
  if (!pairs.some((p) => p.modelId?.includes(':application-inference-profile/'))) return undefined;
  return snapshotPricing(await profileSnapshots(store));
}

/**
 * Load the resolution of the given pairs, over time, into the temporary resolution table on `c`.
 * Returns the number of resolution rows loaded (0: no pair has a price). Pairs `keep` refuses are
 * left out (priceEvents' 'unpriced' mode: those whose waiting rows the book cannot change, see
 * canChange).
 */
async function loadResolutions<P extends PairKey>(
  store: Store,
  table: string,
  pairs: P[],
  book: PriceBook,
  keep?: (pair: P, timed: TimedResolution[]) => boolean,
  c: DuckDBConnection = store.connection,
): Promise<number> {
  const snapshots = await snapshotsFor(store, pairs);
  await c.run(`CREATE OR REPLACE TEMP TABLE ${table} (
    model_id VARCHAR, region VARCHAR, from_ms BIGINT, to_ms BIGINT,
    p_in DOUBLE, p_out DOUBLE, p_cr DOUBLE, p_cw5 DOUBLE, p_cw1h DOUBLE,
    lc_threshold BIGINT, lc_in DOUBLE, lc_out DOUBLE, lc_cr DOUBLE, lc_cw5 DOUBLE, lc_cw1h DOUBLE)`);
  const rows: DuckDBValue[][] = [];
  for (const pair of pairs) {
    const timed = resolveOverTime(pair.modelId, pair.region, book, snapshots);
    if (keep && !keep(pair, timed)) continue;
    for (const t of timed) {
      const r = t.resolution;
      if (!r.priced) continue;
      const p = r.prices;
      const lc = r.longContext;
      rows.push([
        pair.modelId,
        pair.region,
        t.fromMs === null ? null : BigInt(t.fromMs),
        t.toMs === null ? null : BigInt(t.toMs),
        p.input,
        p.output,
        p.cacheRead,
        p.cacheWrite5m,
        p.cacheWrite1h,
        lc ? BigInt(lc.thresholdTokens) : null,
        lc?.input ?? null,
        lc?.output ?? null,
        lc?.cacheRead ?? null,
        lc?.cacheWrite5m ?? null,
        lc?.cacheWrite1h ?? null,
      ]);
    }
  }
  // A few rows per model: batched multi-row INSERTs with bound values.
  for (let i = 0; i < rows.length; i += 100) {
    const batch = rows.slice(i, i + 100);
    const placeholders = batch
      .map((_, j) => `(${Array.from({ length: 15 }, (_, k) => `$${j * 15 + k + 1}`).join(', ')})`)
      .join(', ');
    await c.run(`INSERT INTO ${table} VALUES ${placeholders}`, batch.flat());
  }
  return rows.length;
}

/**
 * The 1-hour-TTL part of the cache writes, read from the logged response body when it was kept
 * (Anthropic-native `usage.cache_creation.ephemeral_1h_input_tokens`, first stream chunk, or
 * Converse `usage.cacheDetails[ttl=1h]`); 0 otherwise, which prices all writes at the 5-minute rate.
 */
const CACHE_WRITE_1H = `CASE WHEN e.cache_write_tokens > 0 AND r.p_cw1h IS NOT NULL AND (contains(e.message, 'ephemeral_1h_input_tokens') OR contains(e.message, '"ttl":"1h"')) THEN coalesce(
    TRY_CAST(json_extract_string(e.message, '$.output.outputBodyJson.usage.cache_creation.ephemeral_1h_input_tokens') AS BIGINT),
    TRY_CAST(json_extract_string(e.message, '$.output.outputBodyJson[0].message.usage.cache_creation.ephemeral_1h_input_tokens') AS BIGINT),
    list_sum([TRY_CAST(json_extract_string(x, '$.inputTokens') AS BIGINT) FOR x IN coalesce(json_extract(e.message, '$.output.outputBodyJson.usage.cacheDetails[*]'), []) IF json_extract_string(x, '$.ttl') = '1h']),
    0) ELSE 0 END`;

/** JS twin of CACHE_WRITE_1H, for callers of costOfInvocation that hold a record's message. */
export function cacheWrite1hTokensFromMessage(message: string): number {
  try {
    const rec = JSON.parse(message) as { output?: { outputBodyJson?: unknown } };
    const body = rec.output?.outputBodyJson as Record<string, unknown> | unknown[] | undefined;
    type Usage = {
      cache_creation?: { ephemeral_1h_input_tokens?: unknown };
      cacheDetails?: { inputTokens?: unknown; ttl?: unknown }[];
    };
    const usage = Array.isArray(body)
      ? (body[0] as { message?: { usage?: Usage } } | undefined)?.message?.usage
      : (body as { usage?: Usage } | undefined)?.usage;
    const eph = Number(usage?.cache_creation?.ephemeral_1h_input_tokens);
    if (Number.isFinite(eph)) return eph;
    if (Array.isArray(usage?.cacheDetails))
      return usage.cacheDetails.filter((d) => d.ttl === '1h').reduce((s, d) => s + (Number(d.inputTokens) || 0), 0);
  } catch {
    /* not JSON: no split */
  }
  return 0;
}

/**
 * The rows newCostsSql prices: stored events (rid = rowid), or a writer's rows on their way in
 * (`ins`, rid = rn; no costs yet).
 */
interface CostRows {
  from: string;
  rid: string;
  stored: boolean;
}
const STORED_ROWS: CostRows = { from: 'events', rid: 'e.rowid', stored: true };

/**
 * New costs of Bedrock rows (rid: see CostRows), NULL where unpriced. Mirrors costOfInvocation:
 * failed rows cost 0, long-context tier on the whole prompt, a cache class used without a price
 * leaves that class's cost NULL (the rest of the row is priced; cost_total is the priced part).
 */
function newCostsSql(table: string, onlyUnpriced: boolean, afterSeq?: number, rows: CostRows = STORED_ROWS): string {
  const old = rows.stored
    ? 'e.cost_total AS old_total, e.price_version AS old_version, e.cost_cache_read AS old_cr, e.cost_cache_write AS old_cw'
    : 'NULL::DOUBLE AS old_total, NULL::VARCHAR AS old_version, NULL::DOUBLE AS old_cr, NULL::DOUBLE AS old_cw';
  return `WITH t AS (
    SELECT ${rows.rid} AS rid, e.log_group, e.ts, e.model_id, e.region, ${old},
      (e.error_code IS NOT NULL AND e.error_code <> '') AS failed,
      CAST(coalesce(e.input_tokens, 0) AS DOUBLE) AS tin, CAST(coalesce(e.output_tokens, 0) AS DOUBLE) AS tout,
      CAST(coalesce(e.cache_read_tokens, 0) AS DOUBLE) AS tcr, CAST(coalesce(e.cache_write_tokens, 0) AS DOUBLE) AS tcw,
      CAST(${CACHE_WRITE_1H} AS DOUBLE) AS tcw1h_logged,
      r.p_in IS NOT NULL AS resolved,
      r.p_in, r.p_out, r.p_cr, r.p_cw5, r.p_cw1h, r.lc_threshold, r.lc_in, r.lc_out, r.lc_cr, r.lc_cw5, r.lc_cw1h
    FROM ${rows.from} e LEFT JOIN ${table} r
      ON e.model_id IS NOT DISTINCT FROM r.model_id AND e.region IS NOT DISTINCT FROM r.region
      AND (r.from_ms IS NULL OR e.ts >= r.from_ms) AND (r.to_ms IS NULL OR e.ts < r.to_ms)
    WHERE e.kind = 'bedrock'${seqCondition(afterSeq, 'e.')}${
      onlyUnpriced
        ? // Rows that stay unpriced need no work: only resolved pairs and failed rows change.
          `${rows.stored ? ` AND ${waiting('e.')}` : ''} AND (r.p_in IS NOT NULL OR (e.error_code IS NOT NULL AND e.error_code <> ''))`
        : ''
    }
  ), l AS (
    SELECT *, (lc_threshold IS NOT NULL AND tin + tcr + tcw > lc_threshold) AS lc, least(tcw1h_logged, tcw) AS tcw1h FROM t
  ), p AS (
    SELECT rid, log_group, ts, model_id, region, old_total, old_version, old_cr, old_cw, failed, resolved, tin, tout, tcr, tcw, tcw1h,
      CASE WHEN lc THEN lc_in ELSE p_in END AS pin, CASE WHEN lc THEN lc_out ELSE p_out END AS pout,
      CASE WHEN lc THEN lc_cr ELSE p_cr END AS pcr, CASE WHEN lc THEN lc_cw5 ELSE p_cw5 END AS pcw5,
      CASE WHEN lc THEN lc_cw1h ELSE p_cw1h END AS pcw1h
    FROM l
  ), q AS (
    SELECT *, failed OR resolved AS priced FROM p
  ), c AS (
    SELECT rid, log_group, ts, model_id, region, old_total, old_version, old_cr, old_cw, priced,
      CASE WHEN failed THEN 0.0 WHEN priced THEN tin * pin / 1e6 END AS ci,
      CASE WHEN failed THEN 0.0 WHEN priced AND (tcr = 0 OR pcr IS NOT NULL) THEN tcr * coalesce(pcr, 0) / 1e6 END AS ccr,
      CASE WHEN failed THEN 0.0 WHEN priced AND (tcw = 0 OR pcw5 IS NOT NULL) THEN
        CASE WHEN tcw1h > 0 THEN (tcw - tcw1h) * coalesce(pcw5, 0) / 1e6 + tcw1h * coalesce(pcw1h, pcw5, 0) / 1e6
        ELSE tcw * coalesce(pcw5, 0) / 1e6 END END AS ccw,
      CASE WHEN failed THEN 0.0 WHEN priced THEN tout * pout / 1e6 END AS co
    FROM q
  )
  SELECT rid, log_group, ts, model_id, region, old_total, old_version, old_cr, old_cw, priced, ci, co, ccr, ccw,
    ci + coalesce(ccr, 0) + coalesce(ccw, 0) + co AS ct FROM c`;
}

async function dropResolutions(c: DuckDBConnection, table: string): Promise<void> {
  await c.run(`DROP TABLE IF EXISTS ${table}`);
}

/** What priceRowsInto's table holds for each priced row: the events cost columns and the SQL filling each. */
export const INSERT_COST_COLUMNS: readonly { column: string; value: string }[] = [
  { column: 'cost_input', value: 'ci' },
  { column: 'cost_output', value: 'co' },
  { column: 'cost_cache_read', value: 'ccr' },
  { column: 'cost_cache_write', value: 'ccw' },
  { column: 'cost_total', value: 'ct' },
  { column: 'price_version', value: 'pv' },
];

/**
 * Prices rows on their way into the store: the Bedrock rows of `relation` (a writer's `ins` on
 * `conn`, inside its transaction: the events columns without costs, and `rn`) that the book
 * prices, or that failed (cost 0), get a row (rn, INSERT_COST_COLUMNS' values) in the temporary
 * table `out`, computed by the same SQL as the UPDATE of priceEvents. The writer inserts them with
 * the events, so an ingest writes each row once, not a row and then its costs (measured at 200k
 * records: the per-chunk UPDATE, its roll-up marks and the second roll-up refresh were ~15% of the
 * store's side).
 */
export async function priceRowsInto(
  store: Store,
  conn: DuckDBConnection,
  relation: string,
  book: PriceBook,
  out: string,
): Promise<void> {
  const found = await conn.runAndReadAll(`SELECT DISTINCT model_id, region FROM ${relation} WHERE kind = 'bedrock'`);
  const pairs: PairKey[] = found.getRows().map(([m, r]) => ({ modelId: str(m), region: str(r) }));
  const table = resolutionTable();
  try {
    await loadResolutions(store, table, pairs, book, undefined, conn);
    await conn.run(`CREATE OR REPLACE TEMP TABLE ${out} AS
      SELECT rid AS rn, ci, co, ccr, ccw, ct, CASE WHEN priced THEN ${sqlString(book.version)} END AS pv
      FROM (${newCostsSql(table, true, undefined, { from: relation, rid: 'e.rn', stored: false })}) WHERE priced`);
  } finally {
    await dropResolutions(conn, table);
  }
}

/**
 * Fill cost_input, cost_output, cost_cache_read, cost_cache_write, cost_total and price_version
 * of Bedrock rows. Rows that cannot be priced keep NULL (and, with where: 'all', lose a price
 * they had). Cheap when nothing is unpriced: one scan of price_version and no UPDATE.
 */
export async function priceEvents(store: Store, opts: PriceEventsOptions = {}): Promise<PriceEventsResult> {
  const book = opts.book ?? loadPriceBook();
  const onlyUnpriced = (opts.where ?? 'unpriced') === 'unpriced';
  const pairs = await distinctPairs(store, onlyUnpriced, opts.afterSeq);
  if (pairs.length === 0)
    return { version: book.version, pairs: 0, priced: 0, unpriced: 0, unpricedTokens: 0, partlyPriced: 0 };
  const table = resolutionTable();
  let priced: number;
  try {
    const loaded = await loadResolutions(store, table, pairs, book, onlyUnpriced ? canChange : undefined);
    if (onlyUnpriced && loaded === 0 && pairs.every((p) => p.failed === 0)) {
      // Nothing waiting can change: models the book cannot price, or cache classes it has no
      // price for (the common steady state of a store with an unmapped model): no UPDATE.
      return { version: book.version, pairs: pairs.length, priced: 0, ...(await unpricedLeft(store)) };
    }
    // One statement, so a failure leaves every row as it was. In 'unpriced' mode a partly priced
    // row is rewritten only when a missing class gets a price (then with the current book).
    // The roll-ups sum the cost columns: the hours of every row the UPDATE may touch are marked
    // out of date first, under the store's write lock (so no refresh clears the marks before the
    // UPDATE lands), and brought up to date after it.
    const r = await store.writing(async () => {
      // The rows' own log group and time, from the same relation the UPDATE reads: a join back
      // to events by rowid scanned the whole store on every ingest chunk (quadratic ingest).
      await markChanged(
        store.connection,
        `SELECT log_group, ts FROM (${newCostsSql(table, onlyUnpriced, opts.afterSeq)})`,
      );
      return store.connection.run(
        `UPDATE events SET
        cost_input = n.ci, cost_output = n.co, cost_cache_read = n.ccr, cost_cache_write = n.ccw, cost_total = n.ct,
        price_version = CASE WHEN n.priced THEN $1 END
      FROM (${newCostsSql(table, onlyUnpriced, opts.afterSeq)}) n
      WHERE events.rowid = n.rid AND (n.priced OR events.price_version IS NOT NULL)${
        onlyUnpriced
          ? ' AND (events.price_version IS NULL OR (n.ccr IS NOT NULL AND events.cost_cache_read IS NULL) OR (n.ccw IS NOT NULL AND events.cost_cache_write IS NULL))'
          : ''
      }`,
        [book.version],
      );
    });
    priced = r.rowsChanged;
  } finally {
    await dropResolutions(store.connection, table);
  }
  await refreshRollups(store);
  const left = await unpricedLeft(store);
  // With 'all', rows that lost their price were updated too: count only the rows now priced.
  if (!onlyUnpriced) {
    const pr = await store.connection.runAndReadAll(
      `SELECT count(*) FROM events WHERE kind = 'bedrock' AND price_version = $1`,
      [book.version],
    );
    priced = num(pr.getRows()[0][0]);
  }
  return { version: book.version, pairs: pairs.length, priced, ...left };
}

/** Rows of the whole store with an unpriced part, their unpriced tokens, and how many are priced but for a cache class. */
async function unpricedLeft(
  store: Store,
): Promise<Pick<PriceEventsResult, 'unpriced' | 'unpricedTokens' | 'partlyPriced'>> {
  const r = await store.connection.runAndReadAll(
    `SELECT count(*), coalesce(sum(${UNPRICED_TOKENS_SQL}), 0), count(*) FILTER (WHERE price_version IS NOT NULL)
     FROM events WHERE kind = 'bedrock' AND ${UNPRICED_PARTS_SQL} IS NOT NULL`,
  );
  const [cnt, tok, partly] = r.getRows()[0];
  return { unpriced: num(cnt), unpricedTokens: num(tok), partlyPriced: num(partly) };
}

export interface TimeRange {
  /** Inclusive, epoch ms. */
  from?: number;
  /** Exclusive, epoch ms. */
  to?: number;
}

export interface UnpricedModel {
  modelId: string | null;
  region: string | null;
  /** Requests with an unpriced part (no price at all, or a cache class without one). */
  requests: number;
  /** Their unpriced tokens (for a partly priced request: the cache tokens only). */
  tokens: number;
}

export interface UnpricedCount {
  requests: number;
  tokens: number;
}

export interface PriceCoverage {
  requests: number;
  tokens: number;
  pricedTokens: number;
  unpricedTokens: number;
  /** Requests with an unpriced part. */
  unpricedRequests: number;
  /** Of those, requests priced except for a cache class. */
  partlyPricedRequests: number;
  /** pricedTokens / tokens; null when there are no tokens (nothing to cover). */
  share: number | null;
  /** The unpriced bucket, per model id and region, most tokens first. */
  unpriced: UnpricedModel[];
}

/** Per (model, region): all requests and tokens, and what is unpriced, by part. */
interface GapRow extends UnpricedModel {
  allRequests: number;
  allTokens: number;
  parts: { all?: UnpricedCount; cacheRead?: UnpricedCount; cacheWrite?: UnpricedCount };
}

async function gapRows(store: Store, range: TimeRange & { logGroup?: string } = {}): Promise<GapRow[]> {
  const cond: string[] = [`kind = 'bedrock'`];
  const params: DuckDBValue[] = [];
  if (range.from !== undefined) {
    params.push(BigInt(Math.trunc(range.from)));
    cond.push(`ts >= $${params.length}`);
  }
  if (range.to !== undefined) {
    params.push(BigInt(Math.trunc(range.to)));
    cond.push(`ts < $${params.length}`);
  }
  if (range.logGroup !== undefined) {
    params.push(range.logGroup);
    cond.push(`log_group = $${params.length}`);
  }
  const whole = 'price_version IS NULL';
  const cr = 'price_version IS NOT NULL AND cost_cache_read IS NULL AND cache_read_tokens > 0';
  const cw = 'price_version IS NOT NULL AND cost_cache_write IS NULL AND cache_write_tokens > 0';
  const r = await store.connection.runAndReadAll(
    `SELECT model_id, region, count(*), coalesce(sum(${TOKENS}), 0),
       count(*) FILTER (WHERE ${UNPRICED_PARTS_SQL} IS NOT NULL), coalesce(sum(${UNPRICED_TOKENS_SQL}), 0),
       count(*) FILTER (WHERE ${whole}), coalesce(sum(${TOKENS}) FILTER (WHERE ${whole}), 0),
       count(*) FILTER (WHERE ${cr}), coalesce(sum(cache_read_tokens) FILTER (WHERE ${cr}), 0),
       count(*) FILTER (WHERE ${cw}), coalesce(sum(cache_write_tokens) FILTER (WHERE ${cw}), 0)
     FROM events WHERE ${cond.join(' AND ')} GROUP BY ALL`,
    params,
  );
  return r.getRows().map((row) => {
    const part = (i: number): UnpricedCount | undefined =>
      num(row[i]) > 0 ? { requests: num(row[i]), tokens: num(row[i + 1]) } : undefined;
    const parts: GapRow['parts'] = {};
    const all = part(6);
    const read = part(8);
    const write = part(10);
    if (all) parts.all = all;
    if (read) parts.cacheRead = read;
    if (write) parts.cacheWrite = write;
    return {
      modelId: str(row[0]),
      region: str(row[1]),
      allRequests: num(row[2]),
      allTokens: num(row[3]),
      requests: num(row[4]),
      tokens: num(row[5]),
      parts,
    };
  });
}

const byTokens = (a: UnpricedModel, b: UnpricedModel): number =>
  b.tokens - a.tokens || b.requests - a.requests || String(a.modelId).localeCompare(String(b.modelId));

/** The share of Bedrock tokens that carry a price, and the unpriced tokens per model (partly priced requests count their unpriced cache tokens). */
export async function priceCoverage(store: Store, range: TimeRange = {}): Promise<PriceCoverage> {
  const cov: PriceCoverage = {
    requests: 0,
    tokens: 0,
    pricedTokens: 0,
    unpricedTokens: 0,
    unpricedRequests: 0,
    partlyPricedRequests: 0,
    share: null,
    unpriced: [],
  };
  for (const g of await gapRows(store, range)) {
    cov.requests += g.allRequests;
    cov.tokens += g.allTokens;
    cov.unpricedTokens += g.tokens;
    cov.unpricedRequests += g.requests;
    cov.partlyPricedRequests += g.requests - (g.parts.all?.requests ?? 0);
    if (g.requests > 0)
      cov.unpriced.push({ modelId: g.modelId, region: g.region, requests: g.requests, tokens: g.tokens });
  }
  cov.pricedTokens = cov.tokens - cov.unpricedTokens;
  cov.share = cov.tokens > 0 ? cov.pricedTokens / cov.tokens : null;
  cov.unpriced.sort(byTokens);
  return cov;
}

export interface UnpricedReport extends UnpricedModel {
  /** What is unpriced: whole requests (`all`), or the cache reads / writes of priced requests. */
  parts: { all?: UnpricedCount; cacheRead?: UnpricedCount; cacheWrite?: UnpricedCount };
  /** Why the current book cannot price these rows and what to do; null = the book prices them now (not applied yet). */
  why: { reason: string; hint: string } | null;
}

/**
 * What in the store has no price, per (model, region), explained with the current book: the one
 * reading of pricing gaps, used by `prices check` and `doctor` alike (so the two always agree).
 */
export async function unpricedModels(
  store: Store,
  book: PriceBook = loadPriceBook(),
  opts: { logGroup?: string } = {},
): Promise<UnpricedReport[]> {
  const rows = (await gapRows(store, opts)).filter((g) => g.requests > 0);
  const where = book.userFile ?? '~/.bedrock-insights/prices.json';
  const snapshots = await snapshotsFor(store, rows);
  const out = rows.map((g): UnpricedReport => {
    const u: Omit<UnpricedReport, 'why'> = {
      modelId: g.modelId,
      region: g.region,
      requests: g.requests,
      tokens: g.tokens,
      parts: g.parts,
    };
    const res = resolveModel(u.modelId, u.region, { book, snapshots });
    if (!res.priced) return { ...u, why: { reason: res.reason, hint: res.hint } };
    // The model has a price, but not for a cache class these rows use (Nova v1 cache reads in
    // LiteLLM's data…). Wholly unpriced rows of a model the book prices are priced (at least
    // partly) by the next pricing pass: why = null.
    const missing: string[] = [];
    if (g.parts.cacheRead && res.prices.cacheRead === null) missing.push('cacheRead');
    if (g.parts.cacheWrite && res.prices.cacheWrite5m === null) missing.push('cacheWrite5m');
    if (missing.length === 0) return { ...u, why: null };
    const id = `${res.profile ? `${res.profile}.` : ''}${res.model}`;
    const partly = g.parts.all
      ? ''
      : `; input and output of these ${g.requests.toLocaleString('en-US')} requests are priced, their cache tokens are not`;
    return {
      ...u,
      why: {
        reason: `${id} has no ${missing.join(' or ')} price in price book ${book.version}${partly}`,
        hint: `add {"model": "${id}", "input": ${res.prices.input}, "output": ${res.prices.output}, ${missing.map((m) => `"${m}": <USD per 1M>`).join(', ')}} under "prices" in ${where}`,
      },
    };
  });
  return out.sort(byTokens);
}

export interface RepriceChange {
  modelId: string | null;
  /** UTC month of the invocations, YYYY-MM. */
  month: string;
  rows: number;
  /** Rows whose cost changes (including gaining or losing a price). */
  changedRows: number;
  /** Rows priced by another book version that keep the same cost. */
  versionOnlyRows: number;
  oldCost: number;
  newCost: number;
  newlyPriced: number;
  newlyUnpriced: number;
}

/** What `priceEvents(store, {where: 'all'})` would change, per model and month. Changes nothing. */
export async function repricePreview(store: Store, book: PriceBook = loadPriceBook()): Promise<RepriceChange[]> {
  const pairs = await distinctPairs(store, false);
  if (pairs.length === 0) return [];
  const table = resolutionTable();
  try {
    await loadResolutions(store, table, pairs, book);
    const r = await store.connection.runAndReadAll(
      `SELECT model_id, strftime(epoch_ms(ts), '%Y-%m') AS month, count(*),
        count(*) FILTER (WHERE old_total IS DISTINCT FROM ct),
        count(*) FILTER (WHERE old_total IS NOT DISTINCT FROM ct AND old_version IS NOT NULL AND priced AND old_version <> $1),
        coalesce(sum(old_total), 0), coalesce(sum(ct), 0),
        count(*) FILTER (WHERE priced AND old_version IS NULL), count(*) FILTER (WHERE NOT priced AND old_version IS NOT NULL)
      FROM (${newCostsSql(table, false)}) n GROUP BY ALL ORDER BY model_id NULLS LAST, month`,
      [book.version],
    );
    return r
      .getRows()
      .map((row) => ({
        modelId: str(row[0]),
        month: String(row[1]),
        rows: num(row[2]),
        changedRows: num(row[3]),
        versionOnlyRows: num(row[4]),
        oldCost: Number(row[5]),
        newCost: Number(row[6]),
        newlyPriced: num(row[7]),
        newlyUnpriced: num(row[8]),
      }))
      .filter((c) => c.changedRows > 0 || c.versionOnlyRows > 0);
  } finally {
    await dropResolutions(store.connection, table);
  }
}

export interface RepriceResult {
  changes: RepriceChange[];
  /** null on a dry run. */
  applied: PriceEventsResult | null;
}

/** Recompute every Bedrock row's cost with the book: the preview first, then (unless dryRun) the update. */
export async function reprice(store: Store, opts: { book?: PriceBook; dryRun?: boolean } = {}): Promise<RepriceResult> {
  const book = opts.book ?? loadPriceBook();
  const changes = await repricePreview(store, book);
  if (opts.dryRun) return { changes, applied: null };
  return { changes, applied: await priceEvents(store, { where: 'all', book }) };
}
