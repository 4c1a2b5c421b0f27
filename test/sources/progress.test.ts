import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProgressBar, ingestDetail } from '../../src/cli/progress.js';

function fakeStream(isTTY: boolean): NodeJS.WriteStream & { text: string } {
  const s = {
    isTTY,
    columns: 80,
    text: '',
    write(chunk: string) {
      s.text += chunk;
      return true;
    },
  };
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
  // eslint-disable-next-line no-control-regex -- the bar ends with the terminal's erase-to-end-of-line escape
  assert.match(tty.text, /^\r█{5}░{5} {2}50% {2}1\/2 files {2}500 records {2}250\/s\x1b\[K$/);
  bar.update({ done: 6, total: 10, detail: 'x' }); // throttled: within 100 ms of the last draw
  assert.doesNotMatch(tty.text, / 60%/);
  bar.done();
  assert.ok(tty.text.endsWith('\r\x1b[K'), 'the bar is cleared before the summary');
});

test('without a total (a CloudWatch log group read page by page) the line shows the counts alone; the detail is shared', () => {
  const tty = fakeStream(true);
  const bar = new ProgressBar(tty, 10);
  bar.update({ done: 0, total: 0, detail: '1,500 events  300/s' }, true);
  assert.equal(tty.text, '\r1,500 events  300/s\x1b[K');
  const started = Date.now() - 2000;
  assert.match(
    ingestDetail({ records: 50_000, filesDone: 3, filesTotal: 12, unit: 'objects' }, started),
    /^3\/12 objects {2}50,000 records {2}2\d,\d{3}\/s$/,
  );
  assert.match(ingestDetail({ records: 900, noun: 'events' }, started), /^900 events {2}4\d\d\/s$/);
});
