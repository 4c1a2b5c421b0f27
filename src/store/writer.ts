import {
  BIGINT,
  DOUBLE,
  DuckDBDataChunk,
  INTEGER,
  VARCHAR,
  type DuckDBConnection,
  type DuckDBValue,
} from '@duckdb/node-api';
import type { StoredEvent } from '../logs/event.js';
import { fieldNamesOf } from '../logs/fields.js';
import { HOT_COLUMNS } from '../logs/hot-fields.js';
import { applyCatalog, catalogBuckets, type BatchCatalog, type FieldCounts } from './catalog-write.js';
import { fromMap, metadataKey, promote } from './columns.js';
import { HOUR_MS, markBuckets, markChanged, refreshRollupsOn } from './rollups.js';
import { storeOf, type Store } from './store.js';
import { inTransaction } from './transaction.js';

export interface AppendResult {
  stored: number;
  duplicates: number;
}

/** Without `exact`, duplicates are looked for among events whose @timestamp is at most this far from the batch's. */
export const DEDUP_WINDOW_MS = 24 * 3600 * 1000;

/** Separator of field names in a catalog signature (`norm.sig`). */
export const SIG_SEP = '\x1f';
/** Marks a signature whose event nests deeper than the signature can say: flatten its message. */
export const SIG_DEEP = '\x01DEEP';

/**
 * The normalised rows every writer fills before storing: `norm` (a temp view, one row per
 * record, `reject` NULL: rejected records never reach it). Writers put their events in an
 * EventBatch, stageInto appends it column-wise into a staging table, and useStaged types it as
 * `norm` (stageEvents does both, through the connection's temporary `wstage`).
 * The hot columns come from their one declaration (src/logs/hot-fields.ts HOT_COLUMNS).
 */
const HOT = HOT_COLUMNS.map((c) => c.column).join(', ');
// Numbers are staged as DOUBLE (a JS number needs no BigInt; every token count and time is a safe
// integer, exact in a double) and cast by `norm`.
const STAGE_COLUMNS = `rn INTEGER, fid INTEGER, ln BIGINT, log_group VARCHAR, log_stream VARCHAR, ts DOUBLE, ingestion_ts DOUBLE, event_key VARCHAR, kind VARCHAR,
  ${HOT_COLUMNS.map((c) => `${c.column} ${c.type === 'string' ? 'VARCHAR' : 'DOUBLE'}`).join(', ')}, md_json VARCHAR, message VARCHAR, sig_id INTEGER`;
const WSTAGE_TYPES = [
  INTEGER,
  INTEGER,
  BIGINT,
  VARCHAR,
  VARCHAR,
  DOUBLE,
  DOUBLE,
  VARCHAR,
  VARCHAR,
  ...HOT_COLUMNS.map((c) => (c.type === 'string' ? VARCHAR : DOUBLE)),
  VARCHAR,
  VARCHAR,
  INTEGER,
];
const HOT_FROM_STAGE = HOT_COLUMNS.map((c) =>
  c.type === 'string' ? c.column : `CAST(${c.column} AS BIGINT) AS ${c.column}`,
).join(', ');
const APPEND_ROWS = 2048; // DuckDB's vector size: the most rows one data chunk holds

/** Signatures of the shared (frozen) name lists of discoverFieldsShared, each joined once. */
const SIGNATURES = new WeakMap<readonly string[], string>();

/** The catalog signature of an event's field names (`norm.sig`); SIG_DEEP when a name holds the separator. */
export function signatureOf(names: readonly string[]): string {
  let sig = SIGNATURES.get(names);
  if (sig === undefined) {
    sig = names.some((n) => n.includes(SIG_SEP)) ? SIG_DEEP : names.join(SIG_SEP);
    if (Object.isFrozen(names)) SIGNATURES.set(names, sig);
  }
  return sig;
}

/**
 * Normalised events on their way into `norm`, held column by column: an event is reduced to its
 * values when added, so a batch of 20,000 keeps no objects per event, and the records of a batch,
 * which mostly share their field names, share one signature string.
 */
export class EventBatch {
  readonly fids: number[] = [];
  readonly lns: bigint[] = [];
  readonly groups: string[] = [];
  readonly streams: string[] = [];
  readonly ts: number[] = [];
  readonly ingestion: number[] = [];
  readonly keys: string[] = [];
  readonly kinds: string[] = [];
  readonly hot: (string | number | null)[][] = HOT_COLUMNS.map(() => []);
  readonly md: (string | null)[] = [];
  readonly messages: string[] = [];
  /**
   * Each event's signature, as its place in sigList: a signature is ~850 characters (the
   * record's field names), and staging it with every row copied almost as many characters into
   * DuckDB as the messages themselves.
   */
  readonly sigIds: number[] = [];
  /** The batch's distinct signatures (`norm.sig_id` indexes it). */
  readonly sigList: string[] = [];
  /** Characters of the messages held. */
  chars = 0;
  /**
   * Records per log group and signature: the catalog's field counts when every record of the
   * batch is stored (storeNormalized), without DuckDB grouping the chunk by its long signatures
   * and scanning them for deep ones again (~3 s of a 1M-record ingest).
   */
  readonly sigCounts = new Map<string, Map<string, number>>();
  /** What the batch adds to log_groups, log_streams and the roll-up marks (see sigCounts). */
  readonly catalog: BatchCatalog = { groups: new Map(), exact: true };
  private readonly sigOf = new Map<string, number>();

  /** Rows staged and let go of (release): the columns hold the rows after them. */
  private releasedRows = 0;
  /** Characters of the messages held (not staged yet). */
  heldChars = 0;

  /** Rows of the batch, staged or held. */
  get size(): number {
    return this.releasedRows + this.keys.length;
  }

  /** Rows staged and let go of: the first held row is row `released + 1` of the batch (its `rn`). */
  get released(): number {
    return this.releasedRows;
  }

  /** Rows held in the columns, to be staged. */
  get held(): number {
    return this.keys.length;
  }

  /**
   * Lets go of the rows held once they are staged: a file ingest stages a row group's batch in
   * parts of about 10 MB of messages, so that Node does not hold a row group's rows. The counts
   * (sigList, sigCounts, catalog) stay: the writer reads them for the whole batch.
   */
  release(): void {
    this.releasedRows += this.keys.length;
    const columns = [this.fids, this.lns, this.groups, this.streams, this.ts, this.ingestion, this.keys, this.kinds];
    for (const column of [...columns, this.md, this.messages, this.sigIds, ...this.hot]) column.length = 0;
    this.heldChars = 0;
  }

  /** Adds an event read at line `ln` of file `fid` of the batch (PutLogEvents: its position, file 0). */
  push(e: StoredEvent, fid = 0, ln = this.size + 1): void {
    this.pushRow(e, rowExtras(e), fid, ln);
  }

  /**
   * push, with what rowExtras derives from the event already derived: a record normalised on
   * another thread (src/sources/normalized-part.ts) arrives with them, and `e` is then a view
   * whose requestMetadata and fieldNames are not read.
   */
  pushRow(e: StoredEvent, x: RowExtras, fid: number, ln: number): void {
    this.fids.push(fid);
    this.lns.push(BigInt(ln));
    this.groups.push(e.logGroup);
    this.streams.push(e.logStream);
    this.ts.push(e.timestamp);
    this.ingestion.push(e.ingestionTime);
    this.keys.push(e.eventKey);
    this.kinds.push(e.kind);
    HOT_COLUMNS.forEach((c, i) => this.hot[i].push(e[c.event]));
    this.md.push(x.md);
    this.messages.push(e.message);
    let id = this.sigOf.get(x.sig);
    if (id === undefined) {
      id = this.sigList.push(x.sig) - 1;
      this.sigOf.set(x.sig, id);
    }
    this.sigIds.push(id);
    const shared = this.sigList[id];
    let counts = this.sigCounts.get(e.logGroup);
    if (!counts) this.sigCounts.set(e.logGroup, (counts = new Map<string, number>()));
    counts.set(shared, (counts.get(shared) ?? 0) + 1);
    this.count(e, x.bytes);
    this.chars += e.message.length;
    this.heldChars += e.message.length;
  }
  /** The catalog's share of an event: as `ins` would be counted by SQL (strlen, min/max, ts // hour). */
  private count(e: StoredEvent, bytes: number): void {
    const c = this.catalog;
    if (!c.exact) return;
    if (!isTime(e.timestamp) || !isTime(e.ingestionTime)) {
      c.exact = false;
      return;
    }
    let g = c.groups.get(e.logGroup);
    if (!g) c.groups.set(e.logGroup, (g = { events: 0, generic: 0, bytes: 0, hours: new Set(), streams: new Map() }));
    g.events++;
    if (e.kind === 'generic') g.generic++;
    g.bytes += bytes;
    g.hours.add(e.timestamp - (e.timestamp % HOUR_MS));
    const st = g.streams.get(e.logStream);
    if (!st) g.streams.set(e.logStream, { first: e.timestamp, last: e.timestamp, lastIngestion: e.ingestionTime });
    else {
      if (e.timestamp < st.first) st.first = e.timestamp;
      if (e.timestamp > st.last) st.last = e.timestamp;
      if (e.ingestionTime > st.lastIngestion) st.lastIngestion = e.ingestionTime;
    }
  }
}

/** What a batch row holds that is derived from its event, not copied. */
export interface RowExtras {
  /** requestMetadata as JSON text (`md_json`), or null. */
  md: string | null;
  /** The catalog signature of its field names (signatureOf). */
  sig: string;
  /** UTF-8 bytes of its message (the catalog's stored bytes). */
  bytes: number;
}

/** An event's RowExtras. */
export function rowExtras(e: StoredEvent): RowExtras {
  return {
    md: e.requestMetadata ? JSON.stringify(e.requestMetadata) : null,
    sig: signatureOf(e.fieldNames),
    bytes: Buffer.byteLength(e.message, 'utf8'),
  };
}

/** A signature whose names are read from the message (SIG_DEEP, or a name holding \x01). */
function isDeep(sig: string): boolean {
  return sig.includes('\x01');
}

/** A time the batch can count as SQL would: a whole, non-negative, safe number of ms. */
function isTime(v: number): boolean {
  return Number.isSafeInteger(v) && v >= 0;
}

/** Where a batch's rows are staged: a table of a database (catalog) of the store's instance. */
export interface StageTable {
  catalog: string;
  table: string;
}

/** The connection's own temporary `wstage` (PutLogEvents batches; a chunk writer without a pipeline). */
const TEMP_STAGE: StageTable = { catalog: 'temp', table: 'wstage' };

/**
 * An in-memory database attached to the store's instance: a file ingest stages its next chunk
 * there on a second connection while the previous chunk is still being stored (a connection's
 * temporary tables are its own). In memory: no WAL, nothing left on disk.
 */
export const STAGE_DB = 'bi_stage';

/** Attaches STAGE_DB (once per instance: attached databases are shared by its connections). */
export async function attachStaging(conn: DuckDBConnection): Promise<void> {
  await conn.run(`ATTACH IF NOT EXISTS ':memory:' AS ${STAGE_DB}`);
}

function stageName(t: StageTable): string {
  return `${t.catalog}.main.${t.table}`;
}

/**
 * Appends the rows a batch holds into `target`: created afresh, or (`append`, a later part of the
 * same batch) added to. A data chunk at a time, column-wise (the fastest way into DuckDB from
 * Node). The appender works on the calling thread; `yielding` gives the event loop a turn between
 * data chunks, so that another connection's statements (the previous batch being stored) are
 * issued meanwhile, not after the whole batch.
 */
export async function stageInto(
  conn: DuckDBConnection,
  batch: EventBatch,
  target: StageTable,
  yielding = false,
  append = false,
): Promise<void> {
  const table = target.catalog === 'temp' ? `TEMP TABLE ${target.table}` : `TABLE ${stageName(target)}`;
  if (!append) await conn.run(`CREATE OR REPLACE ${table} (${STAGE_COLUMNS})`);
  const app = await conn.createAppender(target.table, 'main', target.catalog);
  try {
    const n = batch.held;
    const first = batch.released + 1;
    for (let i = 0; i < n; i += APPEND_ROWS) {
      if (yielding && i > 0) await new Promise((resolve) => setImmediate(resolve));
      const m = Math.min(APPEND_ROWS, n - i);
      const chunk = DuckDBDataChunk.create(WSTAGE_TYPES, m);
      let col = 0;
      const set = (values: readonly DuckDBValue[]): void => chunk.setColumnValues(col++, values.slice(i, i + m));
      const rns = new Array<number>(m);
      for (let k = 0; k < m; k++) rns[k] = first + i + k;
      chunk.setColumnValues(col++, rns);
      set(batch.fids);
      set(batch.lns);
      set(batch.groups);
      set(batch.streams);
      set(batch.ts);
      set(batch.ingestion);
      set(batch.keys);
      set(batch.kinds);
      for (const values of batch.hot) set(values);
      set(batch.md);
      set(batch.messages);
      set(batch.sigIds);
      app.appendDataChunk(chunk);
    }
    app.flushSync();
  } finally {
    app.closeSync();
  }
}

/**
 * Types the rows staged in `source` as the connection's `norm`. A view, not a copy: its casts and
 * the map are computed where a statement reads them (the INSERT), and the chunk's messages are not
 * copied once more (a CREATE TABLE AS of them was ~10% of the store's side of an ingest).
 */
export async function useStaged(conn: DuckDBConnection, source: StageTable = TEMP_STAGE): Promise<void> {
  await conn.run(`CREATE OR REPLACE TEMP VIEW norm AS SELECT rn, fid, ln, NULL::VARCHAR AS reject, NULL::VARCHAR AS reject_field,
      log_group, log_stream, CAST(ts AS BIGINT) AS ts, CAST(ingestion_ts AS BIGINT) AS ingestion_ts,
      event_key, kind, ${HOT_FROM_STAGE},
      CASE WHEN md_json IS NOT NULL THEN json_transform(md_json, '"MAP(VARCHAR, VARCHAR)"') END AS request_metadata,
      message, sig_id FROM ${stageName(source)}`);
}

/** Drops a staged table of STAGE_DB (and `norm`, which would read a table gone). */
export async function dropStaged(conn: DuckDBConnection, source: StageTable): Promise<void> {
  await conn.run('DROP VIEW IF EXISTS temp.main.norm');
  await conn.run(`DROP TABLE IF EXISTS ${stageName(source)}`);
}

/** Stages a batch as the connection's `norm`, through its temporary `wstage`. */
export async function stageEvents(conn: DuckDBConnection, batch: EventBatch): Promise<void> {
  await stageInto(conn, batch, TEMP_STAGE);
  await useStaged(conn, TEMP_STAGE);
}

/** The columns of `events` a writer fills from `norm` (seq and the promoted columns besides). */
export const EVENT_COLUMNS = `log_group, log_stream, ts, ingestion_ts, event_key, kind, ${HOT}, request_metadata, message`;

/** A record not stored because its key was stored already, though its content differs. */
export interface Conflict {
  /** Where the record not stored was read: its position in the batch, file index and line. */
  rn: number;
  fid: number;
  ln: number;
  eventKey: string;
  /** What differs from the record kept (field names as in the record; `@timestamp`). */
  fields: string[];
}

export interface StoreNormalizedResult {
  /** Valid rows offered. */
  valid: number;
  stored: number;
  duplicates: number;
  /** Duplicates whose content differs from the record kept (counted among `duplicates`). */
  conflicts: number;
  /** The first conflicts, at most CONFLICTS_KEPT. */
  conflictExamples: Conflict[];
}

export interface StoreNormalizedOptions {
  /**
   * Look for each key in the whole store, not only within DEDUP_WINDOW_MS of the batch's times:
   * what ingest promises (a requestId is stored once, whenever it is ingested again). It costs a
   * scan of the keys of the store per batch (measured: 0.1 µs per stored event, about 0.5 s per
   * 100,000-record chunk on a 5M-event store). Pushed events (PutLogEvents) have keys unique by
   * construction and use the window.
   */
  exact?: boolean;
  /** The batch `norm` was staged from: its signatures (sig_id), and its counts stand for `ins` when every row is stored. */
  batch: EventBatch;
  /** Columns filled as the rows go in (WriteHook.atInsert), called only when rows are stored. */
  atInsert?: (conn: DuckDBConnection) => Promise<InsertColumns | undefined>;
}

/**
 * The one hook after a committed write of events, whoever wrote (file, S3 and CloudWatch ingest
 * chunks, PutLogEvents batches): what follows the events into the store plugs in here once
 * (pricing). `afterCommit` runs after each commit that stored rows, on the writer's connection,
 * outside its transaction; a hook may defer its work (a burst of small batches) until `flush`,
 * which the writer's owner calls when it is done or idle. The store's own follow-up, the hourly
 * roll-ups, runs after the hook.
 */
export interface WriteHook {
  /**
   * Inside the write's transaction, before its INSERT, on the writer's connection: columns the
   * hook fills as the rows of `ins` go in (pricing: the costs, so a row is written once), or
   * undefined to leave them to afterCommit.
   */
  atInsert?(conn: DuckDBConnection): Promise<InsertColumns | undefined>;
  afterCommit(conn: DuckDBConnection): Promise<void>;
  flush(): Promise<void>;
}

/** Columns a hook fills at insert: `table` (temporary, on the writer's connection) has a row per `rn` of `ins` it fills, `values[i]` (its column) for events' `columns[i]`; rows without one get NULL. */
export interface InsertColumns {
  table: string;
  columns: readonly string[];
  values: readonly string[];
}

export interface CommitOptions extends StoreNormalizedOptions {
  /** Written in the same transaction as the events (ingest checkpoints). */
  alongside?: () => Promise<void>;
  hook?: WriteHook;
  /**
   * The caller brings the roll-ups up to date itself (refreshRollups), after several writes: a
   * file ingest does it once per row group. The write's buckets are marked in its transaction
   * all the same, so queries meanwhile read them from the events and stay exact.
   */
  deferRollups?: boolean;
}

/**
 * One write: the valid rows of `norm` stored (storeNormalized) and `alongside` in one transaction
 * under the store's write lock, then the hook, then the roll-ups brought up to date. Every writer
 * of events goes through here.
 */
export async function commitNormalized(conn: DuckDBConnection, opts: CommitOptions): Promise<StoreNormalizedResult> {
  const store = storeOf(conn);
  const r = await store.writing(() =>
    inTransaction(conn, async () => {
      const stored = await storeNormalized(conn, Date.now(), {
        ...opts,
        ...(opts.hook?.atInsert ? { atInsert: opts.hook.atInsert.bind(opts.hook) } : {}),
      });
      await opts.alongside?.();
      return stored;
    }),
  );
  if (r.stored > 0) {
    await opts.hook?.afterCommit(conn);
    if (!opts.deferRollups) await refreshRollups(store, conn);
  }
  return r;
}

/** The roll-ups brought up to date after a change to events (on `conn`, default a connection of its own). */
export async function refreshRollups(store: Store, conn?: DuckDBConnection): Promise<void> {
  if (store.options.readOnly) return;
  const c = conn ?? (await store.connect());
  try {
    await store.writing(() => refreshRollupsOn(c));
  } finally {
    if (!conn) c.closeSync();
  }
}

export const CONFLICTS_KEPT = 10;
/** A duplicate whose @timestamp is further than this from the kept record's is a conflict (a CloudWatch export's event time is seconds to minutes after the record's). */
export const CONFLICT_TIME_MS = 3600 * 1000;

/** What is compared between a duplicate and the record kept: [name in the record, column]. */
const COMPARED: [string, string][] = [
  ['operation', 'operation'],
  ['modelId', 'model_id'],
  ['accountId', 'account_id'],
  ['region', 'region'],
  ['identity.arn', 'identity_arn'],
  ['errorCode', 'error_code'],
  ['input.inputTokenCount', 'input_tokens'],
  ['output.outputTokenCount', 'output_tokens'],
  ['input.cacheReadInputTokenCount', 'cache_read_tokens'],
  ['input.cacheWriteInputTokenCount', 'cache_write_tokens'],
];

/** The names of what differs between rows a (the duplicate) and b (the record kept). */
function differences(a: string, b: string): string {
  const parts = COMPARED.map(([name, col]) => `CASE WHEN ${a}.${col} IS DISTINCT FROM ${b}.${col} THEN '${name}' END`);
  parts.push(`CASE WHEN abs(${a}.ts - ${b}.ts) > ${CONFLICT_TIME_MS} THEN '@timestamp' END`);
  return `list_filter([${parts.join(', ')}], x -> x IS NOT NULL)`;
}

/**
 * Stores the valid rows of `norm` that are new: each (log_group, event_key) once, against the
 * store and within the batch (first row wins), with seq from `event_seq` in batch order (seqBase); then
 * updates the catalog from what was actually stored. Runs inside the caller's transaction.
 * `norm` columns: rn (the row's unique position, batch order), fid, ln (where it was read, for
 * reports), reject (NULL = valid), the events columns, sig_id (into opts.batch.sigList). Duplicates whose content differs
 * from the record kept are counted as conflicts.
 */
export async function storeNormalized(
  conn: DuckDBConnection,
  now: number,
  opts: StoreNormalizedOptions,
): Promise<StoreNormalizedResult> {
  // Without `exact`, the probe reads only events within a day of the batch's times: the store's
  // zone maps on ts then skip most of it, so the cost per batch does not grow with the store.
  let window = 'true';
  if (!opts.exact) {
    const range = await conn.runAndReadAll(
      `SELECT min(ts) - ${DEDUP_WINDOW_MS}, max(ts) + ${DEDUP_WINDOW_MS} FROM norm WHERE reject IS NULL`,
    );
    const [lo, hi] = range.getRows()[0];
    window = `e.ts BETWEEN ${Number(lo ?? 0)} AND ${Number(hi ?? 0)}`;
  }
  // firsts: the first row of each key in the batch; ins_pos: those new in the store. Only keys
  // are materialised; the rows are read from norm once, by the INSERT.
  await conn.run(`CREATE OR REPLACE TEMP TABLE firsts AS
    SELECT log_group, event_key, min(rn) AS rn FROM norm WHERE reject IS NULL GROUP BY log_group, event_key`);
  // k: the row's place among those stored (1, 2, …), from which its seq follows.
  await conn.run(`CREATE OR REPLACE TEMP TABLE ins_pos AS
    SELECT b.rn, row_number() OVER (ORDER BY b.rn) AS k FROM firsts b
    WHERE NOT EXISTS (SELECT 1 FROM events e WHERE ${window} AND e.log_group = b.log_group AND e.event_key = b.event_key)`);
  const counts = await conn.runAndReadAll(
    `SELECT (SELECT count(*) FROM norm WHERE reject IS NULL), (SELECT count(*) FROM ins_pos)`,
  );
  const [valid, stored] = counts.getRows()[0].map((v) => Number(v));
  // Before the INSERT: the store's copy of a key is then the one stored before this batch.
  const conflicts = valid > stored ? await findConflicts(conn, window) : { count: 0, examples: [] };
  await conn.run(`CREATE OR REPLACE TEMP VIEW ins AS SELECT n.*, p.k FROM norm n JOIN ins_pos p ON n.rn = p.rn`);
  // The batch stands for `ins` when every row of it is stored.
  const whole = stored === valid && opts.batch.size === valid;
  const fields = stored === 0 ? new Map<string, Map<string, number>>() : await fieldCountsOf(conn, opts.batch, whole);
  // Request-metadata keys seen for the first time get their column before the rows go in.
  const promoted = await promote(conn, newMetadataFields(fields), now);
  const md = promoted.map((p) => p.column);
  const mdFrom = promoted.map((p) => fromMap(p));
  const extra = stored > 0 ? await opts.atInsert?.(conn) : undefined;
  const cols = [...md, ...(extra?.columns ?? [])].map((c) => `, ${c}`).join('');
  const values = [...mdFrom, ...(extra?.values ?? [])].map((c) => `, ${c}`).join('');
  const rows = extra ? `ins n LEFT JOIN ${extra.table} USING (rn)` : 'ins';
  await conn.run(`INSERT INTO events (seq, ${EVENT_COLUMNS}${cols})
    SELECT ${await seqBase(conn, stored)} + k, ${EVENT_COLUMNS}${values} FROM ${rows}`);
  if (stored > 0) {
    const counted = whole && opts.batch.catalog.exact ? opts.batch.catalog : undefined;
    await applyCatalog(conn, fields, now, counted);
    if (counted) await markBuckets(conn, catalogBuckets(counted));
    else await markChanged(conn, 'SELECT log_group, ts FROM ins');
  }
  return {
    valid,
    stored,
    duplicates: valid - stored,
    conflicts: conflicts.count,
    conflictExamples: conflicts.examples,
  };
}

/**
 * Takes `n` values of `event_seq` and returns the one before the first: the rows' seq are then
 * base + k, in batch order, with no sort of the rows by rn (taking nextval per row in rn order
 * sorted the chunk's rows, messages and all: 0.7 s of a 200k-record ingest). The values are
 * contiguous because every writer takes them under the store's write lock; checked all the same.
 */
async function seqBase(conn: DuckDBConnection, n: number): Promise<number> {
  if (n === 0) return 0;
  const r = await conn.runAndReadAll(
    `SELECT min(v), max(v) FROM (SELECT nextval('event_seq') AS v FROM range(${Math.trunc(n)}))`,
  );
  const [lo, hi] = r.getRows()[0].map((v) => Number(v));
  if (hi - lo + 1 !== n)
    throw new Error(`event_seq gave ${n} values from ${lo} to ${hi}: another writer took values meanwhile`);
  return lo - 1;
}

/**
 * Duplicates that differ from the record kept: a later row of the batch against the batch's first
 * of its key, and a batch's first against the store's copy (the first stored).
 */
async function findConflicts(conn: DuckDBConnection, window: string): Promise<{ count: number; examples: Conflict[] }> {
  await conn.run(`CREATE OR REPLACE TEMP TABLE conflicts AS
    SELECT n.rn, n.fid, n.ln, n.event_key, ${differences('n', 'k')} AS fields
    FROM norm n JOIN firsts f ON n.log_group = f.log_group AND n.event_key = f.event_key AND n.rn <> f.rn
      JOIN norm k ON k.rn = f.rn
    WHERE n.reject IS NULL
    UNION ALL
    SELECT n.rn, n.fid, n.ln, n.event_key, ${differences('n', 'e')} AS fields
    FROM norm n JOIN firsts f ON n.rn = f.rn
      JOIN events e ON ${window} AND e.log_group = n.log_group AND e.event_key = n.event_key
    WHERE n.rn NOT IN (SELECT rn FROM ins_pos)
    QUALIFY row_number() OVER (PARTITION BY n.rn ORDER BY e.seq) = 1`);
  const r = await conn.runAndReadAll(`SELECT (SELECT count(*) FROM conflicts WHERE len(fields) > 0),
      (SELECT list({'rn': rn, 'fid': fid, 'ln': ln, 'key': event_key, 'fields': fields} ORDER BY rn)
       FROM (SELECT * FROM conflicts WHERE len(fields) > 0 ORDER BY rn LIMIT ${CONFLICTS_KEPT}))`);
  const [count, list] = r.getRowsJS()[0] as [
    bigint | number,
    { rn: number; fid: number; ln: number; key: string; fields: string[] }[] | null,
  ];
  return {
    count: Number(count),
    examples: (list ?? []).map((c) => ({
      rn: Number(c.rn),
      fid: Number(c.fid),
      ln: Number(c.ln),
      eventKey: c.key,
      fields: [...c.fields],
    })),
  };
}

/** The request-metadata fields of a batch, most frequent first (the order they are promoted in). */
function newMetadataFields(fields: FieldCounts): string[] {
  const total = new Map<string, number>();
  for (const m of fields.values())
    for (const [f, n] of m) if (metadataKey(f) !== undefined) total.set(f, (total.get(f) ?? 0) + n);
  return [...total].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([f]) => f);
}

/**
 * Field -> number of stored events, per log group, from the signatures of `ins` (`batch`, which
 * `norm` was staged from, holds them); from the batch's own counts when it is what `ins` holds
 * (`whole`: every row of the batch stored).
 */
async function fieldCountsOf(conn: DuckDBConnection, batch: EventBatch, whole: boolean): Promise<FieldCounts> {
  const out: FieldCounts = new Map();
  const add = (group: string, field: string, n: number): void => {
    let m = out.get(group);
    if (!m) out.set(group, (m = new Map<string, number>()));
    m.set(field, (m.get(field) ?? 0) + n);
  };
  const sigs: [string, string, number][] = [];
  if (whole) {
    for (const [group, m] of batch.sigCounts) for (const [sig, n] of m) if (!isDeep(sig)) sigs.push([group, sig, n]);
  } else {
    const r = await conn.runAndReadAll(`SELECT log_group, sig_id, count(*) FROM ins GROUP BY ALL`);
    for (const [group, id, n] of r.getRows()) {
      const sig = batch.sigList[Number(id)];
      if (sig === undefined) throw new Error(`norm.sig_id ${String(id)} is not a signature of the batch staged`);
      if (!isDeep(sig)) sigs.push([String(group), sig, Number(n)]);
    }
  }
  for (const [group, sig, n] of sigs) {
    if (sig === '') continue;
    const names = new Set(sig.split(SIG_SEP));
    for (const f of names) add(group, f, n);
  }
  const deepIds = batch.sigList.flatMap((sig, id) => (isDeep(sig) ? [id] : []));
  if (deepIds.length === 0) return out;
  // Deep structures (bodies kept, arrays, unknown nested objects): flatten exactly, in Node. Most
  // records of a group share their list of names, so each distinct list is counted once and added
  // at the end: one map update per record instead of one per field (issue 12). A list is keyed by
  // its names joined with SIG_SEP; only lists whose names hold no SIG_SEP are kept, so a key with
  // as many names as the kept list is that list (a name holding the separator is counted alone).
  const lists = new Map<string, Map<string, { names: string[]; n: number }>>();
  const deep = await conn.stream(`SELECT log_group, message FROM ins WHERE sig_id IN (${deepIds.join(', ')})`);
  for (;;) {
    const chunk = await deep.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    for (const [group, message] of chunk.getRows()) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(String(message));
      } catch {
        continue;
      }
      const g = String(group);
      const names = fieldNamesOf(parsed);
      let m = lists.get(g);
      if (!m) lists.set(g, (m = new Map<string, { names: string[]; n: number }>()));
      const key = names.join(SIG_SEP);
      const seen = m.get(key);
      if (seen && seen.names.length === names.length) seen.n++;
      else if (!seen && !names.some((f) => f.includes(SIG_SEP))) m.set(key, { names, n: 1 });
      else for (const f of names) add(g, f, 1);
    }
  }
  for (const [g, m] of lists) for (const { names, n } of m.values()) for (const f of names) add(g, f, n);
  return out;
}

/**
 * Writes normalised events: stores each (log group, event key) once, and keeps the catalog
 * (fields, log_groups, log_streams) current. Uses its own connection, so that it can run beside
 * queries and a file ingest.
 */
export class EventWriter {
  private conn: DuckDBConnection | null = null;
  constructor(
    readonly store: Store,
    /** Runs after each batch that stored events (PutLogEvents prices through it). */
    readonly hook?: WriteHook,
  ) {}

  async append(events: StoredEvent[]): Promise<AppendResult> {
    if (events.length === 0) return { stored: 0, duplicates: 0 };
    const conn = (this.conn ??= await this.store.connect());
    const batch = new EventBatch();
    for (const e of events) batch.push(e);
    await stageEvents(conn, batch);
    // The keys of pushed events are unique by construction: the windowed probe is exact for them.
    const r = await commitNormalized(conn, { batch, ...(this.hook ? { hook: this.hook } : {}) });
    return { stored: r.stored, duplicates: r.duplicates };
  }

  close(): void {
    try {
      this.conn?.closeSync();
    } catch {
      /* already closed */
    }
    this.conn = null;
  }
}
