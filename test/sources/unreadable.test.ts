import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// Campaign F5 (B22, B23): a file and a sub-folder the user may not read, among readable ones.
// Both are reported with their path and reason and the rest is ingested; nothing crashes. Runs
// the real CLI as a user without the permission: as root (who may read anything) through
// `setpriv` as nobody, otherwise as the current user.

const repo = resolve(import.meta.dirname, '../..');
const bin = join(repo, 'bin', 'bedrock-insights.js');
const work = mkdtempSync(join(tmpdir(), 'bi-unreadable-'));
const root = process.getuid?.() === 0;
const setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));

before(() => {
  const built = join(repo, 'dist', 'sources', 'ingest.js');
  if (!existsSync(built) || statSync(built).mtimeMs < statSync(join(repo, 'src', 'sources', 'ingest.ts')).mtimeMs) {
    spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: repo, stdio: 'ignore' });
  }
});
after(() => {
  chmodSync(join(work, 'logs', 'locked'), 0o755);
  rmSync(work, { recursive: true, force: true });
});

const rec = (i: number): string =>
  JSON.stringify({
    timestamp: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString().replace('.000Z', 'Z'),
    requestId: `req-${i}`,
    operation: 'Converse',
    modelId: 'amazon.nova-lite-v1:0',
  });

test('an unreadable file and an unreadable sub-folder are reported; the readable files are stored', (t) => {
  if (root && !setpriv) return t.skip('running as root without setpriv: permissions cannot be tested');
  const logs = join(work, 'logs');
  mkdirSync(join(logs, 'locked'), { recursive: true });
  writeFileSync(join(logs, 'a.jsonl'), [1, 2, 3].map(rec).join('\n'));
  writeFileSync(join(logs, 'b-unreadable.jsonl'), [4, 5].map(rec).join('\n'));
  writeFileSync(join(logs, 'locked', 'c.jsonl'), [6, 7].map(rec).join('\n'));
  writeFileSync(join(logs, 'z.jsonl'), [8, 9].map(rec).join('\n'));
  const store = join(work, 'store');
  mkdirSync(store);
  for (const p of [work, logs, join(logs, 'a.jsonl'), join(logs, 'z.jsonl')]) chmodSync(p, 0o755);
  chmodSync(store, 0o777);
  chmodSync(join(logs, 'b-unreadable.jsonl'), 0);
  chmodSync(join(logs, 'locked'), 0);
  const cmd = [process.execPath, bin, 'ingest', logs, '--db', join(store, 's.duckdb')];
  const [exe, ...args] = root ? [setpriv!, '--reuid', '65534', '--regid', '65534', '--clear-groups', ...cmd] : cmd;
  const r = spawnSync(exe, args, { encoding: 'utf8', env: { ...process.env, HOME: store } });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /records stored:\s+5\n/);
  assert.match(r.stdout, /records rejected:\s+2\n/);
  assert.ok(r.stderr.includes(`${join(logs, 'b-unreadable.jsonl')}:0: cannot read the file: EACCES`), r.stderr);
  assert.ok(r.stderr.includes(`${join(logs, 'locked')}:0: cannot read the folder: EACCES`), r.stderr);
});
