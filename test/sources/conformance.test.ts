import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import S3rver from 's3rver';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CloudWatchSource } from '../../src/sources/cloudwatch/source.js';
import { ingest } from '../../src/sources/driver.js';
import { S3Source } from '../../src/sources/s3/source.js';
import { ADAPTERS } from '../../src/sources/registry.js';
import type { Source } from '../../src/sources/source.js';
import { Store } from '../../src/store/store.js';
import { ACCESS_KEY, SECRET_KEY, sdkClient, startTestServer, type TestServer } from '../cloudwatch/helpers.js';

// The source conformance suite: every adapter (files, S3, CloudWatch) is held to the same three
// promises through the one driver — ingesting twice stores each record once, a run killed with
// kill -9 (the real CLI) completes on a re-run with exactly N records, and a bad line is reported
// with where it is. The fakes speak the real protocols: s3rver for S3, this project's own
// CloudWatch Logs API (its real server, written to with the AWS SDK) for CloudWatch.

const repo = resolve(import.meta.dirname, '../..');
const bin = join(repo, 'bin', 'bedrock-insights.js');
const work = mkdtempSync(join(tmpdir(), 'bi-conformance-'));
/** Valid records per source, in BATCHES parts (files, objects, PutLogEvents calls). */
const N = 600;
const BATCHES = 6;
const CHUNK = 40;

function record(i: number): string {
  return JSON.stringify({
    schemaType: 'ModelInvocationLog',
    schemaVersion: '1.0',
    timestamp: new Date(Date.now() - 3_600_000 + i * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    accountId: '123456789012',
    region: 'us-east-1',
    requestId: `conf-${i}`,
    operation: 'Converse',
    modelId: 'amazon.nova-lite-v1:0',
    input: {
      inputContentType: 'application/json',
      inputTokenCount: i,
      inputBodyJson: { messages: [{ role: 'user', content: [{ text: `${PROMPT} ${i}` }] }] },
    },
    output: {
      outputContentType: 'application/json',
      outputTokenCount: 3,
      outputBodyJson: {
        output: { message: { role: 'assistant', content: [{ text: `${PROMPT} answered ${i}` }] } },
        stopReason: 'end_turn',
        metrics: { latencyMs: 100 + i },
      },
    },
  });
}

/** Planted in every record's prompt and response: it must never reach a store by default (issue 18). */
const PROMPT = 'the user typed this private prompt';

/** Messages of the group that still hold the planted text, and how many keep their latency. */
async function bodiesKept(s: Store, group: string): Promise<{ leaked: number; latency: number }> {
  const r = await s.connection.runAndReadAll(
    `SELECT count(*) FILTER (WHERE contains(message, $2)), count(*) FILTER (WHERE contains(message, '"latencyMs":'))
     FROM events WHERE log_group = $1`,
    [group, PROMPT],
  );
  const [leaked, latency] = r.getRows()[0].map(Number);
  return { leaked, latency };
}

/** Batch b's lines; the bad one is the third line of batch 2. */
function batch(b: number): string[] {
  const lines: string[] = [];
  for (let i = b * (N / BATCHES); i < (b + 1) * (N / BATCHES); i++) lines.push(record(i));
  if (b === 2) lines.splice(2, 0, '{"timestamp": "2026-01-01T00:00:00Z", oops');
  return lines;
}

interface Harness {
  name: string;
  /** The argument `ingest` takes, and what else the CLI needs. */
  arg: string;
  cliArgs: string[];
  env: NodeJS.ProcessEnv;
  logGroup: string;
  source(): Source;
  /** Where the bad line is: the item's name and its line. */
  bad: { file: string; line: number };
}

let s3: S3rver;
let cw: TestServer;
const harnesses: Harness[] = [];

before(async () => {
  // The CLI runs from dist/: build it when it is missing or older than the sources.
  const built = join(repo, 'dist', 'sources', 'driver.js');
  if (!existsSync(built) || statSync(built).mtimeMs < statSync(join(repo, 'src', 'sources', 'driver.ts')).mtimeMs)
    spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: repo, stdio: 'ignore' });

  // Files: six .jsonl files in a folder.
  const dir = join(work, 'files');
  mkdirSync(dir);
  for (let b = 0; b < BATCHES; b++) writeFileSync(join(dir, `part-${b}.jsonl`), batch(b).join('\n') + '\n');
  const filesAdapter = ADAPTERS.find((a) => a.kind === 'local folder')!;
  harnesses.push({
    name: 'files',
    arg: dir,
    cliArgs: ['--log-group', 'conf-files'],
    env: {},
    logGroup: 'conf-files',
    source: () => filesAdapter.open({ url: dir, logGroup: 'conf-files' }),
    bad: { file: join(dir, 'part-2.jsonl'), line: 3 },
  });

  // S3: s3rver, six gzipped objects of the delivery layout, put with the AWS SDK.
  s3 = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory: join(work, 's3rver'),
    configureBuckets: [{ name: 'logs', configs: [] }],
  });
  const addr = await s3.run();
  const s3url = `http://127.0.0.1:${addr.port}`;
  const creds = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
  const client = new S3Client({ endpoint: s3url, forcePathStyle: true, region: 'us-east-1', credentials: creds });
  const prefix = 'AWSLogs/123456789012/BedrockModelInvocationLogs/us-east-1/2026/12/01/10/';
  for (let b = 0; b < BATCHES; b++)
    await client.send(
      new PutObjectCommand({ Bucket: 'logs', Key: `${prefix}part-${b}.json.gz`, Body: gzipSync(batch(b).join('\n')) }),
    );
  client.destroy();
  const awsEnv = { AWS_ACCESS_KEY_ID: creds.accessKeyId, AWS_SECRET_ACCESS_KEY: creds.secretAccessKey };
  harnesses.push({
    name: 's3',
    arg: 's3://logs/AWSLogs/',
    cliArgs: ['--endpoint-url', s3url, '--region', 'us-east-1', '--log-group', 'conf-s3'],
    env: awsEnv,
    logGroup: 'conf-s3',
    source: () =>
      new S3Source('s3://logs/AWSLogs/', {
        endpointUrl: s3url,
        region: 'us-east-1',
        logGroup: 'conf-s3',
        credentials: creds,
      }),
    bad: { file: `s3://logs/${prefix}part-2.json.gz`, line: 3 },
  });

  // CloudWatch: this project's own CloudWatch Logs API, the events put with the AWS SDK.
  cw = await startTestServer();
  const logs = sdkClient(cw.url);
  await logs.send(new CreateLogGroupCommand({ logGroupName: 'conf-cw' }));
  await logs.send(
    new CreateLogStreamCommand({ logGroupName: 'conf-cw', logStreamName: 'aws/bedrock/modelinvocations' }),
  );
  let n = 0;
  for (let b = 0; b < BATCHES; b++) {
    const base = Date.now() - 3_600_000 + b * 100_000;
    await logs.send(
      new PutLogEventsCommand({
        logGroupName: 'conf-cw',
        logStreamName: 'aws/bedrock/modelinvocations',
        logEvents: batch(b).map((message, i) => ({ timestamp: base + i, message })),
      }),
    );
    n += batch(b).length;
  }
  assert.equal(n, N + 1);
  logs.destroy();
  // PutLogEvents itself (the fake is this project's API): the same rule before the events are stored.
  assert.deepEqual(await bodiesKept(cw.store, 'conf-cw'), { leaked: 0, latency: N });
  harnesses.push({
    name: 'cloudwatch',
    arg: 'cloudwatch://conf-cw',
    cliArgs: ['--endpoint-url', cw.url, '--region', 'us-east-1'],
    env: { AWS_ACCESS_KEY_ID: ACCESS_KEY, AWS_SECRET_ACCESS_KEY: SECRET_KEY },
    logGroup: 'conf-cw',
    source: () =>
      new CloudWatchSource('cloudwatch://conf-cw', {
        endpointUrl: cw.url,
        region: 'us-east-1',
        credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY },
      }),
    // Events are numbered in the order FilterLogEvents returns them: batch 2's third.
    bad: { file: 'cloudwatch://conf-cw', line: 2 * (N / BATCHES) + 3 },
  });
});

after(async () => {
  await s3?.close();
  await cw?.close();
  rmSync(work, { recursive: true, force: true });
});

async function stored(db: string | Store, group: string): Promise<{ n: number; keys: number }> {
  const s = typeof db === 'string' ? await Store.open(db) : db;
  try {
    const r = await s.connection.runAndReadAll(
      `SELECT count(*), count(DISTINCT event_key) FROM events WHERE log_group = $1`,
      [group],
    );
    const [n, keys] = r.getRows()[0].map(Number);
    return { n, keys };
  } finally {
    if (typeof db === 'string') s.close();
  }
}

/**
 * The real CLI, asynchronously: the fake servers run in this process, and spawnSync would block
 * the event loop they answer from.
 */
function run(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((res) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => res({ status, stdout, stderr }));
  });
}

function cli(h: Harness, db: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return run(['ingest', h.arg, '--db', db, ...h.cliArgs], { ...h.env, BEDROCK_INSIGHTS_INGEST_CHUNK: String(CHUNK) });
}

for (const name of ['files', 's3', 'cloudwatch']) {
  const h = (): Harness => harnesses.find((x) => x.name === name)!;

  test(`${name}: ingesting twice stores each record once; a bad line is reported with its location`, async () => {
    const store = await Store.open(':memory:');
    try {
      const first = await ingest(store, [h().source()], { chunkRecords: CHUNK });
      assert.equal(first.recordsStored, N);
      assert.equal(first.recordsRejected, 1);
      assert.deepEqual(
        first.rejected.map((r) => [r.file, r.line]),
        [[h().bad.file, h().bad.line]],
      );
      assert.match(first.rejected[0].reason, /malformed JSON/);
      const second = await ingest(store, [h().source()], { chunkRecords: CHUNK });
      assert.equal(second.recordsStored, 0);
      assert.deepEqual(await stored(store, h().logGroup), { n: N, keys: N });
      // The bodies' text is cut by default on every source; what says how the call went stays.
      assert.deepEqual(await bodiesKept(store, h().logGroup), { leaked: 0, latency: N });
    } finally {
      store.close();
    }
  });

  test(`${name}: a run killed with kill -9 (the real CLI) completes on a re-run with exactly N records`, async () => {
    const db = join(work, `${name}-killed.duckdb`);
    const child = spawn(process.execPath, [bin, 'ingest', h().arg, '--db', db, ...h().cliArgs], {
      env: { ...process.env, ...h().env, BEDROCK_INSIGHTS_INGEST_CHUNK: String(CHUNK), BEDROCK_INSIGHTS_TIMING: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let chunks = 0;
    const exited = new Promise<NodeJS.Signals | null>((res) => child.on('exit', (_c, sig) => res(sig)));
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (t: string) => {
      chunks += (t.match(/\[ingest\] store/g) ?? []).length;
      if (chunks >= 3) child.kill('SIGKILL');
    });
    assert.equal(await exited, 'SIGKILL', 'the ingest finished before it could be killed');
    const partial = await stored(db, h().logGroup);
    assert.ok(partial.n > 0 && partial.n < N, `partial: ${partial.n}`);
    const again = await cli(h(), db);
    assert.equal(again.status, 0, again.stderr);
    assert.deepEqual(await stored(db, h().logGroup), { n: N, keys: N });
    const third = await cli(h(), db);
    assert.match(third.stdout, /records stored:\s+0\n/);
    assert.deepEqual(await stored(db, h().logGroup), { n: N, keys: N });
  });
}

test('files, s3:// and cloudwatch:// in one command: one summary, one exit status', async () => {
  const db = join(work, 'all.duckdb');
  const [f, s, c] = ['files', 's3', 'cloudwatch'].map((n) => harnesses.find((x) => x.name === n)!);
  const r = await run(
    ['ingest', f.arg, s.arg, '--db', db, '--endpoint-url', s.cliArgs[1], '--region', 'us-east-1'],
    s.env,
  );
  assert.equal(r.status, 0, r.stderr);
  assert.equal((r.stdout.match(/records stored:/g) ?? []).length, 1, r.stdout);
  // The same records in both (one log group): stored once, the second copy counted as duplicates.
  assert.match(r.stdout, /records stored:\s+600\n/);
  assert.match(r.stdout, /duplicates skipped:\s+600\n/);
  assert.ok(r.stdout.includes(`source:              ${f.arg} (6 files read`), r.stdout);
  assert.match(r.stdout, /records rejected:\s+2\n/);
  assert.equal((r.stdout.match(/^source:/gm) ?? []).length, 2, r.stdout);
  // A failing source fails the one command: CloudWatch at the S3 endpoint answers nothing it knows.
  const bad = await run(
    ['ingest', f.arg, c.arg, '--db', join(work, 'bad.duckdb'), '--endpoint-url', 'http://127.0.0.1:9'],
    {
      ...c.env,
      AWS_MAX_ATTEMPTS: '1',
    },
  );
  assert.notEqual(bad.status, 0);
});
