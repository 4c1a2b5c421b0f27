// The only module that talks HTTP. Every call goes to the same origin's /api.
import type { RangeSpec } from '../../src/api/range';

export type { RangeSpec };

export interface Diagnostic {
  code: string;
  severity: 'error' | 'warning' | 'info';
  message: string;
  span: { start: number; end: number };
  line: number;
  column: number;
  suggestion?: string;
}

export interface Statistics {
  recordsMatched: number;
  recordsScanned: number;
  estimatedRecordsSkipped: number;
  bytesScanned: number;
  estimatedBytesSkipped: number;
  logGroupsScanned: number;
}

export type QueryStatus = 'Scheduled' | 'Running' | 'Complete' | 'Failed' | 'Cancelled' | 'Timeout' | 'Unknown';

export interface QueryView {
  queryId: string;
  status: QueryStatus;
  columns: string[];
  rows: Record<string, string>[];
  statistics: Statistics;
  warnings: Diagnostic[];
  truncated: boolean;
  aggregated: boolean;
  error?: { code: string; message: string };
  startTime: number;
  endTime: number;
  elapsedMs: number;
}

export interface SavedQuery {
  id: string;
  name: string;
  folder: string;
  queryString: string;
  logGroups: string[];
  description: string;
  builtin: boolean;
  updatedTime: number;
}

export interface HistoryEntry {
  id: string;
  queryString: string;
  logGroups: string[];
  range: RangeSpec;
  runTime: number;
  status: string;
  recordsMatched: number | null;
  rowCount: number | null;
  durationMs: number | null;
  error: string | null;
}

export type WidgetView = 'line' | 'stackedArea' | 'bar' | 'pie' | 'table' | 'number';
export interface Widget {
  id: string;
  title: string;
  queryString: string;
  logGroups: string[];
  view: WidgetView;
  width: number;
  height: number;
  live?: boolean;
}
export type Refresh = 'off' | '10s' | '30s' | '1m' | '5m' | '15m';
export interface Dashboard {
  id: string;
  name: string;
  builtin: boolean;
  range: RangeSpec;
  refresh: Refresh;
  totals: boolean;
  widgets: Widget[];
}

export interface LogGroupInfo {
  name: string;
  events: number;
}

export interface LanguageCatalog {
  commands: { name: string; syntax: string; tier: number }[];
  functions: { name: string; kind: 'aggregate' | 'scalar' }[];
  keywords: string[];
}

export interface LogRecord {
  logGroup: string;
  logStream: string;
  timestamp: number;
  ingestionTime: number;
  message: unknown;
}

/** An error the server explained: code + message (+ diagnostics for a malformed query). */
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly diagnostics?: Diagnostic[]) {
    super(message);
  }
}

async function call<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body !== undefined ? { 'content-type': 'application/json' } : {},
      body: body !== undefined ? JSON.stringify(body) : null,
      ...(signal ? { signal } : {}),
    });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError(0, 'NETWORK', 'The server cannot be reached. Is `bedrock-insights serve` still running?');
  }
  if (res.status === 401) {
    window.location.href = `/login?next=${encodeURIComponent(window.location.pathname + window.location.search)}`;
    throw new ApiError(401, 'UNAUTHORIZED', 'Sign in with the access token.');
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : {};
  } catch {
    throw new ApiError(res.status, 'BAD_RESPONSE', `The server answered ${res.status} with something that is not JSON.`);
  }
  if (!res.ok) {
    const err = (json as { error?: { code?: string; message?: string; diagnostics?: Diagnostic[] } }).error ?? {};
    throw new ApiError(res.status, err.code ?? 'ERROR', err.message ?? `Request failed (${res.status}).`, err.diagnostics);
  }
  return json as T;
}

export interface RunRequest {
  queryString: string;
  logGroups: string[];
  range?: RangeSpec;
  startTime?: number;
  endTime?: number;
  waitMs?: number;
  history?: boolean;
}

export const api = {
  info: () => call<{ version: string; engine: string; authRequired: boolean; now: number }>('GET', '/api/info'),
  language: () => call<LanguageCatalog>('GET', '/api/language'),
  logGroups: () => call<{ logGroups: LogGroupInfo[] }>('GET', '/api/log-groups').then((r) => r.logGroups),
  fields: (groups: string[]) =>
    call<{ fields: { field: string; events: number }[] }>('GET', `/api/fields?${groups.map((g) => `logGroup=${encodeURIComponent(g)}`).join('&')}`).then((r) => r.fields),
  check: (queryString: string, logGroups: string[], signal?: AbortSignal) =>
    call<{ diagnostics: Diagnostic[] }>('POST', '/api/check', { queryString, logGroups }, signal).then((r) => r.diagnostics),
  start: (req: RunRequest, signal?: AbortSignal) => call<QueryView>('POST', '/api/queries', req, signal),
  poll: (id: string, waitMs: number, signal?: AbortSignal) => call<QueryView>('GET', `/api/queries/${encodeURIComponent(id)}?waitMs=${waitMs}`, undefined, signal),
  cancel: (id: string) => call<QueryView>('DELETE', `/api/queries/${encodeURIComponent(id)}`),
  record: (ptr: string) => call<{ record: LogRecord }>('GET', `/api/records?ptr=${encodeURIComponent(ptr)}`).then((r) => r.record),
  history: () => call<{ history: HistoryEntry[] }>('GET', '/api/history').then((r) => r.history),
  clearHistory: () => call<{ ok: boolean }>('DELETE', '/api/history'),
  savedQueries: () => call<{ savedQueries: SavedQuery[] }>('GET', '/api/saved-queries').then((r) => r.savedQueries),
  saveQuery: (q: { name: string; folder: string; queryString: string; logGroups: string[]; description?: string }) =>
    call<{ savedQuery: SavedQuery }>('POST', '/api/saved-queries', q).then((r) => r.savedQuery),
  updateQuery: (id: string, patch: Partial<SavedQuery>) =>
    call<{ savedQuery: SavedQuery }>('PATCH', `/api/saved-queries/${encodeURIComponent(id)}`, patch).then((r) => r.savedQuery),
  deleteQuery: (id: string) => call<{ ok: boolean }>('DELETE', `/api/saved-queries/${encodeURIComponent(id)}`),
  renameFolder: (from: string, to: string) => call<{ moved: number }>('POST', '/api/folders/rename', { from, to }),
  deleteFolder: (folder: string) => call<{ deleted: number }>('POST', '/api/folders/delete', { folder }),
  dashboards: () => call<{ dashboards: Dashboard[] }>('GET', '/api/dashboards').then((r) => r.dashboards),
  dashboard: (id: string) => call<{ dashboard: Dashboard }>('GET', `/api/dashboards/${encodeURIComponent(id)}`).then((r) => r.dashboard),
  createDashboard: (d: Partial<Dashboard> & { name: string }) => call<{ dashboard: Dashboard }>('POST', '/api/dashboards', d).then((r) => r.dashboard),
  updateDashboard: (id: string, patch: Partial<Dashboard>) =>
    call<{ dashboard: Dashboard }>('PUT', `/api/dashboards/${encodeURIComponent(id)}`, patch).then((r) => r.dashboard),
  deleteDashboard: (id: string) => call<{ ok: boolean }>('DELETE', `/api/dashboards/${encodeURIComponent(id)}`),
  exportDashboard: (id: string) => call<unknown>('GET', `/api/dashboards/${encodeURIComponent(id)}/cloudwatch`),
  importDashboard: (name: string, body: unknown) =>
    call<{ dashboard: Dashboard; skipped: string[] }>('POST', '/api/dashboards/import', { name, body }),
};

export function isFinal(s: QueryStatus): boolean {
  return s === 'Complete' || s === 'Failed' || s === 'Cancelled' || s === 'Timeout';
}

/** Start a query and long-poll until it ends; `onUpdate` sees partial states. Abort stops polling (not the query). */
export async function runToEnd(req: RunRequest, onUpdate: (v: QueryView) => void, signal?: AbortSignal): Promise<QueryView> {
  let v = await api.start({ ...req, waitMs: req.waitMs ?? 10_000 }, signal);
  onUpdate(v);
  while (!isFinal(v.status)) {
    v = await api.poll(v.queryId, 10_000, signal);
    onUpdate(v);
  }
  return v;
}
