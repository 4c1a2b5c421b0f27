import type { DuckDBConnection } from '@duckdb/node-api';
import { insertValues, sqlString } from './sql.js';

/**
 * The writes of the catalog (catalog.ts is its reader): the writer's update after each batch, and
 * the recount a migration or a tool that wrote events with plain SQL needs. Kept apart from the
 * reader so that the schema's migrations can use it without importing the Store.
 */

/** log group -> (field -> number of events that have it). */
export type FieldCounts = Map<string, Map<string, number>>;

/** What a batch adds to log_groups and log_streams, counted as its events were added (EventBatch). */
export interface BatchCatalog {
  /** Log group -> its events, generic events, bytes of messages (UTF-8) and streams. */
  groups: Map<string, GroupTotals>;
  /** False when a time is not a whole non-negative number: the SQL counts then (its casts decide). */
  exact: boolean;
}

export interface GroupTotals {
  events: number;
  generic: number;
  bytes: number;
  /** Hour starts of the events (the roll-up buckets they touch). */
  hours: Set<number>;
  /** Stream -> first and last event time, last ingestion time. */
  streams: Map<string, { first: number; last: number; lastIngestion: number }>;
}

/** The roll-up buckets (log group, hour start) a batch's events touch. */
export function catalogBuckets(c: BatchCatalog): [string, number][] {
  return [...c.groups].flatMap(([g, t]) => [...t.hours].map((h): [string, number] => [g, h]));
}

const GROUPS_UPSERT = `ON CONFLICT (name) DO UPDATE SET generic_events = log_groups.generic_events + excluded.generic_events,
      events = log_groups.events + excluded.events, stored_bytes = log_groups.stored_bytes + excluded.stored_bytes`;
const STREAMS_UPSERT = `ON CONFLICT (log_group, name) DO UPDATE SET
      first_event_ts = least(log_streams.first_event_ts, excluded.first_event_ts),
      last_event_ts = greatest(log_streams.last_event_ts, excluded.last_event_ts),
      last_ingestion_ts = greatest(log_streams.last_ingestion_ts, excluded.last_ingestion_ts)`;

/**
 * Updates log_groups, log_streams and fields from the rows just stored (temp table `ins`) and the
 * field counts computed for them; from `batch` instead of `ins` when it is what `ins` holds (every
 * row of the batch stored): a few rows of VALUES instead of two passes over the chunk's rows and
 * messages. Runs in the writer's transaction.
 */
export async function applyCatalog(
  conn: DuckDBConnection,
  fields: FieldCounts,
  now: number,
  batch?: BatchCatalog,
): Promise<void> {
  if (batch) {
    const groups: string[] = [];
    const streams: string[] = [];
    for (const [g, t] of batch.groups) {
      groups.push(`(${sqlString(g)}, ${now}, ${t.generic}, ${t.events}, ${t.bytes})`);
      for (const [name, st] of t.streams)
        streams.push(`(${sqlString(g)}, ${sqlString(name)}, ${now}, ${st.first}, ${st.last}, ${st.lastIngestion})`);
    }
    await insertValues(
      conn,
      'log_groups (name, created_ts, generic_events, events, stored_bytes)',
      groups,
      GROUPS_UPSERT,
    );
    await insertValues(
      conn,
      'log_streams (log_group, name, created_ts, first_event_ts, last_event_ts, last_ingestion_ts)',
      streams,
      STREAMS_UPSERT,
    );
  } else {
    await conn.run(`INSERT INTO log_groups (name, created_ts, generic_events, events, stored_bytes)
    SELECT log_group, ${now}, count(*) FILTER (WHERE kind = 'generic'), count(*), sum(strlen(message)) FROM ins GROUP BY log_group
    ${GROUPS_UPSERT}`);
    await conn.run(`INSERT INTO log_streams (log_group, name, created_ts, first_event_ts, last_event_ts, last_ingestion_ts)
    SELECT log_group, log_stream, ${now}, min(ts), max(ts), max(ingestion_ts) FROM ins GROUP BY log_group, log_stream
    ${STREAMS_UPSERT}`);
  }
  const rows: string[] = [];
  for (const [group, m] of fields)
    for (const [field, n] of m) rows.push(`(${sqlString(group)}, ${sqlString(field)}, ${n})`);
  await insertValues(
    conn,
    'fields (log_group, field, events)',
    rows,
    'ON CONFLICT (log_group, field) DO UPDATE SET events = fields.events + excluded.events',
  );
}

/**
 * The event counts of the catalog recomputed from `events` (a store written by plain INSERTs, as
 * tests and tools do, or one older than schema 2): groups missing from log_groups are added.
 */
export async function recountCatalog(conn: DuckDBConnection, now = Date.now()): Promise<void> {
  await conn.run(`INSERT INTO log_groups (name, created_ts, generic_events)
    SELECT log_group, coalesce(min(ingestion_ts), ${now}), count(*) FILTER (WHERE kind <> 'bedrock') FROM events
    WHERE log_group NOT IN (SELECT name FROM log_groups) GROUP BY log_group`);
  await conn.run(`UPDATE log_groups SET events = coalesce(c.n, 0), stored_bytes = coalesce(c.bytes, 0)
    FROM (SELECT g.name, e.n, e.bytes FROM log_groups g LEFT JOIN
      (SELECT log_group, count(*) AS n, sum(strlen(message)) AS bytes FROM events GROUP BY log_group) e ON e.log_group = g.name) c
    WHERE log_groups.name = c.name`);
}
