import type { DuckDBConnection } from '@duckdb/node-api';
import type { ChunkWriter } from './chunk-writer.js';
import type { FilesRead } from './checkpoints.js';

/**
 * Where records come from. A source lists its items (files, S3 objects, pages of CloudWatch
 * events) and reads each into a RecordSink; the one ingest driver (driver.ts) does everything
 * else the same way for all of them: chunks and transactions, dedup, rejections and notes,
 * checkpoints, pricing, progress and the summary. Every source is incremental (items read before
 * are skipped, by their checkpoint) and idempotent (a record is stored once per log group);
 * test/sources/conformance.test.ts holds each adapter to that.
 */

/** One unit a source reads: a file, an S3 object, a page of events. */
export interface SourceItem {
  /** What rejections and notes name: a path, s3://bucket/key, cloudwatch://group. */
  name: string;
  /** Bytes, for progress (0 when not known before reading). */
  size: number;
  /**
   * File-like items: what their checkpoint records (size and mtime, or LastModified). The
   * driver skips an item whose checkpoint matches, and commits the checkpoint in the transaction
   * of the item's last records when it was read to its end. Absent for items a source
   * checkpoints itself (`committed`).
   */
  version?: { size: number; mtimeMs: number };
  /**
   * When the item was delivered (epoch ms): the object's LastModified, the file's mtime (what
   * `aws s3 sync` sets from LastModified). @ingestionTime of its records unless a record carries
   * its own (a CloudWatch event's ingestionTime).
   */
  deliveredMs?: number;
}

/** What listing found besides the items. */
export interface Listing<I extends SourceItem> {
  items: Iterable<I> | AsyncIterable<I>;
  /** Items and bytes to read, when known before reading (progress). */
  total?: { items: number; bytes: number };
  /** Paths found but not readable at all (reported as rejections, line 0). */
  problems?: { path: string; reason: string }[];
  /** Symbolic links followed and skipped (folders). */
  links?: { followed: number; skipped: number };
  /** Files seen but not read because they do not look like logs (named in the summary). */
  notLogs?: string[];
}

export interface ItemRead {
  /** Records offered: staged, and rejected while reading. */
  records: number;
  /** False: only a failure of the whole item was seen (a document cut short): no checkpoint, read again next time. */
  complete: boolean;
  /** The item's bytes are not records (an object with another name and content): counted as not a log. */
  notRecords?: boolean;
}

export interface ListContext {
  /** The file-like checkpoints of the source's log group (path or URL → size and mtime). */
  read: FilesRead;
  /** The connection the driver writes with (sources with their own checkpoint tables read them here). */
  conn: DuckDBConnection;
}

/** What readers need of the chunk writer. */
export type RecordSink = Pick<ChunkWriter, 'add' | 'afterAdd' | 'reject' | 'note' | 'full' | 'flush'>;

export interface Source<I extends SourceItem = SourceItem> {
  /** The path or URL the user gave. */
  readonly url: string;
  /** What its items are called in progress and the summary. */
  readonly unit: 'files' | 'objects' | 'pages';
  /** The local log group its records are stored in. */
  readonly logGroup: string;
  /** Whether the driver may read the next chunk while the previous one is stored (no other writes between flushes). */
  readonly pipeline: boolean;
  /** Prefix of the file-like checkpoints this source uses (only those are loaded). */
  readonly checkpointPrefix?: string;
  list(ctx: ListContext): Promise<Listing<I>>;
  /**
   * Reads one item into the sink. A bad record, line or part is rejected through the sink; an
   * item that cannot be read at all is either reported by the source (sink.reject with line 0)
   * or thrown, which stops the run (a network or permission failure: the next run retries).
   */
  read(item: I, sink: RecordSink, onBytes: (bytes: number) => void): Promise<ItemRead>;
  /**
   * For sources that keep their own checkpoint (CloudWatch): called once the item's records are
   * committed, with how many the item stored. The driver flushes before it.
   */
  committed?(item: I, conn: DuckDBConnection, stored: number): Promise<void>;
  /** After the last item was read and committed. */
  finish?(conn: DuckDBConnection): Promise<void>;
}

/** How a source is configured (`sources.json`, `sync add`, the ingest command's arguments). */
export interface SourceConfig {
  /** s3://BUCKET/PREFIX, cloudwatch://LOG_GROUP, or a local folder's absolute path. */
  url: string;
  region?: string;
  endpointUrl?: string;
  /** Local log group (default: the default Bedrock group; for CloudWatch, the remote group's name). */
  logGroup?: string;
  keepBodies?: boolean;
  /** CloudWatch sources: how late an event may arrive and still be read (default 15). */
  overlapMinutes?: number;
}

/** A kind of source: what URLs it takes and how it opens one. The registry (registry.ts) lists them. */
export interface SourceAdapter {
  /** What the kind is called in messages. */
  readonly kind: string;
  /** An example of its URL, for help and errors. */
  readonly example: string;
  /** Whether it takes `--overlap` (late events). */
  readonly takesOverlap: boolean;
  accepts(url: string): boolean;
  /** The URL as kept in sources.json; throws a BiError that says how to write it when it is not usable. */
  canonical(url: string): string;
  /** `listing: 'recent'`: a poll between full listings (S3 lists only recent hour folders). */
  open(cfg: SourceConfig, run?: { listing?: 'full' | 'recent' }): Source;
}
