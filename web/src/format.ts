// Value formatting shared by the table, charts and dashboards. Pure functions.

/** CloudWatch's timestamp text "2026-11-27 14:00:00.000" (UTC) → epoch ms, else undefined. */
export function parseCwTimestamp(v: string | undefined): number | undefined {
  if (!v) return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?Z?$/.exec(v);
  if (!m) return undefined;
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], m[7] ? +m[7].padEnd(3, '0') : 0);
}

export function isNumeric(v: string | undefined): boolean {
  return v !== undefined && v.trim() !== '' && Number.isFinite(Number(v));
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** Epoch ms as "YYYY-MM-DD HH:MM:SS" (+".mmm" when asked) in UTC or local time. */
export function formatTime(ms: number, utc: boolean, withMs = false): string {
  const d = new Date(ms);
  const [y, mo, da, h, mi, s, milli] = utc
    ? [
        d.getUTCFullYear(),
        d.getUTCMonth() + 1,
        d.getUTCDate(),
        d.getUTCHours(),
        d.getUTCMinutes(),
        d.getUTCSeconds(),
        d.getUTCMilliseconds(),
      ]
    : [
        d.getFullYear(),
        d.getMonth() + 1,
        d.getDate(),
        d.getHours(),
        d.getMinutes(),
        d.getSeconds(),
        d.getMilliseconds(),
      ];
  return `${y}-${pad(mo)}-${pad(da)} ${pad(h)}:${pad(mi)}:${pad(s)}${withMs ? `.${pad(milli, 3)}` : ''}`;
}

/** A cell as shown: timestamps in the chosen zone, everything else verbatim. */
export function displayValue(v: string | undefined, utc: boolean): string {
  if (v === undefined) return '';
  const t = parseCwTimestamp(v);
  if (t !== undefined && !utc) return formatTime(t, false, true);
  return v;
}

export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Number.isInteger(n)) return n.toLocaleString('en-US');
  return n.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

/** 1234567 → "1.23M". */
export function compactNumber(n: number): string {
  const a = Math.abs(n);
  if (a >= 1e12) return `${(n / 1e12).toFixed(2)}T`;
  if (a >= 1e9) return `${(n / 1e9).toFixed(2)}B`;
  if (a >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (a >= 1e4) return `${(n / 1e3).toFixed(1)}K`;
  return formatNumber(n);
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 2 : 1)} ${units[i]}`;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const m = Math.floor(ms / 60_000);
  return `${m}m ${Math.round((ms % 60_000) / 1000)}s`;
}

/** CSV per RFC 4180: quote fields holding commas, quotes or newlines. */
export function toCsv(columns: string[], rows: Record<string, string>[]): string {
  const q = (s: string): string => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const lines = [columns.map(q).join(',')];
  for (const r of rows) lines.push(columns.map((c) => q(r[c] ?? '')).join(','));
  return lines.join('\r\n') + '\r\n';
}

/** A text field of a submitted form ('' when absent; a file input is not text). */
export function formText(f: FormData, name: string): string {
  const v = f.get(name);
  return typeof v === 'string' ? v : '';
}
