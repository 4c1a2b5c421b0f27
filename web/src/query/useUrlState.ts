// The query page's view state, all of it in the URL (a link reproduces the page): the query, log
// groups, range, tab, chart, sort, panels. This hook reads it typed and writes it back.
import { useCallback, useMemo } from 'react';
import { rangeFromParam, rangeToParam, type RangeSpec } from '../../../src/contracts/range';
import { useLocation, useParamSetter } from '../url';
import type { SortState } from '../components/ResultsTable';

export type { SortState };

export const DEFAULT_QUERY = 'fields @timestamp, @message, @logStream, @log\n| sort @timestamp desc\n| limit 20';

/** Auto-refresh choices and their period (ms). */
export const REFRESH: Readonly<Record<string, number>> = {
  off: 0,
  '10s': 10_000,
  '30s': 30_000,
  '1m': 60_000,
  '5m': 300_000,
  '15m': 900_000,
};

export type QueryTab = 'logs' | 'viz';
export type SideTab = 'saved' | 'history';

export interface QueryUrlState {
  /** The query text (`q`), or the default query when the URL has none. */
  queryText: string;
  /** True when the URL names a query (a first visit has none). */
  hasQuery: boolean;
  logGroups: string[];
  /** The range (`r`); null until one is chosen (the page then picks one from the data). */
  range: RangeSpec | null;
  tab: QueryTab;
  utc: boolean;
  refresh: string;
  /** The chosen chart type and value column (checked against the result by the page). */
  viz: string | null;
  metric: string | null;
  /** The saved query the text came from. */
  savedId: string | null;
  side: SideTab;
  /** The discovered-fields panel is shown (hidden with `fields=0`). */
  fieldsPanel: boolean;
  sort: SortState | null;
  /** Where the query runs (`engine`): '' is the store, else a connection of the server's config. */
  engine: string;
}

/** A change of view state; undefined leaves a value as it is, null removes it from the URL. */
export interface QueryUrlPatch {
  queryText?: string;
  logGroups?: string[];
  range?: RangeSpec;
  tab?: QueryTab;
  utc?: boolean;
  refresh?: string;
  viz?: string | null;
  metric?: string | null;
  savedId?: string | null;
  side?: SideTab;
  fieldsPanel?: boolean;
  sort?: SortState | null;
  engine?: string | null;
}

function sortFromParam(v: string | null): SortState | null {
  if (!v) return null;
  const i = v.lastIndexOf(':');
  if (i <= 0) return null;
  const dir = v.slice(i + 1);
  return dir === 'asc' || dir === 'desc' ? { col: v.slice(0, i), desc: dir === 'desc' } : null;
}

/** The patch as URL parameters ('' removes one). */
function toParams(p: QueryUrlPatch): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  const put = (k: string, v: string | null | undefined): void => {
    if (v !== undefined) out[k] = v ?? '';
  };
  put('q', p.queryText);
  put('g', p.logGroups?.join(','));
  put('r', p.range ? rangeToParam(p.range) : undefined);
  put('tab', p.tab === undefined ? undefined : p.tab === 'viz' ? 'viz' : null);
  put('utc', p.utc === undefined ? undefined : p.utc ? '1' : null);
  put('refresh', p.refresh === undefined ? undefined : p.refresh === 'off' ? null : p.refresh);
  put('viz', p.viz);
  put('metric', p.metric);
  put('saved', p.savedId);
  put('side', p.side === undefined ? undefined : p.side === 'history' ? 'history' : null);
  put('fields', p.fieldsPanel === undefined ? undefined : p.fieldsPanel ? null : '0');
  put('engine', p.engine === undefined ? undefined : p.engine || null);
  put('sort', p.sort === undefined ? undefined : p.sort ? `${p.sort.col}:${p.sort.desc ? 'desc' : 'asc'}` : null);
  return out;
}

export function useUrlState(): { state: QueryUrlState; update: (patch: QueryUrlPatch, push?: boolean) => void } {
  const { params } = useLocation();
  const setParams = useParamSetter();
  const q = params.get('q');
  const g = params.get('g') ?? '';
  const r = params.get('r');
  const tab = params.get('tab');
  const utc = params.get('utc');
  const refresh = params.get('refresh');
  const viz = params.get('viz');
  const metric = params.get('metric');
  const saved = params.get('saved');
  const side = params.get('side');
  const fields = params.get('fields');
  const sort = params.get('sort');
  const engine = params.get('engine') ?? '';
  const state = useMemo<QueryUrlState>(
    () => ({
      queryText: q ?? DEFAULT_QUERY,
      hasQuery: q !== null,
      logGroups: g.split(',').filter(Boolean),
      range: r ? rangeFromParam(r) : null,
      tab: tab === 'viz' ? 'viz' : 'logs',
      utc: utc === '1',
      refresh: refresh && REFRESH[refresh] !== undefined ? refresh : 'off',
      viz,
      metric,
      savedId: saved,
      side: side === 'history' ? 'history' : 'saved',
      fieldsPanel: fields !== '0',
      sort: sortFromParam(sort),
      engine,
    }),
    [q, g, r, tab, utc, refresh, viz, metric, saved, side, fields, sort, engine],
  );
  const update = useCallback((patch: QueryUrlPatch, push = false) => setParams(toParams(patch), !push), [setParams]);
  return { state, update };
}
