import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectOwnerSpikes, HOUR_MIN_EXCESS_USD, type HourPoint } from '../../src/reports/anomalies.js';
import { compare, periodCoverage } from '../../src/contracts/coverage-rules.js';
import { cacheKpi, changeText } from '../../src/contracts/kpi-text.js';
import { abbreviateModelId, shortModelNames } from '../../src/contracts/model-names.js';
import { formatCompact, formatPct, formatUsd } from '../../src/contracts/money.js';

const DAY = 86_400_000;

test('model ids are abbreviated for tables; colliding short names keep the full id', () => {
  assert.equal(abbreviateModelId('us.anthropic.claude-sonnet-4-5-20250929-v1:0'), 'us.claude-sonnet-4-5');
  assert.equal(abbreviateModelId('anthropic.claude-3-haiku-20240307-v1:0'), 'claude-3-haiku');
  assert.equal(
    abbreviateModelId('arn:aws:bedrock:us-west-2:111122223333:inference-profile/global.anthropic.claude-opus-4-6-v1'),
    'global.claude-opus-4-6 (arn)',
  );
  assert.equal(
    abbreviateModelId('arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/k3m9x2p7q1ab'),
    'app-profile/k3m9x2p7q1ab',
  );
  assert.equal(abbreviateModelId('(no model id)'), '(no model id)');
  // Two providers' models that abbreviate alike are left whole, so no two lines read the same.
  const names = shortModelNames(['acme.large-v1:0', 'other.large-v1:0', 'amazon.nova-pro-v1:0']);
  assert.deepEqual([...names.values()], ['acme.large-v1:0', 'other.large-v1:0', 'nova-pro']);
});

test('display formats: compact tokens, n/a for a share of nothing, cents or 4 decimals', () => {
  assert.deepEqual([950, 12_345, 628_673, 6_990_239, 105_680_000, 1_234_000_000].map(formatCompact), [
    '950',
    '12.3K',
    '629K',
    '7.0M',
    '106M',
    '1.2B',
  ]);
  assert.equal(formatPct(null), 'n/a');
  assert.equal(formatPct(0.657), '65.7%');
  assert.equal(formatUsd(386), '$386.00');
  assert.equal(formatUsd(0.0040999999999999995), '$0.0041');
  assert.equal(formatUsd(1286.4199999), '$1,286.42');
});

test('period coverage and the change against the previous period: empty, partial and full', () => {
  const extent = { first: Date.UTC(2026, 10, 4, 17), last: Date.UTC(2026, 11, 4, 16) };
  const now = Date.UTC(2026, 11, 4, 17, 30);
  const oct = { start: Date.UTC(2026, 9, 1), end: Date.UTC(2026, 10, 1) };
  const nov = { start: Date.UTC(2026, 10, 1), end: Date.UTC(2026, 11, 1) };
  const last4w = { start: now - 28 * DAY, end: now };
  const prev4w = { start: now - 56 * DAY, end: now - 28 * DAY };
  assert.equal(periodCoverage(oct, extent, 0, now).state, 'empty');
  assert.match(
    periodCoverage(oct, extent, 0, now).label,
    /no data in this period: the store covers 2026-11-04 17:00 UTC/,
  );
  assert.equal(periodCoverage(oct, null, 0, now).label, 'no data: the store has no Bedrock invocations');
  const partial = periodCoverage(nov, extent, 10, now);
  assert.equal(partial.state, 'partial');
  assert.match(partial.label, /^partial: data from 2026-11-04 17:00 UTC/);
  // The running range whose data ends an hour ago is whole so far.
  assert.equal(periodCoverage(last4w, extent, 10, now).state, 'full');
  // The trial's "▲ 955%": the 4 weeks before hold only 2 days of data.
  const prevCov = periodCoverage(prev4w, extent, 5, now);
  assert.equal(prevCov.state, 'partial');
  const c = compare(955.5, 85.92, prevCov, periodCoverage(last4w, extent, 10, now));
  assert.deepEqual([c.ratio, c.basis], [null, 'partial']);
  assert.match(changeText(c, formatUsd, (x) => formatPct(x)).text, /^previous period only partly covered \(data from/);
  // Both periods whole: the ratio is shown.
  const full = periodCoverage(last4w, extent, 10, now);
  const up = compare(120, 100, full, full);
  assert.deepEqual([up.ratio, up.basis], [0.2, 'full']);
  assert.deepEqual(
    changeText(up, formatUsd, (x) => formatPct(x)),
    { text: '▲ 20.0% vs $100.00', cls: 'up' },
  );
  assert.equal(compare(0, 100, full, periodCoverage(oct, extent, 0, now)).note, 'no data in this period');
  assert.equal(compare(5, 0, periodCoverage(oct, extent, 0, now)).basis, 'none');
});

test('the cache KPI says which figure is which, whichever way the write premium goes', () => {
  const claude = { readTokens: 1e6, writeTokens: 1e5, savings: 1311.17, writePremium: 24.75, net: 1286.42 };
  assert.deepEqual(cacheKpi(claude, formatUsd), {
    value: '$1,311.17',
    sub: 'Net saving $1,286.42 (after a $24.75 write premium)',
  });
  // Nova writes the cache at $0: cheaper than input, so the "premium" is negative.
  const nova = { readTokens: 1e6, writeTokens: 1e5, savings: 10, writePremium: -2, net: 12 };
  assert.equal(cacheKpi(nova, formatUsd).sub, 'Net saving $12.00 (cache writes cost $2.00 less than input)');
  assert.equal(
    cacheKpi({ readTokens: 0, writeTokens: 0, savings: 0, writePremium: 0, net: 0 }, formatUsd).sub,
    'no prompt caching in this period',
  );
});

test('owner-hour anomalies below a few cents of excess cost are not reported', () => {
  const from = Date.UTC(2026, 9, 20);
  const points: HourPoint[] = [];
  // Seven quiet days at 14:00 (1 request, $0.0001), then a 20x spike of requests at 14:00.
  for (let d = 7; d >= 1; d -= 1)
    points.push({ owner: 't', hour: from + 14 * 3_600_000 - d * DAY, requests: 1, cost: 0.0001 });
  const spike = (cost: number): HourPoint[] => [
    ...points,
    { owner: 't', hour: from + 14 * 3_600_000, requests: 20, cost },
  ];
  assert.equal(detectOwnerSpikes(spike(0.0007), 'tenant_id', from, from + DAY).length, 0, 'trivial: not reported');
  const big = detectOwnerSpikes(spike(0.0001 + HOUR_MIN_EXCESS_USD + 0.5), 'tenant_id', from, from + DAY);
  assert.equal(big.length, 1);
  assert.equal(big[0].observed, 20);
});
