import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { Store } from '../../src/store/store.js';
import { ingestPaths } from '../../src/sources/ingest.js';
import { normalizeBedrockRecord } from '../../src/logs/record.js';
import { redactBodies } from '../../src/logs/bodies.js';

// Every input form the file ingest reads, property-tested against its count and its content:
// stored + rejected + duplicates = records in the file(s), and each stored row carries its own
// record's message (campaign F1: several records on one line were stored N² times with crossed
// messages). The TypeScript normaliser is the oracle for which records are valid.

const root = mkdtempSync(join(tmpdir(), 'bi-input-forms-'));
after(() => rmSync(root, { recursive: true, force: true }));
let cases = 0;

type Rec = Record<string, unknown> | number;

/** Texts meant to trip a reader that splits on structure: braces, commas, newlines, keys of other forms. */
const tricky = fc.constantFrom('plain', '},{', ']}\n{"events":[', 'line\nbreak', '"quoted"', 'ünï✓', '\\', '{"a":[1,');

const recordArb: fc.Arbitrary<Rec> = fc
  .record({
    kind: fc.oneof(
      { arbitrary: fc.constant('valid'), weight: 8 },
      { arbitrary: fc.constantFrom('bad-ts', 'bad-token', 'no-id', 'not-object', 'dup'), weight: 1 },
    ),
    minute: fc.nat({ max: 100_000 }),
    tokens: fc.nat({ max: 5000 }),
    prompt: tricky,
    meta: tricky,
    body: fc.boolean(),
  })
  .map(({ kind, minute, tokens, prompt, meta, body }): Rec => {
    if (kind === 'not-object') return 5;
    const r: Record<string, unknown> = {
      timestamp: new Date(Date.UTC(2026, 0, 1) + minute * 60_000).toISOString().replace('.000Z', 'Z'),
      accountId: '123456789012',
      region: 'us-east-1',
      requestId: `req-${kind}-${minute}-${tokens}`,
      operation: 'Converse',
      modelId: 'amazon.nova-lite-v1:0',
      input: {
        inputContentType: 'application/json',
        ...(body ? { inputBodyJson: { messages: [{ role: 'user', content: [{ text: prompt }] }] } } : {}),
        inputTokenCount: kind === 'bad-token' ? -1 : tokens,
      },
      output: { outputTokenCount: tokens % 97 },
      requestMetadata: { app: meta },
    };
    if (kind === 'bad-ts') r.timestamp = '2026-02-30T00:00:00Z';
    if (kind === 'no-id') delete r.requestId;
    if (kind === 'dup') r.requestId = 'req-shared'; // the same key, the same content each time
    if (kind === 'dup') r.timestamp = '2026-01-01T00:00:00Z';
    if (kind === 'dup') r.input = { inputTokenCount: 1 };
    return r;
  });

/** What the store must hold: the first valid record of each key, as its message (bodies cut). */
function expected(records: Rec[]): { valid: number; rejected: number; messages: string[] } {
  const keys = new Set<string>();
  const messages: string[] = [];
  let valid = 0;
  let rejected = 0;
  for (const r of records) {
    const n = normalizeBedrockRecord(r, { logGroup: '/g' });
    if (!n.ok) {
      rejected++;
      continue;
    }
    valid++;
    if (keys.has(n.event.eventKey)) continue;
    keys.add(n.event.eventKey);
    messages.push(JSON.stringify(redactBodies(r as Record<string, unknown>)));
  }
  return { valid, rejected, messages };
}

const cwEvent = (r: Rec, i: number): Record<string, unknown> => ({
  timestamp: 1_767_225_600_000 + i,
  message: JSON.stringify(r),
  ingestionTime: 1_767_225_700_000 + i,
});
const jsonl = (rs: Rec[]): string => rs.map((r) => JSON.stringify(r)).join('\n') + '\n';

/** Writes the records in one form under a fresh folder; returns the path to ingest. */
const FORMS: Record<string, (dir: string, rs: Rec[]) => string> = {
  jsonl: (d, rs) => write(join(d, 'a.jsonl'), jsonl(rs)),
  gz: (d, rs) => write(join(d, 'a.jsonl.gz'), gzipSync(jsonl(rs))),
  'pretty records': (d, rs) => write(join(d, 'a.json'), rs.map((r) => JSON.stringify(r, null, 2)).join('\n')),
  'array pretty': (d, rs) => write(join(d, 'a.json'), JSON.stringify(rs, null, 2)),
  'array compact': (d, rs) => write(join(d, 'a.json'), JSON.stringify(rs)),
  'CloudWatch export pretty': (d, rs) => write(join(d, 'a.json'), JSON.stringify({ events: rs.map(cwEvent) }, null, 2)),
  'CloudWatch export compact': (d, rs) => write(join(d, 'a.json'), JSON.stringify({ events: rs.map(cwEvent) })),
  'S3 layout': (d, rs) => {
    const hour = join(
      d,
      'AWSLogs',
      '123456789012',
      'BedrockModelInvocationLogs',
      'us-east-1',
      '2026',
      '01',
      '01',
      '00',
    );
    mkdirSync(hour, { recursive: true });
    const half = Math.ceil(rs.length / 2);
    write(join(hour, '20260101T0001Z_a.json.gz'), gzipSync(jsonl(rs.slice(0, half))));
    if (rs.length > half) write(join(hour, '20260101T0002Z_b.json.gz'), gzipSync(jsonl(rs.slice(half))));
    return join(d, 'AWSLogs');
  },
  mixed: (d, rs) => {
    // Consecutive thirds in files read in name order, so "first wins" is the records' order.
    const t = Math.ceil(rs.length / 3);
    write(join(d, '1.jsonl'), jsonl(rs.slice(0, t)));
    write(join(d, '2.json'), JSON.stringify(rs.slice(t, 2 * t)));
    write(join(d, '3.json'), JSON.stringify({ events: rs.slice(2 * t).map(cwEvent) }));
    return d;
  },
};

function write(path: string, data: string | Buffer): string {
  writeFileSync(path, data);
  return path;
}

for (const [form, make] of Object.entries(FORMS)) {
  test(`input form "${form}": stored + rejected + duplicates = records, each row its own record`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(recordArb, { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 30 }),
        async (records, chunkRecords) => {
          const dir = join(root, `c${++cases}`);
          mkdirSync(dir);
          const path = make(dir, records);
          const want = expected(records);
          const s = await Store.open(':memory:');
          try {
            const r = await ingestPaths(s, [path], { chunkRecords });
            assert.equal(r.recordsRejected, want.rejected, JSON.stringify(r.rejected));
            assert.equal(r.recordsStored, want.messages.length);
            assert.equal(r.duplicatesSkipped, want.valid - want.messages.length);
            assert.equal(r.recordsStored + r.recordsRejected + r.duplicatesSkipped, records.length);
            const rows = (
              await s.connection.runAndReadAll(`SELECT request_id, message, input_tokens FROM events ORDER BY seq`)
            ).getRows();
            assert.equal(rows.length, want.messages.length, 'rows in the store');
            for (const [rid, message, tokens] of rows) {
              const m = JSON.parse(String(message)) as Record<string, Record<string, unknown>>;
              assert.equal(rid, m.requestId ?? null, 'request_id is the one inside its own @message');
              assert.equal(Number(tokens), m.input.inputTokenCount, 'tokens are its own');
            }
            assert.deepEqual(
              rows.map((x) => String(x[1])),
              want.messages,
            );
          } finally {
            s.close();
          }
        },
      ),
      { numRuns: Number(process.env.BI_PROPERTY_RUNS ?? 12), seed: Number(process.env.BI_PROPERTY_SEED ?? 20261204) },
    );
  });
}
