/**
 * The normalised event: what every source produces and what the store keeps.
 * One shape for Bedrock invocation records and for generic log events (PutLogEvents of any
 * application), so the query engine serves any log group. Time is UTC epoch milliseconds.
 */
export type EventKind = 'bedrock' | 'generic';

export interface StoredEvent {
  logGroup: string;
  logStream: string;
  /** `@timestamp`: the record's `timestamp` (Bedrock) or the event timestamp. */
  timestamp: number;
  /** `@ingestionTime`. */
  ingestionTime: number;
  /**
   * Identity of the event within its log group, used to store it once: the Bedrock `requestId`
   * when present, otherwise a content hash; for pushed events, an id assigned on receipt.
   */
  eventKey: string;
  kind: EventKind;
  /** `@message`: the record as JSON text (bodies stripped unless kept), or the raw log line. */
  message: string;
  accountId: string | null;
  // Hot Bedrock fields (null for generic events, and null where the record lacks them).
  region: string | null;
  inferenceRegion: string | null;
  operation: string | null;
  modelId: string | null;
  identityArn: string | null;
  requestId: string | null;
  errorCode: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  cacheReadTokens: number | null;
  cacheWriteTokens: number | null;
  requestMetadata: Record<string, string> | null;
  /** Flattened discovered field names of this event (Logs Insights style), for the catalog. */
  fieldNames: readonly string[];
}

export const DEFAULT_LOG_GROUP = '/aws/bedrock/modelinvocations';
export const DEFAULT_LOG_STREAM = 'aws/bedrock/modelinvocations';
