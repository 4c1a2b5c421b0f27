import { createHash } from 'node:crypto';
import { DEFAULT_LOG_STREAM, type StoredEvent } from './event.js';
import { discoverFieldsShared, fieldNamesOf } from './fields.js';
import { recordTooLarge } from './limits.js';
import { REJECT, jsonTypeOf, rejectReason, type RejectCode } from './reasons.js';
import { parseRfc3339Utc } from './timestamp.js';
import { redactBodiesText } from './redact-text.js';
import { isPlainObject, redactBodies } from './bodies.js';

// The one normaliser of Bedrock ModelInvocationLog records: every source goes through it (the
// file, S3 and CloudWatch ingest through src/sources/chunk-writer.ts, PutLogEvents through
// src/cloudwatch). Until 2026-12-05 the bulk ingest had a set-based SQL twin of these rules;
// with the kept body parts the twin's parsing cost more than this function (measured in
// bench/README.md), and two copies of the rules had to be held together by a test.

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
  /**
   * The record's JSON text as received: the text `record` was parsed from (its bodies are taken
   * from `record`, not parsed again). @message is then that text (bodies cut out of it), byte
   * for byte as the file ingest stores it, instead of the record re-serialised.
   */
  text?: string;
}

export type NormalizeResult =
  { ok: true; event: StoredEvent } | { ok: false; reason: string; code: RejectCode; field?: string; value?: string };

/** The operations that write invocation logs (others are accepted: AWS may add more). */
export const BEDROCK_OPERATIONS = [
  'Converse',
  'ConverseStream',
  'InvokeModel',
  'InvokeModelWithResponseStream',
] as const;

/** Top-level string fields, in the order they are validated (the first failure is reported). */
export const STRING_FIELDS = [
  'accountId',
  'region',
  'requestId',
  'operation',
  'modelId',
  'inferenceRegion',
  'errorCode',
] as const;
/** Token counts: [object, key], validated in this order. */
export const TOKEN_FIELDS = [
  ['input', 'inputTokenCount'],
  ['input', 'cacheReadInputTokenCount'],
  ['input', 'cacheWriteInputTokenCount'],
  ['output', 'outputTokenCount'],
] as const;

export type ModelIdForm =
  'base' | 'cross-region-profile' | 'inference-profile-arn' | 'application-inference-profile-arn' | 'other-arn';

/** How the caller named the model. The stored model_id is always the value as logged. */
export function modelIdForm(modelId: string): ModelIdForm {
  if (modelId.startsWith('arn:')) {
    if (/:application-inference-profile\//.test(modelId)) return 'application-inference-profile-arn';
    if (/:inference-profile\//.test(modelId)) return 'inference-profile-arn';
    return 'other-arn';
  }
  if (/^(us|eu|apac|jp|au|ca|us-gov|global)\./.test(modelId)) return 'cross-region-profile';
  return 'base';
}

/** A JSON object that is recognisably an invocation record (record 8 of the examples lacks schemaType). */
export function looksLikeBedrockRecord(v: unknown): v is Record<string, unknown> {
  if (!isPlainObject(v)) return false;
  if (v.schemaType === 'ModelInvocationLog') return true;
  return typeof v.modelId === 'string' && typeof v.operation === 'string' && ('input' in v || 'output' in v);
}

/** Event key of a record without requestId: a hash of its stored message. */
export function contentKey(message: string): string {
  return 'h:' + createHash('md5').update(message).digest('hex');
}

/** Values named in reasons are cut here (as the SQL normaliser cuts them). */
export const REJECT_VALUE_CHARS = 200;

function fail(code: RejectCode, field?: string, value?: string): NormalizeResult {
  const v = value === undefined ? undefined : value.slice(0, REJECT_VALUE_CHARS);
  return { ok: false, reason: rejectReason(code, field, v), code, field, ...(v === undefined ? {} : { value: v }) };
}

/** The offending value as JSON text, for the reason. */
function shown(v: unknown): string {
  return JSON.stringify(v) ?? String(v);
}

/** The keys that make an object recognisably an invocation record: without all of them, it is something else. */
const RECORD_KEYS = ['timestamp', 'operation', 'modelId', 'requestId', 'schemaType'] as const;
/** How many top-level keys a NOT_RECORD reason lists. */
export const KEYS_SHOWN = 8;

function mib(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/** A token count: a JSON number holding a non-negative safe integer (not a string, not a boolean). */
function tokenCount(v: unknown): number | null | 'bad' {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) return 'bad';
  return v === 0 ? 0 : v; // -0 becomes 0
}

/**
 * @message: the received text, with the bodies reduced in it when they are not kept; the record
 * re-serialised when there is no text, or when the text could not be followed (a body is never
 * stored by accident).
 */
function messageText(text: string | undefined, stored: Record<string, unknown>, redacted: boolean): string {
  if (text === undefined) return JSON.stringify(stored);
  if (!redacted) return text;
  return redactBodiesText(text, stored) ?? JSON.stringify(stored);
}

/**
 * A `\uD800`-`\uDFFF` escape not part of a surrogate pair. JSON.parse accepts it, DuckDB's parser
 * refuses the record as malformed; one rule for both paths: malformed.
 */
const ESCAPE = String.raw`(?<=(?:^|[^\\])(?:\\\\)*)`; // a backslash that is not itself escaped
const HIGH = String.raw`\\u[dD][89abAB][0-9a-fA-F]{2}`;
const LOW = String.raw`\\u[dD][c-fC-F][0-9a-fA-F]{2}`;
const LONE_SURROGATE = new RegExp(`${ESCAPE}${HIGH}(?!${LOW})|${ESCAPE}(?<!${HIGH})${LOW}`);

/** Whether JSON text holds an escaped lone surrogate (see LONE_SURROGATE). Cheap when it holds no `\u`. */
export function hasLoneSurrogate(text: string): boolean {
  return text.includes('\\u') && LONE_SURROGATE.test(text);
}

/** Validate and normalise one Bedrock ModelInvocationLog record (already JSON-parsed). */
export function normalizeBedrockRecord(record: unknown, ctx: NormalizeContext): NormalizeResult {
  if (!isPlainObject(record)) return fail(REJECT.NOT_OBJECT);
  const r = record;
  if (ctx.text !== undefined && hasLoneSurrogate(ctx.text)) return fail(REJECT.MALFORMED_JSON);
  const stored = ctx.keepBodies ? r : redactBodies(r);
  const message = messageText(ctx.text?.trim(), stored, stored !== r);
  if (recordTooLarge(message)) return fail(REJECT.TOO_LARGE, undefined, mib(Buffer.byteLength(message, 'utf8')));
  if (r.schemaType !== undefined && r.schemaType !== null && r.schemaType !== 'ModelInvocationLog')
    return fail(REJECT.SCHEMA_TYPE, 'schemaType', shown(r.schemaType));
  if (RECORD_KEYS.every((k) => r[k] === undefined || r[k] === null))
    return fail(REJECT.NOT_RECORD, undefined, Object.keys(r).slice(0, KEYS_SHOWN).join(', '));
  if (r.timestamp === undefined || r.timestamp === null) return fail(REJECT.MISSING, 'timestamp');
  const ts = typeof r.timestamp === 'string' ? parseRfc3339Utc(r.timestamp) : null;
  if (ts === null) return fail(REJECT.TIMESTAMP, 'timestamp', shown(r.timestamp));
  // An event's own time that is no time (NaN) would fail the store's transaction, not the record.
  if (ctx.eventTimestamp !== undefined && !Number.isSafeInteger(ctx.eventTimestamp))
    return fail(REJECT.TIMESTAMP, '@timestamp', String(ctx.eventTimestamp));
  const s: Partial<Record<(typeof STRING_FIELDS)[number], string | null>> = {};
  for (const f of STRING_FIELDS) {
    const v = r[f];
    if (v === undefined || v === null) s[f] = null;
    else if (typeof v === 'string') s[f] = v;
    else return fail(REJECT.NOT_STRING, f, shown(v));
  }
  if (!s.operation) return fail(REJECT.MISSING, 'operation');
  if (!s.modelId) return fail(REJECT.MISSING, 'modelId');
  let identityArn: string | null = null;
  if (r.identity !== undefined && r.identity !== null) {
    if (!isPlainObject(r.identity)) return fail(REJECT.NOT_OBJECT_FIELD, 'identity', jsonTypeOf(r.identity));
    const arn = r.identity.arn;
    if (arn !== undefined && arn !== null && typeof arn !== 'string')
      return fail(REJECT.NOT_STRING, 'identity.arn', shown(arn));
    identityArn = arn ?? null;
  }
  const tokens: (number | null)[] = [];
  for (const part of ['input', 'output'] as const) {
    const o = r[part];
    if (o !== undefined && o !== null && !isPlainObject(o)) return fail(REJECT.NOT_OBJECT_FIELD, part, jsonTypeOf(o));
    for (const [obj, key] of TOKEN_FIELDS) {
      if (obj !== part) continue;
      const t = isPlainObject(o) ? tokenCount(o[key]) : null;
      if (t === 'bad') return fail(REJECT.TOKEN, `${obj}.${key}`, shown((o as Record<string, unknown>)[key]));
      tokens.push(t);
    }
  }
  let requestMetadata: Record<string, string> | null = null;
  if (r.requestMetadata !== undefined && r.requestMetadata !== null) {
    if (!isPlainObject(r.requestMetadata))
      return fail(REJECT.NOT_OBJECT_FIELD, 'requestMetadata', jsonTypeOf(r.requestMetadata));
    requestMetadata = {};
    for (const [k, v] of Object.entries(r.requestMetadata)) {
      if (typeof v !== 'string') return fail(REJECT.METADATA_VALUE, `requestMetadata.${k}`, shown(v));
      requestMetadata[k] = v;
    }
  }
  const fields = discoverFieldsShared(stored);
  if (fields.truncated) return fail(REJECT.TOO_DEEP);
  const event: StoredEvent = {
    logGroup: ctx.logGroup,
    logStream: ctx.logStream ?? DEFAULT_LOG_STREAM,
    timestamp: ctx.eventTimestamp ?? ts,
    ingestionTime: ctx.ingestionTime ?? Date.now(),
    eventKey: s.requestId ? s.requestId : contentKey(message),
    kind: 'bedrock',
    message,
    accountId: s.accountId ?? null,
    region: s.region ?? null,
    inferenceRegion: s.inferenceRegion ?? null,
    operation: s.operation,
    modelId: s.modelId,
    identityArn,
    requestId: s.requestId ?? null,
    errorCode: s.errorCode ?? null,
    inputTokens: tokens[0],
    cacheReadTokens: tokens[1],
    cacheWriteTokens: tokens[2],
    outputTokens: tokens[3],
    requestMetadata,
    fieldNames: fields.names,
  };
  return { ok: true, event };
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

function parseJsonObject(text: string): Record<string, unknown> | null {
  const t = text.trimStart();
  if (!t.startsWith('{')) return null;
  try {
    const v: unknown = JSON.parse(text);
    return isPlainObject(v) ? v : null;
  } catch {
    return null;
  }
}

/**
 * Any other log event (plain text or JSON from any application). A message that is a Bedrock
 * invocation record is normalised as one (typed columns); otherwise a generic event.
 * A Bedrock-looking message that fails validation is kept as a generic event: pushed events
 * are never dropped.
 */
export function normalizeLogEvent(input: GenericEventInput, opts?: { keepBodies?: boolean }): StoredEvent {
  const ingestionTime = input.ingestionTime ?? Date.now();
  const json = parseJsonObject(input.message);
  if (json && looksLikeBedrockRecord(json)) {
    const r = normalizeBedrockRecord(json, {
      text: input.message,
      logGroup: input.logGroup,
      logStream: input.logStream,
      ingestionTime,
      eventTimestamp: input.timestamp,
      keepBodies: opts?.keepBodies,
    });
    if (r.ok) return input.eventKey ? { ...r.event, eventKey: input.eventKey } : r.event;
  }
  const eventKey =
    input.eventKey ??
    'h:' + createHash('md5').update(`${input.logStream}\n${input.timestamp}\n${input.message}`).digest('hex');
  return {
    logGroup: input.logGroup,
    logStream: input.logStream,
    timestamp: input.timestamp,
    ingestionTime,
    eventKey,
    kind: 'generic',
    message: input.message,
    accountId: null,
    region: null,
    inferenceRegion: null,
    operation: null,
    modelId: null,
    identityArn: null,
    requestId: null,
    errorCode: null,
    inputTokens: null,
    outputTokens: null,
    cacheReadTokens: null,
    cacheWriteTokens: null,
    requestMetadata: null,
    fieldNames: json ? fieldNamesOf(json) : [],
  };
}
