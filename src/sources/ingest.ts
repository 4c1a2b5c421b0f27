import type { Store } from '../store/store.js';
import { ingest, type IngestOptions, type IngestProgress } from './driver.js';
import { FilesSource } from './files/source.js';
import type { IngestSummary } from './summary.js';

export type { ConflictExample, FileNote, RejectedRecord } from './chunk-writer.js';
export type { IngestSummary, SourceSummary } from './summary.js';
export { INGEST_MEMORY_LIMIT, ingest, type IngestOptions, type IngestProgress } from './driver.js';

/**
 * Ingest files and folders (recursively): the S3 delivery layout, CloudWatch exports, Firehose
 * objects, .jsonl/.json/.gz. Idempotent (each record stored once per log group) and incremental
 * (unchanged files, by path, size and mtime, are skipped). Safe to interrupt: run it again to complete.
 */
export function ingestPaths(
  store: Store,
  paths: string[],
  opts: IngestOptions & { logGroup?: string } = {},
  onProgress?: (p: IngestProgress) => void,
): Promise<IngestSummary> {
  return ingest(
    store,
    [new FilesSource(paths, { ...(opts.logGroup ? { logGroup: opts.logGroup } : {}), keepBodies: opts.keepBodies })],
    opts,
    onProgress,
  );
}
