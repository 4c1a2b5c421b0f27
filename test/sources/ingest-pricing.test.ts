import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ingestPaths } from '../../src/sources/ingest.js';
import { Store } from '../../src/store/store.js';

const repo = resolve(import.meta.dirname, '../..');

function record(requestId: string, modelId: string, input: number, output: number): string {
  return JSON.stringify({
    timestamp: '2026-11-02T08:00:00Z',
    accountId: '111122223333',
    region: 'us-east-1',
    requestId,
    operation: 'Converse',
    modelId,
    identity: { arn: 'arn:aws:iam::111122223333:user/u' },
    input: { inputContentType: 'application/json', inputTokenCount: input },
    output: { outputContentType: 'application/json', outputTokenCount: output },
    schemaType: 'ModelInvocationLog',
    schemaVersion: '1.0',
  });
}

test('ingest prices what it stored and keeps unknown models unpriced, not $0', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bi-ingest-pricing-'));
  const store = await Store.open(':memory:');
  try {
    const file = join(dir, 'logs.jsonl');
    writeFileSync(
      file,
      [
        record('r-known', 'anthropic.claude-3-haiku-20240307-v1:0', 2_000_000, 400_000),
        record('r-unknown', 'acme.not-a-real-model-v9', 1000, 10),
      ].join('\n') + '\n',
    );
    const s = await ingestPaths(store, [file]);
    assert.equal(s.recordsStored, 2);
    assert.equal(s.pricing?.priced, 1);
    assert.equal(s.pricing?.unpriced, 1);
    assert.equal(s.pricing?.unpricedTokens, 1010);
    const rows = (
      await store.connection.runAndReadAll(`SELECT request_id, cost_total FROM events ORDER BY request_id`)
    ).getRows();
    // Claude 3 Haiku: $0.25/1M input, $1.25/1M output (spec §4): 0.5 + 0.5.
    assert.equal(rows[0][0], 'r-known');
    assert.ok(Math.abs(Number(rows[0][1]) - 1.0) < 1e-9);
    assert.deepEqual(rows[1], ['r-unknown', null]);
    // Nothing new: no pricing pass is reported.
    const again = await ingestPaths(store, [file]);
    assert.equal(again.recordsStored, 0);
    assert.equal(again.pricing, undefined);
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('pricing runs chunk by chunk; a later ingest prices what a killed one left unpriced; a broken prices file loses nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bi-ingest-pricing-'));
  const store = await Store.open(':memory:');
  const q = async (sql: string): Promise<unknown[][]> => (await store.connection.runAndReadAll(sql)).getRows();
  try {
    const a = join(dir, 'a.jsonl');
    writeFileSync(
      a,
      Array.from({ length: 7 }, (_, i) => record(`a-${i}`, 'anthropic.claude-3-haiku-20240307-v1:0', 1000, 100)).join(
        '\n',
      ) + '\n',
    );
    // Three chunks of at most 3 records: each is priced after its commit.
    const s = await ingestPaths(store, [a], { chunkRecords: 3 });
    assert.equal(s.recordsStored, 7);
    assert.deepEqual(s.pricing && { priced: s.pricing.priced, unpriced: s.pricing.unpriced }, {
      priced: 7,
      unpriced: 0,
    });
    assert.deepEqual(await q(`SELECT count(*) FROM events WHERE price_version IS NULL`), [[0n]]);

    // As if an ingest had been killed between a chunk's commit and its pricing.
    await store.connection.run(
      `UPDATE events SET cost_input = NULL, cost_output = NULL, cost_cache_read = NULL, cost_cache_write = NULL, cost_total = NULL, price_version = NULL WHERE request_id IN ('a-1', 'a-5')`,
    );
    const b = join(dir, 'b.jsonl');
    writeFileSync(b, record('b-0', 'anthropic.claude-3-haiku-20240307-v1:0', 1000, 100) + '\n');
    const s2 = await ingestPaths(store, [b]);
    assert.equal(s2.recordsStored, 1);
    // The summary speaks of this ingest's rows; the catch-up pass priced the two left behind.
    assert.equal(s2.pricing?.priced, 1);
    assert.deepEqual(await q(`SELECT count(*) FROM events WHERE price_version IS NULL`), [[0n]]);

    const prev = process.env.BEDROCK_INSIGHTS_PRICES;
    const broken = join(dir, 'prices.json');
    writeFileSync(broken, '{ not json');
    process.env.BEDROCK_INSIGHTS_PRICES = broken;
    try {
      const c = join(dir, 'c.jsonl');
      writeFileSync(c, record('c-0', 'anthropic.claude-3-haiku-20240307-v1:0', 1000, 100) + '\n');
      const s3 = await ingestPaths(store, [c]);
      assert.equal(s3.recordsStored, 1);
      assert.equal(s3.pricing, undefined);
      assert.match(s3.pricingError ?? '', /prices/);
      assert.deepEqual(await q(`SELECT price_version IS NULL FROM events WHERE request_id = 'c-0'`), [[true]]);
    } finally {
      if (prev === undefined) delete process.env.BEDROCK_INSIGHTS_PRICES;
      else process.env.BEDROCK_INSIGHTS_PRICES = prev;
    }
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the ingest summary counts partly priced invocations apart (a cache class without a price), in the CLI too', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bi-ingest-pricing-'));
  try {
    // A house model priced for input and output only: its cache reads have no price.
    const prices = join(dir, 'prices.json');
    writeFileSync(
      prices,
      JSON.stringify({ version: 'house', prices: [{ model: 'acme.house-model-v1', input: 1, output: 2 }] }),
    );
    const cached = JSON.parse(record('r-cached', 'acme.house-model-v1', 1000, 100)) as {
      input: Record<string, unknown>;
    };
    cached.input.cacheReadInputTokenCount = 5000;
    const file = join(dir, 'logs.jsonl');
    writeFileSync(
      file,
      [
        record('r-whole', 'acme.house-model-v1', 1000, 100),
        JSON.stringify(cached),
        record('r-unknown', 'acme.not-a-real-model-v9', 1000, 10),
      ].join('\n') + '\n',
    );
    const r = spawnSync(
      process.execPath,
      [
        '--no-warnings',
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `import { main } from './src/cli/main.ts'; process.exitCode = await main(['node', 'bedrock-insights', 'ingest', ${JSON.stringify(file)}, '--db', ${JSON.stringify(join(dir, 'store.duckdb'))}]);`,
      ],
      { cwd: repo, encoding: 'utf8', env: { ...process.env, BEDROCK_INSIGHTS_PRICES: prices } },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stdout,
      /priced: +1 invocations \(price book [^)]*house[^)]*\); 1 partly priced \(a cache class without a price\); 1 without a price \(6,010 tokens unpriced/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
