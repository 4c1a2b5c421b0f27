import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Store } from '../../src/store/store.js';
import { UNPRICED_PARTS_SQL, UNPRICED_TOKENS_SQL } from '../../src/logs/hot-fields.js';
import {
  costOfInvocation,
  loadPriceBook,
  priceCoverage,
  priceEvents,
  reprice,
  repricePreview,
  resolveModel,
  shippedBook,
} from '../../src/pricing/index.js';
import { costs, DEC_2026, insertRows, near, NOV_2026, tempDir, writeJson, type Row } from './helpers.js';

const book = shippedBook();

async function withStore(fn: (s: Store) => Promise<void>): Promise<void> {
  const s = await Store.open(':memory:', { threads: 1, memoryLimit: '256MB' });
  try {
    await fn(s);
  } finally {
    s.close();
  }
}

const ROWS: Row[] = [
  // 0: record 5 of the examples, global Opus 4.6 (5 / 25 / cache write 6.25).
  {
    modelId: 'global.anthropic.claude-opus-4-6-v1',
    region: 'us-west-2',
    input: 3,
    cacheRead: 0,
    cacheWrite: 24479,
    output: 52,
  },
  // 1: Claude 3 Haiku, old record without cache counts (0.25 / 1.25).
  { modelId: 'anthropic.claude-3-haiku-20240307-v1:0', region: 'us-east-1', input: 35, output: 446 },
  // 2: a failed invocation.
  {
    modelId: 'anthropic.claude-3-haiku-20240307-v1:0',
    region: 'us-east-1',
    input: 500,
    output: 0,
    errorCode: 'ValidationException',
  },
  // 3: an unknown model.
  { modelId: 'acme.unknown-model-v1', region: 'us-east-1', input: 1000, output: 100 },
  // 4: an unmapped application-inference-profile ARN.
  {
    modelId: 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3',
    region: 'us-east-1',
    input: 3,
    cacheWrite: 28857,
    output: 142,
  },
  // 5: a generic (non-Bedrock) event: never priced.
  { kind: 'generic', modelId: null, region: null },
  // 6: Sonnet 4.5 long context in us-east-1 (6 / 22.5 / 7.5 above 200K).
  {
    modelId: 'anthropic.claude-sonnet-4-5-20250929-v1:0',
    region: 'us-east-1',
    input: 6,
    cacheWrite: 225_913,
    output: 167,
  },
  // 7: Haiku 4.5 with a kept Anthropic body splitting 400 of 1000 cache writes to the 1-hour TTL (1.25 / 2).
  {
    modelId: 'anthropic.claude-haiku-4-5-20251001-v1:0',
    region: 'us-east-1',
    input: 0,
    cacheWrite: 1000,
    output: 0,
    message: JSON.stringify({
      output: {
        outputBodyJson: {
          usage: { cache_creation: { ephemeral_5m_input_tokens: 600, ephemeral_1h_input_tokens: 400 } },
        },
      },
    }),
  },
  // 8: Nova 2 Lite with cache reads and writes: the book has its cache-read price (0.075) but no
  // cache-write price, so input, output and cache reads are priced and the cache writes are not.
  { modelId: 'amazon.nova-2-lite-v1:0', region: 'us-east-1', input: 10, cacheRead: 200, cacheWrite: 500, output: 10 },
  // 9: Nova Pro with cache reads: AWS's cache-read price (0.2), which LiteLLM's data lacks.
  { modelId: 'amazon.nova-pro-v1:0', region: 'us-east-1', input: 10, cacheRead: 500, output: 10 },
];

test('priceEvents fills the cost columns of Bedrock rows and leaves the unpriceable ones NULL', async () => {
  await withStore(async (s) => {
    await insertRows(s, ROWS);
    const res = await priceEvents(s, { book });
    assert.equal(res.version, book.version);
    assert.equal(res.priced, 7, 'rows 0, 1, 2, 6, 7, 9 and row 8 but for its cache writes');
    assert.equal(res.unpriced, 3, 'rows 3, 4 wholly, row 8 partly');
    assert.equal(res.partlyPriced, 1, 'row 8');
    assert.equal(res.unpricedTokens, 1100 + (3 + 28857 + 142) + 500);
    const c = await costs(s);
    near(c[0].input, (3 * 5) / 1e6, 'r0 input');
    near(c[0].cacheWrite, (24479 * 6.25) / 1e6, 'r0 cache write');
    near(c[0].output, (52 * 25) / 1e6, 'r0 output');
    near(c[0].cacheRead, 0, 'r0 cache read');
    near(c[0].total, 0.15430875, 'r0 total');
    assert.equal(c[0].version, book.version);
    near(c[1].total, (35 * 0.25) / 1e6 + (446 * 1.25) / 1e6, 'r1 total');
    near(c[1].cacheRead, 0, 'r1: absent cache counts are 0');
    assert.deepEqual(
      [c[2].input, c[2].output, c[2].cacheRead, c[2].cacheWrite, c[2].total],
      [0, 0, 0, 0, 0],
      'failed = 0',
    );
    assert.equal(c[2].version, book.version);
    for (const i of [3, 4, 5]) {
      assert.deepEqual([c[i].input, c[i].total, c[i].version], [null, null, null], `row ${i} stays unpriced`);
    }
    near(c[6].input, (6 * 6) / 1e6, 'r6 long-context input');
    near(c[6].cacheWrite, (225_913 * 7.5) / 1e6, 'r6 long-context cache write');
    near(c[6].output, (167 * 22.5) / 1e6, 'r6 long-context output');
    near(c[7].cacheWrite, (600 * 1.25) / 1e6 + (400 * 2) / 1e6, 'r7 1-hour split from the kept body');
    // Row 8 is priced but for its cache writes: their cost is NULL (never $0), the rest is priced.
    near(c[8].input, (10 * 0.3) / 1e6, 'r8 input');
    near(c[8].cacheRead, (200 * 0.075) / 1e6, 'r8 cache read');
    assert.equal(c[8].cacheWrite, null, 'r8 cache writes have no price');
    near(c[8].output, (10 * 2.5) / 1e6, 'r8 output');
    near(c[8].total, (10 * 0.3 + 200 * 0.075 + 10 * 2.5) / 1e6, 'r8 total = the priced part');
    assert.equal(c[8].version, book.version);
    near(c[9].total, (10 * 0.8 + 500 * 0.2 + 10 * 3.2) / 1e6, 'r9 Nova Pro with cache reads');
    const derived = await s.connection.runAndReadAll(
      `SELECT ${UNPRICED_TOKENS_SQL}, ${UNPRICED_PARTS_SQL} FROM events ORDER BY seq`,
    );
    assert.deepEqual(
      derived.getRows().map((r) => [r[0] === null ? null : Number(r[0]), r[1]]),
      [
        [0, null],
        [0, null],
        [0, null],
        [1100, 'all'],
        [3 + 28857 + 142, 'all'],
        [null, null],
        [0, null],
        [0, null],
        [500, 'cacheWrite'],
        [0, null],
      ],
      'cost.unpricedTokens and cost.unpriced per row',
    );
  });
});

test('the SQL pricing equals costOfInvocation row by row', async () => {
  await withStore(async (s) => {
    await insertRows(s, ROWS);
    await priceEvents(s, { book });
    const c = await costs(s);
    ROWS.forEach((r, i) => {
      if (r.kind === 'generic') return;
      const js = costOfInvocation(
        {
          inputTokens: r.input,
          outputTokens: r.output,
          cacheReadTokens: r.cacheRead,
          cacheWriteTokens: r.cacheWrite,
          cacheWrite1hTokens: i === 7 ? 400 : 0,
          errorCode: r.errorCode,
        },
        resolveModel(r.modelId, r.region, { book, at: NOV_2026 }),
      );
      if (!js.priced) assert.equal(c[i].total, null, `row ${i}`);
      else {
        assert.equal(c[i].total, js.cost.total, `row ${i} total`);
        assert.deepEqual(
          [c[i].input, c[i].output, c[i].cacheRead, c[i].cacheWrite],
          [js.cost.input, js.cost.output, js.cost.cacheRead, js.cost.cacheWrite],
          `row ${i}`,
        );
      }
    });
  });
});

test('priceEvents on a fully priced store does nothing; new rows are priced on the next call', async () => {
  await withStore(async (s) => {
    await insertRows(s, ROWS.slice(0, 3));
    assert.equal((await priceEvents(s, { book })).priced, 3);
    const again = await priceEvents(s, { book });
    assert.deepEqual([again.pairs, again.priced, again.unpriced], [0, 0, 0]);
    await insertRows(s, [{ modelId: 'amazon.titan-text-express-v1', region: 'ap-northeast-1', input: 7, output: 11 }]);
    const next = await priceEvents(s, { book });
    assert.deepEqual([next.pairs, next.priced], [1, 1]);
    near((await costs(s))[3].total, (7 * 1.3) / 1e6 + (11 * 1.7) / 1e6, 'titan');
    // Only an unknown model waiting: reported, left NULL; a failed row of that model still gets its 0.
    await insertRows(s, [{ modelId: 'acme.unknown-v1', region: 'us-east-1', input: 5, output: 6 }]);
    const waiting = await priceEvents(s, { book });
    assert.deepEqual([waiting.pairs, waiting.priced, waiting.unpriced, waiting.unpricedTokens], [1, 0, 1, 11]);
    await insertRows(s, [
      { modelId: 'acme.unknown-v1', region: 'us-east-1', input: 5, output: 0, errorCode: 'AccessDeniedException' },
    ]);
    const failed = await priceEvents(s, { book });
    assert.deepEqual([failed.priced, failed.unpriced], [1, 1]);
    const c = await costs(s);
    assert.deepEqual([c[4].total, c[5].total], [null, 0]);
  });
});

test('a user mapping prices application-profile rows on the next pass; dated prices split by event time', async () => {
  const dir = tempDir();
  const arn = 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3';
  const file = writeJson(dir, 'prices.json', {
    version: 'acme-2',
    prices: [{ model: 'anthropic.claude-3-haiku-20240307-v1:0', effective: '2026-12-01', input: 0.5, output: 2.5 }],
    applicationProfiles: { [arn]: 'global.anthropic.claude-opus-4-6-v1' },
  });
  const userBook = loadPriceBook({ pricesFile: file });
  await withStore(async (s) => {
    await insertRows(s, [
      { modelId: arn, region: 'us-east-1', input: 3, cacheWrite: 28857, output: 142 },
      {
        modelId: 'anthropic.claude-3-haiku-20240307-v1:0',
        region: 'us-east-1',
        input: 1000,
        output: 1000,
        ts: NOV_2026,
      },
      {
        modelId: 'anthropic.claude-3-haiku-20240307-v1:0',
        region: 'us-east-1',
        input: 1000,
        output: 1000,
        ts: DEC_2026,
      },
    ]);
    await priceEvents(s, { book });
    assert.equal((await costs(s))[0].total, null, 'unmapped with the shipped book');
    await priceEvents(s, { book: userBook, where: 'all' });
    const c = await costs(s);
    near(c[0].total, (3 * 5) / 1e6 + (28857 * 6.25) / 1e6 + (142 * 25) / 1e6, 'mapped to global opus 4.6');
    assert.equal(c[0].version, `${book.version}+acme-2`);
    near(c[1].total, (1000 * 0.25) / 1e6 + (1000 * 1.25) / 1e6, 'November: the shipped price');
    near(c[2].total, (1000 * 0.5) / 1e6 + (1000 * 2.5) / 1e6, 'December: the dated user price');
  });
});

test('coverage: the share of tokens priced and the unpriced bucket per model', async () => {
  await withStore(async (s) => {
    await insertRows(s, ROWS);
    const before = await priceCoverage(s);
    assert.equal(before.pricedTokens, 0);
    assert.equal(before.share, 0);
    await priceEvents(s, { book });
    const cov = await priceCoverage(s);
    const total = 3 + 24479 + 52 + (35 + 446) + 500 + 1100 + (3 + 28857 + 142) + (6 + 225_913 + 167) + 1000 + 720 + 520;
    assert.equal(cov.tokens, total);
    assert.equal(cov.unpricedTokens, 1100 + 29002 + 500, 'row 8 counts only its unpriced cache writes');
    assert.equal(cov.requests, 9, 'the generic event is not a Bedrock request');
    assert.deepEqual([cov.unpricedRequests, cov.partlyPricedRequests], [3, 1]);
    near(cov.share, (total - 30602) / total, 'share');
    assert.deepEqual(
      cov.unpriced.map((u) => [u.modelId, u.tokens, u.requests]),
      [
        ['arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3', 29002, 1],
        ['acme.unknown-model-v1', 1100, 1],
        ['amazon.nova-2-lite-v1:0', 500, 1],
      ],
    );
    // A time range selects rows by ts; nothing in December.
    const dec = await priceCoverage(s, { from: Date.UTC(2026, 11, 1), to: Date.UTC(2027, 0, 1) });
    assert.deepEqual([dec.tokens, dec.share], [0, null]);
  });
});

test('reprice --dry-run reports the changes per model and month and changes nothing', async () => {
  const dir = tempDir();
  const file = writeJson(dir, 'prices.json', {
    version: 'raise',
    prices: [{ model: 'anthropic.claude-3-haiku-20240307-v1:0', input: 0.5, output: 2.5 }],
  });
  const raised = loadPriceBook({ pricesFile: file });
  await withStore(async (s) => {
    await insertRows(s, [
      {
        modelId: 'anthropic.claude-3-haiku-20240307-v1:0',
        region: 'us-east-1',
        input: 1000,
        output: 1000,
        ts: NOV_2026,
      },
      { modelId: 'anthropic.claude-3-haiku-20240307-v1:0', region: 'us-east-1', input: 2000, output: 0, ts: DEC_2026 },
      { modelId: 'amazon.titan-text-express-v1', region: 'us-east-1', input: 10, output: 10, ts: NOV_2026 },
    ]);
    await priceEvents(s, { book });
    const before = await costs(s);
    const dry = await reprice(s, { book: raised, dryRun: true });
    assert.equal(dry.applied, null);
    assert.deepEqual(await costs(s), before, 'a dry run changes nothing');
    const haiku = dry.changes.filter((c) => c.modelId === 'anthropic.claude-3-haiku-20240307-v1:0');
    assert.deepEqual(
      haiku.map((c) => [c.month, c.rows, c.changedRows]),
      [
        ['2026-11', 1, 1],
        ['2026-12', 1, 1],
      ],
    );
    near(haiku[0].oldCost, 0.00025 + 0.00125, 'Nov old');
    near(haiku[0].newCost, 0.0005 + 0.0025, 'Nov new');
    near(haiku[1].oldCost, 0.0005, 'Dec old');
    near(haiku[1].newCost, 0.001, 'Dec new');
    // Titan's cost does not change; only the book version that priced it.
    const titan = dry.changes.find((c) => c.modelId === 'amazon.titan-text-express-v1');
    assert.deepEqual([titan?.changedRows, titan?.versionOnlyRows], [0, 1]);
    // Same book, nothing to change.
    assert.deepEqual(await repricePreview(s, book), []);
    // Applying changes the rows the preview said.
    const applied = await reprice(s, { book: raised });
    assert.equal(applied.applied?.priced, 3);
    const after = await costs(s);
    near(after[0].total, 0.003, 'Nov applied');
    assert.equal(after[0].version, 'litellm-2026-07-24.aws-2026-12-04+raise');
    assert.equal(after[2].total, before[2].total);
  });
});

test("reprice with 'all' takes a price away when the book no longer has it", async () => {
  const dir = tempDir();
  const arn = 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/zz';
  const text = { applicationProfiles: { [arn]: 'anthropic.claude-3-haiku-20240307-v1:0' } };
  const mapped = loadPriceBook({ pricesFile: writeJson(dir, 'm.json', text) });
  await withStore(async (s) => {
    await insertRows(s, [{ modelId: arn, region: 'us-east-1', input: 1000, output: 0 }]);
    await priceEvents(s, { book: mapped });
    near((await costs(s))[0].total, 0.00025, 'mapped');
    const preview = await repricePreview(s, book);
    assert.deepEqual(
      preview.map((c) => [c.newlyUnpriced, c.changedRows]),
      [[1, 1]],
    );
    const res = await priceEvents(s, { book, where: 'all' });
    assert.deepEqual([res.priced, res.unpriced], [0, 1]);
    assert.deepEqual([(await costs(s))[0].total, (await costs(s))[0].version], [null, null]);
  });
});

test('pricing calls that interleave on one connection do not trip over each other', async () => {
  await withStore(async (s) => {
    await insertRows(s, ROWS);
    const [a, b, preview] = await Promise.all([
      priceEvents(s, { book }),
      priceEvents(s, { book, where: 'all' }),
      repricePreview(s, book),
    ]);
    assert.equal(a.version, book.version);
    assert.equal(b.version, book.version);
    assert.ok(Array.isArray(preview));
    near((await costs(s))[0].total, 0.15430875, 'row 0 priced once, correctly');
    const tables = await s.connection.runAndReadAll(
      `SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE 'pricing_resolution%'`,
    );
    assert.equal(Number(tables.getRows()[0][0]), 0, 'temporary tables are dropped');
  });
});
