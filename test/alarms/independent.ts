import type { DuckDBConnection } from '@duckdb/node-api';

/**
 * What an hourly "value > threshold, 1 of 1, missing = not breaching" alarm does, computed
 * without src/alarms: the hourly values with DuckDB's own JSON functions over the stored
 * messages (not the typed columns, not the filter-pattern matcher, not the query engine), and
 * the fires counted from the values.
 */

export const HOUR = 3_600_000;

/** Series key -> period start -> value, from SQL whose rows are (period start, series key, value). */
export async function hourlyValues(
  conn: DuckDBConnection,
  sql: string,
  from: number,
  to: number,
): Promise<Map<string, Map<number, number>>> {
  const r = await conn.runAndReadAll(sql, [BigInt(from), BigInt(to)]);
  const out = new Map<string, Map<number, number>>();
  for (const [p, k, v] of r.getRows()) {
    if (v === null) continue;
    const key = String(k);
    if (!out.has(key)) out.set(key, new Map());
    out.get(key)!.set(Number(p), Number(v));
  }
  return out;
}

/** Input + output tokens per application and hour, from the JSON of each message (the built-in alarm's metric). */
export const TOKENS_PER_APP_JSON = `
  SELECT (ts // 3600000) * 3600000 AS p, json_extract_string(message, '$.requestMetadata.application_name') AS app,
         sum(coalesce(json_extract(message, '$.input.inputTokenCount')::DOUBLE, 0)
           + coalesce(json_extract(message, '$.output.outputTokenCount')::DOUBLE, 0)) AS v
  FROM events WHERE ts >= $1 AND ts < $2
    AND json_extract_string(message, '$.requestMetadata.application_name') IS NOT NULL
  GROUP BY ALL`;

/** The evaluated periods of a backtest over [since, until] with the evaluation delay (hourly, 1 period). */
export function evaluatedPeriods(since: number, until: number, delayMs = 300_000): { first: number; last: number } {
  const firstAt = Math.ceil((since - delayMs) / HOUR) * HOUR + delayMs;
  const lastAt = firstAt + Math.floor((until - firstAt) / HOUR) * HOUR;
  return { first: firstAt - delayMs - HOUR, last: lastAt - delayMs - HOUR };
}

/** Changes into ALARM: a breaching hour whose previous hour was not (or the first evaluated hour). */
export function fires(
  values: Map<string, Map<number, number>>,
  threshold: number,
  periods: { first: number; last: number },
): number {
  let n = 0;
  for (const m of values.values())
    for (let p = periods.first; p <= periods.last; p += HOUR) {
      const v = m.get(p);
      if (v === undefined || !(v > threshold)) continue;
      const prev = m.get(p - HOUR);
      if (p === periods.first || prev === undefined || !(prev > threshold)) n++;
    }
  return n;
}

/**
 * Nearest-rank p99 of the values of the hours from `since` to the last evaluated one, rounded up
 * to 2 significant figures.
 */
export function suggested(
  values: Map<string, Map<number, number>>,
  since: number,
  periods: { first: number; last: number },
): number {
  const xs: number[] = [];
  for (const m of values.values()) for (const [p, v] of m) if (p >= since && p <= periods.last) xs.push(v);
  xs.sort((a, b) => a - b);
  const x = xs[Math.ceil(0.99 * xs.length) - 1];
  const digits = String(Math.floor(x)).length;
  const step = 10 ** Math.max(0, digits - 2);
  return Math.ceil(x / step) * step;
}
