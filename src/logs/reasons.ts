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
} as const;
export type RejectCode = (typeof REJECT)[keyof typeof REJECT];

export function rejectReason(code: RejectCode | string, field?: string): string {
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
    default:
      return `${code}${f ? ` (${f})` : ''}`;
  }
}
