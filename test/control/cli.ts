import { spawn } from 'node:child_process';

// Spawns the built CLI: run `npm run build` first.
export const BIN = new URL('../../bin/bedrock-insights.js', import.meta.url).pathname;

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `bedrock-insights ARGS…` as a user runs it, in `cwd`; resolves when it exits. */
export function cli(
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {},
): Promise<CliRun> {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: opts.cwd,
    env: { ...process.env, BEDROCK_INSIGHTS_DB: '', ...opts.env },
    stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  if (opts.input !== undefined) child.stdin!.end(opts.input);
  return collect(child);
}

export function collect(child: ReturnType<typeof spawn>): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

/** An ingest summary without what differs between two runs of the same ingest (time, store path). */
export function stableSummary(text: string): string {
  return text.replace(/^time: .*$/m, 'time: …').replace(/^store: .*$/m, 'store: …');
}
