import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Prng, SortedUniforms, splitInteger } from '../../src/demo/prng.js';

test('the same seed gives the same stream, another seed another one', () => {
  const a = new Prng('x');
  const b = new Prng('x');
  const c = new Prng('y');
  const sa = Array.from({ length: 20 }, () => a.nextU32());
  const sb = Array.from({ length: 20 }, () => b.nextU32());
  const sc = Array.from({ length: 20 }, () => c.nextU32());
  assert.deepEqual(sa, sb);
  assert.notDeepEqual(sa, sc);
});

test('uniform draws stay in range and look uniform', () => {
  const r = new Prng(3);
  let sum = 0;
  for (let i = 0; i < 20000; i++) {
    const x = r.next();
    assert.ok(x >= 0 && x < 1);
    sum += x;
  }
  assert.ok(Math.abs(sum / 20000 - 0.5) < 0.02);
  for (let i = 0; i < 1000; i++) {
    const k = r.int(3, 5);
    assert.ok(k === 3 || k === 4 || k === 5);
  }
});

test('uuids are version 4 with the RFC variant', () => {
  const r = new Prng(1);
  const seen = new Set<string>();
  for (let i = 0; i < 500; i++) {
    const u = r.uuid();
    assert.match(u, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    seen.add(u);
  }
  assert.equal(seen.size, 500);
});

test('sorted uniforms come out non-decreasing and spread over [0, 1)', () => {
  const s = new SortedUniforms(new Prng(9), 1000);
  let prev = 0;
  const xs: number[] = [];
  for (let i = 0; i < 1000; i++) {
    const x = s.next();
    assert.ok(x >= prev && x < 1, `${x} after ${prev}`);
    prev = x;
    xs.push(x);
  }
  // A uniform sample's median is near 0.5 and its extremes near the ends.
  assert.ok(Math.abs(xs[499] - 0.5) < 0.08);
  assert.ok(xs[0] < 0.02 && xs[999] > 0.98);
});

test('splitInteger sums exactly, keeps parts positive and follows the weights', () => {
  const parts = splitInteger(1000, [1, 1, 2, 4]);
  assert.equal(
    parts.reduce((s, p) => s + p, 0),
    1000,
  );
  assert.ok(parts.every((p) => p >= 1));
  assert.ok(parts[3] > parts[2] && parts[2] > parts[0]);
  const tight = splitInteger(5, [100, 1, 1, 1, 1]);
  assert.deepEqual(tight, [1, 1, 1, 1, 1]);
  assert.throws(() => splitInteger(2, [1, 1, 1]), RangeError);
});
