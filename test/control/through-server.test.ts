import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnServe, type ServeProcess } from '../api/serveProcess.js';
import { BIN, cli, collect, stableSummary } from './cli.js';

const REPO = new URL('../..', import.meta.url).pathname;
let dir: string;
const MONTH = new Date().toISOString().slice(0, 7);

function serverFile(db: string): { pid: number; port: number; token: string } {
  return JSON.parse(readFileSync(`${db}.server.json`, 'utf8')) as { pid: number; port: number; token: string };
}

async function count(db: string, env: NodeJS.ProcessEnv = {}): Promise<number> {
  const r = await cli(
    ['query', '--db', db, 'stats count(*) as n, count_distinct(requestId) as ids', '--format', 'json', '-q'],
    { env },
  );
  assert.equal(r.code, 0, r.stderr);
  const [row] = JSON.parse(r.stdout) as { n: string; ids: string }[];
  assert.equal(row.n, row.ids, 'every record is stored once');
  return Number(row.n);
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bi-control-'));
  const gen = [
    ['a.jsonl', '1500', '1'],
    ['b.jsonl', '1000', '2'],
    ['c1.jsonl', '800', '3'],
    ['c2.jsonl', '700', '4'],
  ];
  for (const [out, records, seed] of gen) {
    const r = await cli(
      ['generate', '--out', out, '--format', 'jsonl', '--records', records, '--seed', seed, '--days', '3'],
      { cwd: dir },
    );
    assert.equal(r.code, 0, r.stderr);
  }
});

after(() => rmSync(dir, { recursive: true, force: true }));

const SAME_COMMANDS: string[][] = [
  ['query', 'stats count(*) as n, sum(input.inputTokenCount) as tokens by modelId | sort n desc, modelId'],
  ['query', '-f', join(REPO, 'queries/bedrock/q02-tokens-by-application.insights'), '--format', 'json'],
  ['query', 'fields @timestamp, modelId | sort @timestamp desc | limit 5', '--format', 'csv'],
  ['query', 'stats count(*) by nosuchfield |'], // not valid: exit 1 and the same diagnostics
  ['alarms', 'list'],
  ['chargeback', '--by', 'team'],
  ['prices', 'check'],
];

test('with serve running on the store, query/ingest/alarms/chargeback/report run through it: the same output and exit status as without a server, and the console sees the ingest at once', async () => {
  const db = join(dir, 'same.duckdb');
  const before = join(dir, 'same-before.duckdb');
  assert.equal((await cli(['ingest', 'a.jsonl', '--db', db], { cwd: dir })).code, 0);
  copyFileSync(db, before);
  const serve: ServeProcess = await spawnServe(['--db', db]);
  const through: Record<string, { code: number | null; stdout: string; stderr: string }> = {};
  try {
    const info = serverFile(db);
    assert.equal(info.pid, serve.pid);
    assert.equal(
      statSync(`${db}.server.json`).mode & 0o777,
      0o600,
      'server.json is private: it holds the control token',
    );
    // A relative path and the report's output files are the client's, in its own folder.
    through.ingest = await cli(['ingest', 'b.jsonl', '--db', db], { cwd: dir });
    for (const args of SAME_COMMANDS) through[args.join(' ')] = await cli([...args, '--db', db], { cwd: dir });
    through.report = await cli(
      ['report', '--period', MONTH, '--out', 'through.html', '--json', 'through.json', '--db', db],
      { cwd: dir },
    );
    // The console (its own connection pool) answers with the ingested records at once.
    const q = await fetch(`${serve.url}/api/queries`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ queryString: 'stats count(*) as n', startTime: 0, endTime: Date.now() + 86_400_000 }),
    });
    const { queryId } = (await q.json()) as { queryId: string };
    let rows: { n?: string }[] = [];
    for (let i = 0; i < 200; i++) {
      const v = (await (await fetch(`${serve.url}/api/queries/${queryId}`)).json()) as {
        status: string;
        rows: { n?: string }[];
      };
      if (v.status === 'Complete') {
        rows = v.rows;
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(rows[0]?.n, '2500', 'the console sees the records ingested through the server');
  } finally {
    const stopped = await serve.stop();
    assert.equal(stopped.code, 0, serve.stderr());
  }
  assert.ok(!existsSync(`${db}.server.json`), 'the server removes its server.json when it stops');
  // The same commands without a server.
  for (const args of SAME_COMMANDS) {
    const local = await cli([...args, '--db', db], { cwd: dir });
    const remote = through[args.join(' ')];
    assert.equal(remote.code, local.code, `${args.join(' ')}: exit status`);
    assert.equal(remote.stdout, local.stdout, `${args.join(' ')}: standard output`);
    assert.equal(remote.stderr, local.stderr, `${args.join(' ')}: standard error`);
  }
  assert.ok(through['alarms list'].stdout.includes('BedrockTokenUsageHourly'));
  const localIngest = await cli(['ingest', 'b.jsonl', '--db', before], { cwd: dir });
  assert.equal(through.ingest.code, 0, through.ingest.stderr);
  assert.equal(stableSummary(through.ingest.stdout), stableSummary(localIngest.stdout));
  assert.match(through.ingest.stdout, /records stored:\s+1,000/);
  const localReport = await cli(
    ['report', '--period', MONTH, '--out', 'local.html', '--json', 'local.json', '--db', db],
    { cwd: dir },
  );
  assert.equal(through.report.code, localReport.code, through.report.stderr);
  const figures = (file: string): unknown => {
    const { generatedAt: _made, ...rest } = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Record<
      string,
      unknown
    >;
    return rest;
  };
  assert.deepEqual(figures('through.json'), figures('local.json'));
});

test('the control channel refuses a request without the token, with a wrong one, and from another site; nothing runs', async () => {
  const db = join(dir, 'refuse.duckdb');
  assert.equal((await cli(['ingest', 'a.jsonl', '--db', db], { cwd: dir })).code, 0);
  const serve = await spawnServe(['--db', db]);
  try {
    const { port, token } = serverFile(db);
    const body = JSON.stringify({
      args: ['ingest', join(dir, 'b.jsonl'), '--db', db],
      tty: { stdout: false, stderr: false, columns: 0 },
    });
    const post = (headers: Record<string, string>) =>
      fetch(`http://127.0.0.1:${port}/control/run`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
    assert.equal((await post({})).status, 401);
    assert.equal((await post({ 'x-bedrock-insights-control': 'x'.repeat(token.length) })).status, 401);
    assert.equal((await post({ 'x-bedrock-insights-control': `${token}x` })).status, 401);
    assert.equal(
      (await post({ authorization: `Bearer ${token}` })).status,
      401,
      'the console header is not the control token',
    );
    // The console's request guard holds in front of it: a web page cannot use it even with the token.
    assert.equal((await post({ 'x-bedrock-insights-control': token, origin: 'https://evil.example' })).status, 403);
    // A command that does not work on a store is not run by the server.
    const gen = await fetch(`http://127.0.0.1:${port}/control/run`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-bedrock-insights-control': token },
      body: JSON.stringify({
        args: ['generate', '--out', join(dir, 'x')],
        tty: { stdout: false, stderr: false, columns: 0 },
      }),
    });
    assert.equal(gen.status, 400);
    assert.equal(await count(db), 1500, 'none of the refused ingests ran');
    assert.ok(!existsSync(join(dir, 'x')));
  } finally {
    await serve.stop();
  }
});

test('two ingests at once through the server: the second waits and says so, both land, each record exactly once', async () => {
  const db = join(dir, 'two.duckdb');
  const first = join(dir, 'first.jsonl');
  assert.equal(
    (await cli(['generate', '--out', first, '--format', 'jsonl', '--records', '20000', '--seed', '5', '--days', '3']))
      .code,
    0,
  );
  assert.equal((await cli(['ingest', 'a.jsonl', '--db', db], { cwd: dir })).code, 0);
  const serve = await spawnServe(['--db', db]);
  try {
    const one = spawn(process.execPath, [BIN, 'ingest', first, '--db', db], { stdio: ['ignore', 'pipe', 'pipe'] });
    const oneDone = collect(one);
    await serverReads(serve.pid, first, () => one.exitCode === null);
    // The first holds the server's write turn while it reads: the second waits for it.
    const two = await cli(['ingest', 'c2.jsonl', '--db', db], { cwd: dir });
    const r1 = await oneDone;
    assert.equal(r1.code, 0, r1.stderr);
    assert.equal(two.code, 0, two.stderr);
    assert.match(two.stderr, /Another command is writing this store through the server: waiting for it to finish/);
    assert.match(r1.stdout, /records stored:\s+20,000/);
    assert.match(two.stdout, /records stored:\s+700/);
    assert.equal(await count(db), 22_200);
    // Again: everything is a duplicate now.
    const again = await cli(['ingest', first, join(dir, 'c2.jsonl'), '--db', db]);
    assert.match(again.stdout, /files skipped:\s+2/);
    assert.equal(await count(db), 22_200);
  } finally {
    await serve.stop();
  }
});

/** Resolves once the server process has `file` open (it reads it for a client), while `running()`. */
async function serverReads(pid: number, file: string, running: () => boolean): Promise<void> {
  for (;;) {
    const fds = readdirSync(`/proc/${pid}/fd`).map((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        return '';
      }
    });
    if (fds.includes(file)) return;
    assert.ok(running(), 'the command is still running');
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('kill -9 of the server in the middle of an ingest through it: the client says so, a stale server.json is dropped, and ingesting again gives every record exactly once', async () => {
  const db = join(dir, 'kill.duckdb');
  const big = join(dir, 'big.jsonl');
  assert.equal(
    (await cli(['generate', '--out', big, '--format', 'jsonl', '--records', '30000', '--seed', '9', '--days', '3']))
      .code,
    0,
  );
  assert.equal((await cli(['ingest', 'a.jsonl', '--db', db], { cwd: dir })).code, 0);
  const serve = await spawnServe(['--db', db]);
  const ingest = spawn(process.execPath, [BIN, 'ingest', big, '--db', db], { stdio: ['ignore', 'pipe', 'pipe'] });
  const done = collect(ingest);
  // Killed while the server has the file open: in the middle of reading it for the client.
  await serverReads(serve.pid, big, () => ingest.exitCode === null);
  await serve.stop('SIGKILL');
  const r = await done;
  assert.equal(r.code, 2);
  assert.match(r.stderr, /error \[SERVER_GONE\].*run the command again/);
  assert.ok(existsSync(`${db}.server.json`), 'kill -9 leaves the file behind');
  const again = await cli(['ingest', big, '--db', db]);
  assert.equal(again.code, 0, again.stderr);
  assert.ok(!existsSync(`${db}.server.json`), 'the stale file (dead pid) was removed');
  assert.equal(await count(db), 31_500);
});

test('a store held by a process that is no server: the command waits (--wait) and says so, then runs; it fails after the wait', async () => {
  const db = join(dir, 'held.duckdb');
  assert.equal((await cli(['ingest', 'a.jsonl', '--db', db], { cwd: dir })).code, 0);
  const holder = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '-e',
      `import { Store } from ${JSON.stringify(join(REPO, 'src/store/store.ts'))}; const s = await Store.open(${JSON.stringify(db)}); process.stdout.write('held\\n'); process.stdin.resume(); process.stdin.on('end', () => { s.close(); process.exit(0); });`,
    ],
    { stdio: ['pipe', 'pipe', 'inherit'], cwd: REPO },
  );
  await new Promise<void>((resolve) =>
    holder.stdout.on('data', (d: Buffer) => d.toString().includes('held') && resolve()),
  );
  const failed = await cli(['--wait', '1', 'query', 'stats count(*)', '--db', db]);
  assert.equal(failed.code, 2);
  assert.match(failed.stderr, /waiting up to 1 s/);
  assert.match(failed.stderr, /error \[STORE_LOCKED\].*Waited 1 s/);
  const waiting = spawn(process.execPath, [BIN, 'query', 'stats count(*) as n', '--db', db, '--wait', '120'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const result = collect(waiting);
  await new Promise<void>((resolve) =>
    waiting.stderr.on('data', (d: Buffer) => d.toString().includes('waiting up to 120 s') && resolve()),
  );
  holder.stdin.end();
  const r = await result;
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /1500/);
});

test('a stale server.json (its process is gone) is ignored and removed', async () => {
  const db = join(dir, 'stale.duckdb');
  assert.equal((await cli(['ingest', 'a.jsonl', '--db', db], { cwd: dir })).code, 0);
  const gone = spawn(process.execPath, ['-e', '0']);
  await new Promise((r) => gone.on('exit', r));
  writeFileSync(
    `${db}.server.json`,
    JSON.stringify({ pid: gone.pid, port: 9, token: 'x'.repeat(40), store: db, startedAt: '' }),
    { mode: 0o600 },
  );
  const r = await cli(['query', 'stats count(*) as n', '--db', db]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /1500/);
  assert.ok(!existsSync(`${db}.server.json`));
});
