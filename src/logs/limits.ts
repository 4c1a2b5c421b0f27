/**
 * The size limits of one record, shared by every source (file, S3 and CloudWatch ingest, and
 * PutLogEvents, whose own limit is the same number), so that one record is judged the same way
 * whichever way it arrives.
 *
 * MAX_RECORD_BYTES: a stored record (its text with the bodies cut out, unless they are kept) is at
 * most 1 MiB, CloudWatch Logs' own limit for one log event. Bedrock delivers records far smaller:
 * bodies over 100 KB are offloaded to S3, and bodies are not stored by default. With --keep-bodies,
 * an offloaded body that would make its record larger is left offloaded (its S3 path stays in
 * the record). A larger record is rejected alone, before DuckDB parses it: a 20 MB record made
 * the ingest run out of memory (campaign F3).
 */
export const MAX_RECORD_BYTES = 1024 * 1024;

/** Whether a text is more than MAX_RECORD_BYTES of UTF-8 (measured only when it could be). */
export function recordTooLarge(text: string, max = MAX_RECORD_BYTES): boolean {
  if (text.length * 3 <= max) return false;
  return text.length > max || Buffer.byteLength(text, 'utf8') > max;
}

/**
 * How deep a record may nest. A Bedrock record is a few levels deep (tool inputs in kept bodies a
 * few dozen at most); thousands of levels mean a hostile or broken record, and recursive code
 * (field discovery, JSON.stringify) would exhaust the stack on it. Deeper records are rejected with
 * REJECT.TOO_DEEP, by both normalisers; pushed events that deep are kept as generic events whose
 * fields are discovered down to this depth.
 */
export const MAX_JSON_DEPTH = 256;

/** Whether a parsed JSON value nests more than `max` containers deep (the value itself is level 1). Iterative. */
export function jsonDepthExceeds(value: unknown, max = MAX_JSON_DEPTH): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d > max) return true;
    for (const x of Array.isArray(v) ? v : Object.values(v)) {
      if (x !== null && typeof x === 'object') stack.push([x, d + 1]);
    }
  }
  return false;
}

/**
 * The same test on JSON text, without parsing it: containers opened outside strings. Used on
 * records DuckDB has parsed (the SQL normaliser), whose text is valid JSON.
 */
export function textDepthExceeds(text: string, max = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // Skip the string: to the next quote not escaped by an odd run of backslashes.
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) i++;
        else if (d === 0x22) break;
      }
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}
