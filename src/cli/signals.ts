import { clientCommand } from '../control/context.js';
import { EXIT } from './exit.js';

/**
 * Ctrl-C and SIGTERM, handled one way by every command that runs until stopped (serve, demo, sync)
 * or that can be cancelled (query, ingest). For a command a server runs for a client
 * (src/control), Ctrl-C is the client's: its cancel, or its going away, aborts the command's signal.
 */

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];
/** A stop that takes longer than this (a request that will not end) exits anyway. */
export const STOP_DEADLINE_MS = 10_000;

function signalExit(signal: NodeJS.Signals): number {
  return signal === 'SIGINT' ? EXIT.CANCELLED : EXIT.TERMINATED;
}

/**
 * Waits for SIGINT or SIGTERM, then runs `stop` and resolves with the signal once it finished.
 * A second signal, or a stop that outlasts `deadlineMs`, exits the process at once (DuckDB's WAL
 * keeps every committed write either way).
 */
export function untilSignal(
  stop: (signal: NodeJS.Signals) => Promise<void>,
  deadlineMs = STOP_DEADLINE_MS,
): Promise<NodeJS.Signals> {
  const cmd = clientCommand();
  if (cmd)
    // In a server, the client's Ctrl-C stops this command only; the server's own signals stay the server's.
    return new Promise((resolve) => {
      const stopNow = (): void => void stop('SIGINT').finally(() => resolve('SIGINT'));
      if (cmd.signal.aborted) stopNow();
      else cmd.signal.addEventListener('abort', stopNow, { once: true });
    });
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) {
        process.stderr.write(`bedrock-insights: ${signal} again: exiting now\n`);
        process.exit(signalExit(signal));
      }
      stopping = true;
      const deadline = setTimeout(() => {
        process.stderr.write(`bedrock-insights: did not stop within ${deadlineMs / 1000} s: exiting now\n`);
        process.exit(signalExit(signal));
      }, deadlineMs);
      deadline.unref();
      void stop(signal).finally(() => {
        clearTimeout(deadline);
        for (const s of SIGNALS) process.off(s, onSignal);
        resolve(signal);
      });
    };
    for (const s of SIGNALS) process.on(s, onSignal);
  });
}

/**
 * Calls `cancel` on the first SIGINT while work runs (a query: it ends cleanly and the command
 * exits 130); returns the function that removes the handler, to call when the work is done.
 */
export function onInterrupt(cancel: () => void): () => void {
  const cmd = clientCommand();
  if (cmd) {
    if (cmd.signal.aborted) {
      queueMicrotask(cancel);
      return () => undefined;
    }
    cmd.signal.addEventListener('abort', cancel, { once: true });
    return () => cmd.signal.removeEventListener('abort', cancel);
  }
  const handler = (): void => cancel();
  process.once('SIGINT', handler);
  return () => {
    process.removeListener('SIGINT', handler);
  };
}
