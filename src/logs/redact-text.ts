import { BODY_KEYS, isPlainObject, redactBody } from './bodies.js';
import { fieldNamesUnder } from './fields.js';

/**
 * Reduces input.inputBodyJson and output.outputBodyJson of a record's JSON text to what
 * redactBody keeps (src/logs/bodies.ts), without parsing the record into objects: one pass over
 * its characters finds the two bodies, only they are parsed, and the rest of the text is kept
 * byte for byte. On compact text (as Bedrock writes it) the result is exactly
 * JSON.stringify(redactBodies(record)).
 *
 * null: the text names a body that cannot be followed or parsed as JSON (JSON.parse's grammar:
 * no NaN, no trailing comma). Such a record is rejected as malformed by its reader, never stored
 * with its body. Text that is not an object, or has no body, is returned unchanged.
 *
 * This runs before DuckDB sees the record, so that DuckDB parses small records, not prompts.
 *
 * `reduced`, when given, is what redactBodies (src/logs/bodies.ts) made of the record parsed from
 * this very text: its bodies are then written as they are there, and the text's bodies are not
 * parsed and reduced a second time (half of the normaliser's time with bodies, issue 12). A text
 * that names a part or a body twice is redone the slow way (JSON.parse keeps the last of a
 * name; the text holds both, each reduced on its own).
 */
export function redactBodiesText(t: string, reduced?: Record<string, unknown>): string | null {
  if (reduced) {
    const quick = byKeys(t, reduced);
    if (quick !== undefined) return quick;
    const r = redact(t, false, reduced);
    if (!r?.twice) return r?.text ?? null;
  }
  return redact(t, false)?.text ?? null;
}

/**
 * redactBodiesText given the reduced record, without walking the text: when each body key is
 * written once, literally, the body is where its one `"inputBodyJson"` is (a text parsed into a
 * record holding that key must spell it, and without `\u` escapes it spells it so), and only the
 * body's own text is followed to its end. Bedrock's records take this path; it walked ~1,600
 * characters a record where this follows the ~700 of its bodies (5.3 µs a record, now 4.5 µs:
 * following the bodies is most of the work).
 * undefined: the text is not that simple (an escape, a key named twice or also elsewhere, a part
 * whose key the record does not hold); the caller walks it.
 */
function byKeys(t: string, reduced: Record<string, unknown>): string | null | undefined {
  if (t.indexOf('\\u') !== -1) return undefined;
  const edits: { from: number; to: number; text: string }[] = [];
  for (const part of ['input', 'output'] as const) {
    const key = `"${BODY_KEYS[part]}"`;
    const at = t.indexOf(key);
    if (at === -1) continue; // no such key anywhere: the parsed record has no body there either
    if (t.indexOf(key, at + key.length) !== -1) return undefined;
    const p = reduced[part];
    if (!isPlainObject(p) || !Object.hasOwn(p, BODY_KEYS[part])) return undefined; // the name is not that key
    const colon = skipWs(t, at + key.length);
    if (t.charCodeAt(colon) !== 0x3a) return undefined;
    const vs = skipWs(t, colon + 1);
    const ve = valueEnd(t, vs);
    if (ve < 0) return undefined;
    const kept = p[BODY_KEYS[part]];
    if (kept !== undefined) {
      edits.push({ from: vs, to: ve, text: JSON.stringify(kept) });
      continue;
    }
    // The member goes, with one comma, as members() cuts it.
    let b = at - 1;
    while (b >= 0 && isWs(t.charCodeAt(b))) b--;
    if (t.charCodeAt(b) === 0x2c) {
      let prevEnd = b - 1;
      while (prevEnd >= 0 && isWs(t.charCodeAt(prevEnd))) prevEnd--;
      edits.push({ from: prevEnd + 1, to: ve, text: '' });
    } else if (t.charCodeAt(b) === 0x7b) {
      const after = skipWs(t, ve);
      edits.push({ from: at, to: t.charCodeAt(after) === 0x2c ? skipWs(t, after + 1) : ve, text: '' });
    } else return undefined;
  }
  return applyEdits(
    t,
    edits.sort((a, b) => a.from - b.from),
  );
}

/** The text with each edit's range (in order, not overlapping) replaced by its text. */
function applyEdits(t: string, edits: readonly { from: number; to: number; text: string }[]): string {
  let out = '';
  let from = 0;
  for (const e of edits) {
    out += t.slice(from, e.from) + e.text;
    from = e.to;
  }
  return out + t.slice(from);
}

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/**
 * Bodies nested deeper than this below their record leave their names to the caller's exact
 * flattening (which also applies the record depth rule): kept bodies are a few levels deep.
 */
const BODY_NAMES_DEPTH = 32;

/**
 * redactBodiesText, and the field names (as discoverFields names them in the whole record) of
 * the bodies kept in the result: what the bulk ingest's catalog signature needs without parsing
 * the stored record again (issue 12). `bodyFields` is null when they cannot be told that way
 * (a part or a body named twice, a body nested deeper than BODY_NAMES_DEPTH); [] when no body
 * is kept.
 */
export function redactBodiesTextFields(t: string): { text: string; bodyFields: string[] | null } | null {
  return redact(t, true);
}

function redact(
  t: string,
  withFields: boolean,
  reduced?: Record<string, unknown>,
): { text: string; bodyFields: string[] | null; twice?: boolean } | null {
  // A key may be spelled with escapes ("inputBody\u004Ason"): JSON readers decode it, so such a
  // text is walked too (members() decodes keys).
  if (t.indexOf('BodyJson"') === -1 && t.indexOf('\\u') === -1) return { text: t, bodyFields: null };
  const start = skipWs(t, 0);
  if (t.charCodeAt(start) !== 0x7b) return { text: t, bodyFields: null };
  const edits: { from: number; to: number; text: string }[] = [];
  let failed = false;
  let bodyFields: string[] | null = withFields ? [] : null;
  const partsSeen = new Set<string>();
  let twice = false;
  // The input and output objects are walked where they are met, and the walk's end is their end:
  // finding their end first would scan the bodies' text one more time (issue 12).
  const part = (key: string, valueStart: number): number | null => {
    if (key !== 'input' && key !== 'output') return null;
    // A part named twice: the record's readers disagree on which one counts (first or last).
    if (partsSeen.has(key)) {
      bodyFields = null;
      twice = true;
    }
    partsSeen.add(key);
    if (t.charCodeAt(valueStart) !== 0x7b) return null;
    const bodyKey = BODY_KEYS[key];
    let bodies = 0;
    const inner = members(t, valueStart, (k, vs, ve, cut) => {
      if (k !== bodyKey) return;
      if (++bodies > 1) {
        bodyFields = null;
        twice = true;
      }
      let kept: unknown;
      if (reduced) {
        const p = reduced[key];
        kept = isPlainObject(p) ? p[bodyKey] : undefined;
      } else {
        let body: unknown;
        try {
          body = JSON.parse(t.slice(vs, ve));
        } catch {
          failed = true;
          return;
        }
        kept = redactBody(body, key);
      }
      if (kept === undefined) edits.push({ from: cut[0], to: cut[1], text: '' });
      else {
        edits.push({ from: vs, to: ve, text: JSON.stringify(kept) });
        if (bodyFields !== null) {
          // The record is level 1, its part 2, the body 3.
          const names = fieldNamesUnder(kept, `${key}.${bodyKey}`, 3, BODY_NAMES_DEPTH);
          if (names === null) bodyFields = null;
          else for (const n of names) bodyFields.push(n);
        }
      }
    });
    if (inner < 0) failed = true;
    return inner;
  };
  const top = members(t, start, () => undefined, part);
  if (top < 0 || failed) return null;
  if (twice && reduced) return { text: t, bodyFields, twice };
  return { text: applyEdits(t, edits), bodyFields };
}

function skipWs(t: string, i: number): number {
  while (i < t.length && isWs(t.charCodeAt(i))) i++;
  return i;
}

/** End index (exclusive) of the string starting at i (a quote), or -1. */
function stringEnd(t: string, i: number): number {
  let j = i + 1;
  for (;;) {
    const q = t.indexOf('"', j);
    if (q < 0) return -1;
    let b = q - 1;
    while (b > i && t.charCodeAt(b) === 0x5c) b--;
    if ((q - 1 - b) % 2 === 0) return q + 1;
    j = q + 1;
  }
}

/** End index (exclusive) of the JSON value starting at i, or -1. */
function valueEnd(t: string, i: number): number {
  const c = t.charCodeAt(i);
  if (c === 0x22) return stringEnd(t, i);
  if (c === 0x7b || c === 0x5b) {
    let depth = 0;
    for (let j = i; j < t.length; j++) {
      const d = t.charCodeAt(j);
      if (d === 0x22) {
        j = stringEnd(t, j) - 1;
        if (j < 0) return -1;
      } else if (d === 0x7b || d === 0x5b) depth++;
      else if (d === 0x7d || d === 0x5d) {
        depth--;
        if (depth === 0) return j + 1;
      }
    }
    return -1;
  }
  let j = i;
  while (j < t.length && !',}] \t\r\n'.includes(t[j])) j++;
  return j === i ? -1 : j;
}

/**
 * Walks the members of the object starting at i ('{'), calling visit(key, valueStart, valueEnd, cut) where
 * cut is the range to delete to remove that member with its comma. Returns the index after '}', or -1.
 * `walkValue`, when it returns a number, has walked the member's value itself and says where it
 * ends (-1: it could not).
 */
function members(
  t: string,
  i: number,
  visit: (key: string, valueStart: number, valueEnd: number, cut: [number, number]) => void,
  walkValue?: (key: string, valueStart: number) => number | null,
): number {
  if (t.charCodeAt(i) !== 0x7b) return -1;
  let j = skipWs(t, i + 1);
  if (t.charCodeAt(j) === 0x7d) return j + 1;
  let prevEnd = -1; // end of the previous member's value
  for (;;) {
    if (t.charCodeAt(j) !== 0x22) return -1;
    const keyEnd = stringEnd(t, j);
    if (keyEnd < 0) return -1;
    let key: string;
    const raw = t.slice(j + 1, keyEnd - 1);
    if (raw.indexOf('\\') === -1) key = raw;
    else
      try {
        key = JSON.parse(t.slice(j, keyEnd)) as string;
      } catch {
        return -1;
      }
    let k = skipWs(t, keyEnd);
    if (t.charCodeAt(k) !== 0x3a) return -1;
    k = skipWs(t, k + 1);
    const vEnd = walkValue?.(key, k) ?? valueEnd(t, k);
    if (vEnd < 0) return -1;
    const after = skipWs(t, vEnd);
    const c = t.charCodeAt(after);
    if (c !== 0x2c && c !== 0x7d) return -1;
    // Remove ",member" after a previous member; the first member goes with its following comma.
    const cut: [number, number] = prevEnd >= 0 ? [prevEnd, vEnd] : c === 0x2c ? [j, skipWs(t, after + 1)] : [j, vEnd];
    visit(key, k, vEnd, cut);
    if (c === 0x7d) return after + 1;
    prevEnd = vEnd;
    j = skipWs(t, after + 1);
  }
}
