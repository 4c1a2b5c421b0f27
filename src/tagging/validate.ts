import { BiError } from '../util/errors.js';

/** Bedrock's limits on request metadata (Converse API reference; the header form is taken to be the same). */
export const MAX_KEYS = 16;
export const MAX_KEY_LENGTH = 256;
export const MAX_VALUE_LENGTH = 256;
/** InvokeModel's X-Amzn-Bedrock-Request-Metadata header: 0–8500 characters of JSON. */
export const MAX_HEADER_LENGTH = 8500;
/** `[a-zA-Z0-9\s:_@$#=/+,-.]`: letters, digits, whitespace and : _ @ $ # = / + , - . */
const ALLOWED = /^[a-zA-Z0-9\s:_@$#=/+,\-.]*$/;
const ALLOWED_TEXT = 'letters, digits, spaces and these characters: : _ @ $ # = / + , - .';

function firstBad(s: string): string {
  for (const ch of s) if (!ALLOWED.test(ch)) return ch;
  return '';
}

/**
 * Checks request metadata against Bedrock's limits before the call is sent (Bedrock would refuse
 * the whole invocation with a ValidationException). Entries whose value is undefined are dropped
 * (an unset environment variable); anything else that is not a string is an error.
 */
export function validateRequestMetadata(meta: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(meta)) {
    if (v === undefined) continue;
    if (typeof v !== 'string') {
      throw new BiError(
        'REQUEST_METADATA_INVALID',
        `requestMetadata "${k}" is a ${v === null ? 'null' : typeof v}; Bedrock accepts only string values: convert it (String(value)) or leave the key out.`,
        { key: k },
      );
    }
    if (k.length < 1 || k.length > MAX_KEY_LENGTH) {
      throw new BiError(
        'REQUEST_METADATA_INVALID',
        `requestMetadata key ${k === '' ? '""' : `"${k.slice(0, 40)}…"`} is ${k.length} characters; keys must be 1 to ${MAX_KEY_LENGTH}.`,
        { key: k },
      );
    }
    const badKey = firstBad(k);
    if (badKey)
      throw new BiError(
        'REQUEST_METADATA_INVALID',
        `requestMetadata key "${k}" contains "${badKey}", which Bedrock does not accept (keys and values may use ${ALLOWED_TEXT})`,
        { key: k },
      );
    if (v.length > MAX_VALUE_LENGTH) {
      throw new BiError(
        'REQUEST_METADATA_INVALID',
        `requestMetadata "${k}" has a value of ${v.length} characters; values may have at most ${MAX_VALUE_LENGTH}.`,
        { key: k },
      );
    }
    const badValue = firstBad(v);
    if (badValue)
      throw new BiError(
        'REQUEST_METADATA_INVALID',
        `requestMetadata "${k}" has the value "${v.slice(0, 60)}", which contains "${badValue}"; Bedrock does not accept it (values may use ${ALLOWED_TEXT})`,
        { key: k },
      );
    out[k] = v;
  }
  const n = Object.keys(out).length;
  if (n > MAX_KEYS) {
    throw new BiError(
      'REQUEST_METADATA_INVALID',
      `requestMetadata has ${n} keys (${Object.keys(out).join(', ')}); Bedrock accepts at most ${MAX_KEYS}: drop some, or combine related ones.`,
      { keys: n },
    );
  }
  return out;
}
