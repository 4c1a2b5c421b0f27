import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { BiError } from '../util/errors.js';
import { DDL, SCHEMA_VERSION } from './schema.js';

export const DB_ENV = 'BEDROCK_INSIGHTS_DB';

/** The database file: `--db`, else $BEDROCK_INSIGHTS_DB, else ~/.bedrock-insights/store.duckdb. */
export function defaultDbPath(explicit?: string): string {
  if (explicit === ':memory:') return explicit;
  if (explicit) return resolve(explicit);
  const fromEnv = process.env[DB_ENV];
  if (fromEnv) return resolve(fromEnv);
  return join(homedir(), '.bedrock-insights', 'store.duckdb');
}

export interface OpenOptions {
  readOnly?: boolean;
  memoryLimit?: string;
  threads?: number;
}

/**
 * One open DuckDB store. Extensions are never auto-installed or auto-loaded: only the built-in
 * json and parquet are used, and an accidental remote path fails at once instead of downloading.
 */
export class Store {
  private constructor(
    readonly path: string,
    readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection,
  ) {}

  static async open(path: string, opts: OpenOptions = {}): Promise<Store> {
    const inMemory = path === ':memory:';
    if (!inMemory && !opts.readOnly) mkdirSync(dirname(path), { recursive: true });
    const options: Record<string, string> = {
      threads: String(opts.threads ?? 2),
      memory_limit: opts.memoryLimit ?? '2GB',
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
    };
    if (opts.readOnly) options.access_mode = 'READ_ONLY';
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(path, options);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      if (/lock/i.test(msg)) {
        throw new BiError(
          'STORE_LOCKED',
          `The store ${path} is in use by another bedrock-insights process (${msg.split('\n')[0]}). Stop it, or use its server's API.`,
        );
      }
      throw new BiError('STORE_OPEN_FAILED', `Cannot open the store ${path}: ${msg}`);
    }
    const connection = await instance.connect();
    const store = new Store(path, instance, connection);
    if (!opts.readOnly) await store.migrate();
    return store;
  }

  private async migrate(): Promise<void> {
    for (const stmt of DDL) await this.connection.run(stmt);
    const r = await this.connection.runAndReadAll(`SELECT value FROM meta WHERE key = 'schema_version'`);
    const rows = r.getRows();
    if (rows.length === 0) {
      await this.connection.run(`INSERT INTO meta VALUES ('schema_version', '${SCHEMA_VERSION}')`);
    } else if (Number(rows[0][0]) > SCHEMA_VERSION) {
      throw new BiError(
        'STORE_TOO_NEW',
        `The store ${this.path} was written by a newer bedrock-insights (schema ${String(rows[0][0])}); upgrade bedrock-insights.`,
      );
    }
  }

  /** A second connection, for work that must not wait on the main one (queries, cancellation). */
  async connect(): Promise<DuckDBConnection> {
    return this.instance.connect();
  }

  close(): void {
    try {
      this.connection.closeSync();
    } catch {
      /* already closed */
    }
    try {
      this.instance.closeSync();
    } catch {
      /* already closed */
    }
  }
}
