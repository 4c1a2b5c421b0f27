/**
 * The CLI's own entry point, for a server that runs a client's command line (src/control). Set
 * by main.ts when it loads; kept apart so that serve.ts reaches main() without an import circle.
 */
let runner: ((args: string[]) => Promise<number>) | undefined;

export function setCommandRunner(run: (args: string[]) => Promise<number>): void {
  runner = run;
}

/** Runs `bedrock-insights ARGS…` in this process; resolves with its exit status. */
export function runCommandLine(args: string[]): Promise<number> {
  if (!runner) throw new Error('the CLI entry point is not loaded');
  return runner(args);
}

/** Thrown by the pre-action hook (forward.ts) when the command ran in the server: main() exits with `code`. */
export class RanThroughServer extends Error {
  constructor(readonly code: number) {
    super(`ran through the server (exit ${code})`);
  }
}
