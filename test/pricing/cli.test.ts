import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Store } from '../../src/store/store.js';
import { PRICES_ENV } from '../../src/pricing/index.js';
import { costs, insertRows, tempDir, writeJson, type CostRow, runPrices } from './helpers.js';

const run = runPrices;

const saved = process.env[PRICES_ENV];
// The tests must not read a developer's own ~/.bedrock-insights/prices.json.
process.env[PRICES_ENV] = writeJson(tempDir(), 'empty-prices.json', { version: 'test', prices: [] });
test.after(() => {
  if (saved === undefined) delete process.env[PRICES_ENV];
  else process.env[PRICES_ENV] = saved;
});

async function storeRows(db: string): Promise<CostRow[]> {
  const s = await Store.open(db, { threads: 1 });
  try {
    return await costs(s);
  } finally {
    s.close();
  }
}

test('prices lists the book with its source, date and version, filtered by --model', async () => {
  const text = await run(['prices', '--model', 'claude-3-haiku']);
  assert.match(text, /Price book litellm-2026-07-24\.aws-2026-12-04\+test/);
  assert.match(text, /Retrieved: 2026-07-24/);
  assert.match(text, /LiteLLM/);
  assert.match(text, /anthropic\.claude-3-haiku-20240307-v1:0 +\* +<=2026-07-24 +0\.25 +1\.25 +0\.025 +0\.3125/);
  assert.doesNotMatch(text, /sonnet/);
  const json = JSON.parse(await run(['prices', '--format', 'json', '--model', 'opus-4-7'])) as {
    version: string;
    retrieved: string;
    entries: { model: string; profile: string | null; prices: { input: number } }[];
  };
  assert.equal(json.retrieved, '2026-07-24');
  assert.ok(json.entries.length >= 5);
  assert.ok(json.entries.every((e) => e.model === 'anthropic.claude-opus-4-7'));
  assert.equal(json.entries.find((e) => e.profile === 'us')?.prices.input, 5.5);
});

test('prices check lists unpriced models with tokens and a hint; reprice --dry-run changes nothing, reprice applies', async () => {
  const dir = tempDir();
  const db = join(dir, 'store.duckdb');
  const s = await Store.open(db, { threads: 1 });
  await insertRows(s, [
    { modelId: 'acme.unknown-model-v1', region: 'us-east-1', input: 1000, output: 234 },
    {
      modelId: 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3',
      region: 'us-east-1',
      input: 5,
      output: 5,
    },
    { modelId: 'anthropic.claude-3-haiku-20240307-v1:0', region: 'us-east-1', input: 1000, output: 1000 },
    // Nova 2 Lite has a price, but none for cache writes in the data.
    { modelId: 'amazon.nova-2-lite-v1:0', region: 'us-east-1', input: 10, cacheWrite: 90, output: 0 },
  ]);
  s.close();

  const check = await run(['prices', 'check', '--db', db]);
  assert.match(check, /acme\.unknown-model-v1 +us-east-1 +1 +1,234 +1 wholly +no price for acme\.unknown-model-v1/);
  assert.match(check, /application-inference-profile\/a1b2c3/);
  assert.match(check, /get-inference-profile/);
  assert.match(check, /"prices"/, 'the hint says where to add a price');
  // Nothing priced yet: the haiku rows are reported as priceable by the current book.
  assert.match(check, /claude-3-haiku.*not applied yet/);
  assert.match(check, /amazon\.nova-2-lite-v1:0 .*not applied yet/);

  const before = await storeRows(db);
  const dry = await run(['prices', 'reprice', '--db', db, '--dry-run']);
  assert.match(dry, /dry run/);
  assert.match(dry, /anthropic\.claude-3-haiku-20240307-v1:0 +2026-11 +1 +1 +\$0\.00 +\$0\.001500/);
  assert.deepEqual(await storeRows(db), before, 'the dry run changed nothing');

  const applied = await run(['prices', 'reprice', '--db', db]);
  assert.match(applied, /Applied: 2 invocations priced/);
  assert.match(applied, /3 with an unpriced part \(1,334 tokens/);
  const after = await storeRows(db);
  assert.equal(after[2].total, (1000 * 0.25) / 1e6 + (1000 * 1.25) / 1e6);
  assert.equal(after[0].total, null);
  // Nova 2 Lite: its input is priced, its cache writes are not (and say so).
  assert.equal(after[3].total, (10 * 0.3) / 1e6);
  const partly = await run(['prices', 'check', '--db', db]);
  assert.match(
    partly,
    /amazon\.nova-2-lite-v1:0 .*has no cacheWrite5m price.*input and output of these 1 requests are priced/,
  );
  assert.match(
    partly,
    /\{"model": "amazon\.nova-2-lite-v1:0", "input": 0\.3, "output": 2\.5, "cacheWrite5m": <USD per 1M>\}/,
  );

  const json = JSON.parse(await run(['prices', 'check', '--db', db, '--format', 'json'])) as {
    unpriced: { modelId: string; tokens: number; priceableNow: boolean }[];
  };
  assert.deepEqual(
    json.unpriced.map((u) => [u.modelId, u.tokens, u.priceableNow]),
    [
      ['acme.unknown-model-v1', 1234, false],
      ['amazon.nova-2-lite-v1:0', 90, false],
      ['arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3', 10, false],
    ],
  );
});

test('prices check on a missing store says how to create one', async () => {
  await assert.rejects(
    run(['prices', 'check', '--db', join(tempDir(), 'none.duckdb')]),
    /There is no store at .*none\.duckdb \(from --db: check the path\)\. Create one from your logs with `npx bedrock-insights ingest/,
  );
});
