import { clientCommand } from '../control/context.js';

/**
 * Exit statuses, and the one a command asks for. It lives apart from main.ts because every command
 * sets it and main.ts loads every command: kept there, each command imported main.ts and the CLI
 * was one import circle. A command a server runs for a client keeps its status in its own context
 * (src/control/context.ts): several run at once there.
 */
export const EXIT = {
  /** Done. */
  OK: 0,
  /** A check or validation failed (invalid query, unpriced models, rejected records with --strict …). */
  FAILED: 1,
  /** A usage or runtime error: a bad argument, a missing store, a failure. */
  ERROR: 2,
  /** Cancelled with Ctrl-C (128 + SIGINT). */
  CANCELLED: 130,
  /** Stopped with SIGTERM (128 + SIGTERM), when that cut work short. */
  TERMINATED: 143,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

let code: ExitCode = EXIT.OK;

/** Commands set a non-zero exit status through this (for example: records rejected under --strict). */
export function setExitCode(c: ExitCode): void {
  const cmd = clientCommand();
  if (cmd) cmd.exitCode = c;
  else code = c;
}

/** The status asked for since the last reset (0 when no command asked). */
export function requestedExitCode(): ExitCode {
  const cmd = clientCommand();
  return cmd ? (cmd.exitCode as ExitCode) : code;
}

/** Back to 0 at the start of a run (tests run `main` several times in one process). */
export function resetExitCode(): void {
  setExitCode(EXIT.OK);
}
