import { join } from 'node:path';
import { writeDataset } from '../../src/demo/generator.js';
import { priceEvents } from '../../src/pricing/index.js';
import { ingestPaths } from '../../src/sources/ingest.js';
import { Store } from '../../src/store/store.js';
import { tempDir } from './helpers.js';

/** The demo preset over 45 days ending 2026-11-01: all of October, the end of September. */
export const DEMO_END = '2026-11-01T00:00:00Z';
export const DEMO_DAYS = 45;

/** The demo data written and ingested (the real ingest: the field catalog is filled too). */
export async function demoStore(
  records = 16_000,
  /** bodies: generate request/response bodies (the default ingest keeps their latency and usage, not their text). */
  o: { days?: number; end?: string; seed?: number; bodies?: boolean } = {},
): Promise<{ store: Store; dir: string; dbPath: string }> {
  const dir = tempDir('h9-reports-demo-');
  const file = join(dir, 'demo.jsonl');
  await writeDataset({
    out: file,
    format: 'jsonl',
    preset: 'demo',
    records,
    days: o.days ?? DEMO_DAYS,
    end: o.end ?? DEMO_END,
    seed: o.seed ?? 9,
    bodies: o.bodies ?? false,
  });
  const dbPath = join(dir, 'store.duckdb');
  const store = await Store.open(dbPath);
  await ingestPaths(store, [file]);
  // Ingest may or may not price rows yet (another change wires it in): price what is left.
  await priceEvents(store, { where: 'unpriced' });
  return { store, dir, dbPath };
}
