/**
 * CloudWatch API ingest throughput: concurrent @aws-sdk/client-cloudwatch-logs clients sending
 * PutLogEvents to the real server (SigV4-verified, over HTTP on 127.0.0.1), against a baseline
 * measured in the same run: the same events normalised and appended with EventWriter directly
 * (no HTTP, no JSON, no signing). Run on demand: `node --import tsx bench/cloudwatch.bench.ts`
 * [clients] [batches per client] [events per batch].
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { startServer } from '../src/api/server.js';
import { cloudWatchApiMount } from '../src/cloudwatch/plugin.js';
import { generateRecords } from '../src/demo/generator.js';
import { normalizeLogEvent } from '../src/logs/record.js';
import { Store } from '../src/store/store.js';
import { EventWriter } from '../src/store/writer.js';

const CLIENTS = Number(process.argv[2] ?? 8);
const BATCHES = Number(process.argv[3] ?? 10);
const PER_BATCH = Number(process.argv[4] ?? 1000);
const KEY = 'AKIDBENCH';
const SECRET = 'bench-secret';

type Ev = { timestamp: number; message: string };

function workload(kind: 'text' | 'bedrock'): Ev[][][] {
  const total = CLIENTS * BATCHES * PER_BATCH;
  const start = Date.now() - 3600_000;
  let msgs: string[];
  if (kind === 'bedrock') {
    msgs = [];
    for (const r of generateRecords({ preset: 'demo', records: total, days: 1, bodies: false }))
      msgs.push(JSON.stringify(r));
  } else {
    msgs = Array.from(
      { length: total },
      (_, i) =>
        `2026-11-27T10:00:00Z INFO request ${i} path=/api/v1/items/${i % 977} status=200 latency_ms=${i % 300} user=u${i % 50}`,
    );
  }
  let k = 0;
  return Array.from({ length: CLIENTS }, () =>
    Array.from({ length: BATCHES }, (_, b) =>
      Array.from({ length: PER_BATCH }, (_, i) => ({ timestamp: start + b * PER_BATCH + i, message: msgs[k++] })),
    ),
  );
}

async function baseline(work: Ev[][][]): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'h8-bench-'));
  const store = await Store.open(join(dir, 'b.duckdb'));
  const writer = new EventWriter(store);
  const t0 = performance.now();
  let n = 0;
  for (const [c, batches] of work.entries()) {
    for (const [b, batch] of batches.entries()) {
      await writer.append(
        batch.map((e, i) =>
          normalizeLogEvent({
            logGroup: '/bench',
            logStream: `s${c}`,
            timestamp: e.timestamp,
            message: e.message,
            eventKey: `b/${c}/${b}/${i}`,
          }),
        ),
      );
      n += batch.length;
    }
  }
  const secs = (performance.now() - t0) / 1000;
  store.close();
  rmSync(dir, { recursive: true, force: true });
  return n / secs;
}

async function viaApi(work: Ev[][][]): Promise<{ rate: number; stored: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'h8-bench-'));
  const store = await Store.open(join(dir, 'a.duckdb'));
  const server = await startServer({
    store,
    host: '127.0.0.1',
    port: 0,
    cloudWatchApi: cloudWatchApiMount({ auth: { mode: 'sigv4', keys: new Map([[KEY, SECRET]]) } }),
  });
  const clients = work.map(
    () =>
      new CloudWatchLogsClient({
        region: 'us-east-1',
        endpoint: server.url,
        credentials: { accessKeyId: KEY, secretAccessKey: SECRET },
        maxAttempts: 1,
      }),
  );
  await clients[0].send(new CreateLogGroupCommand({ logGroupName: '/bench' }));
  for (let c = 0; c < work.length; c++)
    await clients[0].send(new CreateLogStreamCommand({ logGroupName: '/bench', logStreamName: `s${c}` }));
  const t0 = performance.now();
  await Promise.all(
    work.map(async (batches, c) => {
      for (const logEvents of batches)
        await clients[c].send(new PutLogEventsCommand({ logGroupName: '/bench', logStreamName: `s${c}`, logEvents }));
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  const conn = await store.connect();
  const r = await conn.runAndReadAll(`SELECT count(*) AS n FROM events WHERE log_group = '/bench'`);
  conn.closeSync();
  for (const c of clients) c.destroy();
  await server.close();
  store.close();
  rmSync(dir, { recursive: true, force: true });
  const total = work.flat().reduce((s, b) => s + b.length, 0);
  return { rate: total / secs, stored: Number(r.getRowObjects()[0].n) };
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
console.log(
  `CloudWatch API bench: ${CLIENTS} concurrent SDK clients x ${BATCHES} PutLogEvents x ${PER_BATCH} events (${fmt(CLIENTS * BATCHES * PER_BATCH)} events per scenario), node ${process.version}`,
);
for (const kind of ['text', 'bedrock'] as const) {
  const work = workload(kind);
  const base = await baseline(work);
  const api = await viaApi(work);
  const expected = CLIENTS * BATCHES * PER_BATCH;
  console.log(
    `${kind.padEnd(8)} baseline EventWriter.append: ${fmt(base)} events/s | PutLogEvents via HTTP+SigV4: ${fmt(api.rate)} events/s (${(api.rate / base).toFixed(2)}x baseline) | stored ${fmt(api.stored)}/${fmt(expected)}${api.stored === expected ? '' : '  MISMATCH'}`,
  );
}
