// Running the page's query: start, long-poll, cancel, the result, its error, the elapsed time.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { RangeSpec } from '../../../src/contracts/range';
import { api, ApiError, errorText, isFinal, type QueryView } from '../api';

/** What a run asks for. */
export interface RunInput {
  queryString: string;
  logGroups: string[];
  range: RangeSpec;
  /** An engine of /api/engines; '' or absent: the store's. */
  engine?: string;
}

/** The query behind the result shown: the export, the histogram and the empty-result hint use it. */
export interface RanQuery {
  queryString: string;
  logGroups: string[];
  range: RangeSpec;
  startTime: number;
  endTime: number;
  /** The engine it ran on (absent: the store's); the export runs it there again. */
  engine?: string;
}

export interface QueryRun {
  result: QueryView | null;
  ran: RanQuery | null;
  running: { id?: string; started: number } | null;
  /** Milliseconds since the running query started (0 when none runs). */
  elapsed: number;
  error: string;
  setError: (e: string) => void;
  run: (input: RunInput) => Promise<void>;
  cancel: () => Promise<void>;
  clear: () => void;
}

/** The first diagnostic as the console shows it: line and column 1-based, as in the editor. */
export function diagnosticText(e: unknown): string {
  if (e instanceof ApiError) {
    const d = e.diagnostics?.[0];
    // An engine's failure says its code (TRINO_UNREACHABLE…): what the user looks up.
    return d ? `Line ${d.line}, column ${d.column + 1}: ${d.message}` : errorText(e);
  }
  return e instanceof Error ? e.message : String(e);
}

export function useQueryRun(onFinished?: () => void): QueryRun {
  const [result, setResult] = useState<QueryView | null>(null);
  const [ran, setRan] = useState<RanQuery | null>(null);
  const [running, setRunning] = useState<{ id?: string; started: number } | null>(null);
  const [now, setNow] = useState(0);
  const [error, setError] = useState('');
  // Each run gets a number; answers of an older run (cancelled, or replaced) are dropped.
  const seq = useRef(0);

  useEffect(() => {
    if (!running) return;
    const t = setInterval(() => setNow(Date.now()), 100);
    return () => clearInterval(t);
  }, [running]);

  const run = useCallback(
    async (input: RunInput): Promise<void> => {
      const queryString = input.queryString.trim();
      if (!queryString) return;
      const my = ++seq.current;
      const started = Date.now();
      setError('');
      setRunning({ started });
      setNow(started);
      try {
        let v = await api.start({
          queryString,
          logGroups: input.logGroups,
          // The server resolves the range once (the view carries the instant's bounds): the table,
          // the histogram and the export use those bounds, and the history keeps "Last 1h".
          range: input.range,
          waitMs: 250,
          ...(input.engine ? { engine: input.engine } : {}),
        });
        if (my !== seq.current) return;
        setRunning({ id: v.queryId, started: Date.now() - v.elapsedMs });
        while (!isFinal(v.status)) {
          if (v.rows.length) setResult(v);
          v = await api.poll(v.queryId, 2_000);
          if (my !== seq.current) return;
        }
        setResult(v);
        setRan({
          queryString,
          logGroups: input.logGroups,
          range: input.range,
          startTime: v.startTime,
          endTime: v.endTime,
          ...(input.engine ? { engine: input.engine } : {}),
        });
        if (v.status === 'Failed' || v.status === 'Timeout')
          setError(v.error ? errorText(v.error) : 'The query failed.');
      } catch (e) {
        if (my !== seq.current) return;
        setError(diagnosticText(e));
      } finally {
        if (my === seq.current) {
          setRunning(null);
          onFinished?.();
        }
      }
    },
    [onFinished],
  );

  const cancel = useCallback(async (): Promise<void> => {
    const id = running?.id;
    seq.current++;
    setRunning(null);
    if (!id) return;
    try {
      setResult(await api.cancel(id));
    } catch (e) {
      setError(diagnosticText(e));
    }
  }, [running]);

  const clear = useCallback(() => {
    setResult(null);
    setRan(null);
  }, []);

  return {
    result,
    ran,
    running,
    elapsed: running ? Math.max(0, now - running.started) : 0,
    error,
    setError,
    run,
    cancel,
    clear,
  };
}
