import { test } from 'node:test';
import assert from 'node:assert/strict';
import { editDistance, likelyMisspellings, principalOf } from '../../src/doctor/index.js';

test('editDistance', () => {
  assert.equal(editDistance('producton', 'production'), 1);
  assert.equal(editDistance('kitten', 'sitting'), 3);
  assert.equal(editDistance('', 'abc'), 3);
  assert.equal(editDistance('same', 'same'), 0);
  assert.equal(editDistance('abcdef', 'uvwxyz', 2), 3, 'stops early past the limit');
});

test('likelyMisspellings: rare near-duplicates only, not ids differing in digits, case counts', () => {
  const r = likelyMisspellings([
    { value: 'production', count: 500 },
    { value: 'producton', count: 4 },
    { value: 'staging', count: 100 },
    { value: 'Staging', count: 3 },
    { value: 'stage', count: 90 },
    { value: 'app-001', count: 300 },
    { value: 'app-002', count: 2 },
    { value: 'dev', count: 50 },
    { value: 'prod', count: 40 },
  ]);
  assert.deepEqual(
    r.map((m) => [m.value, m.intended, m.distance]),
    [
      ['producton', 'production', 1],
      ['Staging', 'staging', 0],
    ],
  );
  // As frequent as the other: two real values, not a typo.
  assert.deepEqual(
    likelyMisspellings([
      { value: 'us-east', count: 10 },
      { value: 'us-west', count: 9 },
    ]),
    [],
  );
});

test('principalOf', () => {
  assert.equal(
    principalOf('arn:aws:sts::1:assumed-role/DataPipelineBedrockRole/job-17'),
    'role/DataPipelineBedrockRole',
  );
  assert.equal(principalOf('arn:aws:iam::1:user/alice.dev'), 'user/alice.dev');
  assert.equal(principalOf(null), '(no identity)');
});
