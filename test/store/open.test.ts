import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { Store, removeSpillFiles } from '../../src/store/store.js';
import { EVENTS_COLUMNS, SCHEMA_VERSION } from '../../src/store/schema.js';
import { BiError } from '../../src/util/errors.js';

function tmp(): { dir: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'bi-store-open-'));
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A real store with some rows, closed. */
async function makeStore(path: string, rows = 20_000): Promise<void> {
  const s = await Store.open(path);
  await s.connection.run(`INSERT INTO events (seq, log_group, log_stream, ts, ingestion_ts, event_key, kind, message)
    SELECT i, '/g', 's', i, i, 'k' || i, 'generic', repeat('m', 200) || i FROM range(${rows}) t(i)`);
  await s.connection.run('CHECKPOINT');
  s.close();
}

async function editStore(path: string, sql: string): Promise<void> {
  // Plain DuckDB, as a user's tool would edit the file, without our checks.
  const inst = await DuckDBInstance.create(path);
  const c = await inst.connect();
  await c.run(sql);
  c.closeSync();
  inst.closeSync();
}

async function openError(path: string, opts: { readOnly?: boolean } = {}): Promise<BiError> {
  try {
    const s = await Store.open(path, opts);
    s.close();
  } catch (e) {
    assert.ok(e instanceof BiError, `a coded error, not ${String(e)}`);
    return e;
  }
  assert.fail(`opening ${path} should have failed`);
}

test('EVENTS_COLUMNS are the columns a new store gets', async () => {
  const s = await Store.open(':memory:');
  try {
    const cols = (await s.connection.runAndReadAll(`SELECT column_name FROM (DESCRIBE events)`))
      .getRows()
      .map((r) => String(r[0]));
    assert.deepEqual([...EVENTS_COLUMNS], cols);
  } finally {
    s.close();
  }
});

test('every opener, read-only too, refuses a newer, a nonsense or a missing schema version, and a missing column', async () => {
  const t = tmp();
  try {
    const base = join(t.dir, 'base.duckdb');
    await makeStore(base, 10);
    const cases: { name: string; sql: string; code: string; says: RegExp }[] = [
      {
        name: 'newer',
        sql: `UPDATE meta SET value = '${SCHEMA_VERSION + 1}' WHERE key = 'schema_version'`,
        code: 'STORE_TOO_NEW',
        says: new RegExp(`newer bedrock-insights \\(schema ${SCHEMA_VERSION + 1}\\)`),
      },
      {
        name: 'zero',
        sql: `UPDATE meta SET value = '0' WHERE key = 'schema_version'`,
        code: 'STORE_SCHEMA_INVALID',
        says: /schema version "0"/,
      },
      {
        name: 'abc',
        sql: `UPDATE meta SET value = 'abc' WHERE key = 'schema_version'`,
        code: 'STORE_SCHEMA_INVALID',
        says: /schema version "abc"/,
      },
      { name: 'nometa', sql: `DROP TABLE meta`, code: 'STORE_SCHEMA_INVALID', says: /meta table is missing/ },
      {
        name: 'oldlayout',
        sql: `ALTER TABLE events DROP COLUMN cost_total; ALTER TABLE events DROP COLUMN price_version`,
        code: 'STORE_SCHEMA_INVALID',
        says: /lacks the columns cost_total, price_version/,
      },
    ];
    for (const c of cases) {
      const p = join(t.dir, `${c.name}.duckdb`);
      copyFileSync(base, p);
      await editStore(p, c.sql);
      for (const readOnly of [false, true]) {
        const e = await openError(p, { readOnly });
        assert.equal(e.code, c.code, `${c.name} readOnly=${readOnly}: ${e.message}`);
        assert.match(e.message, c.says);
      }
      // Refusing wrote nothing: the version is still what the user's tool left.
      if (c.name === 'newer') {
        const inst = await DuckDBInstance.create(p, { access_mode: 'READ_ONLY' });
        const conn = await inst.connect();
        assert.equal(
          (await conn.runAndReadAll(`SELECT value FROM meta WHERE key = 'schema_version'`)).getRows()[0][0],
          String(SCHEMA_VERSION + 1),
        );
        conn.closeSync();
        inst.closeSync();
      }
    }
    // The untouched store opens both ways.
    (await Store.open(base, { readOnly: true })).close();
    (await Store.open(base)).close();
  } finally {
    t.done();
  }
});

test('damaged or foreign files give coded errors with a recovery hint, not raw DuckDB messages', async () => {
  const t = tmp();
  try {
    const base = join(t.dir, 'base.duckdb');
    await makeStore(base, 200_000);
    const size = statSync(base).size;

    const sqlite = join(t.dir, 'sqlite.db');
    if (existsSync('/usr/bin/sqlite3'))
      execFileSync('/usr/bin/sqlite3', [sqlite, 'CREATE TABLE t(a); INSERT INTO t VALUES (1);']);
    else writeFileSync(sqlite, Buffer.concat([Buffer.from('SQLite format 3\0', 'latin1'), Buffer.alloc(4080)]));
    const e1 = await openError(sqlite);
    assert.equal(e1.code, 'STORE_NOT_DUCKDB');
    assert.match(e1.message, /is a SQLite database, not a bedrock-insights store/);
    assert.doesNotMatch(e1.message, /INSTALL/);

    const text = join(t.dir, 'text.duckdb');
    writeFileSync(text, 'hello, this is not a database\n'.repeat(200));
    const e2 = await openError(text, { readOnly: true });
    assert.equal(e2.code, 'STORE_NOT_DUCKDB');
    assert.match(e2.message, /--db/);

    for (const frac of [0.5, 0.99]) {
      const cut = join(t.dir, `cut-${frac}.duckdb`);
      copyFileSync(base, cut);
      truncateSync(cut, Math.floor(size * frac));
      for (const readOnly of [true, false]) {
        const e = await openError(cut, { readOnly });
        assert.equal(e.code, 'STORE_DAMAGED', `${frac} ${readOnly}: ${e.message}`);
        assert.match(e.message, /damaged/);
        assert.match(e.message, /Restore the file from a backup, or move it away and ingest the logs again/);
      }
    }
    const tiny = join(t.dir, 'tiny.duckdb');
    copyFileSync(base, tiny);
    truncateSync(tiny, 4096);
    const e3 = await openError(tiny, { readOnly: true });
    assert.ok(['STORE_DAMAGED', 'STORE_NOT_DUCKDB'].includes(e3.code), e3.message);
    assert.match(e3.message, /move (it|this one) away/);
  } finally {
    t.done();
  }
});

test('spill files a crash left beside the store are removed when it is opened for writing, and only then', async () => {
  const t = tmp();
  try {
    const p = join(t.dir, 's.duckdb');
    await makeStore(p, 10);
    const spill = `${p}.tmp`;
    mkdirSync(spill);
    writeFileSync(join(spill, 'duckdb_temp_storage_DEFAULT-0.tmp'), Buffer.alloc(1 << 20));
    writeFileSync(join(spill, 'duckdb_temp_block-4611686018427388032.block'), Buffer.alloc(1 << 16));
    // A read-only opener shares the file with others: it must not touch their spill files.
    (await Store.open(p, { readOnly: true })).close();
    assert.ok(existsSync(join(spill, 'duckdb_temp_storage_DEFAULT-0.tmp')));
    (await Store.open(p)).close();
    assert.equal(existsSync(spill), false, 'the spill folder is gone');

    // Something of the user's in that folder is kept, and so is the folder.
    mkdirSync(spill);
    writeFileSync(join(spill, 'notes.txt'), 'mine');
    writeFileSync(join(spill, 'duckdb_temp_storage_DEFAULT-1.tmp'), 'x');
    assert.equal(removeSpillFiles(p), 1);
    assert.ok(existsSync(join(spill, 'notes.txt')));
  } finally {
    t.done();
  }
});
