import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  cacheWrite1hTokensFromMessage,
  costOfInvocation,
  resolveModel,
  shippedBook,
  type CostResult,
  type InvocationCost,
} from '../../src/pricing/index.js';
import { near } from './helpers.js';

const book = shippedBook();
const r = (id: string, region = 'us-east-1') => resolveModel(id, region, { book });

function cost(c: CostResult): InvocationCost {
  if (!c.priced) throw new Error(`expected a cost, got unpriced: ${c.reason}`);
  return c.cost;
}

test('record 5 of the examples: 3 input + 24,479 cache write + 52 output on global Opus 4.6', () => {
  // Spec prices for Opus 4.6: input 5, output 25, cache write 5m 6.25 (global = base).
  const c = cost(
    costOfInvocation(
      { inputTokens: 3, cacheReadTokens: 0, cacheWriteTokens: 24479, outputTokens: 52 },
      r('global.anthropic.claude-opus-4-6-v1', 'us-west-2'),
    ),
  );
  near(c.input, (3 * 5) / 1e6, 'input');
  near(c.cacheWrite, (24479 * 6.25) / 1e6, 'cache write');
  near(c.output, (52 * 25) / 1e6, 'output');
  near(c.cacheRead, 0, 'cache read');
  near(c.total, 0.000015 + 0.15299375 + 0.0013, 'total');
  assert.equal(c.priceVersion, book.version);
  assert.equal(c.longContext, false);
});

test('cache reads are priced at the cache-read rate, not as input', () => {
  // Claude 3 Haiku: input 0.25, cache read 0.025.
  const c = cost(
    costOfInvocation(
      { inputTokens: 1000, cacheReadTokens: 100_000, outputTokens: 0 },
      r('anthropic.claude-3-haiku-20240307-v1:0'),
    ),
  );
  near(c.input, 0.00025, 'input');
  near(c.cacheRead, 0.0025, 'cache read');
  near(c.total, 0.00275, 'total');
});

test('cache writes: 5-minute rate by default, 1-hour tokens at the 1-hour rate when the split is known', () => {
  const haiku45 = r('anthropic.claude-haiku-4-5-20251001-v1:0'); // 5m 1.25, 1h 2 (spec)
  near(cost(costOfInvocation({ cacheWriteTokens: 1000 }, haiku45)).cacheWrite, (1000 * 1.25) / 1e6, 'no split');
  near(
    cost(costOfInvocation({ cacheWriteTokens: 1000, cacheWrite1hTokens: 400 }, haiku45)).cacheWrite,
    (600 * 1.25) / 1e6 + (400 * 2) / 1e6,
    'split',
  );
  near(
    cost(costOfInvocation({ cacheWriteTokens: 1000, cacheWrite1hTokens: 1000 }, haiku45)).cacheWrite,
    0.002,
    'all 1h',
  );
});

test('the 1-hour split is read from kept response bodies (Anthropic native, stream chunk, Converse cacheDetails)', () => {
  assert.equal(
    cacheWrite1hTokensFromMessage(
      JSON.stringify({
        output: {
          outputBodyJson: {
            usage: { cache_creation: { ephemeral_5m_input_tokens: 10, ephemeral_1h_input_tokens: 400 } },
          },
        },
      }),
    ),
    400,
  );
  assert.equal(
    cacheWrite1hTokensFromMessage(
      JSON.stringify({
        output: {
          outputBodyJson: [
            { type: 'message_start', message: { usage: { cache_creation: { ephemeral_1h_input_tokens: 7 } } } },
          ],
        },
      }),
    ),
    7,
  );
  assert.equal(
    cacheWrite1hTokensFromMessage(
      JSON.stringify({
        output: {
          outputBodyJson: {
            usage: {
              cacheDetails: [
                { inputTokens: 5, ttl: '1h' },
                { inputTokens: 9, ttl: '5m' },
                { inputTokens: 2, ttl: '1h' },
              ],
            },
          },
        },
      }),
    ),
    7,
  );
  assert.equal(cacheWrite1hTokensFromMessage(JSON.stringify({ output: { outputTokenCount: 3 } })), 0);
  assert.equal(cacheWrite1hTokensFromMessage('not json'), 0);
});

test('long context: a Sonnet 4.5 prompt over 200K tokens is priced at 2x input, 1.5x output, 2x cache (spec)', () => {
  const sonnet45 = r('anthropic.claude-sonnet-4-5-20250929-v1:0'); // 3 / 15 / 0.3 / 3.75
  // 6 input + 225,913 cache write (record 6's counts) = 225,919 prompt tokens > 200K.
  const lc = cost(costOfInvocation({ inputTokens: 6, cacheWriteTokens: 225_913, outputTokens: 167 }, sonnet45));
  assert.equal(lc.longContext, true);
  near(lc.input, (6 * 6) / 1e6, 'input at 2x 3');
  near(lc.cacheWrite, (225_913 * 7.5) / 1e6, 'cache write at 2x 3.75');
  near(lc.output, (167 * 22.5) / 1e6, 'output at 1.5x 15');
  // The same request just under the threshold stays at the normal tier.
  const normal = cost(costOfInvocation({ inputTokens: 6, cacheWriteTokens: 199_994, outputTokens: 167 }, sonnet45));
  assert.equal(normal.longContext, false);
  near(normal.output, (167 * 15) / 1e6, 'output at 15');
  // Opus 4.7 has no long-context tier in the data: record 6 stays at the normal price.
  const opus = cost(
    costOfInvocation(
      { inputTokens: 6, cacheWriteTokens: 225_913, outputTokens: 167 },
      r('global.anthropic.claude-opus-4-7', 'us-west-2'),
    ),
  );
  assert.equal(opus.longContext, false);
  near(opus.cacheWrite, (225_913 * 6.25) / 1e6, 'opus cache write');
});

test('a failed invocation costs 0, even for a model without a price', () => {
  for (const id of ['anthropic.claude-3-haiku-20240307-v1:0', 'acme.unknown-v1']) {
    const c = cost(costOfInvocation({ inputTokens: 100, outputTokens: 50, errorCode: 'ThrottlingException' }, r(id)));
    assert.deepEqual([c.input, c.output, c.cacheRead, c.cacheWrite, c.total], [0, 0, 0, 0, 0]);
  }
  // An empty errorCode is not a failure.
  assert.ok(
    cost(costOfInvocation({ inputTokens: 1_000_000, errorCode: '' }, r('anthropic.claude-3-haiku-20240307-v1:0')))
      .total > 0,
  );
});

test('missing token counts are 0', () => {
  const c = cost(costOfInvocation({ inputTokens: 10, outputTokens: 20 }, r('amazon.titan-text-express-v1')));
  near(c.total, (10 * 1.3) / 1e6 + (20 * 1.7) / 1e6, 'total');
  near(cost(costOfInvocation({}, r('amazon.titan-text-express-v1'))).total, 0, 'no tokens at all');
});

test('an unknown model is unpriced; a cache class without a price leaves only that class unpriced, never $0', () => {
  assert.equal(costOfInvocation({ inputTokens: 10, outputTokens: 10 }, r('acme.unknown-v1')).priced, false);
  // Nova 2 Lite has a cache-read price in the data but no cache-write price: input, output and
  // cache reads are priced, the cache writes stay unpriced and are counted.
  const nova2 = cost(
    costOfInvocation(
      { inputTokens: 10, cacheReadTokens: 200, cacheWriteTokens: 500, outputTokens: 10 },
      r('amazon.nova-2-lite-v1:0'),
    ),
  );
  assert.equal(nova2.cacheWrite, null);
  near(nova2.cacheRead, (200 * 0.075) / 1e6, 'cache read priced');
  near(nova2.total, (10 * 0.3 + 200 * 0.075 + 10 * 2.5) / 1e6, 'total = the priced classes');
  assert.deepEqual([nova2.unpriced, nova2.unpricedTokens], [['cacheWrite'], 500]);
  // Without cache writes the same model is fully priced.
  const plain = cost(
    costOfInvocation({ inputTokens: 10, cacheReadTokens: 200, outputTokens: 10 }, r('amazon.nova-2-lite-v1:0')),
  );
  assert.deepEqual([plain.unpriced, plain.unpricedTokens], [[], 0]);
  // Nova v1 cache reads are priced with AWS's rate (LiteLLM's data has none), and its cache writes at $0.
  const nova = cost(
    costOfInvocation(
      { inputTokens: 10, cacheReadTokens: 500, cacheWriteTokens: 100, outputTokens: 10 },
      r('amazon.nova-pro-v1:0'),
    ),
  );
  near(nova.cacheRead, (500 * 0.2) / 1e6, 'Nova Pro cache read');
  assert.equal(nova.cacheWrite, 0);
  assert.deepEqual(nova.unpriced, []);
});
