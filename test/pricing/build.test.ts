import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from './helpers.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

test('the committed price book is what scripts/build-price-book.ts makes of the snapshots committed under data/prices', () => {
  const out = join(tempDir(), 'book.json');
  execFileSync(
    process.execPath,
    [
      '--import',
      'tsx',
      join(repo, 'scripts/build-price-book.ts'),
      join(repo, 'data/prices/bedrock-pricing-litellm-2026-07-24.json'),
      join(repo, 'data/prices/aws-bedrock-cache-prices-2026-12-04.json'),
      out,
    ],
    { stdio: 'pipe', cwd: repo },
  );
  assert.equal(
    readFileSync(out, 'utf8'),
    readFileSync(join(repo, 'src/pricing/data/price-book.json'), 'utf8'),
    'rebuild the book: node --import tsx scripts/build-price-book.ts',
  );
  const book = JSON.parse(readFileSync(out, 'utf8')) as {
    version: string;
    retrieved: string;
    dropped: { sourceKey: string }[];
    entries: {
      model: string;
      profile: string | null;
      prices: { cacheRead: number | null; cacheWrite5m: number | null };
    }[];
  };
  assert.equal(book.retrieved, '2026-07-24');
  assert.equal(book.version, 'litellm-2026-07-24.aws-2026-12-04');
  // Every Nova v1 entry (the demo's Nova models among them) has cache prices: AWS's, as LiteLLM lists none.
  const nova = book.entries.filter((e) => /^amazon\.nova-(micro|lite|pro|premier)-v1:0$/.test(e.model));
  assert.ok(nova.length >= 15);
  for (const e of nova) {
    assert.notEqual(e.prices.cacheRead, null, `${e.profile}.${e.model} cache read`);
    assert.equal(e.prices.cacheWrite5m, 0, `${e.profile}.${e.model}: AWS bills Nova cache writes at $0`);
  }
  const lite = book.entries.find((e) => e.model === 'amazon.nova-lite-v1:0' && e.profile === null);
  assert.equal(lite?.prices.cacheRead, 0.015, "AWS's us-east-1 cache-read price of Nova Lite");
  // The $0 placeholder and the per-second Pegasus prices are dropped, not shipped as prices.
  assert.ok(book.dropped.some((d) => d.sourceKey === 'anthropic.claude-mythos-preview'));
  assert.ok(book.dropped.some((d) => d.sourceKey === 'twelvelabs.pegasus-1-2-v1:0'));
});
