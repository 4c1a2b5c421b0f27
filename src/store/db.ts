import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { BiError, errorMessage } from '../util/errors.js';
import { Mutex } from './mutex.js';
import type { Store } from './store.js';
import { inTransaction } from './transaction.js';

export { Mutex };

/**
 * The one door into the DuckDB file for code outside src/store: rows come back as plain values,
 * writes are serialised and retried on DuckDB's optimistic-concurrency conflicts, and a
 * transaction is one call. Every integer DuckDB returns as BigInt becomes a number here (`plain`),
 * the store's one conversion point (events' seq and times stay far below 2^53).
 */
export type Value = string | number | boolean | null | Value[] | { [key: string]: Value };
export type Row = Record<string, Value>;

/** A DuckDB value as plain data: BigInt → number, lists → arrays, structs and maps → objects. */
export function plain(v: unknown): Value {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'object') {
    const o = v as { items?: unknown; entries?: unknown };
    if (Array.isArray(o.items)) return o.items.map(plain);
    if (Array.isArray(o.entries)) {
      const out: Record<string, Value> = {};
      for (const e of o.entries as { key: unknown; value: unknown }[]) out[String(e.key)] = plain(e.value);
      return out;
    }
    if (o.entries && typeof o.entries === 'object') {
      const out: Record<string, Value> = {};
      for (const [k, x] of Object.entries(o.entries as Record<string, unknown>)) out[k] = plain(x);
      return out;
    }
  }
  return String(v);
}

/** A plain value as a number (NULL → 0). */
export const num = (v: Value | undefined): number => (typeof v === 'number' ? v : Number(v ?? 0));
/** A plain value as a number, NULL kept. */
export const numOrNull = (v: Value | undefined): number | null => (v === null || v === undefined ? null : num(v));
/** A plain value as text (NULL → ''). */
export const str = (v: Value | undefined): string =>
  v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);

/** How often a write is retried after a conflict before STORE_CONFLICT. */
const CONFLICT_RETRIES = 4;

/** DuckDB's optimistic-concurrency error: another connection changed the same rows first. */
export function isConflict(e: unknown): boolean {
  return /conflict/i.test(errorMessage(e));
}

/** One connection with plain rows, serialised writes and transactions. */
export class Db {
  readonly writes = new Mutex();
  constructor(readonly conn: DuckDBConnection) {}

  /** A Db over a connection of its own (close it when done). */
  static async open(store: Store): Promise<Db> {
    return new Db(await store.connect());
  }

  async all(sql: string, params: DuckDBValue[] = []): Promise<Row[]> {
    const r = await this.conn.runAndReadAll(sql, params);
    return r.getRowObjects().map((row) => {
      const out: Row = {};
      for (const [k, v] of Object.entries(row)) out[k] = plain(v);
      return out;
    });
  }

  /** The first row, or undefined. */
  async one(sql: string, params: DuckDBValue[] = []): Promise<Row | undefined> {
    return (await this.all(sql, params))[0];
  }

  /** The first column of the first row (NULL when there is no row). */
  async value(sql: string, params: DuckDBValue[] = []): Promise<Value> {
    const r = await this.conn.runAndReadAll(sql, params);
    const row = r.getRows()[0];
    return row ? plain(row[0]) : null;
  }

  async run(sql: string, params: DuckDBValue[] = []): Promise<void> {
    await this.conn.run(sql, params);
  }

  /**
   * A write, serialised with this Db's other writes and retried on DuckDB's optimistic-concurrency
   * conflicts (another connection, e.g. the event writer, touched the same rows). A conflict that
   * persists is BiError('STORE_CONFLICT'); callers facing a client map it to their own error.
   */
  async write<T>(fn: () => Promise<T>): Promise<T> {
    return this.writes.run(async () => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await fn();
        } catch (e) {
          if (!isConflict(e)) throw e;
          try {
            await this.conn.run('ROLLBACK');
          } catch {
            /* no open transaction */
          }
          if (attempt >= CONFLICT_RETRIES)
            throw new BiError(
              'STORE_CONFLICT',
              `Another change to the same data was being written at the same time (${errorMessage(e).split('\n')[0]}); try again.`,
            );
          await new Promise((r) => setTimeout(r, 20 * (attempt + 1)));
        }
      }
    });
  }

  /** Runs fn inside BEGIN/COMMIT (rolled back on error). Call inside write() when others write too. */
  transaction<T>(fn: () => Promise<T>): Promise<T> {
    return inTransaction(this.conn, fn);
  }

  close(): void {
    try {
      this.conn.closeSync();
    } catch {
      /* already closed */
    }
  }
}

/** Runs fn with a Db on a connection of its own, closed afterwards. */
export async function withDb<T>(store: Store, fn: (db: Db) => Promise<T>): Promise<T> {
  const db = await Db.open(store);
  try {
    return await fn(db);
  } finally {
    db.close();
  }
}
