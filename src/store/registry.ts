import type { DuckDBConnection } from '@duckdb/node-api';
import { BiError } from '../util/errors.js';
import { inTransaction } from './transaction.js';

/**
 * The table registry: every module that keeps tables in the store (alarms, the CloudWatch API,
 * ingest checkpoints, pricing profiles, the workspace, the store's own events and catalog)
 * declares them here once, with a version and the steps from each older version. `Store.open`
 * (read-write) applies every registered set; an owner also calls `ensureTables` before its first
 * use, so a module imported after the store was opened still finds its tables.
 *
 * Each owner's version is kept in `meta` (`schema_version` for the store's own tables, which
 * older releases wrote, and `schema_version:<owner>` for the others). A set whose recorded
 * version is absent was created by a release without the registry: its version is 1 (the layout
 * of that release), and its migrations run from there.
 */
export interface Migration {
  /** The version this step produces (run when the store's is lower). */
  to: number;
  /** What the step does, for the progress line. */
  what: string;
  /**
   * The step, inside a transaction on `conn` (a long step may report progress, then say so with
   * `progress`). Runs after the set's DDL: new tables exist, and tables that existed keep their
   * old layout (CREATE … IF NOT EXISTS leaves them), which the step brings up to date.
   */
  run(conn: DuckDBConnection, progress: (text: string) => void): Promise<void>;
}

export interface TableSet {
  readonly owner: string;
  readonly version: number;
  /** CREATE … IF NOT EXISTS statements: the layout of `version`. */
  readonly ddl: readonly string[];
  readonly migrations: readonly Migration[];
}

const SETS = new Map<string, TableSet>();

/** The owner whose version key is the historical `schema_version`. */
export const STORE_OWNER = 'store';

/** Declares an owner's tables (at module load). Registering the same owner twice replaces it. */
export function registerTables(
  owner: string,
  version: number,
  ddl: readonly string[],
  migrations: readonly Migration[] = [],
): TableSet {
  const set: TableSet = { owner, version, ddl, migrations };
  SETS.set(owner, set);
  return set;
}

/** Every registered set, the store's own first (its `meta` table holds the versions). */
export function registeredTables(): TableSet[] {
  const all = [...SETS.values()];
  return [...all.filter((s) => s.owner === STORE_OWNER), ...all.filter((s) => s.owner !== STORE_OWNER)];
}

export function versionKey(owner: string): string {
  return owner === STORE_OWNER ? 'schema_version' : `schema_version:${owner}`;
}

/** The recorded version of an owner's tables; undefined when none is recorded. */
export async function recordedVersion(conn: DuckDBConnection, owner: string): Promise<number | undefined> {
  const rows = (await conn.runAndReadAll(`SELECT value FROM meta WHERE key = $1`, [versionKey(owner)])).getRows();
  if (rows.length === 0) return undefined;
  const n = Number(String(rows[0][0]));
  return Number.isInteger(n) ? n : undefined;
}

/**
 * Brings one owner's tables to its version: the DDL (new tables), then the migrations after the
 * recorded version (each in its own transaction, with the new version recorded in it). A store whose tables
 * are newer than this release is refused for that owner.
 */
export async function applyTables(
  conn: DuckDBConnection,
  set: TableSet,
  opts: { path: string; progress?: (text: string) => void; fresh?: boolean },
): Promise<void> {
  const key = versionKey(set.owner);
  const recorded = opts.fresh ? undefined : await recordedVersion(conn, set.owner);
  const have = opts.fresh ? set.version : (recorded ?? 1);
  if (have > set.version)
    throw new BiError(
      'STORE_TOO_NEW',
      `The store ${opts.path} holds ${set.owner} tables of version ${have}, written by a newer bedrock-insights (this one knows ${set.version}); upgrade bedrock-insights.`,
    );
  const steps = set.migrations.filter((m) => m.to > have && m.to <= set.version).sort((a, b) => a.to - b.to);
  const say = opts.progress ?? (() => undefined);
  for (const stmt of set.ddl) await conn.run(stmt);
  for (const m of steps) {
    say(`migrating the store's ${set.owner} tables to version ${m.to}: ${m.what}`);
    await inTransaction(conn, async () => {
      await m.run(conn, say);
      await conn.run(`INSERT INTO meta VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, [
        key,
        String(m.to),
      ]);
    });
  }
  if (steps.length > 0 || recorded !== set.version)
    await conn.run(`INSERT INTO meta VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, [
      key,
      String(set.version),
    ]);
}
