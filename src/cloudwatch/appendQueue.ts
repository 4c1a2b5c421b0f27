import type { StoredEvent } from '../logs/event.js';
import type { AppendResult, EventWriter } from '../store/writer.js';

interface Pending {
  events: StoredEvent[];
  target?: AppendTarget;
  resolve: (r: AppendResult) => void;
  reject: (e: unknown) => void;
}

/** The log group and stream a PutLogEvents call writes to. */
export interface AppendTarget {
  group: string;
  stream: string;
}

/**
 * What keeps a completed delete deleted: the queue writes each batch inside `exclusive` (which
 * DeleteLogGroup/DeleteLogStream also hold), after asking `missing` which targets are gone.
 * A request whose group or stream was deleted after it was checked, but before its events
 * were written, is answered with the error instead of re-creating what was deleted.
 */
export interface AppendGate {
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
  /** For each target: null when its group and stream exist, else the error to answer with. */
  missing(targets: readonly AppendTarget[]): Promise<(Error | null)[]>;
}

/**
 * Group commit for PutLogEvents: while one append is being written, the batches of concurrent
 * requests wait and are then written together in one append, so many small clients cost one
 * transaction rather than one each. A request is answered only after its events are committed.
 */
export class AppendQueue {
  private pending: Pending[] = [];
  private running = false;

  /**
   * Pricing during a sustained burst (the queue never idle: the reliability campaign found one
   * left every event unpriced) is the writer hook's: it prices after a commit once its interval
   * has passed, and `flush` prices the rest when the queue goes idle.
   */
  constructor(
    private readonly writer: EventWriter,
    private readonly gate?: AppendGate,
    private readonly maxEventsPerAppend = 50_000,
  ) {}

  append(events: StoredEvent[], target?: AppendTarget): Promise<AppendResult> {
    return new Promise<AppendResult>((resolve, reject) => {
      this.pending.push({ events, ...(target ? { target } : {}), resolve, reject });
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
          const written = await (this.gate ? this.gate.exclusive(() => this.write(batch)) : this.write(batch));
          bedrock ||= written.some((p) => p.events.some((e) => e.kind === 'bedrock'));
        } catch (e) {
          for (const p of batch) p.reject(e);
        }
      }
      // Cost fields follow the events through the writer's hook, which prices at most every few
      // seconds during a burst; once the queue is idle, what it deferred is priced (requests were
      // answered already, so a burst of small calls pays for a few passes, not one each).
      if (bedrock) await this.writer.hook?.flush();
    } finally {
      this.running = false;
      // Batches that arrived while pricing ran start the next round.
      if (this.pending.length > 0) void this.drain();
    }
  }

  /** Writes the batch's requests whose targets still exist; answers the others. Returns those written. */
  private async write(batch: Pending[]): Promise<Pending[]> {
    let live = batch;
    if (this.gate) {
      const gone = await this.gate.missing(batch.flatMap((p) => (p.target ? [p.target] : [])));
      let k = 0;
      live = batch.filter((p) => {
        const err = p.target ? gone[k++] : null;
        if (err) p.reject(err);
        return !err;
      });
    }
    if (live.length === 0) return live;
    const r = await this.writer.append(live.flatMap((p) => p.events));
    // The writer reports totals; each request only needs to know its events are stored.
    // Duplicates cannot occur across requests (each event key carries its request id).
    const dupShare = live.length === 1 ? r.duplicates : 0;
    for (const p of live) p.resolve({ stored: p.events.length - dupShare, duplicates: dupShare });
    return live;
  }

  /** Resolves once nothing is being written or priced (before the store is closed). */
  async idle(): Promise<void> {
    while (this.running || this.pending.length > 0) await new Promise((res) => setTimeout(res, 5));
  }
}
