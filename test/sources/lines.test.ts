import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineSplitter, MAX_LINE_BYTES, type Line } from '../../src/sources/lines.js';
import { bytesConcatenated } from './scratch.js';

// The work of splitting is bounded by the input, not by its square (campaign F9: a 50 MB line in
// a .gz, arriving in 16 KB pieces, was re-joined at every piece: 271 s). Measured as bytes copied
// by Buffer.concat, not as time.

function split(pieces: Buffer[], max?: number): Line[] {
  const s = new LineSplitter(max);
  const out: Line[] = [];
  for (const p of pieces) for (const l of s.push(p)) out.push(l);
  for (const l of s.end()) out.push(l);
  return out;
}

function inPieces(b: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < b.length; i += size) out.push(b.subarray(i, i + size));
  return out;
}

test('a 24 MB line in 16 KB pieces is joined once: bytes copied stay linear', async () => {
  const line = Buffer.alloc(24 << 20, 0x61);
  const input = Buffer.concat([Buffer.from('{"a":1}\n'), line, Buffer.from('\n{"b":2}\n')]);
  const { result, bytes } = await bytesConcatenated(() => split(inPieces(input, 16 << 10)));
  assert.deepEqual(
    result.map((l) => ('text' in l ? l.text.length : l.reject)),
    [7, line.length, 7],
  );
  assert.ok(bytes <= 2 * input.length, `copied ${bytes} bytes for ${input.length} of input`);
});

test('a line over the cap is rejected without being assembled, and the lines after it are read', async () => {
  const cap = 1 << 20;
  const input = Buffer.concat([Buffer.alloc(cap * 8, 0x78), Buffer.from('\n{"after":1}')]);
  const { result, bytes } = await bytesConcatenated(() => split(inPieces(input, 16 << 10), cap));
  assert.equal(result.length, 2);
  assert.ok('reject' in result[0] && /longer than the 1\.0 MB/.test(result[0].reject));
  assert.deepEqual(result[1], { ln: 2, text: '{"after":1}' });
  assert.ok(bytes <= cap, `copied ${bytes} bytes`);
  assert.ok(MAX_LINE_BYTES >= 1 << 20);
});

test('line ends: LF, CRLF, CR alone (also across pieces), BOMs, blanks, invalid UTF-8', () => {
  const text = (ls: Line[]): (string | number)[] => ls.map((l) => ('text' in l ? l.text : l.ln));
  assert.deepEqual(text(split([Buffer.from('a\r\nb\r\n\r\n c \r\n')])), ['a', 'b', 'c']);
  assert.deepEqual(text(split([Buffer.from('a\rb\r'), Buffer.from('c')])), ['a', 'b', 'c']);
  assert.deepEqual(text(split([Buffer.from('a\r'), Buffer.from('b\rc')])), ['a', 'b', 'c']);
  assert.deepEqual(text(split([Buffer.from('a\r'), Buffer.from('\nb')])), ['a', 'b']);
  assert.deepEqual(text(split([Buffer.from('only\r')])), ['only']);
  assert.deepEqual(text(split([Buffer.from('\uFEFFa\n\uFEFFb\n')])), ['a', 'b']);
  const bad = Buffer.from('x\ny\n');
  bad[2] = 0xff;
  assert.deepEqual(text(split([bad])), ['x', 2]);
  assert.deepEqual(text(split([Buffer.from('ok \uFFFD\n')])), ['ok \uFFFD']);
  const lns = split([Buffer.from('\n\na\n\nb')]).map((l) => l.ln);
  assert.deepEqual(lns, [3, 5], 'blank lines count in line numbers');
});
