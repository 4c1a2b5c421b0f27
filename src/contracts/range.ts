/**
 * Time ranges as the console names them. Pure (no Node APIs): the web console imports this file
 * too, so server and browser resolve "1h" or "last month" identically.
 */
export type RangeSpec = { kind: 'relative'; value: string } | { kind: 'absolute'; start: number; end: number };

/** The relative ranges the console offers: CloudWatch's Logs Insights ones, then 30 and 90 days. */
export const RELATIVE_RANGES: ReadonlyArray<{ value: string; label: string; ms: number }> = [
  { value: '5m', label: '5m', ms: 5 * 60_000 },
  { value: '15m', label: '15m', ms: 15 * 60_000 },
  { value: '30m', label: '30m', ms: 30 * 60_000 },
  { value: '1h', label: '1h', ms: 3_600_000 },
  { value: '3h', label: '3h', ms: 3 * 3_600_000 },
  { value: '12h', label: '12h', ms: 12 * 3_600_000 },
  { value: '1d', label: '1d', ms: 86_400_000 },
  { value: '3d', label: '3d', ms: 3 * 86_400_000 },
  { value: '1w', label: '1w', ms: 7 * 86_400_000 },
  { value: '2w', label: '2w', ms: 14 * 86_400_000 },
  { value: '4w', label: '4w', ms: 28 * 86_400_000 },
  { value: '30d', label: '30d', ms: 30 * 86_400_000 },
  { value: '90d', label: '90d', ms: 90 * 86_400_000 },
];

/**
 * Calendar ranges, in UTC months (the months of the chargeback statements and reports, so "last
 * month" here is the month `chargeback --month` bills). A relative RangeSpec whose value is one
 * of these names; it resolves at the instant it is used, like "1h".
 */
export const CALENDAR_RANGES: ReadonlyArray<{ value: CalendarRange; label: string }> = [
  { value: 'mtd', label: 'Month to date' },
  { value: 'thisMonth', label: 'This month' },
  { value: 'lastMonth', label: 'Last month' },
];
export type CalendarRange = 'mtd' | 'thisMonth' | 'lastMonth';

function isCalendar(value: string): value is CalendarRange {
  return value === 'mtd' || value === 'thisMonth' || value === 'lastMonth';
}

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 } as const;

/**
 * Milliseconds of a relative range such as "3h" or "2w" (also "90s", "45m", "10d", "500ms"; units
 * in any case, as the query language's durations: "1H" is an hour, "5M" five minutes); undefined
 * if malformed or zero. The console's ranges and every CLI duration (--since, --query-timeout)
 * are read here.
 */
export function relativeMs(value: string): number | undefined {
  const m = /^(\d+)\s*(ms|s|m|h|d|w)$/i.exec(value.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = UNIT_MS[m[2].toLowerCase() as keyof typeof UNIT_MS];
  return n > 0 ? n * unit : undefined;
}

/** Inclusive bounds of a calendar range at `now`: UTC months; "this month" runs to its last millisecond. */
export function calendarBounds(value: CalendarRange, now: number): { start: number; end: number } {
  const d = new Date(now);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  const monthStart = Date.UTC(y, m, 1);
  switch (value) {
    case 'mtd':
      return { start: monthStart, end: now };
    case 'thisMonth':
      return { start: monthStart, end: Date.UTC(y, m + 1, 1) - 1 };
    case 'lastMonth':
      return { start: Date.UTC(y, m - 1, 1), end: monthStart - 1 };
  }
}

/** A relative value the console understands: a duration ("3h", "30d") or a calendar name ("lastMonth"). */
export function isRelativeValue(value: string): boolean {
  return isCalendar(value) || relativeMs(value) !== undefined;
}

/** Inclusive epoch-millisecond bounds of a range at `now`. */
export function resolveRange(spec: RangeSpec, now: number = Date.now()): { start: number; end: number } {
  if (spec.kind === 'absolute') return { start: spec.start, end: spec.end };
  if (isCalendar(spec.value)) return calendarBounds(spec.value, now);
  const ms = relativeMs(spec.value) ?? 3_600_000;
  return { start: now - ms, end: now };
}

/** How a relative range reads in the console ("Last 30d", "Last month"). */
export function relativeLabel(value: string): string {
  const cal = CALENDAR_RANGES.find((c) => c.value === value);
  return cal ? cal.label : `Last ${value}`;
}

/** The period of the same length just before a range (for "change against the previous period"). */
export function previousPeriod(r: { start: number; end: number }): { start: number; end: number } {
  const len = r.end - r.start;
  return { start: r.start - len - 1, end: r.start - 1 };
}

/**
 * The smallest of the offered relative ranges, at least `minMs` long, that reaches back to `t` at
 * `now` (the range that shows an event at t); undefined when even the longest does not.
 */
export function smallestRangeCovering(t: number, now: number, minMs = 0): string | undefined {
  return RELATIVE_RANGES.find((r) => r.ms >= minMs && now - r.ms <= t)?.value;
}

/** "1h" / "START-END" (epoch ms) round-trip for URLs. */
export function rangeToParam(spec: RangeSpec): string {
  return spec.kind === 'relative' ? spec.value : `${spec.start}-${spec.end}`;
}

export function rangeFromParam(
  p: string | null | undefined,
  fallback: RangeSpec = { kind: 'relative', value: '1h' },
): RangeSpec {
  if (!p) return fallback;
  const abs = /^(\d+)-(\d+)$/.exec(p);
  if (abs) {
    const start = Number(abs[1]);
    const end = Number(abs[2]);
    return start <= end ? { kind: 'absolute', start, end } : fallback;
  }
  return isRelativeValue(p) ? { kind: 'relative', value: p } : fallback;
}

/** Is this a well-formed RangeSpec (from untrusted JSON)? */
export function isRangeSpec(v: unknown): v is RangeSpec {
  if (!v || typeof v !== 'object') return false;
  const r = v as Record<string, unknown>;
  if (r.kind === 'relative') return typeof r.value === 'string' && isRelativeValue(r.value);
  if (r.kind === 'absolute')
    return Number.isFinite(r.start) && Number.isFinite(r.end) && (r.start as number) <= (r.end as number);
  return false;
}
