import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * The environment variable naming the default store. In its own module so that the CLI's option
 * declarations (and the CLI's choice of where a command runs) can name it without loading store.ts (and DuckDB's native binding) at start-up.
 */
export const DB_ENV = 'BEDROCK_INSIGHTS_DB';

/** The database file: `--db`, else $BEDROCK_INSIGHTS_DB, else ~/.bedrock-insights/store.duckdb. */
export function defaultDbPath(explicit?: string): string {
  if (explicit === ':memory:') return explicit;
  if (explicit) return resolve(explicit);
  const fromEnv = process.env[DB_ENV];
  if (fromEnv) return resolve(fromEnv);
  return join(homedir(), '.bedrock-insights', 'store.duckdb');
}
