// The table over the S3 delivery layout, on the real local Trino: `trino setup` over a generated
// layout, then hand-written SQL checked against DuckDB reading the same files, partition pruning
// checked through Trino's own scan statistics, and the metastore entry checked against the DDL
// `athena ddl` prints.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { writeDataset } from '../../../src/demo/generator.js';
import { TrinoClient } from '../../../src/engines/trino/client.js';
import { trinoHome } from '../../../src/engines/trino/local.js';
import { cli, closedPort, holdLocalTrino, type HeldTrino } from './helpers.js';

let trino: HeldTrino;
let client: TrinoClient;
let dir = '';
let logs = '';
// One schema per test process: several checkouts share the machine's local Trino.
const SCHEMA = `bi_test_${process.pid}`;
const TABLE = `hive.${SCHEMA}.invocations`;

/** Every record file of the layout: `*.json.gz` directly in an hour folder. */
function recordFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.json.gz') && /\/\d{4}\/\d{2}\/\d{2}\/\d{2}$/.test(d)) out.push(p);
    }
  };
  walk(root);
  return out.sort();
}

async function duck(sql: string): Promise<unknown[][]> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    return (await conn.runAndReadAll(sql)).getRows();
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

/** DuckDB over exactly the record files (no globbing rules of its own to trust). */
function duckSource(files: string[]): string {
  return `read_ndjson_objects([${files.map((f) => `'${f}'`).join(', ')}])`;
}

before(async () => {
  trino = await holdLocalTrino();
  client = new TrinoClient({ url: trino.url });
  dir = mkdtempSync(join(tmpdir(), 'bi-trino-'));
  logs = join(dir, 'logs');
  await writeDataset({
    out: logs,
    format: 's3',
    preset: 'demo',
    records: 3000,
    days: 2,
    seed: '11',
    end: '2026-11-02T00:00:00Z',
  });
  // Hostile neighbours Bedrock also writes: an offloaded body under HH/data/ (not a record; it
  // must not be read as one) and the permission-check marker (written by the generator).
  const anyHour = recordFiles(logs)[0].replace(/\/[^/]+$/, '');
  mkdirSync(join(anyHour, 'data'));
  writeFileSync(join(anyHour, 'data', 'r-1_input.json.gz'), gzipSync('{"messages":[{"role":"user"}]}\n'));
});

after(async () => {
  try {
    // Every table the tests made (trino setup creates a lines table beside the typed one).
    const tables = await client?.query(`SHOW TABLES FROM hive.${SCHEMA}`).catch(() => ({ rows: [] }));
    for (const [t] of tables?.rows ?? []) await client?.query(`DROP TABLE IF EXISTS hive.${SCHEMA}."${String(t)}"`);
    await client?.query(`DROP SCHEMA IF EXISTS hive.${SCHEMA}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await trino?.release();
  }
});

test('trino setup creates the table over the layout, from the folders it finds', () => {
  const r = cli('trino', 'setup', '--trino-url', trino.url, '--location', logs, '--table', TABLE);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, new RegExp(`^Created ${TABLE.replace(/\./g, '\\.')} over ${logs}: accounts \\d{12}`));
  assert.match(r.out, /regions [a-z]{2}-[a-z]+-\d(, [a-z]{2}-[a-z]+-\d)*; hours from 2026\/10\/31\/00 to now/);
});

test('Trino returns exactly the records: counts and token sums per application equal DuckDB over the same files', async () => {
  const files = recordFiles(logs);
  const expected = await duck(`
    SELECT json->>'$.requestMetadata.application_name' AS app, count(*)::BIGINT,
           sum((json->>'$.input.inputTokenCount')::BIGINT)::BIGINT,
           sum((json->>'$.output.outputTokenCount')::BIGINT)::BIGINT,
           sum((json->>'$.input.cacheReadInputTokenCount')::BIGINT)::BIGINT,
           count(DISTINCT json->>'$.requestId')::BIGINT
    FROM ${duckSource(files)} GROUP BY 1 ORDER BY 1 NULLS FIRST`);
  const got = await client.query(`
    SELECT element_at(requestmetadata, 'application_name') AS app, count(*),
           sum(input.inputtokencount), sum(output.outputtokencount), sum(input.cachereadinputtokencount),
           count(DISTINCT requestid)
    FROM ${TABLE} GROUP BY 1 ORDER BY 1 NULLS FIRST`);
  assert.ok(expected.length >= 3, 'the demo data has several applications');
  assert.deepEqual(
    got.rows,
    expected.map((r) => r.map((v) => (typeof v === 'bigint' ? Number(v) : v))),
  );
  const total = got.rows.reduce((n, r) => n + Number(r[1]), 0);
  assert.equal(total, 3000, 'every generated record, and nothing from HH/data/');
});

test('nested columns and bodies read as the record wrote them', async () => {
  const [file] = recordFiles(logs);
  const first = JSON.parse(readGz(file).split('\n')[0]) as {
    requestId: string;
    identity: { arn: string };
    input: { inputBodyJson?: unknown };
    output: { outputBodyJson?: unknown };
    requestMetadata?: Record<string, string>;
    timestamp: string;
  };
  const r = await client.query(
    `SELECT identity.arn, requestmetadata, "timestamp", json_parse(input.inputbodyjson), json_parse(output.outputbodyjson), "$path"
     FROM ${TABLE} WHERE requestid = '${first.requestId}'`,
  );
  assert.equal(r.rows.length, 1);
  const [arn, metadata, ts, inBody, outBody, path] = r.rows[0] as [string, unknown, string, string, string, string];
  assert.equal(arn, first.identity.arn);
  assert.deepEqual(metadata, first.requestMetadata ?? null);
  assert.equal(ts, first.timestamp);
  // json_parse → JSON comes back as its text; parsed again it must be the very body.
  assert.deepEqual(JSON.parse(inBody), first.input.inputBodyJson);
  assert.deepEqual(JSON.parse(outBody), first.output.outputBodyJson);
  assert.equal(path, `local://${file}`);
});

/** The text of a gzipped file. */
function readGz(file: string): string {
  return gunzipSync(readFileSync(file)).toString('utf8');
}

test('a one-hour range reads only that hour: Trino scans exactly the bytes of its files', async () => {
  const files = recordFiles(logs);
  const bytesOf = (fs: string[]): number => fs.reduce((n, f) => n + statSync(f).size, 0);
  const full = await client.query(`SELECT count(*) FROM ${TABLE}`);
  assert.equal(full.stats.physicalInputBytes, bytesOf(files));

  const hour = '2026/11/01/13';
  const hourFiles = files.filter((f) => relative(logs, f).includes(`/${hour}/`));
  assert.ok(hourFiles.length >= 2, 'the hour has files in several regions');
  const expected = await duck(`SELECT count(*)::BIGINT FROM ${duckSource(hourFiles)}`);
  const one = await client.query(`SELECT count(*) FROM ${TABLE} WHERE log_hour = '${hour}'`);
  assert.deepEqual(one.rows, [[Number(expected[0][0])]]);
  assert.equal(one.stats.physicalInputBytes, bytesOf(hourFiles));
  assert.equal(one.stats.processedRows, Number(expected[0][0]));
  assert.ok(one.stats.physicalInputBytes * 20 < full.stats.physicalInputBytes, 'one hour of 48 is a small part');

  // A range as the engine will write it: text comparison on YYYY/MM/DD/HH is time order.
  const range = await client.query(
    `SELECT count(*) FROM ${TABLE} WHERE log_hour BETWEEN '2026/11/01/12' AND '2026/11/01/14'`,
  );
  const rangeFiles = files.filter((f) => /\/2026\/11\/01\/1[234]\//.test(relative(logs, f)));
  assert.equal(range.stats.physicalInputBytes, bytesOf(rangeFiles));
});

test('the metastore holds exactly the table `athena ddl` prints (modulo the location)', () => {
  const ddl = cli(
    'athena',
    'ddl',
    '--location',
    's3://example-bucket/team-a/',
    '--table',
    `${SCHEMA}.invocations`,
    ...layoutFlags(),
  );
  assert.equal(ddl.code, 0, ddl.err);
  const athena = parseAthenaDdl(ddl.out);
  const stored = JSON.parse(
    readFileSync(join(trinoHome(), 'run', 'metastore', SCHEMA, 'invocations', '.trinoSchema'), 'utf8'),
  ) as {
    tableType: string;
    dataColumns: { name: string; type: string }[];
    partitionColumns: { name: string; type: string }[];
    parameters: Record<string, string>;
    storageFormat: string;
    externalLocation: string;
  };
  assert.equal(stored.tableType, 'EXTERNAL_TABLE');
  assert.deepEqual(
    stored.dataColumns.map((c) => [c.name, c.type]),
    athena.columns,
  );
  assert.deepEqual(
    stored.partitionColumns.map((c) => [c.name, c.type]),
    athena.partitions,
  );
  // Trino's OPENX_JSON format is Athena's ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'.
  assert.equal(stored.storageFormat, 'OPENX_JSON');
  assert.equal(athena.serde, 'org.openx.data.jsonserde.JsonSerDe');
  const local = `local://${logs}`;
  const s3 = 's3://example-bucket/team-a';
  assert.equal(stored.externalLocation.replace(local, s3) + '/', athena.location);
  for (const [k, v] of Object.entries(athena.properties)) {
    const mine = stored.parameters[k];
    assert.notEqual(mine, undefined, `the metastore has ${k}`);
    // Trino writes the interval unit in lower case; both engines read it case-insensitively.
    const norm = (s: string): string => (k.endsWith('.interval.unit') ? s.toUpperCase() : s.replace(local, s3));
    assert.equal(norm(mine), v, k);
  }
});

/** The values `trino setup` found, passed explicitly so that `athena ddl` needs no S3 listing. */
function layoutFlags(): string[] {
  const acct = readdirSync(join(logs, 'AWSLogs')).filter((n) => /^\d{12}$/.test(n));
  const regions = [
    ...new Set(
      acct.flatMap((a) =>
        readdirSync(join(logs, 'AWSLogs', a, 'BedrockModelInvocationLogs')).filter((n) => !n.includes('permission')),
      ),
    ),
  ].sort();
  return ['--accounts', acct.join(','), '--log-regions', regions.join(','), '--from', '2026-10-31'];
}

/** Reads our own printed Athena DDL back into its parts (test-side; the format is ours). */
function parseAthenaDdl(text: string): {
  columns: [string, string][];
  partitions: [string, string][];
  serde: string;
  location: string;
  properties: Record<string, string>;
} {
  const block = (start: RegExp): [string, string][] => {
    const m = start.exec(text);
    assert.ok(m, `DDL has ${start}`);
    const body = text.slice(m.index + m[0].length, text.indexOf('\n)', m.index));
    return body
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => {
        const c = /^ {2}`([a-z_]+)` (.+?),?$/.exec(l);
        assert.ok(c, `column line ${l}`);
        return [c[1], c[2]];
      });
  };
  const props: Record<string, string> = {};
  const tbl = text.slice(text.indexOf('TBLPROPERTIES ('));
  for (const m of tbl.matchAll(/^ {2}'([^']+)' = '([^']*)',?$/gm)) props[m[1]] = m[2];
  return {
    columns: block(/CREATE EXTERNAL TABLE IF NOT EXISTS [a-z0-9_.]+ \(/),
    partitions: block(/PARTITIONED BY \(/),
    serde: /ROW FORMAT SERDE '([^']+)'/.exec(text)?.[1] ?? '',
    location: /LOCATION '([^']+)'/.exec(text)?.[1] ?? '',
    properties: props,
  };
}

test('setup again replaces the definition: a new region folder joins the projection', async () => {
  const [file] = recordFiles(logs);
  const rel = relative(logs, file).split('/');
  // AWSLogs/<acct>/BedrockModelInvocationLogs/<region>/YYYY/MM/DD/HH/file
  rel[3] = 'sa-east-1';
  const copy = join(logs, ...rel);
  mkdirSync(join(copy, '..'), { recursive: true });
  copyFileSync(file, copy);
  const lines = readGz(file).trim().split('\n').length;
  const before = Number((await client.query(`SELECT count(*) FROM ${TABLE}`)).rows[0][0]);
  const r = cli('trino', 'setup', '--trino-url', trino.url, '--location', logs, '--table', TABLE);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^Replaced .*sa-east-1/);
  const after = await client.query(`SELECT count(*) FROM ${TABLE} WHERE log_region = 'sa-east-1'`);
  assert.deepEqual(after.rows, [[lines]]);
  const total = Number((await client.query(`SELECT count(*) FROM ${TABLE}`)).rows[0][0]);
  assert.equal(total, before + lines);
  rmSync(join(logs, 'AWSLogs', rel[1], 'BedrockModelInvocationLogs', 'sa-east-1'), { recursive: true });
});

test('setup refuses to drop a managed table of the same name', async () => {
  await client.query(`CREATE TABLE hive.${SCHEMA}.managed (x integer)`);
  await client.query(`INSERT INTO hive.${SCHEMA}.managed VALUES (1)`);
  const r = cli('trino', 'setup', '--trino-url', trino.url, '--location', logs, '--table', `hive.${SCHEMA}.managed`);
  assert.equal(r.code, 2);
  assert.match(
    r.err,
    /error \[TRINO_TABLE_CONFLICT\]: hive\.bi_test_\d+\.managed already exists and is not an external table/,
  );
  assert.deepEqual((await client.query(`SELECT x FROM hive.${SCHEMA}.managed`)).rows, [[1]]);
});

test('setup: bad input gives coded errors, not stack traces', async () => {
  const port = await closedPort();
  const closed = cli('trino', 'setup', '--trino-url', `http://127.0.0.1:${port}`, '--location', logs, '--table', TABLE);
  assert.equal(closed.code, 2);
  assert.ok(
    closed.err.startsWith(`error [TRINO_UNREACHABLE]: Cannot reach Trino at http://127.0.0.1:${port} (ECONNREFUSED)`),
    closed.err,
  );
  const missing = cli('trino', 'setup', '--trino-url', trino.url, '--location', join(dir, 'nope'));
  assert.match(missing.err, /^error \[NOT_FOUND\]: --location .*nope does not exist/);
  const empty = mkdtempSync(join(dir, 'empty-'));
  const none = cli('trino', 'setup', '--trino-url', trino.url, '--location', empty);
  assert.match(none.err, /^error \[LAYOUT_EMPTY\]/);
  for (const bad of ['hive.bedrock', 'hive.bedrock.Invocations', "hive.x.y'; DROP TABLE z; --", 'a.b.c.d']) {
    const r = cli('trino', 'setup', '--trino-url', trino.url, '--location', logs, '--table', bad);
    assert.equal(r.code, 2);
    assert.match(r.err, /^error \[INVALID_ARGUMENT\]: --table must be CATALOG\.SCHEMA\.TABLE/);
  }
  const url = cli('trino', 'setup', '--trino-url', 'ftp://x', '--location', logs);
  assert.match(url.err, /^error \[INVALID_ARGUMENT\]: --trino-url must be an http/);
});
