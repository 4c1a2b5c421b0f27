/**
 * Logs Insights field discovery over a JSON value: nested objects flattened with dots, arrays with
 * `.0.` index segments, scalars (strings, numbers, booleans) are fields; null, {} and [] are not
 * (the spec's recommended default). A discovered name starting with `@` gets one more `@`.
 */
export function fieldNamesOf(value: unknown): string[] {
  const out = new Set<string>();
  walk(value, '', out);
  return [...out];
}

function walk(v: unknown, prefix: string, out: Set<string>): void {
  if (v === null || v === undefined) return;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) walk(v[i], prefix === '' ? String(i) : `${prefix}.${i}`, out);
    return;
  }
  if (typeof v === 'object') {
    for (const [k, x] of Object.entries(v as Record<string, unknown>))
      walk(x, prefix === '' ? k : `${prefix}.${k}`, out);
    return;
  }
  if (prefix !== '') out.add(discoveredName(prefix));
}

export function discoveredName(flat: string): string {
  return flat.startsWith('@') ? '@' + flat : flat;
}
