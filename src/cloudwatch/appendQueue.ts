import type { StoredEvent } from '../logs/event.js';
import { priceEvents } from '../pricing/index.js';
import type { AppendResult, EventWriter } from '../store/writer.js';
import { errorMessage } from '../util/errors.js';

interface Pending {
  events: StoredEvent[];
  resolve: (r: AppendResult) => void;
  reject: (e: unknown) => void;
}

/**
 * Group commit for PutLogEvents: while one append is being written, the batches of concurrent
 * requests wait and are then written together in one append, so many small clients cost one
 * transaction rather than one each. A request is answered only after its events are committed.
 */
export class AppendQueue {
  private pending: Pending[] = [];
  private running = false;

  constructor(
    private readonly writer: EventWriter,
    private readonly maxEventsPerAppend = 50_000,
  ) {}

  append(events: StoredEvent[]): Promise<AppendResult> {
    return new Promise<AppendResult>((resolve, reject) => {
      this.pending.push({ events, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    let bedrock = false;
    try {
      while (this.pending.length > 0) {
        const batch: Pending[] = [];
        let n = 0;
        while (
          this.pending.length > 0 &&
          (batch.length === 0 || n + this.pending[0].events.length <= this.maxEventsPerAppend)
        ) {
          const p = this.pending.shift()!;
          batch.push(p);
          n += p.events.length;
        }
        try {
          const r = await this.writer.append(batch.flatMap((p) => p.events));
          // The writer reports totals; each request only needs to know its events are stored.
          // Duplicates cannot occur across requests (each event key carries its request id).
          const dupShare = batch.length === 1 ? r.duplicates : 0;
          for (const p of batch) p.resolve({ stored: p.events.length - dupShare, duplicates: dupShare });
          bedrock ||= batch.some((p) => p.events.some((e) => e.kind === 'bedrock'));
        } catch (e) {
          for (const p of batch) p.reject(e);
        }
      }
      // Cost fields follow the events once the queue is idle: requests were answered already, so a
      // burst of small PutLogEvents calls pays for one pricing pass, not one each.
      if (bedrock) await this.price();
    } finally {
      this.running = false;
      // Batches that arrived while pricing ran start the next round.
      if (this.pending.length > 0) void this.drain();
    }
  }

  /** Resolves once nothing is being written or priced (before the store is closed). */
  async idle(): Promise<void> {
    while (this.running || this.pending.length > 0) await new Promise((res) => setTimeout(res, 5));
  }

  private lastPricingError = '';
  private async price(): Promise<void> {
    try {
      await priceEvents(this.writer.store, { where: 'unpriced' });
      this.lastPricingError = '';
    } catch (e) {
      // A broken user prices file must not refuse logs; say so once per distinct problem.
      const msg = errorMessage(e);
      if (msg !== this.lastPricingError) process.stderr.write(`bedrock-insights: pricing new events failed: ${msg}\n`);
      this.lastPricingError = msg;
    }
  }
}
