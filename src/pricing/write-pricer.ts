import type { DuckDBConnection } from '@duckdb/node-api';
import type { Store } from '../store/store.js';
import { UNPRICED_PARTS_SQL, UNPRICED_TOKENS_SQL } from '../logs/hot-fields.js';
import type { InsertColumns, WriteHook } from '../store/writer.js';
import { errorMessage } from '../util/errors.js';
import { loadPriceBook } from './book.js';
import type { PriceBook } from './types.js';
import { INSERT_COST_COLUMNS, priceEvents, priceRowsInto } from './store.js';

/** The temporary table of the costs of a write's rows (on the writer's connection). */
const INSERT_COSTS = 'insert_costs';

export interface WritePricerOptions {
  /**
   * Price at most this often (ms): 0 prices after every write (ingest chunks of 100,000 records);
   * PutLogEvents passes a couple of seconds, so a burst of small batches pays one pass per
   * interval, and `flush` (the queue going idle) prices the rest.
   */
  minIntervalMs?: number;
  /** Reports a pricing failure (the writes are kept; the rows stay unpriced until `prices reprice`). */
  onError?: (message: string) => void;
}

/** How the rows stored since the pricer started were priced. */
export interface PricedCounts {
  priced: number;
  /** Priced but for a cache class without a price (cost.total holds the priced parts). */
  partlyPriced: number;
  unpriced: number;
  /** Tokens of the unpriced parts. */
  unpricedTokens: number;
  version: string;
}

/**
 * The pricing step of every write (the store writer's hook, src/store/writer.ts): each write's
 * rows are priced as they go in (atInsert). A broken prices file must not lose what was written:
 * the rows then go in unpriced, the error is kept (and reported once per distinct message), and
 * after each commit a pass prices the rows stored since the last one, once the book loads again
 * (or `prices reprice` does). One pass per commit, not one at the end, so that one UPDATE never
 * spans a whole large ingest (at 1M records it set the ingest's peak memory).
 */
export class WritePricer implements WriteHook {
  private book: PriceBook | undefined;
  private lastError: string | undefined;
  /** Rows up to this seq have had their pricing pass (the ones left NULL have no price). */
  private pricedTo: number;
  private lastPass = 0;
  /** A write went in unpriced (pricing at insert failed): the passes after commits price it. */
  private behind = false;

  private constructor(
    private readonly store: Store,
    readonly startSeq: number,
    private readonly opts: WritePricerOptions,
  ) {
    this.pricedTo = startSeq;
  }

  /** Call before anything is written through the hook. */
  static async start(store: Store, opts: WritePricerOptions = {}): Promise<WritePricer> {
    const r = await store.connection.runAndReadAll(`SELECT coalesce(max(seq), 0) FROM events`);
    return new WritePricer(store, Number(r.getRows()[0][0]), opts);
  }

  /** The last pricing failure, if the last pass failed. */
  get error(): string | undefined {
    return this.lastError;
  }

  /**
   * Prices the rows of a write as they go in (src/pricing/store.ts priceRowsInto). On failure (a
   * broken prices file) the rows go in unpriced, and the passes after commits price them once
   * the book loads again.
   */
  async atInsert(conn: DuckDBConnection): Promise<InsertColumns | undefined> {
    try {
      this.book ??= loadPriceBook();
      await priceRowsInto(this.store, conn, 'ins', this.book, INSERT_COSTS);
      this.lastError = undefined;
      return {
        table: INSERT_COSTS,
        columns: INSERT_COST_COLUMNS.map((c) => c.column),
        values: INSERT_COST_COLUMNS.map((c) => c.value),
      };
    } catch (e) {
      this.failed(e);
      this.behind = true;
      return undefined;
    }
  }

  async afterCommit(_conn: DuckDBConnection): Promise<void> {
    // Rows priced at insert need no pass (a row without a price has none in the book either).
    if (!this.behind) return;
    if (Date.now() - this.lastPass < (this.opts.minIntervalMs ?? 0)) return;
    await this.priceNew();
  }

  async flush(): Promise<void> {
    if (this.behind) return this.priceNew();
    // Every row since the last pass was priced at insert: the next pass starts after them.
    const r = await this.store.connection.runAndReadAll(`SELECT max(seq) FROM events`);
    const to = r.getRows()[0][0];
    if (to !== null) this.pricedTo = Math.max(this.pricedTo, Number(to));
  }

  /** Prices the rows stored since the last pass: each pass looks at one write, not at every row since the start. */
  private async priceNew(): Promise<void> {
    this.lastPass = Date.now();
    const r = await this.store.connection.runAndReadAll(`SELECT max(seq) FROM events WHERE seq > ${this.pricedTo}`);
    const to = r.getRows()[0][0];
    if (to === null) return;
    if (await this.price(this.pricedTo)) {
      this.pricedTo = Number(to);
      this.behind = false;
    }
  }

  /**
   * Rows a killed ingest committed but had not priced are older than this pricer: a pass over the
   * whole store's unpriced rows finds them (cheap when there are none).
   */
  async priceLeftovers(): Promise<void> {
    await this.price(undefined);
  }

  private async price(afterSeq: number | undefined): Promise<boolean> {
    try {
      this.book ??= loadPriceBook();
      await priceEvents(this.store, { where: 'unpriced', afterSeq, book: this.book });
      this.lastError = undefined;
      return true;
    } catch (e) {
      this.failed(e);
      return false;
    }
  }

  /** Keeps a pricing failure, reported once per distinct message. */
  private failed(e: unknown): void {
    const msg = errorMessage(e);
    if (msg !== this.lastError) this.opts.onError?.(msg);
    this.lastError = msg;
  }

  /** How the Bedrock rows stored since `start` were priced; undefined when the book could not be loaded. */
  async counts(): Promise<PricedCounts | undefined> {
    if (!this.book) return undefined;
    const r = await this.store.connection.runAndReadAll(`SELECT
        count(*) FILTER (WHERE price_version IS NOT NULL AND ${UNPRICED_PARTS_SQL} IS NULL),
        count(*) FILTER (WHERE price_version IS NOT NULL AND ${UNPRICED_PARTS_SQL} IS NOT NULL),
        count(*) FILTER (WHERE price_version IS NULL),
        coalesce(sum(${UNPRICED_TOKENS_SQL}), 0)
      FROM events WHERE kind = 'bedrock' AND seq > ${this.startSeq}`);
    const [priced, partlyPriced, unpriced, unpricedTokens] = r.getRows()[0].map((v) => Number(v));
    return { priced, partlyPriced, unpriced, unpricedTokens, version: this.book.version };
  }
}
