import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { Store } from '../../src/store/store.js';
import { bytesConcatenated, invocation, scratchDirs } from './scratch.js';
import { ingestPaths, type IngestSummary } from '../../src/sources/ingest.js';

// Files the reliability campaign (2026-12) found to lose records, crash or hang the ingest: each
// must now be read record by record, reported with file, line and reason, and never take the
// rest of the ingest down with it.

const dir = scratchDirs('bi-hostile-files-');
const rec = invocation;
const lines = (from: number, count: number): string[] =>
  Array.from({ length: count }, (_, i) => JSON.stringify(rec(from + i)));

async function ingest(
  paths: string[],
  opts: Parameters<typeof ingestPaths>[2] = {},
  onProgress?: Parameters<typeof ingestPaths>[3],
): Promise<{ r: IngestSummary; checkpoints: number; stored: number }> {
  const s = await Store.open(':memory:');
  try {
    const r = await ingestPaths(s, paths, opts, onProgress);
    const [[checkpoints, stored]] = (
      await s.connection.runAndReadAll(
        `SELECT (SELECT count(*) FROM ingested_files), (SELECT count(DISTINCT request_id) FROM events)`,
      )
    )
      .getRows()
      .map((row) => row.map(Number));
    return { r, checkpoints, stored };
  } finally {
    s.close();
  }
}

// F2: the first line decides nothing alone any more.
test('a .jsonl whose first line is a record cut after a value: the 1,000 records after it are stored', async () => {
  const f = join(dir(), 'cut.jsonl');
  const first = JSON.stringify(rec(0));
  writeFileSync(f, [first.slice(0, first.indexOf(',"region"')), ...lines(1, 1000)].join('\n') + '\n');
  const { r, checkpoints } = await ingest([f]);
  assert.equal(r.recordsStored, 1000);
  assert.deepEqual(
    r.rejected.map((x) => [x.line, x.reason.slice(0, 14)]),
    [[1, 'malformed JSON']],
  );
  assert.equal(checkpoints, 1);
});

test('a .jsonl whose first line is a lone "[" or a record cut mid-string: read as lines', async () => {
  const d = dir();
  writeFileSync(join(d, 'bracket.jsonl'), ['[', ...lines(1, 300)].join('\n') + '\n');
  const first = JSON.stringify(rec(0));
  writeFileSync(join(d, 'midstring.jsonl'), [first.slice(0, 20), ...lines(1001, 300)].join('\n') + '\n');
  const { r } = await ingest([d]);
  assert.equal(r.recordsStored, 600);
  assert.deepEqual(
    r.rejected.map((x) => [x.file.slice(d.length + 1), x.line]),
    [
      ['bracket.jsonl', 1],
      ['midstring.jsonl', 1],
    ],
  );
});

test('a huge non-JSON first line "{aaa…" does not swallow the good record after it', async () => {
  const f = join(dir(), 'garbage-first.jsonl');
  writeFileSync(f, '{' + 'a'.repeat(3 << 20) + '\n' + JSON.stringify(rec(1)) + '\n');
  const { r } = await ingest([f]);
  assert.equal(r.recordsStored, 1);
  assert.deepEqual(
    r.rejected.map((x) => x.line),
    [1],
  );
});

test('random bytes starting with "{": every non-blank line rejected once, with its own line number', async () => {
  // Seeded, 30 files: noise holds stray "{}" and digits (JSON, but no records) often enough.
  const d = dir();
  let seed = 20261204;
  const byte = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed >>> 24;
  };
  for (let k = 0; k < 30; k++) {
    const noise = Array.from({ length: 100 }, (_, i) => {
      const b = Buffer.from(Array.from({ length: 60 }, byte).map((x) => (x === 0x0a || x === 0x0d ? 0x20 : x)));
      return i === 0 ? Buffer.concat([Buffer.from('{'), b]) : b;
    });
    writeFileSync(
      join(d, `noise-${String(k).padStart(2, '0')}.jsonl`),
      Buffer.concat(noise.flatMap((b) => [b, Buffer.from('\n')])),
    );
  }
  const all: { file: string; line: number }[] = [];
  const { r } = await ingest([d], { onReject: (x) => all.push(x) });
  assert.equal(r.recordsStored, 0);
  assert.equal(r.recordsRejected, 3000);
  assert.equal(all.length, 3000);
  for (let k = 0; k < 30; k++) {
    const file = join(d, `noise-${String(k).padStart(2, '0')}.jsonl`);
    assert.deepEqual(
      all.filter((x) => x.file === file).map((x) => x.line),
      Array.from({ length: 100 }, (_, i) => i + 1),
      file,
    );
  }
});

test('documents that really are documents still are: pretty records with a broken last one, a cut pretty record', async () => {
  const d = dir();
  const pretty = join(d, 'pretty.json');
  writeFileSync(
    pretty,
    [JSON.stringify(rec(1), null, 2), JSON.stringify(rec(2), null, 2), '{\n  "timestamp": "2026-'].join('\n'),
  );
  const a = await ingest([pretty]);
  assert.equal(a.r.recordsStored, 2);
  assert.equal(a.r.recordsRejected, 1);
  // A pretty record cut half-way (a file still being written): one rejection, and no checkpoint,
  // so that the next ingest reads it again once it is complete.
  const cut = join(d, 'cut.json');
  const text = JSON.stringify(rec(3), null, 2);
  writeFileSync(cut, text.slice(0, text.length >> 1));
  const b = await ingest([cut]);
  assert.equal(b.r.recordsStored, 0);
  assert.equal(b.r.recordsRejected, 1);
  assert.match(b.r.rejected[0].reason, /incomplete|malformed/);
  assert.equal(b.checkpoints, 0);
});

// F13
test('gzip with trailing garbage: the records of the gzip member are stored, with a note', async () => {
  const f = join(dir(), 'trailing.jsonl.gz');
  const garbage = randomBytes(3000);
  garbage[0] = 0x42; // zlib itself skips (silently) what follows a zero byte
  writeFileSync(f, Buffer.concat([gzipSync(lines(1, 10).join('\n') + '\n'), garbage]));
  const { r } = await ingest([f]);
  assert.equal(r.recordsStored, 10);
  assert.equal(r.recordsRejected, 0);
  assert.match(r.notes.map((x) => x.note).join('\n'), /trailing/);
  // Two members one after the other (cat a.gz b.gz) are one file.
  const two = join(dir(), 'two.jsonl.gz');
  writeFileSync(two, Buffer.concat([gzipSync(lines(20, 5).join('\n') + '\n'), gzipSync(lines(25, 5).join('\n'))]));
  assert.equal((await ingest([two])).r.recordsStored, 10);
});

test('a BOM at the start of a later line (cat a.jsonl b.jsonl), CR-only line ends, UTF-16 files', async () => {
  const d = dir();
  const bom = '\uFEFF';
  writeFileSync(join(d, 'bom.jsonl'), bom + lines(1, 5).join('\n') + '\n' + bom + lines(6, 5).join('\n') + '\n');
  writeFileSync(join(d, 'cr.jsonl'), lines(11, 5).join('\r') + '\r');
  writeFileSync(
    join(d, 'utf16le.jsonl'),
    Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(lines(16, 5).join('\r\n') + '\r\n', 'utf16le')]),
  );
  const be = Buffer.from(lines(21, 5).join('\n') + '\n', 'utf16le').swap16();
  writeFileSync(join(d, 'utf16be.jsonl'), Buffer.concat([Buffer.from([0xfe, 0xff]), be]));
  const { r } = await ingest([d]);
  assert.deepEqual(r.rejected, []);
  assert.equal(r.recordsStored, 25);
  assert.match(r.notes.map((x) => x.note).join('\n'), /UTF-16/);
});

test('invalid UTF-8 bytes: the line is rejected naming the encoding, not stored with U+FFFD', async () => {
  const f = join(dir(), 'bad-utf8.jsonl');
  const good = Buffer.from(JSON.stringify(rec(1)) + '\n');
  const bad = Buffer.from(JSON.stringify(rec(2, { accountId: 'XX' })).replace('"accountId"', '"accou\u00ffntId"'));
  bad[bad.indexOf(0xc3)] = 0xff; // the UTF-8 lead byte of ÿ alone: not UTF-8
  const real = Buffer.from(JSON.stringify(rec(3, { requestMetadata: { team: 'a\uFFFDb' } })) + '\n'); // a real U+FFFD
  writeFileSync(f, Buffer.concat([good, bad, Buffer.from('\n'), real]));
  const { r } = await ingest([f]);
  assert.equal(r.recordsStored, 2);
  assert.deepEqual(
    r.rejected.map((x) => x.line),
    [2],
  );
  assert.match(r.rejected[0].reason, /UTF-8/);
});

// F9: one very long line. Work is bounded: the line is not assembled past the cap, and the
// pieces of a line are joined once — checked by the bytes Buffer.concat copies, not by time.
test('a line longer than the cap inside a .gz is rejected alone, in linear work, and the next records are stored', async () => {
  const f = join(dir(), 'long.jsonl.gz');
  const long = Buffer.alloc(40 << 20, 0x78); // over the 32 MB line cap
  const short = Buffer.alloc(3 << 20, 0x79); // under it: assembled, once
  writeFileSync(
    f,
    gzipSync(Buffer.concat([long, Buffer.from('\n'), short, Buffer.from('\n' + lines(1, 3).join('\n'))])),
  );
  const { result, bytes: copied } = await bytesConcatenated(() => ingest([f]));
  const { r } = result;
  assert.equal(r.recordsStored, 3);
  assert.deepEqual(
    r.rejected.map((x) => x.line),
    [1, 2],
  );
  assert.match(r.rejected[0].reason, /longer than/);
  assert.match(r.rejected[1].reason, /record is 3\.0 MiB/);
  assert.ok(copied < 2 * short.length + (1 << 20), `Buffer.concat copied ${copied} bytes`);
});

// F5
test('a file deleted between listing and reading, or replaced by a folder: reported, the other files read', async () => {
  const d = dir();
  writeFileSync(join(d, 'a.jsonl'), lines(1, 5).join('\n'));
  writeFileSync(join(d, 'b.jsonl'), lines(6, 5).join('\n'));
  writeFileSync(join(d, 'c.jsonl'), lines(11, 5).join('\n'));
  writeFileSync(join(d, 'd.jsonl'), lines(16, 5).join('\n'));
  let once = false;
  const { r, checkpoints } = await ingest([d], {}, (p) => {
    if (p.filesDone === 1 && !once) {
      once = true;
      unlinkSync(join(d, 'b.jsonl'));
      unlinkSync(join(d, 'c.jsonl'));
      mkdirSync(join(d, 'c.jsonl'));
    }
  });
  assert.equal(r.recordsStored, 10);
  assert.deepEqual(
    r.rejected.map((x) => [x.file.slice(d.length + 1), x.line]),
    [
      ['b.jsonl', 0],
      ['c.jsonl', 0],
    ],
  );
  assert.match(r.rejected[0].reason, /ENOENT|no such file/i);
  assert.equal(checkpoints, 2);
});

// F7
test('symbolic links inside a folder are followed, loops and repeats read once, and the summary says so', async () => {
  const d = dir();
  const outside = dir();
  writeFileSync(join(outside, 'linked.jsonl'), lines(100, 10).join('\n'));
  mkdirSync(join(outside, 'real'));
  writeFileSync(join(outside, 'real', 'in-linked-dir.jsonl'), lines(200, 10).join('\n'));
  const logs = join(d, 'logs');
  mkdirSync(join(logs, 'sub'), { recursive: true });
  writeFileSync(join(logs, 'own.jsonl'), lines(1, 10).join('\n'));
  symlinkSync(join(outside, 'linked.jsonl'), join(logs, 'linked.jsonl'));
  symlinkSync(join(outside, 'real'), join(logs, 'linked-dir'));
  symlinkSync('..', join(logs, 'sub', 'up')); // a loop
  symlinkSync(join(logs, 'own.jsonl'), join(logs, 'sub', 'again.jsonl')); // the same file again
  symlinkSync(join(d, 'nowhere.jsonl'), join(logs, 'dangling.jsonl'));
  const { r } = await ingest([logs]);
  assert.equal(r.recordsStored, 30);
  assert.equal(r.filesRead, 3);
  assert.equal(r.duplicatesSkipped, 0, 'no file is read twice');
  assert.equal(r.links.followed, 2);
  assert.ok(r.links.skipped >= 2, JSON.stringify(r.links));
  assert.deepEqual(
    r.rejected.map((x) => x.file.slice(logs.length + 1)),
    ['dangling.jsonl'],
  );
});

// F3: one record must not take its chunk, its file or the ingest down.
const deepValue = (levels: number): string => '{"k":'.repeat(levels) + '1' + '}'.repeat(levels);

test('a record nested 4,000 levels deep is rejected alone, with its line; the others are stored', async () => {
  const d = dir();
  const deep = JSON.stringify(rec(0)).slice(0, -1) + ',"nest":' + deepValue(4000) + '}';
  writeFileSync(join(d, 'a-deep.jsonl'), [...lines(1, 50), deep, ...lines(51, 50)].join('\n'));
  writeFileSync(join(d, 'b-brackets.jsonl'), ['['.repeat(100_000), ...lines(101, 10)].join('\n'));
  writeFileSync(
    join(d, 'c-array.json'),
    JSON.stringify([rec(200), { ...rec(201), nest: JSON.parse(deepValue(300)) }, rec(202)], null, 1),
  );
  // A compact export whose second event's message is the deep record as an object (written as
  // text: JSON.stringify itself cannot write it).
  const ok = JSON.stringify({ timestamp: 1_767_225_600_000, message: JSON.stringify(rec(300)) });
  const deepRec = JSON.stringify(rec(301)).slice(0, -1) + ',"nest":' + deepValue(5000) + '}';
  writeFileSync(join(d, 'd-export.json'), `{"events":[${ok},{"timestamp":1767225600001,"message":${deepRec}}]}`);
  const { r, checkpoints } = await ingest([d], { chunkRecords: 40 });
  assert.equal(r.recordsStored, 100 + 10 + 2 + 1);
  assert.deepEqual(
    r.rejected
      .map((x) => [x.file.slice(d.length + 1), x.line, /nested more than 256 levels|malformed/.test(x.reason)])
      .sort(),
    [
      ['a-deep.jsonl', 51, true],
      ['b-brackets.jsonl', 1, true],
      ['c-array.json', 2 + JSON.stringify(rec(200), null, 1).split('\n').length, true],
      ['d-export.json', 1, true],
    ],
  );
  assert.equal(checkpoints, 4);
});

test('a 20 MB record is rejected alone before DuckDB, with its line; the 10 around it are stored', async () => {
  const d = dir();
  const big = JSON.stringify(rec(0, { big: 'x'.repeat(20 << 20) }));
  writeFileSync(join(d, 'big.jsonl'), [...lines(1, 5), big, ...lines(6, 5)].join('\n'));
  // Bodies are cut before the limit applies: a record with a 5 MB prompt is stored, without it.
  const prompt = JSON.stringify(
    rec(50, { input: { inputTokenCount: 1, inputBodyJson: { messages: [{ text: 'p'.repeat(5 << 20) }] } } }),
  );
  writeFileSync(join(d, 'prompt.jsonl'), prompt + '\n');
  const { r } = await ingest([d]);
  assert.equal(r.recordsStored, 11);
  assert.deepEqual(
    r.rejected.map((x) => [x.file.slice(d.length + 1), x.line]),
    [['big.jsonl', 6]],
  );
  assert.match(r.rejected[0].reason, /record is 20\.0 MiB, larger than the 1 MiB/);
});

test('an S3 layout with one poison object (deep record) stores every other record, on every run', async () => {
  const d = dir();
  const hour = join(d, 'AWSLogs', '123456789012', 'BedrockModelInvocationLogs', 'us-east-1', '2026', '01', '01', '00');
  mkdirSync(hour, { recursive: true });
  for (let k = 0; k < 10; k++) {
    const rs = lines(k * 20, 20);
    if (k === 4) rs[7] = JSON.stringify(rec(9999)).slice(0, -1) + ',"nest":' + deepValue(4000) + '}';
    writeFileSync(join(hour, `20260101T00${k}0Z_x.json.gz`), gzipSync(rs.join('\n') + '\n'));
  }
  const { r } = await ingest([join(d, 'AWSLogs')]);
  assert.equal(r.recordsStored, 199);
  assert.equal(r.recordsRejected, 1);
  assert.equal(r.rejected[0].line, 8);
});

test('--keep-bodies: an offloaded body that would make its record larger than 1 MiB stays offloaded, with a note', async () => {
  const d = dir();
  const hour = join(d, 'AWSLogs', '123456789012', 'BedrockModelInvocationLogs', 'us-east-1', '2026', '01', '01', '00');
  mkdirSync(join(hour, 'data'), { recursive: true });
  const s3 = (id: string): string =>
    `s3://b/AWSLogs/123456789012/BedrockModelInvocationLogs/us-east-1/2026/01/01/00/data/${id}_input.json.gz`;
  const small = rec(1, { input: { inputTokenCount: 1, inputBodyS3Path: s3('req-1') } });
  const large = rec(2, { input: { inputTokenCount: 2, inputBodyS3Path: s3('req-2') } });
  writeFileSync(join(hour, '20260101T0001Z_a.json.gz'), gzipSync(JSON.stringify(small) + '\n' + JSON.stringify(large)));
  writeFileSync(join(hour, 'data', 'req-1_input.json.gz'), gzipSync(JSON.stringify({ messages: ['short'] })));
  writeFileSync(
    join(hour, 'data', 'req-2_input.json.gz'),
    gzipSync(JSON.stringify({ messages: ['l'.repeat(2 << 20)] })),
  );
  const s = await Store.open(':memory:');
  try {
    const r = await ingestPaths(s, [d], { keepBodies: true });
    assert.equal(r.recordsStored, 2);
    assert.equal(r.recordsRejected, 0);
    assert.match(r.notes.map((x) => x.note).join('\n'), /1 offloaded body was left in S3/);
    const rows = (
      await s.connection.runAndReadAll(`SELECT request_id, message FROM events ORDER BY request_id`)
    ).getRows();
    const [m1, m2] = rows.map((x) => JSON.parse(String(x[1])) as { input: Record<string, unknown> });
    assert.deepEqual(m1.input.inputBodyJson, { messages: ['short'] });
    assert.equal(m2.input.inputBodyJson, undefined);
    assert.equal(m2.input.inputBodyS3Path, s3('req-2'));
  } finally {
    s.close();
  }
});

// Found 2026-12-05: a CloudWatch export line whose time has the right shape but is no time
// (month 13) gave @timestamp NaN, and the store's transaction failed the whole ingest.
test('an export line whose time is no time is rejected with its line; the lines around it are stored', async () => {
  const f = join(dir(), 'export.log');
  const at = (i: number): string => new Date(Date.UTC(2026, 1, 1) + i * 1000).toISOString();
  const text = [0, 1, 2].map((i) => `${i === 1 ? '2026-13-45T00:00:00Z' : at(i)} ${JSON.stringify(rec(i))}`);
  writeFileSync(f, text.join('\n') + '\n');
  const { r, stored } = await ingest([f]);
  assert.equal(stored, 2);
  assert.deepEqual(
    r.rejected.map((x) => [x.line, x.reason]),
    [
      [
        2,
        '@timestamp is not a valid RFC 3339 UTC time (expected YYYY-MM-DDTHH:MM:SS[.fff]Z); got 2026-13-45T00:00:00Z',
      ],
    ],
  );
});
