import { errorMessage } from '../util/errors.js';
import { evaluateAlarms, type AlarmRuntime, type EvaluationReport } from './evaluate.js';

export interface AlarmScheduler {
  /** Runs one evaluation now (the API's "evaluate"); shares the scheduler's serialisation. */
  runNow(at?: number): Promise<EvaluationReport>;
  last(): EvaluationReport | undefined;
  stop(): Promise<void>;
}

/**
 * Evaluates the enabled alarms every `intervalMs` (default one minute; the smallest useful period
 * with the evaluation delay) while the server runs. An evaluation never overlaps the previous one.
 */
export function startAlarmScheduler(
  runtime: AlarmRuntime | (() => Promise<AlarmRuntime>),
  o: { intervalMs?: number; now?: () => number; log?: (line: string) => void } = {},
): AlarmScheduler {
  // The runtime may be opened lazily (the server opens the alarm tables on the first tick, not at listen).
  let rtP: Promise<AlarmRuntime> | undefined;
  const rt = (): Promise<AlarmRuntime> =>
    (rtP ??= typeof runtime === 'function' ? runtime() : Promise.resolve(runtime));
  const log = (l: string): void => (o.log ?? (typeof runtime === 'function' ? undefined : runtime.log))?.(l);
  const intervalMs = o.intervalMs ?? 60_000;
  const now = o.now ?? Date.now;
  let last: EvaluationReport | undefined;
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const run = async (at?: number): Promise<EvaluationReport> => {
    const p = running.catch(() => undefined).then(async () => evaluateAlarms(await rt(), { at: at ?? now() }));
    running = p;
    last = await p;
    return last;
  };
  const tick = (): void => {
    if (stopped) return;
    run().catch((e: unknown) => {
      rtP = undefined; // e.g. the tables could not be opened: try again next time
      log(`alarm evaluation failed: ${errorMessage(e)}`);
    });
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  // The first evaluation right after start, without delaying it.
  const first = setTimeout(tick, Math.min(2000, intervalMs));
  first.unref();
  return {
    runNow: run,
    last: () => last,
    async stop() {
      stopped = true;
      clearInterval(timer);
      clearTimeout(first);
      await running.catch(() => undefined);
    },
  };
}
