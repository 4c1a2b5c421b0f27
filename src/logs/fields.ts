import { MAX_JSON_DEPTH } from './limits.js';

/**
 * Logs Insights field discovery over a JSON value: nested objects flattened with dots, arrays with
 * `.0.` index segments, scalars (strings, numbers, booleans) are fields; null, {} and [] are not
 * (the spec's recommended default). A discovered name starting with `@` gets one more `@`.
 * Iterative, and it stops at MAX_JSON_DEPTH: a record thousands of levels deep cannot exhaust
 * the stack (campaign F3); `truncated` says that parts deeper than that were not looked at.
 */
export function discoverFields(value: unknown): { names: string[]; truncated: boolean } {
  const walk: Walk = { out: new Set<string>(), truncated: false, depth: 0 };
  discover(value, '', 1, walk);
  return { names: [...walk.out], truncated: walk.truncated };
}

interface Walk {
  out: Set<string>;
  truncated: boolean;
  /** The deepest level reached. */
  depth: number;
}

/**
 * The names discoverFields gives the parts of `value` when it sits at `prefix` (a dotted path,
 * not starting with `@`) at nesting level `depth` of its record; null when any part is deeper than
 * `maxDepth` (the caller then flattens the whole record, which also applies the depth rules).
 */
export function fieldNamesUnder(value: unknown, prefix: string, depth: number, maxDepth: number): string[] | null {
  const walk: Walk = { out: new Set<string>(), truncated: false, depth: 0 };
  discover(value, prefix, depth, walk);
  return walk.truncated || walk.depth > maxDepth ? null : [...walk.out];
}

/**
 * Depth-first, in document order. Recursive, but never deeper than MAX_JSON_DEPTH frames, so a
 * hostile nesting cannot exhaust the stack; it replaced an explicit stack of [value, prefix, depth]
 * tuples whose allocations were most of the cost of the ingest's catalog counts (issue 12).
 */
function discover(v: unknown, prefix: string, depth: number, walk: Walk): void {
  if (v === null || v === undefined) return;
  if (typeof v !== 'object') {
    if (prefix !== '') walk.out.add(discoveredName(prefix));
    return;
  }
  if (depth > MAX_JSON_DEPTH) {
    walk.truncated = true;
    return;
  }
  if (depth > walk.depth) walk.depth = depth;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) discover(v[i], prefix === '' ? String(i) : `${prefix}.${i}`, depth + 1, walk);
    return;
  }
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) discover(o[k], prefix === '' ? k : `${prefix}.${k}`, depth + 1, walk);
}

export function fieldNamesOf(value: unknown): string[] {
  return discoverFields(value).names;
}

export function discoveredName(flat: string): string {
  return flat.charCodeAt(0) === 0x40 ? '@' + flat : flat; // '@'
}
