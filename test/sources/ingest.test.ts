import { redactBodies } from '../../src/logs/bodies.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, utimesSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Store } from '../../src/store/store.js';
import { ingestPaths } from '../../src/sources/ingest.js';
import { listFields, listLogGroups, listLogStreams } from '../../src/store/catalog.js';
import { isBiError } from '../../src/util/errors.js';
import { LOG_EXAMPLES } from '../fixtures/paths.js';
import { invocation, scratchDirs } from './scratch.js';

type Rec = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- free-form JSON fixtures
const examples: Rec[] = readFileSync(LOG_EXAMPLES, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l).record);

const dir = scratchDirs('h1-ingest-test-');
const rec = (i: number, extra: Rec = {}): Rec => invocation(i, extra);
const jsonl = (rs: unknown[]): string => rs.map((r) => JSON.stringify(r)).join('\n') + '\n';

async function withStore<T>(fn: (s: Store) => Promise<T>): Promise<T> {
  const s = await Store.open(':memory:');
  try {
    return await fn(s);
  } finally {
    s.close();
  }
}
async function q(s: Store, sql: string): Promise<unknown[][]> {
  return (await s.connection.runAndReadAll(sql))
    .getRows()
    .map((r) => r.map((v) => (typeof v === 'bigint' ? Number(v) : v)));
}

test('real example records from a .jsonl file: 7 stored, 3 rejected with file, line and field', async () => {
  const d = dir();
  const f = join(d, 'examples.jsonl');
  writeFileSync(f, jsonl(examples));
  await withStore(async (s) => {
    const r = await ingestPaths(s, [f]);
    assert.equal(r.recordsStored, 7);
    assert.equal(r.recordsRejected, 3);
    assert.deepEqual(
      r.rejected.map((x) => [x.file, x.line, x.field]),
      [
        [f, 2, 'timestamp'],
        [f, 3, 'timestamp'],
        [f, 7, 'timestamp'],
      ],
    );
    assert.match(r.rejected[0].reason, /timestamp/);
    const rows = await q(
      s,
      `SELECT log_group, log_stream, event_key, account_id, input_tokens, cache_read_tokens FROM events ORDER BY seq`,
    );
    assert.equal(rows.length, 7);
    assert.deepEqual(rows[0], [
      '/aws/bedrock/modelinvocations',
      'aws/bedrock/modelinvocations',
      examples[0].requestId,
      'XXXXXXXXXXXXX',
      4,
      0,
    ]);
    const noId = rows.find((r) => r[3] === null);
    assert.ok(
      noId && String(noId[2]).startsWith('h:'),
      'the record without requestId/accountId is stored under a hash',
    );
    assert.deepEqual(
      (
        await q(
          s,
          // The examples' prompts and responses: none is stored (the kept parts of the bodies are).
          `SELECT count(*) FROM events WHERE message LIKE '%hello how are you%' OR message LIKE '%How can I assist%'
             OR message LIKE '%"text":%' OR message LIKE '%"prompt":%' OR message LIKE '%"completion":%'
             OR message LIKE '%"outputText":%' OR message LIKE '%"inputText":%'`,
        )
      )[0],
      [0],
    );
  });
});

test('every input form: .json NDJSON, .gz, pretty record, array, CloudWatch export (string and object messages)', async () => {
  const d = dir();
  writeFileSync(join(d, 'a.json'), jsonl([rec(1), rec(2)]));
  writeFileSync(join(d, 'b.jsonl.gz'), gzipSync(jsonl([rec(3)])));
  writeFileSync(join(d, 'c.json'), JSON.stringify(rec(4), null, 2));
  writeFileSync(join(d, 'd.json'), JSON.stringify([rec(5), rec(6)], null, 2));
  writeFileSync(
    join(d, 'e.json'),
    JSON.stringify(
      {
        events: [
          { timestamp: 1_767_225_600_123, message: JSON.stringify(rec(7)), ingestionTime: 1_767_225_601_000 },
          {
            logStreamName: 'other-stream',
            timestamp: 1_767_225_600_456,
            message: rec(8),
            ingestionTime: 1_767_225_602_000,
          },
        ],
        nextForwardToken: 'f/123',
      },
      null,
      2,
    ),
  );
  writeFileSync(join(d, 'ignored.txt'), 'not a log file');
  await withStore(async (s) => {
    const r = await ingestPaths(s, [d]);
    assert.equal(r.filesRead, 5);
    assert.equal(r.recordsRejected, 0, JSON.stringify(r.rejected));
    assert.equal(r.recordsStored, 8);
    const rows = await q(s, `SELECT request_id, ts, ingestion_ts, log_stream FROM events ORDER BY request_id`);
    assert.deepEqual(
      rows.map((x) => x[0]),
      ['req-1', 'req-2', 'req-3', 'req-4', 'req-5', 'req-6', 'req-7', 'req-8'],
    );
    // CloudWatch exports: @timestamp and @ingestionTime from the event, the stream when named.
    assert.deepEqual(rows[6].slice(1), [1_767_225_600_123, 1_767_225_601_000, 'aws/bedrock/modelinvocations']);
    assert.deepEqual(rows[7].slice(1), [1_767_225_600_456, 1_767_225_602_000, 'other-stream']);
    // Other forms: @timestamp is the record's timestamp.
    assert.equal(rows[0][1], Date.UTC(2026, 0, 1) + 60_000);
    // Pretty-printed input is stored compactly, bodies cut down to what is not text.
    const [m] = (await q(s, `SELECT message FROM events WHERE request_id = 'req-4'`))[0] as string[];
    assert.equal(m, JSON.stringify(redactBodies(rec(4))));
    assert.doesNotMatch(m, /"text"/);
  });
});

test('malformed input is reported with file and line, counted and skipped; --strict makes it fatal', async () => {
  const d = dir();
  const f = join(d, 'mixed.jsonl');
  writeFileSync(
    f,
    [
      JSON.stringify(rec(1)),
      '{"timestamp": truncated',
      '',
      JSON.stringify(rec(2, { input: { inputTokenCount: -4 } })),
      '[1,2]',
      JSON.stringify(rec(3)),
      '  ',
    ].join('\r\n'),
  );
  await withStore(async (s) => {
    const r = await ingestPaths(s, [f]);
    assert.equal(r.recordsStored, 2);
    assert.equal(r.recordsRejected, 3);
    assert.deepEqual(
      r.rejected.map((x) => [x.line, x.field ?? null]),
      [
        [2, null],
        [4, 'input.inputTokenCount'],
        [5, null],
      ],
    );
    assert.match(r.rejected[0].reason, /malformed JSON/);
    assert.match(r.rejected[2].reason, /not a JSON object/);
  });
  await withStore(async (s) => {
    await assert.rejects(ingestPaths(s, [f], { strict: true }), (e: unknown) => {
      assert.ok(isBiError(e));
      assert.equal(e.code, 'INGEST_REJECTED');
      assert.match(e.message, new RegExp(`${f.replace(/[/.]/g, '\\$&')}:2: malformed JSON`));
      return true;
    });
    // The file is not checkpointed: fixing it and running again reads it.
    assert.deepEqual((await q(s, `SELECT count(*) FROM ingested_files`))[0], [0]);
  });
  const bad = join(d, 'bad-export.json');
  writeFileSync(
    bad,
    JSON.stringify({ events: [{ message: JSON.stringify(rec(9)) }, { timestamp: 5, message: 7 }] }, null, 1),
  );
  await withStore(async (s) => {
    const r = await ingestPaths(s, [bad]);
    assert.deepEqual(
      r.rejected.map((x) => [x.line, x.field]),
      [
        [3, 'timestamp'],
        [6, 'message'],
      ],
    );
  });
});

test('the S3 delivery layout: marker and data/ skipped; --keep-bodies inlines the offloaded bodies', async () => {
  const d = dir();
  const hour = join(d, 'AWSLogs', '123456789012', 'BedrockModelInvocationLogs', 'us-east-1', '2026', '01', '01', '00');
  mkdirSync(join(hour, 'data'), { recursive: true });
  writeFileSync(
    join(d, 'AWSLogs', '123456789012', 'BedrockModelInvocationLogs', 'amazon-bedrock-logs-permission-check'),
    '',
  );
  const off = rec(1);
  delete off.input.inputBodyJson;
  off.input.inputBodyS3Path = `s3://bucket/AWSLogs/123456789012/BedrockModelInvocationLogs/us-east-1/2026/01/01/00/data/${off.requestId}_input.json.gz`;
  writeFileSync(join(hour, '20260101T000100000Z_abc.json.gz'), gzipSync(jsonl([off, rec(2)])));
  writeFileSync(
    join(hour, 'data', `${off.requestId}_input.json.gz`),
    gzipSync(JSON.stringify({ messages: [{ role: 'user', content: [{ text: 'offloaded prompt' }] }] })),
  );
  await withStore(async (s) => {
    const r = await ingestPaths(s, [join(d, 'AWSLogs')]);
    assert.equal(r.filesRead, 1, 'only the hourly record file is read');
    assert.equal(r.recordsStored, 2);
    assert.equal(r.recordsRejected, 0);
    const [[m]] = await q(s, `SELECT message FROM events WHERE request_id = 'req-1'`);
    assert.ok(!String(m).includes('offloaded prompt'));
    assert.ok(String(m).includes('inputBodyS3Path'));
  });
  await withStore(async (s) => {
    const r = await ingestPaths(s, [d], { keepBodies: true });
    assert.equal(r.recordsStored, 2);
    const [[m1]] = await q(s, `SELECT message FROM events WHERE request_id = 'req-1'`);
    const parsed = JSON.parse(String(m1));
    assert.equal(parsed.input.inputBodyJson.messages[0].content[0].text, 'offloaded prompt');
    assert.ok(parsed.input.inputBodyS3Path, 'the S3 path is kept');
    const [[m2]] = await q(s, `SELECT message FROM events WHERE request_id = 'req-2'`);
    assert.equal(JSON.parse(String(m2)).input.inputBodyJson.messages[0].content[0].text, 'secret prompt 2');
    const fields = (await listFields(s)).map((f) => f.field);
    assert.ok(fields.includes('input.inputBodyJson.messages.0.content.0.text'));
  });
});

test('idempotent: the same file twice, a touched file, overlapping files', async () => {
  const d = dir();
  const f1 = join(d, 'one.jsonl');
  const f2 = join(d, 'two.jsonl');
  const noId = rec(99);
  delete noId.requestId;
  writeFileSync(f1, jsonl([rec(1), rec(2), rec(2), noId]));
  writeFileSync(f2, jsonl([rec(2), rec(3), noId]));
  await withStore(async (s) => {
    const a = await ingestPaths(s, [f1]);
    assert.deepEqual([a.filesRead, a.recordsStored, a.duplicatesSkipped], [1, 3, 1]);
    const b = await ingestPaths(s, [f1]);
    assert.deepEqual([b.filesRead, b.filesSkipped, b.recordsStored, b.duplicatesSkipped], [0, 1, 0, 0]);
    utimesSync(f1, new Date(), new Date(Date.now() + 5000));
    const c = await ingestPaths(s, [f1]);
    assert.deepEqual([c.filesRead, c.recordsStored, c.duplicatesSkipped], [1, 0, 4]);
    const e = await ingestPaths(s, [d]);
    assert.deepEqual([e.filesRead, e.filesSkipped, e.recordsStored, e.duplicatesSkipped], [1, 1, 1, 2]);
    appendFileSync(f2, jsonl([rec(4)]));
    const g = await ingestPaths(s, [d, f2]);
    assert.deepEqual([g.filesRead, g.filesSkipped, g.recordsStored, g.duplicatesSkipped], [1, 1, 1, 3]);
    assert.deepEqual((await q(s, `SELECT count(*), count(DISTINCT event_key) FROM events`))[0], [5, 5]);
    const seqs = (await q(s, `SELECT seq FROM events ORDER BY seq`)).map((r) => r[0]);
    assert.deepEqual(
      seqs,
      [...seqs].sort((x, y) => Number(x) - Number(y)),
    );
    assert.equal(new Set(seqs).size, 5);
  });
});

test('the catalog: fields with event counts, log groups, log streams; --log-group', async () => {
  const d = dir();
  const f = join(d, 'x.jsonl');
  writeFileSync(
    f,
    jsonl([
      rec(1),
      rec(2, { requestMetadata: { tenant_id: 't', app: 'A' } }),
      rec(3, { requestMetadata: undefined, '@custom': true }),
    ]),
  );
  await withStore(async (s) => {
    await ingestPaths(s, [f], { logGroup: 'bedrock-prod' });
    const fields = new Map((await listFields(s, ['bedrock-prod'])).map((x) => [x.field, x.events]));
    assert.equal(fields.get('requestMetadata.tenant_id'), 2);
    assert.equal(fields.get('requestMetadata.app'), 1);
    assert.equal(fields.get('@@custom'), 1);
    assert.equal(fields.get('input.inputTokenCount'), 3);
    assert.equal(fields.get('identity.arn'), 3);
    assert.equal(
      fields.has('input.inputBodyJson.messages.0.content.0.text'),
      false,
      'the text of bodies is not discovered',
    );
    assert.equal(fields.get('input.inputBodyJson.messages.0.role'), 3, 'what bodies keep is');
    assert.deepEqual(await listFields(s, ['other']), []);
    const groups = await listLogGroups(s);
    assert.deepEqual(
      groups.map((g) => [g.name, g.events, g.genericEvents]),
      [['bedrock-prod', 3, 0]],
    );
    const streams = await listLogStreams(s, 'bedrock-prod');
    assert.deepEqual(
      streams.map((x) => [x.name, x.firstEventTs, x.lastEventTs]),
      [['aws/bedrock/modelinvocations', Date.UTC(2026, 0, 1) + 60_000, Date.UTC(2026, 0, 1) + 180_000]],
    );
    // Counts follow what is stored: a second ingest of the same records adds nothing.
    utimesSync(f, new Date(), new Date(Date.now() + 5000));
    await ingestPaths(s, [f], { logGroup: 'bedrock-prod' });
    assert.equal((await listFields(s)).find((x) => x.field === 'input.inputTokenCount')?.events, 3);
    // The same records in another group are stored again there (dedup is per log group).
    const r = await ingestPaths(s, [f], { logGroup: 'other' });
    assert.equal(r.recordsStored, 3);
  });
});

test('chunks span files and files span chunks: rejects name the right file, every file is checkpointed', async () => {
  const d = dir();
  for (const k of [0, 1, 2]) {
    const lines = [0, 1, 2, 3, 4].map((i) => JSON.stringify(rec(k * 10 + i)));
    lines[k + 1] = `{"broken ${k}`;
    writeFileSync(join(d, `f${k}.jsonl`), lines.join('\n') + '\n');
  }
  await withStore(async (s) => {
    const r = await ingestPaths(s, [d], { chunkRecords: 4 });
    assert.equal(r.recordsStored, 12);
    assert.deepEqual(
      r.rejected.map((x) => [x.file, x.line]),
      [
        [join(d, 'f0.jsonl'), 2],
        [join(d, 'f1.jsonl'), 3],
        [join(d, 'f2.jsonl'), 4],
      ],
    );
    assert.deepEqual(
      await q(s, `SELECT path, records FROM ingested_files ORDER BY path`),
      [0, 1, 2].map((k) => [join(d, `f${k}.jsonl`), 5]),
    );
    const order = (await q(s, `SELECT request_id FROM events ORDER BY seq`)).map((x) => x[0]);
    assert.deepEqual(order, [
      'req-0',
      'req-2',
      'req-3',
      'req-4',
      'req-10',
      'req-11',
      'req-13',
      'req-14',
      'req-20',
      'req-21',
      'req-22',
      'req-24',
    ]);
  });
});

test('--strict with chunks in flight: the chunks before the bad one are stored, nothing after it', async () => {
  const d = dir();
  const f = join(d, 'strict-chunks.jsonl');
  const lines = Array.from({ length: 10 }, (_, i) => JSON.stringify(rec(100 + i)));
  lines[4] = JSON.stringify(rec(104, { input: { inputTokenCount: 'many' } })); // line 5, in the third chunk of 2
  writeFileSync(f, lines.join('\n') + '\n');
  await withStore(async (s) => {
    await assert.rejects(
      ingestPaths(s, [f], { strict: true, chunkRecords: 2 }),
      (e: unknown) => isBiError(e) && /:5: /.test(e.message),
    );
    assert.deepEqual(await q(s, `SELECT request_id FROM events ORDER BY seq`), [
      ['req-100'],
      ['req-101'],
      ['req-102'],
      ['req-103'],
    ]);
    assert.deepEqual((await q(s, `SELECT count(*) FROM ingested_files`))[0], [0]);
  });
});

test("a reader failure while a chunk is being stored: the chunk finishes, the error is the reader's, the store stays usable", async () => {
  const d = dir();
  writeFileSync(
    join(d, 'a.jsonl'),
    Array.from({ length: 6 }, (_, i) => JSON.stringify(rec(200 + i))).join('\n') + '\n',
  );
  writeFileSync(
    join(d, 'b-export.json'),
    JSON.stringify({ events: [{ message: JSON.stringify(rec(300)) }, { message: JSON.stringify(rec(301)) }] }, null, 1),
  );
  await withStore(async (s) => {
    await assert.rejects(
      ingestPaths(s, [d], { strict: true, chunkRecords: 2 }),
      (e: unknown) => isBiError(e) && e.code === 'INGEST_REJECTED' && /b-export\.json:3: /.test(e.message),
    );
    assert.deepEqual(await q(s, `SELECT count(*) FROM events`), [[6]]);
    const again = await ingestPaths(s, [join(d, 'a.jsonl')]);
    assert.equal(again.recordsStored + again.duplicatesSkipped + again.filesSkipped * 6, 6);
  });
});

test('many small files in one chunk (the S3 layout): every one checkpointed, odd names included, and skipped next time', async () => {
  const d = dir();
  const names = Array.from({ length: 1203 }, (_, k) => (k === 7 ? `it's-${k}.jsonl` : `part-${k}.jsonl`));
  names.forEach((name, k) => writeFileSync(join(d, name), JSON.stringify(rec(k)) + '\n'));
  await withStore(async (s) => {
    const first = await ingestPaths(s, [d]);
    assert.equal(first.recordsStored, 1203);
    assert.equal(first.filesRead, 1203);
    const rows = await q(s, `SELECT path, records FROM ingested_files ORDER BY path`);
    assert.deepEqual(
      rows,
      names.map((nm) => [join(d, nm), 1]).sort((a, b) => (String(a[0]) < String(b[0]) ? -1 : 1)),
    );
    const again = await ingestPaths(s, [d]);
    assert.equal(again.filesSkipped, 1203);
    assert.equal(again.filesRead, 0);
  });
});

test('an unreadable file (corrupt gzip) is reported, not checkpointed, and the other files are read', async () => {
  const d = dir();
  const good = gzipSync(jsonl([rec(1), rec(2)]));
  writeFileSync(join(d, 'a.jsonl.gz'), good.subarray(0, good.length - 12)); // truncated
  writeFileSync(join(d, 'b.jsonl'), jsonl([rec(3)]));
  await withStore(async (s) => {
    const r = await ingestPaths(s, [d]);
    assert.equal(r.recordsRejected, 1);
    assert.equal(r.rejected[0].file, join(d, 'a.jsonl.gz'));
    assert.match(r.rejected[0].reason, /cannot read the file/);
    assert.ok((await q(s, `SELECT request_id FROM events`)).some((x) => x[0] === 'req-3'));
    assert.deepEqual(await q(s, `SELECT path FROM ingested_files`), [[join(d, 'b.jsonl')]]);
    await assert.rejects(ingestPaths(s, [d], { strict: true }), /cannot read the file/);
  });
});

test('a missing path is a clear error', async () => {
  await withStore(async (s) => {
    await assert.rejects(ingestPaths(s, [join(dir(), 'nope')]), /No such file or folder/);
  });
});
