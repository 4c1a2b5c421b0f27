// The table definition and the layout reader, without a Trino: the printed Athena DDL (golden),
// the Trino SQL built from the same definition, hostile names and values, and what the layout
// reader finds in a local folder and through the S3 protocol.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  RECORD_FIELDS,
  athenaDdl,
  columnName,
  deliveryRoot,
  hiveType,
  parseTableName,
  trinoDdl,
  type DeliveryTable,
} from '../../../src/engines/trino/table.js';
import { describeLayout } from '../../../src/engines/trino/layout.js';
import { trinoLocation } from '../../../src/engines/trino/setup.js';
import { startTestS3, type TestS3 } from '../../sources/s3-server.js';
import { cli } from './helpers.js';

const GOLDEN = new URL('./athena-ddl.golden.sql', import.meta.url).pathname;
const LAYOUT: DeliveryTable = {
  root: 's3://my-bedrock-logs/team-a',
  accounts: ['111122223333', '444455556666'],
  regions: ['eu-central-1', 'us-east-1'],
  firstHour: '2025/01/01/00',
};

let dir = '';
let s3: TestS3;
const CREDS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bi-layout-'));
  // A delivery layout with what Bedrock and people leave next to the records.
  const logs = (acct: string, region: string): string =>
    join(dir, 'bucket', 'AWSLogs', acct, 'BedrockModelInvocationLogs', region);
  const file = (path: string): void => {
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, 'x');
  };
  file(join(logs('111122223333', 'us-west-2'), '2026', '03', '04', '05', 'a.json.gz'));
  file(join(logs('111122223333', 'us-west-2'), '2026', '03', '04', '05', 'data', 'r_input.json.gz'));
  file(join(logs('111122223333', 'us-east-1'), '2026', '02', '28', '23', 'b.json.gz'));
  // An empty year and a stray folder before the first real hour: neither is the first hour.
  mkdirSync(join(logs('111122223333', 'us-east-1'), '2025'), { recursive: true });
  mkdirSync(join(logs('111122223333', 'us-east-1'), 'backup'), { recursive: true });
  file(join(logs('999988887777', 'eu-west-1'), '2026', '05', '01', '00', 'c.json.gz'));
  file(
    join(
      dir,
      'bucket',
      'AWSLogs',
      '111122223333',
      'BedrockModelInvocationLogs',
      'amazon-bedrock-logs-permission-check',
    ),
  );
  file(join(dir, 'bucket', 'AWSLogs', 'README.txt'));
  s3 = await startTestS3({ logs: join(dir, 'bucket') }, 2);
});

after(async () => {
  await s3?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('athena ddl: the printed statement (golden)', () => {
  assert.equal(athenaDdl(LAYOUT), readFileSync(GOLDEN, 'utf8').trimEnd());
});

test('the Trino SQL declares the same columns, partitions and projection as the Athena DDL', () => {
  const t = trinoDdl({ ...LAYOUT, root: 'local:///data/logs' }, 'hive.bedrock.invocations');
  assert.equal(t.createSchema, 'CREATE SCHEMA IF NOT EXISTS "hive"."bedrock"');
  assert.equal(t.table, 'hive.bedrock.invocations');
  for (const f of RECORD_FIELDS) assert.match(t.createTable, new RegExp(`^  "${columnName(f)}" `, 'm'));
  assert.match(
    t.createTable,
    /"input" row\("inputcontenttype" varchar, "inputbodyjson" varchar, .*"inputtokencount" bigint/,
  );
  assert.match(t.createTable, /"requestmetadata" map\(varchar, varchar\)/);
  assert.match(
    t.createTable,
    /"log_account" varchar WITH \(partition_projection_type = 'enum', partition_projection_values = ARRAY\['111122223333', '444455556666'\]\)/,
  );
  assert.match(
    t.createTable,
    /partition_projection_range = ARRAY\['2025\/01\/01\/00', 'NOW'\], partition_projection_interval = 1, partition_projection_interval_unit = 'HOURS'/,
  );
  assert.match(t.createTable, /external_location = 'local:\/\/\/data\/logs\/AWSLogs'/);
  assert.match(
    t.createTable,
    /partition_projection_location_template = 'local:\/\/\/data\/logs\/AWSLogs\/\$\{log_account\}\/BedrockModelInvocationLogs\/\$\{log_region\}\/\$\{log_hour\}'/,
  );
  assert.equal(
    hiveType({ map: ['string', { struct: [{ key: 'A', type: 'bigint' }] }] }),
    'map<string,struct<a:bigint>>',
  );
});

test('hostile names and values are refused before any SQL is written', () => {
  for (const bad of ['bedrock', 'a.b.c', 'Bedrock.invocations', 'bedrock.inv-ocations', "b.x'--", 'b.`x`', '.x', 'b.'])
    assert.throws(() => athenaDdl(LAYOUT, bad), /--table must be DATABASE\.TABLE/);
  for (const bad of ["1111'22223333", '1111,2222', '../etc', 'a b'])
    assert.throws(() => athenaDdl({ ...LAYOUT, accounts: [bad] }), { code: 'INVALID_ARGUMENT' });
  assert.throws(() => athenaDdl({ ...LAYOUT, regions: ['us-east-1,x'] }), { code: 'INVALID_ARGUMENT' });
  assert.throws(() => athenaDdl({ ...LAYOUT, firstHour: '2025-01-01' }), { code: 'INVALID_ARGUMENT' });
  assert.throws(() => athenaDdl({ ...LAYOUT, accounts: [] }), { code: 'LAYOUT_EMPTY' });
  assert.throws(() => athenaDdl({ ...LAYOUT, root: '/data/logs' }), /Athena reads S3/);
  // A location with a quote is a literal in SQL, escaped, never an end of string.
  const t = trinoDdl({ ...LAYOUT, root: "local:///tmp/it's" });
  assert.match(t.createTable, /external_location = 'local:\/\/\/tmp\/it''s\/AWSLogs'/);
  assert.deepEqual(parseTableName('hive.bedrock.invocations', 3), {
    catalog: 'hive',
    schema: 'bedrock',
    table: 'invocations',
    qualified: 'hive.bedrock.invocations',
  });
});

test('the location may name the folder above AWSLogs/ or AWSLogs/ itself', () => {
  for (const [given, root] of [
    ['s3://b/p/', 's3://b/p'],
    ['s3://b/p/AWSLogs/', 's3://b/p'],
    ['s3://b/AWSLogs', 's3://b'],
    ['s3://b/myAWSLogs', 's3://b/myAWSLogs'],
  ])
    assert.equal(deliveryRoot(given), root, given);
  assert.equal(trinoLocation('/data/logs/'), 'local:///data/logs');
  assert.equal(trinoLocation('s3://b/p/'), 's3://b/p');
});

test('a local folder: accounts and regions are its folders; the first hour skips empty and stray folders', async () => {
  const l = await describeLayout(join(dir, 'bucket'));
  assert.deepEqual(l, {
    root: join(dir, 'bucket'),
    accounts: ['111122223333', '999988887777'],
    regions: ['eu-west-1', 'us-east-1', 'us-west-2'],
    firstHour: '2026/02/28/23',
  });
  const given = await describeLayout(join(dir, 'bucket', 'AWSLogs'), {
    accounts: ['444455556666'],
    regions: ['ap-south-1'],
    from: '2024-02-29',
  });
  assert.deepEqual(given, {
    root: join(dir, 'bucket', 'AWSLogs'),
    accounts: ['444455556666'],
    regions: ['ap-south-1'],
    firstHour: '2024/02/29/00',
  });
  await assert.rejects(describeLayout(join(dir, 'bucket'), { from: '2024-02-30' }), /--from must be a date YYYY-MM-DD/);
  await assert.rejects(describeLayout(join(dir, 'nope')), { code: 'NOT_FOUND' });
  await assert.rejects(describeLayout('hdfs://x/y'), { code: 'INVALID_ARGUMENT' });
});

test('an s3:// location is read with ListObjectsV2 and Delimiter, page by page', async () => {
  const aws = { endpointUrl: s3.url, region: 'us-east-1', credentials: CREDS };
  const l = await describeLayout('s3://logs/', { aws });
  assert.deepEqual(l, {
    root: 's3://logs',
    accounts: ['111122223333', '999988887777'],
    regions: ['eu-west-1', 'us-east-1', 'us-west-2'],
    firstHour: '2026/02/28/23',
  });
  assert.equal(s3.gets.length, 0, 'no object is read, only listed');
  await assert.rejects(describeLayout('s3://nope/', { aws }), { code: 'AWS_REQUEST_FAILED' });
});

test('athena ddl (CLI): prints the statements (the typed table, then the lines table) on stdout and the database hint on stderr', () => {
  const r = cli(
    'athena',
    'ddl',
    '--location',
    's3://my-bedrock-logs/team-a/',
    '--accounts',
    '111122223333,444455556666',
    '--log-regions',
    'eu-central-1, us-east-1',
    '--from',
    '2025-01-01',
  );
  assert.equal(r.code, 0, r.err);
  // The typed table is the golden statement; the lines table (what `query --engine athena` reads) follows it.
  const lines = athenaDdl(LAYOUT, 'bedrock.invocations', 'lines');
  assert.match(lines, /^CREATE EXTERNAL TABLE IF NOT EXISTS bedrock\.invocations_lines \(\n {2}`line` string\n\)/);
  assert.equal(r.out, `${readFileSync(GOLDEN, 'utf8').trimEnd()};\n\n${lines}\n`);
  assert.equal(r.err, '-- Run first, once: CREATE DATABASE IF NOT EXISTS bedrock\n');
  const local = cli('athena', 'ddl', '--location', join(dir, 'bucket'));
  assert.equal(local.code, 2);
  assert.match(local.err, /^error \[INVALID_ARGUMENT\]: Athena reads S3: --location must be s3:\/\/BUCKET\/PREFIX/);
});
