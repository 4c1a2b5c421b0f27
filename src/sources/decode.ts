import { Readable, pipeline } from 'node:stream';
import { createGunzip, gunzipSync, inflateRawSync } from 'node:zlib';

/**
 * Turns the bytes of a file or an S3 object into UTF-8 text bytes, whatever they were stored as:
 * gzip (one member or several, as `cat a.gz b.gz` makes), UTF-16 with or without a byte order
 * mark (PowerShell's `>` writes UTF-16 LE), or plain UTF-8. What was done is said in `notes`.
 * Shared by file ingest (read-file.ts) and S3 ingest (s3.ts).
 */

/** gzip data followed by bytes that are not gzip is recovered in memory, up to this much text. */
export const MAX_RECOVERED_BYTES = 256 * 1024 * 1024;

export interface DecodeOptions {
  /** What was done to the bytes (UTF-16 converted, trailing garbage ignored), for the summary. */
  notes: string[];
  /**
   * The whole source again, to recover the gzip members before trailing garbage (zlib fails the
   * chunk that holds both, so their last records are not delivered). Without it the error stands.
   */
  reread?: () => Promise<Buffer>;
}

export async function* decodedBytes(source: AsyncIterable<Buffer>, opts: DecodeOptions): AsyncGenerator<Buffer> {
  let text = await peek(source);
  if (text.head.length === 0) return;
  // Firehose compresses again what CloudWatch Logs already gzipped (a subscription's payloads in
  // an S3 object with GZIP compression on): gzip inside gzip is opened too, one level deep.
  for (let layer = 0; layer < 2 && isGzip(text.head); layer++) {
    text = await peek(gunzip(text.rest, layer === 0 ? opts : { notes: opts.notes }));
  }
  const utf16 = utf16Of(text.head);
  if (utf16 === null) {
    yield* text.rest;
    return;
  }
  opts.notes.push(`UTF-16 ${utf16.toUpperCase()} text, converted to UTF-8`);
  const td = new TextDecoder(utf16 === 'le' ? 'utf-16le' : 'utf-16be'); // drops the BOM
  for await (const b of text.rest) {
    const s = td.decode(b, { stream: true });
    if (s !== '') yield Buffer.from(s, 'utf8');
  }
  const tail = td.decode();
  if (tail !== '') yield Buffer.from(tail, 'utf8');
}

/** A whole gzip file up to this size is opened in one call on the reading thread (~1 ms at the limit). */
const SYNC_GUNZIP_BYTES = 1024 * 1024;
/**
 * ...and only while its text stays under this: more (a small file that inflates to a huge line)
 * takes the streaming way, which never holds the whole text.
 */
const SYNC_GUNZIP_TEXT_BYTES = 16 * 1024 * 1024;

/**
 * decodedBytes of a source held whole in memory. A small gzip file (the S3 delivery layout's
 * objects are ~50 KB) is opened in one call instead of through a stream, whose hops cost more
 * than the inflating (a quarter of the time of reading 2,751 such files). Anything else, and a
 * file that call refuses (bytes after the last member, damage), or one gzipped twice, takes
 * decodedBytes' own way from the start, so notes and errors are the same.
 */
export async function* decodedBuffer(buf: Buffer, opts: DecodeOptions): AsyncGenerator<Buffer> {
  if (isGzip(buf) && buf.length <= SYNC_GUNZIP_BYTES) {
    let text: Buffer | undefined;
    try {
      text = gunzipSync(buf, { maxOutputLength: SYNC_GUNZIP_TEXT_BYTES });
    } catch {
      text = undefined;
    }
    if (text && !isGzip(text)) {
      yield* decodedBytes(once(text), opts);
      return;
    }
  }
  yield* decodedBytes(once(buf), opts);
}

async function* once(b: Buffer): AsyncGenerator<Buffer> {
  yield b;
}

function isGzip(b: Buffer): boolean {
  return b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
}

/** UTF-16 by its byte order mark, or by JSON's shape (`{`, `[` or a space next to a zero byte). */
function utf16Of(b: Buffer): 'le' | 'be' | null {
  if (b.length < 2) return null;
  if (b[0] === 0xff && b[1] === 0xfe) return 'le';
  if (b[0] === 0xfe && b[1] === 0xff) return 'be';
  if (b.length < 4) return null;
  if (b[0] !== 0 && b[1] === 0 && b[2] !== 0 && b[3] === 0) return 'le';
  if (b[0] === 0 && b[1] !== 0 && b[2] === 0 && b[3] !== 0) return 'be';
  return null;
}

/** The first bytes (at least 4 unless the source is shorter), and the whole source again. */
async function peek(source: AsyncIterable<Buffer>): Promise<{ head: Buffer; rest: AsyncIterable<Buffer> }> {
  const it = source[Symbol.asyncIterator]();
  const got: Buffer[] = [];
  let bytes = 0;
  let done = false;
  while (bytes < 4) {
    const n = await it.next();
    if (n.done) {
      done = true;
      break;
    }
    got.push(n.value);
    bytes += n.value.length;
  }
  const head = Buffer.concat(got);
  const rest = (async function* () {
    try {
      if (head.length > 0) yield head;
      if (!done) for (let n = await it.next(); !n.done; n = await it.next()) yield n.value;
    } finally {
      await it.return?.();
    }
  })();
  return { head, rest };
}

/**
 * gunzip, stopping cleanly at bytes after the last member that are not gzip (`gzip -d` ignores them
 * with a warning): the records in the members are kept and a note says how many bytes were ignored.
 */
async function* gunzip(compressed: AsyncIterable<Buffer>, opts: DecodeOptions): AsyncGenerator<Buffer> {
  const src = Readable.from(compressed, { objectMode: false });
  const z = createGunzip();
  // pipeline() destroys the source when the reader stops early (a strict-mode rejection, an
  // error), so that an HTTP body is not left open.
  pipeline(src, z, () => {
    /* errors reach the reader through z */
  });
  let emitted = 0;
  try {
    for await (const b of z as AsyncIterable<Buffer>) {
      emitted += b.length;
      yield b;
    }
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (!opts.reread || code !== 'Z_DATA_ERROR') throw e;
    const members = gzipMembers(await opts.reread());
    if (!members) throw e;
    if (members.data.length > emitted) yield members.data.subarray(emitted);
    opts.notes.push(
      `${members.trailing} trailing bytes after the gzip data are not gzip and were ignored (as gzip -d does)`,
    );
  } finally {
    z.destroy();
    src.destroy();
  }
}

/**
 * The text of the gzip members at the start of `buf`, and how many bytes follow them; null when a
 * member itself is damaged or cut (then the reader's error stands) or the text is too large.
 */
export function gzipMembers(buf: Buffer): { data: Buffer; trailing: number } | null {
  const out: Buffer[] = [];
  let size = 0;
  let pos = 0;
  while (pos + 18 <= buf.length && buf[pos] === 0x1f && buf[pos + 1] === 0x8b && buf[pos + 2] === 8) {
    const start = pos + gzipHeaderLength(buf, pos);
    if (start <= pos || start > buf.length) return null;
    let r: { buffer: Buffer; engine: { bytesWritten: number } };
    try {
      r = inflateRawSync(buf.subarray(start), {
        info: true,
        maxOutputLength: MAX_RECOVERED_BYTES - size,
      }) as unknown as typeof r;
    } catch {
      return null;
    }
    out.push(r.buffer);
    size += r.buffer.length;
    pos = start + r.engine.bytesWritten + 8; // CRC32 and ISIZE
  }
  if (pos > buf.length || out.length === 0) return null;
  return { data: Buffer.concat(out, size), trailing: buf.length - pos };
}

/** RFC 1952: 10 fixed bytes, then the optional extra field, name, comment and header CRC. */
function gzipHeaderLength(b: Buffer, at: number): number {
  const flags = b[at + 3];
  let p = at + 10;
  if (flags & 4) p += 2 + b.readUInt16LE(p);
  if (flags & 8) p = b.indexOf(0, p) + 1;
  if (flags & 16) p = b.indexOf(0, p) + 1;
  if (flags & 2) p += 2;
  return p <= at ? -1 : p - at;
}
