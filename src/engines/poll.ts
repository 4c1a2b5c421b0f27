/**
 * The waiting every remote engine does (CloudWatch Logs, Athena, Trino): a query runs over there,
 * and each look at it first checks whether the caller cancelled or the deadline passed; either
 * stops the remote query (it would go on costing) before the run ends. Before, each engine had its
 * own copy of this loop and of its sleep.
 */

/** Waits `ms`, or less when `signal` aborts first. Never rejects: the caller looks at the signal. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });
}

export interface RemoteWait<T> {
  signal?: AbortSignal;
  /** Epoch ms after which the query is stopped. */
  deadline: number;
  /** Stop the remote query (cancelled or late). */
  stop(): Promise<void>;
  /** The end of a cancelled run (a value, or a coded error thrown). */
  cancelled(): T;
  /** The end of a run past its deadline. */
  timedOut(): T;
}

/** Before each look at a remote query: its end when cancelled or late (the query stopped), else undefined. */
export async function cancelledOrLate<T>(w: RemoteWait<T>): Promise<T | undefined> {
  if (w.signal?.aborted) {
    await w.stop();
    return w.cancelled();
  }
  if (Date.now() >= w.deadline) {
    await w.stop();
    return w.timedOut();
  }
  return undefined;
}

/**
 * Looks at a remote query every `pollMs` (never past the deadline) until `check` gives its end;
 * a cancel or the deadline stops it first.
 */
export async function pollUntilDone<T>(
  w: RemoteWait<T> & { pollMs: number; check(): Promise<T | undefined> },
): Promise<T> {
  for (;;) {
    const end = (await cancelledOrLate(w)) ?? (await w.check());
    if (end !== undefined) return end;
    await sleep(Math.min(w.pollMs, Math.max(0, w.deadline - Date.now())), w.signal);
  }
}

/** A count or size an engine returns (BIGINT, number, numeric text) as a number; 0 when missing or not one. */
export function toNumber(v: unknown): number {
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number') return v;
  if (v === null || v === undefined) return 0;
  const n = Number(String(v));
  return Number.isFinite(n) ? n : 0;
}
