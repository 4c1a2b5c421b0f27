import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { inTransaction } from '../store/transaction.js';
import { CwApiError } from './errors.js';

/** A row with DuckDB's BigInt integers converted to numbers (this module's one conversion point). */
export type Row = Record<string, string | number | boolean | null>;

function plain(v: unknown): string | number | boolean | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  return String(v);
}

/** Serialises writers: the API's catalog changes run one at a time on its own connection. */
export class Mutex {
  private tail: Promise<void> = Promise.resolve();
  async run<T>(fn: () => Promise<T>): Promise<T> {
    const prev = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((r) => {
      release = r;
    });
    await prev;
    try {
      return await fn();
    } finally {
      release();
    }
  }
}

/** The API's own DuckDB connection, so a long query on the engine's connections never blocks it. */
export class Db {
  readonly writes = new Mutex();
  constructor(readonly conn: DuckDBConnection) {}

  async all(sql: string, params: DuckDBValue[] = []): Promise<Row[]> {
    const r = await this.conn.runAndReadAll(sql, params);
    return r.getRowObjects().map((row) => {
      const out: Row = {};
      for (const [k, v] of Object.entries(row)) out[k] = plain(v);
      return out;
    });
  }

  async run(sql: string, params: DuckDBValue[] = []): Promise<void> {
    await this.conn.run(sql, params);
  }

  /**
   * A write, serialised and retried on DuckDB's optimistic-concurrency conflicts (another
   * connection, e.g. the event writer, touched the same rows); persistent conflicts become the
   * error CloudWatch uses for concurrent changes.
   */
  async write<T>(fn: () => Promise<T>): Promise<T> {
    return this.writes.run(async () => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await fn();
        } catch (e) {
          const msg = e instanceof Error ? e.message : String(e);
          if (!/conflict/i.test(msg)) throw e;
          try {
            await this.conn.run('ROLLBACK');
          } catch {
            /* no open transaction */
          }
          if (attempt >= 4) {
            throw new CwApiError(
              'OperationAbortedException',
              'A conflicting operation is currently in progress against this resource. Please try again.',
            );
          }
          await new Promise((r) => setTimeout(r, 20 * (attempt + 1)));
        }
      }
    });
  }

  /** Runs fn inside BEGIN/COMMIT (rolled back on error). Call inside write(). */
  transaction<T>(fn: () => Promise<T>): Promise<T> {
    return inTransaction(this.conn, fn);
  }
}

export const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v));
export const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
