import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';

// An athena test run once passed its tests and then never exited: the stand-in's 10-minute hold
// of a queued query was a bare timer that closing the stand-in did not end.
const SCRIPT = new URL('./held-query.ts', import.meta.url).pathname;

test('a process that held a query in the stand-in and closed it exits by itself', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, AWS_EC2_METADATA_DISABLED: 'true' },
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  // Far below the hold (600 s), far above a start on a loaded machine.
  const limit = setTimeout(() => child.kill('SIGKILL'), 120_000);
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  clearTimeout(limit);
  assert.equal(out, 'closed\n', err);
  assert.equal(code, 0, `the process did not end by itself after the stand-in closed: ${err}`);
});
