/**
 * Sinks for generated records: one NDJSON file, or the S3 delivery layout (hourly gzipped NDJSON
 * objects per account and region, plus the permission-check marker). Lines are batched into
 * chunks and every write waits for 'drain' when the stream asks, so memory stays flat however
 * many records flow through.
 */
import { createWriteStream, mkdirSync, statSync, writeFileSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { finished } from 'node:stream/promises';
import { createGzip, type Gzip } from 'node:zlib';
import type { Prng } from './prng.js';
import type { GeneratedRecord } from './record.js';

const CHUNK_CHARS = 256 * 1024;

/** A file written through an optional gzip stream, with a batching buffer and backpressure. */
class ChunkedFile {
  private buf = '';
  private readonly file: WriteStream;
  private readonly head: Gzip | WriteStream;
  /** Settles (rejects) on the first stream error, so a wait for 'drain' cannot hang on a dead file. */
  private readonly failed: Promise<never>;
  records = 0;

  constructor(
    readonly path: string,
    gzip: boolean,
  ) {
    mkdirSync(dirname(path), { recursive: true });
    this.file = createWriteStream(path);
    if (gzip) {
      const gz = createGzip();
      gz.pipe(this.file);
      this.head = gz;
    } else {
      this.head = this.file;
    }
    this.failed = new Promise<never>((_, reject) => {
      this.file.on('error', reject);
      if (this.head !== this.file) this.head.on('error', reject);
    });
    this.failed.catch(() => {
      /* observed where it is awaited */
    });
  }

  async writeLine(line: string): Promise<void> {
    this.buf += line;
    this.buf += '\n';
    this.records++;
    if (this.buf.length >= CHUNK_CHARS) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.buf.length === 0) return;
    const chunk = this.buf;
    this.buf = '';
    if (!this.head.write(chunk)) await Promise.race([once(this.head, 'drain'), this.failed]);
  }

  /** Flushes, closes and returns the bytes on disk. */
  async close(): Promise<number> {
    await this.flush();
    this.head.end();
    await Promise.race([finished(this.file), this.failed]);
    return statSync(this.path).size;
  }
}

export interface SinkStats {
  files: number;
  bytes: number;
}

export interface RecordSink {
  write(record: GeneratedRecord): Promise<void>;
  close(): Promise<SinkStats>;
}

export class JsonlSink implements RecordSink {
  private readonly file: ChunkedFile;
  constructor(path: string) {
    this.file = new ChunkedFile(path, false);
  }
  write(record: GeneratedRecord): Promise<void> {
    return this.file.writeLine(JSON.stringify(record));
  }
  async close(): Promise<SinkStats> {
    return { files: 1, bytes: await this.file.close() };
  }
}

/** `<root>/AWSLogs/<account>/BedrockModelInvocationLogs`, the prefix Bedrock writes under. */
export function s3LogsPrefix(root: string, accountId: string): string {
  return join(root, 'AWSLogs', accountId, 'BedrockModelInvocationLogs');
}

export const PERMISSION_CHECK_MARKER = 'amazon-bedrock-logs-permission-check';

/**
 * The S3 delivery layout. Records arrive in time order, so each (account, region) has at most one
 * open object: it is closed when the hour changes or it reaches `maxRecordsPerFile`.
 * Object names follow the observed `YYYYMMDDTHHMMSSmmmZ_<hex>.json.gz` form, drawn from `names`
 * (a PRNG stream of its own, so the layout never changes the records).
 */
export class S3LayoutSink implements RecordSink {
  private readonly open = new Map<string, { hour: string; file: ChunkedFile }>();
  private readonly markers = new Set<string>();
  private files = 0;
  private bytes = 0;

  constructor(
    private readonly root: string,
    private readonly names: Prng,
    private readonly maxRecordsPerFile = 50_000,
  ) {}

  async write(record: GeneratedRecord): Promise<void> {
    const key = `${record.accountId}/${record.region}`;
    const ts = record.timestamp; // YYYY-MM-DDTHH:MM:SSZ
    const hour = ts.slice(0, 13);
    let cur = this.open.get(key);
    if (cur && (cur.hour !== hour || cur.file.records >= this.maxRecordsPerFile)) {
      this.bytes += await cur.file.close();
      this.open.delete(key);
      cur = undefined;
    }
    if (!cur) {
      const prefix = s3LogsPrefix(this.root, record.accountId);
      if (!this.markers.has(prefix)) {
        mkdirSync(prefix, { recursive: true });
        writeFileSync(join(prefix, PERMISSION_CHECK_MARKER), '');
        this.markers.add(prefix);
      }
      const dir = join(prefix, record.region, ts.slice(0, 4), ts.slice(5, 7), ts.slice(8, 10), ts.slice(11, 13));
      const stamp = `${ts.slice(0, 4)}${ts.slice(5, 7)}${ts.slice(8, 10)}T${ts.slice(11, 13)}${ts.slice(14, 16)}${ts.slice(17, 19)}${String(this.names.int(0, 999)).padStart(3, '0')}Z`;
      const file = new ChunkedFile(join(dir, `${stamp}_${this.names.hex(16)}.json.gz`), true);
      this.files++;
      cur = { hour, file };
      this.open.set(key, cur);
    }
    await cur.file.writeLine(JSON.stringify(record));
  }

  async close(): Promise<SinkStats> {
    for (const { file } of this.open.values()) this.bytes += await file.close();
    this.open.clear();
    return { files: this.files, bytes: this.bytes };
  }
}
