// A reader parsing from buffered bytes never yields by itself (its awaits resolve as microtasks),
// and storing a chunk is a chain of statements each issued when the previous one completes: before
// afterAdd yielded, that chain advanced once per 4 MB read, and a 200k-record ingest spent 8 of its
// 31 s of SQL time in a CREATE TABLE of 3 ms waiting for the event loop (2026-12-05).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChunkWriter, newTotals } from '../../src/sources/chunk-writer.js';
import { Store } from '../../src/store/store.js';
import { invocation } from './scratch.js';

function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    /* a reader parsing */
  }
}

test('while a chunk is being stored, a reader adding records gives the event loop a turn every few ms, and the chunk completes meanwhile', async () => {
  const store = await Store.open(':memory:');
  const conn = await store.connect();
  try {
    const w = await ChunkWriter.create(
      conn,
      { logGroup: 'g', defaultStream: 's', keepBodies: false, strict: false, chunkRecords: 2_000, pipeline: true },
      newTotals(),
    );
    w.beginFile('mem');
    let line = 0;
    const add = (): Promise<void> | undefined => {
      w.add(++line, JSON.stringify(invocation(line)));
      return w.afterAdd();
    };
    // Nothing in flight: no yield, however long the reader works.
    for (let i = 0; i < 200; i++) {
      if (i % 32 === 0) busy(3);
      assert.equal(add(), undefined, `record ${line}: no chunk is in flight`);
    }
    while (line < 2_000) await add(); // the 2,000th record fills the chunk: it goes into flight
    let stored = -1;
    let yields = 0;
    // The next chunk is read (busy, as parsing is) while the first is stored; a reader that never
    // let the loop turn would see nothing stored until its own flush.
    // Up to 1.5 s of parsing, ending before the next chunk fills (its flush would wait for the first).
    for (let i = 0; line < 3_999 && stored < 2_000; i++) {
      if (i % 4 === 0) busy(3);
      const p = add();
      if (p) {
        yields++;
        await p;
        stored = w.totals.stored;
      }
    }
    assert.ok(yields > 0, 'the reader yielded');
    assert.equal(stored, 2_000, `the chunk in flight completed while the next was read (${yields} yields)`);
    await w.finish();
    const n = await conn.runAndReadAll('SELECT count(*) FROM events');
    assert.equal(Number(n.getRows()[0][0]), line);
  } finally {
    conn.closeSync();
    store.close();
  }
});
