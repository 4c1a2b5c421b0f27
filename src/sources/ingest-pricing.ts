import type { DuckDBConnection } from '@duckdb/node-api';
import { loadPriceBook, priceEvents, type PriceBook } from '../pricing/index.js';
import type { Store } from '../store/store.js';
import { errorMessage } from '../util/errors.js';
import type { ChunkTotals } from './chunk-writer.js';
import type { IngestSummary } from './summary.js';

/**
 * Prices what an ingest (files, S3, CloudWatch) stores: after each committed chunk, the rows
 * stored since the ingest began, so that one UPDATE never spans a whole large ingest (at 1M
 * records it set the ingest's peak memory). A broken prices file must not lose the ingest: it is
 * reported in the summary, and the rows stay unpriced until `prices reprice`.
 */
export class IngestPricer {
  private book: PriceBook | undefined;
  private error: string | undefined;

  /** Rows up to this seq have had their pricing pass (the ones left NULL have no price). */
  private pricedTo: number;

  private constructor(
    private readonly store: Store,
    private readonly startSeq: number,
  ) {
    this.pricedTo = startSeq;
  }

  /** Call before the ingest stores anything. */
  static async start(store: Store, conn: DuckDBConnection): Promise<IngestPricer> {
    const r = await conn.runAndReadAll(`SELECT coalesce(max(seq), 0) FROM events`);
    return new IngestPricer(store, Number(r.getRows()[0][0]));
  }

  /**
   * The ChunkWriter's afterStore hook: prices the rows stored since the last pass, so each pass
   * looks at one chunk, not at every unpriced row of the ingest so far.
   */
  readonly afterChunk = async (): Promise<void> => {
    const r = await this.store.connection.runAndReadAll(`SELECT max(seq) FROM events WHERE seq > ${this.pricedTo}`);
    const to = r.getRows()[0][0];
    if (to === null) return;
    await this.price(this.pricedTo);
    this.pricedTo = Number(to);
  };

  private async price(afterSeq: number | undefined): Promise<void> {
    if (this.error !== undefined) return;
    try {
      this.book ??= loadPriceBook();
      await priceEvents(this.store, { where: 'unpriced', afterSeq, book: this.book });
    } catch (e) {
      this.error = errorMessage(e);
    }
  }

  /**
   * Rows a killed ingest committed but had not priced yet are older than this ingest: a last pass
   * over the whole store's unpriced rows finds them (cheap when there are none). Then the
   * summary gets this ingest's priced and unpriced counts (when it stored anything).
   */
  async finish(summary: IngestSummary): Promise<void> {
    await this.price(undefined);
    if (this.error !== undefined) {
      summary.pricingError = this.error;
      return;
    }
    if (summary.recordsStored === 0 || !this.book) return;
    const r = await this.store.connection.runAndReadAll(`SELECT count(*) FILTER (WHERE price_version IS NOT NULL),
        count(*) FILTER (WHERE price_version IS NULL),
        coalesce(sum(coalesce(input_tokens, 0) + coalesce(output_tokens, 0) + coalesce(cache_read_tokens, 0) + coalesce(cache_write_tokens, 0))
          FILTER (WHERE price_version IS NULL), 0)
      FROM events WHERE kind = 'bedrock' AND seq > ${this.startSeq}`);
    const [priced, unpriced, unpricedTokens] = r.getRows()[0].map((v) => Number(v));
    summary.pricing = { priced, unpriced, unpricedTokens, version: this.book.version };
  }
}

/** A new summary for an ingest (file, S3 or CloudWatch) whose chunk writer fills `totals`. */
export function openSummary(totals: ChunkTotals): IngestSummary {
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
  };
}

/** The summary's closing figures once the chunk writer is done (file, S3 and CloudWatch ingest): what it stored, priced. */
export async function closeSummary<S extends IngestSummary>(
  summary: S,
  totals: ChunkTotals,
  pricer: IngestPricer,
  started: number,
): Promise<S> {
  summary.recordsStored = totals.stored;
  summary.duplicatesSkipped = totals.duplicates;
  summary.recordsRejected = totals.rejected;
  summary.conflicts = totals.conflicts;
  await pricer.finish(summary);
  summary.elapsedMs = Date.now() - started;
  return summary;
}
