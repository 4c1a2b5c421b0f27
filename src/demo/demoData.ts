/**
 * The data folder behind `bedrock-insights demo`: generated once, regenerated only when the
 * parameters change. A manifest written after a complete generation records the parameters, so an
 * interrupted generation is simply redone.
 *
 * The demo writes one .jsonl file rather than the S3 layout: a month of hourly objects in four
 * regions is ~2,900 files, and per-file ingest overhead made the first `demo` take minutes on a
 * 2-core machine instead of well under one. `generate --format s3` covers the layout.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeDataset, type WriteSummary } from './generator.js';

/** Bump when the generator's output for the same parameters changes, so old demo folders are redone. */
export const GENERATOR_VERSION = 1;
export const MANIFEST_FILE = 'demo-manifest.json';
export const DEMO_DATA_FILE = 'bedrock-invocations.jsonl';

export interface DemoDataParams {
  records: number;
  days: number;
  seed: string;
}

export interface DemoManifest extends DemoDataParams {
  generatorVersion: number;
  preset: 'demo';
  format: 'jsonl';
  /** The data file, relative to the folder. */
  file: string;
  endMs: number;
  summary: WriteSummary;
  /** The window of the aged data set this one was generated to replace (its records are removed before the first ingest). */
  replaces?: { endMs: number; days: number };
}

/** Default data folder: `demo-data` next to the store file. */
export function defaultDemoDataDir(dbPath: string): string {
  return join(dirname(dbPath), 'demo-data');
}

export function readManifest(dir: string): DemoManifest | null {
  try {
    return JSON.parse(readFileSync(join(dir, MANIFEST_FILE), 'utf8')) as DemoManifest;
  } catch {
    return null;
  }
}

export interface EnsureResult {
  generated: boolean;
  manifest: DemoManifest;
  /** The file to ingest. */
  dataFile: string;
  /** When the data was regenerated because it had aged: the data set it replaces. */
  replaced?: DemoManifest;
}

/**
 * Demo data that ended longer ago than this is generated again, ending now: the console opens on
 * the last hour and its dashboards on the last day, which would otherwise show nothing.
 */
export const DEMO_MAX_AGE_MS = 24 * 3600_000;

/**
 * Make sure `dir` holds the demo data set for `params`. Generation ends at the current hour; an
 * existing folder with the same parameters is reused as it is (same data, same request ids)
 * unless it ended more than DEMO_MAX_AGE_MS before `now`.
 */
export async function ensureDemoData(
  dir: string,
  params: DemoDataParams,
  onProgress?: (p: { records: number; total: number }) => void,
  now = Date.now(),
): Promise<EnsureResult> {
  const old = readManifest(dir);
  const dataFile = join(dir, DEMO_DATA_FILE);
  const same =
    old !== null &&
    old.generatorVersion === GENERATOR_VERSION &&
    old.records === params.records &&
    old.days === params.days &&
    old.seed === params.seed &&
    old.file === DEMO_DATA_FILE &&
    existsSync(dataFile);
  const aged = same && now - old.endMs > DEMO_MAX_AGE_MS;
  if (same && !aged) return { generated: false, manifest: old, dataFile };
  // Only what this generator writes is removed; anything else in the folder is left alone.
  rmSync(join(dir, MANIFEST_FILE), { force: true });
  rmSync(dataFile, { force: true });
  mkdirSync(dir, { recursive: true });
  const summary = await writeDataset({
    out: dataFile,
    format: 'jsonl',
    preset: 'demo',
    ...params,
    end: now,
    onProgress,
  });
  // An aged set's window is kept even if this generation is itself redone before being ingested.
  const replaces = aged ? { endMs: old.endMs, days: old.days } : old?.replaces;
  const manifest: DemoManifest = {
    generatorVersion: GENERATOR_VERSION,
    preset: 'demo',
    format: 'jsonl',
    file: DEMO_DATA_FILE,
    ...params,
    endMs: summary.endMs,
    summary,
    ...(replaces ? { replaces } : {}),
  };
  writeFileSync(join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return { generated: true, manifest, dataFile, ...(aged ? { replaced: old } : {}) };
}
