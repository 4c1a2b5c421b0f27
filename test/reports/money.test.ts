import { test } from 'node:test';
import assert from 'node:assert/strict';
import { centsDecimal, formatCents, largestRemainder, toCents } from '../../src/contracts/money.js';
import { parsePeriod, previousPeriod } from '../../src/reports/period.js';

test('largest remainder: three owners at 1/3 each of $0.10 get 4, 3 and 3 cents', () => {
  assert.deepEqual(largestRemainder(10, [1 / 30, 1 / 30, 1 / 30]), [4, 3, 3]);
});

test('largest remainder: the biggest fractional remainders take the leftover cents', () => {
  // quotas 33.3, 33.3, 33.4 of 100 -> floors 33,33,33; the one cent left goes to the .4
  assert.deepEqual(largestRemainder(100, [0.333, 0.333, 0.334]), [33, 33, 34]);
  // 7 cents over weights 1,1,1,1,1,1,1,1,1,1 -> seven parts get one cent, in order
  assert.deepEqual(largestRemainder(7, Array(10).fill(1)), [1, 1, 1, 1, 1, 1, 1, 0, 0, 0]);
});

test('largest remainder always sums exactly, whatever the weights', () => {
  let seed = 12345;
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let i = 0; i < 500; i += 1) {
    const n = 1 + Math.floor(rnd() * 12);
    const w = Array.from({ length: n }, () => (rnd() < 0.2 ? 0 : rnd() * 50));
    const total = Math.floor(rnd() * 100_000);
    const parts = largestRemainder(total, w);
    assert.equal(
      parts.reduce((a, b) => a + b, 0),
      total,
      `weights ${w.join(',')}`,
    );
    assert.ok(parts.every((p, j) => p >= 0 && (w[j] === 0 && w.some((x) => x > 0) ? p === 0 : true)));
  }
});

test('zero weights: a zero-cost owner gets nothing; all-zero weights split evenly; negative totals mirror', () => {
  assert.deepEqual(largestRemainder(5, [0, 2, 0, 3]), [0, 2, 0, 3]);
  assert.deepEqual(largestRemainder(5, [0, 0]), [3, 2]);
  assert.deepEqual(largestRemainder(-10, [1, 1, 1]), [-4, -3, -3]);
});

test('cents: rounding and printing', () => {
  assert.equal(toCents(0.1 + 0.2), 30);
  assert.equal(toCents(1.005), 101);
  assert.equal(toCents(0.004999), 0);
  assert.equal(formatCents(123456), '$1,234.56');
  assert.equal(formatCents(-120), '-$1.20');
  assert.equal(centsDecimal(5), '0.05');
});

test('periods: months, quarters and the one before', () => {
  const oct = parsePeriod('2026-10');
  assert.equal(oct.start, Date.UTC(2026, 9, 1));
  assert.equal(oct.end, Date.UTC(2026, 10, 1));
  assert.equal(previousPeriod(oct).label, '2026-09');
  assert.equal(previousPeriod(parsePeriod('2026-01')).label, '2025-12');
  const q3 = parsePeriod('2026-Q3');
  assert.equal(q3.start, Date.UTC(2026, 6, 1));
  assert.equal(q3.end, Date.UTC(2026, 9, 1));
  assert.equal(previousPeriod(parsePeriod('2026-Q1')).label, '2025-Q4');
  assert.throws(() => parsePeriod('2026-13'), /not a period/);
});
