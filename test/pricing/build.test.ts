import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from './helpers.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

test('the committed price book is what scripts/build-price-book.ts makes of the LiteLLM snapshot committed under data/prices', () => {
  const out = join(tempDir(), 'book.json');
  execFileSync(
    process.execPath,
    [
      '--import',
      'tsx',
      join(repo, 'scripts/build-price-book.ts'),
      join(repo, 'data/prices/bedrock-pricing-litellm-2026-07-24.json'),
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
  };
  assert.equal(book.retrieved, '2026-07-24');
  // The $0 placeholder and the per-second Pegasus prices are dropped, not shipped as prices.
  assert.ok(book.dropped.some((d) => d.sourceKey === 'anthropic.claude-mythos-preview'));
  assert.ok(book.dropped.some((d) => d.sourceKey === 'twelvelabs.pegasus-1-2-v1:0'));
});
