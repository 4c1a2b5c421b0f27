import type { DuckDBValue } from '@duckdb/node-api';
import { recountCatalog } from './catalog-write.js';
import { num, str, type Db, type Row } from './db.js';
import { markChanged, rebuildRollups, refreshRollupsOn, ROLLUP_TABLE } from './rollups.js';
import type { Store } from './store.js';
import { inTransaction } from './transaction.js';

/**
 * The events repository for everything outside the query engine: one event by its pointer,
 * pages of a stream or a group in time order (the CloudWatch API's GetLogEvents and
 * FilterLogEvents), and deletes that keep the catalog and the roll-ups consistent. Queries in the
 * Logs Insights language go through src/engines; inserts through src/store/writer.
 */

export interface EventRow {
  logGroup: string;
  logStream: string;
  ts: number;
  seq: number;
  ingestionTs: number;
  message: string;
  accountId: string | null;
}

function eventRow(r: Row): EventRow {
  return {
    logGroup: str(r.log_group),
    logStream: str(r.log_stream),
    ts: num(r.ts),
    seq: num(r.seq),
    ingestionTs: num(r.ingestion_ts),
    message: str(r.message),
    accountId: r.account_id === null || r.account_id === undefined ? null : str(r.account_id),
  };
}

const EVENT_ROW = 'log_group, log_stream, ts, seq, ingestion_ts, message, account_id';

/** The event a result row's @ptr names (log group and seq), or undefined when it is gone. */
export async function eventAt(db: Db, at: { logGroup: string; seq: number | bigint }): Promise<EventRow | undefined> {
  const r = await db.one(`SELECT ${EVENT_ROW} FROM events WHERE log_group = $1 AND seq = $2`, [
    at.logGroup,
    BigInt(at.seq),
  ]);
  return r ? eventRow(r) : undefined;
}

/** Which events a page reads, in (ts, seq) order from a position. */
export interface EventScan {
  logGroup: string;
  /** Only these streams. */
  streams?: readonly string[];
  streamPrefix?: string;
  /** Bounds on @timestamp, epoch ms. */
  from?: number;
  /** Inclusive upper bound (FilterLogEvents). */
  toInclusive?: number;
  /** Exclusive upper bound (GetLogEvents). */
  toExclusive?: number;
  /** Texts every message must contain (plain terms of a filter pattern). */
  contains?: readonly string[];
  /** Start after (or, backward, before) this event. */
  after?: { ts: number; seq: number };
  backward?: boolean;
  limit: number;
}

/** A page of events in (ts, seq) order (descending when backward). */
export async function scanEvents(db: Db, q: EventScan): Promise<EventRow[]> {
  const params: DuckDBValue[] = [q.logGroup];
  const p = (v: DuckDBValue): string => {
    params.push(v);
    return `$${params.length}`;
  };
  const where = ['log_group = $1'];
  if (q.streams) where.push(`log_stream IN (${q.streams.map((s) => p(s)).join(', ')})`);
  if (q.streamPrefix !== undefined) where.push(`starts_with(log_stream, ${p(q.streamPrefix)})`);
  if (q.from !== undefined) where.push(`ts >= ${p(BigInt(q.from))}`);
  if (q.toInclusive !== undefined) where.push(`ts <= ${p(BigInt(q.toInclusive))}`);
  if (q.toExclusive !== undefined) where.push(`ts < ${p(BigInt(q.toExclusive))}`);
  for (const text of q.contains ?? []) where.push(`contains(message, ${p(text)})`);
  if (q.after) {
    const a = p(BigInt(q.after.ts));
    const b = p(BigInt(q.after.seq));
    where.push(q.backward ? `(ts < ${a} OR (ts = ${a} AND seq < ${b}))` : `(ts > ${a} OR (ts = ${a} AND seq > ${b}))`);
  }
  const order = q.backward ? 'ts DESC, seq DESC' : 'ts ASC, seq ASC';
  const rows = await db.all(
    `SELECT ${EVENT_ROW} FROM events WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ${Math.trunc(q.limit)}`,
    params,
  );
  return rows.map(eventRow);
}

/** What to delete: a log group's events, or only one stream's, an account's or a time range's. */
export interface DeleteTarget {
  logGroup: string;
  logStream?: string;
  accountId?: string;
  /** [from, to) in epoch ms. */
  range?: { from: number; to: number };
}

export interface DeleteOptions {
  /**
   * Also remove the catalog entries the deleted events leave behind: the log group itself
   * (DeleteLogGroup) or the stream (DeleteLogStream). Without it the group and its streams stay,
   * with counts and time bounds recomputed.
   */
  dropCatalog?: boolean;
  /** Runs in the same transaction (the CloudWatch API removes the group's metric filters). */
  alongside?: () => Promise<void>;
}

/**
 * Deletes events in one transaction under the store's write lock, with the catalog kept
 * consistent (event counts, stream time bounds, the entries dropped when asked) and the roll-ups
 * exact: a whole group's roll-up rows go with it, otherwise the touched hours are recomputed.
 * Every delete of events (DeleteLogGroup, DeleteLogStream, the demo's replaced window) is this
 * one operation. Returns the number of events deleted.
 */
export async function deleteEvents(
  store: Store,
  db: Db,
  target: DeleteTarget,
  opts: DeleteOptions = {},
): Promise<number> {
  const params: DuckDBValue[] = [target.logGroup];
  const where = ['log_group = $1'];
  if (target.logStream !== undefined) {
    params.push(target.logStream);
    where.push(`log_stream = $${params.length}`);
  }
  if (target.accountId !== undefined) {
    params.push(target.accountId);
    where.push(`account_id = $${params.length}`);
  }
  if (target.range) {
    params.push(BigInt(target.range.from), BigInt(target.range.to));
    where.push(`ts >= $${params.length - 1} AND ts < $${params.length}`);
  }
  const cond = where.join(' AND ');
  const wholeGroup = where.length === 1;
  const deleted = await store.writing(() =>
    inTransaction(db.conn, async () => {
      const gone = await db.one(
        `SELECT count(*) AS n, count(*) FILTER (WHERE kind <> 'bedrock') AS generic, coalesce(sum(strlen(message)), 0) AS bytes
         FROM events WHERE ${cond}`,
        params,
      );
      if (wholeGroup) await db.run(`DELETE FROM ${ROLLUP_TABLE} WHERE log_group = $1`, [target.logGroup]);
      else await markChanged(db.conn, `SELECT log_group, ts FROM events WHERE ${cond}`, params);
      await db.run(`DELETE FROM events WHERE ${cond}`, params);
      if (wholeGroup) await db.run(`DELETE FROM rollup_dirty WHERE log_group = $1`, [target.logGroup]);
      const n = num(gone?.n);
      if (opts.dropCatalog && wholeGroup) {
        await db.run('DELETE FROM fields WHERE log_group = $1', [target.logGroup]);
        await db.run('DELETE FROM log_streams WHERE log_group = $1', [target.logGroup]);
        await opts.alongside?.();
        await db.run('DELETE FROM log_groups WHERE name = $1', [target.logGroup]);
        return n;
      }
      await db.run(
        `UPDATE log_groups SET events = greatest(events - $2, 0), generic_events = greatest(generic_events - $3, 0),
           stored_bytes = greatest(stored_bytes - $4, 0) WHERE name = $1`,
        [target.logGroup, BigInt(n), BigInt(num(gone?.generic)), BigInt(num(gone?.bytes))],
      );
      if (opts.dropCatalog && target.logStream !== undefined)
        await db.run('DELETE FROM log_streams WHERE log_group = $1 AND name = $2', [target.logGroup, target.logStream]);
      else if (n > 0) await restreamBounds(db, target.logGroup);
      await opts.alongside?.();
      return n;
    }),
  );
  if (!wholeGroup && deleted > 0) await store.writing(() => refreshRollupsOn(db.conn));
  return deleted;
}

/** The first and last event times of a group's streams, from the events left. */
async function restreamBounds(db: Db, logGroup: string): Promise<void> {
  await db.run(
    `UPDATE log_streams SET first_event_ts = b.lo, last_event_ts = b.hi
     FROM (SELECT s.name, min(e.ts) AS lo, max(e.ts) AS hi FROM log_streams s LEFT JOIN events e
           ON e.log_group = s.log_group AND e.log_stream = s.name WHERE s.log_group = $1 GROUP BY s.name) b
     WHERE log_streams.log_group = $1 AND log_streams.name = b.name`,
    [logGroup],
  );
}

/**
 * After events were written with plain SQL, bypassing the writer (test fixtures, tools): the
 * catalog's counts and the roll-ups recomputed from `events`.
 */
export async function rebuildDerived(store: Store): Promise<void> {
  const conn = await store.connect();
  try {
    await store.writing(() =>
      inTransaction(conn, async () => {
        await recountCatalog(conn);
        await rebuildRollups(conn);
      }),
    );
  } finally {
    conn.closeSync();
  }
}
