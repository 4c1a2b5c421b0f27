import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeDataset } from '../../src/demo/generator.js';
import { END } from './helpers.js';

test('300,000 records stream through the writer in bounded memory', { timeout: 120_000 }, async () => {
  // /dev/null takes the bytes without keeping them, so only the generator and writer hold memory.
  // Held in memory, 300k records with bodies would need several hundred MB of heap.
  const base = process.memoryUsage().heapUsed;
  let peak = base;
  const summary = await writeDataset({
    records: 300_000,
    days: 30,
    seed: 'memory',
    end: END,
    format: 'jsonl',
    out: '/dev/null',
    progressEvery: 5000,
    onProgress: () => {
      peak = Math.max(peak, process.memoryUsage().heapUsed);
    },
  });
  assert.equal(summary.records, 300_000);
  const grewMb = (peak - base) / 1e6;
  assert.ok(grewMb < 120, `heap grew by ${grewMb.toFixed(0)} MB`);
});
