/**
 * The Logs Insights expressions behind the operations widgets and the drill-down pages: latency,
 * time to first token, errors, caching and operations, over the field names the store keeps by
 * default (src/logs/bodies.ts keeps `metrics`, `usage` and `amazon-bedrock-invocationMetrics`
 * without the text). Pure strings, shared by the server (the built-in dashboard) and the console
 * (the drill-down page), so the page and the dashboard can never ask different questions.
 */

/**
 * Positions a streamed response's `amazon-bedrock-invocationMetrics` chunk keeps once the text
 * chunks are dropped (src/logs/bodies.ts): 0 for Titan, Llama and Mistral (one chunk), 2 for Nova
 * (messageStart, messageStop, metadata), 3 for Anthropic (message_start, content_block_start,
 * message_delta, message_stop). A store without one of these families warns that its position
 * never occurs (FIELD_NEVER_SEEN), which is true and harmless.
 */
const STREAM_METRIC_CHUNKS = [0, 2, 3];

function streamMetric(name: string): string[] {
  return STREAM_METRIC_CHUNKS.map((i) => `\`output.outputBodyJson.${i}.amazon-bedrock-invocationMetrics.${name}\``);
}

/**
 * Latency of one invocation (ms): Converse and ConverseStream log `metrics.latencyMs`; a streamed
 * InvokeModel logs `invocationLatency` in its last chunk. A non-streamed InvokeModel body has no
 * latency at all, and a failed call has no body: those rows have no latency (never 0).
 */
export const LATENCY_EXPR = `coalesce(output.outputBodyJson.metrics.latencyMs,\n           ${streamMetric('invocationLatency').join(',\n           ')})`;

/** Time to first token (ms): only streamed InvokeModel records carry it (`firstByteLatency`). */
export const TTFT_EXPR = `coalesce(${streamMetric('firstByteLatency').join(',\n           ')})`;

/** Every input-side token of a row: plain input, cache reads and cache writes. */
export const PROMPT_TOKENS_SQL =
  'sum(input.inputTokenCount) + sum(input.cacheReadInputTokenCount) + sum(input.cacheWriteInputTokenCount)';

/**
 * What caching saved on one row (USD, from the price book): its cache reads and writes at the
 * row's own input rate (cost.input / input tokens, the book's price for that model and region),
 * minus what they cost. A read saves; a write's premium over input counts against it. Only fully
 * priced rows with plain input tokens have a rate to compare with.
 */
export const CACHE_SAVING_FIELDS =
  'filter ispresent(cost.total) and not ispresent(cost.unpriced) and input.inputTokenCount > 0\n' +
  '       and (input.cacheReadInputTokenCount > 0 or input.cacheWriteInputTokenCount > 0)\n' +
  '| fields cost.input / input.inputTokenCount as InputRate\n' +
  '| fields InputRate * (input.cacheReadInputTokenCount + input.cacheWriteInputTokenCount)\n' +
  '         - coalesce(cost.cacheRead, 0) - coalesce(cost.cacheWrite, 0) as SavingUSD';

/** Latency percentiles of the rows that have a latency, `by` some keys (a `stats` clause). */
export function latencyStats(by: string): string {
  return (
    `fields ${LATENCY_EXPR} as LatencyMs\n` +
    '| filter ispresent(LatencyMs)\n' +
    `| stats pct(LatencyMs, 50) as p50, pct(LatencyMs, 95) as p95, pct(LatencyMs, 99) as p99,\n        count(*) as Invocations by ${by}`
  );
}

/**
 * 1 for a failed (throttled) invocation, else 0: summed, a group without errors shows 0, where
 * `count(errorCode)` would show no value (docs/semantics.md #22).
 */
export const ERROR_FLAGS =
  "fields if(ispresent(errorCode), 1, 0) as Failed, if(errorCode = 'ThrottlingException', 1, 0) as Throttled";

/** Error rate (%) and throttled rate (%) of all invocations (3 decimals), `by` some keys. */
export function errorStats(by: string): string {
  return (
    `${ERROR_FLAGS}\n` +
    `| stats round(sum(Failed) * 100 / count(*), 3) as ErrorPct,\n        round(sum(Throttled) * 100 / count(*), 3) as ThrottledPct,\n        sum(Failed) as Errors, count(*) as Invocations by ${by}`
  );
}
