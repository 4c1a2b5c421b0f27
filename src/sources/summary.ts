import type { ConflictExample, FileNote, RejectedRecord } from './chunk-writer.js';

/**
 * What an ingest run reports, whatever the source (files, S3, CloudWatch). Its own module so that
 * the driver (driver.ts), the adapters and the CLI share it without importing each other.
 */
export interface IngestSummary {
  filesRead: number;
  filesSkipped: number;
  recordsStored: number;
  duplicatesSkipped: number;
  /**
   * Duplicates (counted in duplicatesSkipped) whose content differs from the record kept: the
   * same requestId with another model, other token counts, or a @timestamp more than an hour off.
   */
  conflicts: number;
  /** The first conflicts (at most 10). */
  conflictExamples: ConflictExample[];
  recordsRejected: number;
  /** The first rejections (at most 1000; recordsRejected counts them all). */
  rejected: RejectedRecord[];
  /** What was done to files without rejecting anything (UTF-16 converted, trailing bytes ignored): the first 1000. */
  notes: FileNote[];
  /** Symbolic links inside the folders read: followed, and skipped (their target was already read: loops, repeats). */
  links: { followed: number; skipped: number };
  /** Records offered (stored + duplicates + rejected). */
  recordsRead: number;
  /** Bytes of the files read (compressed size for .gz). */
  bytesRead: number;
  elapsedMs: number;
  /**
   * Pricing of the newly stored invocations (absent when nothing new was stored): wholly priced,
   * partly priced (a cache class without a price: cost.total holds the priced parts), and
   * unpriced; unpricedTokens counts the tokens of the parts without a price.
   */
  pricing?: { priced: number; partlyPriced: number; unpriced: number; unpricedTokens: number; version: string };
  /** Set when the price book could not be used (for example a broken user prices file). */
  pricingError?: string;
  /** Per source given (files, s3://, cloudwatch://): what it read. */
  sources: SourceSummary[];
  /** Files inside the folders read that were not read because they do not look like logs (the first 100). */
  notLogs: string[];
  /** How many such files there were. */
  notLogsCount: number;
}

export interface SourceSummary {
  url: string;
  unit: 'files' | 'objects' | 'pages';
  /** Items read, and skipped because their checkpoint says they were read before. */
  read: number;
  skipped: number;
  /** Records offered by this source. */
  records: number;
}
