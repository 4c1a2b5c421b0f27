import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { writeDataset } from '../../src/demo/generator.js';
import { ingestPaths } from '../../src/sources/ingest.js';
import { ingestS3, isRecordKey, parseS3Url } from '../../src/sources/s3/source.js';
import { Store } from '../../src/store/store.js';
import { startTestS3 } from './s3-server.js';

const CREDS = { accessKeyId: 'AKIDS3TEST', secretAccessKey: 'secret' };

async function rows(store: Store, group = '/aws/bedrock/modelinvocations'): Promise<string[]> {
  const r = await store.connection.runAndReadAll(
    `SELECT request_id, ts, operation, input_tokens, message FROM events WHERE log_group = $1 ORDER BY request_id`,
    [group],
  );
  return r.getRows().map((x) => JSON.stringify(x, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
}

test('parseS3Url and the keys that hold records', () => {
  assert.deepEqual(parseS3Url('s3://bkt/AWSLogs/'), { bucket: 'bkt', prefix: 'AWSLogs/' });
  assert.deepEqual(parseS3Url('s3://bkt'), { bucket: 'bkt', prefix: '' });
  assert.throws(() => parseS3Url('s3:///x'), /s3:\/\/BUCKET\/PREFIX/);
  assert.equal(
    isRecordKey('AWSLogs/1/BedrockModelInvocationLogs/us-east-1/2026/11/01/13/20261101T130000Z_ab.json.gz'),
    true,
  );
  assert.equal(
    isRecordKey('AWSLogs/1/BedrockModelInvocationLogs/us-east-1/2026/11/01/13/data/req_input.json.gz'),
    false,
  );
  assert.equal(isRecordKey('AWSLogs/1/BedrockModelInvocationLogs/amazon-bedrock-logs-permission-check'), false);
});

test('S3 ingest with the real SDK: same events as the files, paged listing, re-runs read only new objects', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'h11-s3-'));
  const bucket = join(dir, 'bucket');
  const s3 = await startTestS3({ 'bedrock-logs': bucket }, 7);
  const store = await Store.open(join(dir, 's3.duckdb'));
  const ref = await Store.open(join(dir, 'files.duckdb'));
  try {
    const first = await writeDataset({
      out: bucket,
      format: 's3',
      records: 400,
      days: 1,
      seed: 11,
      end: '2026-11-01T00:00:00Z',
      maxRecordsPerFile: 40,
    });
    assert.ok(first.files > 7, 'enough objects for several list pages');
    const opts = { endpointUrl: s3.url, region: 'us-east-1', credentials: CREDS };
    const a = await ingestS3(store, 's3://bedrock-logs/AWSLogs/', opts);
    assert.equal(a.recordsStored, 400);
    assert.equal(a.filesRead, first.files);
    assert.ok(s3.lists > 1, 'ListObjectsV2 was paged');
    assert.ok(!s3.gets.some((k) => k.endsWith('permission-check')), 'the marker is never read');
    // The file reader (another code path) over the same tree gives the same events.
    await ingestPaths(ref, [bucket]);
    assert.deepEqual(await rows(store), await rows(ref));

    // Re-run: nothing fetched.
    const getsBefore = s3.gets.length;
    const b = await ingestS3(store, 's3://bedrock-logs/AWSLogs/', opts);
    assert.equal(b.filesRead, 0);
    assert.equal(b.filesSkipped, first.files);
    assert.equal(s3.gets.length, getsBefore);

    // New objects (the next day): only those are fetched.
    const next = join(dir, 'next');
    const second = await writeDataset({
      out: next,
      format: 's3',
      records: 120,
      days: 1,
      seed: 12,
      end: '2026-11-02T00:00:00Z',
      maxRecordsPerFile: 40,
    });
    rmSync(join(next, 'AWSLogs', '111122223333', 'BedrockModelInvocationLogs', 'amazon-bedrock-logs-permission-check'));
    const { cpSync } = await import('node:fs');
    cpSync(next, bucket, { recursive: true });
    const c = await ingestS3(store, 's3://bedrock-logs/AWSLogs/', opts);
    assert.equal(c.filesRead, second.files);
    assert.equal(c.recordsStored, 120);
    assert.equal(s3.gets.length - getsBefore, second.files);
    assert.ok(
      s3.gets.slice(getsBefore).every((k) => k.includes('/2026/11/01/')),
      'only the new day was fetched',
    );
  } finally {
    store.close();
    ref.close();
    await s3.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('offloaded bodies under HH/data/ are fetched only with keepBodies; plain (non-gzip) objects read too', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'h11-s3b-'));
  const hour = join(
    dir,
    'b',
    'AWSLogs',
    '111122223333',
    'BedrockModelInvocationLogs',
    'us-east-1',
    '2026',
    '11',
    '01',
    '13',
  );
  mkdirSync(join(hour, 'data'), { recursive: true });
  const key = 'AWSLogs/111122223333/BedrockModelInvocationLogs/us-east-1/2026/11/01/13/data/req-big_input.json.gz';
  const rec = (id: string, extra: Record<string, unknown>): string =>
    JSON.stringify({
      timestamp: '2026-11-01T13:00:05Z',
      accountId: '111122223333',
      region: 'us-east-1',
      requestId: id,
      operation: 'Converse',
      modelId: 'amazon.nova-micro-v1:0',
      input: { inputContentType: 'application/json', inputTokenCount: 10, ...extra },
      output: { outputContentType: 'application/json', outputTokenCount: 3 },
      identity: { arn: 'arn:aws:iam::111122223333:user/x' },
      schemaType: 'ModelInvocationLog',
      schemaVersion: '1.0',
    });
  writeFileSync(
    join(hour, '20261101T130010Z_aa.json.gz'),
    gzipSync(rec('req-big', { inputBodyS3Path: `s3://lg/${key}` }) + '\n'),
  );
  writeFileSync(
    join(hour, '20261101T130020Z_bb.json'),
    rec('req-plain', { inputBodyJson: { messages: ['SECRET-PROMPT'] } }) + '\r\n',
  );
  writeFileSync(
    join(hour, 'data', 'req-big_input.json.gz'),
    gzipSync(JSON.stringify({ messages: ['OFFLOADED-PROMPT'] })),
  );
  const s3 = await startTestS3({ lg: join(dir, 'b') });
  const opts = { endpointUrl: s3.url, region: 'us-east-1', credentials: CREDS };
  const plain = await Store.open(':memory:');
  const kept = await Store.open(':memory:');
  try {
    const a = await ingestS3(plain, 's3://lg/', opts);
    assert.equal(a.recordsStored, 2);
    assert.ok(!s3.gets.some((k) => k.includes('/data/')), 'no offloaded body fetched without keepBodies');
    const msgs = (
      await plain.connection.runAndReadAll(`SELECT string_agg(message, '') FROM events`)
    ).getRows()[0][0] as string;
    assert.ok(!msgs.includes('PROMPT'), 'bodies stripped');
    assert.ok(msgs.includes('inputBodyS3Path'), 'the S3 path is kept');

    const b = await ingestS3(kept, 's3://lg/', { ...opts, keepBodies: true });
    assert.equal(b.recordsStored, 2);
    assert.ok(s3.gets.includes(key));
    const big = (
      await kept.connection.runAndReadAll(`SELECT message FROM events WHERE request_id = 'req-big'`)
    ).getRows()[0][0] as string;
    assert.deepEqual(JSON.parse(big).input.inputBodyJson, { messages: ['OFFLOADED-PROMPT'] });
  } finally {
    plain.close();
    kept.close();
    await s3.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a corrupt gzip object is reported and skipped, the others are stored, and it is not read again', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'h11-s3c-'));
  const hour = join(dir, 'b', 'AWSLogs', '1', 'BedrockModelInvocationLogs', 'us-east-1', '2026', '11', '01', '13');
  mkdirSync(hour, { recursive: true });
  const rec = (id: string): string =>
    JSON.stringify({
      timestamp: '2026-11-01T13:00:05Z',
      requestId: id,
      operation: 'Converse',
      modelId: 'amazon.nova-micro-v1:0',
      input: { inputTokenCount: 1 },
      output: { outputTokenCount: 1 },
    });
  writeFileSync(join(hour, 'a.json.gz'), gzipSync(rec('ok-1') + '\n'));
  const good = gzipSync(rec('ok-2') + '\n' + rec('ok-3') + '\n');
  writeFileSync(join(hour, 'b.json.gz'), Buffer.concat([good.subarray(0, 12), Buffer.from('garbage-garbage-garbage')]));
  writeFileSync(join(hour, 'c.json.gz'), gzipSync(rec('ok-4') + '\n'));
  const s3 = await startTestS3({ cb: join(dir, 'b') });
  const store = await Store.open(':memory:');
  try {
    const opts = { endpointUrl: s3.url, region: 'us-east-1', credentials: CREDS };
    const a = await ingestS3(store, 's3://cb/', opts);
    assert.equal(a.recordsStored, 2);
    assert.equal(a.recordsRejected, 1);
    assert.match(a.rejected[0].file, /b\.json\.gz$/);
    assert.match(a.rejected[0].reason, /cannot decompress/);
    const b = await ingestS3(store, 's3://cb/', opts);
    assert.equal(b.filesRead, 0);
  } finally {
    store.close();
    await s3.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an unknown bucket is a clear error', async () => {
  const s3 = await startTestS3({});
  const store = await Store.open(':memory:');
  try {
    await assert.rejects(
      ingestS3(store, 's3://nope/x', { endpointUrl: s3.url, region: 'us-east-1', credentials: CREDS }),
      (e: Error & { code?: string }) => e.code === 'AWS_REQUEST_FAILED' && /NoSuchBucket/.test(e.message),
    );
  } finally {
    store.close();
    await s3.close();
  }
});
