/**
 * Writes test/fixtures/store-schema1.duckdb.gz: a small store of schema version 1, written by the
 * release before the promoted request-metadata columns (the migration test opens a copy of it).
 *
 * The store must come from that release's own code, not from a copy of its DDL, so this script
 * imports the writer from a checkout of it:
 *
 *   git worktree add --detach /tmp/schema1 1518140   # main before schema 2
 *   ln -s "$PWD/node_modules" /tmp/schema1/node_modules
 *   node --import tsx scripts/make-schema1-store.ts /tmp/schema1/src test/fixtures/store-schema1.duckdb.gz
 *   git worktree remove --force /tmp/schema1
 *
 * Kept gzipped (18 KB; the DuckDB file is 2.6 MB of mostly empty blocks). The records are deterministic (no clock, no randomness): test/store/migrate.test.ts rebuilds the
 * same list with `schema1Records` to know what the store holds.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { gzipSync } from 'node:zlib';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { schema1Records, SCHEMA1_GROUPS } from '../test/fixtures/schema1-records.js';

interface OldStore {
  close(): void;
  connection: { runAndReadAll(sql: string): Promise<{ getRows(): unknown[][] }> };
}
interface OldStoreModule {
  Store: { open(path: string): Promise<OldStore> };
}
interface OldWriterModule {
  EventWriter: new (store: OldStore) => {
    append(events: unknown[]): Promise<{ stored: number }>;
    close(): void;
  };
}
interface OldRecordModule {
  normalizeLogEvent: (input: {
    logGroup: string;
    logStream: string;
    timestamp: number;
    message: string;
    ingestionTime: number;
  }) => unknown;
}

async function main(): Promise<void> {
  const [srcArg, outArg] = process.argv.slice(2);
  if (!srcArg || !outArg?.endsWith('.duckdb.gz')) {
    process.stderr.write('usage: make-schema1-store.ts <src folder of the schema-1 release> <output .duckdb.gz>\n');
    process.exit(2);
  }
  const src = resolve(srcArg);
  const out = resolve(outArg);
  const load = async <T>(rel: string): Promise<T> =>
    // eslint-disable-next-line no-restricted-syntax -- the point: the writer of another checkout, named on the command line
    (await import(pathToFileURL(resolve(src, rel)).href)) as T;
  const { Store } = await load<OldStoreModule>('store/store.ts');
  const { EventWriter } = await load<OldWriterModule>('store/writer.ts');
  const { normalizeLogEvent } = await load<OldRecordModule>('logs/record.ts');

  const dir = mkdtempSync(join(tmpdir(), 'schema1-'));
  const file = join(dir, 'store.duckdb');
  const store = await Store.open(file);
  const version = (
    await store.connection.runAndReadAll(`SELECT value FROM meta WHERE key = 'schema_version'`)
  ).getRows();
  if (String(version[0]?.[0]) !== '1') throw new Error(`that release writes schema ${String(version[0]?.[0])}, not 1`);
  const writer = new EventWriter(store);
  const events = schema1Records().map((r) => normalizeLogEvent(r));
  const { stored } = await writer.append(events);
  writer.close();
  store.close();
  if (existsSync(`${file}.wal`)) throw new Error('the store left a WAL behind: it was not checkpointed on close');
  writeFileSync(out, gzipSync(readFileSync(file), { level: 9 }));
  rmSync(dir, { recursive: true });
  process.stdout.write(`${out}: ${stored} events in ${SCHEMA1_GROUPS.length} log groups, schema 1\n`);
}

await main();
