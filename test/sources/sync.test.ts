import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeDataset } from '../../src/demo/generator.js';
import {
  addSource,
  loadSyncConfig,
  removeSource,
  sourcesPath,
  startSyncLoop,
  type SyncStatus,
} from '../../src/sources/sync.js';
import { Store } from '../../src/store/store.js';
import { startTestS3 } from './s3-server.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

test('sources.json: add, replace, remove, and clear errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'h11-cfg-'));
  try {
    const path = sourcesPath(join(dir, 'store.duckdb'));
    assert.equal(path, join(dir, 'store.duckdb.sources.json'));
    assert.deepEqual(loadSyncConfig(path), { intervalSeconds: 60, sources: [] });
    addSource(path, { url: 's3://b/AWSLogs/', region: 'us-east-1' });
    addSource(path, { url: 'cloudwatch:///aws/bedrock/modelinvocations' });
    addSource(path, { url: 's3://b/AWSLogs/', region: 'eu-west-1' });
    assert.deepEqual(loadSyncConfig(path).sources, [
      { url: 'cloudwatch:///aws/bedrock/modelinvocations' },
      { url: 's3://b/AWSLogs/', region: 'eu-west-1' },
    ]);
    assert.equal(removeSource(path, 'cloudwatch:///aws/bedrock/modelinvocations'), true);
    assert.equal(removeSource(path, 'cloudwatch://nope'), false);
    assert.throws(
      () => addSource(path, { url: 'http://x' }),
      /s3:\/\/BUCKET\/PREFIX, cloudwatch:\/\/LOG_GROUP, \.\/FOLDER/,
    );
    writeFileSync(path, '{"sources": [{"url": 5}]}');
    assert.throws(() => loadSyncConfig(path), /sources\[0\] needs a "url"/);
    writeFileSync(path, '{nope');
    assert.throws(
      () => loadSyncConfig(path),
      (e: Error & { code?: string }) => e.code === 'CONFIG_INVALID',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('sync loop: a throttled source backs off and recovers; new objects arrive on the next poll', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'h11-sync-'));
  const bucket = join(dir, 'bucket');
  await writeDataset({ out: bucket, format: 's3', records: 60, days: 1, seed: 3, end: '2026-11-01T00:00:00Z' });
  const s3 = await startTestS3({ 'sync-bkt': bucket });
  const store = await Store.open(':memory:');
  const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
  process.env.AWS_ACCESS_KEY_ID = 'AKIDSYNC';
  process.env.AWS_SECRET_ACCESS_KEY = 'secret';
  // The first requests are refused as S3 does when throttling.
  let throttle = true;
  const realUrl = s3.url;
  const { createServer } = await import('node:http');
  const proxy = createServer((req, res) => {
    if (throttle) {
      res
        .writeHead(503, { 'content-type': 'application/xml' })
        .end('<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>');
      return;
    }
    const up = new URL(req.url ?? '/', realUrl);
    void fetch(up, { headers: { authorization: String(req.headers.authorization ?? '') } }).then(async (r) => {
      res
        .writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/octet-stream' })
        .end(Buffer.from(await r.arrayBuffer()));
    });
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`;
  const statuses: SyncStatus[] = [];
  const loop = startSyncLoop(store, () => [{ url: 's3://sync-bkt/AWSLogs/', region: 'us-east-1', endpointUrl: url }], {
    intervalMs: 60_000,
    immediate: false,
    onStatus: (s) => statuses.push(s),
  });
  try {
    const first = await loop.runNow();
    assert.equal(first.length, 1);
    assert.equal(first[0].ok, false);
    assert.equal(first[0].throttled, true);
    assert.match(statuses.at(-1)!.line, /throttled .*retry in 120 s/);
    // Backing off: the next pass does not call the source at all.
    throttle = false;
    const skipped = await loop.runNow();
    assert.equal(skipped.length, 0);
    assert.match(statuses.at(-1)!.line, /backing off until/);
  } finally {
    await loop.stop();
  }
  // A new loop (as after the backoff elapsed) reads everything, then only what is new.
  const loop2 = startSyncLoop(store, () => [{ url: 's3://sync-bkt/AWSLogs/', region: 'us-east-1', endpointUrl: url }], {
    intervalMs: 60_000,
    immediate: false,
    onStatus: (s) => statuses.push(s),
  });
  try {
    const ok = await loop2.runNow();
    assert.deepEqual(
      ok.map((r) => [r.ok, r.stored]),
      [[true, 60]],
    );
    assert.match(statuses.at(-1)!.line, /s3:\/\/sync-bkt\/AWSLogs\/: \+60 stored/);
    const { cpSync } = await import('node:fs');
    const more = join(dir, 'more');
    await writeDataset({ out: more, format: 's3', records: 25, days: 1, seed: 4, end: '2026-11-02T00:00:00Z' });
    cpSync(more, bucket, { recursive: true });
    const next = await loop2.runNow();
    assert.deepEqual(
      next.map((r) => [r.ok, r.stored, r.read]),
      [[true, 25, 25]],
    );
    const n = (await store.connection.runAndReadAll('SELECT count(*) FROM events')).getRows()[0][0];
    assert.equal(Number(n), 85);
  } finally {
    await loop2.stop();
    process.env.AWS_ACCESS_KEY_ID = saved.id;
    process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
    if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
    if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
    store.close();
    await new Promise<void>((r) => {
      proxy.closeAllConnections();
      proxy.close(() => r());
    });
    await s3.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

function runCli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(
      process.execPath,
      [
        '--no-warnings',
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `import { main } from './src/cli/main.ts'; process.exitCode = await main(['node', 'bedrock-insights', ...JSON.parse(process.env.H11_ARGS)]);`,
      ],
      { cwd: repo, env: { ...process.env, ...env, H11_ARGS: JSON.stringify(args) } },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => {
      stdout += b.toString();
    });
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
    });
    child.on('close', (code) => done({ code: code ?? -1, stdout, stderr }));
  });
}

test('CLI: ingest s3:// with --endpoint-url, sync add / list / --once, doctor --format json', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'h11-cli-'));
  const bucket = join(dir, 'bucket');
  await writeDataset({ out: bucket, format: 's3', records: 40, days: 1, seed: 8, end: '2026-11-01T00:00:00Z' });
  const s3 = await startTestS3({ 'cli-bkt': bucket });
  const env = { AWS_ACCESS_KEY_ID: 'AKIDCLI', AWS_SECRET_ACCESS_KEY: 'secret', AWS_REGION: 'us-east-1' };
  const db = join(dir, 'store.duckdb');
  try {
    const a = await runCli(['ingest', 's3://cli-bkt/AWSLogs/', '--endpoint-url', s3.url, '--db', db], env);
    assert.equal(a.code, 0, a.stderr);
    assert.match(a.stdout, /records stored:\s+40/);
    const b = await runCli(['sync', 'add', 's3://cli-bkt/AWSLogs/', '--endpoint-url', s3.url, '--db', db], env);
    assert.equal(b.code, 0, b.stderr);
    assert.deepEqual(JSON.parse(readFileSync(`${db}.sources.json`, 'utf8')).sources, [
      { url: 's3://cli-bkt/AWSLogs/', endpointUrl: s3.url },
    ]);
    const l = await runCli(['sync', 'list', '--db', db], env);
    assert.match(l.stdout, /s3:\/\/cli-bkt\/AWSLogs\/ {2}endpoint=http/);
    const c = await runCli(['sync', '--once', '--db', db], env);
    assert.equal(c.code, 0, c.stderr);
    assert.match(c.stdout, /s3:\/\/cli-bkt\/AWSLogs\/: \+0 stored \(0 read/);
    // The polling command: a status line per poll; SIGINT stops it cleanly.
    const child = spawn(
      process.execPath,
      [
        '--no-warnings',
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `import { main } from './src/cli/main.ts'; process.exitCode = await main(['node', 'bedrock-insights', 'sync', '--interval', '1', '--db', ${JSON.stringify(db)}]);`,
      ],
      { cwd: repo, env: { ...process.env, ...env } },
    );
    let polled = '';
    const exited = new Promise<number>((r) => child.on('close', (code) => r(code ?? -1)));
    await new Promise<void>((r) =>
      child.stdout.on('data', (b: Buffer) => {
        polled += b.toString();
        if ((polled.match(/\[sync /g) ?? []).length >= 2) r();
      }),
    );
    child.kill('SIGINT');
    assert.equal(await exited, 0);
    assert.match(polled, /^syncing 1 source from .*sources\.json every 1 s/);
    assert.match(
      polled,
      /\[sync \d\d:\d\d:\d\dZ\] s3:\/\/cli-bkt\/AWSLogs\/: \+0 stored \(0 read, [\d.]+ s\); next poll in 1 s/,
    );
    const d = await runCli(['doctor', '--db', db, '--no-aws', '--format', 'json'], env);
    assert.equal(d.code, 0, d.stderr);
    const report = JSON.parse(d.stdout) as { findings: { check: string }[]; aws: { ran: boolean } };
    assert.equal(report.aws.ran, false);
    assert.ok(report.findings.some((f) => f.check === 'metadata.untagged.invokeModel'));
  } finally {
    await s3.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("serve --sync: the server's background sync stores new objects within an interval, and stops with the server", async () => {
  const { startServer } = await import('../../src/api/server.js');
  const { backgroundSyncMount } = await import('../../src/cli/commands/sync.js');
  const dir = mkdtempSync(join(tmpdir(), 'h11-serve-'));
  const bucket = join(dir, 'bucket');
  await writeDataset({ out: bucket, format: 's3', records: 30, days: 1, seed: 21, end: '2026-11-01T00:00:00Z' });
  const s3 = await startTestS3({ 'serve-bkt': bucket });
  const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
  process.env.AWS_ACCESS_KEY_ID = 'AKIDSERVE';
  process.env.AWS_SECRET_ACCESS_KEY = 'secret';
  const db = join(dir, 'store.duckdb');
  addSource(sourcesPath(db), { url: 's3://serve-bkt/AWSLogs/', region: 'us-east-1', endpointUrl: s3.url });
  const store = await Store.open(db);
  const count = async (): Promise<number> =>
    Number((await store.connection.runAndReadAll('SELECT count(*) FROM events')).getRows()[0][0]);
  const waitFor = async (n: number): Promise<number> => {
    const until = Date.now() + 10_000;
    let c = await count();
    while (c < n && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 100));
      c = await count();
    }
    return c;
  };
  const out = process.stdout.write.bind(process.stdout);
  const lines: string[] = [];
  process.stdout.write = (s: string) => {
    lines.push(String(s));
    return true;
  };
  const server = await startServer({ store, host: '127.0.0.1', port: 0, mount: backgroundSyncMount(db, 1) });
  try {
    assert.equal(await waitFor(30), 30);
    const { cpSync } = await import('node:fs');
    const more = join(dir, 'more');
    await writeDataset({ out: more, format: 's3', records: 12, days: 1, seed: 22, end: '2026-11-02T00:00:00Z' });
    cpSync(more, bucket, { recursive: true });
    assert.equal(await waitFor(42), 42);
    const priced = Number(
      (
        await store.connection.runAndReadAll('SELECT count(*) FROM events WHERE price_version IS NOT NULL')
      ).getRows()[0][0],
    );
    assert.ok(priced > 0, 'new events are priced by the background sync');
  } finally {
    await server.close();
    process.stdout.write = out;
    const before = await count();
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(await count(), before, 'nothing written after the server closed');
    process.env.AWS_ACCESS_KEY_ID = saved.id;
    process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
    if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
    if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
    store.close();
    await s3.close();
    rmSync(dir, { recursive: true, force: true });
  }
  assert.ok(
    lines.some((l) => /\[sync .*\] s3:\/\/serve-bkt\/AWSLogs\/: \+12 stored/.test(l)),
    lines.join(''),
  );
});

test('sync polls list only the recent hour folders; the daily full listing catches an object delivered late into an old one', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'h11-sync-recent-'));
  const bucket = join(dir, 'bucket');
  const gen = await writeDataset({
    out: bucket,
    format: 's3',
    records: 600,
    days: 3,
    seed: 5,
    end: '2026-11-01T00:00:00Z',
  });
  const { readdirSync, mkdirSync } = await import('node:fs');
  const { gzipSync } = await import('node:zlib');
  const keys = readdirSync(bucket, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) =>
      join(e.parentPath ?? e.path, e.name)
        .slice(bucket.length + 1)
        .split('\\')
        .join('/'),
    );
  const hourKeys = keys.filter((k) => /\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/[^/]+\.json\.gz$/.test(k)).sort();
  assert.ok(hourKeys.length > 100, `a layout of many hour folders (${hourKeys.length})`);
  const put = (folder: string, id: string): void => {
    const rec = {
      schemaType: 'ModelInvocationLog',
      schemaVersion: '1.0',
      timestamp: '2026-11-01T00:30:00Z',
      accountId: '111122223333',
      region: 'us-east-1',
      requestId: id,
      operation: 'Converse',
      modelId: 'amazon.nova-lite-v1:0',
      input: { inputTokenCount: 5 },
      output: { outputTokenCount: 7 },
    };
    mkdirSync(join(bucket, folder), { recursive: true });
    writeFileSync(join(bucket, folder, `${id}.json.gz`), gzipSync(JSON.stringify(rec) + '\n'));
  };
  const regionOf = (k: string): string => k.split('/').slice(0, 4).join('/');
  const hourOf = (k: string): string => k.split('/').slice(4, 8).join('/');
  const newest = hourKeys.reduce((a, b) => (hourOf(a) >= hourOf(b) ? a : b));
  const s3 = await startTestS3({ 'recent-bkt': bucket });
  const store = await Store.open(':memory:');
  const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
  process.env.AWS_ACCESS_KEY_ID = 'AKIDSYNC';
  process.env.AWS_SECRET_ACCESS_KEY = 'secret';
  const loop = startSyncLoop(
    store,
    () => [{ url: 's3://recent-bkt/AWSLogs/', region: 'us-east-1', endpointUrl: s3.url }],
    { intervalMs: 60_000, immediate: false },
  );
  try {
    // First pass of a sync process: a full listing.
    const first = await loop.runNow();
    assert.equal(first[0].ok, true, first[0].error);
    assert.equal(first[0].stored, gen.records);
    assert.ok(s3.keysListed >= hourKeys.length);
    // New objects: one into the newest hour folder, one into a new hour folder of another region,
    // and one delivered late into an hour folder two days old.
    put(dirname(newest), 'recent-same-hour');
    const other = hourKeys.find((k) => regionOf(k) !== regionOf(newest))!;
    put(`${regionOf(other)}/2026/11/01/01`, 'recent-new-hour');
    put(dirname(hourKeys.find((k) => k.includes('/2026/10/29/'))!), 'late-old-hour');
    const listedBefore = s3.keysListed;
    const second = await loop.runNow();
    assert.equal(second[0].ok, true, second[0].error);
    assert.equal(second[0].stored, 2);
    const listed = s3.keysListed - listedBefore;
    assert.ok(
      listed < hourKeys.length / 5,
      `a poll lists recent folders only: ${listed} keys of ${hourKeys.length + 3}`,
    );
    const ids = async (): Promise<unknown[]> =>
      (await store.connection.runAndReadAll(`SELECT request_id FROM events WHERE request_id LIKE '%-hour' ORDER BY 1`))
        .getRows()
        .map((r) => r[0]);
    assert.deepEqual(await ids(), ['recent-new-hour', 'recent-same-hour']);
    // The full listing (daily in the loop; `sync --once` and `ingest s3://` always) finds the late one.
    const { syncSource } = await import('../../src/sources/sync.js');
    const full = await syncSource(store, { url: 's3://recent-bkt/AWSLogs/', region: 'us-east-1', endpointUrl: s3.url });
    assert.equal(full.stored, 1);
    assert.deepEqual(await ids(), ['late-old-hour', 'recent-new-hour', 'recent-same-hour']);
  } finally {
    await loop.stop();
    store.close();
    await s3.close();
    process.env.AWS_ACCESS_KEY_ID = saved.id;
    process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
    if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
    if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
    rmSync(dir, { recursive: true, force: true });
  }
});

test('CLI: sync add ./folder keeps a local folder current (new files read, old ones skipped); a missing folder and --bodies say what to type', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'h11-folder-'));
  const logs = join(dir, 'AWSLogs');
  mkdirSync(logs);
  const db = join(dir, 'store.duckdb');
  const line = (i: number): string =>
    JSON.stringify({
      schemaType: 'ModelInvocationLog',
      schemaVersion: '1.0',
      timestamp: `2026-11-01T10:0${i}:00Z`,
      accountId: '123456789012',
      region: 'us-east-1',
      requestId: `folder-${i}`,
      operation: 'Converse',
      modelId: 'amazon.nova-lite-v1:0',
      input: { inputTokenCount: 10 },
      output: { outputTokenCount: 5 },
    });
  try {
    writeFileSync(join(logs, 'a.jsonl'), [0, 1, 2].map(line).join('\n') + '\n');
    // Relative to the CLI's working directory, as a user types it; kept by its absolute path.
    const a = await runCli(['sync', 'add', relative(repo, logs), '--db', db], {});
    assert.equal(a.code, 0, a.stderr);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'store.duckdb.sources.json'), 'utf8')).sources, [{ url: logs }]);
    const b = await runCli(['sync', '--once', '--db', db], {});
    assert.equal(b.code, 0, b.stderr);
    assert.match(b.stdout, /AWSLogs: \+3 stored \(3 read/);
    writeFileSync(join(logs, 'b.jsonl'), line(3) + '\n');
    const c = await runCli(['sync', '--once', '--db', db], {});
    assert.match(c.stdout, /AWSLogs: \+1 stored \(1 read/, 'a.jsonl is skipped by its checkpoint, b.jsonl read');
    const missing = await runCli(['sync', 'add', join(dir, 'nope'), '--db', db], {});
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /INGEST_PATH_NOT_FOUND.*No such folder/);
    const typo = await runCli(['sync', 'add', logs, '--bodies', '--db', db], {});
    assert.notEqual(typo.code, 0);
    assert.match(typo.stderr, /unknown option '--bodies'\n\(Did you mean --keep-bodies\?\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('two stores in one folder have their own sources; a folder-wide sources.json of an earlier version is copied to each once', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bi-per-store-'));
  try {
    const legacy = join(dir, 'sources.json');
    writeFileSync(legacy, JSON.stringify({ intervalSeconds: 60, sources: [{ url: 's3://old/AWSLogs/' }] }));
    const prod = sourcesPath(join(dir, 'prod.duckdb'));
    const staging = sourcesPath(join(dir, 'staging.duckdb'));
    assert.notEqual(prod, staging);
    assert.deepEqual(loadSyncConfig(prod).sources, [{ url: 's3://old/AWSLogs/' }]);
    addSource(prod, { url: 's3://prod-only/AWSLogs/' });
    assert.deepEqual(
      loadSyncConfig(staging).sources.map((s) => s.url),
      ['s3://old/AWSLogs/'],
      "staging does not see prod's source",
    );
    assert.deepEqual(
      loadSyncConfig(sourcesPath(join(dir, 'prod.duckdb'))).sources.map((s) => s.url),
      ['s3://old/AWSLogs/', 's3://prod-only/AWSLogs/'],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
