import type { Widget } from './wire.js';
import { CACHE_SAVING_FIELDS, PROMPT_TOKENS_SQL, TTFT_EXPR, errorStats, latencyStats } from './ops-queries.js';

const G = ['/aws/bedrock/modelinvocations'];

/**
 * The operations widgets (issue 18 item 2): what platform teams look at every day — latency, time
 * to first token, errors (throttling called out), caching and the mix of operations. Each is a
 * plain Logs Insights widget: it opens in the query page like any other, and can be added to any
 * dashboard (the dashboard editor's "Add a built-in widget" list offers them). Pure, for the server
 * (the built-in dashboard, src/workspace/operationsDashboard.ts) and the console.
 */
export function operationsWidgets(): Widget[] {
  const w = (id: string, title: string, view: Widget['view'], width: number, height: number, q: string): Widget => ({
    id,
    title,
    view,
    width,
    height,
    logGroups: G,
    queryString: q,
  });
  return [
    w(
      'latency-over-time',
      'Latency p50 / p95 / p99 per hour (ms)',
      'line',
      24,
      7,
      latencyStats('bin(1h)').replace(/,\n\s+count\(\*\) as Invocations/, ''),
    ),
    w('latency-by-model', 'Latency by model (ms)', 'table', 24, 8, `${latencyStats('modelId')}\n| sort p95 desc`),
    w(
      'latency-by-application',
      'Latency by application (ms)',
      'table',
      12,
      7,
      `fields requestMetadata.application_name as Application\n| ${latencyStats('Application')}\n| sort p95 desc`,
    ),
    w(
      'ttft-by-model',
      'Time to first token, streamed InvokeModel (ms)',
      'table',
      12,
      7,
      `fields ${TTFT_EXPR} as TtftMs\n| filter ispresent(TtftMs)\n| stats pct(TtftMs, 50) as p50, pct(TtftMs, 95) as p95, pct(TtftMs, 99) as p99,\n        count(*) as Streams by modelId\n| sort p95 desc`,
    ),
    w(
      'throttled-share',
      'Throttled (% of invocations)',
      'number',
      6,
      7,
      `${errorStats('operation').replace(/ by operation$/, '')}\n| display ThrottledPct`,
    ),
    w(
      'error-rate',
      'Errors (% of invocations)',
      'number',
      6,
      7,
      `${errorStats('operation').replace(/ by operation$/, '')}\n| display ErrorPct`,
    ),
    w(
      'errors-by-code',
      'Errors by errorCode (ThrottlingException: over the account quota)',
      'bar',
      12,
      7,
      'filter ispresent(errorCode)\n| stats count(*) as Errors by errorCode\n| sort Errors desc',
    ),
    w(
      'errors-by-model',
      'Error rate by model (%; throttling beside it)',
      'table',
      24,
      8,
      `${errorStats('modelId')}\n| sort ErrorPct desc`,
    ),
    w(
      'cache-hit-rate',
      'Cache hit rate per day (% of input-side tokens read from the cache)',
      'line',
      12,
      7,
      `stats sum(input.cacheReadInputTokenCount) * 100 / (${PROMPT_TOKENS_SQL}) as CacheHitPct by bin(1d)`,
    ),
    w(
      'cache-savings',
      'Cache savings per day (USD, at each model’s input price)',
      'line',
      12,
      7,
      `${CACHE_SAVING_FIELDS}\n| stats sum(SavingUSD) as CacheSavingsUSD by bin(1d)`,
    ),
    w(
      'operations-over-time',
      'Invocations per hour by operation (Converse / InvokeModel, streamed or not)',
      'stackedArea',
      16,
      7,
      'stats count(*) as Invocations by bin(1h), operation',
    ),
    w(
      'operations-share',
      'Invocations by operation',
      'table',
      8,
      7,
      'stats count(*) as Invocations by operation\n| sort Invocations desc',
    ),
  ];
}
