/**
 * The columnar archive: the store's events as Parquet, partitioned by day, for Trino and Athena
 * (src/engines/trino/archive-table.ts defines the tables over it). Written by DuckDB's own
 * Parquet writer, from the store as it is: the same columns (@message with bodies as stored, the
 * typed Bedrock fields, request metadata as a map, the cost columns, `seq`), so the Trino engine
 * over the archive answers exactly as the embedded engine over the store.
 *
 * Layout under the output folder (a local folder; copy it to S3 as is):
 *   events/day=YYYY-MM-DD/data_0.parquet   one folder per UTC day of @timestamp, rows in time order
 *   fields/fields.parquet                  log group, field name, events (the query catalog)
 *   log_groups/log_groups.parquet          log group, events, generic events
 *
 * An export replaces the day folders it writes and keeps the others, so a nightly export of the
 * last days keeps the archive current; the catalog files are rewritten from the whole archive.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Store } from '../store/store.js';
import { BiError, errorMessage } from '../util/errors.js';

export interface ExportOptions {
  /** The archive folder (created when missing). */
  out: string;
  /** Inclusive epoch-ms bounds of @timestamp; absent: everything. */
  startTime?: number;
  endTime?: number;
  /** Log groups to export; absent: all. */
  logGroups?: string[];
}

export interface ExportSummary {
  out: string;
  /** Events written by this export. */
  events: number;
  /** Day partitions written (replaced), `YYYY-MM-DD`. */
  days: string[];
  /** Bytes of the Parquet files written. */
  bytes: number;
  /** The archive's first day after the export (the table's projection starts there). */
  firstDay: string | null;
}

/** The events columns, in the store's order (src/store/schema.ts), without the partition column. */
export const ARCHIVE_COLUMNS: readonly { name: string; trino: string; hive: string }[] = [
  ['seq', 'bigint'],
  ['log_group', 'varchar'],
  ['log_stream', 'varchar'],
  ['ts', 'bigint'],
  ['ingestion_ts', 'bigint'],
  ['event_key', 'varchar'],
  ['kind', 'varchar'],
  ['account_id', 'varchar'],
  ['region', 'varchar'],
  ['inference_region', 'varchar'],
  ['operation', 'varchar'],
  ['model_id', 'varchar'],
  ['identity_arn', 'varchar'],
  ['request_id', 'varchar'],
  ['error_code', 'varchar'],
  ['input_tokens', 'bigint'],
  ['output_tokens', 'bigint'],
  ['cache_read_tokens', 'bigint'],
  ['cache_write_tokens', 'bigint'],
  ['request_metadata', 'map(varchar, varchar)'],
  ['cost_input', 'double'],
  ['cost_output', 'double'],
  ['cost_cache_read', 'double'],
  ['cost_cache_write', 'double'],
  ['cost_total', 'double'],
  ['price_version', 'varchar'],
  ['message', 'varchar'],
].map(([name, trino]) => ({ name, trino, hive: hiveOf(trino) }));

function hiveOf(trino: string): string {
  if (trino === 'varchar') return 'string';
  if (trino.startsWith('map(')) return 'map<string,string>';
  return trino;
}

/** The day partition column and folders: `events/day=YYYY-MM-DD/`. */
export const DAY_COLUMN = 'day';
export const EVENTS_DIR = 'events';
export const FIELDS_DIR = 'fields';
export const LOG_GROUPS_DIR = 'log_groups';

function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

function dayFolders(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => /^day=\d{4}-\d{2}-\d{2}$/.test(n))
    .sort();
}

function bytesUnder(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    n += e.isDirectory() ? bytesUnder(p) : statSync(p).size;
  }
  return n;
}

/** Write (or refresh) the archive from the store's events. */
export async function exportArchive(store: Store, opts: ExportOptions): Promise<ExportSummary> {
  const out = resolve(opts.out);
  if (existsSync(out) && !statSync(out).isDirectory())
    throw new BiError('INVALID_ARGUMENT', `--out ${opts.out} is a file; give a folder for the archive.`);
  const events = join(out, EVENTS_DIR);
  const tmp = join(out, `.export-${process.pid}-${randomBytes(4).toString('hex')}`);
  mkdirSync(tmp, { recursive: true });
  const conn = await store.connect();
  try {
    const where: string[] = [];
    if (opts.startTime !== undefined) where.push(`ts >= ${Math.trunc(opts.startTime)}`);
    if (opts.endTime !== undefined) where.push(`ts <= ${Math.trunc(opts.endTime)}`);
    if (opts.logGroups) where.push(`log_group IN (${opts.logGroups.map(sqlString).join(', ') || 'NULL'})`);
    const cols = ARCHIVE_COLUMNS.map((c) => c.name).join(', ');
    const day = `strftime(make_timestamp(ts * 1000), '%Y-%m-%d') AS ${DAY_COLUMN}`;
    const count = Number(
      (
        await conn.runAndReadAll(`SELECT count(*) FROM events${where.length ? ` WHERE ${where.join(' AND ')}` : ''}`)
      ).getRows()[0][0],
    );
    const written = join(tmp, EVENTS_DIR);
    if (count > 0) {
      // Rows in time order within a day, so Parquet's min/max statistics on ts let a range skip row groups.
      await conn.run(
        `COPY (SELECT ${cols}, ${day} FROM events${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY ${DAY_COLUMN}, ts, seq)
         TO ${sqlString(written)} (FORMAT PARQUET, PARTITION_BY (${DAY_COLUMN}), COMPRESSION ZSTD, ROW_GROUP_SIZE 122880)`,
      );
    }
    const days = dayFolders(written);
    const bytes = days.length ? bytesUnder(written) : 0;
    mkdirSync(events, { recursive: true });
    for (const d of days) {
      rmSync(join(events, d), { recursive: true, force: true });
      renameSync(join(written, d), join(events, d));
    }
    await writeCatalog(conn, out, tmp);
    const all = dayFolders(events);
    return {
      out,
      events: count,
      days: days.map((d) => d.slice(4)),
      bytes,
      firstDay: all.length ? all[0].slice(4) : null,
    };
  } catch (e) {
    if (e instanceof BiError) throw e;
    throw new BiError('EXPORT_FAILED', `The export to ${out} failed: ${errorMessage(e).split('\n')[0]}`);
  } finally {
    conn.closeSync();
    rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * The catalog beside the events: field names per log group (the store's, merged with those the
 * archive already lists) and each log group's event counts, from the whole archive.
 */
async function writeCatalog(conn: DuckDBConnection, out: string, tmp: string): Promise<void> {
  const fieldsDir = join(out, FIELDS_DIR);
  const groupsDir = join(out, LOG_GROUPS_DIR);
  const oldFields = join(fieldsDir, 'fields.parquet');
  const merged = existsSync(oldFields)
    ? `SELECT log_group, field, max(events) AS events FROM (SELECT log_group, field, events FROM fields UNION ALL SELECT log_group, field, events FROM read_parquet(${sqlString(oldFields)})) GROUP BY 1, 2`
    : 'SELECT log_group, field, events FROM fields';
  const newFields = join(tmp, 'fields.parquet');
  await conn.run(`COPY (${merged} ORDER BY 1, 2) TO ${sqlString(newFields)} (FORMAT PARQUET)`);
  const newGroups = join(tmp, 'log_groups.parquet');
  const files = join(out, EVENTS_DIR, '*', '*.parquet');
  const anyFile = dayFolders(join(out, EVENTS_DIR)).length > 0;
  const groups = anyFile
    ? `SELECT log_group AS name, count(*) AS events, count(*) FILTER (WHERE kind <> 'bedrock') AS generic_events FROM read_parquet(${sqlString(files)}) GROUP BY 1 ORDER BY 1`
    : `SELECT CAST(NULL AS VARCHAR) AS name, CAST(0 AS BIGINT) AS events, CAST(0 AS BIGINT) AS generic_events WHERE FALSE`;
  await conn.run(`COPY (${groups}) TO ${sqlString(newGroups)} (FORMAT PARQUET)`);
  mkdirSync(fieldsDir, { recursive: true });
  mkdirSync(groupsDir, { recursive: true });
  renameSync(newFields, oldFields);
  renameSync(newGroups, join(groupsDir, 'log_groups.parquet'));
}
