import { listFields } from '../store/catalog.js';
import type { Store } from '../store/store.js';

/** The catalog of log groups and discovered fields for the console. */
export interface LogGroupInfo {
  name: string;
  createdTime: number;
  retentionDays: number | null;
  events: number;
}

function n(v: unknown): number {
  return typeof v === 'bigint' ? Number(v) : Number(v ?? 0);
}

export async function logGroups(store: Store): Promise<LogGroupInfo[]> {
  // Event counts come from the events table: log_groups has no total (only generic_events).
  const conn = await store.connect();
  try {
    const r = await conn.runAndReadAll(`
      SELECT g.name, g.created_ts, g.retention_days, coalesce(c.n, 0) AS events
      FROM log_groups g LEFT JOIN (SELECT log_group, count(*) AS n FROM events GROUP BY log_group) c ON c.log_group = g.name
      UNION ALL
      SELECT e.log_group, min(e.ingestion_ts), NULL, count(*) FROM events e
      WHERE e.log_group NOT IN (SELECT name FROM log_groups) GROUP BY e.log_group
      ORDER BY 1`);
    return r.getRowObjects().map((row) => ({
      name: String(row.name),
      createdTime: n(row.created_ts),
      retentionDays: row.retention_days === null ? null : n(row.retention_days),
      events: n(row.events),
    }));
  } finally {
    conn.closeSync();
  }
}

export async function fieldNames(store: Store, groups: string[]): Promise<{ field: string; events: number }[]> {
  return listFields(store, groups.length ? groups : undefined);
}
