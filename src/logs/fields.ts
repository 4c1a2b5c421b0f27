import { MAX_JSON_DEPTH } from './limits.js';

/**
 * Logs Insights field discovery over a JSON value: nested objects flattened with dots, arrays with
 * `.0.` index segments, scalars (strings, numbers, booleans) are fields; null, {} and [] are not
 * (the spec's recommended default). A discovered name starting with `@` gets one more `@`.
 * Iterative, and it stops at MAX_JSON_DEPTH: a record thousands of levels deep cannot exhaust
 * the stack (campaign F3); `truncated` says that parts deeper than that were not looked at.
 */
export function discoverFields(value: unknown): { names: string[]; truncated: boolean } {
  const out = new Set<string>();
  let truncated = false;
  // Depth-first, in document order (children pushed in reverse), as the recursive walk was.
  const stack: [unknown, string, number][] = [[value, '', 1]];
  while (stack.length > 0) {
    const [v, prefix, depth] = stack.pop()!;
    if (v === null || v === undefined) continue;
    if (typeof v !== 'object') {
      if (prefix !== '') out.add(discoveredName(prefix));
      continue;
    }
    if (depth > MAX_JSON_DEPTH) {
      truncated = true;
      continue;
    }
    const entries: [string, unknown][] = Array.isArray(v)
      ? v.map((x, i): [string, unknown] => [String(i), x])
      : Object.entries(v as Record<string, unknown>);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [k, x] = entries[i];
      stack.push([x, prefix === '' ? k : `${prefix}.${k}`, depth + 1]);
    }
  }
  return { names: [...out], truncated };
}

export function fieldNamesOf(value: unknown): string[] {
  return discoverFields(value).names;
}

export function discoveredName(flat: string): string {
  return flat.startsWith('@') ? '@' + flat : flat;
}
