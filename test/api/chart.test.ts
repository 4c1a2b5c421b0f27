import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  analyseResult,
  availableViews,
  categories,
  defaultMetric,
  defaultView,
  fillGaps,
  timeSeries,
} from '../../web/src/chart.js';
import { parseCwTimestamp, toCsv } from '../../web/src/format.js';
import { previousPeriod, rangeFromParam, rangeToParam, resolveRange } from '../../src/contracts/range.js';

const binRows = [
  { 'bin(1h)': '2026-11-27 10:00:00.000', App: 'A', Tokens: '10' },
  { 'bin(1h)': '2026-11-27 09:00:00.000', App: 'A', Tokens: '5' },
  { 'bin(1h)': '2026-11-27 10:00:00.000', App: 'B', Tokens: '7' },
];

test('a stats … by bin() result draws as lines, one series per other group key, in time order', () => {
  const shape = analyseResult(['bin(1h)', 'App', 'Tokens'], binRows);
  assert.deepEqual(shape, { timeColumn: 'bin(1h)', numericColumns: ['Tokens'], keyColumns: ['App'] });
  assert.deepEqual(availableViews(shape, true), ['line', 'stackedArea', 'bar']);
  assert.equal(defaultView(shape, true), 'line');
  const s = timeSeries(shape, binRows, ['Tokens']);
  assert.deepEqual(s, [
    {
      name: 'A',
      points: [
        [Date.UTC(2026, 10, 27, 9), 5],
        [Date.UTC(2026, 10, 27, 10), 10],
      ],
    },
    { name: 'B', points: [[Date.UTC(2026, 10, 27, 10), 7]] },
  ]);
});

test('a stacked chart puts every series on the same bins, a missing bin as 0 (stacks never cross)', () => {
  const shape = analyseResult(['bin(1h)', 'App', 'Tokens'], binRows);
  assert.deepEqual(fillGaps(timeSeries(shape, binRows, ['Tokens'])), [
    {
      name: 'A',
      points: [
        [Date.UTC(2026, 10, 27, 9), 5],
        [Date.UTC(2026, 10, 27, 10), 10],
      ],
    },
    {
      name: 'B',
      points: [
        [Date.UTC(2026, 10, 27, 9), 0],
        [Date.UTC(2026, 10, 27, 10), 7],
      ],
    },
  ]);
});

test('a grouped result draws as bar (default) or pie; the sort field is the default value', () => {
  const rows = [
    { CostCenter: 'CC-1', Requests: '3', TotalTokens: '300' },
    { CostCenter: 'CC-2', Requests: '1', TotalTokens: '50' },
  ];
  const shape = analyseResult(['CostCenter', 'Requests', 'TotalTokens'], rows);
  assert.deepEqual(availableViews(shape, true), ['bar', 'pie']);
  assert.equal(defaultMetric(shape, 'stats … by CostCenter\n| sort TotalTokens desc'), 'TotalTokens');
  assert.equal(defaultMetric(shape, 'stats … by CostCenter'), 'Requests');
  assert.deepEqual(categories(shape, rows, 'TotalTokens'), [
    { name: 'CC-1', value: 300 },
    { name: 'CC-2', value: 50 },
  ]);
});

test('plain log queries have no visualization', () => {
  const shape = analyseResult(
    ['@timestamp', '@message', '@ptr'],
    [{ '@timestamp': '2026-11-27 10:00:00.000', '@message': 'x', '@ptr': 'p' }],
  );
  assert.deepEqual(availableViews(shape, false), []);
});

test('CloudWatch timestamps parse as UTC; CSV quotes what needs quoting', () => {
  assert.equal(parseCwTimestamp('2026-01-02 03:04:05.678'), Date.UTC(2026, 0, 2, 3, 4, 5, 678));
  assert.equal(parseCwTimestamp('CC-1'), undefined);
  assert.equal(toCsv(['a', 'b'], [{ a: 'x,y', b: 'say "hi"' }, { a: '1' }]), 'a,b\r\n"x,y","say ""hi"""\r\n1,\r\n');
});

test('time ranges: relative, absolute, URL form, previous period', () => {
  assert.deepEqual(resolveRange({ kind: 'relative', value: '3h' }, 10_000_000), {
    start: 10_000_000 - 3 * 3_600_000,
    end: 10_000_000,
  });
  assert.deepEqual(resolveRange({ kind: 'relative', value: '2w' }, 2e9), { start: 2e9 - 14 * 86_400_000, end: 2e9 });
  assert.deepEqual(rangeFromParam('100-200'), { kind: 'absolute', start: 100, end: 200 });
  assert.deepEqual(rangeFromParam('nonsense'), { kind: 'relative', value: '1h' });
  assert.equal(rangeToParam({ kind: 'relative', value: '15m' }), '15m');
  // inclusive bounds: 1000..1999 is 1000 ms, so the previous period is 0..999
  assert.deepEqual(previousPeriod({ start: 1000, end: 1999 }), { start: 0, end: 999 });
});
