// `prices update --from` with the AWS Price List offer file of Amazon Bedrock. The fixture holds
// real offer records (test/fixtures/README.md); every expected price below was worked out by hand
// from the fixture's pricePerUnit.USD and unit, not read back from the code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  loadPriceBook,
  PRICES_ENV,
  pricesFromAwsOffer,
  resolveModel,
  shippedBook,
  updateBook,
  type AwsOfferFile,
} from '../../src/pricing/index.js';
import { isBiError } from '../../src/util/errors.js';
import { AWS_OFFER_SAMPLE } from '../fixtures/paths.js';
import { isolate, near, runPrices, writeJson } from './helpers.js';

const offer = (): AwsOfferFile => JSON.parse(readFileSync(AWS_OFFER_SAMPLE, 'utf8')) as AwsOfferFile;

const price = (id: string, region: string) => {
  const r = resolveModel(id, region, { book: loadPriceBook() });
  assert.ok(r.priced, `${id} in ${region} is priced`);
  return r.prices;
};

test('the offer file: on-demand standard token prices per model and region, per 1M tokens; batch, flex, mantle and half prices left out', () => {
  const aws = pricesFromAwsOffer(offer(), 'sample');
  const by = new Map(aws.entries.map((e) => [`${e.model}@${e.region}`, e] as const));
  assert.deepEqual([...by.keys()].sort(), ['amazon.nova-pro-v1:0@ap-northeast-1', 'zai.glm-5@ap-northeast-1']);
  // MW5E2RRQFRGR96C3 0.00096 / NGEWXEWTZRVVAR4Q 0.00384 / C32RSZ93XHBRBRY7 0.00024 per 1K tokens.
  assert.deepEqual(by.get('amazon.nova-pro-v1:0@ap-northeast-1')!.prices, {
    input: 0.96,
    output: 3.84,
    cacheRead: 0.24,
    cacheWrite5m: null,
    cacheWrite1h: null,
  });
  // XWC25SAQMK2UTMY9 0.0012 / 25DCN3EFASRTQK5W 0.00384 per 1K; the -mantle-…-standard twins are not used.
  assert.deepEqual(by.get('zai.glm-5@ap-northeast-1')!.prices, {
    input: 1.2,
    output: 3.84,
    cacheRead: null,
    cacheWrite5m: null,
    cacheWrite1h: null,
  });
  for (const e of aws.entries) assert.equal(e.profile, null, 'in-region prices are base-id entries');
  // Claude 3 Haiku has an input SKU and no output SKU in the offer: never a half price.
  assert.deepEqual(
    aws.dropped.map((d) => d.sourceKey),
    ['aws:anthropic.claude-3-haiku-20240307-v1:0@us-east-1 (KMZFVEBPVFAP5FUF)'],
  );
  assert.match(aws.dropped[0].reason, /no output price/);
  // Two bedrock-mantle standard twins, the flex and the batch SKU.
  assert.equal(aws.skipped, 4);
  assert.deepEqual(aws.unmapped, {});
  assert.equal(aws.published, '2026-08-26');
});

test('units: a price per 1K tokens is multiplied by 1,000, one per 1M is taken as is, any other unit is refused', () => {
  // Synthetic variants of the real Nova Pro records: the same price written per 1M tokens, and an hourly unit.
  const o = offer();
  const dim = (sku: string) => Object.values(Object.values(o.terms.OnDemand![sku])[0].priceDimensions!)[0];
  Object.assign(dim('MW5E2RRQFRGR96C3'), { unit: '1M tokens', pricePerUnit: { USD: '0.9600000000' } });
  Object.assign(dim('NGEWXEWTZRVVAR4Q'), { unit: '1K tokens', pricePerUnit: { USD: '0.0038400000' } });
  let nova = pricesFromAwsOffer(o, 's').entries.find((e) => e.model === 'amazon.nova-pro-v1:0')!;
  assert.deepEqual([nova.prices.input, nova.prices.output], [0.96, 3.84]);
  Object.assign(dim('MW5E2RRQFRGR96C3'), { unit: '1M tokens', pricePerUnit: { USD: '0.0009600000' } });
  nova = pricesFromAwsOffer(o, 's').entries.find((e) => e.model === 'amazon.nova-pro-v1:0')!;
  near(nova.prices.input, 0.00096, 'a per-1M price is not scaled again');
  Object.assign(dim('MW5E2RRQFRGR96C3'), { unit: 'Hrs', pricePerUnit: { USD: '0.96' } });
  const refused = pricesFromAwsOffer(o, 's');
  assert.ok(!refused.entries.some((e) => e.model === 'amazon.nova-pro-v1:0'), 'an hourly unit is no token price');
  assert.ok(refused.dropped.some((d) => /MW5E2RRQFRGR96C3.*unit "Hrs"/.test(d.sourceKey + d.reason)));
  Object.assign(dim('MW5E2RRQFRGR96C3'), { unit: '1K tokens', pricePerUnit: { USD: 'n/a' } });
  assert.ok(pricesFromAwsOffer(o, 's').dropped.some((d) => /pricePerUnit\.USD "n\/a"/.test(d.reason)));
});

test('prices update --from the AWS offer file: the diff lists added and changed prices per model and region; the rest of the book stays', async () => {
  const iso = isolate();
  try {
    const dry = await runPrices(['prices', 'update', '--from', AWS_OFFER_SAMPLE, '--dry-run']);
    assert.match(dry, /AWS Price List offer file \(AmazonBedrock\)/);
    const shipped = shippedBook();
    assert.match(
      dry,
      new RegExp(
        `${shipped.version.replace(/\./g, '\\.')} .*-> ${shipped.version.replace(/\./g, '\\.')}\\.awspl-2026-08-26 \\(data of 2026-08-26\\): 0 changed, 2 added, ${shipped.entries.length} unchanged`,
      ),
    );
    // Nova's cache write: the book's AWS supplement ($0 per 1M), as the offer extract has no cache-write SKU.
    assert.match(
      dry,
      /ADDED +amazon\.nova-pro-v1:0 +ap-northeast-1 +input 0\.96, output 3\.84, cacheRead 0\.24, cacheWrite5m 0/,
    );
    assert.match(dry, /ADDED +zai\.glm-5 +ap-northeast-1 +input 1\.2, output 3\.84\n/);
    assert.match(dry, /anthropic\.claude-3-haiku-20240307-v1:0@us-east-1 .*no output price/);
    assert.equal(existsSync(iso.bookPath), false);

    await runPrices(['prices', 'update', '--from', AWS_OFFER_SAMPLE]);
    const book = loadPriceBook();
    assert.equal(book.version, `${shipped.version}.awspl-2026-08-26+test`);
    assert.equal(book.retrieved, '2026-08-26');
    assert.deepEqual(
      [price('amazon.nova-pro-v1:0', 'ap-northeast-1').input, price('amazon.nova-pro-v1:0', 'us-east-1').input],
      [0.96, 0.8],
      'the regional AWS price applies in its region only',
    );
    assert.equal(price('apac.amazon.nova-pro-v1:0', 'ap-northeast-1').input, 0.84, 'profiles keep their prices');
    assert.equal(price('anthropic.claude-3-haiku-20240307-v1:0', 'us-east-1').output, 1.25, 'no half price');

    // A later offer changes a price (a synthetic edit of the real record): the diff says what changed.
    const later = offer();
    later.publicationDate = '2026-09-01T00:00:00Z';
    const dims = Object.values(later.terms.OnDemand!.MW5E2RRQFRGR96C3)[0].priceDimensions!;
    Object.values(dims)[0].pricePerUnit = { USD: '0.0010000000' };
    const file = writeJson(iso.dir, 'index.json', later);
    const second = await runPrices(['prices', 'update', '--from', file]);
    assert.match(second, /\.awspl-2026-08-26 .*-> .*\.aws-2026-12-04\.awspl-2026-09-01 .*1 changed, 0 added/);
    assert.match(second, /CHANGED +amazon\.nova-pro-v1:0 +ap-northeast-1 +input 0\.96 -> 1\n/);
    assert.equal(price('amazon.nova-pro-v1:0', 'ap-northeast-1').input, 1);
  } finally {
    iso.restore();
  }
});

test('an unknown, garbled or other-service file is refused with a code and the formats that are accepted; nothing is written', () => {
  const iso = isolate();
  try {
    const code = (file: string): string => {
      try {
        updateBook({ from: file, current: shippedBook() });
      } catch (e) {
        assert.ok(isBiError(e), String(e));
        return `${e.code}: ${e.message}`;
      }
      return 'accepted';
    };
    assert.match(
      code(writeJson(iso.dir, 'a.json', { foo: 1, products: [] })),
      /^PRICE_SOURCE_INVALID: .*Accepted: LiteLLM's model_prices_and_context_window\.json.*AWS Price List offer file of Amazon Bedrock/,
    );
    assert.match(
      code(writeJson(iso.dir, 'b.json', '{"formatVersion":"v1.0","offerCode":"AmazonBed')),
      /^PRICE_SOURCE_INVALID: .*not valid JSON/,
    );
    assert.match(
      code(writeJson(iso.dir, 'c.json', { formatVersion: 'v1.0', offerCode: 'AmazonEC2', products: {}, terms: {} })),
      /^PRICE_SOURCE_UNSUPPORTED: .*offer file of AmazonEC2, not of AmazonBedrock/,
    );
    // An AmazonBedrock offer whose models have no known id: the names are listed, nothing is guessed.
    const renamed = offer();
    for (const p of Object.values(renamed.products)) if (p.attributes) p.attributes.model = 'Some Future Model';
    assert.match(
      code(writeJson(iso.dir, 'd.json', renamed)),
      /^PRICE_SOURCE_INVALID: .*models without a mapping: Some Future Model \(6 SKUs\)/,
    );
    assert.match(
      code(join(iso.dir, 'absent.json')),
      /^PRICE_SOURCE_MISSING: Cannot read .*absent\.json.*AWS Price List offer file/,
    );
    assert.equal(existsSync(iso.bookPath), false);
  } finally {
    iso.restore();
  }
});

test('the prices file applies on top of a book from the AWS offer: a profile id’s own discount over its base id’s over the global one; its own prices are not discounted', async () => {
  const iso = isolate();
  try {
    await runPrices(['prices', 'update', '--from', AWS_OFFER_SAMPLE]);
    process.env[PRICES_ENV] = writeJson(iso.dir, 'prices.json', {
      version: 'edp',
      discount: {
        percent: 10,
        models: { 'amazon.nova-pro-v1:0': 20, 'apac.amazon.nova-pro-v1:0': 50 },
      },
      prices: [{ model: 'zai.glm-5', region: 'ap-northeast-1', input: 1, output: 3 }],
    });
    const book = loadPriceBook();
    assert.equal(book.version, `${shippedBook().version}.awspl-2026-08-26+edp+discount-10pct-per-model`);
    near(price('amazon.nova-pro-v1:0', 'ap-northeast-1').input, 0.768, 'the AWS price 0.96 - 20% (its base id)');
    near(price('apac.amazon.nova-pro-v1:0', 'ap-northeast-1').input, 0.42, 'the apac. profile: 0.84 - its own 50%');
    near(price('us.amazon.nova-pro-v1:0', 'us-east-1').input, 0.64, 'the us. profile: 0.8 - its base id 20%');
    near(price('anthropic.claude-3-haiku-20240307-v1:0', 'us-east-1').input, 0.225, 'other models: 0.25 - 10%');
    assert.deepEqual(
      [price('zai.glm-5', 'ap-northeast-1').input, price('zai.glm-5', 'ap-northeast-1').output],
      [1, 3],
      'the prices file overrides the AWS entry, and is taken as paid',
    );
  } finally {
    iso.restore();
  }
});
