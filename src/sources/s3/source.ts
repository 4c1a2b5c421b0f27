import { GetObjectCommand, ListObjectsV2Command, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import { DEFAULT_LOG_GROUP } from '../../logs/event.js';
import type { Store } from '../../store/store.js';
import { BiError, errorMessage } from '../../util/errors.js';
import { awsClientConfig, awsError, awsIngestOptionsOf, type AwsClientOptions, type AwsIngestOptions } from '../aws.js';
import type { FilesRead } from '../checkpoints.js';
import { decodedBytes } from '../decode.js';
import { ingest, type IngestProgress } from '../driver.js';
import { isMarker } from '../files/walk.js';
import { bodiesLeftNote, decodeBody, offloadSlots, withBodies, type LoadedBody } from '../offload.js';
import { readRecords } from '../records.js';
import type { ItemRead, Listing, RecordSink, Source, SourceAdapter, SourceItem } from '../source.js';
import type { IngestSummary } from '../summary.js';

export interface S3Location {
  bucket: string;
  /** Key prefix, possibly empty; no leading slash. */
  prefix: string;
}

/** `s3://BUCKET/PREFIX` → bucket and prefix. */
export function parseS3Url(url: string): S3Location {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
  if (!m || m[1] === '') {
    throw new BiError(
      'INVALID_ARGUMENT',
      `"${url}" is not an S3 location; write it as s3://BUCKET/PREFIX (for example s3://my-logs/AWSLogs/).`,
    );
  }
  return { bucket: m[1], prefix: m[2] };
}

export function makeS3Client(o: AwsClientOptions): S3Client {
  const cfg: S3ClientConfig = awsClientConfig(o);
  if (o.endpointUrl) {
    cfg.forcePathStyle = true;
    // S3-compatible stores rarely know every region; any string signs correctly against them.
    if (!cfg.region && !process.env.AWS_REGION && !process.env.AWS_DEFAULT_REGION) cfg.region = 'us-east-1';
  }
  return new S3Client(cfg);
}

export interface S3IngestOptions extends AwsIngestOptions {
  chunkRecords?: number;
  /** A client to use instead of one built from the options. */
  client?: S3Client;
  /**
   * 'recent' (sync polls): list only the hour folders from RECENT_LOOKBACK_MS before the newest
   * hour already read, instead of the whole prefix (see recentRecordObjects). Default 'full'.
   */
  listing?: 'full' | 'recent';
}

export interface S3Object {
  key: string;
  size: number;
  lastModifiedMs: number;
}

const LOG_KEY = /\.(jsonl|ndjson|json)(\.gz)?$|\.gz$/i;
/** `…/HH/data/…`: offloaded bodies, read only to put them back with --keep-bodies. */
const OFFLOAD_DIR = /(^|\/)\d{2}\/data\//;

/**
 * Whether a key may hold records: not a marker, not an offloaded body, not a folder placeholder.
 * Any name is read (Firehose names its objects without an extension); an object whose bytes are
 * not records is rejected by what it holds, not skipped by its name.
 */
export function isRecordKey(key: string): boolean {
  const name = key.slice(key.lastIndexOf('/') + 1);
  return name !== '' && !isMarker(name) && !OFFLOAD_DIR.test(key);
}

/** Every record object under the prefix, in key order (ListObjectsV2, all pages). */
export async function listRecordObjects(client: S3Client, loc: S3Location): Promise<S3Object[]> {
  const out: S3Object[] = [];
  await listFlat(client, loc.bucket, loc.prefix, undefined, out);
  return byKey(out);
}

function byKey(objects: S3Object[]): S3Object[] {
  return objects.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

function pushRecords(
  contents: { Key?: string; Size?: number; LastModified?: Date }[] | undefined,
  out: S3Object[],
): void {
  for (const o of contents ?? []) {
    if (!o.Key || !isRecordKey(o.Key)) continue;
    out.push({ key: o.Key, size: Number(o.Size ?? 0), lastModifiedMs: o.LastModified ? o.LastModified.getTime() : 0 });
  }
}

/** ListObjectsV2 of a prefix, all pages, optionally from a key on (StartAfter). */
async function listFlat(
  client: S3Client,
  bucket: string,
  prefix: string,
  startAfter: string | undefined,
  out: S3Object[],
): Promise<void> {
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: prefix || undefined,
        ContinuationToken: token,
        StartAfter: token ? undefined : startAfter,
      }),
    );
    pushRecords(page.Contents, out);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}

/**
 * How far before the newest hour folder already read a sync poll looks. Bedrock writes each object
 * into the folder of the hour it delivers it in, so new objects land in the current hour; the
 * margin covers delivery delay and clock skew. A full listing (the first poll of a sync process,
 * then once a day) catches anything older.
 */
export const RECENT_LOOKBACK_MS = 6 * 3600_000;
/** Beyond this many list requests to find the date folders, the layout is not the delivery layout: list flat. */
const MAX_WALK_REQUESTS = 200;
const YEAR_DIR = /^\d{4}\/$/;
/** A prefix that already points inside the date folders (…/YYYY/ or deeper). */
const INSIDE_DATES = /(^|\/)\d{4}\/(\d{2}\/){0,3}$/;
/** The hour folder path of a key of the delivery layout (…/YYYY/MM/DD/HH/…). */
const HOUR_OF_KEY = /(?:^|\/)(\d{4})\/(\d{2})\/(\d{2})\/(\d{2})\//;

/** Start (epoch ms, UTC) of the hour folder a delivery-layout key is in; null for other keys. */
export function hourOfKey(key: string): number | null {
  const m = HOUR_OF_KEY.exec(key);
  if (!m) return null;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]));
  return Number.isFinite(ms) ? ms : null;
}

function hourFolder(ms: number): string {
  const d = new Date(ms);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())}/${p(d.getUTCHours())}`;
}

/**
 * The record objects in hour folders from `fromMs` on, without listing the older ones: walks down
 * with Delimiter '/' to each folder that holds year folders (one per account and region in the
 * delivery layout), then lists each of those flat from the hour of `fromMs` (StartAfter). Objects
 * outside the date folders are listed too. Returns null when the prefix is not laid out that way
 * (the caller lists flat): a prefix inside the date folders, or too many folders to walk.
 */
export async function recentRecordObjects(
  client: S3Client,
  loc: S3Location,
  fromMs: number,
): Promise<S3Object[] | null> {
  if (INSIDE_DATES.test(loc.prefix)) return null;
  const out: S3Object[] = [];
  const hour = hourFolder(fromMs);
  let requests = 0;
  const walk = async (prefix: string): Promise<boolean> => {
    const dirs: string[] = [];
    let token: string | undefined;
    do {
      if (++requests > MAX_WALK_REQUESTS) return false;
      const page = await client.send(
        new ListObjectsV2Command({
          Bucket: loc.bucket,
          Prefix: prefix || undefined,
          Delimiter: '/',
          ContinuationToken: token,
        }),
      );
      pushRecords(page.Contents, out);
      for (const cp of page.CommonPrefixes ?? []) if (cp.Prefix) dirs.push(cp.Prefix);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    const years = dirs.filter((d) => YEAR_DIR.test(d.slice(prefix.length)));
    if (years.length > 0) await listFlat(client, loc.bucket, prefix, `${prefix}${hour}`, out);
    for (const d of dirs) {
      if (years.includes(d)) continue;
      if (!(await walk(d))) return false;
    }
    return true;
  };
  if (!(await walk(loc.prefix))) return null;
  // A key directly in a folder with year folders is seen by both listings of that folder.
  return byKey([...new Map(out.map((o) => [o.key, o])).values()]);
}

/** The newest hour folder among the objects already read under the location; null when none. */
function newestHourRead(seen: FilesRead, loc: S3Location): number | null {
  const base = objectUrl(loc.bucket, loc.prefix);
  let newest: number | null = null;
  for (const url of seen.keys()) {
    if (!url.startsWith(base)) continue;
    const h = hourOfKey(url.slice(`s3://${loc.bucket}/`.length));
    if (h !== null && (newest === null || h > newest)) newest = h;
  }
  return newest;
}

/** The checkpoint name of an object: its URL (stored in `ingested_files` with size and LastModified). */
export function objectUrl(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}

/**
 * An S3 prefix: the delivery layout, CloudWatch CreateExportTask output, Firehose objects. An
 * item is an object; its checkpoint (`ingested_files`: s3://bucket/key, size, LastModified)
 * commits with its last records, so re-runs fetch only new or changed objects and an interrupted
 * run is completed by the next. LastModified is its records' @ingestionTime (when S3 received it).
 */
export class S3Source implements Source {
  readonly unit = 'objects';
  readonly pipeline = true;
  readonly logGroup: string;
  readonly checkpointPrefix: string;
  private readonly loc: S3Location;
  private readonly client: S3Client;

  constructor(
    readonly url: string,
    private readonly opts: S3IngestOptions = {},
  ) {
    this.loc = parseS3Url(url);
    this.client = opts.client ?? makeS3Client(opts);
    this.logGroup = opts.logGroup ?? DEFAULT_LOG_GROUP;
    this.checkpointPrefix = `s3://${this.loc.bucket}/`;
  }

  async list(ctx: { read: FilesRead }): Promise<Listing<SourceItem>> {
    const loc = this.loc;
    let objects: S3Object[];
    try {
      const from = this.opts.listing === 'recent' ? newestHourRead(ctx.read, loc) : null;
      objects =
        (from !== null ? await recentRecordObjects(this.client, loc, from - RECENT_LOOKBACK_MS) : null) ??
        (await listRecordObjects(this.client, loc));
    } catch (e) {
      throw awsError(e, `list s3://${loc.bucket}/${loc.prefix}`);
    }
    const items = objects.map((o): SourceItem => ({
      name: objectUrl(loc.bucket, o.key),
      size: o.size,
      version: { size: o.size, mtimeMs: o.lastModifiedMs },
      ...(o.lastModifiedMs > 0 ? { deliveredMs: o.lastModifiedMs } : {}),
    }));
    return { items, total: { items: items.length, bytes: objects.reduce((s, o) => s + o.size, 0) } };
  }

  async read(item: SourceItem, sink: RecordSink): Promise<ItemRead> {
    const key = item.name.slice(`s3://${this.loc.bucket}/`.length);
    try {
      return await readObjectInto(this.client, this.loc.bucket, key, sink, this.opts.keepBodies ?? false);
    } catch (e) {
      // A corrupt object is reported and checkpointed (reading it again gives the same bytes);
      // a network or permission failure stops the run, to be retried.
      if (!isZlibError(e)) throw e;
      sink.reject(0, `cannot decompress the object (${errorMessage(e)}); records before the damage were kept`);
      return { records: 0, complete: true };
    }
  }
}

export const s3Adapter: SourceAdapter = {
  kind: 'S3 prefix',
  example: 's3://BUCKET/PREFIX',
  takesOverlap: false,
  accepts: (url) => url.startsWith('s3://'),
  canonical(url) {
    parseS3Url(url);
    return url;
  },
  open: (cfg, run) =>
    new S3Source(cfg.url, {
      ...awsIngestOptionsOf(cfg),
      listing: run?.listing ?? 'full',
    }),
};

/** `ingest s3://…` alone: the S3 adapter through the one driver. */
export function ingestS3(
  store: Store,
  url: string,
  opts: S3IngestOptions = {},
  onProgress?: (p: IngestProgress) => void,
): Promise<IngestSummary> {
  return ingest(store, [new S3Source(url, opts)], opts, onProgress);
}

async function getBody(client: S3Client, bucket: string, key: string): Promise<Readable> {
  try {
    const r = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    if (!r.Body) throw new Error('empty response body');
    return r.Body as Readable;
  } catch (e) {
    throw awsError(e, `read s3://${bucket}/${key}`);
  }
}

/**
 * Streams one object into the sink: gunzipped when it is gzip, converted when it is UTF-16, read
 * in whatever shape its records come, as files are (records.ts).
 */
async function readObjectInto(
  client: S3Client,
  bucket: string,
  key: string,
  w: RecordSink,
  keepBodies: boolean,
): Promise<ItemRead> {
  const body = await getBody(client, bucket, key);
  const notes: string[] = [];
  const inline = keepBodies ? offloadFetcher(client) : null;
  try {
    return await readRecords(decodedBytes(body as AsyncIterable<Buffer>, { notes }), w, {
      name: key,
      sniff: !LOG_KEY.test(key),
      ...(inline ? { prep: (t: string) => (t.includes('BodyS3Path"') ? inline(t) : t) } : {}),
    });
  } finally {
    body.destroy(); // a reader that stopped early (strict mode, an error) leaves no socket open
    for (const n of notes) w.note(n);
    if (inline && inline.leftOffloaded > 0) w.note(bodiesLeftNote(inline.leftOffloaded));
  }
}

/**
 * With --keep-bodies: puts offloaded bodies (`inputBodyS3Path`/`outputBodyS3Path`, objects under
 * `HH/data/`) back into the record as inputBodyJson/outputBodyJson, next to the S3 path.
 */
function offloadFetcher(client: S3Client): ((text: string) => Promise<string>) & { leftOffloaded: number } {
  const load = async (path: unknown): Promise<LoadedBody> => {
    if (typeof path !== 'string') return { ok: false };
    const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(path);
    if (!m) return { ok: false };
    let raw: Buffer;
    try {
      const r = await client.send(new GetObjectCommand({ Bucket: m[1], Key: m[2] }));
      raw = Buffer.from(await r.Body!.transformToByteArray());
    } catch {
      return { ok: false }; // a body that cannot be read stays offloaded: the S3 path remains in the record
    }
    return decodeBody(raw);
  };
  const inline = async (text: string): Promise<string> => {
    const found = offloadSlots(text);
    if (!found) return text;
    const bodies: LoadedBody[] = [];
    for (const s of found.slots) bodies.push(await load(s.s3Path));
    const r = withBodies(found, bodies);
    inline.leftOffloaded += r.leftOffloaded;
    return r.text ?? text;
  };
  inline.leftOffloaded = 0;
  return inline;
}

function isZlibError(e: unknown): boolean {
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('Z_');
}
