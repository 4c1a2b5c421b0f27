import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodePtr, encodePtr, formatNumber, formatTimestamp, formatValue } from '../../src/insights/format.js';

test('numbers: integral in the long range without .0, others as Java Double.toString, bigint exact, non-finite missing', () => {
  assert.equal(formatNumber(229), '229');
  assert.equal(formatNumber(229.0), '229');
  assert.equal(formatNumber(102.5), '102.5');
  assert.equal(formatNumber(0.1 + 0.2), '0.30000000000000004');
  assert.equal(formatNumber(-0), '0');
  assert.equal(formatNumber(12345678901234567890n), '12345678901234567890');
  assert.equal(formatNumber(2 ** 62), '4611686018427387904');
  // Outside Java's long range and outside [10^-3, 10^7): Java's E notation, not JavaScript's.
  assert.equal(formatNumber(1e20), '1.0E20');
  assert.equal(formatNumber(1.18e21), '1.18E21');
  assert.equal(formatNumber(2.4500000000000004e-7), '2.4500000000000004E-7');
  assert.equal(formatNumber(0.000245), '2.45E-4');
  assert.equal(formatNumber(0.001), '0.001');
  assert.equal(formatNumber(9999999.5), '9999999.5');
  assert.equal(formatNumber(12345678.5), '1.23456785E7');
  assert.equal(formatNumber(-12345678.25), '-1.234567825E7');
  assert.equal(formatNumber(Number.NaN), undefined);
  assert.equal(formatNumber(Number.POSITIVE_INFINITY), undefined);
});

test('timestamps: YYYY-MM-DD HH:mm:ss.SSS in UTC', () => {
  assert.equal(formatTimestamp(Date.UTC(2024, 4, 19, 6, 10, 35, 743)), '2024-05-19 06:10:35.743');
  assert.equal(formatTimestamp(0n), '1970-01-01 00:00:00.000');
});

test('values by kind: booleans 1/0, missing undefined, text as is', () => {
  assert.equal(formatValue(true, 'bool'), '1');
  assert.equal(formatValue(false, 'bool'), '0');
  assert.equal(formatValue(null, 'string'), undefined);
  assert.equal(formatValue('1.50', 'string'), '1.50');
  assert.equal(formatValue(1_700_000_000_123n, 'time'), '2023-11-14 22:13:20.123');
  assert.equal(formatValue(3675, 'number'), '3675');
});

test('@ptr round-trips (log group, seq) and rejects other text', () => {
  const p = encodePtr('/aws/bedrock/modelinvocations', 42n);
  assert.match(p, /^b1\.[A-Za-z0-9_-]+$/);
  assert.deepEqual(decodePtr(p), { logGroup: '/aws/bedrock/modelinvocations', seq: 42n });
  assert.equal(decodePtr('ClQKGAoUODc3'), undefined);
  assert.equal(decodePtr('b1.' + Buffer.from('x\ny').toString('base64url')), undefined);
});
