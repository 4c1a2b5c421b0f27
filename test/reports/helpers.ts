import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBValue } from '@duckdb/node-api';
import { main } from '../../src/cli/main.js';
import { Store } from '../../src/store/store.js';

/** An invocation row with a cost set by the test (not by the price book), so expected figures are known. */
export interface Inv {
  ts: number;
  model: string;
  region?: string;
  meta?: Record<string, string>;
  arn?: string;
  input?: number;
  output?: number;
  cacheRead?: number;
  cacheWrite?: number;
  /** USD; null = unpriced. */
  cost: number | null;
  /** Per-class split (defaults: all in cost_input). */
  costCacheRead?: number;
}

const lit = (s: string): string => `'${s.replace(/'/g, "''")}'`;

let seq = 0;
/** Plain INSERTs (not the ingest path): these tests must not depend on it. */
export async function insertInvocations(store: Store, rows: Inv[]): Promise<void> {
  for (const r of rows) {
    seq += 1;
    const meta =
      r.meta && Object.keys(r.meta).length
        ? `MAP([${Object.keys(r.meta).map(lit).join(', ')}], [${Object.values(r.meta).map(lit).join(', ')}])`
        : 'NULL';
    const cr = r.costCacheRead ?? 0;
    const values: DuckDBValue[] = [
      BigInt(seq),
      BigInt(r.ts),
      `h9-${seq}`,
      r.model,
      r.region ?? 'us-east-1',
      r.arn ?? 'arn:aws:iam::111122223333:role/App',
      BigInt(r.input ?? 100),
      BigInt(r.output ?? 50),
      BigInt(r.cacheRead ?? 0),
      BigInt(r.cacheWrite ?? 0),
      r.cost === null ? null : r.cost - cr,
      r.cost === null ? null : cr,
      r.cost,
      r.cost === null ? null : 'test-prices',
    ];
    await store.connection.run(
      `INSERT INTO events (seq, log_group, log_stream, ts, ingestion_ts, event_key, kind, account_id, model_id, region, identity_arn,
        input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, request_metadata, cost_input, cost_output, cost_cache_read, cost_cache_write, cost_total, price_version, message)
      VALUES ($1, '/aws/bedrock/modelinvocations', 'aws/bedrock/modelinvocations', $2, $2, $3, 'bedrock', '111122223333', $4, $5, $6,
        $7, $8, $9, $10, ${meta}, $11, 0, $12, 0, $13, $14, '{}')`,
      values,
    );
  }
}

export function tempDir(prefix = 'h9-reports-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function memoryStore(): Promise<Store> {
  return Store.open(':memory:');
}

export const OCT = (day: number, hour = 12): number => Date.UTC(2026, 9, day, hour, 0, 0);

/**
 * `bedrock-insights <args>` through the real program (so the commands' registration is tested
 * too), standard error captured. Output goes to an `--out` file in `dir` (unless `args` name one,
 * or `out` is false): standard output carries the test runner's own report.
 */
export async function runCli(
  dir: string,
  args: string[],
  out = true,
): Promise<{ code: number; out: string; err: string }> {
  let err = '';
  const outFile = join(dir, `out-${Math.random().toString(36).slice(2)}.txt`);
  const w2 = process.stderr.write.bind(process.stderr);
  process.stderr.write = (c: string | Uint8Array) => {
    err += String(c);
    return true;
  };
  try {
    const code = await main([
      'node',
      'bedrock-insights',
      ...args,
      ...(out && !args.includes('--out') ? ['--out', outFile] : []),
    ]);
    return { code, out: existsSync(outFile) ? readFileSync(outFile, 'utf8') : '', err };
  } finally {
    process.stderr.write = w2;
  }
}
