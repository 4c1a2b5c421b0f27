import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSlowStore } from './slow-store.js';

// Spawns the built CLI: run `npm run build` first.
const BIN = new URL('../../bin/bedrock-insights.js', import.meta.url).pathname;
// Prints `prepared 1` when the query has been prepared: the CLI's Ctrl-C handler is installed by
// then, however long the process took to start on a busy machine.
const TRACE_PREPARES = new URL('./trace-prepares.mjs', import.meta.url).pathname;

test('Ctrl-C cancels a running query: "query cancelled", exit status 130', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bi-cancel-'));
  try {
    const db = join(dir, 'store.duckdb');
    // Enough generic events that the query below runs for many seconds.
    await writeSlowStore(db, 8_000_000);
    const child = spawn(
      process.execPath,
      [
        '--import',
        TRACE_PREPARES,
        BIN,
        'query',
        '--db',
        db,
        'fields sha256(concat(@message, md5(@message), sha256(@message))) as h | parse h /(?<x>[a-f]+[0-9]+[a-f]+)/ | stats count(*) as n by x, h | sort n desc',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
    // Wait until the query is prepared (the process has started), let it get going, then
    // interrupt it as a terminal would.
    const giveUp = Date.now() + 120_000;
    await new Promise<void>((res, rej) => {
      const check = () => {
        if (err.includes('prepared 1')) return res();
        if (child.exitCode !== null) return rej(new Error(`the CLI ended before preparing the query: ${err}`));
        if (Date.now() > giveUp) {
          child.kill();
          return rej(new Error(`the CLI did not prepare the query within 120 s: ${err}`));
        }
        setTimeout(check, 50);
      };
      check();
    });
    await new Promise((res) => setTimeout(res, 500));
    assert.equal(child.exitCode, null, `the query finished before it could be cancelled: ${err}`);
    const sentAt = Date.now();
    child.kill('SIGINT');
    const code = await exited;
    assert.equal(code, 130, err);
    assert.match(err, /query cancelled/);
    assert.ok(Date.now() - sentAt < 5000, 'cancellation took too long');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
