/**
 * The demo data generator: deterministic (seeded), streaming Bedrock invocation logs.
 * `generateRecords` yields records in time order; `writeDataset` writes them as one .jsonl file
 * or as the S3 delivery layout. Same options and seed -> byte-identical output.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { BiError } from '../util/errors.js';
import { Prng } from './prng.js';
import type { GeneratedRecord } from './record.js';
import { demoRecords } from './presets/demo.js';
import { GUIDE_DEFAULT_DAYS, GUIDE_RECORDS, guideRecords } from './presets/guide.js';
import { JsonlSink, S3LayoutSink, type RecordSink } from './writers.js';

export type Preset = 'demo' | 'guide';
export const PRESETS: readonly Preset[] = ['demo', 'guide'];
export type OutputFormat = 's3' | 'jsonl';

export const DEMO_DEFAULT_RECORDS = 150_000;
export const DEMO_DEFAULT_DAYS = 30;
export const DEFAULT_SEED = '1';
const HOUR = 3_600_000;
const MAX_DAYS = 3660;

export interface GenerateOptions {
  preset?: Preset;
  /** demo: the exact number of records (default 150,000). guide: fixed at 450; any other value is an error. */
  records?: number;
  /** Days covered, ending at `end` (demo default 30, guide default 1). */
  days?: number;
  seed?: string | number;
  /** Exclusive end of the data set: epoch ms, Date or ISO text; floored to the hour. Default: now. */
  end?: number | Date | string;
  /** Write synthetic request/response bodies (default true). false mimics text data delivery off. */
  bodies?: boolean;
}

/** Options with every default applied; what a data set is a function of. */
export interface ResolvedOptions {
  preset: Preset;
  records: number;
  days: number;
  seed: string;
  endMs: number;
  bodies: boolean;
}

export function floorToHour(ms: number): number {
  return ms - (((ms % HOUR) + HOUR) % HOUR);
}

function parseEnd(end: GenerateOptions['end']): number {
  if (end === undefined) return floorToHour(Date.now());
  const ms = end instanceof Date ? end.getTime() : typeof end === 'number' ? end : parseEndText(end);
  if (!Number.isFinite(ms))
    throw new BiError(
      'INVALID_ARGUMENT',
      `--end ${String(end)} is not a time; give an ISO time such as 2026-11-01T00:00:00Z or epoch milliseconds.`,
    );
  return floorToHour(ms);
}

function parseEndText(text: string): number {
  if (/^\d+$/.test(text.trim())) return Number(text.trim());
  return Date.parse(text);
}

export function resolveOptions(o: GenerateOptions = {}): ResolvedOptions {
  const preset = o.preset ?? 'demo';
  if (!PRESETS.includes(preset))
    throw new BiError('INVALID_ARGUMENT', `Unknown preset "${String(preset)}"; use one of: ${PRESETS.join(', ')}.`);
  const days = o.days ?? (preset === 'guide' ? GUIDE_DEFAULT_DAYS : DEMO_DEFAULT_DAYS);
  if (!Number.isInteger(days) || days < 1 || days > MAX_DAYS)
    throw new BiError('INVALID_ARGUMENT', `--days must be a whole number from 1 to ${MAX_DAYS} (got ${days}).`);
  let records: number;
  if (preset === 'guide') {
    if (o.records !== undefined && o.records !== GUIDE_RECORDS) {
      throw new BiError(
        'INVALID_ARGUMENT',
        `The guide preset has a fixed size (${GUIDE_RECORDS} records) so that the guide's tables come out exactly; drop --records.`,
      );
    }
    records = GUIDE_RECORDS;
  } else {
    records = o.records ?? DEMO_DEFAULT_RECORDS;
    if (!Number.isSafeInteger(records) || records < 0)
      throw new BiError('INVALID_ARGUMENT', `--records must be a whole number >= 0 (got ${records}).`);
  }
  return {
    preset,
    records,
    days,
    seed: String(o.seed ?? DEFAULT_SEED),
    endMs: parseEnd(o.end),
    bodies: o.bodies ?? true,
  };
}

/** The data set's records, in time order, generated lazily: iterate it, never collect it. */
export function generateRecords(opts: GenerateOptions = {}): Iterable<GeneratedRecord> {
  return recordsOf(resolveOptions(opts));
}

function recordsOf(r: ResolvedOptions): Iterable<GeneratedRecord> {
  if (r.preset === 'guide') return guideRecords({ days: r.days, endMs: r.endMs, seed: r.seed, bodies: r.bodies });
  return demoRecords({ records: r.records, days: r.days, endMs: r.endMs, seed: r.seed, bodies: r.bodies });
}

export interface WriteOptions extends GenerateOptions {
  /** jsonl: the file to write. s3: the root folder (the bucket), under which AWSLogs/… goes. */
  out: string;
  format?: OutputFormat;
  /** Replace existing output instead of refusing to write over it. */
  force?: boolean;
  maxRecordsPerFile?: number;
  /** Called every `progressEvery` records and at the end. */
  onProgress?: (p: { records: number; total: number }) => void;
  progressEvery?: number;
}

export interface WriteSummary {
  preset: Preset;
  format: OutputFormat;
  out: string;
  seed: string;
  records: number;
  files: number;
  bytes: number;
  /** Timestamps of the first and last record (epoch ms), or null when there are none. */
  firstMs: number | null;
  lastMs: number | null;
  /** The requested window [startMs, endMs). */
  startMs: number;
  endMs: number;
}

function isNonEmpty(path: string): boolean {
  if (!existsSync(path)) return false;
  const st = statSync(path);
  return st.isDirectory() ? readdirSync(path).length > 0 : st.size > 0;
}

export async function writeDataset(opts: WriteOptions): Promise<WriteSummary> {
  const r = resolveOptions(opts);
  const format = opts.format ?? 's3';
  if (format !== 's3' && format !== 'jsonl')
    throw new BiError('INVALID_ARGUMENT', `Unknown format "${String(format)}"; use s3 or jsonl.`);
  if (existsSync(opts.out)) {
    const st = statSync(opts.out);
    if (format === 'jsonl' && st.isDirectory())
      throw new BiError(
        'INVALID_ARGUMENT',
        `${opts.out} is a folder; --format jsonl writes one file: give a file name such as ${opts.out}/bedrock.jsonl.`,
      );
    if (format === 's3' && !st.isDirectory())
      throw new BiError('INVALID_ARGUMENT', `${opts.out} is a file; --format s3 writes a folder tree: give a folder.`);
    if (!opts.force && isNonEmpty(opts.out)) {
      throw new BiError(
        'OUTPUT_EXISTS',
        `${opts.out} already exists and is not empty; choose another --out, or pass --force to write into it anyway.`,
      );
    }
  }
  const sink: RecordSink =
    format === 'jsonl'
      ? new JsonlSink(opts.out)
      : new S3LayoutSink(
          opts.out,
          new Prng(`names|${r.preset}|${r.seed}|${r.records}|${r.days}|${r.endMs}`),
          opts.maxRecordsPerFile,
        );
  const every = opts.progressEvery ?? 10_000;
  let n = 0;
  let firstMs: number | null = null;
  let lastTs = '';
  try {
    for (const rec of recordsOf(r)) {
      if (firstMs === null) firstMs = Date.parse(rec.timestamp);
      lastTs = rec.timestamp;
      await sink.write(rec);
      n++;
      if (opts.onProgress && n % every === 0) opts.onProgress({ records: n, total: r.records });
    }
  } catch (e) {
    await sink.close().catch(() => {
      /* the first error is the one to report */
    });
    throw e;
  }
  const stats = await sink.close();
  opts.onProgress?.({ records: n, total: r.records });
  return {
    preset: r.preset,
    format,
    out: opts.out,
    seed: r.seed,
    records: n,
    files: stats.files,
    bytes: stats.bytes,
    firstMs,
    lastMs: lastTs ? Date.parse(lastTs) : null,
    startMs: r.endMs - r.days * 24 * HOUR,
    endMs: r.endMs,
  };
}
