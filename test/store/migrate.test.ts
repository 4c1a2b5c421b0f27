/**
 * Schema 1 → 2 on a store written by the schema-1 release itself (test/fixtures/store-schema1.duckdb.gz,
 * made by scripts/make-schema1-store.ts with that release's writer): the request-metadata keys
 * become columns holding exactly the map's values, the catalog gets its counts, queries read the
 * columns and answer as before, and a read-only opener (query) migrates too.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Store } from '../../src/store/store.js';
import { SCHEMA_VERSION } from '../../src/store/schema.js';
import { listLogGroups } from '../../src/store/catalog.js';
import { EventWriter } from '../../src/store/writer.js';
import { normalizeLogEvent } from '../../src/logs/record.js';
import { createDuckDbEngine } from '../../src/engines/duckdb.js';
import { SCHEMA1_APP, SCHEMA1_BEDROCK, schema1Metadata, schema1Records } from '../fixtures/schema1-records.js';
import { SCHEMA1_STORE } from '../fixtures/paths.js';

function copyFixture(): { path: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'bi-migrate-'));
  const path = join(dir, 'store.duckdb');
  writeFileSync(path, gunzipSync(readFileSync(SCHEMA1_STORE)));
  return { path, done: () => rmSync(dir, { recursive: true, force: true }) };
}

async function rows(s: Store, sql: string): Promise<unknown[][]> {
  return (await s.connection.runAndReadAll(sql))
    .getRows()
    .map((r) => r.map((v) => (typeof v === 'bigint' ? Number(v) : v)));
}

/** The expected number of Bedrock records per value of a request-metadata key. */
function expectedCounts(key: string): Map<string, number> {
  const out = new Map<string, number>();
  for (let i = 0; i < 240; i++) {
    const v = schema1Metadata(i)[key];
    if (v !== undefined) out.set(v, (out.get(v) ?? 0) + 1);
  }
  return out;
}

const KEYS = ['application_name', 'environment', 'tenant_id', 'user_id', 'team', 'cost_center', "it's", 'x.y z'];

test('the fixture is a schema-1 store as the previous release wrote it', async () => {
  const { path, done } = copyFixture();
  try {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const inst = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' });
    const c = await inst.connect();
    const version = (await c.runAndReadAll(`SELECT value FROM meta WHERE key = 'schema_version'`)).getRows();
    assert.equal(version[0][0], '1');
    const cols = (await c.runAndReadAll(`SELECT column_name FROM (DESCRIBE events)`)).getRows().map((r) => r[0]);
    assert.ok(!cols.some((x) => String(x).startsWith('md_')), 'no promoted columns yet');
    assert.equal(Number((await c.runAndReadAll('SELECT count(*) FROM events')).getRows()[0][0]), 260);
    c.closeSync();
    inst.closeSync();
  } finally {
    done();
  }
});

test('opening a schema-1 store migrates it in place: columns equal to the map, catalog counts, a progress line', async () => {
  const { path, done } = copyFixture();
  const said: string[] = [];
  try {
    const s = await Store.open(path, { progress: (t) => said.push(t) });
    try {
      assert.deepEqual(await rows(s, `SELECT value FROM meta WHERE key = 'schema_version'`), [
        [String(SCHEMA_VERSION)],
      ]);
      assert.ok(
        said.some((t) => /migrating the store's store tables to version 2/.test(t)),
        said.join('\n'),
      );
      const promoted = new Map(
        (await rows(s, 'SELECT field, col FROM promoted_columns')).map(([f, c]) => [String(f), String(c)]),
      );
      assert.deepEqual([...promoted.keys()].sort(), KEYS.map((k) => `requestMetadata.${k}`).sort());
      // Hostile keys get column names a SQL identifier can hold, each its own.
      assert.equal(promoted.get("requestMetadata.it's"), 'md_it_s');
      assert.equal(promoted.get('requestMetadata.x.y z'), 'md_x_y_z');
      for (const key of KEYS) {
        const col = promoted.get(`requestMetadata.${key}`)!;
        const lit = `'${key.replace(/'/g, "''")}'`;
        const [[differ, filled]] = await rows(
          s,
          `SELECT count(*) FILTER (WHERE ${col} IS DISTINCT FROM request_metadata[${lit}]), count(${col}) FROM events`,
        );
        assert.equal(differ, 0, `${col} differs from the map`);
        const want = [...expectedCounts(key).values()].reduce((a, b) => a + b, 0);
        assert.equal(filled, want, `${col} holds the ${want} values of ${key}`);
      }
      assert.equal((await rows(s, 'SELECT count(*) FROM events'))[0][0], 260);
      const groups = new Map((await listLogGroups(s)).map((g) => [g.name, g.events]));
      assert.equal(groups.get(SCHEMA1_BEDROCK), 240);
      assert.equal(groups.get(SCHEMA1_APP), 20);
    } finally {
      s.close();
    }
    // Once: the next open finds version 2 and says nothing.
    said.length = 0;
    const again = await Store.open(path, { progress: (t) => said.push(t) });
    again.close();
    assert.deepEqual(
      said.filter((t) => /migrating/.test(t)),
      [],
    );
  } finally {
    done();
  }
});

test('after the migration queries read the columns and answer as the map did, Bedrock and generic events mixed', async () => {
  const { path, done } = copyFixture();
  try {
    const s = await Store.open(path, { readOnly: true, progress: () => undefined });
    const engine = createDuckDbEngine(s);
    try {
      const q = 'stats count(*) as n by requestMetadata.application_name as app | sort app';
      const prepared = await engine.prepare({ queryString: q, logGroups: [SCHEMA1_BEDROCK] });
      assert.match(JSON.stringify(prepared.plan), /"column":"md_application_name"/, 'the plan reads the column');
      const r = await engine.run(prepared);
      const got = r.rows.map((row) => Object.fromEntries(row.map((f) => [f.field, f.value])));
      const want = [...expectedCounts('application_name')]
        .sort((a, b) => (a[0] < b[0] ? -1 : 1))
        .map(([app, n]) => ({ app, n: String(n) }));
      assert.deepEqual(got, want);

      // A hostile key, by its backquoted name, read from its column.
      const quoted = await engine.run({
        queryString: "filter `requestMetadata.it's` = 'quoted' | stats count(*) as n",
        logGroups: [SCHEMA1_BEDROCK],
      });
      assert.equal(quoted.rows[0].find((f) => f.field === 'n')?.value, String(expectedCounts("it's").get('quoted')));

      // Both groups: the generic lines' requestMetadata comes from their JSON, the records' from the column.
      const mixed = await engine.run({
        queryString:
          'filter requestMetadata.application_name in ["chat", "not-bedrock"] | stats count(*) as n by requestMetadata.application_name as app | sort app',
        logGroups: [SCHEMA1_BEDROCK, SCHEMA1_APP],
      });
      assert.deepEqual(
        mixed.rows.map((row) => Object.fromEntries(row.map((f) => [f.field, f.value]))),
        [
          { app: 'chat', n: String(expectedCounts('application_name').get('chat')) },
          { app: 'not-bedrock', n: '20' },
        ],
      );
    } finally {
      await engine.close();
      s.close();
    }
  } finally {
    done();
  }
});

test('a key seen first after the migration gets its column at ingest; a key beyond the limit stays in the map and still resolves', async () => {
  const { path, done } = copyFixture();
  try {
    const s = await Store.open(path, { progress: () => undefined });
    const engine = createDuckDbEngine(s);
    const w = new EventWriter(s);
    try {
      const base = schema1Records()[0];
      const record = JSON.parse(base.message) as Record<string, unknown>;
      // 30 new keys: 8 promoted + 24 = the limit of 32; the last 6 stay in the map only.
      const md: Record<string, string> = {};
      for (let k = 0; k < 30; k++) md[`k${String(k).padStart(2, '0')}`] = `v${k}`;
      const events = [0, 1, 2].map((i) =>
        normalizeLogEvent({
          logGroup: SCHEMA1_BEDROCK,
          logStream: 'later',
          timestamp: base.timestamp + 240 * 3_600_000 + i,
          ingestionTime: base.timestamp + 240 * 3_600_000 + i,
          message: JSON.stringify({
            ...record,
            requestId: `late-${i}`,
            requestMetadata: { ...md, application_name: 'late' },
          }),
        }),
      );
      assert.equal((await w.append(events)).stored, 3);
      const promoted = (await rows(s, 'SELECT field FROM promoted_columns')).map((r) => String(r[0]));
      assert.equal(promoted.length, 32);
      const inMapOnly = Object.keys(md).filter((k) => !promoted.includes(`requestMetadata.${k}`));
      assert.equal(inMapOnly.length, 6);
      // Old rows have no value for the new columns (the keys did not exist), new rows have theirs.
      const col = String((await rows(s, `SELECT col FROM promoted_columns WHERE field = 'requestMetadata.k00'`))[0][0]);
      assert.deepEqual(await rows(s, `SELECT count(${col}), count(*) FROM events`), [[3, 263]]);
      for (const key of ['k00', inMapOnly[0]]) {
        const r = await engine.run({
          queryString: `stats count(*) as n by requestMetadata.${key} as v`,
          logGroups: [SCHEMA1_BEDROCK],
        });
        const got = r.rows.map((row) => Object.fromEntries(row.map((f) => [f.field, f.value])));
        assert.deepEqual(
          got.find((x) => x.v === md[key]),
          { v: md[key], n: '3' },
          key,
        );
      }
    } finally {
      w.close();
      await engine.close();
      s.close();
    }
  } finally {
    done();
  }
});
