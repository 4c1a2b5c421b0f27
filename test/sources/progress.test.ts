import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProgressBar } from '../../src/cli/progress.js';

function fakeStream(isTTY: boolean): NodeJS.WriteStream & { text: string } {
  const s = { isTTY, columns: 80, text: '', write(chunk: string) { s.text += chunk; return true; } };
  return s as unknown as NodeJS.WriteStream & { text: string };
}

test('the ingest progress bar draws on a terminal and prints nothing otherwise', () => {
  const piped = fakeStream(false);
  const quiet = new ProgressBar(piped);
  quiet.update({ done: 5, total: 10, detail: '1/2 files' }, true);
  quiet.done();
  assert.equal(piped.text, '');

  const tty = fakeStream(true);
  const bar = new ProgressBar(tty, 10);
  bar.update({ done: 5, total: 10, detail: '1/2 files  500 records  250/s' }, true);
  assert.match(tty.text, /^\r█{5}░{5}  50%  1\/2 files  500 records  250\/s\x1b\[K$/);
  bar.update({ done: 6, total: 10, detail: 'x' }); // throttled: within 100 ms of the last draw
  assert.doesNotMatch(tty.text, / 60%/);
  bar.done();
  assert.ok(tty.text.endsWith('\r\x1b[K'), 'the bar is cleared before the summary');
});
