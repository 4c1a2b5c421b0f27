/**
 * The data folder behind `bedrock-insights demo`: generated once, regenerated only when the
 * parameters change. A manifest written after a complete generation records the parameters, so an
 * interrupted generation is simply redone.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DEMO_ACCOUNT } from './world.js';
import { writeDataset, type WriteSummary } from './generator.js';

/** Bump when the generator's output for the same parameters changes, so old demo folders are redone. */
export const GENERATOR_VERSION = 1;
export const MANIFEST_FILE = 'demo-manifest.json';

export interface DemoDataParams {
  records: number;
  days: number;
  seed: string;
}

export interface DemoManifest extends DemoDataParams {
  generatorVersion: number;
  preset: 'demo';
  format: 's3';
  endMs: number;
  summary: WriteSummary;
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
}

/**
 * Make sure `dir` holds the demo data set for `params`. Generation ends at the current hour; an
 * existing folder with the same parameters is reused as it is (same data, same request ids).
 */
export async function ensureDemoData(dir: string, params: DemoDataParams, onProgress?: (p: { records: number; total: number }) => void): Promise<EnsureResult> {
  const old = readManifest(dir);
  const logs = join(dir, 'AWSLogs', DEMO_ACCOUNT);
  if (old && old.generatorVersion === GENERATOR_VERSION && old.records === params.records && old.days === params.days
      && old.seed === params.seed && existsSync(logs)) {
    return { generated: false, manifest: old };
  }
  // Only what this generator writes is removed; anything else in the folder is left alone.
  rmSync(join(dir, MANIFEST_FILE), { force: true });
  rmSync(logs, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const summary = await writeDataset({ out: dir, format: 's3', force: true, preset: 'demo', ...params, onProgress });
  const manifest: DemoManifest = { generatorVersion: GENERATOR_VERSION, preset: 'demo', format: 's3', ...params, endMs: summary.endMs, summary };
  writeFileSync(join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return { generated: true, manifest };
}
