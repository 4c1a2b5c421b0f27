import { availableParallelism } from 'node:os';
import type { DuckDBConnection } from '@duckdb/node-api';
import { sqlString } from '../store/sql.js';
import { inTransaction } from '../store/transaction.js';
import { catalogBuckets } from '../store/catalog-write.js';
import { MAX_DIRTY_FOR_QUERIES } from '../store/rollups.js';
import { storeOf } from '../store/store.js';
import {
  CONFLICTS_KEPT,
  EventBatch,
  STAGE_DB,
  attachStaging,
  commitNormalized,
  dropStaged,
  refreshRollups,
  stageEvents,
  stageInto,
  useStaged,
  type StageTable,
  type WriteHook,
} from '../store/writer.js';
import { BiError } from '../util/errors.js';
import { normalizeText, type RecordText } from './normalize-text.js';
import type { PartRow } from './normalized-part.js';
import { OrderedNormalizer } from './ordered-normalizer.js';

export interface RejectedRecord {
  file: string;
  line: number;
  reason: string;
  field?: string;
}

/** Something done to a file that the user should know of, though nothing was rejected (UTF-16 converted…). */
export interface FileNote {
  file: string;
  note: string;
}

/** A record not stored because a record with its key (requestId) was, though their content differs. */
export interface ConflictExample {
  file: string;
  line: number;
  eventKey: string;
  /** What differs from the record kept. */
  fields: string[];
}

export interface ChunkTotals {
  stored: number;
  duplicates: number;
  rejected: number;
  /** Duplicates whose content differs from the record kept (counted among duplicates too). */
  conflicts: number;
  /** The first conflicts, at most CONFLICTS_KEPT. */
  conflictExamples: ConflictExample[];
  /** The first rejections, at most REJECTS_KEPT (all are counted). */
  rejects: RejectedRecord[];
  /** The first notes, at most REJECTS_KEPT. */
  notes: FileNote[];
  /** Each rejection as it happens, all of them (`ingest --rejects FILE` writes them out). */
  onReject?: (r: RejectedRecord) => void;
}

/** Fresh totals for one ingest run. */
export function newTotals(onReject?: (r: RejectedRecord) => void): ChunkTotals {
  return {
    stored: 0,
    duplicates: 0,
    rejected: 0,
    conflicts: 0,
    conflictExamples: [],
    rejects: [],
    notes: [],
    ...(onReject ? { onReject } : {}),
  };
}

export const REJECTS_KEPT = 1000;
/** DuckDB's row group size (rows). */
const ROW_GROUP_ROWS = 122_880;
/** $BEDROCK_INSIGHTS_INGEST_CHUNK: records per chunk, whatever the source (the interrupted-ingest test uses it). */
const CHUNK_ENV =
  Number(process.env.BEDROCK_INSIGHTS_INGEST_CHUNK) > 0 ? Number(process.env.BEDROCK_INSIGHTS_INGEST_CHUNK) : 0;
/**
 * Without a pipeline (CloudWatch), a chunk is committed when it holds this many records or
 * CHUNK_BYTES characters of messages, or when it completes a row group (see store()).
 */
export const CHUNK_RECORDS = CHUNK_ENV || 100_000;
/**
 * With a pipeline (files, S3), a chunk is a row group: one transaction stores 122,880 rows, and
 * DuckDB then writes them straight to the file, compressed ("optimistic write"), where smaller
 * transactions wrote every row into the WAL at commit and once more, compressed, at the row
 * group's checkpoint. A row group of records with bodies (a DuckDB file of 122,880 rows): 1.85 s
 * in 13 transactions (inserts 0.42, commits 0.64, checkpoint 0.79 s), 1.06 s in one (inserts
 * 0.32, commit 0.74, checkpoint 0.01 s). Its messages are staged in parts of CHUNK_BYTES as they
 * are read (afterAdd), so that Node does not hold the row group.
 */
const PIPELINE_RECORDS = CHUNK_ENV || ROW_GROUP_ROWS;
/**
 * ...when its messages fit in this many characters: a row group of records with reduced bodies
 * holds ~140 MB (1M demo records: 1,113 characters a message on average), one of records whose
 * bodies are kept can hold gigabytes. A chunk whose first CHUNK_BYTES say that its row group
 * would not fit is cut there, as without a pipeline: short of a row group it goes through the WAL
 * and DuckDB holds it in memory until it commits, and with two such chunks of 192 MB at once (one
 * stored, the next staged) an ingest of records with 43 KB bodies ran out of DuckDB's 256 MB;
 * cut at 10 MB it took 11.6 s and peaked at 676 MB for 20,000 of them. A chunk that reaches this
 * size all the same (larger records later in it) is cut there, and stored before the next is read.
 */
const PIPELINE_CHUNK_CHARS = 192 * 1024 * 1024;
/**
 * Characters of messages a chunk holds in Node (without a pipeline: then it is committed; with
 * one: then its rows are staged). 10 MB: the 1M-record ingest peaked at 1,047 MB with 16 MB,
 * 958-1,045 MB with 12 MB, 917 MB with 10 MB, no slower. $BEDROCK_INSIGHTS_INGEST_CHUNK_MB sets it
 * (tuning).
 */
export const CHUNK_BYTES =
  (Number(process.env.BEDROCK_INSIGHTS_INGEST_CHUNK_MB) > 0
    ? Number(process.env.BEDROCK_INSIGHTS_INGEST_CHUNK_MB)
    : 10) *
  1024 *
  1024;
const CHECKPOINT_ROWS = 500;
/**
 * How long a reader may hold the event loop while a chunk is being stored (see afterAdd): each of
 * the chunk's ~35 statements waits up to this long to be issued. 200k records: 15.5 s with 2 ms
 * (checked every 32 records), 14.3-14.7 s with 0.3 ms (every 4), no better with 0.1 ms.
 */
const YIELD_MS = 0.3;
/**
 * Threads normalising record texts for a file or S3 ingest (NormalizerThread): one when the
 * machine has a second core ($BEDROCK_INSIGHTS_INGEST_THREADS=0: none, everything on the main
 * thread). S3 layout, 250k records: see bench/README.md.
 */
export const INGEST_THREADS =
  process.env.BEDROCK_INSIGHTS_INGEST_THREADS !== undefined &&
  Number.isInteger(Number(process.env.BEDROCK_INSIGHTS_INGEST_THREADS))
    ? Math.min(1, Math.max(0, Number(process.env.BEDROCK_INSIGHTS_INGEST_THREADS)))
    : availableParallelism() >= 2
      ? 1
      : 0;
/**
 * The thread starts once an ingest has normalised this many characters of record text itself:
 * small ingests (a day of a small team, the tests) never pay for starting one (~50 ms, more
 * from source). S3 layout: 10.5-10.9 s with 4 MB, 11.0-11.3 s with 16 MB.
 */
const THREAD_AFTER_CHARS = 4 * 1024 * 1024;
/** Chunk writers made in this process (their staging tables are named apart). */
let writers = 0;

export interface Checkpoint {
  path: string;
  size: number;
  mtimeMs: number;
  records: number;
}

export interface ChunkWriterOptions {
  /** The log group records go into; `setLogGroup` changes it between sources. */
  logGroup: string;
  defaultStream: string;
  keepBodies: boolean;
  strict: boolean;
  /** Records per chunk (default: a row group with a pipeline, CHUNK_RECORDS without). */
  chunkRecords?: number;
  /** With a pipeline: characters of messages staged at a time (default CHUNK_BYTES). */
  partChars?: number;
  /** With a pipeline: characters of messages a chunk holds at most (default PIPELINE_CHUNK_CHARS). */
  chunkChars?: number;
  /** The store writer's hook, after each chunk that stored records has committed (pricing). */
  hook?: WriteHook;
  /**
   * flush() returns once the chunk is staged, and DuckDB normalises and stores it while the caller
   * reads the next one (flush waits for the previous chunk first, so chunks commit in order).
   * Only for callers that do nothing else on the connection between flushes.
   */
  pipeline?: boolean;
  /** Threads normalising record texts (0 or 1; default 0: on the calling thread). See INGEST_THREADS. */
  threads?: number;
  /** Characters normalised on the calling thread before the thread starts (default THREAD_AFTER_CHARS). */
  threadAfterChars?: number;
}

/**
 * Normalises record texts as they are added (normalizeBedrockRecord: the one set of rules, with
 * the bodies reduced unless kept), and stores them in chunks, one transaction per chunk. The file's checkpoint row is written in the
 * transaction of its last chunk, so an interrupted file is read again in full, and the
 * dedup on (log group, event key) absorbs what its earlier chunks already stored.
 */
export class ChunkWriter {
  private batch = new EventBatch();
  /** The delivery time of the file being read: @ingestionTime of its records that carry none. */
  private delivered: number | undefined;
  private logGroup: string;
  /** Files of this chunk (index = fid) and the checkpoints of those read to the end. */
  private files: string[] = [];
  private checkpoints: Checkpoint[] = [];
  /** The file being read. */
  private get fid(): number {
    return this.files.length - 1;
  }

  constructor(
    private readonly conn: DuckDBConnection,
    private readonly opts: ChunkWriterOptions,
    readonly totals: ChunkTotals,
  ) {
    this.logGroup = opts.logGroup;
  }

  /** The records added next go into this log group (a chunk has one: the caller flushes first). */
  setLogGroup(group: string): void {
    if (this.pending > 0) throw new Error('setLogGroup with records pending');
    this.logGroup = group;
  }

  static create(conn: DuckDBConnection, opts: ChunkWriterOptions, totals: ChunkTotals): Promise<ChunkWriter> {
    return Promise.resolve(new ChunkWriter(conn, opts, totals));
  }

  /** Records waiting for the next flush (and, with the thread, what is queued). */
  get pending(): number {
    return this.batch.size + (this.thread?.queued ?? 0);
  }

  /** Starts a file: the records added next belong to it; `deliveredMs` is their default @ingestionTime. */
  beginFile(path: string, deliveredMs?: number): void {
    this.delivered = deliveredMs; // read as records are added (add), not as they are applied
    this.inOrder(() => this.files.push(path));
  }

  /** The current file was read to its end: its checkpoint is committed with its last records. */
  endFile(checkpoint: Checkpoint): void {
    this.inOrder(() => this.checkpoints.push(checkpoint));
  }

  /** Records added since the writer was created. */
  added = 0;
  /** Rows stored since this writer's last checkpoint, and the rows of the chunk being stored. */
  private sinceCheckpoint = 0;
  private inflightRows = 0;
  /**
   * Roll-up buckets (log group, hour) marked since the roll-ups were last brought up to date
   * (Infinity: unknown). The roll-ups are refreshed once per row group, at the end, and when half
   * of MAX_DIRTY_FOR_QUERIES buckets wait (sparse timestamps), not after every chunk: a refresh is
   * a transaction of about ten statements, and refreshing after each chunk was 13% of a 1M-record
   * ingest (67.4 s, now 58.5 s). Meanwhile queries read the waiting buckets from the events, exact.
   */
  private unrolled = 0;

  /**
   * Normalises one record text, or rejects it with its reason. Unless bodies are kept, they are
   * reduced to what is not sensitive (src/logs/bodies.ts) whatever the source. `evTs`, `ingTs`
   * and `stream` are a CloudWatch event's own time, ingestion time and stream.
   */
  add(line: number, raw: string, evTs?: number, ingTs?: number, stream?: string): void {
    this.added++;
    const r: RecordText = {
      raw,
      ingestionTime: ingTs ?? this.delivered ?? Date.now(),
      ...(evTs === undefined ? {} : { eventTimestamp: evTs }),
      logStream: stream ?? this.opts.defaultStream,
    };
    const thread = this.threaded(raw.length);
    if (thread) return thread.add(r, line);
    const n = normalizeText(r, { logGroup: this.logGroup, keepBodies: this.opts.keepBodies });
    if (!n.ok) return this.rejectLine(line, n.reason, n.field);
    this.batch.push(n.event, this.fid, line);
  }

  /**
   * The normaliser thread (options `threads`), started once `threadAfterChars` of record text
   * were normalised here. From then on what readers do goes through its queue, in order.
   */
  private thread: OrderedNormalizer | undefined;
  /** Characters of record text normalised on this thread (until the thread starts). */
  private inlineChars = 0;

  /** The thread a record of `chars` characters goes to, started when it is time; undefined: normalise it here. */
  private threaded(chars: number): OrderedNormalizer | undefined {
    if (this.thread || (this.opts.threads ?? 0) < 1) return this.thread;
    this.inlineChars += chars;
    if (this.inlineChars <= (this.opts.threadAfterChars ?? THREAD_AFTER_CHARS)) return undefined;
    return (this.thread = new OrderedNormalizer({ logGroup: this.logGroup, keepBodies: this.opts.keepBodies }));
  }

  /** Applies `op` now, or after what the thread has queued before it. */
  private inOrder(op: () => void): void {
    if (this.thread) this.thread.later(op);
    else op();
  }

  /** A record back from the thread, applied as add and afterAdd do without it. */
  private readonly applyRow = {
    row: async (row: PartRow, line: number): Promise<void> => {
      if (row.ok) this.batch.pushRow(row.event, row.extras, this.fid, line);
      else this.rejectLine(line, row.reason, row.field);
      await this.afterRecord();
    },
  };

  /** A record refused before it reached SQL (for example a CloudWatch event without a timestamp). */
  reject(line: number, reason: string, field?: string): void {
    this.inOrder(() => this.rejectLine(line, reason, field));
  }

  /** A rejection at `line` of the current file. */
  private rejectLine(line: number, reason: string, field?: string): void {
    this.rejectIn(this.files[this.fid] ?? '', line, reason, field);
  }

  /** A file or folder that could not be read at all (line 0). */
  rejectPath(path: string, reason: string): void {
    this.inOrder(() => this.rejectIn(path, 0, reason));
  }

  /** A note about the current file (it was converted, or part of it ignored). */
  note(note: string): void {
    this.inOrder(() => {
      if (this.totals.notes.length < REJECTS_KEPT) this.totals.notes.push({ file: this.files[this.fid] ?? '', note });
    });
  }

  private rejectIn(file: string, line: number, reason: string, field?: string): void {
    const r: RejectedRecord = { file, line, reason, ...(field ? { field } : {}) };
    if (this.opts.strict) throw strictError(r);
    this.totals.rejected++;
    if (this.totals.rejects.length < REJECTS_KEPT) this.totals.rejects.push(r);
    this.totals.onReject?.(r);
  }

  get full(): boolean {
    // A chunk ends where a row group would: see the checkpoint in store().
    const toRowGroup = ROW_GROUP_ROWS - this.sinceCheckpoint - this.inflightRows;
    const records = this.opts.chunkRecords ?? (this.opts.pipeline ? PIPELINE_RECORDS : CHUNK_RECORDS);
    const most = Math.min(records, toRowGroup > 0 ? toRowGroup : ROW_GROUP_ROWS);
    if (this.batch.size >= most) return true;
    const chars = this.batch.chars;
    if (!this.opts.pipeline) return chars >= CHUNK_BYTES;
    // With a pipeline the messages are staged as they come (afterAdd), in parts, and the chunk
    // goes on to its row group if what it holds so far says the row group fits the cap.
    const cap = this.chunkChars;
    if (chars < Math.min(CHUNK_BYTES, cap)) return false;
    return chars >= cap || (chars / this.batch.size) * most > cap;
  }

  /** Characters of messages a pipelined chunk holds at most (PIPELINE_CHUNK_CHARS). */
  private get chunkChars(): number {
    return this.opts.chunkChars ?? PIPELINE_CHUNK_CHARS;
  }

  /** The chunk DuckDB is storing while the next is read (pipeline mode). */
  private inflight: Promise<void> | null = null;
  private lastYield = 0;

  /**
   * Call after each add (readers: `await w.afterAdd()`): flushes a full chunk, and while a chunk
   * is being stored, gives the event loop a turn every YIELD_MS. Storing a chunk is a chain of
   * some forty statements, each issued when the one before completes, and a reader parsing from
   * buffered bytes never yields on its own (its awaits resolve as microtasks): the chain then
   * advanced once per 4 MB read, and the chunk's storing hardly overlapped the next one's reading.
   */
  afterAdd(): Promise<void> | undefined {
    if (this.thread) {
      if (this.thread.due()) return this.thread.drain(this.applyRow, false);
    } else {
      const after = this.afterRecord();
      if (after) return after;
    }
    // A turn for the thread's answers too (they arrive as events).
    if ((this.inflight === null && !this.thread?.waiting) || (this.added & 3) !== 0) return undefined;
    const now = performance.now();
    if (now - this.lastYield < YIELD_MS) return undefined;
    this.lastYield = now;
    return new Promise((resolve) => setImmediate(resolve));
  }

  /**
   * After a record is in the batch (added here, or back from the thread): flushes a full chunk,
   * or stages the rows held once they reach a part (pipeline).
   */
  private afterRecord(): Promise<void> | undefined {
    if (this.full) return this.flushNow();
    if (this.opts.pipeline && this.batch.heldChars >= (this.opts.partChars ?? CHUNK_BYTES)) return this.stagePart();
    return undefined;
  }

  /** Waits for the chunk in flight, if any, and rethrows its failure. */
  private async settle(): Promise<void> {
    const p = this.inflight;
    this.inflight = null;
    await p;
  }

  /** The table the chunk being read is staged into, part by part (pipeline). */
  private staging: StageTable | undefined;

  /**
   * Stages the rows the chunk holds (pipeline) and lets go of them, into the chunk's staging
   * table: on a second connection, while the chunk before is still being stored (appending it was
   * on the storing chain's path: 1M records 48.9 s, was 52.0 s).
   */
  private async stagePart(): Promise<void> {
    const batch = this.batch;
    const append = this.staging !== undefined;
    const target = (this.staging ??= { catalog: STAGE_DB, table: `chunk_${this.id}_${this.chunkNo++}` });
    const stager = await this.stagingConnection();
    try {
      await stageInto(stager, batch, target, true, append);
    } catch (e) {
      await this.idle(); // the ingest fails: idle drops the chunk's staging table
      throw e;
    }
    batch.release();
  }

  /**
   * Stores what is pending, and the checkpoints of the files read to their end, in one
   * transaction (with the thread: once every queued record is back and applied).
   */
  async flush(): Promise<void> {
    if (this.thread) await this.thread.drain(this.applyRow, true);
    await this.flushNow();
  }

  private async flushNow(): Promise<void> {
    if (this.opts.pipeline && this.batch.held > 0) await this.stagePart();
    const batch = this.batch;
    const files = this.files;
    const checkpoints = this.checkpoints;
    const staged = this.staging;
    this.clear();
    try {
      await this.settle();
    } catch (e) {
      if (staged) await dropStaged(this.conn, staged).catch(() => undefined);
      throw e;
    }
    if (batch.size === 0 && checkpoints.length === 0) return;
    this.inflightRows = batch.size;
    const stored = this.store(batch, staged, files, checkpoints, this.logGroup, Date.now()).finally(async () => {
      this.inflightRows = 0;
      if (staged) await dropStaged(this.conn, staged).catch(() => undefined);
    });
    // A chunk that reached the characters cap is stored before the next is read (see
    // PIPELINE_CHUNK_CHARS).
    if (!this.opts.pipeline || batch.chars >= this.chunkChars) return stored;
    // Awaited by the next flush or finish; until then a failure must not count as unhandled.
    stored.catch(() => undefined);
    this.inflight = stored;
  }

  /** Stores everything still pending. */
  async finish(): Promise<void> {
    await this.flush();
    await this.settle();
    await this.catchUpRollups();
  }

  /** Brings the roll-ups up to date with what this writer stored, if anything waits. */
  private async catchUpRollups(): Promise<void> {
    if (this.unrolled === 0) return;
    await refreshRollups(storeOf(this.conn), this.conn);
    this.unrolled = 0;
  }

  /**
   * After a failure elsewhere: waits until no chunk is in flight, so the caller may close the
   * connection, and drops what the chunk being read had staged (the staging database is the
   * instance's: a server would hold it until restarted). The chunk's own failure, if any, is
   * dropped: the caller is already failing.
   */
  async idle(): Promise<void> {
    // What was queued for the thread is not applied: the ingest is over or failing.
    this.thread?.discard();
    try {
      await this.settle();
    } catch {
      /* the caller reports its own error */
    }
    const staged = this.staging;
    this.staging = undefined;
    if (staged && this.stager) await dropStaged(this.stager, staged).catch(() => undefined);
  }

  /** The connection the next chunk is staged on (pipeline), into STAGE_DB. */
  private stager: DuckDBConnection | undefined;
  /** Tells apart the staging tables of two writers of one process (ingests through one server). */
  private readonly id = ++writers;
  private chunkNo = 0;

  private async stagingConnection(): Promise<DuckDBConnection> {
    if (!this.stager) {
      const c = await storeOf(this.conn).connect();
      try {
        await attachStaging(c);
      } catch (e) {
        c.closeSync();
        throw e;
      }
      this.stager = c;
    }
    return this.stager;
  }

  /** Closes the staging connection, if one was opened (after finish or idle; the writer is done). */
  close(): void {
    this.thread?.close().catch(() => undefined);
    this.thread = undefined;
    try {
      this.stager?.closeSync();
    } catch {
      /* already closed */
    }
    this.stager = undefined;
  }

  /** Stores a chunk, read from `staged` when it was staged ahead (flush drops that table after). */
  private async store(
    batch: EventBatch,
    staged: StageTable | undefined,
    files: string[],
    checkpoints: Checkpoint[],
    logGroup: string,
    t0: number,
  ): Promise<void> {
    const n = batch.size;
    if (n > 0) {
      if (staged) await useStaged(this.conn, staged);
      else await stageEvents(this.conn, batch);
      timing('stage', t0);
    }
    // One statement per few hundred files: the S3 delivery layout has thousands of small files
    // per day, and a statement per file made their checkpoints most of the ingest (2,027 files:
    // 4 s of 6 s).
    const writeCheckpoints = async (): Promise<void> => {
      const now = Date.now();
      for (let i = 0; i < checkpoints.length; i += CHECKPOINT_ROWS) {
        const rows = checkpoints
          .slice(i, i + CHECKPOINT_ROWS)
          .map(
            (c) =>
              `(${sqlString(c.path)}, ${sqlString(logGroup)}, ${Math.trunc(c.size)}, ${Math.trunc(c.mtimeMs)}, ${Math.trunc(c.records)}, ${now})`,
          );
        await this.conn.run(
          `INSERT OR REPLACE INTO ingested_files (path, log_group, size, mtime_ms, records, completed_ts) VALUES ${rows.join(', ')}`,
        );
      }
    };
    if (n === 0) {
      await inTransaction(this.conn, writeCheckpoints);
      timing('commit', t0);
      return;
    }
    // Exact: a requestId is stored once per log group, whenever it is ingested again.
    const r = await commitNormalized(this.conn, {
      exact: true,
      batch,
      alongside: writeCheckpoints,
      deferRollups: true,
      ...(this.opts.hook ? { hook: this.opts.hook } : {}),
    });
    this.totals.stored += r.stored;
    // Both at once: between them the chunk counted twice in \`full\`, and the negative room that
    // gave read as "a new row group has begun", so a chunk read while the roll-ups were brought
    // up to date (sparse timestamps) ran past the row group's end and split it (the row-groups
    // test under load, 5 runs in 6).
    this.sinceCheckpoint += r.stored;
    this.inflightRows = 0;
    if (r.stored > 0) this.unrolled += bucketsOf(batch);
    // Before the checkpoint below: the refresh reads the row group's events while in memory.
    if (this.sinceCheckpoint >= ROW_GROUP_ROWS || this.unrolled > MAX_DIRTY_FOR_QUERIES / 2)
      await this.catchUpRollups();
    if (this.sinceCheckpoint >= ROW_GROUP_ROWS) {
      // A checkpoint closes the row group being filled (later rows start a new one). Chunks end at
      // row-group boundaries (see full), so taken here the store is whole row groups, which no
      // later checkpoint's vacuum merges and rewrites: with a checkpoint every 128 MB of WAL the
      // groups were half full, and the first write of a server after an ingest rewrote the whole
      // store (16 s and a file twice as large at 1M records). DuckDB refuses a checkpoint while
      // another writer's transaction is open (an ingest through a running server,
      // row-groups.test.ts): it is tried again after the next chunk, the rows waiting in memory
      // and the WAL until then.
      try {
        await this.conn.run('CHECKPOINT');
        this.sinceCheckpoint = 0;
      } catch {
        /* tried again after the next chunk */
      }
    }
    this.totals.duplicates += r.duplicates;
    this.totals.conflicts += r.conflicts;
    for (const c of r.conflictExamples) {
      if (this.totals.conflictExamples.length >= CONFLICTS_KEPT) break;
      this.totals.conflictExamples.push({ file: files[c.fid], line: c.ln, eventKey: c.eventKey, fields: c.fields });
    }
    timing('store', t0);
  }

  private clear(): void {
    this.staging = undefined;
    // A file read half-way continues in the next chunk, as fid 0.
    const open =
      this.files.length > 0 && !this.checkpoints.some((c) => c.path === this.files[this.fid])
        ? [this.files[this.fid]]
        : [];
    this.files = open;
    this.checkpoints = [];
    this.batch = new EventBatch();
  }
}

/** The roll-up buckets a stored batch marked (Infinity when its counts are not exact). */
function bucketsOf(batch: EventBatch): number {
  return batch.catalog.exact ? catalogBuckets(batch.catalog).length : Infinity;
}

const TIMING = process.env.BEDROCK_INSIGHTS_TIMING === '1';
function timing(label: string, since: number): void {
  if (TIMING) {
    const m = process.memoryUsage();
    process.stderr.write(
      `[ingest] ${label} +${Date.now() - since} ms rss ${m.rss >> 20} MB heap ${m.heapUsed >> 20} MB ext ${(m.external + m.arrayBuffers) >> 20} MB\n`,
    );
  }
}

export function strictError(r: RejectedRecord): BiError {
  return new BiError(
    'INGEST_REJECTED',
    `${r.file}:${r.line}: ${r.reason}. Fix or remove this record, or run without --strict to skip bad records (they are counted and listed).`,
    { ...r },
  );
}
