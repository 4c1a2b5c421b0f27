import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isBiError } from '../../src/util/errors.js';
import {
  loadPriceBook,
  PRICES_ENV,
  resolveModel,
  shippedBook,
  type PricedResolution,
} from '../../src/pricing/index.js';
import { NOV_2026, DEC_2026, near, tempDir, writeJson } from './helpers.js';

const dir = tempDir();

function priced(r: ReturnType<typeof resolveModel>): PricedResolution {
  if (!r.priced) throw new Error(`unpriced: ${r.reason}`);
  return r;
}

function throwsBi(fn: () => unknown, code: string, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(isBiError(e), `expected a BiError, got ${String(e)}`);
    assert.equal(e.code, code);
    assert.match(e.message, pattern);
    return true;
  });
}

test('the shipped book states its source, date and version', () => {
  const b = shippedBook();
  assert.equal(b.retrieved, '2026-07-24');
  assert.equal(b.version, 'litellm-2026-07-24.aws-2026-12-04');
  assert.match(b.source, /LiteLLM/);
  assert.ok(b.entries.length > 300, `${b.entries.length} entries`);
  assert.equal(b.userFile, null);
});

test('a user file overrides a shipped price, adds a model, and changes the book version', () => {
  const file = writeJson(dir, 'override.json', {
    version: 'acme-1',
    prices: [
      { model: 'anthropic.claude-3-haiku-20240307-v1:0', input: 0.2, output: 1 },
      { model: 'acme.house-model-v1', input: 1, output: 2, cacheRead: 0.1 },
      { model: 'eu.acme.house-model-v1', region: 'eu-west-1', input: 1.5, output: 3 },
    ],
  });
  const book = loadPriceBook({ pricesFile: file });
  assert.equal(book.version, 'litellm-2026-07-24.aws-2026-12-04+acme-1');
  assert.equal(book.userFile, file);
  near(
    priced(resolveModel('anthropic.claude-3-haiku-20240307-v1:0', 'us-east-1', { book })).prices.input,
    0.2,
    'override',
  );
  // The other shipped prices are still there.
  near(
    priced(resolveModel('anthropic.claude-3-5-haiku-20241022-v1:0', 'us-east-1', { book })).prices.input,
    0.8,
    'untouched',
  );
  const house = priced(resolveModel('acme.house-model-v1', 'us-east-1', { book }));
  assert.equal(house.entry.origin, 'user');
  near(house.prices.cacheRead, 0.1, 'added cache read');
  near(
    priced(resolveModel('eu.acme.house-model-v1', 'eu-west-1', { book })).prices.input,
    1.5,
    'profile + region entry',
  );
  // Without a version label, the version carries a hash of the file.
  const unlabeled = writeJson(dir, 'unlabeled.json', { prices: [{ model: 'acme.x-v1', input: 1, output: 1 }] });
  assert.match(
    loadPriceBook({ pricesFile: unlabeled }).version,
    /^litellm-2026-07-24\.aws-2026-12-04\+user-[0-9a-f]{8}$/,
  );
});

test('dated prices apply from their effective day; older invocations keep the earlier price', () => {
  const file = writeJson(dir, 'dated.json', {
    prices: [{ model: 'anthropic.claude-3-haiku-20240307-v1:0', effective: '2026-12-01', input: 0.5, output: 2 }],
  });
  const book = loadPriceBook({ pricesFile: file });
  near(
    priced(resolveModel('anthropic.claude-3-haiku-20240307-v1:0', 'us-east-1', { book, at: NOV_2026 })).prices.input,
    0.25,
    'November: shipped',
  );
  near(
    priced(resolveModel('anthropic.claude-3-haiku-20240307-v1:0', 'us-east-1', { book, at: DEC_2026 })).prices.input,
    0.5,
    'December: dated',
  );
  near(
    priced(resolveModel('anthropic.claude-3-haiku-20240307-v1:0', 'us-east-1', { book, at: Date.UTC(2026, 11, 1) }))
      .prices.input,
    0.5,
    'the effective day itself',
  );
  // A model that only has a dated price is unpriced before that day.
  const fresh = writeJson(dir, 'fresh.json', {
    prices: [{ model: 'acme.new-v1', effective: '2026-12-01', input: 1, output: 1 }],
  });
  const b2 = loadPriceBook({ pricesFile: fresh });
  assert.equal(resolveModel('acme.new-v1', 'us-east-1', { book: b2, at: NOV_2026 }).priced, false);
  assert.equal(resolveModel('acme.new-v1', 'us-east-1', { book: b2, at: DEC_2026 }).priced, true);
});

test('a bad prices file names the entry that is wrong', () => {
  const bad = writeJson(dir, 'bad.json', {
    prices: [
      { model: 'ok.model-v1', input: 1, output: 1 },
      { model: 'acme.broken-v1', input: -1, output: 'x' },
    ],
  });
  throwsBi(
    () => loadPriceBook({ pricesFile: bad }),
    'PRICES_FILE_INVALID',
    /prices\[1\] \(model "acme\.broken-v1"\)\.input/,
  );
  throwsBi(
    () => loadPriceBook({ pricesFile: bad }),
    'PRICES_FILE_INVALID',
    /prices\[1\] \(model "acme\.broken-v1"\)\.output/,
  );
  const unknownKey = writeJson(dir, 'unknown-key.json', {
    prices: [{ model: 'a.b-v1', input: 1, output: 1, inputt: 2 }],
  });
  throwsBi(
    () => loadPriceBook({ pricesFile: unknownKey }),
    'PRICES_FILE_INVALID',
    /prices\[0\] \(model "a\.b-v1"\).*inputt/,
  );
  const badRegion = writeJson(dir, 'bad-region.json', {
    prices: [{ model: 'a.b-v1', region: 'Frankfurt', input: 1, output: 1 }],
  });
  throwsBi(() => loadPriceBook({ pricesFile: badRegion }), 'PRICES_FILE_INVALID', /prices\[0\].*region.*us-east-1/);
  const badDay = writeJson(dir, 'bad-day.json', {
    prices: [{ model: 'a.b-v1', effective: '2026-13-45', input: 1, output: 1 }],
  });
  throwsBi(() => loadPriceBook({ pricesFile: badDay }), 'PRICES_FILE_INVALID', /effective/);
  const badMap = writeJson(dir, 'bad-map.json', {
    applicationProfiles: { 'arn:aws:bedrock:us-east-1:1:inference-profile/us.x': 'a.b' },
  });
  throwsBi(
    () => loadPriceBook({ pricesFile: badMap }),
    'PRICES_FILE_INVALID',
    /applicationProfiles.*application-inference-profile ARN/,
  );
  const dup = writeJson(dir, 'dup.json', {
    prices: [
      { model: 'a.b-v1', input: 1, output: 1 },
      { model: 'a.b-v1', input: 2, output: 2 },
    ],
  });
  throwsBi(() => loadPriceBook({ pricesFile: dup }), 'PRICES_FILE_INVALID', /prices\[1\].*repeats prices\[0\]/);
  const notJson = writeJson(dir, 'not.json', '{"prices": [');
  throwsBi(() => loadPriceBook({ pricesFile: notJson }), 'PRICES_FILE_INVALID', /not valid JSON/);
  throwsBi(() => loadPriceBook({ pricesFile: `${dir}/missing.json` }), 'PRICES_FILE_MISSING', /does not exist/);
});

test('the prices file can be named by the environment', () => {
  const file = writeJson(dir, 'env.json', { version: 'env-1', prices: [] });
  const saved = process.env[PRICES_ENV];
  process.env[PRICES_ENV] = file;
  try {
    assert.equal(loadPriceBook().version, 'litellm-2026-07-24.aws-2026-12-04+env-1');
    assert.equal(loadPriceBook({ shippedOnly: true }).version, 'litellm-2026-07-24.aws-2026-12-04');
  } finally {
    if (saved === undefined) delete process.env[PRICES_ENV];
    else process.env[PRICES_ENV] = saved;
  }
});
