import { existsSync, readFileSync } from 'node:fs';
import { open, readFile, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { decodedBuffer, decodedBytes } from '../decode.js';
import { bodiesLeftNote, decodeBody, offloadSlots, withBodies, type LoadedBody } from '../offload.js';
import { readRecords } from '../records.js';
import type { ItemRead, RecordSink } from '../source.js';

/**
 * A file up to this size is read in one call, not streamed: the S3 delivery layout is thousands of
 * ~50 KB objects, and a stream's open/read/close hops cost about a millisecond a file.
 */
const WHOLE_FILE_BYTES = 4 * 1024 * 1024;

export interface ReadFileOptions {
  keepBodies: boolean;
  /** The file's size as listed (a smaller file is read whole). */
  size?: number;
  /** Called with the number of (compressed) bytes read so far from the file. */
  onBytes?: (bytes: number) => void;
}

/**
 * Reads one file into the sink, in whatever shape its records come (records.ts). The sink flushes
 * full chunks as it goes. Errors opening or reading the file are thrown (the files adapter
 * reports them); bad records, lines and documents are rejected through the sink.
 */
export async function readFileInto(path: string, w: RecordSink, opts: ReadFileOptions): Promise<ItemRead> {
  // Opened first, so that a missing or unreadable file fails here, where the caller catches it,
  // and not later in a stream event nobody listens to (campaign F5).
  const fh = await open(path, 'r');
  let raw: ReturnType<FileHandle['createReadStream']> | undefined;
  const inline = opts.keepBodies ? offloadInliner(path) : null;
  try {
    const notes: string[] = [];
    const decode = { notes, reread: () => readFile(path) };
    // One byte past the listed size is asked for: a file that grew since it was listed is
    // streamed from its start instead, so what is held stays bounded.
    const head =
      opts.size !== undefined && opts.size <= WHOLE_FILE_BYTES ? await readUpTo(fh, opts.size + 1) : undefined;
    let input: AsyncIterable<Buffer>;
    if (head && opts.size !== undefined && head.length <= opts.size) {
      opts.onBytes?.(head.length);
      input = decodedBuffer(head, decode);
    } else {
      const stream = fh.createReadStream({ start: 0, highWaterMark: 4 * 1024 * 1024 });
      raw = stream;
      let bytes = 0;
      const counted = (async function* () {
        for await (const b of stream as AsyncIterable<Buffer>) {
          bytes += b.length;
          opts.onBytes?.(bytes);
          yield b;
        }
      })();
      input = decodedBytes(counted, decode);
    }
    try {
      return await readRecords(input, w, {
        name: path,
        ...(inline ? { prep: (t: string) => (t.includes('BodyS3Path"') ? inline(t) : t) } : {}),
      });
    } finally {
      for (const n of notes) w.note(n);
      if (inline && inline.leftOffloaded > 0) w.note(bodiesLeftNote(inline.leftOffloaded));
    }
  } finally {
    raw?.destroy();
    await fh.close().catch(() => undefined);
  }
}

/** The file's first `n` bytes, or all of it when it is shorter. */
async function readUpTo(fh: FileHandle, n: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(n);
  let got = 0;
  while (got < n) {
    const { bytesRead } = await fh.read(buf, got, n - got, got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return buf.subarray(0, got);
}

/** Puts offloaded bodies back into a record's text; counts those left offloaded for their size. */
type Inliner = ((text: string) => string) & { leftOffloaded: number };

/**
 * With --keep-bodies, for a file of the S3 delivery layout: puts the offloaded bodies
 * (`HH/data/<requestId>_input.json.gz`, `_output.json.gz`) back into the record as
 * input.inputBodyJson / output.outputBodyJson, next to the S3 path (which is kept).
 */
export function offloadInliner(file: string): Inliner | null {
  const dataDir = join(dirname(file), 'data');
  if (!existsSync(dataDir)) return null;
  const load = (s3Path: unknown): LoadedBody => {
    if (typeof s3Path !== 'string' || s3Path === '') return { ok: false };
    const local = join(dataDir, basename(s3Path));
    if (!existsSync(local)) return { ok: false };
    return decodeBody(readFileSync(local));
  };
  const inline = (text: string): string => {
    const found = offloadSlots(text);
    if (!found) return text;
    const r = withBodies(
      found,
      found.slots.map((s) => load(s.s3Path)),
    );
    inline.leftOffloaded += r.leftOffloaded;
    return r.text ?? text;
  };
  inline.leftOffloaded = 0;
  return inline;
}
