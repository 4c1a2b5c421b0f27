import type { ConflictExample, FileNote, RejectedRecord } from './chunk-writer.js';

/**
 * What an ingest run reports, whatever the source (files, S3, CloudWatch). Its own module because
 * both the driver (ingest.ts) and the pricing step that completes it (ingest-pricing.ts) need it:
 * declared in ingest.ts, the two files imported each other.
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
  /** Pricing of the newly stored invocations (absent when nothing new was stored). */
  pricing?: { priced: number; unpriced: number; unpricedTokens: number; version: string };
  /** Set when the price book could not be used (for example a broken user prices file). */
  pricingError?: string;
}
