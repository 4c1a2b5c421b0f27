import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the suite's files live, and small helpers that need nothing of the product's code. */
export const CONFORMANCE_DIR = fileURLToPath(new URL('.', import.meta.url));
export const DATASETS_DIR = join(CONFORMANCE_DIR, 'datasets');
export const REPO_ROOT = join(CONFORMANCE_DIR, '..', '..');

export function datasetPath(name: string): string | undefined {
  for (const ext of ['.jsonl', '.gen.json']) {
    const p = join(DATASETS_DIR, name + ext);
    if (existsSync(p)) return p;
  }
  return undefined;
}

/** ISO-8601 text or epoch ms -> epoch ms. */
export function toMillis(t: string | number, where: string): number {
  if (typeof t === 'number') return t;
  const ms = Date.parse(t);
  if (!Number.isFinite(ms)) throw new Error(`${where}: bad time ${JSON.stringify(t)}`);
  return ms;
}
