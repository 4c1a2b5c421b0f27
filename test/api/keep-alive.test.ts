import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADVERTISED_IDLE_SECONDS } from '../../src/api/keepAlive.js';
import { sleep, spawnServe, type ServeProcess } from './serveProcess.js';

// Idle keep-alive connections (src/api/keepAlive.ts): a request sent on a connection the client
// was told it may still use must never be reset. The real `serve`, spoken to over a raw socket so
// the test controls exactly when each request goes out on which connection.

let dir = '';
let s: ServeProcess;
let port = 0;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bi-keepalive-'));
  s = await spawnServe(['--db', join(dir, 'store.duckdb'), '--create']);
  port = Number(new URL(s.url).port);
});

after(async () => {
  await s?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A connection that collects what the server sends, and whether the server closed it. */
function open(): Promise<{ sock: Socket; text: () => string; ended: () => boolean; reset: () => string }> {
  return new Promise((resolve, reject) => {
    let text = '';
    let ended = false;
    let reset = '';
    const sock = connect(port, '127.0.0.1', () =>
      resolve({ sock, text: () => text, ended: () => ended, reset: () => reset }),
    );
    sock.on('data', (d: Buffer) => (text += d.toString('latin1')));
    sock.on('end', () => (ended = true));
    sock.on('error', (e: NodeJS.ErrnoException) => {
      reset = e.code ?? e.message;
      reject(e);
    });
  });
}

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 300 && !cond(); i++) await sleep(50);
  assert.ok(cond(), what);
}

const GET = (extra = ''): string => `GET /api/info HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${extra}\r\n`;
// Answers follow each other on one connection without a line break in between.
const answers = (text: string): number => text.match(/HTTP\/1\.1 200 OK\r\n/g)?.length ?? 0;

test('an idle connection outlives the time the server advertises: the next request on it is answered', async () => {
  const c = await open();
  c.sock.write(GET());
  await until(() => answers(c.text()) === 1, 'first answer');
  // What clients such as Node's fetch read: they give the connection up after this.
  assert.match(c.text(), new RegExp(`^Keep-Alive: timeout=${ADVERTISED_IDLE_SECONDS}\\r$`, 'im'));
  assert.doesNotMatch(c.text(), /^Connection: close/im);
  // Idle a second past the advertised time: a client that stalled just then (a busy event loop)
  // sends now. Before, the server closed the connection at exactly the advertised time.
  await sleep(ADVERTISED_IDLE_SECONDS * 1000 + 1000);
  assert.equal(c.ended(), false, 'the server closed the idle connection at the advertised time');
  c.sock.write(GET());
  await until(() => answers(c.text()) === 2 || c.ended() || c.reset() !== '', 'second answer');
  assert.equal(answers(c.text()), 2, `after the idle time: ${c.reset() || c.text().slice(-300)}`);
  c.sock.destroy();
});

test('a client that asks to close gets no keep-alive hint, and the connection closes after the answer', async () => {
  const c = await open();
  c.sock.write(GET('Connection: close\r\n'));
  await until(() => c.ended(), 'the server closes the connection');
  assert.equal(answers(c.text()), 1);
  assert.match(c.text(), /^Connection: close\r$/im);
  assert.doesNotMatch(c.text(), /^Keep-Alive:/im);
  // HTTP/1.0 without keep-alive: the same.
  const old = await open();
  old.sock.write(`GET /api/info HTTP/1.0\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
  await until(() => old.ended(), 'the server closes the HTTP/1.0 connection');
  assert.match(old.text(), /^HTTP\/1\.1 200 OK\r$/m);
  assert.doesNotMatch(old.text(), /^Keep-Alive:/im);
});

test('a stop still closes idle connections at once', async () => {
  const other = await spawnServe(['--db', join(dir, 'other.duckdb'), '--create']);
  const c = await new Promise<Socket>((resolve) => {
    const sock = connect(Number(new URL(other.url).port), '127.0.0.1', () => resolve(sock));
  });
  let text = '';
  c.on('data', (d: Buffer) => (text += d.toString('latin1')));
  c.write(`GET /api/info HTTP/1.1\r\nHost: ${new URL(other.url).host}\r\n\r\n`);
  for (let i = 0; i < 300 && answers(text) === 0; i++) await sleep(50);
  assert.equal(answers(text), 1);
  // The idle connection (kept for a minute now) does not hold the stop back.
  const stopped = await other.stop();
  assert.equal(stopped.code, 0, other.stderr());
  assert.ok(stopped.ms < 10_000, `stopping took ${stopped.ms} ms`);
  c.destroy();
});
