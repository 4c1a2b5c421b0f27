// The only module that talks HTTP. Every call goes to the same origin's /api.
// The shapes the server sends are defined once, in src/contracts/wire.ts (type-only: nothing of the
// server is bundled).
import type {
  Dashboard,
  Diagnostic,
  EngineChoice,
  HistoryEntry,
  LanguageCatalog,
  LogRecord,
  QueryStatistics,
  QueryStatus,
  QueryView,
  RangeSpec,
  RefreshChoice,
  SavedQuery,
  Widget,
  WidgetView,
} from '../../src/contracts/wire';

export type {
  Dashboard,
  Diagnostic,
  EngineChoice,
  HistoryEntry,
  LanguageCatalog,
  LogRecord,
  QueryStatus,
  QueryView,
  RangeSpec,
  SavedQuery,
  Widget,
  WidgetView,
};
export type Statistics = QueryStatistics;
export type Refresh = RefreshChoice;

export interface LogGroupInfo {
  name: string;
  events: number;
}

/** An error the server explained: code + message (+ diagnostics for a malformed query). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly diagnostics?: Diagnostic[],
  ) {
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
    throw new ApiError(
      res.status,
      'BAD_RESPONSE',
      `The server answered ${res.status} with something that is not JSON.`,
    );
  }
  if (!res.ok) {
    const err = (json as { error?: { code?: string; message?: string; diagnostics?: Diagnostic[] } }).error ?? {};
    throw new ApiError(
      res.status,
      err.code ?? 'ERROR',
      err.message ?? `Request failed (${res.status}).`,
      err.diagnostics,
    );
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
  /** An engine name of /api/engines; absent: the store's. */
  engine?: string;
}

/** The text of an error from the server or an engine: its code, then what to do. */
export function errorText(e: { code?: string; message: string }): string {
  return e.code && !['ERROR', 'NETWORK'].includes(e.code) ? `${e.message} [${e.code}]` : e.message;
}

export const api = {
  info: () => call<{ version: string; engine: string; authRequired: boolean; now: number }>('GET', '/api/info'),
  language: () => call<LanguageCatalog>('GET', '/api/language'),
  engines: () => call<{ engines: EngineChoice[] }>('GET', '/api/engines').then((r) => r.engines),
  logGroups: () => call<{ logGroups: LogGroupInfo[] }>('GET', '/api/log-groups').then((r) => r.logGroups),
  fields: (groups: string[]) =>
    call<{ fields: { field: string; events: number }[] }>(
      'GET',
      `/api/fields?${groups.map((g) => `logGroup=${encodeURIComponent(g)}`).join('&')}`,
    ).then((r) => r.fields),
  check: (queryString: string, logGroups: string[], signal?: AbortSignal, engine?: string) =>
    call<{ diagnostics: Diagnostic[] }>(
      'POST',
      '/api/check',
      { queryString, logGroups, ...(engine ? { engine } : {}) },
      signal,
    ).then((r) => r.diagnostics),
  start: (req: RunRequest, signal?: AbortSignal) => call<QueryView>('POST', '/api/queries', req, signal),
  poll: (id: string, waitMs: number, signal?: AbortSignal) =>
    call<QueryView>('GET', `/api/queries/${encodeURIComponent(id)}?waitMs=${waitMs}`, undefined, signal),
  cancel: (id: string) => call<QueryView>('DELETE', `/api/queries/${encodeURIComponent(id)}`),
  record: (ptr: string) =>
    call<{ record: LogRecord }>('GET', `/api/records?ptr=${encodeURIComponent(ptr)}`).then((r) => r.record),
  history: () => call<{ history: HistoryEntry[] }>('GET', '/api/history').then((r) => r.history),
  clearHistory: () => call<{ ok: boolean }>('DELETE', '/api/history'),
  savedQueries: () => call<{ savedQueries: SavedQuery[] }>('GET', '/api/saved-queries').then((r) => r.savedQueries),
  saveQuery: (q: {
    name: string;
    folder: string;
    queryString: string;
    logGroups: string[];
    description?: string;
    engine?: string;
  }) => call<{ savedQuery: SavedQuery }>('POST', '/api/saved-queries', q).then((r) => r.savedQuery),
  updateQuery: (id: string, patch: Partial<SavedQuery>) =>
    call<{ savedQuery: SavedQuery }>('PATCH', `/api/saved-queries/${encodeURIComponent(id)}`, patch).then(
      (r) => r.savedQuery,
    ),
  deleteQuery: (id: string) => call<{ ok: boolean }>('DELETE', `/api/saved-queries/${encodeURIComponent(id)}`),
  renameFolder: (from: string, to: string) => call<{ moved: number }>('POST', '/api/folders/rename', { from, to }),
  deleteFolder: (folder: string) => call<{ deleted: number }>('POST', '/api/folders/delete', { folder }),
  dashboards: () => call<{ dashboards: Dashboard[] }>('GET', '/api/dashboards').then((r) => r.dashboards),
  dashboard: (id: string) =>
    call<{ dashboard: Dashboard }>('GET', `/api/dashboards/${encodeURIComponent(id)}`).then((r) => r.dashboard),
  createDashboard: (d: Partial<Dashboard> & { name: string }) =>
    call<{ dashboard: Dashboard }>('POST', '/api/dashboards', d).then((r) => r.dashboard),
  updateDashboard: (id: string, patch: Partial<Dashboard>) =>
    call<{ dashboard: Dashboard }>('PUT', `/api/dashboards/${encodeURIComponent(id)}`, patch).then((r) => r.dashboard),
  deleteDashboard: (id: string) => call<{ ok: boolean }>('DELETE', `/api/dashboards/${encodeURIComponent(id)}`),
  exportDashboard: (id: string) => call<unknown>('GET', `/api/dashboards/${encodeURIComponent(id)}/cloudwatch`),
  importDashboard: (name: string, body: unknown) =>
    call<{ dashboard: Dashboard; skipped: string[] }>('POST', '/api/dashboards/import', { name, body }),
};

/**
 * A download link for every row of a query (the server streams it: GET /api/queries/export), for
 * results the table shows cut.
 */
export function exportUrl(q: {
  queryString: string;
  logGroups: string[];
  startTime: number;
  endTime: number;
  engine?: string;
}): string {
  const u = new URLSearchParams({
    queryString: q.queryString,
    startTime: String(q.startTime),
    endTime: String(q.endTime),
    format: 'csv',
  });
  for (const g of q.logGroups) u.append('logGroup', g);
  if (q.engine) u.set('engine', q.engine);
  return `/api/queries/export?${u.toString()}`;
}

export function isFinal(s: QueryStatus): boolean {
  return s === 'Complete' || s === 'Failed' || s === 'Cancelled' || s === 'Timeout';
}

/** Start a query and long-poll until it ends; `onUpdate` sees partial states. Abort stops polling (not the query). */
export async function runToEnd(
  req: RunRequest,
  onUpdate: (v: QueryView) => void,
  signal?: AbortSignal,
): Promise<QueryView> {
  let v = await api.start({ ...req, waitMs: req.waitMs ?? 10_000 }, signal);
  onUpdate(v);
  while (!isFinal(v.status)) {
    v = await api.poll(v.queryId, 10_000, signal);
    onUpdate(v);
  }
  return v;
}
