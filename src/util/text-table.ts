/**
 * The one plain-text table of the product (CLI tables, chargeback, reconciliation, daily/monthly):
 * left-aligned text columns, right-aligned numeric ones, two spaces between columns, a dashed rule
 * under the header. Generic text layout: no knowledge of what the cells mean.
 */
/** A cell on one line: newlines and tabs shown as \n and \t, so a row stays a row. */
function oneLine(s: string): string {
  return s.replace(/\r?\n/g, '\\n').replace(/\t/g, '\\t');
}

/**
 * `numeric` says per column whether to right-align it; cells wider than `maxWidth` are cut with "…"
 * (a query's long @message must not make a 10 kB line).
 */
export function table(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  numeric: readonly boolean[] = [],
  maxWidth = Infinity,
): string {
  const max = maxWidth;
  const fit = (s: string): string => {
    const t = oneLine(s ?? '');
    return t.length > max ? `${t.slice(0, Math.max(1, max - 1))}…` : t;
  };
  const head = header.map(fit);
  const body = rows.map((r) => header.map((_, i) => fit(r[i] ?? '')));
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}
