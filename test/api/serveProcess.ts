import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';

// Spawns the built CLI: run `npm run build` first.
export const BIN = new URL('../../bin/bedrock-insights.js', import.meta.url).pathname;

const FINAL = new Set(['Complete', 'Failed', 'Cancelled', 'Timeout']);

export interface ServeProcess {
  url: string;
  pid: number;
  child: ChildProcess;
  stderr(): string;
  /** Peak resident memory of the server so far (VmHWM), in MB. */
  peakMb(): number;
  /** Sends the signal; resolves with the exit code and how long the exit took. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>;
}

/** `bedrock-insights serve --port 0 …` as a user runs it; resolves once it listens. */
export async function spawnServe(args: string[], env: NodeJS.ProcessEnv = {}): Promise<ServeProcess> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) =>
    child.on('exit', (code, signal) => res({ code, signal })),
  );
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /console: (http:\/\/[^/\s]+)\//.exec(out);
      if (m) resolve(m[1]);
    });
    void exited.then((e) => reject(new Error(`serve exited (${e.code ?? e.signal}) before listening: ${err}`)));
  });
  const pid = child.pid!;
  return {
    url,
    pid,
    child,
    stderr: () => err,
    peakMb: () => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      const t0 = Date.now();
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const e = await exited;
      return { ...e, ms: Date.now() - t0 };
    },
  };
}

export interface View {
  queryId: string;
  status: string;
  rows: Record<string, string>[];
  warnings: { code: string }[];
  truncated: boolean;
  error?: { code: string; message: string };
}

export async function postJson(
  url: string,
  body: unknown,
  signal?: AbortSignal,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const r = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    ...(signal ? { signal } : {}),
  });
  return { status: r.status, json: (await r.json()) as Record<string, unknown> };
}

/** Starts a console query over the whole store and long-polls it to its end. */
export async function runConsoleQuery(base: string, queryString: string, extra: object = {}): Promise<View> {
  const r = await postJson(`${base}/api/queries`, {
    queryString,
    startTime: 0,
    endTime: 4102444800000,
    waitMs: 30_000,
    ...extra,
  });
  if (r.status !== 200) throw new Error(`POST /api/queries: ${r.status} ${JSON.stringify(r.json)}`);
  let v = r.json as unknown as View;
  while (!FINAL.has(v.status)) {
    const p = await fetch(`${base}/api/queries/${v.queryId}?waitMs=30000`);
    if (p.status !== 200) throw new Error(`GET /api/queries/${v.queryId}: ${p.status} ${await p.text()}`);
    v = (await p.json()) as View;
  }
  return v;
}

/**
 * A demo-generator store for resource tests: `generate --preset demo --no-bodies` (about 750
 * bytes a message) ingested by the CLI, as a user would build it.
 */
export async function generateStore(dir: string, records: number): Promise<string> {
  const run = promisify(execFile);
  const file = `${dir}/demo.jsonl`;
  const db = `${dir}/store.duckdb`;
  await run(process.execPath, [
    BIN,
    'generate',
    '--preset',
    'demo',
    '--records',
    String(records),
    '--seed',
    '7',
    '--format',
    'jsonl',
    '--no-bodies',
    '--end',
    '2026-11-01T00:00:00Z',
    '--out',
    file,
  ]);
  await run(process.execPath, [BIN, 'ingest', file, '--db', db], { maxBuffer: 16 << 20 });
  return db;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
