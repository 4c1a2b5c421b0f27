import type { DuckDBConnection } from '@duckdb/node-api';
import type { Store } from './store.js';

/** log group -> (field -> number of events that have it). */
export type FieldCounts = Map<string, Map<string, number>>;

function lit(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/**
 * Updates log_groups, log_streams and fields from the rows just stored (temp table `ins`) and the
 * field counts computed for them. Runs in the writer's transaction.
 */
export async function applyCatalog(conn: DuckDBConnection, fields: FieldCounts, now: number): Promise<void> {
  await conn.run(`INSERT INTO log_groups (name, created_ts, generic_events)
    SELECT log_group, ${now}, count(*) FILTER (WHERE kind = 'generic') FROM ins GROUP BY log_group
    ON CONFLICT (name) DO UPDATE SET generic_events = log_groups.generic_events + excluded.generic_events`);
  await conn.run(`INSERT INTO log_streams (log_group, name, created_ts, first_event_ts, last_event_ts, last_ingestion_ts)
    SELECT log_group, log_stream, ${now}, min(ts), max(ts), max(ingestion_ts) FROM ins GROUP BY log_group, log_stream
    ON CONFLICT (log_group, name) DO UPDATE SET
      first_event_ts = least(log_streams.first_event_ts, excluded.first_event_ts),
      last_event_ts = greatest(log_streams.last_event_ts, excluded.last_event_ts),
      last_ingestion_ts = greatest(log_streams.last_ingestion_ts, excluded.last_ingestion_ts)`);
  const rows: string[] = [];
  for (const [group, m] of fields) for (const [field, n] of m) rows.push(`(${lit(group)}, ${lit(field)}, ${n})`);
  for (let i = 0; i < rows.length; i += 1000) {
    await conn.run(`INSERT INTO fields (log_group, field, events) VALUES ${rows.slice(i, i + 1000).join(', ')}
      ON CONFLICT (log_group, field) DO UPDATE SET events = fields.events + excluded.events`);
  }
}

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

/** The log groups with their event counts, by name. */
export async function listLogGroups(store: Store): Promise<LogGroupInfo[]> {
  const conn = await store.connect();
  try {
    const r = await conn.runAndReadAll(`SELECT g.name, g.created_ts, g.retention_days, g.generic_events,
        coalesce(e.n, 0), coalesce(e.bytes, 0)
      FROM log_groups g LEFT JOIN (SELECT log_group, count(*) AS n, sum(strlen(message)) AS bytes FROM events GROUP BY log_group) e
        ON e.log_group = g.name
      ORDER BY g.name`);
    return r.getRows().map(([name, created, retention, generic, n, bytes]) => ({
      name: String(name),
      createdTs: Number(created),
      retentionDays: retention === null ? null : Number(retention),
      genericEvents: Number(generic),
      events: Number(n),
      storedBytes: Number(bytes),
    }));
  } finally {
    conn.closeSync();
  }
}

/** What the query front end needs of the catalog (the shape of src/insights' CatalogInfo). */
export interface QueryCatalog {
  /** Every log group with its count of generic (non-Bedrock) events. */
  logGroups: { name: string; genericEvents: number }[];
  /** Discovered field names per log group. */
  fieldsByGroup: Map<string, Set<string>>;
}

/**
 * The log groups and each one's discovered fields, read by the query engine before it analyses
 * a query (two small reads; nothing scans `events` unless the catalog is empty).
 */
export async function readQueryCatalog(store: Store): Promise<QueryCatalog> {
  const conn = await store.connect();
  try {
    const groups = (await conn.runAndReadAll('SELECT name, generic_events FROM log_groups')).getRows();
    const logGroups = groups.map((r) => ({ name: String(r[0]), genericEvents: Number(r[1]) }));
    if (logGroups.length === 0) {
      // A store written without the catalog (e.g. plain INSERTs): derive it from the events.
      const rows = (
        await conn.runAndReadAll(`SELECT log_group, count(*) FILTER (WHERE kind <> 'bedrock') FROM events GROUP BY 1`)
      ).getRows();
      for (const r of rows) logGroups.push({ name: String(r[0]), genericEvents: Number(r[1]) });
    }
    const fieldsByGroup = new Map<string, Set<string>>();
    for (const [g, f] of (await conn.runAndReadAll('SELECT log_group, field FROM fields')).getRows()) {
      const group = String(g);
      let set = fieldsByGroup.get(group);
      if (!set) fieldsByGroup.set(group, (set = new Set()));
      set.add(String(f));
    }
    return { logGroups, fieldsByGroup };
  } finally {
    conn.closeSync();
  }
}

export interface LogStreamInfo {
  logGroup: string;
  name: string;
  createdTs: number;
  firstEventTs: number | null;
  lastEventTs: number | null;
  lastIngestionTs: number | null;
}

export async function listLogStreams(store: Store, logGroup?: string): Promise<LogStreamInfo[]> {
  const conn = await store.connect();
  try {
    const where = logGroup === undefined ? '' : `WHERE log_group = ${lit(logGroup)}`;
    const r =
      await conn.runAndReadAll(`SELECT log_group, name, created_ts, first_event_ts, last_event_ts, last_ingestion_ts
      FROM log_streams ${where} ORDER BY log_group, name`);
    const num = (v: unknown): number | null => (v === null ? null : Number(v));
    return r.getRows().map(([g, n, c, f, l, i]) => ({
      logGroup: String(g),
      name: String(n),
      createdTs: Number(c),
      firstEventTs: num(f),
      lastEventTs: num(l),
      lastIngestionTs: num(i),
    }));
  } finally {
    conn.closeSync();
  }
}

/**
 * Discovered field names with the number of events that have each (summed over the given log
 * groups, or all), most common first. Used for "unknown field" warnings and autocompletion.
 */
export async function listFields(store: Store, logGroups?: string[]): Promise<{ field: string; events: number }[]> {
  if (logGroups && logGroups.length === 0) return [];
  const conn = await store.connect();
  try {
    const where = logGroups ? `WHERE log_group IN (${logGroups.map(lit).join(', ')})` : '';
    const r = await conn.runAndReadAll(
      `SELECT field, sum(events)::BIGINT AS n FROM fields ${where} GROUP BY field ORDER BY n DESC, field`,
    );
    return r.getRows().map(([field, n]) => ({ field: String(field), events: Number(n) }));
  } finally {
    conn.closeSync();
  }
}
