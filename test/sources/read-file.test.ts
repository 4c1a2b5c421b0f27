// readFileInto reads a file listed as small in one call, asking for one byte past the listed size:
// a file that grew or shrank since it was listed is read whole all the same (streamed when it grew,
// so what is held stays bounded), gzip or not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readFileInto } from '../../src/sources/files/read.js';
import type { RecordSink } from '../../src/sources/source.js';
import { invocation, scratchDirs } from './scratch.js';

const dir = scratchDirs('bi-read-file-');

function sink(): { sink: RecordSink; lines: number[] } {
  const lines: number[] = [];
  const s = {
    add: (line: number) => void lines.push(line),
    afterAdd: () => undefined,
    reject: () => assert.fail('nothing is rejected'),
    note: () => undefined,
    full: false,
    flush: async () => undefined,
  } as unknown as RecordSink;
  return { sink: s, lines };
}

test('a file that grew or shrank since it was listed is read whole, plain or gzip', async () => {
  const d = dir();
  const text = Array.from({ length: 50 }, (_, i) => JSON.stringify(invocation(i))).join('\n') + '\n';
  for (const [name, bytes] of [
    ['records.jsonl', Buffer.from(text)],
    ['records.json.gz', gzipSync(text)],
  ] as const) {
    const path = join(d, name);
    writeFileSync(path, bytes);
    for (const size of [0, 10, bytes.length - 1, bytes.length, bytes.length + 500]) {
      const { sink: s, lines } = sink();
      const r = await readFileInto(path, s, { keepBodies: false, size });
      assert.equal(r.records, 50, `${name} listed at ${size} of ${bytes.length} bytes`);
      assert.deepEqual(
        lines,
        Array.from({ length: 50 }, (_, i) => i + 1),
      );
    }
  }
});
