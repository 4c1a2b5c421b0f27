import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSlowStore } from '../cli/slow-store.js';
import { spawnServe } from '../api/serveProcess.js';
import { BIN, cli, collect } from './cli.js';

const REPO = new URL('../..', import.meta.url).pathname;
// Loaded into the server: says `prepared N` when a query has passed its preparation. A command
// the server runs for a client writes to that client, so the client's stderr shows it.
const TRACE_PREPARES = new URL('../cli/trace-prepares.mjs', import.meta.url).pathname;

test("the demo's own Try: line works while the demo runs", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bi-control-demo-'));
  const demo = spawn(
    process.execPath,
    [BIN, 'demo', '--db', join(dir, 'demo.duckdb'), '--records', '2000', '--days', '3', '--port', '0'],
    { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir },
  );
  try {
    let out = '';
    const tryLine = await new Promise<string>((resolve, reject) => {
      demo.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /^Try: (?:npx )?bedrock-insights (.*)$/m.exec(out);
        if (m && out.includes('console: http')) resolve(m[1]);
      });
      demo.on('exit', (code) => reject(new Error(`demo exited (${code}): ${out}`)));
    });
    // As the README says: run from the project folder (the line names queries/ relative to it).
    const r = await cli(tryLine.split(' '), { cwd: REPO });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Application +TotalInputTokens/);
    assert.ok(r.stdout.trim().split('\n').length > 3, r.stdout);
    assert.doesNotMatch(r.stderr, /STORE_LOCKED/);
  } finally {
    demo.kill('SIGINT');
    await new Promise((r) => demo.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
});

test('Ctrl-C of a query that runs through the server cancels it there: "query cancelled", exit 130, and the server goes on', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bi-control-cancel-'));
  const db = join(dir, 'store.duckdb');
  // Enough generic events that the query below runs for many seconds.
  await writeSlowStore(db, 3_000_000);
  const serve = await spawnServe(['--db', db], { NODE_OPTIONS: `--import=${TRACE_PREPARES}` });
  try {
    const child = spawn(
      process.execPath,
      [
        BIN,
        'query',
        '--db',
        db,
        'fields sha256(concat(@message, md5(@message), sha256(@message))) as h | parse h /(?<x>[a-f]+[0-9]+[a-f]+)/ | stats count(*) as n by x, h | sort n desc',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const done = collect(child);
    await new Promise<void>((resolve) =>
      child.stderr.on('data', (d: Buffer) => d.toString().includes('prepared') && resolve()),
    );
    child.kill('SIGINT');
    const r = await done;
    assert.equal(r.code, 130, r.stderr);
    assert.match(r.stderr, /query cancelled/);
    assert.equal(r.stdout, '');
    // The server is still there, and answers the next command.
    const next = await cli(['query', 'stats count(*) as n', '--db', db]);
    assert.equal(next.code, 0, next.stderr);
    assert.match(next.stdout, /3000000/);
  } finally {
    await serve.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
