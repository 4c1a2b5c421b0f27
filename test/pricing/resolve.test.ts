import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  extendBook,
  parseModelId,
  parseUserFile,
  resolveModel,
  shippedBook,
  type PricedResolution,
  type Resolution,
} from '../../src/pricing/index.js';
import { near } from './helpers.js';

const book = shippedBook();

function priced(r: Resolution): PricedResolution {
  if (!r.priced) throw new Error(`expected a price for ${r.modelId}, got unpriced: ${r.reason}`);
  return r;
}

/** [input, output, cacheRead, cacheWrite5m, cacheWrite1h] from the spec's table (section 4). */
function assertPrices(
  r: Resolution,
  expected: [number, number, number | null, number | null, number | null],
  label: string,
): void {
  const p = priced(r).prices;
  near(p.input, expected[0], `${label} input`);
  near(p.output, expected[1], `${label} output`);
  for (const [got, want, name] of [
    [p.cacheRead, expected[2], 'cacheRead'],
    [p.cacheWrite5m, expected[3], 'cacheWrite5m'],
    [p.cacheWrite1h, expected[4], 'cacheWrite1h'],
  ] as const) {
    if (want === null) assert.equal(got, null, `${label} ${name} should have no price`);
    else near(got, want, `${label} ${name}`);
  }
}

test('the spec table prices of base ids (section 4)', () => {
  const at = (id: string, region = 'us-east-1') => resolveModel(id, region, { book });
  assertPrices(at('anthropic.claude-opus-4-7'), [5, 25, 0.5, 6.25, 10], 'opus 4.7');
  assertPrices(at('anthropic.claude-opus-4-6-v1'), [5, 25, 0.5, 6.25, 10], 'opus 4.6');
  assertPrices(at('anthropic.claude-opus-4-5-20251101-v1:0'), [5, 25, 0.5, 6.25, 10], 'opus 4.5');
  assertPrices(at('anthropic.claude-opus-4-1-20250805-v1:0'), [15, 75, 1.5, 18.75, null], 'opus 4.1');
  assertPrices(at('anthropic.claude-sonnet-4-6'), [3, 15, 0.3, 3.75, 6], 'sonnet 4.6');
  assertPrices(at('anthropic.claude-sonnet-4-5-20250929-v1:0'), [3, 15, 0.3, 3.75, 6], 'sonnet 4.5');
  assertPrices(at('anthropic.claude-haiku-4-5-20251001-v1:0'), [1, 5, 0.1, 1.25, 2], 'haiku 4.5');
  assertPrices(at('anthropic.claude-3-5-haiku-20241022-v1:0'), [0.8, 4, 0.08, 1, null], 'claude 3.5 haiku');
  assertPrices(at('anthropic.claude-3-haiku-20240307-v1:0'), [0.25, 1.25, 0.025, 0.3125, null], 'claude 3 haiku');
  assertPrices(at('amazon.nova-micro-v1:0'), [0.035, 0.14, 0.00875, 0, null], 'nova micro (cache: AWS)');
  assertPrices(at('amazon.nova-lite-v1:0'), [0.06, 0.24, 0.015, 0, null], 'nova lite (cache: AWS)');
  assertPrices(at('amazon.nova-pro-v1:0'), [0.8, 3.2, 0.2, 0, null], 'nova pro (cache: AWS)');
  assertPrices(at('amazon.nova-2-lite-v1:0'), [0.3, 2.5, 0.075, null, null], 'nova 2 lite');
  assertPrices(at('amazon.titan-text-express-v1'), [1.3, 1.7, null, null, null], 'titan express');
  assertPrices(at('meta.llama3-3-70b-instruct-v1:0'), [0.72, 0.72, null, null, null], 'llama 3.3 70b');
  assertPrices(at('mistral.mistral-large-2407-v1:0'), [3, 9, null, null, null], 'mistral large 2407');
  assertPrices(at('openai.gpt-oss-120b-1:0'), [0.15, 0.6, null, null, null], 'gpt-oss-120b');
  assertPrices(at('us.amazon.nova-premier-v1:0'), [2.5, 12.5, 0.625, 0, null], 'nova premier (us. only)');
  assertPrices(at('us.deepseek.r1-v1:0'), [1.35, 5.4, null, null, null], 'deepseek r1 (us. only)');
});

test('region-specific prices: Mistral Large 2402 in eu-west-3 is 10.4/31.2, in the US 8/24 (spec)', () => {
  assertPrices(
    resolveModel('mistral.mistral-large-2402-v1:0', 'eu-west-3', { book }),
    [10.4, 31.2, null, null, null],
    'eu-west-3',
  );
  assertPrices(
    resolveModel('mistral.mistral-large-2402-v1:0', 'us-east-1', { book }),
    [8, 24, null, null, null],
    'us-east-1',
  );
  // A region without its own entry takes the default price.
  assertPrices(
    resolveModel('mistral.mistral-large-2402-v1:0', 'eu-central-1', { book }),
    [8, 24, null, null, null],
    'eu-central-1',
  );
});

test('cross-region profiles: global = base, geographic +10% for Claude 4.5 and newer, same price for older models', () => {
  assertPrices(
    resolveModel('global.anthropic.claude-sonnet-4-6', 'us-east-1', { book }),
    [3, 15, 0.3, 3.75, 6],
    'global sonnet 4.6',
  );
  assertPrices(
    resolveModel('us.anthropic.claude-sonnet-4-6', 'us-east-1', { book }),
    [3.3, 16.5, 0.33, 4.125, 6.6],
    'us sonnet 4.6',
  );
  assertPrices(
    resolveModel('eu.anthropic.claude-haiku-4-5-20251001-v1:0', 'eu-west-1', { book }),
    [1.1, 5.5, 0.11, 1.375, 2.2],
    'eu haiku 4.5',
  );
  assertPrices(
    resolveModel('us.anthropic.claude-3-haiku-20240307-v1:0', 'us-east-1', { book }),
    [0.25, 1.25, 0.025, 0.3125, null],
    'us claude 3 haiku',
  );
  assertPrices(
    resolveModel('us.anthropic.claude-opus-4-1-20250805-v1:0', 'us-east-1', { book }),
    [15, 75, 1.5, 18.75, null],
    'us opus 4.1',
  );
});

test('a geographic profile missing from the data is derived from the base price (+10% for Claude 4.5+)', () => {
  // jp.anthropic.claude-opus-4-6-v1 is not in the LiteLLM extract; base opus 4.6 is 5/25/0.5/6.25/10.
  const r = priced(resolveModel('jp.anthropic.claude-opus-4-6-v1', 'ap-northeast-1', { book }));
  assertPrices(r, [5.5, 27.5, 0.55, 6.875, 11], 'jp opus 4.6');
  assert.match(r.via.join(' '), /\+ 10%/);
  // Older models' geographic profiles cost the base price: apac. Claude 3 Opus is not in the data either.
  assertPrices(
    resolveModel('apac.anthropic.claude-3-opus-20240229-v1:0', 'ap-southeast-2', { book }),
    [15, 75, 1.5, 18.75, null],
    'apac claude 3 opus',
  );
});

test('Nova under eu. and apac. carries the higher regional prices', () => {
  const base = priced(resolveModel('amazon.nova-micro-v1:0', 'us-east-1', { book })).prices.input;
  const eu = priced(resolveModel('eu.amazon.nova-micro-v1:0', 'eu-west-1', { book })).prices.input;
  const apac = priced(resolveModel('apac.amazon.nova-micro-v1:0', 'ap-northeast-1', { book })).prices.input;
  assert.equal(base, 0.035);
  assert.ok(eu > base, `eu ${eu} should be above ${base}`);
  assert.ok(apac > base, `apac ${apac} should be above ${base}`);
});

test('the modelIds of the real example records all resolve (bedrock-log-examples.jsonl)', () => {
  // modelId and region of the 10 records, copied from ../shared/data/bedrock-log-examples.jsonl.
  const records: [string, string | null, string | null][] = [
    ['amazon.nova-lite-v1:0', 'us-east-1', 'amazon.nova-lite-v1:0'],
    ['anthropic.claude-v2:1', 'ap-northeast-1', 'anthropic.claude-v2:1'],
    ['amazon.titan-text-express-v1', 'ap-northeast-1', 'amazon.titan-text-express-v1'],
    ['global.anthropic.claude-opus-4-5-20251101-v1:0', 'us-west-2', 'anthropic.claude-opus-4-5-20251101-v1:0'],
    ['global.anthropic.claude-opus-4-6-v1', 'us-west-2', 'anthropic.claude-opus-4-6-v1'],
    [
      'arn:aws:bedrock:us-west-2:565521294060:inference-profile/global.anthropic.claude-opus-4-7',
      'us-west-2',
      'anthropic.claude-opus-4-7',
    ],
    ['anthropic.claude-3-haiku-20240307-v1:0', 'us-east-1', 'anthropic.claude-3-haiku-20240307-v1:0'],
    [
      'arn:aws:bedrock:us-west-2:...:inference-profile/global.anthropic.claude-opus-4-6-v1',
      null,
      'anthropic.claude-opus-4-6-v1',
    ],
    ['apac.amazon.nova-micro-v1:0', 'ap-northeast-1', 'amazon.nova-micro-v1:0'],
    ['arn:aws:bedrock:<region>:<account-id>:application-inference-profile/<random-id>', '<region>', null],
  ];
  for (const [id, region, model] of records) {
    const r = resolveModel(id, region, { book });
    if (model === null) {
      assert.equal(r.priced, false, `${id} must stay unpriced without a mapping`);
      assert.match((r as { hint: string }).hint, /get-inference-profile/);
    } else {
      assert.equal(priced(r).model, model, id);
    }
  }
  // Record 8 has no region: the ARN's region is used.
  assert.equal(
    resolveModel('arn:aws:bedrock:us-west-2:...:inference-profile/global.anthropic.claude-opus-4-6-v1', null, { book })
      .region,
    'us-west-2',
  );
  // Claude v2.1 in ap-northeast-1 is a region-specific entry: 8/24.
  assertPrices(
    resolveModel('anthropic.claude-v2:1', 'ap-northeast-1', { book }),
    [8, 24, null, null, null],
    'claude v2.1 tokyo',
  );
});

test('model id forms are taken apart', () => {
  assert.deepEqual(
    (({ form, profile, model, arnRegion }) => ({ form, profile, model, arnRegion }))(
      parseModelId('arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.anthropic.claude-sonnet-4-6'),
    ),
    { form: 'inference-profile-arn', profile: 'eu', model: 'anthropic.claude-sonnet-4-6', arnRegion: 'eu-west-1' },
  );
  assert.equal(
    parseModelId('arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0').model,
    'anthropic.claude-3-haiku-20240307-v1:0',
  );
  assert.equal(parseModelId('us-gov.anthropic.claude-sonnet-4-5-20250929-v1:0').profile, 'us-gov');
  assert.equal(parseModelId('au.anthropic.claude-sonnet-4-6').profile, 'au');
  assert.equal(parseModelId('arn:aws:bedrock:us-east-1:123456789012:provisioned-model/abc').form, 'other-arn');
  assert.equal(parseModelId('').form, 'empty');
});

test('foundation-model ARNs and dated/version suffixes resolve to the book entry', () => {
  assertPrices(
    resolveModel('arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0', 'us-east-1', {
      book,
    }),
    [0.25, 1.25, 0.025, 0.3125, null],
    'foundation-model arn',
  );
  // Context-window variant suffix.
  assertPrices(
    resolveModel('anthropic.claude-3-haiku-20240307-v1:0:200k', 'us-east-1', { book }),
    [0.25, 1.25, 0.025, 0.3125, null],
    ':200k variant',
  );
  // A date-less id goes to the newest dated model of its family; 3.7 Sonnet is 3/15.
  const r = priced(resolveModel('anthropic.claude-3-7-sonnet', 'us-east-1', { book }));
  assert.equal(r.model, 'anthropic.claude-3-7-sonnet-20250219-v1:0');
  near(r.prices.input, 3, '3.7 sonnet input');
  // A version suffix the book does not spell the same way.
  assert.equal(
    priced(resolveModel('anthropic.claude-opus-4-6-v1:0', 'us-east-1', { book })).model,
    'anthropic.claude-opus-4-6-v1',
  );
});

test('unknown models, placeholder $0 prices and provisioned ARNs are unpriced, never free', () => {
  for (const id of [
    'acme.unknown-model-v1',
    'anthropic.claude-mythos-preview',
    'arn:aws:bedrock:us-east-1:123456789012:provisioned-model/abc',
    '',
    'bedrock_mantle/openai.gpt-5.5',
  ]) {
    const r = resolveModel(id, 'us-east-1', { book });
    assert.equal(r.priced, false, `${id || '(empty)'} must be unpriced`);
    assert.ok((r as { reason: string }).reason.length > 0);
  }
  // No shipped entry has a $0 input and output.
  assert.equal(book.entries.filter((e) => e.prices.input === 0 && e.prices.output === 0).length, 0);
});

test('application-inference-profile ARNs resolve through the user mapping', () => {
  const arn = 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6';
  const text = JSON.stringify({ applicationProfiles: { [arn]: 'us.anthropic.claude-sonnet-4-6' } });
  const withMap = extendBook(book, parseUserFile(text, 'prices.json'), 'prices.json', text);
  const r = priced(resolveModel(arn, 'us-east-1', { book: withMap }));
  assert.equal(r.model, 'anthropic.claude-sonnet-4-6');
  assert.equal(r.profile, 'us');
  near(r.prices.input, 3.3, 'mapped us. sonnet 4.6 input');
  assert.equal(resolveModel(arn, 'us-east-1', { book }).priced, false, 'without the mapping it stays unpriced');
  // Another ARN of the same kind is not mapped by this one.
  assert.equal(resolveModel(arn.replace('a1b2c3d4e5f6', 'zzz'), 'us-east-1', { book: withMap }).priced, false);
});
