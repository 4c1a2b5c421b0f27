import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { writeDataset } from '../../src/demo/generator.js';
import { END } from './helpers.js';

const scratch = mkdtempSync(join(tmpdir(), 'h2-demo-layout-'));
test.after(() => rmSync(scratch, { recursive: true, force: true }));

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out.sort();
}

/** Every file under dir with the SHA-256 of its bytes. */
function fingerprint(dir: string): Map<string, string> {
  return new Map(walk(dir).map((f) => [relative(dir, f), createHash('sha256').update(readFileSync(f)).digest('hex')]));
}

const BASE = { records: 3000, days: 2, end: END } as const;

test('same seed: byte-identical .jsonl and S3 trees; another seed: different data', async () => {
  const a = join(scratch, 'a.jsonl');
  const b = join(scratch, 'b.jsonl');
  const c = join(scratch, 'c.jsonl');
  await writeDataset({ ...BASE, seed: 5, format: 'jsonl', out: a });
  await writeDataset({ ...BASE, seed: 5, format: 'jsonl', out: b });
  await writeDataset({ ...BASE, seed: 6, format: 'jsonl', out: c });
  assert.ok(readFileSync(a).equals(readFileSync(b)));
  assert.ok(!readFileSync(a).equals(readFileSync(c)));

  const s1 = join(scratch, 's1');
  const s2 = join(scratch, 's2');
  const s3 = join(scratch, 's3');
  await writeDataset({ ...BASE, seed: 5, format: 's3', out: s1 });
  await writeDataset({ ...BASE, seed: 5, format: 's3', out: s2 });
  await writeDataset({ ...BASE, seed: 6, format: 's3', out: s3 });
  assert.deepEqual(fingerprint(s1), fingerprint(s2));
  assert.notDeepEqual([...fingerprint(s1).keys()], [...fingerprint(s3).keys()]);

  // The layout never changes the records: the S3 tree holds exactly the .jsonl's lines.
  const fromS3 = walk(s1)
    .filter((f) => f.endsWith('.json.gz'))
    .flatMap((f) =>
      gunzipSync(readFileSync(f))
        .toString('utf8')
        .split('\n')
        .filter((l) => l),
    );
  const fromJsonl = readFileSync(a, 'utf8')
    .split('\n')
    .filter((l) => l);
  assert.equal(fromS3.length, 3000);
  assert.deepEqual([...fromS3].sort(), [...fromJsonl].sort());
  // ...and the guide preset is deterministic too.
  const g1 = join(scratch, 'g1.jsonl');
  const g2 = join(scratch, 'g2.jsonl');
  await writeDataset({ preset: 'guide', end: END, format: 'jsonl', out: g1 });
  await writeDataset({ preset: 'guide', end: END, format: 'jsonl', out: g2 });
  assert.ok(readFileSync(g1).equals(readFileSync(g2)));
});

test('S3 delivery layout: hourly partitions per region, object names, gzipped NDJSON, marker', async () => {
  const root = join(scratch, 'layout');
  const summary = await writeDataset({ ...BASE, seed: 1, format: 's3', out: root, maxRecordsPerFile: 40 });
  const files = walk(root);
  const prefix = join(root, 'AWSLogs', '111122223333', 'BedrockModelInvocationLogs');
  const marker = join(prefix, 'amazon-bedrock-logs-permission-check');
  assert.ok(files.includes(marker));
  assert.equal(statSync(marker).size, 0);
  const objects = files.filter((f) => f !== marker);
  assert.equal(objects.length, summary.files);
  assert.equal(
    objects.reduce((s, f) => s + statSync(f).size, 0),
    summary.bytes,
  );
  let records = 0;
  const regions = new Set<string>();
  let split = false;
  for (const f of objects) {
    const rel = relative(prefix, f).split(sep);
    assert.equal(rel.length, 6, rel.join('/'));
    const [region, yyyy, mm, dd, hh, name] = rel;
    regions.add(region);
    const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z_([0-9a-f]{16})\.json\.gz$/.exec(name);
    assert.ok(m, name);
    assert.deepEqual([m[1], m[2], m[3], m[4]], [yyyy, mm, dd, hh]);
    const lines = gunzipSync(readFileSync(f)).toString('utf8').split('\n');
    assert.equal(lines.pop(), '', 'each line ends with a newline');
    assert.ok(lines.length >= 1 && lines.length <= 40);
    if (lines.length === 40) split = true;
    for (const l of lines) {
      const r = JSON.parse(l) as { timestamp: string; region: string; accountId: string };
      assert.equal(r.region, region);
      assert.equal(r.accountId, '111122223333');
      assert.equal(r.timestamp.slice(0, 13), `${yyyy}-${mm}-${dd}T${hh}`);
      records++;
    }
  }
  assert.equal(records, 3000);
  assert.equal(summary.records, 3000);
  assert.ok(regions.size >= 3, [...regions].join(','));
  assert.ok(split, 'a busy hour is split into several objects at maxRecordsPerFile');
});

test('refuses to overwrite existing output unless forced; rejects bad options with a hint', async () => {
  const f = join(scratch, 'exists.jsonl');
  writeFileSync(f, 'x\n');
  await assert.rejects(
    writeDataset({ ...BASE, format: 'jsonl', out: f }),
    (e: Error & { code?: string }) => e.code === 'OUTPUT_EXISTS' && /--force/.test(e.message),
  );
  await writeDataset({ ...BASE, format: 'jsonl', out: f, force: true });
  assert.equal(
    readFileSync(f, 'utf8')
      .split('\n')
      .filter((l) => l).length,
    3000,
  );
  await assert.rejects(
    writeDataset({ preset: 'guide', records: 10, format: 'jsonl', out: join(scratch, 'g.jsonl') }),
    /fixed size/,
  );
  await assert.rejects(writeDataset({ days: 0, format: 'jsonl', out: join(scratch, 'd.jsonl') }), /--days/);
  await assert.rejects(
    writeDataset({ end: 'yesterday-ish', format: 'jsonl', out: join(scratch, 'e.jsonl') }),
    /ISO time/,
  );
  await assert.rejects(writeDataset({ ...BASE, format: 'jsonl', out: scratch, force: true }), /folder/);
});
