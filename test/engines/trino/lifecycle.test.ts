// The local Trino's start/stop bookkeeping between concurrent runs (src/engines/trino/local.ts),
// without a Trino: the lock under contention and over a dead owner, holders counted by live
// process (a reused pid is not the holder), and stop/release ending only what they may. The
// "server" here is a sleeping process whose command line names the cache's data folder, as the
// real one does; the release and stop code cannot tell it apart.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { releaseLocalTrino, stopLocalTrino, withTrinoLock } from '../../../src/engines/trino/local.js';

const homes: string[] = [];
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const h of homes) rmSync(h, { recursive: true, force: true });
});

function newHome(): string {
  const h = mkdtempSync(join(tmpdir(), 'bi-trino-home-'));
  homes.push(h);
  mkdirSync(join(h, 'run', 'holders'), { recursive: true });
  return h;
}

function sleeper(args: string[] = []): Promise<ChildProcess> {
  const c = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', '--', ...args], { stdio: 'ignore' });
  children.push(c);
  return new Promise((resolve) => c.once('spawn', () => resolve(c)));
}

/** A stand-in for the server: what the launcher starts carries `-Dnode.data-dir=<run>/data`. */
async function fakeTrino(home: string, forHolders: boolean): Promise<ChildProcess> {
  const c = await sleeper([`-Dnode.data-dir=${join(home, 'run', 'data')}`]);
  const state = { pid: c.pid, port: 9, url: 'http://127.0.0.1:9', version: 'x', startedAt: '', forHolders };
  writeFileSync(join(home, 'run', 'state.json'), JSON.stringify(state));
  return c;
}

const alive = (c: ChildProcess): boolean => c.exitCode === null && c.signalCode === null;
const holder = (home: string, pid: number, identity = ''): void =>
  writeFileSync(join(home, 'run', 'holders', String(pid)), identity);

const INCREMENT = `
import { readFileSync, writeFileSync } from 'node:fs';
import { withTrinoLock } from ${JSON.stringify(new URL('../../../src/engines/trino/local.ts', import.meta.url).pathname)};
const [home, file] = process.argv.slice(-2);
for (let i = 0; i < 5; i++)
  await withTrinoLock(home, async () => {
    const n = Number(readFileSync(file, 'utf8'));
    await new Promise((r) => setTimeout(r, 20));
    writeFileSync(file, String(n + 1));
  });
`;

async function contend(home: string, processes: number): Promise<number> {
  const file = join(home, 'counter');
  writeFileSync(file, '0');
  const script = join(home, 'increment.mts');
  writeFileSync(script, INCREMENT);
  const codes = await Promise.all(
    Array.from({ length: processes }, () => {
      const c = spawn(process.execPath, ['--import', 'tsx', script, home, file], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let err = '';
      c.stderr.on('data', (d: Buffer) => (err += d.toString()));
      return new Promise<string>((resolve) =>
        c.on('close', (code) => resolve(code === 0 ? '' : `exit ${code}: ${err}`)),
      );
    }),
  );
  assert.deepEqual(codes.filter(Boolean), []);
  return Number(readFileSync(file, 'utf8'));
}

test('the lock: processes that take it at once never overlap, also when all find a dead owner first', async () => {
  const home = newHome();
  // Read, wait, write: any two inside at once lose an increment.
  assert.equal(await contend(home, 4), 20);
  // A lock left by a process that died: every contender sees it stale at the same moment, and a
  // takeover must not remove the lock another contender has just taken.
  const dead = await sleeper();
  dead.kill('SIGKILL');
  await new Promise((r) => dead.once('exit', r));
  writeFileSync(join(home, 'run', 'lock'), `${dead.pid} 1`);
  assert.equal(await contend(home, 4), 20);
  assert.equal(existsSync(join(home, 'run', 'lock')), false);
});

test('the lock: an owner whose pid now belongs to another process is stale; a live owner is waited for', async () => {
  const home = newHome();
  const lock = join(home, 'run', 'lock');
  // This very process, but with another start time: the pid was reused.
  writeFileSync(lock, `${process.pid} 1`);
  assert.equal(await withTrinoLock(home, async () => 'taken', 5_000), 'taken');
  // A live owner with no start time recorded (no /proc): trusted, so the wait runs out.
  const owner = await sleeper();
  writeFileSync(lock, `${owner.pid}`);
  await assert.rejects(
    withTrinoLock(home, async () => 'taken', 500),
    (e: Error & { code?: string }) => {
      assert.equal(e.code, 'TRINO_BUSY');
      assert.match(e.message, new RegExp(`pid ${owner.pid}`));
      return true;
    },
  );
  assert.equal(readFileSync(lock, 'utf8'), `${owner.pid}`, "a waiter's exit leaves the owner's lock alone");
});

test('stop is refused while a live process holds the server; release stops it only after the last holder', async () => {
  const home = newHome();
  const server = await fakeTrino(home, true);
  const other = await sleeper();
  holder(home, process.pid);
  holder(home, other.pid!);
  // A holder that died without releasing, and one whose pid was reused: neither counts.
  holder(home, 999_999_999);
  holder(home, process.pid === 1 ? 2 : 1, 'not-its-start-time');

  await assert.rejects(stopLocalTrino({ home }), (e: Error & { code?: string }) => {
    assert.equal(e.code, 'TRINO_IN_USE');
    assert.match(e.message, new RegExp(`${process.pid}.*${other.pid}|${other.pid}.*${process.pid}`));
    return true;
  });
  assert.ok(alive(server), 'a refused stop left the server running');

  assert.deepEqual(await releaseLocalTrino(process.pid, { home }), { stopped: false });
  assert.ok(alive(server), 'another run still holds it');
  // The other run is killed before it releases: its file no longer counts.
  other.kill('SIGKILL');
  await new Promise((r) => other.once('exit', r));
  const exited = new Promise((r) => server.once('exit', r));
  assert.deepEqual(await releaseLocalTrino(other.pid!, { home }), { stopped: true });
  await exited;
  assert.equal(existsSync(join(home, 'run', 'state.json')), false);
});

test('a server started by hand outlives every release; stop ends it and any stray server of the cache, nothing else', async () => {
  const home = newHome();
  const server = await fakeTrino(home, false);
  // Left by a start killed between the launcher and the state file: same data folder, no state.
  const stray = await sleeper([`-Dnode.data-dir=${join(home, 'run', 'data')}`]);
  // Another cache's server, and an unrelated process: never touched.
  const foreign = await sleeper([`-Dnode.data-dir=${join(home, 'elsewhere', 'data')}`]);
  holder(home, process.pid);
  assert.deepEqual(await releaseLocalTrino(process.pid, { home }), { stopped: false });
  assert.ok(alive(server));
  const ends = [server, stray].map((c) => new Promise((r) => c.once('exit', r)));
  assert.deepEqual(await stopLocalTrino({ home }), { stopped: true, pid: server.pid });
  await Promise.all(ends);
  assert.ok(alive(foreign), "another cache's server was stopped");
  // --force: stops while held, and forgets the holders.
  const again = await fakeTrino(home, true);
  holder(home, process.pid);
  const gone = new Promise((r) => again.once('exit', r));
  assert.deepEqual(await stopLocalTrino({ home, force: true }), { stopped: true, pid: again.pid });
  await gone;
  assert.equal(existsSync(join(home, 'run', 'holders')), false);
});
