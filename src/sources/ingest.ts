import type { Store } from '../store/store.js';

// CONTRACT STUB — implemented by the ingest work (issue 2). Signatures are fixed; bodies are not.

export interface IngestOptions {
  logGroup?: string;
  keepBodies?: boolean;
  strict?: boolean;
}

export interface IngestProgress {
  filesDone: number;
  filesTotal: number;
  records: number;
  bytesDone: number;
  bytesTotal: number;
}

export interface RejectedRecord {
  file: string;
  line: number;
  reason: string;
  field?: string;
}

export interface IngestSummary {
  filesRead: number;
  filesSkipped: number;
  recordsStored: number;
  duplicatesSkipped: number;
  recordsRejected: number;
  rejected: RejectedRecord[];
}

/** Ingest files and folders (recursively): .jsonl/.json/.gz, S3 delivery layout, CloudWatch exports. */
export async function ingestPaths(store: Store, paths: string[], opts: IngestOptions = {}, onProgress?: (p: IngestProgress) => void): Promise<IngestSummary> {
  void store; void paths; void opts; void onProgress;
  throw new Error('ingestPaths: not implemented yet');
}
