import { promotedColumns } from './columns.js';
import { Db, num, numOrNull, str, withDb } from './db.js';
import { sqlString } from './sql.js';
import type { Store } from './store.js';

/**
 * The catalog: log groups (with their event counts and stored bytes), log streams and the
 * discovered field names of each group, kept current by every write in the writer's
 * transaction (catalog-write.ts) and every delete (store/events.ts). This module is its one reader:
 * the console, the CloudWatch API, the reports and the query engine read it here, never from
 * `events` (counting events per group would scan the whole store).
 */

export type { FieldCounts } from './catalog-write.js';

export interface LogGroupInfo {
  name: string;
  createdTs: number;
  retentionDays: number | null;
  /** Events stored as generic (non-Bedrock) events. */
  genericEvents: number;
  /** All stored events of the group. */
  events: number;
  /** Bytes of stored messages (an estimate of the group's size). */
  storedBytes: number;
}

/** The log groups with their event counts, by name (all, or those named). */
export async function listLogGroups(source: Store | Db, names?: readonly string[]): Promise<LogGroupInfo[]> {
  return read(source, async (db) => {
    if (names && names.length === 0) return [];
    const where = names ? `WHERE name IN (${names.map(sqlString).join(', ')})` : '';
    const rows = await db.all(
      `SELECT name, created_ts, retention_days, generic_events, events, stored_bytes FROM log_groups ${where} ORDER BY name`,
    );
    return rows.map((r) => ({
      name: str(r.name),
      createdTs: num(r.created_ts),
      retentionDays: numOrNull(r.retention_days),
      genericEvents: num(r.generic_events),
      events: num(r.events),
      storedBytes: num(r.stored_bytes),
    }));
  });
}

/** What the query front end needs of the catalog (the shape of src/insights' CatalogInfo). */
export interface QueryCatalog {
  /** Every log group with its count of generic (non-Bedrock) events. */
  logGroups: { name: string; genericEvents: number }[];
  /** Discovered field names per log group. */
  fieldsByGroup: Map<string, Set<string>>;
  /** Fields with a column of their own in events (promoted request-metadata keys) → column. */
  columns: Map<string, string>;
}

/**
 * The log groups, each one's discovered fields and the promoted columns, read by the query
 * engine before it analyses a query (three small reads).
 */
export async function readQueryCatalog(store: Store): Promise<QueryCatalog> {
  return withDb(store, async (db) => {
    const groups = await db.all('SELECT name, generic_events FROM log_groups');
    const logGroups = groups.map((r) => ({ name: str(r.name), genericEvents: num(r.generic_events) }));
    const fieldsByGroup = new Map<string, Set<string>>();
    for (const r of await db.all('SELECT log_group, field FROM fields')) {
      const group = str(r.log_group);
      let set = fieldsByGroup.get(group);
      if (!set) fieldsByGroup.set(group, (set = new Set()));
      set.add(str(r.field));
    }
    const columns = new Map((await promotedColumns(db.conn)).map((p) => [p.field, p.column]));
    return { logGroups, fieldsByGroup, columns };
  });
}

export interface LogStreamInfo {
  logGroup: string;
  name: string;
  createdTs: number;
  firstEventTs: number | null;
  lastEventTs: number | null;
  lastIngestionTs: number | null;
}

export async function listLogStreams(source: Store | Db, logGroup?: string): Promise<LogStreamInfo[]> {
  return read(source, async (db) => {
    const where = logGroup === undefined ? '' : `WHERE log_group = ${sqlString(logGroup)}`;
    const rows = await db.all(`SELECT log_group, name, created_ts, first_event_ts, last_event_ts, last_ingestion_ts
      FROM log_streams ${where} ORDER BY log_group, name`);
    return rows.map((r) => ({
      logGroup: str(r.log_group),
      name: str(r.name),
      createdTs: num(r.created_ts),
      firstEventTs: numOrNull(r.first_event_ts),
      lastEventTs: numOrNull(r.last_event_ts),
      lastIngestionTs: numOrNull(r.last_ingestion_ts),
    }));
  });
}

/**
 * Discovered field names with the number of events that have each (summed over the given log
 * groups, or all), most common first. Used for "unknown field" warnings and autocompletion.
 * After a partial delete (a stream, a time range) the counts are upper bounds.
 */
export async function listFields(
  source: Store | Db,
  logGroups?: readonly string[],
): Promise<{ field: string; events: number }[]> {
  if (logGroups && logGroups.length === 0) return [];
  return read(source, async (db) => {
    const where = logGroups ? `WHERE log_group IN (${logGroups.map(sqlString).join(', ')})` : '';
    const rows = await db.all(
      `SELECT field, sum(events)::BIGINT AS n FROM fields ${where} GROUP BY field ORDER BY n DESC, field`,
    );
    return rows.map((r) => ({ field: str(r.field), events: num(r.n) }));
  });
}

/** Reads through the given Db, or a Db of its own over the store. */
function read<T>(source: Store | Db, fn: (db: Db) => Promise<T>): Promise<T> {
  return source instanceof Db ? fn(source) : withDb(source, fn);
}
