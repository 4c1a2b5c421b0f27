import { test } from 'node:test';
import assert from 'node:assert/strict';
import { optionsNamedBy } from '../../src/cli/option-suggest.js';

// Newcomer trial #29: `--bodies` got no "did you mean --keep-bodies" (commander's suggestion goes
// by edit distance). The CLI end of it is in test/sources/sync.test.ts (sync add --bodies).
const LONGS = ['--keep-bodies', '--log-group', '--db', '--strict', '--rejects', '--endpoint-url'];

test('an unknown flag that is one word of a known one names it', () => {
  assert.deepEqual(optionsNamedBy('--bodies', LONGS), ['--keep-bodies']);
  assert.deepEqual(optionsNamedBy('--BODIES=1', LONGS), ['--keep-bodies']);
  assert.deepEqual(optionsNamedBy('--group', LONGS), ['--log-group']);
  assert.deepEqual(optionsNamedBy('--endpoint', LONGS), ['--endpoint-url']);
});

test('no guess from short words, parts of words, single dashes or the flag itself; several words list them all', () => {
  assert.deepEqual(optionsNamedBy('--db', LONGS), []);
  assert.deepEqual(optionsNamedBy('--bod', LONGS), []);
  assert.deepEqual(optionsNamedBy('-bodies', LONGS), []);
  assert.deepEqual(optionsNamedBy('--url', LONGS), ['--endpoint-url']);
  assert.deepEqual(optionsNamedBy('--keep', ['--keep-bodies', '--keep-open', '--keep-bodies']), [
    '--keep-bodies',
    '--keep-open',
  ]);
  assert.deepEqual(optionsNamedBy('--keep-bodies', LONGS), []);
});
