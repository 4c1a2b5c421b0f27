import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import {
  api,
  ApiError,
  exportUrl,
  isFinal,
  type Dashboard,
  type HistoryEntry,
  type LanguageCatalog,
  type LogGroupInfo,
  type QueryView,
  type SavedQuery,
  type WidgetView,
  errorText,
} from '../api';
import { rangeFromParam, rangeToParam, type RangeSpec } from '../../../src/contracts/range';
import { Editor } from './Editor';
import { Sidebar } from './Sidebar';
import { LogGroupPicker } from '../components/LogGroupPicker';
import { EngineSelect } from '../components/EngineSelect';
import { TimeRangePicker } from '../components/TimeRangePicker';
import { ResultsTable } from '../components/ResultsTable';
import { Chart } from '../components/Chart';
import { Modal } from '../components/Modal';
import { analyseResult, availableViews, defaultMetric, defaultView, type ChartView } from '../chart';
import { formatBytes, formatDuration, formatNumber, formText, toCsv } from '../format';
import { navigate, useLocation, useParamSetter } from '../url';

export const DEFAULT_QUERY = 'fields @timestamp, @message, @logStream, @log\n| sort @timestamp desc\n| limit 20';
const REFRESH: Record<string, number> = {
  off: 0,
  '10s': 10_000,
  '30s': 30_000,
  '1m': 60_000,
  '5m': 300_000,
  '15m': 900_000,
};
const VIEW_LABEL: Record<ChartView, string> = { line: 'Line', stackedArea: 'Stacked area', bar: 'Bar', pie: 'Pie' };

function download(name: string, type: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function QueryPage(props: { language: LanguageCatalog | null; groups: LogGroupInfo[]; groupsError?: string }) {
  const loc = useLocation();
  const setParams = useParamSetter();
  const p = loc.params;
  const queryText = p.get('q') ?? DEFAULT_QUERY;
  const logGroups = useMemo(() => (p.get('g') ? p.get('g')!.split(',').filter(Boolean) : []), [p.get('g')]);
  const range: RangeSpec = rangeFromParam(p.get('r'), { kind: 'relative', value: '1h' });
  const tab = p.get('tab') === 'viz' ? 'viz' : 'logs';
  const utc = p.get('utc') === '1';
  const refresh = p.get('refresh') && REFRESH[p.get('refresh')!] !== undefined ? p.get('refresh')! : 'off';
  // Where the query runs: '' is the store, else a connection of the server's config.
  const engine = p.get('engine') ?? '';

  const [draft, setDraft] = useState(queryText);
  const [result, setResult] = useState<QueryView | null>(null);
  /** The query behind `result`: the export of every row runs it again. */
  const [ran, setRan] = useState<{ queryString: string; logGroups: string[]; engine?: string } | null>(null);
  const [running, setRunning] = useState<{ id?: string; started: number } | null>(null);
  const [now, setNow] = useState(Date.now());
  const [error, setError] = useState<string>('');
  const [fields, setFields] = useState<string[]>([]);
  const [saved, setSaved] = useState<SavedQuery[]>([]);
  const [history, setHistory] = useState<HistoryEntry[]>([]);
  const [toast, setToast] = useState('');
  const [saving, setSaving] = useState(false);
  const [adding, setAdding] = useState(false);
  const runSeq = useRef(0);

  // Text typed in the editor goes to the URL (debounced), so a link reproduces it.
  useEffect(() => {
    if (draft === queryText) return;
    const t = setTimeout(() => setParams({ q: draft }), 400);
    return () => clearTimeout(t);
  }, [draft]);
  useEffect(() => {
    setDraft((d) => (d === queryText ? d : queryText));
  }, [queryText]);

  const loadSide = useCallback(() => {
    api.savedQueries().then(setSaved, (e: Error) => setError(e.message));
    api.history().then(setHistory, () => undefined);
  }, []);
  useEffect(loadSide, []);

  useEffect(() => {
    api.fields(logGroups).then(
      (f) => setFields(f.map((x) => x.field)),
      () => setFields([]),
    );
  }, [logGroups.join(',')]);

  useEffect(() => {
    if (!running) return;
    const t = setInterval(() => setNow(Date.now()), 100);
    return () => clearInterval(t);
  }, [running]);

  const run = useCallback(
    async (text?: string) => {
      const queryString = (text ?? draft).trim();
      if (!queryString) return;
      if (text === undefined && draft !== queryText) setParams({ q: draft });
      const seq = ++runSeq.current;
      setError('');
      setRunning({ started: Date.now() });
      setNow(Date.now());
      try {
        let v = await api.start({ queryString, logGroups, range, waitMs: 250, ...(engine ? { engine } : {}) });
        if (seq !== runSeq.current) return;
        setRunning({ id: v.queryId, started: Date.now() - v.elapsedMs });
        while (!isFinal(v.status)) {
          if (v.rows.length) setResult(v);
          v = await api.poll(v.queryId, 2_000);
          if (seq !== runSeq.current) return;
        }
        setResult(v);
        setRan({ queryString, logGroups, ...(engine ? { engine } : {}) });
        if (v.status === 'Failed' || v.status === 'Timeout')
          setError(v.error ? errorText(v.error) : 'The query failed.');
      } catch (e) {
        if (seq !== runSeq.current) return;
        const err = e as ApiError;
        const diag = err.diagnostics?.[0];
        setError(diag ? `Line ${diag.line}, column ${diag.column}: ${diag.message}` : errorText(err));
      } finally {
        if (seq === runSeq.current) {
          setRunning(null);
          api.history().then(setHistory, () => undefined);
        }
      }
    },
    [draft, queryText, logGroups.join(','), rangeToParam(range), engine],
  );

  const cancel = async (): Promise<void> => {
    const id = running?.id;
    runSeq.current++;
    setRunning(null);
    if (!id) return;
    try {
      const v = await api.cancel(id);
      setResult(v);
    } catch (e) {
      setError((e as Error).message);
    }
  };

  // Auto-refresh re-runs in place (the table and chart keep their state).
  const runRef = useRef(run);
  runRef.current = run;
  useEffect(() => {
    const ms = REFRESH[refresh] ?? 0;
    if (!ms) return;
    const t = setInterval(() => {
      void runRef.current();
    }, ms);
    return () => clearInterval(t);
  }, [refresh]);

  const shape = useMemo(() => (result ? analyseResult(result.columns, result.rows) : null), [result]);
  const views = shape && result ? availableViews(shape, result.aggregated) : [];
  const vizParam = p.get('viz') as ChartView | null;
  const view: ChartView | undefined =
    vizParam && views.includes(vizParam)
      ? vizParam
      : shape && result
        ? defaultView(shape, result.aggregated)
        : undefined;
  const metricParam = p.get('metric');
  const metric = shape
    ? metricParam && shape.numericColumns.includes(metricParam)
      ? metricParam
      : defaultMetric(shape, queryText)
    : undefined;
  const folders = [...new Set(saved.map((q) => q.folder).filter(Boolean))];

  const openSaved = (q: SavedQuery): void => {
    setParams(
      {
        q: q.queryString,
        g: q.logGroups.join(','),
        saved: q.id,
        viz: undefined,
        metric: undefined,
        engine: q.engine || undefined,
      },
      false,
    );
    setResult(null);
  };
  const openHistory = (h: HistoryEntry): void => {
    setParams({ q: h.queryString, g: h.logGroups.join(','), r: rangeToParam(h.range), saved: undefined }, false);
    setResult(null);
  };

  const elapsed = running ? now - running.started : 0;
  const exportName = `query-${new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-')}`;

  return (
    <div className="query-page">
      <Sidebar
        saved={saved}
        history={history}
        onOpenSaved={openSaved}
        onOpenHistory={openHistory}
        onChanged={loadSide}
        onError={setError}
        utc={utc}
        activeSavedId={p.get('saved') ?? undefined}
      />
      <section className="query-main">
        <div className="toolbar">
          <LogGroupPicker
            groups={props.groups}
            value={logGroups}
            onChange={(g) => setParams({ g: g.join(',') })}
            error={props.groupsError}
          />
          <TimeRangePicker
            value={range}
            onChange={(r) => setParams({ r: rangeToParam(r) })}
            utc={utc}
            onUtcChange={(u) => setParams({ utc: u ? '1' : undefined })}
          />
          <EngineSelect value={engine} onChange={(e) => setParams({ engine: e || undefined })} />
        </div>
        <Editor
          value={draft}
          onChange={setDraft}
          onRun={() => void run()}
          language={props.language}
          fields={fields}
          logGroups={logGroups}
          engine={engine}
        />
        <div className="run-bar">
          {running ? (
            <button type="button" className="btn danger" onClick={() => void cancel()} data-testid="cancel-button">
              Cancel
            </button>
          ) : (
            <button
              type="button"
              className="btn primary"
              onClick={() => void run()}
              data-testid="run-button"
              title="Run (Ctrl/⌘-Enter)"
            >
              Run query
            </button>
          )}
          <span className="run-status" data-testid="run-status">
            {running ? (
              <>
                <span className="spinner" /> Running… {formatDuration(elapsed)}
              </>
            ) : result ? (
              <span className={`status-${result.status.toLowerCase()}`}>
                {result.status === 'Complete' ? 'Completed' : result.status} in {formatDuration(result.elapsedMs)}
              </span>
            ) : (
              <span className="muted">Ctrl/⌘-Enter runs the query</span>
            )}
          </span>
          <span className="spacer" />
          <label className="inline-select" title="Re-run the query automatically">
            <select
              value={refresh}
              onChange={(e) => setParams({ refresh: e.target.value === 'off' ? undefined : e.target.value })}
              data-testid="refresh-select"
              aria-label="Auto-refresh"
            >
              {Object.keys(REFRESH).map((k) => (
                <option key={k} value={k}>
                  {k === 'off' ? 'Auto-refresh: off' : `Auto-refresh: ${k}`}
                </option>
              ))}
            </select>
          </label>
          <button type="button" className="btn" onClick={() => setSaving(true)} data-testid="save-button">
            Save
          </button>
          <button
            type="button"
            className="btn"
            disabled={!result}
            onClick={() => setAdding(true)}
            data-testid="add-to-dashboard"
          >
            Add to dashboard
          </button>
          <div className="btn-group">
            <button
              type="button"
              className="btn"
              disabled={!result || result.rows.length === 0}
              data-testid="export-csv"
              onClick={() =>
                result &&
                download(
                  `${exportName}.csv`,
                  'text/csv',
                  toCsv(
                    result.columns.filter((c) => c !== '@ptr'),
                    result.rows,
                  ),
                )
              }
            >
              CSV
            </button>
            {result?.truncated && ran && (
              <a
                className="btn"
                href={exportUrl({ ...ran, startTime: result.startTime, endTime: result.endTime })}
                download
                data-testid="export-all"
                title="Every row, streamed by the server as CSV (the table shows only the first ones)"
              >
                All rows (CSV)
              </a>
            )}
            <button
              type="button"
              className="btn"
              disabled={!result || result.rows.length === 0}
              data-testid="export-json"
              onClick={() =>
                result && download(`${exportName}.json`, 'application/json', JSON.stringify(result.rows, null, 2))
              }
            >
              JSON
            </button>
          </div>
        </div>
        {error && (
          <div className="alert error" role="alert" data-testid="query-error">
            {error}
          </div>
        )}
        {result?.warnings.map((w, i) => (
          <div key={i} className="alert warning">
            {w.message}
          </div>
        ))}
        {result && (
          <div className="stats-line" data-testid="query-stats">
            <span>
              <b>{formatNumber(result.rows.length)}</b> rows{result.truncated ? ' (row limit reached)' : ''}
            </span>
            <span>
              <b>{formatNumber(result.statistics.recordsMatched)}</b> records matched
            </span>
            <span>
              <b>{formatNumber(result.statistics.recordsScanned)}</b> records scanned
            </span>
            <span>
              <b>{formatBytes(result.statistics.bytesScanned)}</b> scanned
            </span>
            <span>{formatDuration(result.elapsedMs)}</span>
          </div>
        )}
        <div className="results-panel">
          <div className="tabs">
            <button
              type="button"
              className={tab === 'logs' ? 'on' : ''}
              onClick={() => setParams({ tab: undefined })}
              data-testid="tab-logs"
            >
              Logs{result ? ` (${formatNumber(result.rows.length)})` : ''}
            </button>
            <button
              type="button"
              className={tab === 'viz' ? 'on' : ''}
              onClick={() => setParams({ tab: 'viz' })}
              data-testid="tab-viz"
            >
              Visualization
            </button>
          </div>
          {tab === 'logs' &&
            (result ? (
              <ResultsTable columns={result.columns} rows={result.rows} aggregated={result.aggregated} utc={utc} />
            ) : (
              <div className="empty">{running ? 'Waiting for the first results…' : 'Run a query to see results.'}</div>
            ))}
          {tab === 'viz' &&
            (!result ? (
              <div className="empty">Run a stats query to see a chart.</div>
            ) : !view ? (
              <div className="empty">
                No visualization for this query. Visualizations need a <code>stats</code> query, e.g.{' '}
                <code>stats sum(input.inputTokenCount) by bin(1h)</code>.
              </div>
            ) : (
              <div className="viz">
                <div className="viz-bar">
                  <div className="segmented" role="group" aria-label="Chart type">
                    {views.map((v) => (
                      <button
                        key={v}
                        type="button"
                        className={v === view ? 'on' : ''}
                        onClick={() => setParams({ viz: v })}
                        data-testid={`viz-${v}`}
                      >
                        {VIEW_LABEL[v]}
                      </button>
                    ))}
                  </div>
                  {shape && shape.numericColumns.length > 1 && (
                    <label className="inline-select">
                      Value
                      <select value={metric} onChange={(e) => setParams({ metric: e.target.value })}>
                        {shape.numericColumns.map((c) => (
                          <option key={c} value={c}>
                            {c}
                          </option>
                        ))}
                      </select>
                    </label>
                  )}
                </div>
                <Chart view={view} columns={result.columns} rows={result.rows} metric={metric} utc={utc} height={380} />
              </div>
            ))}
        </div>
      </section>
      {saving && (
        <SaveModal
          folders={folders}
          initialFolder={saved.find((q) => q.id === p.get('saved'))?.folder ?? ''}
          onClose={() => setSaving(false)}
          onSave={async (name, folder, description) => {
            const q = await api.saveQuery({
              name,
              folder,
              description,
              queryString: draft,
              logGroups,
              ...(engine ? { engine } : {}),
            });
            setSaving(false);
            setParams({ saved: q.id });
            setToast(`Saved "${q.name}"${q.folder ? ` in ${q.folder}` : ''}.`);
            setTimeout(() => setToast(''), 3000);
            loadSide();
          }}
        />
      )}
      {adding && result && (
        <AddToDashboardModal
          queryString={queryText}
          logGroups={logGroups}
          engine={engine}
          suggested={view ?? (result.aggregated ? 'table' : 'table')}
          onClose={() => setAdding(false)}
        />
      )}
      {toast && (
        <div className="toast" role="status">
          {toast}
        </div>
      )}
    </div>
  );
}

function SaveModal(props: {
  folders: string[];
  initialFolder: string;
  onClose: () => void;
  onSave: (name: string, folder: string, description: string) => Promise<void>;
}) {
  const [err, setErr] = useState('');
  return (
    <Modal title="Save query" onClose={props.onClose} testId="save-modal">
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          const f = new FormData(e.currentTarget);
          const name = formText(f, 'name').trim();
          if (!name) return setErr('Give the query a name.');
          try {
            await props.onSave(name, formText(f, 'folder').trim(), formText(f, 'description').trim());
          } catch (x) {
            setErr((x as Error).message);
          }
        }}
      >
        <label className="field">
          Name
          <input name="name" autoFocus data-testid="save-name" />
        </label>
        <label className="field">
          Folder
          <input
            name="folder"
            list="folders"
            defaultValue={props.initialFolder}
            placeholder="(none)"
            data-testid="save-folder"
          />
        </label>
        <datalist id="folders">
          {props.folders.map((f) => (
            <option key={f} value={f} />
          ))}
        </datalist>
        <label className="field">
          Description
          <input name="description" placeholder="What this query is for" />
        </label>
        <p className="muted small">Saved on the server: everyone using this server sees it.</p>
        {err && <div className="error-text">{err}</div>}
        <div className="row end">
          <button type="button" className="btn" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" className="btn primary" data-testid="save-confirm">
            Save
          </button>
        </div>
      </form>
    </Modal>
  );
}

const WIDGET_VIEWS: { v: WidgetView; label: string }[] = [
  { v: 'line', label: 'Line' },
  { v: 'stackedArea', label: 'Stacked area' },
  { v: 'bar', label: 'Bar' },
  { v: 'pie', label: 'Pie' },
  { v: 'table', label: 'Table' },
  { v: 'number', label: 'Single number' },
];

function AddToDashboardModal(props: {
  queryString: string;
  logGroups: string[];
  engine: string;
  suggested: WidgetView;
  onClose: () => void;
}) {
  const [dashboards, setDashboards] = useState<Dashboard[] | null>(null);
  const [err, setErr] = useState('');
  useEffect(() => {
    api.dashboards().then(setDashboards, (e: Error) => setErr(e.message));
  }, []);
  return (
    <Modal title="Add to dashboard" onClose={props.onClose} testId="add-widget-modal">
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          const f = new FormData(e.currentTarget);
          const target = formText(f, 'dashboard');
          const widget = {
            id: `w${Date.now().toString(36)}`,
            title: formText(f, 'title').trim() || 'Query result',
            queryString: props.queryString,
            logGroups: props.logGroups,
            view: formText(f, 'view') as WidgetView,
            width: Number(f.get('width')),
            height: 7,
            ...(props.engine ? { engine: props.engine } : {}),
          };
          try {
            let d: Dashboard;
            if (target === '__new') {
              const name = formText(f, 'newName').trim();
              if (!name) return setErr('Name the new dashboard.');
              d = await api.createDashboard({
                name,
                range: { kind: 'relative', value: '1d' },
                refresh: 'off',
                totals: false,
                widgets: [widget],
              });
            } else {
              const cur = dashboards!.find((x) => x.id === target)!;
              d = await api.updateDashboard(cur.id, { widgets: [...cur.widgets, widget] });
            }
            navigate(`/dashboards/${encodeURIComponent(d.id)}`);
          } catch (x) {
            setErr((x as Error).message);
          }
        }}
      >
        <label className="field">
          Dashboard
          {/* Choosable only once the list is there: a choice made earlier would be reset when it arrives. */}
          {dashboards ? (
            <select name="dashboard" defaultValue={dashboards[0]?.id ?? '__new'}>
              {dashboards.map((d) => (
                <option key={d.id} value={d.id}>
                  {d.name}
                </option>
              ))}
              <option value="__new">New dashboard…</option>
            </select>
          ) : (
            <select name="dashboard" disabled>
              <option>Loading dashboards…</option>
            </select>
          )}
        </label>
        <label className="field">
          New dashboard name (for a new one)
          <input name="newName" placeholder="My dashboard" />
        </label>
        <label className="field">
          Widget title
          <input name="title" autoFocus placeholder="Query result" />
        </label>
        <div className="row">
          <label className="field">
            Visualization
            <select name="view" defaultValue={props.suggested}>
              {WIDGET_VIEWS.map((w) => (
                <option key={w.v} value={w.v}>
                  {w.label}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            Width
            <select name="width" defaultValue="12">
              <option value="6">Quarter</option>
              <option value="8">Third</option>
              <option value="12">Half</option>
              <option value="24">Full</option>
            </select>
          </label>
        </div>
        {err && <div className="error-text">{err}</div>}
        <div className="row end">
          <button type="button" className="btn" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" className="btn primary" disabled={!dashboards}>
            Add widget
          </button>
        </div>
      </form>
    </Modal>
  );
}
