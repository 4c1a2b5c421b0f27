// discoverFieldsShared remembers names by shape (a trie of paths and of leaf sequences): it must
// answer exactly what discoverFields answers, for any value, however shapes repeat or differ.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { discoverFields, discoverFieldsShared } from '../../src/logs/fields.js';
import { MAX_JSON_DEPTH } from '../../src/logs/limits.js';

/** A small deterministic generator (mulberry32). */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KEYS = ['a', 'b', 'a.b', '@t', '0', 'x', '', 'usage', '\u001f'];

function value(r: () => number, depth: number): unknown {
  const p = r();
  if (depth > 4 || p < 0.35) return [1, 'x', true, null, undefined, 0][Math.floor(r() * 6)];
  if (p < 0.6) return Array.from({ length: Math.floor(r() * 4) }, () => value(r, depth + 1));
  const o: Record<string, unknown> = {};
  for (let i = Math.floor(r() * 5); i > 0; i--) o[KEYS[Math.floor(r() * KEYS.length)]] = value(r, depth + 1);
  return o;
}

function nested(levels: number): unknown {
  let v: unknown = { leaf: 1 };
  for (let i = 0; i < levels; i++) v = { n: v, s: i };
  return v;
}

test('the shared names are those of discoverFields for random values, asked repeatedly in any order', () => {
  const r = rng(7);
  const values = Array.from({ length: 3000 }, () => value(r, 0));
  for (let round = 0; round < 2; round++)
    for (const v of values) {
      const want = discoverFields(v);
      const got = discoverFieldsShared(v);
      assert.deepEqual([...got.names], want.names, JSON.stringify(v));
      assert.equal(got.truncated, want.truncated);
    }
});

test('records of one shape share one frozen answer; a different leaf, key order or depth cut gives another', () => {
  const a = discoverFieldsShared({ x: 1, y: { z: 'q' } });
  const b = discoverFieldsShared({ x: 2, y: { z: 'other' } });
  assert.equal(a, b);
  assert.ok(Object.isFrozen(a.names));
  assert.deepEqual([...discoverFieldsShared({ y: { z: 1 }, x: 1 }).names], ['y.z', 'x']);
  assert.deepEqual([...discoverFieldsShared({ x: 1, y: { z: null } }).names], ['x']);
  assert.deepEqual([...discoverFieldsShared({ x: 1, y: { z: [3, 4] } }).names], ['x', 'y.z.0', 'y.z.1']);
  const deep = discoverFieldsShared(nested(MAX_JSON_DEPTH + 5));
  assert.equal(deep.truncated, true);
  assert.deepEqual(deep, { ...discoverFields(nested(MAX_JSON_DEPTH + 5)) });
  assert.equal(discoverFieldsShared(nested(3)).truncated, false);
});

test('ever new shapes do not grow the cache without end, and answers stay right across its restarts', () => {
  for (let i = 0; i < 120_000; i++) {
    const v = { [`k${i}`]: { [`j${i}`]: i } };
    const got = discoverFieldsShared(v);
    if (i % 9_973 === 0) assert.deepEqual([...got.names], [`k${i}.j${i}`]);
  }
  const before = process.memoryUsage().heapUsed;
  for (let i = 120_000; i < 240_000; i++) discoverFieldsShared({ [`k${i}`]: { [`j${i}`]: i } });
  const grown = process.memoryUsage().heapUsed - before;
  assert.ok(grown < 200 * 1024 * 1024, `heap grew by ${grown >> 20} MB`);
});
