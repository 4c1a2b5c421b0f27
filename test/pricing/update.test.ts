import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  bookFreshness,
  loadPriceBook,
  makeBookFile,
  priceEvents,
  resolveModel,
  shippedBook,
  sourceFromLiteLLM,
} from '../../src/pricing/index.js';
import { Store } from '../../src/store/store.js';
import { LITELLM_SAMPLE } from '../fixtures/paths.js';
import { costs, insertRows, isolate, near, runPrices, tempDir, writeJson } from './helpers.js';

const SAMPLE = LITELLM_SAMPLE;

const run = runPrices;

const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

test("a raw LiteLLM file converts exactly as the shipped book's extract does (one conversion)", () => {
  const raw = JSON.parse(readFileSync(SAMPLE, 'utf8')) as Record<string, unknown>;
  const { book } = makeBookFile({
    source: sourceFromLiteLLM(raw, '2026-07-24', 'sample'),
    builtFrom: 'sample',
    builtBy: 'test',
  });
  const shipped = new Map(
    shippedBook().entries.map((e) => [`${e.profile ?? ''}|${e.model}|${e.region ?? ''}`, e] as const),
  );
  const ids = book.entries.map((e) => `${e.profile ?? ''}|${e.model}|${e.region ?? ''}`).sort();
  assert.deepEqual(ids, [
    'us|amazon.nova-lite-v1:0|',
    'us|anthropic.claude-sonnet-4-5-20250929-v1:0|',
    '|amazon.nova-lite-v1:0|',
    '|amazon.nova-pro-v1:0|us-gov-east-1',
    '|amazon.titan-text-express-v1|',
    '|anthropic.claude-3-haiku-20240307-v1:0|',
    '|anthropic.claude-sonnet-4-5-20250929-v1:0|',
    '|meta.llama3-3-70b-instruct-v1:0|',
  ]);
  for (const e of book.entries) {
    const s = shipped.get(`${e.profile ?? ''}|${e.model}|${e.region ?? ''}`);
    assert.ok(s, `${e.model} is in the shipped book`);
    // Without the AWS supplement, the Nova cache prices stay missing as in LiteLLM; the rest is equal.
    if (e.model.startsWith('amazon.nova'))
      assert.deepEqual([e.prices.input, e.prices.output], [s.prices.input, s.prices.output]);
    else assert.deepEqual([e.prices, e.longContext], [s.prices, s.longContext], e.model);
  }
  // Not priceable per token, or never in a log: dropped with a reason (the embedding, the
  // per-second commitment and the OpenAI model are not Bedrock chat entries at all).
  assert.deepEqual(book.dropped.map((d) => d.sourceKey).sort(), [
    'anthropic.claude-mythos-preview',
    'bedrock_mantle/openai.gpt-oss-120b',
    'twelvelabs.pegasus-1-2-v1:0',
  ]);
});

test('prices update --from: a newer LiteLLM file becomes your book, with a diff; history keeps retired models; --dry-run writes nothing', async () => {
  const iso = isolate();
  try {
    const raw = JSON.parse(readFileSync(SAMPLE, 'utf8')) as Record<string, Record<string, unknown>>;
    raw['amazon.nova-lite-v1:0'].input_cost_per_token = 5e-8; // 0.06 -> 0.05 per 1M
    raw['meta.llama3-3-70b-instruct-v1:0'].cache_read_input_token_cost = 3e-8; // adds 0.03
    raw['acme.new-model-v1:0'] = {
      input_cost_per_token: 1e-6,
      output_cost_per_token: 2e-6,
      litellm_provider: 'bedrock',
      mode: 'chat',
    };
    const newer = writeJson(iso.dir, 'model_prices_and_context_window.json', raw);
    const today = day(Date.now());

    const dry = await run(['prices', 'update', '--from', newer, '--dry-run']);
    assert.match(dry, /-> litellm-\d{4}-\d{2}-\d{2}\.aws-2026-12-04 .*2 changed, 1 added/);
    assert.match(dry, /CHANGED +amazon\.nova-lite-v1:0 +\* +input 0\.06 -> 0\.05, cacheRead 0\.015 -> 0\.0125/);
    assert.match(dry, /CHANGED +meta\.llama3-3-70b-instruct-v1:0 +\* +cacheRead - -> 0\.03/);
    assert.match(dry, /ADDED +acme\.new-model-v1:0 +\* +input 1, output 2/);
    assert.match(dry, /KEPT \(not listed\) +mistral\.mistral-large-2407-v1:0/);
    assert.match(dry, /Dry run: nothing was written/);
    assert.equal(existsSync(iso.bookPath), false);

    const done = await run(['prices', 'update', '--from', newer, '--date', today]);
    assert.match(done, new RegExp(`Wrote ${iso.bookPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    const book = loadPriceBook();
    assert.equal(book.version, `litellm-${today}.aws-2026-12-04+test`);
    assert.equal(book.bookFile, iso.bookPath);
    assert.equal(bookFreshness(book).stale, false);
    const lite = resolveModel('amazon.nova-lite-v1:0', 'us-east-1', { book });
    assert.ok(lite.priced);
    // AWS's Nova cache ratio is applied to the new input price, as LiteLLM still lists none.
    assert.deepEqual([lite.prices.input, lite.prices.cacheRead, lite.prices.cacheWrite5m], [0.05, 0.0125, 0]);
    const kept = resolveModel('mistral.mistral-large-2407-v1:0', 'us-east-1', { book });
    assert.ok(kept.priced, 'a model the new file does not list keeps its price');
    assert.ok(resolveModel('acme.new-model-v1:0', 'us-east-1', { book }).priced);
    // The listing says which book is used.
    assert.match(await run(['prices', '--model', 'nova-lite']), /your book .*price-book\.json/);
  } finally {
    iso.restore();
  }
});

test('prices update refuses what is not a LiteLLM price file, naming the file', async () => {
  const iso = isolate();
  try {
    const junk = writeJson(iso.dir, 'junk.json', '{"truncated": ');
    await assert.rejects(run(['prices', 'update', '--from', junk]), /not valid JSON .*cut-off download/);
    const other = writeJson(iso.dir, 'other.json', { 'gpt-4o': { input_cost_per_token: 1 } });
    await assert.rejects(
      run(['prices', 'update', '--from', other]),
      /not a price file this command reads .*Accepted: LiteLLM's model_prices_and_context_window\.json/,
    );
    await assert.rejects(
      run(['prices', 'update', '--from', join(iso.dir, 'absent.json')]),
      /Cannot read .*absent\.json/,
    );
    assert.equal(existsSync(iso.bookPath), false);
  } finally {
    iso.restore();
  }
});

test('a book older than 90 days is flagged by `prices` and `prices check`; a fresh one is not', async () => {
  const iso = isolate();
  try {
    assert.equal(bookFreshness({ retrieved: '2026-07-24', version: 'v' }, Date.UTC(2026, 11, 4)).ageDays, 133);
    assert.equal(bookFreshness({ retrieved: '2026-07-24', version: 'v' }, Date.UTC(2026, 11, 4)).stale, true);
    assert.equal(bookFreshness({ retrieved: '2026-09-05', version: 'v' }, Date.UTC(2026, 11, 4)).stale, false);
    const raw = JSON.parse(readFileSync(SAMPLE, 'utf8')) as Record<string, unknown>;
    const make = (date: string) =>
      writeJson(
        iso.dir,
        'price-book.json',
        makeBookFile({ source: sourceFromLiteLLM(raw, date, 's'), builtFrom: 's', builtBy: 't' }).book,
      );
    make(day(Date.now() - 91 * 86_400_000));
    assert.match(
      await run(['prices']),
      /WARNING: The price book .* 91 days ago \(more than 90\).*prices update --from/,
    );
    make(day(Date.now() - 10 * 86_400_000));
    assert.doesNotMatch(await run(['prices']), /WARNING/);
  } finally {
    iso.restore();
  }
});

test('a discount in the prices file lowers list prices (per model over global), not the file own prices, and the book version says so', async () => {
  const dir = tempDir();
  const file = writeJson(dir, 'prices.json', {
    version: 'edp',
    discount: { percent: 10, models: { 'anthropic.claude-3-haiku-20240307-v1:0': 20 }, note: 'EDP 2026' },
    prices: [{ model: 'acme.house-model-v1', input: 1, output: 2 }],
  });
  const book = loadPriceBook({ pricesFile: file });
  assert.equal(book.version, `${shippedBook().version}+edp+discount-10pct-per-model`);
  const at = (id: string) => {
    const r = resolveModel(id, 'us-east-1', { book });
    assert.ok(r.priced, id);
    return r.prices;
  };
  near(at('anthropic.claude-sonnet-4-5-20250929-v1:0').input, 2.7, 'sonnet 4.5: 3 - 10%');
  near(at('anthropic.claude-sonnet-4-5-20250929-v1:0').cacheRead, 0.27, 'every class is discounted');
  near(at('us.anthropic.claude-sonnet-4-5-20250929-v1:0').input, 2.97, 'the us. profile: 3.3 - 10%');
  near(at('anthropic.claude-3-haiku-20240307-v1:0').input, 0.2, 'haiku: its own 20%');
  assert.equal(at('acme.house-model-v1').input, 1, "the file's own price is taken as paid");
  const s = await Store.open(':memory:', { threads: 1 });
  try {
    await insertRows(s, [
      { modelId: 'anthropic.claude-3-haiku-20240307-v1:0', region: 'us-east-1', input: 1000, output: 1000 },
    ]);
    await priceEvents(s, { book });
    const [row] = await costs(s);
    near(row.total, (1000 * 0.2 + 1000 * 1) / 1e6, 'haiku at 20% off');
    assert.equal(row.version, book.version, 'cost.priceVersion names the discount');
  } finally {
    s.close();
  }
  const listing = await run(['prices', '--prices', file, '--model', 'claude-3-haiku']);
  assert.match(
    listing,
    /Discount: 10% off every list price; per model: anthropic\.claude-3-haiku-20240307-v1:0 20% .*EDP 2026/,
  );
  assert.match(listing, /anthropic\.claude-3-haiku-20240307-v1:0 .* 0\.2 .* -20%/);
  const bad = writeJson(dir, 'bad.json', { discount: { percent: 120 } });
  assert.throws(() => loadPriceBook({ pricesFile: bad }), /discount\.percent/);
});

test('a partly priced invocation is completed once the missing cache price is added; nothing waits in vain', async () => {
  const dir = tempDir();
  const without = loadPriceBook({
    pricesFile: writeJson(dir, 'a.json', {
      version: 'a',
      prices: [{ model: 'acme.house-model-v1', input: 1, output: 2 }],
    }),
  });
  const withCache = loadPriceBook({
    pricesFile: writeJson(dir, 'b.json', {
      version: 'b',
      prices: [{ model: 'acme.house-model-v1', input: 1, output: 2, cacheRead: 0.1 }],
    }),
  });
  const s = await Store.open(':memory:', { threads: 1 });
  try {
    await insertRows(s, [
      { modelId: 'acme.house-model-v1', region: 'us-east-1', input: 1000, cacheRead: 5000, output: 100 },
    ]);
    const first = await priceEvents(s, { book: without });
    assert.deepEqual([first.priced, first.unpriced, first.partlyPriced, first.unpricedTokens], [1, 1, 1, 5000]);
    let [row] = await costs(s);
    near(row.total, (1000 * 1 + 100 * 2) / 1e6, 'input and output priced');
    assert.equal(row.cacheRead, null);
    // The same book again: the row cannot change, so no update is made.
    const again = await priceEvents(s, { book: without });
    assert.deepEqual([again.priced, again.unpriced], [0, 1]);
    // The cache-read price arrives: the row is completed on the next pass (no reprice needed).
    const filled = await priceEvents(s, { book: withCache });
    assert.deepEqual([filled.priced, filled.unpriced], [1, 0]);
    [row] = await costs(s);
    near(row.cacheRead, (5000 * 0.1) / 1e6, 'cache read now priced');
    near(row.total, (1000 + 5000 * 0.1 + 100 * 2) / 1e6, 'total now complete');
    assert.equal(row.version, withCache.version);
  } finally {
    s.close();
  }
});
