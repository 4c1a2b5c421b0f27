// The panels computed for the query that ran (after it finished, so they never compete with it):
// the histogram of matching events and the discovered fields' coverage. Both are Logs Insights
// queries the server runs through the engine (src/api/consoleQueries.ts).
import { useEffect, useState } from 'react';
import { api, type FieldCoverage, type Histogram, type PanelRequest } from '../api';
import type { RanQuery } from './useQueryRun';

export interface Panel<T> {
  data: T | null;
  loading: boolean;
  error: string;
}

function usePanel<T>(
  ran: RanQuery | null,
  enabled: boolean,
  load: (p: PanelRequest, signal: AbortSignal) => Promise<T>,
): Panel<T> {
  const [state, setState] = useState<{ for: RanQuery | null; data: T | null; error: string }>({
    for: null,
    data: null,
    error: '',
  });
  useEffect(() => {
    // The panels are queries on the store: a query run on a remote engine gets none rather than
    // the store's picture beside the engine's rows.
    if (!ran || !enabled || ran.engine) return;
    const ctrl = new AbortController();
    const req: PanelRequest = {
      queryString: ran.queryString,
      logGroups: ran.logGroups,
      startTime: ran.startTime,
      endTime: ran.endTime,
    };
    load(req, ctrl.signal).then(
      (data) => setState({ for: ran, data, error: '' }),
      (e: Error) => {
        if (e.name !== 'AbortError') setState({ for: ran, data: null, error: e.message });
      },
    );
    return () => ctrl.abort();
  }, [ran, enabled, load]);
  const current = state.for === ran;
  return {
    data: current ? state.data : null,
    loading: Boolean(ran && enabled && !ran.engine && !current),
    error: current ? state.error : '',
  };
}

export function useHistogram(ran: RanQuery | null): Panel<Histogram> {
  return usePanel(ran, true, api.histogram);
}

export function useFieldCoverage(ran: RanQuery | null, enabled: boolean): Panel<FieldCoverage> {
  return usePanel(ran, enabled, api.fieldCoverage);
}

/** The catalog's field names for the log groups (the editor's completion). */
export function useCatalogFields(logGroups: string[]): string[] {
  const key = logGroups.join(',');
  const [fields, setFields] = useState<{ key: string; names: string[] }>({ key: '', names: [] });
  useEffect(() => {
    api.fields(key ? key.split(',') : []).then(
      (f) => setFields({ key, names: f.map((x) => x.field) }),
      () => setFields({ key, names: [] }),
    );
  }, [key]);
  return fields.names;
}
