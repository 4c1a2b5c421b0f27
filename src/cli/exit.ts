/**
 * The exit status the commands ask for. It lives apart from main.ts because every command sets it
 * and main.ts loads every command: kept there, each command imported main.ts and the CLI was one
 * import circle.
 */
let code = 0;

/** Commands set a non-zero exit status through this (for example: records rejected under --strict). */
export function setExitCode(c: number): void {
  code = c;
}

/** The status asked for since the last reset (0 when no command asked). */
export function requestedExitCode(): number {
  return code;
}

/** Back to 0 at the start of a run (tests run `main` several times in one process). */
export function resetExitCode(): void {
  code = 0;
}
