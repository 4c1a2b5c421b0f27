import { BiError } from '../util/errors.js';

/**
 * What one server lets queries use. The defaults are for the machine the console runs on, and
 * each is a `serve` option:
 *
 * - `maxConcurrent` 3 general slots (+ the express slot, see src/engines/admission.ts): DuckDB
 *   runs on 2 threads, so more queries at once finish no sooner together, while each holds its
 *   rows longer; 3 keeps a dashboard's widgets from queueing behind one another.
 * - `timeoutMs` 5 minutes for console queries: the heaviest single query of the reliability
 *   campaign (sort by @message over 1M records) took 17–28 s alone on a loaded 2-core machine;
 *   5 minutes is ten times that, and a query nobody will wait for gives its slot back.
 *   CloudWatch's 60 minutes applies to the CloudWatch API (its own clients expect it) and to
 *   exports, which are long by design.
 * - `maxResultBytes` 32 MB of rows per query in memory (estimated as V8 holds them), beyond which
 *   the result is cut with a warning that points to the export; `keptResultBytes` 256 MB of
 *   finished results kept for polling, oldest dropped first. With the slots, the rows in memory
 *   stay under about 400 MB whatever is asked; the campaign's 20 × `limit 100000` reached 7.4 GB.
 * - `memoryLimit` 2 GB for DuckDB (its own limit: sorts and aggregates spill to disk beyond it).
 * - `idleCancelMs` 2 minutes: a running console query nobody has polled for that long belongs to
 *   a page that is gone, and is cancelled (a client that disconnects mid-wait is noticed at once).
 */
export interface QueryLimits {
  maxConcurrent: number;
  expressMs: number;
  timeoutMs: number;
  exportTimeoutMs: number;
  maxResultBytes: number;
  keptResultBytes: number;
  memoryLimit: string;
  idleCancelMs: number;
}

export const DEFAULT_QUERY_LIMITS: Readonly<QueryLimits> = {
  maxConcurrent: 3,
  expressMs: 2_000,
  timeoutMs: 5 * 60_000,
  exportTimeoutMs: 60 * 60_000,
  maxResultBytes: 32e6,
  keptResultBytes: 256e6,
  memoryLimit: '2GB',
  idleCancelMs: 2 * 60_000,
};

/** The console's `limit` (like StartQuery's and the language's `| limit N`). */
export const MAX_CONSOLE_LIMIT = 100_000;

/** `512MB`, `2GB`, `1.5GB` → bytes, for the byte limits; DuckDB takes the same text. */
export function parseSize(text: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(KB|MB|GB|TB)$/i.exec(text.trim());
  const unit: Record<string, number> = { KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12 };
  const n = m ? Number(m[1]) * unit[m[2].toUpperCase()] : NaN;
  if (!(n > 0)) throw new BiError('INVALID_ARGUMENT', `${flag} ${text}: use a size like 512MB or 2GB.`);
  return n;
}

export function positiveInt(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new BiError('INVALID_ARGUMENT', `${flag} ${text}: use a whole number ≥ 1.`);
  return n;
}
