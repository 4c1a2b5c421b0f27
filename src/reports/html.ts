/** Small helpers for the self-contained HTML documents (statements, the executive report). */

export function esc(s: unknown): string {
  return String(s)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Fonts: DejaVu Sans is what server-side PNG rendering uses; readers' browsers fall back to system fonts. */
export const FONT_STACK = `'DejaVu Sans', system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif`;

export const BASE_CSS = `
*{box-sizing:border-box}
body{font-family:${FONT_STACK};color:#1d2733;margin:0;background:#f5f7fa;font-size:14px;line-height:1.45}
.page{max-width:1040px;margin:0 auto;padding:32px 36px 48px;background:#fff}
h1{font-size:24px;margin:0 0 4px}
h2{font-size:17px;margin:28px 0 10px;padding-bottom:4px;border-bottom:2px solid #e3e8ef}
h3{font-size:14px;margin:16px 0 6px}
.sub{color:#5b6b7d;margin:0 0 16px}
table{border-collapse:collapse;width:100%;margin:6px 0 12px;font-size:13px}
th,td{padding:5px 8px;border-bottom:1px solid #e6eaf0;text-align:left;vertical-align:top;overflow-wrap:break-word}
th{background:#f0f3f7;font-weight:600;color:#3a4a5c}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.total td{font-weight:700;border-top:2px solid #9aa8b8}
tr.owner td{background:#f8fafc;font-weight:600}
tr.minor td{color:#5b6b7d}
.note{color:#5b6b7d;font-size:12px}
.warn{color:#a13a00}
.small{font-size:11px}
td.n .small{white-space:normal}
.kpis{display:flex;flex-wrap:wrap;gap:12px;margin:12px 0}
.kpi{flex:1 1 150px;border:1px solid #e3e8ef;border-radius:6px;padding:10px 12px}
.kpi .l{color:#5b6b7d;font-size:12px}
.kpi .v{font-size:20px;font-weight:700;margin-top:2px}
.kpi .d{font-size:12px;margin-top:2px}
.up{color:#b42318}.down{color:#067647}
.charts{display:flex;flex-wrap:wrap;gap:16px}
.chart{flex:1 1 440px;min-width:0}
.chart svg{max-width:100%;height:auto}
code{font-family:'DejaVu Sans Mono',monospace;font-size:12px;background:#f0f3f7;padding:1px 4px;border-radius:3px}
@media print{body{background:#fff}.page{padding:0;max-width:none}h2{break-after:avoid}table,.chart{break-inside:avoid}}
`;

export function htmlDocument(title: string, body: string, extraCss = ''): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)}</title>
<style>${BASE_CSS}${extraCss}</style></head>
<body><div class="page">
${body}
</div></body></html>
`;
}

/** A CSV cell: quoted when it holds a comma, quote or newline; formula-looking text is defused. */
export function csvCell(v: unknown): string {
  let s = v === null || v === undefined ? '' : String(v);
  // A spreadsheet would run =cmd(), +x, @x, -x as formulas (CSV injection); numbers stay numbers.
  if (/^[=+@\t\r]/.test(s) || (/^-/.test(s) && !/^-\d/.test(s))) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(cells: unknown[]): string {
  return cells.map(csvCell).join(',');
}
