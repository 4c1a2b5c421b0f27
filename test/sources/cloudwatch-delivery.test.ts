import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ingestPaths } from '../../src/sources/ingest.js';
import { ingestS3 } from '../../src/sources/s3/source.js';
import { Store } from '../../src/store/store.js';
import { startTestS3 } from './s3-server.js';

// The shapes users have (issue 16): CloudWatch CreateExportTask output and Firehose-delivered
// subscription payloads, from the fixtures in test/fixtures/cloudwatch-delivery (make.ts says
// where AWS documents each shape).

const FIXTURES = resolve(import.meta.dirname, '../fixtures/cloudwatch-delivery');
const T0 = Date.UTC(2026, 10, 30, 10, 0, 0);
/** What the fixtures' files are given as their delivery time (mtime, and so S3's LastModified). */
const DELIVERED = Date.UTC(2026, 10, 30, 11, 30, 0);

function copyFixtures(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bi-cwd-'));
  cpSync(FIXTURES, dir, { recursive: true });
  const touch = (p: string): void => utimesSync(p, DELIVERED / 1000, DELIVERED / 1000);
  touch(join(dir, 'exports/4a9e1f7c-2b3d-4e5f-8a6b-7c8d9e0f1a2b/aws/bedrock/modelinvocations/000000.gz'));
  touch(join(dir, 'firehose/2026/11/30/10/bedrock-to-s3-1-2026-11-30-10-05-01-9c1d2e3f-4a5b-6c7d-8e9f-0a1b2c3d4e5f'));
  return dir;
}

async function rows(store: Store): Promise<[string, number, number, string, string][]> {
  const r = await store.connection.runAndReadAll(
    `SELECT request_id, ts, ingestion_ts, log_stream, message FROM events ORDER BY request_id`,
  );
  return r.getRows().map(([a, b, c, d, e]) => [String(a), Number(b), Number(c), String(d), String(e)]);
}

test('a CreateExportTask export: "<time> <record>" lines in .gz, the stream from the folder layout, the marker skipped', async () => {
  const dir = copyFixtures();
  const store = await Store.open(':memory:');
  try {
    const s = await ingestPaths(store, [join(dir, 'exports')]);
    assert.equal(s.recordsStored, 4);
    assert.equal(s.recordsRejected, 0);
    assert.equal(s.notLogsCount, 0, 'the aws-logs-write-test marker is skipped, not reported');
    const r = await rows(store);
    assert.deepEqual(
      r.map((x) => x.slice(0, 4)),
      [0, 1, 2, 3].map((i) => [`cwd-${i}`, T0 + i * 60_000 + 1234, DELIVERED, 'aws/bedrock/modelinvocations']),
      '@timestamp is the line time, @ingestionTime the file delivery time, @logStream from <task id>/<stream>/',
    );
    for (const [, , , , m] of r) {
      assert.doesNotMatch(m, /prompt number|answer number/);
      assert.match(m, /"latencyMs":3\d\d/);
    }
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('Firehose-delivered subscription payloads: concatenated gzip members, an extensionless name, CONTROL_MESSAGE skipped, other files named', async () => {
  const dir = copyFixtures();
  const store = await Store.open(':memory:');
  try {
    const s = await ingestPaths(store, [join(dir, 'firehose')]);
    assert.equal(s.recordsStored, 3);
    assert.equal(s.recordsRejected, 0);
    assert.ok(
      s.notes.some((n) => /1 CloudWatch Logs subscription control message skipped/.test(n.note)),
      JSON.stringify(s.notes),
    );
    assert.deepEqual(s.notLogs, [join(dir, 'firehose', 'NOTES')]);
    const r = await rows(store);
    assert.deepEqual(
      r.map((x) => x.slice(0, 4)),
      [10, 11, 12].map((i) => [`cwd-${i}`, T0 + i * 60_000 + 999, DELIVERED, 'aws/bedrock/modelinvocations']),
    );
    // A second run reads nothing new.
    assert.equal((await ingestPaths(store, [join(dir, 'firehose')])).filesSkipped, 1);
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('both shapes through s3://: an object without an extension is read by its content, LastModified is @ingestionTime', async () => {
  const dir = copyFixtures();
  const s3 = await startTestS3({ logs: dir });
  const store = await Store.open(':memory:');
  try {
    const s = await ingestS3(store, 's3://logs/', {
      endpointUrl: s3.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'k', secretAccessKey: 's' },
    });
    assert.equal(s.recordsStored, 7);
    assert.equal(s.recordsRejected, 0);
    // make.ts, the fixtures' generator, is in the copied bucket too: named, not read.
    assert.deepEqual(s.notLogs, ['s3://logs/firehose/NOTES', 's3://logs/make.ts']);
    const r = await rows(store);
    assert.equal(r.length, 7);
    for (const x of r) assert.equal(x[2], DELIVERED, `${x[0]}: @ingestionTime is the object's LastModified`);
  } finally {
    store.close();
    await s3.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an empty file says so; a folder names the files it did not read and how to read one', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bi-empty-'));
  const store = await Store.open(':memory:');
  try {
    writeFileSync(join(dir, 'empty.jsonl'), '');
    writeFileSync(join(dir, 'blank.jsonl'), '\n\n  \n');
    writeFileSync(join(dir, 'README.txt'), 'not logs');
    const s = await ingestPaths(store, [dir]);
    assert.equal(s.recordsStored, 0);
    assert.deepEqual(
      s.notes.map((n) => [n.file, n.note]),
      [
        [join(dir, 'blank.jsonl'), 'the file is empty: no records in it'],
        [join(dir, 'empty.jsonl'), 'the file is empty: no records in it'],
      ],
    );
    assert.deepEqual(s.notLogs, [join(dir, 'README.txt')]);
    // Given by its path, a file is read whatever its name.
    assert.equal((await ingestPaths(store, [join(dir, 'README.txt')])).recordsRejected, 1);
    assert.ok(statSync(join(dir, 'README.txt')).size > 0);
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
