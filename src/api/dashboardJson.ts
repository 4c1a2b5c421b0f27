import { z } from 'zod';
import { BiError, errorMessage } from '../util/errors.js';
import { resolveRange } from '../contracts/range.js';
import {
  checkDashboardBody,
  type DashboardBody,
  type RangeSpec,
  type Widget,
  type WidgetView,
} from '../workspace/definitions.js';

/**
 * Import and export of dashboards as a CloudWatch dashboard body (PutDashboard's DashboardBody,
 * spec cloudwatch-logs-api.md §6.2): `log` widgets whose query is `SOURCE '<group>' | … | query`
 * and whose `view` is table / timeSeries (stacked or not) / bar / pie.
 *
 * Lossy on purpose, and said here once: CloudWatch log widgets have no single-number view (a
 * "number" widget exports as `table`), no totals header, and no per-widget "live" flag.
 */
export interface CloudWatchWidget {
  type: string;
  x?: number;
  y?: number;
  width?: number;
  height?: number;
  properties?: Record<string, unknown>;
}
export interface CloudWatchDashboardBody {
  start?: string;
  end?: string;
  widgets: CloudWatchWidget[];
  [key: string]: unknown;
}

function quote(group: string): string {
  return `'${group.replace(/'/g, "\\'")}'`;
}

export function widgetQuery(w: Pick<Widget, 'logGroups' | 'queryString'>): string {
  const sources = w.logGroups.map((g) => `SOURCE ${quote(g)}`).join(' | ');
  const body = w.queryString.trim();
  return sources ? `${sources} | ${body}` : body;
}

/** "-PT6H" etc. for a relative range; undefined when it is absolute. */
function isoDuration(value: string): string | undefined {
  const m = /^(\d+)(s|m|h|d|w)$/.exec(value);
  if (!m) return undefined;
  const n = Number(m[1]);
  switch (m[2]) {
    case 's':
      return `-PT${n}S`;
    case 'm':
      return `-PT${n}M`;
    case 'h':
      return `-PT${n}H`;
    case 'd':
      return `-P${n}D`;
    default:
      return `-P${n * 7}D`;
  }
}

/** Our relative spelling of an ISO-8601 duration such as -PT6H, -P1D, -P3M (months as 30 days). */
function fromIsoDuration(s: string): string | undefined {
  const m = /^-?P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/i.exec(s.trim());
  if (!m || s.trim() === '-P' || s.trim() === 'P') return undefined;
  const [y, mo, w, d, h, mi, sec] = m.slice(1).map((x) => Number(x ?? 0));
  const seconds = (((y * 365 + mo * 30 + w * 7 + d) * 24 + h) * 60 + mi) * 60 + sec;
  if (seconds <= 0) return undefined;
  if (seconds % 604800 === 0) return `${seconds / 604800}w`;
  if (seconds % 86400 === 0) return `${seconds / 86400}d`;
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

const VIEW_OUT: Record<WidgetView, { view: string; stacked?: boolean }> = {
  line: { view: 'timeSeries', stacked: false },
  stackedArea: { view: 'timeSeries', stacked: true },
  bar: { view: 'bar' },
  pie: { view: 'pie' },
  table: { view: 'table' },
  number: { view: 'table' },
};

export function toCloudWatchBody(d: DashboardBody, opts: { region?: string } = {}): CloudWatchDashboardBody {
  const region = opts.region ?? 'us-east-1';
  const out: CloudWatchDashboardBody = { widgets: [] };
  const duration = d.range.kind === 'relative' ? isoDuration(d.range.value) : undefined;
  if (duration) out.start = duration;
  else {
    // An absolute range, or a calendar one ("last month"), which CloudWatch cannot express: its
    // bounds as of the export.
    const r = resolveRange(d.range);
    out.start = new Date(r.start).toISOString();
    out.end = new Date(r.end).toISOString();
  }
  // Flow widgets left to right on the 24-column grid, as our console lays them out.
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  for (const w of d.widgets) {
    if (x + w.width > 24) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    const v = VIEW_OUT[w.view];
    const properties: Record<string, unknown> = { region, title: w.title, query: widgetQuery(w), view: v.view };
    if (v.stacked !== undefined) properties.stacked = v.stacked;
    out.widgets.push({ type: 'log', x, y, width: w.width, height: w.height, properties });
    x += w.width;
    rowHeight = Math.max(rowHeight, w.height);
  }
  return out;
}

/** Split `SOURCE 'a' | SOURCE "b" | rest` into log groups and the query proper. */
export function splitSource(query: string): { logGroups: string[]; queryString: string } {
  const logGroups: string[] = [];
  let rest = query.trimStart();
  for (;;) {
    const m = /^SOURCE\s+(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")\s*(?:\|\s*)?/i.exec(rest);
    if (!m) break;
    logGroups.push((m[1] ?? m[2] ?? '').replace(/\\(.)/g, '$1'));
    rest = rest.slice(m[0].length);
  }
  return { logGroups, queryString: rest.trim() };
}

function viewIn(p: Record<string, unknown>): WidgetView {
  switch (p.view) {
    case 'timeSeries':
      return p.stacked === true ? 'stackedArea' : 'line';
    case 'bar':
      return 'bar';
    case 'pie':
      return 'pie';
    default:
      return 'table';
  }
}

/**
 * What an import reads of a CloudWatch body: each widget an object (other fields of another type
 * are read leniently below, as CloudWatch's own console does); unknown fields are ignored.
 */
const ImportedBody = z.object({
  start: z.unknown().optional(),
  end: z.unknown().optional(),
  widgets: z.array(
    z.object({
      type: z.unknown().optional(),
      x: z.unknown().optional(),
      y: z.unknown().optional(),
      width: z.unknown().optional(),
      height: z.unknown().optional(),
      properties: z.record(z.string(), z.unknown()).optional().catch(undefined),
    }),
  ),
});

/** Parse a CloudWatch dashboard body (object or JSON text); other widget types are reported, not imported. */
export function fromCloudWatchBody(input: unknown): { body: DashboardBody; skipped: string[] } {
  let raw: unknown = input;
  if (typeof input === 'string') {
    try {
      raw = JSON.parse(input);
    } catch (e) {
      throw new BiError('INVALID_DASHBOARD', `The dashboard body is not valid JSON: ${errorMessage(e)}`);
    }
  }
  const parsed = ImportedBody.safeParse(raw);
  if (!parsed.success)
    throw new BiError('INVALID_DASHBOARD', 'A CloudWatch dashboard body needs a "widgets" array of objects.');
  const cw = parsed.data;
  const skipped: string[] = [];
  const placed = cw.widgets.map((w, i) => ({ w, i, x: Number(w.x ?? 0), y: Number(w.y ?? 0) }));
  placed.sort((a, b) => a.y - b.y || a.x - b.x || a.i - b.i);
  const widgets: Widget[] = [];
  for (const { w, i } of placed) {
    const p = w.properties ?? {};
    const title = typeof p.title === 'string' ? p.title : '';
    if (w.type !== 'log' || typeof p.query !== 'string') {
      skipped.push(
        `widget ${i + 1}${title ? ` "${title}"` : ''} (type ${String(w.type)}): only log widgets can be imported`,
      );
      continue;
    }
    const { logGroups, queryString } = splitSource(p.query);
    widgets.push({
      id: `w${i + 1}`,
      title,
      queryString,
      logGroups,
      view: viewIn(p),
      width: Number(w.width ?? 6),
      height: Number(w.height ?? 6),
    });
  }
  let range: RangeSpec = { kind: 'relative', value: '3h' };
  if (typeof cw.start === 'string') {
    const rel = fromIsoDuration(cw.start);
    if (rel) range = { kind: 'relative', value: rel };
    else {
      const s = Date.parse(cw.start);
      const e = typeof cw.end === 'string' ? Date.parse(cw.end) : Date.now();
      if (Number.isFinite(s) && Number.isFinite(e) && s <= e) range = { kind: 'absolute', start: s, end: e };
    }
  }
  return { body: checkDashboardBody({ range, refresh: 'off', totals: false, widgets }), skipped };
}
