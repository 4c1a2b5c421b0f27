import { DEFAULT_LOG_STREAM } from '../logs/event.js';
import { WritePricer } from '../pricing/index.js';
import type { Store } from '../store/store.js';
import { BiError } from '../util/errors.js';
import { ChunkWriter, INGEST_THREADS, newTotals, type ChunkTotals, type RejectedRecord } from './chunk-writer.js';
import { filesRead, unchanged } from './checkpoints.js';
import type { Source, SourceItem } from './source.js';
import type { IngestSummary, SourceSummary } from './summary.js';

/**
 * DuckDB memory limit for a process that ingests (the CLI opens the store with it): DuckDB would
 * otherwise cache written blocks up to its default of 2 GB; ingest streams, and needs far less.
 */
export const INGEST_MEMORY_LIMIT = '256MB';
/**
 * DuckDB settings for the length of an ingest, restored after it. The chunk writer checkpoints
 * itself each time a whole row group (122,880 rows) has been stored (src/sources/chunk-writer.ts),
 * so that the store is made of full row groups:
 * - checkpoint_threshold 1 GB: no checkpoint by WAL size in between (at 128 MB, one came every
 *   ~60,000 rows and left half-full row groups);
 * - max_vacuum_tasks 0: a checkpoint's vacuum merged the partly filled row groups again at every
 *   checkpoint, rewriting a growing share of the store: at 1M demo records with bodies 28 of the
 *   39 s that the commits after each chunk took, and 17% of the file left free. Ingest deletes
 *   nothing, so vacuum has nothing to reclaim; with full row groups, a later checkpoint with
 *   vacuum on (a server's next write) has nothing to merge either.
 * - threads 1: a chunk (~9,000 rows) is far below what DuckDB splits between threads, so a second
 *   thread only waited and woke for each statement, taking CPU from the reader on a 2-core machine:
 *   1M records 51.6 s and 71 s of CPU with one thread, 58.5 s and 92 s with two. Queries of other
 *   connections (a console beside an ingest through its server) still run at the same time, each
 *   on its caller's thread, without a helper thread of their own until the ingest ends.
 */
const INGEST_SETTINGS: Readonly<Record<string, string>> = {
  checkpoint_threshold: '1GB',
  max_vacuum_tasks: '0',
  threads: '1',
};
/** Files that are not logs named in the summary (all are counted). */
const NOT_LOGS_KEPT = 100;

export interface IngestOptions {
  keepBodies?: boolean;
  strict?: boolean;
  /** Records committed per transaction (default 100,000; smaller means more, shorter transactions). */
  chunkRecords?: number;
  /** Characters of messages staged at a time while a chunk is read (files, S3; default 10 MB). */
  partChars?: number;
  /** Threads normalising record texts for files and S3 (default INGEST_THREADS: 1 with a second core). */
  threads?: number;
  /** Characters of record text normalised on the main thread before the thread starts (default 4 MB). */
  threadAfterChars?: number;
  /** Called with every rejection as it happens (the summary keeps only the first 1000). */
  onReject?: (r: RejectedRecord) => void;
  /**
   * Ctrl-C: stops between reads with BiError INGEST_CANCELLED. What was committed stays (each
   * record once); the item being read gets no checkpoint, so the same ingest again completes it.
   */
  signal?: AbortSignal;
}

function stopIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted)
    throw new BiError(
      'INGEST_CANCELLED',
      'Ingest cancelled. What was stored is kept, each record once: run the same ingest again to complete it.',
    );
}

export interface IngestProgress {
  /** Items (files, objects, pages) done and known so far, across the sources. */
  filesDone: number;
  filesTotal: number;
  records: number;
  bytesDone: number;
  bytesTotal: number;
  /** What the current source's items are called. */
  unit: 'files' | 'objects' | 'pages';
}

/**
 * The one ingest driver: reads each source's items into one chunk writer (so one summary, one
 * exit status, whatever mix of files, s3:// and cloudwatch:// was given), skips items whose
 * checkpoint says they were read, commits each item's checkpoint with its last records, prices
 * through the store writer's hook, and reports progress. Safe to interrupt: run it again to complete.
 */
export async function ingest(
  store: Store,
  sources: Source[],
  opts: IngestOptions = {},
  onProgress?: (p: IngestProgress) => void,
): Promise<IngestSummary> {
  const started = Date.now();
  const conn = await store.connect();
  const totals = newTotals(opts.onReject);
  const summary = openSummary(totals);
  const progress: IngestProgress = {
    filesDone: 0,
    filesTotal: 0,
    records: 0,
    bytesDone: 0,
    bytesTotal: 0,
    unit: sources[0]?.unit ?? 'files',
  };
  const restore: [string, string][] = [];
  let writer: ChunkWriter | undefined; // for the finally below
  let pricer: WritePricer;
  try {
    pricer = await WritePricer.start(store);
    const pipeline = sources.every((s) => s.pipeline);
    const w = await ChunkWriter.create(
      conn,
      {
        logGroup: sources[0]?.logGroup ?? '',
        defaultStream: DEFAULT_LOG_STREAM,
        keepBodies: opts.keepBodies ?? false,
        strict: opts.strict ?? false,
        chunkRecords: opts.chunkRecords,
        ...(opts.partChars ? { partChars: opts.partChars } : {}),
        hook: pricer,
        // Measured at 1M records: 36-38 s instead of 40 s, the same peak memory.
        pipeline,
        // Only with a pipeline: a CloudWatch source checkpoints after each page, waiting for it.
        threads: pipeline ? (opts.threads ?? INGEST_THREADS) : 0,
        ...(opts.threadAfterChars === undefined ? {} : { threadAfterChars: opts.threadAfterChars }),
      },
      totals,
    );
    writer = w;
    for (const [name, value] of Object.entries(INGEST_SETTINGS)) {
      const was = await conn.runAndReadAll(`SELECT current_setting('${name}')`);
      restore.push([name, String(was.getRows()[0][0])]);
      await conn.run(`SET ${name} = '${value}'`);
    }
    let lastReport = 0;
    const report = (force = false): void => {
      if (!onProgress) return;
      const now = Date.now();
      if (!force && now - lastReport < 100) return;
      lastReport = now;
      progress.records = w.added;
      onProgress({ ...progress });
    };
    for (const source of sources) {
      // A chunk holds one log group: the previous source's records are stored first.
      await w.finish();
      w.setLogGroup(source.logGroup);
      progress.unit = source.unit;
      await readSource(source, w, conn, store, summary, progress, report, opts.signal);
    }
    await w.finish();
    // Under the ingest's settings, so that no checkpoint after it (the store's close, a server's
    // next write) merges what this ingest wrote: that was a rewrite of the store (13 s and a file
    // 1.9 times larger at 1M records).
    // Refused while another writer's transaction is open (an ingest through a running server):
    // the store is complete without it, and the server's own checkpoints follow.
    await conn.run('CHECKPOINT').catch(() => undefined);
  } finally {
    await writer?.idle(); // a chunk still being stored when reading failed
    writer?.close();
    for (const [name, value] of restore)
      await conn.run(`SET ${name} = '${value.replace(/'/g, '')}'`).catch(() => undefined);
    try {
      conn.closeSync();
    } catch {
      /* already closed */
    }
  }
  return closeSummary(summary, totals, pricer, started);
}

async function readSource(
  source: Source,
  w: ChunkWriter,
  conn: Awaited<ReturnType<Store['connect']>>,
  store: Store,
  summary: IngestSummary,
  progress: IngestProgress,
  report: (force?: boolean) => void,
  signal: AbortSignal | undefined,
): Promise<void> {
  const seen = await filesRead(store, source.logGroup, source.checkpointPrefix ?? '');
  const listing = await source.list({ read: seen, conn });
  const mine: SourceSummary = { url: source.url, unit: source.unit, read: 0, skipped: 0, records: 0 };
  summary.sources.push(mine);
  for (const p of listing.problems ?? []) w.rejectPath(p.path, p.reason);
  summary.recordsRead += listing.problems?.length ?? 0;
  if (listing.links) {
    summary.links.followed += listing.links.followed;
    summary.links.skipped += listing.links.skipped;
  }
  for (const name of listing.notLogs ?? []) {
    if (summary.notLogs.length < NOT_LOGS_KEPT) summary.notLogs.push(name);
    summary.notLogsCount++;
  }
  if (listing.total) {
    progress.filesTotal += listing.total.items;
    progress.bytesTotal += listing.total.bytes;
  }
  for await (const item of listing.items) {
    stopIfCancelled(signal);
    if (!listing.total) progress.filesTotal++;
    const base = progress.bytesDone;
    if (item.version && unchanged(seen, item.name, item.version.size, item.version.mtimeMs)) {
      summary.filesSkipped++;
      mine.skipped++;
    } else {
      await readItem(source, item, w, conn, summary, mine, (b) => {
        stopIfCancelled(signal);
        progress.bytesDone = base + b;
        report();
      });
    }
    progress.bytesDone = base + item.size;
    progress.filesDone++;
    report(true);
  }
  if (source.finish) {
    await w.finish();
    await source.finish(conn);
  }
}

async function readItem(
  source: Source,
  item: SourceItem,
  w: ChunkWriter,
  conn: Awaited<ReturnType<Store['connect']>>,
  summary: IngestSummary,
  mine: SourceSummary,
  onBytes: (b: number) => void,
): Promise<void> {
  const storedBefore = w.totals.stored;
  w.beginFile(item.name, item.deliveredMs);
  const outcome = await source.read(item, w, onBytes);
  if (outcome.notRecords) {
    if (summary.notLogs.length < NOT_LOGS_KEPT) summary.notLogs.push(item.name);
    summary.notLogsCount++;
  }
  if (outcome.complete && item.version)
    w.endFile({ path: item.name, size: item.version.size, mtimeMs: item.version.mtimeMs, records: outcome.records });
  if (source.committed) {
    // Its checkpoint follows its records: they are committed first.
    await w.finish();
    await source.committed(item, conn, w.totals.stored - storedBefore);
  } else if (w.full) await w.flush();
  summary.filesRead++;
  mine.read++;
  mine.records += outcome.records;
  summary.recordsRead += outcome.records;
  summary.bytesRead += item.size;
}

/** A new summary whose rejections, notes and conflicts the chunk writer fills as it goes. */
function openSummary(totals: ChunkTotals): IngestSummary {
  return {
    filesRead: 0,
    filesSkipped: 0,
    recordsStored: 0,
    duplicatesSkipped: 0,
    recordsRejected: 0,
    rejected: totals.rejects,
    notes: totals.notes,
    links: { followed: 0, skipped: 0 },
    conflicts: 0,
    conflictExamples: totals.conflictExamples,
    recordsRead: 0,
    bytesRead: 0,
    elapsedMs: 0,
    sources: [],
    notLogs: [],
    notLogsCount: 0,
  };
}

/** The closing figures: what was stored, and how the new invocations were priced. */
async function closeSummary(
  summary: IngestSummary,
  totals: ChunkTotals,
  pricer: WritePricer,
  started: number,
): Promise<IngestSummary> {
  summary.recordsStored = totals.stored;
  summary.duplicatesSkipped = totals.duplicates;
  summary.recordsRejected = totals.rejected;
  summary.conflicts = totals.conflicts;
  await pricer.flush();
  await pricer.priceLeftovers();
  if (pricer.error !== undefined) summary.pricingError = pricer.error;
  else if (summary.recordsStored > 0) {
    const counts = await pricer.counts();
    if (counts) summary.pricing = counts;
  }
  summary.elapsedMs = Date.now() - started;
  return summary;
}
