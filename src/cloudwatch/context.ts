import type { QueryEngine } from '../engines/engine.js';
import type { Definitions } from '../workspace/definitions.js';
import type { Store } from '../store/store.js';
import type { Db } from '../store/db.js';
import type { AppendQueue } from './appendQueue.js';
import type { MatchPool } from './matchPool.js';
import type { MetricFilterStore } from './metricFilterStore.js';
import type { QueryTracker } from './queryTracker.js';

/** What every operation can use; shared by all requests of one mounted API. */
export interface ApiShared {
  store: Store;
  db: Db;
  engine: () => QueryEngine;
  definitions: Definitions;
  metricFilters: MetricFilterStore;
  queries: QueryTracker;
  appender: AppendQueue;
  /** Filter-pattern matching off the event loop, with the per-request limits. */
  matcher: MatchPool;
  filterLimits: FilterLimits;
  accountId: string;
  defaultRegion: string;
  keepBodies: boolean;
  now: () => number;
}

/** What one request's filter-pattern matching may use (CloudWatchApiOptions.filterLimits). */
export interface FilterLimits {
  /** Bytes of messages examined per request (each term, regex or glob scan counts). */
  budgetBytes: number;
  /** Wall time per request for matching; the matching thread is stopped then. */
  deadlineMs: number;
}

export const DEFAULT_FILTER_LIMITS: FilterLimits = { budgetBytes: 256 * 1024 * 1024, deadlineMs: 5_000 };

/** One request: the shared state plus who called and where. */
export interface Call {
  shared: ApiShared;
  requestId: string;
  /** The region the caller signed for (ARNs use it), else the default. */
  region: string;
  /** The access key id that signed the request, when signed. */
  accessKeyId?: string;
  /** The account the caller acts for: its access key's, else the configured default. */
  accountId: string;
}

export type Operation = (call: Call, body: Record<string, unknown>) => Promise<Record<string, unknown> | null>;

export function groupArn(call: Call, group: string, star = true): string {
  return `arn:aws:logs:${call.region}:${call.accountId}:log-group:${group}${star ? ':*' : ''}`;
}

export function streamArn(call: Call, group: string, stream: string): string {
  return `arn:aws:logs:${call.region}:${call.accountId}:log-group:${group}:log-stream:${stream}`;
}
