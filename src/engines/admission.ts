import { BiError } from '../util/errors.js';

/**
 * Admission of queries to DuckDB: at most `slots` run at once, the others wait in a queue. More
 * queries at once only share the same cores and DuckDB's one memory limit, and each holds its
 * result rows longer: 20 heavy console queries at once took 260–290 s each and 7.4 GB.
 *
 * A queue alone would keep a light query (a dashboard count) behind heavy ones for minutes, and
 * nothing tells a light query from a heavy one before it runs. So one more slot, the express
 * slot, runs the newest waiting query that has not yet shown itself heavy, for at most
 * `expressMs`. A query still running then moves to a general slot if one is free; otherwise it
 * is stopped, marked heavy, and waits for a general slot to run again from the start (never
 * twice in the express slot). The newest goes first because on a console it is the one somebody
 * is looking at; the general slots keep arrival order, so no query waits forever. The most
 * express work thrown away is `expressMs` per heavy query.
 */
export interface AdmissionOptions {
  /** General slots: queries that may run at once (≥ 1). */
  slots: number;
  /** The express slot's time budget per query (ms); 0 turns the express slot off. */
  expressMs: number;
}

export type Lane = 'general' | 'express';

export interface Lease {
  readonly lane: Lane;
  /**
   * Express only, once its budget is over: move to a general slot if one is free (true); false
   * means the caller must stop the query, release the lease and acquire again as heavy.
   */
  promote(): boolean;
  release(): void;
}

export interface AcquireOptions {
  /** Shown to be heavy (ran out of express time once): general slots only. */
  heavy: boolean;
  /** Whether this query may use the express slot at all (not when its rows already went out). */
  expressAllowed: boolean;
  /** Aborting leaves the queue: the promise rejects with ADMISSION_ABORTED. */
  signal?: AbortSignal;
}

interface Waiter {
  seq: number;
  heavy: boolean;
  expressAllowed: boolean;
  grant: (lane: Lane) => void;
}

export class QueryAdmission {
  private general = 0;
  private express = false;
  private seq = 0;
  private readonly waiting: Waiter[] = [];

  constructor(readonly options: AdmissionOptions) {
    if (!(options.slots >= 1)) throw new BiError('INVALID_ARGUMENT', 'At least one query slot is needed.');
  }

  /** Running and waiting queries, for /api/info and tests. */
  stats(): { running: number; express: boolean; waiting: number; slots: number } {
    return {
      running: this.general + (this.express ? 1 : 0),
      express: this.express,
      waiting: this.waiting.length,
      slots: this.options.slots,
    };
  }

  acquire(o: AcquireOptions): Promise<Lease> {
    if (o.signal?.aborted) return Promise.reject(aborted());
    return new Promise<Lease>((resolve, reject) => {
      const w: Waiter = {
        seq: this.seq++,
        heavy: o.heavy,
        expressAllowed: o.expressAllowed,
        grant: (lane) => {
          o.signal?.removeEventListener('abort', onAbort);
          resolve(this.lease(lane));
        },
      };
      const onAbort = (): void => {
        const i = this.waiting.indexOf(w);
        if (i < 0) return; // already granted
        this.waiting.splice(i, 1);
        reject(aborted());
      };
      o.signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(w);
      this.dispatch();
    });
  }

  private lease(initial: Lane): Lease {
    let lane: Lane = initial;
    let released = false;
    return {
      get lane() {
        return lane;
      },
      promote: () => {
        if (lane !== 'express' || released) return lane === 'general';
        if (this.general >= this.options.slots) return false;
        this.express = false;
        this.general++;
        lane = 'general';
        this.dispatch();
        return true;
      },
      release: () => {
        if (released) return;
        released = true;
        if (lane === 'express') this.express = false;
        else this.general--;
        this.dispatch();
      },
    };
  }

  private dispatch(): void {
    while (this.general < this.options.slots && this.waiting.length > 0) {
      const w = this.waiting.shift()!; // oldest first
      this.general++;
      w.grant('general');
    }
    if (this.express || this.options.expressMs <= 0) return;
    for (let i = this.waiting.length - 1; i >= 0; i--) {
      const w = this.waiting[i]; // newest first
      if (w.heavy || !w.expressAllowed) continue;
      this.waiting.splice(i, 1);
      this.express = true;
      w.grant('express');
      return;
    }
  }
}

function aborted(): BiError {
  return new BiError('ADMISSION_ABORTED', 'The query stopped while it waited for a slot.');
}
