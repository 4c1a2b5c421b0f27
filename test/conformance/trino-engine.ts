/**
 * The Trino engine under the conformance suite (`CONFORMANCE_ENGINE=trino`), on the real local
 * Trino. Each data set is written where a Trino engine reads it:
 *
 * - a data set of Bedrock records in the default log group (bedrock-mini, guide) as the S3
 *   delivery layout (`AWSLogs/<account>/BedrockModelInvocationLogs/<region>/YYYY/MM/DD/HH/`, the
 *   records as Bedrock writes them, compact JSON with their bodies, gzipped), read in place
 *   through `trino setup`'s tables. One object per record, named in data set order, with the
 *   record's @ingestionTime as its modification time (the delivery time the engine reports);
 * - any other data set (generic events, several log groups: nothing the delivery layout can
 *   hold) as the Parquet archive, written by `export` from the suite's store, through the
 *   archive's tables.
 *
 * The local Trino is held while any engine is open; the last close drops the tables and lets it go.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { exportArchive } from '../../src/archive/export.js';
import type { QueryEngine } from '../../src/engines/engine.js';
import { describeArchive } from '../../src/engines/trino/archive-table.js';
import { TrinoClient } from '../../src/engines/trino/client.js';
import { createTrinoEngine } from '../../src/engines/trino/engine.js';
import { describeLayout } from '../../src/engines/trino/layout.js';
import { hourFolder, type EventSource } from '../../src/engines/trino/relation.js';
import { setupTrinoArchive, setupTrinoTable } from '../../src/engines/trino/setup.js';
import { DEFAULT_LOG_GROUP } from '../../src/logs/event.js';
import { holdLocalTrino, type HeldTrino } from '../engines/trino/helpers.js';
import { demoRecords } from './datasets.js';
import type { EngineContext } from './engines.js';
import { datasetPath, toMillis } from './paths.js';
import type { BedrockLine, GeneratedDataset } from './types.js';

interface Session {
  trino: HeldTrino;
  client: TrinoClient;
  dir: string;
  schema: string;
  open: number;
}

let session: Promise<Session> | undefined;

function start(): Promise<Session> {
  session ??= (async () => {
    const trino = await holdLocalTrino();
    const client = new TrinoClient({ url: trino.url });
    const schema = `bi_conformance_${process.pid}`;
    return { trino, client, dir: mkdtempSync(join(tmpdir(), 'bi-conformance-trino-')), schema, open: 0 };
  })();
  return session;
}

async function release(s: Session): Promise<void> {
  if (--s.open > 0) return;
  session = undefined;
  try {
    const tables = await s.client.query(`SHOW TABLES FROM hive.${s.schema}`);
    for (const [t] of tables.rows) await s.client.query(`DROP TABLE IF EXISTS hive.${s.schema}."${String(t)}"`);
    await s.client.query(`DROP SCHEMA IF EXISTS hive.${s.schema}`);
  } finally {
    rmSync(s.dir, { recursive: true, force: true });
    await s.trino.release();
  }
}

interface Delivered {
  record: Record<string, unknown>;
  ingestionTime: number;
}

/** The records of a data set that the delivery layout can hold (Bedrock records, default log group), or undefined. */
function deliverable(name: string): Delivered[] | undefined {
  const path = datasetPath(name);
  if (!path) return undefined;
  const out: Delivered[] = [];
  const add = (record: unknown, ingestion?: string | number): void => {
    const r = record as Record<string, unknown>;
    const ts = toMillis(String(r.timestamp), name);
    out.push({ record: r, ingestionTime: ingestion === undefined ? ts : toMillis(ingestion, name) });
  };
  if (path.endsWith('.gen.json')) {
    const spec = JSON.parse(readFileSync(path, 'utf8')) as GeneratedDataset;
    if (spec.kind !== 'demo') return undefined;
    for (const r of demoRecords(spec)) add(r);
    return out;
  }
  for (const text of readFileSync(path, 'utf8').split('\n')) {
    if (!text.trim()) continue;
    const line = JSON.parse(text) as Partial<BedrockLine> & { comment?: string };
    if (line.comment !== undefined && Object.keys(line).length === 1) continue;
    if (!line.bedrock || (line.logGroup !== undefined && line.logGroup !== DEFAULT_LOG_GROUP)) return undefined;
    add(line.bedrock, line.ingestionTime);
  }
  return out.length > 0 ? out : undefined;
}

/** One gzipped object per record, in the hour folder of its time, named in data set order. */
function writeLayout(root: string, records: Delivered[]): void {
  records.forEach(({ record, ingestionTime }, i) => {
    const ts = toMillis(String(record.timestamp), 'record');
    const account = typeof record.accountId === 'string' ? record.accountId : '000000000000';
    const region = typeof record.region === 'string' ? record.region : 'us-east-1';
    const dir = join(root, 'AWSLogs', account, 'BedrockModelInvocationLogs', region, ...hourFolder(ts).split('/'));
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${String(i).padStart(6, '0')}.json.gz`);
    writeFileSync(file, gzipSync(JSON.stringify(record) + '\n'));
    utimesSync(file, ingestionTime / 1000, ingestionTime / 1000);
  });
}

export async function trinoConformanceEngine(ctx: EngineContext): Promise<QueryEngine> {
  const s = await start();
  s.open++;
  try {
    const id = ctx.dataset.replace(/[^a-z0-9]/g, '_');
    const records = deliverable(ctx.dataset);
    let source: EventSource;
    if (records) {
      const root = join(s.dir, id, 'logs');
      writeLayout(root, records);
      const table = `hive.${s.schema}.${id}`;
      await setupTrinoTable(s.client, await describeLayout(root), table);
      source = { kind: 'delivery', table };
    } else {
      const out = join(s.dir, id, 'archive');
      await exportArchive(ctx.store, { out });
      const table = `hive.${s.schema}.${id}_archive`;
      await setupTrinoArchive(s.client, await describeArchive(out), table);
      source = { kind: 'archive', table };
    }
    const engine = createTrinoEngine({ runner: s.client, source, savedQueries: ctx.savedQueries });
    let closed = false;
    return {
      ...engine,
      async close() {
        await engine.close();
        if (closed) return;
        closed = true;
        await release(s);
      },
    };
  } catch (e) {
    await release(s);
    throw e;
  }
}
