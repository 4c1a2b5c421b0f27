// The real local Trino for tests: `npm run trino:start` (reusing a running one), held for this test
// process, released at the end; the last holder's release stops a server that tests started. A
// machine without Java 24+ or Maven fails here, loudly, with the start command's coded error: these
// tests never skip.
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { releaseLocalTrino } from '../../../src/engines/trino/local.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
const CLI = new URL('../../alarms/run-cli.ts', import.meta.url).pathname;

export interface HeldTrino {
  url: string;
  release(): Promise<void>;
}

/** Runs `npm run trino:start` (the contract's command) and returns the URL it printed. */
export async function holdLocalTrino(): Promise<HeldTrino> {
  const r = await new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
    const child = spawn('npm', ['run', '-s', 'trino:start'], {
      cwd: ROOT,
      env: { ...process.env, BEDROCK_INSIGHTS_TRINO_HOLDER: String(process.pid) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => resolve({ code, out, err }));
  });
  const m = /^TRINO_URL=(http:\/\/127\.0\.0\.1:\d+)$/m.exec(r.out);
  if (r.code !== 0 || !m)
    throw new Error(`npm run trino:start failed (exit ${r.code}); the Trino tests need Java 24+ and Maven:\n${r.err}`);
  return { url: m[1], release: async () => void (await releaseLocalTrino(process.pid)) };
}

/** The CLI from the sources, as a separate process. */
export function cli(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** A port on 127.0.0.1 that nothing listens on (taken from the kernel, then let go). */
export function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}
