import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBValue } from '@duckdb/node-api';
import { Command } from 'commander';
import { registerPrices } from '../../src/cli/commands/prices.js';
import { PRICE_BOOK_ENV, PRICES_ENV } from '../../src/pricing/index.js';
import { Store } from '../../src/store/store.js';

/** A row of the events table with the fields pricing reads; the rest get plain defaults. */
export interface Row {
  ts?: number;
  kind?: 'bedrock' | 'generic';
  modelId: string | null;
  region: string | null;
  errorCode?: string | null;
  input?: number | null;
  output?: number | null;
  cacheRead?: number | null;
  cacheWrite?: number | null;
  message?: string;
}

export const NOV_2026 = Date.UTC(2026, 10, 15, 12, 0, 0);
export const DEC_2026 = Date.UTC(2026, 11, 15, 12, 0, 0);

let seq = 0;
/** Insert rows with plain SQL (not the ingest writer: these tests must not depend on it). */
export async function insertRows(store: Store, rows: Row[]): Promise<void> {
  for (const r of rows) {
    seq++;
    const values: DuckDBValue[] = [
      BigInt(seq),
      BigInt(r.ts ?? NOV_2026),
      `k${seq}`,
      r.kind ?? 'bedrock',
      r.modelId,
      r.region,
      r.errorCode ?? null,
      r.input == null ? null : BigInt(r.input),
      r.output == null ? null : BigInt(r.output),
      r.cacheRead == null ? null : BigInt(r.cacheRead),
      r.cacheWrite == null ? null : BigInt(r.cacheWrite),
      r.message ?? '{}',
    ];
    await store.connection.run(
      `INSERT INTO events (seq, log_group, log_stream, ts, ingestion_ts, event_key, kind, model_id, region, error_code,
        input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, message)
      VALUES ($1, '/aws/bedrock/modelinvocations', 'aws/bedrock/modelinvocations', $2, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      values,
    );
  }
}

export interface CostRow {
  eventKey: string;
  modelId: string | null;
  input: number | null;
  output: number | null;
  cacheRead: number | null;
  cacheWrite: number | null;
  total: number | null;
  version: string | null;
}

export async function costs(store: Store): Promise<CostRow[]> {
  const r = await store.connection.runAndReadAll(
    `SELECT event_key, model_id, cost_input, cost_output, cost_cache_read, cost_cache_write, cost_total, price_version FROM events ORDER BY seq`,
  );
  return r.getRows().map((x) => ({
    eventKey: String(x[0]),
    modelId: x[1] === null ? null : String(x[1]),
    input: x[2] as number | null,
    output: x[3] as number | null,
    cacheRead: x[4] as number | null,
    cacheWrite: x[5] as number | null,
    total: x[6] as number | null,
    version: x[7] === null ? null : String(x[7]),
  }));
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'h6-pricing-'));
}

export function writeJson(dir: string, name: string, value: unknown): string {
  const p = join(dir, name);
  writeFileSync(p, typeof value === 'string' ? value : JSON.stringify(value));
  return p;
}

/** |a - b| within a relative 1e-9: prices are decimals that doubles cannot hold exactly. */
export function near(actual: number | null | undefined, expected: number, msg?: string): void {
  if (actual === null || actual === undefined || Math.abs(actual - expected) > 1e-9 * Math.max(1, Math.abs(expected))) {
    throw new Error(`${msg ?? 'value'}: expected ${expected}, got ${actual}`);
  }
}

/** Run `bedrock-insights <args>` with only the prices command, capturing standard output. */
export async function runPrices(args: string[]): Promise<string> {
  const program = new Command().name('bedrock-insights').exitOverride();
  registerPrices(program);
  let captured = '';
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = (chunk: string | Uint8Array) => {
    captured += String(chunk);
    return true;
  };
  try {
    await program.parseAsync(args, { from: 'user' });
  } finally {
    process.stdout.write = write;
  }
  return captured;
}

/** Each test names its own book and prices file: never a developer's ~/.bedrock-insights. */
export function isolate(): { dir: string; bookPath: string; restore: () => void } {
  const dir = tempDir();
  const saved = [process.env[PRICE_BOOK_ENV], process.env[PRICES_ENV]];
  const bookPath = join(dir, 'price-book.json');
  process.env[PRICE_BOOK_ENV] = bookPath;
  process.env[PRICES_ENV] = writeJson(dir, 'prices.json', { version: 'test', prices: [] });
  return {
    dir,
    bookPath,
    restore() {
      const [b, p] = saved;
      if (b === undefined) delete process.env[PRICE_BOOK_ENV];
      else process.env[PRICE_BOOK_ENV] = b;
      if (p === undefined) delete process.env[PRICES_ENV];
      else process.env[PRICES_ENV] = p;
    },
  };
}
