// The only module that talks HTTP: every page's calls go through `request` below, so sign-in,
// network failures and the server's coded errors are handled once. Every call goes to the same
// origin's /api. The shapes the server sends are defined once, in src/contracts/wire.ts
// (type-only: nothing of the server is bundled).
import type {
  AlarmBacktest,
  AlarmDeleted,
  AlarmDetail,
  AlarmFieldProblem,
  AlarmSaved,
  AlarmDisabled,
  AlarmEnabled,
  AlarmEvaluation,
  AlarmList,
  AlarmSeriesChart,
  AlarmTestDeliveries,
  ChargebackFormat,
  CostParams,
  CostSummary,
  Dashboard,
  Diagnostic,
  EngineChoice,
  FieldCoverage,
  Histogram,
  HistoryEntry,
  LanguageCatalog,
  LogGroupExtent,
  LogRecord,
  QueryEdit,
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
  FieldCoverage,
  Histogram,
  HistoryEntry,
  LanguageCatalog,
  LogGroupExtent,
  LogRecord,
  QueryEdit,
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
    /** Each problem of a definition with the path of its field (ALARM_INVALID). */
    readonly fields?: AlarmFieldProblem[],
  ) {
    super(message);
  }
}

interface ErrorBody {
  error?: { code?: string; message?: string; diagnostics?: Diagnostic[]; fields?: AlarmFieldProblem[] };
}

function signIn(): never {
  window.location.href = `/login?next=${encodeURIComponent(window.location.pathname + window.location.search)}`;
  throw new ApiError(401, 'UNAUTHORIZED', 'Sign in with the access token.');
}

/** The one HTTP call of the console: JSON in, JSON out, errors as ApiError. Abort errors pass through. */
export async function request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
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
    if (e instanceof Error && e.name === 'AbortError') throw e;
    throw new ApiError(0, 'NETWORK', 'The server cannot be reached. Is `bedrock-insights serve` still running?');
  }
  if (res.status === 401) signIn();
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
    const err = (json as ErrorBody).error ?? {};
    throw new ApiError(
      res.status,
      err.code ?? 'ERROR',
      err.message ?? `Request failed (${res.status}).`,
      err.diagnostics,
      err.fields,
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

/** The query and the range of a panel request (histogram, coverage): the page's own query. */
export interface PanelRequest {
  queryString: string;
  logGroups: string[];
  startTime: number;
  endTime: number;
}

const enc = encodeURIComponent;
const groupParams = (groups: string[]): string => groups.map((g) => `logGroup=${enc(g)}`).join('&');

/** The query string of GET /api/cost/summary and /api/cost/chargeback. */
export function costQuery(p: CostParams, extra: Record<string, string> = {}): string {
  const sp = new URLSearchParams({
    start: String(p.start),
    end: String(p.end),
    by: p.by,
    untagged: p.untagged,
    ...extra,
  });
  for (const g of p.logGroups ?? []) sp.append('logGroup', g);
  return sp.toString();
}

export const api = {
  info: () => request<{ version: string; engine: string; authRequired: boolean; now: number }>('GET', '/api/info'),
  language: () => request<LanguageCatalog>('GET', '/api/language'),
  engines: () => request<{ engines: EngineChoice[] }>('GET', '/api/engines').then((r) => r.engines),
  logGroups: () => request<{ logGroups: LogGroupInfo[] }>('GET', '/api/log-groups').then((r) => r.logGroups),
  fields: (groups: string[]) =>
    request<{ fields: { field: string; events: number }[] }>('GET', `/api/fields?${groupParams(groups)}`).then(
      (r) => r.fields,
    ),
  check: (queryString: string, logGroups: string[], signal?: AbortSignal, engine?: string) =>
    request<{ diagnostics: Diagnostic[] }>(
      'POST',
      '/api/check',
      { queryString, logGroups, ...(engine ? { engine } : {}) },
      signal,
    ).then((r) => r.diagnostics),
  start: (req: RunRequest, signal?: AbortSignal) => request<QueryView>('POST', '/api/queries', req, signal),
  poll: (id: string, waitMs: number, signal?: AbortSignal) =>
    request<QueryView>('GET', `/api/queries/${enc(id)}?waitMs=${waitMs}`, undefined, signal),
  cancel: (id: string) => request<QueryView>('DELETE', `/api/queries/${enc(id)}`),
  record: (ptr: string, signal?: AbortSignal) =>
    request<{ record: LogRecord }>('GET', `/api/records?ptr=${enc(ptr)}`, undefined, signal).then((r) => r.record),
  history: () => request<{ history: HistoryEntry[] }>('GET', '/api/history').then((r) => r.history),
  clearHistory: () => request<{ ok: boolean }>('DELETE', '/api/history'),
  savedQueries: () => request<{ savedQueries: SavedQuery[] }>('GET', '/api/saved-queries').then((r) => r.savedQueries),
  saveQuery: (q: {
    name: string;
    folder: string;
    queryString: string;
    logGroups: string[];
    description?: string;
    engine?: string;
  }) => request<{ savedQuery: SavedQuery }>('POST', '/api/saved-queries', q).then((r) => r.savedQuery),
  updateQuery: (id: string, patch: Partial<SavedQuery>) =>
    request<{ savedQuery: SavedQuery }>('PATCH', `/api/saved-queries/${enc(id)}`, patch).then((r) => r.savedQuery),
  deleteQuery: (id: string) => request<{ ok: boolean }>('DELETE', `/api/saved-queries/${enc(id)}`),
  renameFolder: (from: string, to: string) => request<{ moved: number }>('POST', '/api/folders/rename', { from, to }),
  deleteFolder: (folder: string) => request<{ deleted: number }>('POST', '/api/folders/delete', { folder }),

  // -- the query page's panels (src/api/consoleRoutes.ts)
  histogram: (p: PanelRequest, signal?: AbortSignal) => request<Histogram>('POST', '/api/histogram', p, signal),
  fieldCoverage: (p: PanelRequest, signal?: AbortSignal) =>
    request<FieldCoverage>('POST', '/api/field-coverage', p, signal),
  extent: (groups: string[], signal?: AbortSignal) =>
    request<LogGroupExtent>('GET', `/api/extent?${groupParams(groups)}`, undefined, signal),
  editQuery: (queryString: string, edit: QueryEdit) =>
    request<{ queryString: string }>('POST', '/api/query-edit', { queryString, ...edit }).then((r) => r.queryString),

  // -- dashboards
  dashboards: () => request<{ dashboards: Dashboard[] }>('GET', '/api/dashboards').then((r) => r.dashboards),
  dashboard: (id: string) =>
    request<{ dashboard: Dashboard }>('GET', `/api/dashboards/${enc(id)}`).then((r) => r.dashboard),
  createDashboard: (d: Partial<Dashboard> & { name: string }) =>
    request<{ dashboard: Dashboard }>('POST', '/api/dashboards', d).then((r) => r.dashboard),
  updateDashboard: (id: string, patch: Partial<Dashboard>) =>
    request<{ dashboard: Dashboard }>('PUT', `/api/dashboards/${enc(id)}`, patch).then((r) => r.dashboard),
  deleteDashboard: (id: string) => request<{ ok: boolean }>('DELETE', `/api/dashboards/${enc(id)}`),
  exportDashboard: (id: string) => request<unknown>('GET', `/api/dashboards/${enc(id)}/cloudwatch`),
  importDashboard: (name: string, body: unknown) =>
    request<{ dashboard: Dashboard; skipped: string[] }>('POST', '/api/dashboards/import', { name, body }),

  // -- the Cost page (src/api/costRoutes.ts)
  costSummary: (p: CostParams, signal?: AbortSignal) =>
    request<CostSummary>('GET', `/api/cost/summary?${costQuery(p)}`, undefined, signal),

  // -- the Alarms page (src/api/alarmRoutes.ts)
  alarms: {
    list: () => request<AlarmList>('GET', '/api/alarms'),
    get: (name: string) => request<AlarmDetail>('GET', `/api/alarms/${enc(name)}`),
    series: (name: string, since: number, until: number) =>
      request<AlarmSeriesChart>('GET', `/api/alarms/${enc(name)}/series?since=${since}&until=${until}`),
    evaluate: () => request<AlarmEvaluation>('POST', '/api/alarms/evaluate', {}),
    testNotify: (name: string) => request<AlarmTestDeliveries>('POST', `/api/alarms/${enc(name)}/test-notify`, {}),
    enable: (name: string, to: string[]) => request<AlarmEnabled>('POST', `/api/alarms/${enc(name)}/enable`, { to }),
    disable: (name: string) => request<AlarmDisabled>('POST', `/api/alarms/${enc(name)}/disable`, {}),
    save: (definition: Record<string, unknown>) => request<AlarmSaved>('POST', '/api/alarms', definition),
    remove: (name: string) => request<AlarmDeleted>('DELETE', `/api/alarms/${enc(name)}`),
    backtest: (definition: Record<string, unknown>, signal?: AbortSignal) =>
      request<AlarmBacktest>('POST', '/api/alarms/backtest', { definition }, signal),
  },
};

/** The Cost page's statement download link (the server sends it as an attachment). */
export function chargebackUrl(p: CostParams, format: Exclude<ChargebackFormat, 'json'>): string {
  return `/api/cost/chargeback?${costQuery(p, { format })}`;
}

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
