import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// The campaign's S9 (F6): DuckDB invalidates the store when the checkpoint after a commit fails on
// a full disk. The scenario runs the real `serve` on a small tmpfs, in a private mount namespace
// so nothing stays mounted: as root `unshare --mount` (CI runs as root), otherwise a user
// namespace (`unshare --user --map-root-user --mount`).
const SCENARIO = fileURLToPath(new URL('./diskfull.scenario.ts', import.meta.url));

function namespaced(cmd: string[]): string[] {
  const root = process.getuid?.() === 0;
  return root
    ? ['unshare', '--mount', '--propagation', 'private', ...cmd]
    : ['unshare', '--user', '--map-root-user', '--mount', ...cmd];
}

test('after a full disk invalidates the store, serve reopens it by itself; nothing acknowledged is lost', async (t) => {
  const [pc, ...pargs] = namespaced([
    'sh',
    '-c',
    'd=$(mktemp -d) && mount -t tmpfs -o size=1m tmpfs "$d" && umount "$d" && rmdir "$d"',
  ]);
  const probe = spawnSync(pc, pargs, { encoding: 'utf8' });
  if (probe.status !== 0) {
    t.skip(`cannot mount a tmpfs in a private namespace here: ${probe.stderr.trim()}`);
    return;
  }
  const [cmd, ...args] = namespaced([process.execPath, '--import', 'tsx', SCENARIO]);
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 240_000 });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  assert.equal(r.status, 0, `scenario failed: ${r.stderr}`);
  const out = JSON.parse(line) as {
    statesSeen: string[];
    unavailableWhileFull: boolean;
    recoveredMs: number;
    putAfter: boolean;
    queryStatus: string;
    acked: number;
    stored: number;
    distinct: number;
    refusedWhileFull: number;
    exit: number;
    stderr: string;
  };
  // The disk filled up: some PutLogEvents were refused, and /api/info said the store was not available.
  assert.ok(out.refusedWhileFull > 0, line);
  assert.ok(out.unavailableWhileFull, `states seen: ${out.statesSeen.join(', ')}`);
  assert.ok(out.statesSeen.includes('unavailable/reopening'), out.statesSeen.join(', '));
  assert.match(out.stderr, /invalidated by DuckDB .*reopening it/);
  // Back by itself once there was space, without a restart.
  assert.ok(out.recoveredMs >= 0, 'the server came back');
  assert.match(out.stderr, /is open again; serving/);
  assert.equal(out.putAfter, true, 'PutLogEvents works again');
  assert.equal(out.queryStatus, 'Complete');
  // Every acknowledged event is there exactly once; nothing refused was stored.
  assert.ok(out.acked > 0);
  assert.equal(out.stored, out.acked, 'every acknowledged event, the batch after recovery included');
  assert.equal(out.distinct, out.stored);
  assert.equal(out.exit, 0);
});
