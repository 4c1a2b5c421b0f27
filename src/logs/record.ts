import type { StoredEvent } from './event.js';

// CONTRACT STUB — implemented by the ingest work (issue 2). Signatures are fixed; bodies are not.

export interface NormalizeContext {
  logGroup: string;
  /** Default: aws/bedrock/modelinvocations. */
  logStream?: string;
  /** Epoch ms; default now. */
  ingestionTime?: number;
  /** For CloudWatch exports: the event's own timestamp, used as @timestamp. */
  eventTimestamp?: number;
  /** Keep input/output bodies in @message (default: stripped; prompts are sensitive). */
  keepBodies?: boolean;
}

export type NormalizeResult =
  | { ok: true; event: StoredEvent }
  | { ok: false; reason: string; field?: string };

/** Validate and normalise one Bedrock ModelInvocationLog record (already JSON-parsed). */
export function normalizeBedrockRecord(record: unknown, ctx: NormalizeContext): NormalizeResult {
  void record; void ctx;
  throw new Error('normalizeBedrockRecord: not implemented yet');
}

export interface GenericEventInput {
  logGroup: string;
  logStream: string;
  timestamp: number;
  message: string;
  ingestionTime?: number;
  /** Identity for dedup; default: a hash of stream, timestamp and message. */
  eventKey?: string;
}

/**
 * Any other log event (plain text or JSON from any application). A message that is a Bedrock
 * invocation record is normalised as one (typed columns); otherwise a generic event.
 */
export function normalizeLogEvent(input: GenericEventInput, opts?: { keepBodies?: boolean }): StoredEvent {
  void input; void opts;
  throw new Error('normalizeLogEvent: not implemented yet');
}
