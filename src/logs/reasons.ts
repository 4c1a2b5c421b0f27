import { MAX_JSON_DEPTH, MAX_RECORD_BYTES } from './limits.js';

/**
 * Why a record is rejected: a stable code plus the field it concerns. The TypeScript normaliser
 * and the SQL normaliser both return these codes, and the text is made here, once.
 */
export const REJECT = {
  MALFORMED_JSON: 'malformed-json',
  NOT_OBJECT: 'not-object',
  SCHEMA_TYPE: 'schema-type',
  MISSING: 'missing',
  TIMESTAMP: 'timestamp',
  NOT_STRING: 'not-string',
  NOT_OBJECT_FIELD: 'not-object-field',
  TOKEN: 'token',
  METADATA_VALUE: 'metadata-value',
  NOT_RECORD: 'not-record',
  TOO_DEEP: 'too-deep',
  TOO_LARGE: 'too-large',
} as const;
export type RejectCode = (typeof REJECT)[keyof typeof REJECT];

/** Values named in a reason are cut to this many characters (they are identifiers, times, counts). */
const VALUE_SHOWN = 80;

/**
 * The reason text. `value` is the offending value as JSON text (or, for NOT_RECORD, the record's
 * top-level keys; for NOT_OBJECT_FIELD, its JSON type): naming it is what makes a rejection
 * fixable. Bodies are never named (input/output are only described by their type).
 */
/** `code` is a RejectCode, or a code of another layer passed through as it is. */
export function rejectReason(code: string, field?: string, value?: string): string {
  const base = baseReason(code, field, value);
  if (value === undefined || code === REJECT.NOT_RECORD || code === REJECT.TOO_LARGE) return base;
  return `${base}; got ${value.length > VALUE_SHOWN ? value.slice(0, VALUE_SHOWN) + '…' : value}`;
}

function baseReason(code: string, field?: string, value?: string): string {
  const f = field ?? '';
  switch (code) {
    case REJECT.MALFORMED_JSON:
      return 'malformed JSON (not one complete JSON value)';
    case REJECT.NOT_OBJECT:
      return 'not a JSON object (an invocation record is an object)';
    case REJECT.SCHEMA_TYPE:
      return 'schemaType is not "ModelInvocationLog"';
    case REJECT.MISSING:
      return `${f} is missing or empty`;
    case REJECT.TIMESTAMP:
      return `${f} is not a valid RFC 3339 UTC time (expected YYYY-MM-DDTHH:MM:SS[.fff]Z)`;
    case REJECT.NOT_STRING:
      return `${f} must be a string`;
    case REJECT.NOT_OBJECT_FIELD:
      return `${f} must be a JSON object`;
    case REJECT.TOKEN:
      return `${f} must be a non-negative integer`;
    case REJECT.METADATA_VALUE:
      return `${f} must be a string (requestMetadata is a flat map of strings)`;
    case REJECT.NOT_RECORD:
      return `not a Bedrock invocation log record (it has none of timestamp, operation, modelId, requestId, schemaType; top-level keys: ${value ?? 'none'})`;
    case REJECT.TOO_DEEP:
      return `nested more than ${MAX_JSON_DEPTH} levels deep (not an invocation record; field discovery stops there)`;
    case REJECT.TOO_LARGE:
      return `record is ${value ?? 'too large'}, larger than the ${MAX_RECORD_BYTES / (1024 * 1024)} MiB a record may be (CloudWatch's limit for one log event)`;
    default:
      return `${code}${f ? ` (${f})` : ''}`;
  }
}

/** How a value that should have been an object is described (its type, never its content). */
export function jsonTypeOf(v: unknown): string {
  if (Array.isArray(v)) return 'an array';
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'a boolean';
    default:
      return 'an object';
  }
}
