import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { parsePort, registerServe, serveBanner } from '../../src/cli/commands/serve.js';
import type { RunningServer } from '../../src/api/server.js';

test('serve: options and defaults as documented', () => {
  const program = new Command();
  registerServe(program);
  const serve = program.commands.find((c) => c.name() === 'serve')!;
  const flags = serve.options.map((o) => o.long);
  assert.deepEqual(flags, [
    '--db',
    '--create',
    '--port',
    '--host',
    '--token',
    '--access-keys',
    '--no-auth',
    '--sync',
    '--allow-host',
    '--max-queries',
    '--query-timeout',
    '--memory-limit',
  ]);
  assert.equal(serve.options.find((o) => o.long === '--host')!.defaultValue, '127.0.0.1');
  assert.equal(serve.options.find((o) => o.long === '--port')!.defaultValue, '8080');
});

test('serve: --port is checked', () => {
  assert.equal(parsePort('0'), 0);
  assert.equal(parsePort('9000'), 9000);
  assert.throws(() => parsePort('http'), /--port .*: use a number from 0 to 65535/);
  assert.throws(() => parsePort('70000'), /--port .*: use a number from 0 to 65535/);
});

test('the banner prints the URL, and the token with a sign-in link only when one is required', () => {
  const base = {
    url: 'http://127.0.0.1:8080',
    host: '127.0.0.1',
    port: 8080,
    tokenGenerated: false,
    tokenSource: 'none',
  } as RunningServer;
  const open = serveBanner(base);
  assert.match(open, /console: http:\/\/127\.0\.0\.1:8080\//);
  assert.doesNotMatch(open, /token/i);
  const guarded = serveBanner({
    ...base,
    url: 'http://0.0.0.0:9000',
    token: 'abc',
    tokenGenerated: true,
    tokenSource: '/x/server.json',
  });
  assert.match(guarded, /generated now, kept in \/x\/server\.json/);
  assert.match(guarded, /\/login\?token=abc/);
  assert.match(guarded, /Authorization: Bearer abc/);
});
