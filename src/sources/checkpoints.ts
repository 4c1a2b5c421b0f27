import type { DuckDBConnection } from '@duckdb/node-api';
import type { Store } from '../store/store.js';
import { sqlString } from '../store/sql.js';

/**
 * Checkpoints of what ingest has read.
 *
 * - Files and S3 objects: a row of `ingested_files` (path = the file's absolute path, or
 *   `s3://bucket/key`; size; mtime_ms = the file's mtime or the object's LastModified). That
 *   table, not one per source, because the chunk writer commits a file's row in the same
 *   transaction as its last records: an interrupted run never marks a file read whose records were
 *   not stored. A file is read again when its size or mtime changed (`unchanged`).
 * - CloudWatch: `cw_checkpoints` (per source: the highest event time read) and `cw_seen_events`
 *   (the event ids read within the overlap window below that time, so re-reading the window for
 *   late events stores nothing twice). Created on first use.
 */
export type FilesRead = Map<string, string>;

/** The files and objects read into a log group (only paths starting with `prefix` when given). */
export async function filesRead(store: Store, logGroup: string, prefix = ''): Promise<FilesRead> {
  const r = await store.connection.runAndReadAll(
    `SELECT path, size, mtime_ms FROM ingested_files WHERE log_group = $1 AND starts_with(path, $2)`,
    [logGroup, prefix],
  );
  return new Map(r.getRows().map(([p, s, m]) => [String(p), `${Number(s)}:${Number(m)}`]));
}

/** Whether the file or object at `path` was read with this size and mtime (ingest skips it). */
export function unchanged(read: FilesRead, path: string, size: number, mtimeMs: number): boolean {
  return read.get(path) === `${size}:${mtimeMs}`;
}

const CW_DDL = [
  `CREATE TABLE IF NOT EXISTS cw_checkpoints (source VARCHAR PRIMARY KEY, log_group VARCHAR NOT NULL, high_ts BIGINT NOT NULL, events BIGINT NOT NULL, updated_ts BIGINT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS cw_seen_events (source VARCHAR NOT NULL, event_id VARCHAR NOT NULL, ts BIGINT NOT NULL, PRIMARY KEY (source, event_id))`,
];

export interface CloudWatchCheckpoint {
  source: string;
  logGroup: string;
  /** Highest event timestamp read (ms); -1 before the first event. */
  highTs: number;
  /** Events stored from this source, all runs. */
  events: number;
  updatedTs: number;
}

export async function ensureCheckpointTables(conn: DuckDBConnection): Promise<void> {
  for (const s of CW_DDL) await conn.run(s);
}

export async function readCloudWatchCheckpoint(
  conn: DuckDBConnection,
  source: string,
): Promise<{ cp: CloudWatchCheckpoint | null; seen: Set<string> }> {
  await ensureCheckpointTables(conn);
  const r = await conn.runAndReadAll(
    `SELECT log_group, high_ts, events, updated_ts FROM cw_checkpoints WHERE source = $1`,
    [source],
  );
  const row = r.getRows()[0];
  const cp = row
    ? { source, logGroup: String(row[0]), highTs: Number(row[1]), events: Number(row[2]), updatedTs: Number(row[3]) }
    : null;
  const s = await conn.runAndReadAll(`SELECT event_id FROM cw_seen_events WHERE source = $1`, [source]);
  return { cp, seen: new Set(s.getRows().map(([id]) => String(id))) };
}

/**
 * Advances a source's checkpoint after its events were committed: records the ids read, sets the
 * high-water time, and forgets ids older than the overlap window (they are never asked for again).
 */
export async function saveCloudWatchCheckpoint(
  conn: DuckDBConnection,
  cp: CloudWatchCheckpoint,
  newIds: { id: string; ts: number }[],
  overlapMs: number,
): Promise<void> {
  await conn.run('BEGIN TRANSACTION');
  try {
    await conn.run(`INSERT OR REPLACE INTO cw_checkpoints VALUES ($1, $2, $3, $4, $5)`, [
      cp.source,
      cp.logGroup,
      BigInt(cp.highTs),
      BigInt(cp.events),
      BigInt(cp.updatedTs),
    ]);
    for (let i = 0; i < newIds.length; i += 1000) {
      const values = newIds
        .slice(i, i + 1000)
        .map((e) => `(${sqlString(cp.source)}, ${sqlString(e.id)}, ${Math.trunc(e.ts)})`)
        .join(', ');
      await conn.run(`INSERT OR IGNORE INTO cw_seen_events VALUES ${values}`);
    }
    await conn.run(`DELETE FROM cw_seen_events WHERE source = $1 AND ts < $2`, [
      cp.source,
      BigInt(cp.highTs - overlapMs),
    ]);
    await conn.run('COMMIT');
  } catch (e) {
    try {
      await conn.run('ROLLBACK');
    } catch {
      /* the error below matters */
    }
    throw e;
  }
}

export async function listCloudWatchCheckpoints(store: Store): Promise<CloudWatchCheckpoint[]> {
  await ensureCheckpointTables(store.connection);
  const r = await store.connection.runAndReadAll(
    `SELECT source, log_group, high_ts, events, updated_ts FROM cw_checkpoints ORDER BY source`,
  );
  return r.getRows().map(([s, g, h, e, u]) => ({
    source: String(s),
    logGroup: String(g),
    highTs: Number(h),
    events: Number(e),
    updatedTs: Number(u),
  }));
}
