import {
  existsSync,
  mkdirSync,
  openSync,
  readSync,
  closeSync,
  readdirSync,
  rmSync,
  rmdirSync,
  statSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { AsyncLocalStorage } from 'node:async_hooks';
import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { BiError, errorMessage, isBiError } from '../util/errors.js';
import { damagedStoreHint, isStoreInvalidated, RECOVERY_HINT } from './failures.js';
import { Mutex } from './mutex.js';
import { applyTables, registeredTables, STORE_OWNER, type TableSet } from './registry.js';
import { refreshRollupsOn } from './rollups.js';
import { EVENTS_COLUMNS, SCHEMA_VERSION } from './schema.js';
import { DB_ENV, defaultDbPath } from './db-env.js';

export { damagedStoreHint, isDurableCommitFailure, isStoreInvalidated } from './failures.js';

export { DB_ENV, defaultDbPath };

export interface OpenOptions {
  readOnly?: boolean;
  memoryLimit?: string;
  threads?: number;
  /**
   * Lines about long work on open (migrating an older store, building the roll-ups); default:
   * written to standard error as `bedrock-insights: …`.
   */
  progress?: (text: string) => void;
}

/** Thrown inside Store.open: a read-only opener found a store that needs migrating first. */
class OlderSchema extends Error {}

/** The store each connection belongs to (see storeOf). */
const OWNERS = new WeakMap<DuckDBConnection, Store>();

/** The Store a connection was opened from (by Store.open or store.connect()). */
export function storeOf(conn: DuckDBConnection): Store {
  const s = OWNERS.get(conn);
  if (!s) throw new Error('This DuckDB connection was not opened through Store (store.connect()).');
  return s;
}

/** DuckDB's file header: one main header and two database headers of 4 KiB before the blocks. */
const HEADER_BYTES = 3 * 4096;
const SQLITE_MAGIC = 'SQLite format 3\0';
/** DuckDB names its spill files duckdb_temp_storage_… / duckdb_temp_block-… in `<store>.tmp/`. */
const SPILL_FILE = /^duckdb_temp_/;

function readMagic(path: string): string {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const b = Buffer.alloc(SQLITE_MAGIC.length);
    const n = readSync(fd, b, 0, b.length, 0);
    return b.subarray(0, n).toString('latin1');
  } catch {
    return '';
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** What opening a store failed of, as a coded error whose message says what to do. */
function openError(path: string, e: unknown): BiError {
  const msg = errorMessage(e);
  const first = msg.split('\n')[0];
  if (/lock/i.test(msg)) {
    return new BiError(
      'STORE_LOCKED',
      `The store ${path} is in use by another bedrock-insights process (${first}). Stop it, or use its server's API.`,
    );
  }
  if (/not a valid DuckDB database file/i.test(msg)) {
    return new BiError(
      'STORE_NOT_DUCKDB',
      `The file ${path} is not a bedrock-insights store (it is not a DuckDB database). Pass the right file with --db, or move this one away: a new store is created where none exists.`,
    );
  }
  const damaged = damagedStoreHint(e);
  if (damaged) return new BiError('STORE_DAMAGED', `Cannot open the store ${path}: ${damaged}`);
  if (/Permission denied|EACCES|read-only file system/i.test(msg)) {
    return new BiError(
      'STORE_OPEN_FAILED',
      `Cannot open the store ${path}: ${first}. Check that this user may read and write the file and its folder (DuckDB writes ${path}.wal beside it).`,
    );
  }
  return new BiError('STORE_OPEN_FAILED', `Cannot open the store ${path}: ${first}`);
}

/**
 * One open DuckDB store. Extensions are never auto-installed or auto-loaded: only the built-in
 * json and parquet are used, and an accidental remote path fails at once instead of downloading.
 * Every opener (read-write or read-only) checks the schema version and the `events` columns.
 */
export class Store {
  private readonly ready: Map<string, Promise<void>>;
  private readonly writeLock: Mutex;
  private readonly holdingWriteLock: AsyncLocalStorage<boolean>;

  private constructor(
    readonly path: string,
    readonly options: OpenOptions,
    readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection,
    /** The store a session was made from (see session()): closing a session closes its connection only. */
    private readonly parent?: Store,
  ) {
    OWNERS.set(connection, this);
    // A session shares its store's write lock and table readiness: its writes take turns with the server's.
    this.ready = parent ? parent.ready : new Map<string, Promise<void>>();
    this.writeLock = parent ? parent.writeLock : new Mutex();
    this.holdingWriteLock = parent ? parent.holdingWriteLock : new AsyncLocalStorage<boolean>();
  }

  /**
   * This open store with a main connection of its own: a server lends one to a command it runs
   * for a client (src/control), so the command's transactions never interleave with the
   * server's on one connection. Closing the session closes its connection, not the store.
   */
  async session(): Promise<Store> {
    return new Store(this.path, this.options, this.instance, await this.instance.connect(), this);
  }

  static async open(path: string, opts: OpenOptions = {}): Promise<Store> {
    const inMemory = path === ':memory:';
    if (!inMemory && !opts.readOnly) mkdirSync(dirname(path), { recursive: true });
    if (!inMemory && existsSync(path) && readMagic(path) === SQLITE_MAGIC) {
      // DuckDB would try to load its sqlite extension and say "INSTALL sqlite", which misleads.
      throw new BiError(
        'STORE_NOT_DUCKDB',
        `The file ${path} is a SQLite database, not a bedrock-insights store. Pass the right file with --db, or move this one away.`,
      );
    }
    const options: Record<string, string> = {
      threads: String(opts.threads ?? 2),
      memory_limit: opts.memoryLimit ?? '2GB',
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
    };
    if (opts.readOnly) options.access_mode = 'READ_ONLY';
    const hadWal = !inMemory && existsSync(`${path}.wal`);
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(path, options);
    } catch (e) {
      throw openError(path, e);
    }
    let connection: DuckDBConnection | undefined;
    try {
      connection = await instance.connect();
      const store = new Store(path, { ...opts }, instance, connection);
      // Read-write holds DuckDB's exclusive lock: no other process can be using the spill folder.
      if (!inMemory && !opts.readOnly) removeSpillFiles(path);
      if (!inMemory && !hadWal) await store.checkLength();
      await store.checkSchema();
      return store;
    } catch (e) {
      try {
        connection?.closeSync();
        instance.closeSync();
      } catch {
        /* closing after a failed open */
      }
      if (e instanceof OlderSchema) {
        // A read-only opener (query, doctor) of a store from an older release: migrate it once
        // in place, read-write, then open it as asked. A store held by another process fails
        // here with STORE_LOCKED, as any read-write open would; that process migrated it anyway.
        const { readOnly: _readOnly, ...rw } = opts;
        (await Store.open(path, rw)).close();
        return Store.open(path, opts);
      }
      throw isBiError(e) ? e : openError(path, e);
    }
  }

  /**
   * A file cut short (a partial copy, a full disk during a copy) still opens, and a count can be
   * answered from metadata alone. The file must hold at least the blocks in use (free blocks at
   * its end may have been cut off by DuckDB itself, so the total is no bound).
   */
  private async checkLength(): Promise<void> {
    const r = (
      await this.connection.runAndReadAll('SELECT block_size, used_blocks FROM pragma_database_size()')
    ).getRows()[0];
    if (!r) return;
    const expected = Number(r[0]) * Number(r[1]) + HEADER_BYTES;
    const actual = statSync(this.path).size;
    if (Number(r[1]) > 0 && actual < expected)
      throw new BiError(
        'STORE_DAMAGED',
        `Cannot open the store ${this.path}: the store file is damaged (it has ${actual} bytes, the blocks in use need ${expected}: it was cut short). ${RECOVERY_HINT}`,
      );
  }

  /**
   * The schema version and the `events` columns, for every opener: a store written by a newer
   * version, or one whose tables are not ours, is refused with a reason instead of failing later
   * with a binder error. A new store (no tables) gets the tables when opened read-write.
   */
  private async checkSchema(): Promise<void> {
    const c = this.connection;
    const tables = new Set(
      (
        await c.runAndReadAll(
          `SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' AND table_catalog = current_database()`,
        )
      )
        .getRows()
        .map((r) => String(r[0])),
    );
    const fresh = !tables.has('meta') && !tables.has('events');
    if (fresh) {
      if (!this.options.readOnly) await this.createTables(true);
      return;
    }
    if (!tables.has('meta'))
      throw this.schemaInvalid('it has an events table but no schema version (the meta table is missing)');
    const rows = (await c.runAndReadAll(`SELECT value FROM meta WHERE key = 'schema_version'`)).getRows();
    if (rows.length === 0) throw this.schemaInvalid('it has no schema version');
    const raw = String(rows[0][0]);
    const version = /^\d+$/.test(raw) ? Number(raw) : NaN;
    if (version > SCHEMA_VERSION)
      throw new BiError(
        'STORE_TOO_NEW',
        `The store ${this.path} was written by a newer bedrock-insights (schema ${raw}); upgrade bedrock-insights.`,
      );
    if (!(version >= 1)) throw this.schemaInvalid(`its schema version "${raw}" is not one bedrock-insights writes`);
    if (tables.has('events')) {
      const have = new Set(
        (
          await c.runAndReadAll(
            `SELECT column_name FROM information_schema.columns WHERE table_schema = 'main' AND table_name = 'events' AND table_catalog = current_database()`,
          )
        )
          .getRows()
          .map((r) => String(r[0])),
      );
      const missing = EVENTS_COLUMNS.filter((col) => !have.has(col));
      if (missing.length > 0) throw this.schemaInvalid(`its events table lacks the columns ${missing.join(', ')}`);
    }
    if (this.options.readOnly && version < SCHEMA_VERSION) throw new OlderSchema();
    if (!this.options.readOnly) await this.createTables(false);
  }

  private schemaInvalid(why: string): BiError {
    return new BiError(
      'STORE_SCHEMA_INVALID',
      `The store ${this.path} cannot be used: ${why}. It was not written by this bedrock-insights, or it was edited or damaged. ${RECOVERY_HINT}`,
    );
  }

  /**
   * Every registered owner's tables at their version (src/store/registry.ts): the store's own
   * first, migrations of an older store with a progress line, then the roll-ups brought up to date.
   */
  private async createTables(fresh: boolean): Promise<void> {
    const progress = this.options.progress ?? ((text: string) => process.stderr.write(`bedrock-insights: ${text}\n`));
    for (const set of registeredTables()) {
      await this.ensureTables(set, { fresh: fresh && set.owner === STORE_OWNER, progress });
    }
    await this.writing(() => refreshRollupsOn(this.connection, progress));
  }

  /**
   * An owner's tables at its version, once per open store (an owner calls this before its first
   * use, so a module loaded after the store was opened finds its tables). A no-op read-only.
   */
  ensureTables(set: TableSet, opts: { fresh?: boolean; progress?: (text: string) => void } = {}): Promise<void> {
    if (this.options.readOnly) return Promise.resolve();
    let p = this.ready.get(set.owner);
    if (!p) {
      p = this.writing(() =>
        applyTables(this.connection, set, {
          path: this.path,
          ...(opts.fresh ? { fresh: true } : {}),
          ...(opts.progress ? { progress: opts.progress } : {}),
        }),
      );
      this.ready.set(set.owner, p);
      p.catch(() => this.ready.delete(set.owner));
    }
    return p;
  }

  /**
   * The store's write lock for events: every change to `events` (writers, deletes, re-pricing,
   * promoted columns, roll-up refreshes) runs under it, so a column added by one writer never
   * fails another's commit and roll-up refreshes do not race. Re-entrant.
   */
  writing<T>(fn: () => Promise<T>): Promise<T> {
    if (this.holdingWriteLock.getStore()) return fn();
    return this.writeLock.run(() => this.holdingWriteLock.run(true, fn));
  }

  /** A second connection, for work that must not wait on the main one (queries, cancellation). */
  async connect(): Promise<DuckDBConnection> {
    const c = await this.instance.connect();
    OWNERS.set(c, this);
    return c;
  }

  /**
   * Why the store no longer answers: DuckDB's message once it has invalidated the database (see
   * isStoreInvalidated), undefined while it answers. Other errors (a lock, a busy connection) are
   * not its health and rethrow.
   */
  async invalidation(): Promise<string | undefined> {
    let c: DuckDBConnection | undefined;
    try {
      c = await this.instance.connect();
      await c.run('SELECT 1 FROM meta LIMIT 1');
      return undefined;
    } catch (e) {
      if (!isStoreInvalidated(e)) throw e;
      const msg = errorMessage(e);
      // DuckDB adds the error that invalidated the database: that one says what happened.
      const original = /Original error: "?([^\n]*)/.exec(msg)?.[1]?.replace(/"$/, '');
      return original ?? msg.split('\n')[0];
    } finally {
      try {
        c?.closeSync();
      } catch {
        /* closed */
      }
    }
  }

  close(): void {
    try {
      this.connection.closeSync();
    } catch {
      /* already closed */
    }
    if (this.parent) return;
    try {
      this.instance.closeSync();
    } catch {
      /* already closed */
    }
  }
}

/**
 * DuckDB removes its spill folder (`<store>.tmp/`) only on a clean close: after a crash the files
 * stay, and on a full disk they are the space the user needs. Called while holding the store's
 * exclusive lock, so they belong to no running process.
 */
export function removeSpillFiles(path: string): number {
  const dir = `${path}.tmp`;
  let removed = 0;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  for (const name of names) {
    if (!SPILL_FILE.test(name)) continue;
    try {
      rmSync(join(dir, name), { force: true });
      removed++;
    } catch {
      /* a file we cannot remove is left as it was */
    }
  }
  try {
    rmdirSync(dir); // only when empty: a folder holding anything else is the user's
  } catch {
    /* not empty or already gone */
  }
  return removed;
}
