import { useCallback, useEffect, useMemo, useState } from 'react';
import { api, runToEnd, type Dashboard, type LogGroupExtent, type Refresh, type Widget } from '../api';
import {
  previousPeriod,
  rangeFromParam,
  rangeToParam,
  relativeLabel,
  resolveRange,
  type RangeSpec,
} from '../../../src/contracts/range';
import type { PeriodCoverage } from '../../../src/contracts/wire';
import { compare, periodCoverage, type DataExtent } from '../../../src/contracts/coverage-rules';
import { changeText } from '../../../src/contracts/kpi-text';
import { TimeRangePicker } from '../components/TimeRangePicker';
import { Modal, PromptModal } from '../components/Modal';
import { DashboardWidget } from './Widget';
import { operationsWidgets } from '../../../src/contracts/ops-widgets';
import { compactNumber, formatNumber, formText } from '../format';
import { navigate, useLocation, useParamSetter } from '../url';

const REFRESH: Record<Refresh, number> = {
  off: 0,
  '10s': 10_000,
  '30s': 30_000,
  '1m': 60_000,
  '5m': 300_000,
  '15m': 900_000,
};
/** The operations widgets, offered to every dashboard while its layout is edited. */
const BUILTIN_WIDGETS = operationsWidgets();
const TOTALS_QUERY =
  'stats count(*) as requests, sum(input.inputTokenCount) as inputTokens, sum(output.outputTokenCount) as outputTokens';

interface Totals {
  requests: number;
  inputTokens: number;
  outputTokens: number;
}

function readTotals(rows: Record<string, string>[]): Totals {
  const r = rows[0] ?? {};
  return {
    requests: Number(r.requests ?? 0) || 0,
    inputTokens: Number(r.inputTokens ?? 0) || 0,
    outputTokens: Number(r.outputTokens ?? 0) || 0,
  };
}

/** The data's extent (all time): a previous period the data only partly covers gets no "▲ 1039%". */
function readExtent(x: LogGroupExtent): DataExtent | null {
  return x.first !== null && x.last !== null ? { first: x.first, last: x.last } : null;
}

/**
 * Requests, input and output tokens for the range, with the change against the previous period
 * (the Cost page's rules: no ratio against a period without data, or one the data only partly covers).
 */
function TotalsHeader(props: { logGroups: string[]; start: number; end: number; tick: number }) {
  const [cur, setCur] = useState<Totals | null>(null);
  const [prev, setPrev] = useState<Totals | null>(null);
  const [coverage, setCoverage] = useState<{ current: PeriodCoverage; previous: PeriodCoverage } | null>(null);
  const [err, setErr] = useState('');
  useEffect(() => {
    const ctrl = new AbortController();
    const p = previousPeriod({ start: props.start, end: props.end });
    const q = (queryString: string, start: number, end: number) =>
      runToEnd(
        {
          queryString,
          logGroups: props.logGroups,
          startTime: start,
          endTime: end,
          history: false,
          waitMs: 20_000,
        },
        () => undefined,
        ctrl.signal,
      );
    Promise.all([
      q(TOTALS_QUERY, props.start, props.end),
      q(TOTALS_QUERY, p.start, p.end),
      api.extent(props.logGroups, ctrl.signal),
    ])
      .then(([a, b, x]) => {
        const failed = a.error ?? b.error;
        if (failed) throw new Error(failed.message);
        const c = readTotals(a.rows);
        const pv = readTotals(b.rows);
        const extent = readExtent(x);
        setCur(c);
        setPrev(pv);
        setCoverage({
          current: periodCoverage({ start: props.start, end: props.end + 1 }, extent, c.requests),
          previous: periodCoverage({ start: p.start, end: p.end + 1 }, extent, pv.requests),
        });
        setErr('');
      })
      .catch((e: Error) => {
        if (e.name !== 'AbortError') setErr(e.message);
      });
    return () => ctrl.abort();
  }, [props.start, props.end, props.tick, props.logGroups.join(',')]);

  const card = (label: string, key: keyof Totals) => {
    const v = cur?.[key];
    const pv = prev?.[key];
    let change: JSX_Change = null;
    if (v !== undefined && pv !== undefined && coverage) {
      const c = compare(v, pv, coverage.previous, coverage.current);
      const t = changeText(c, compactNumber, (x) => `${(x * 100).toFixed(1)}%`);
      change = { text: t.text, cls: t.cls, basis: c.basis };
    }
    return (
      <div className="total-card" data-testid={`total-${key}`}>
        <div className="total-label">{label}</div>
        <div className="total-value" title={v !== undefined ? formatNumber(v) : ''}>
          {v !== undefined ? compactNumber(v) : '—'}
        </div>
        <div className={`total-change ${change?.cls ?? ''}`} data-basis={change?.basis}>
          {change ? (
            change.basis === 'full' ? (
              <>
                {change.text.replace(/ vs .*$/, '')}{' '}
                <span className="muted">vs previous period ({pv !== undefined ? compactNumber(pv) : '—'})</span>
              </>
            ) : (
              <span className="muted">{change.text}</span>
            )
          ) : (
            <span className="muted">&nbsp;</span>
          )}
        </div>
      </div>
    );
  };
  return (
    <div className="totals" data-testid="totals">
      {err ? (
        <div className="widget-error wide" role="alert">
          <b>The totals could not be computed.</b>
          <span>{err}</span>
        </div>
      ) : (
        <>
          {card('Requests', 'requests')}
          {card('Input tokens', 'inputTokens')}
          {card('Output tokens', 'outputTokens')}
        </>
      )}
    </div>
  );
}
type JSX_Change = { text: string; cls: string; basis: string } | null;

/** The dashboard's view state in the URL: the range and auto-refresh shown, which saving makes its defaults. */
function useDashboardView(d: Dashboard | null) {
  const loc = useLocation();
  const setParams = useParamSetter();
  const r = loc.params.get('r');
  const refreshParam = loc.params.get('refresh');
  const range: RangeSpec | null = d ? rangeFromParam(r, d.range) : null;
  const refresh: Refresh =
    refreshParam !== null && refreshParam in REFRESH ? (refreshParam as Refresh) : (d?.refresh ?? 'off');
  return {
    range,
    refresh,
    /** The view differs from what the dashboard has saved. */
    changed: Boolean(
      d && ((r !== null && r !== rangeToParam(d.range)) || (refreshParam !== null && refreshParam !== d.refresh)),
    ),
    setRange: (x: RangeSpec) => setParams({ r: rangeToParam(x) }, false),
    setRefresh: (x: Refresh) => setParams({ refresh: x }, false),
    /** Back to the saved view (the parameters leave the URL). */
    reset: () => setParams({ r: undefined, refresh: undefined }, false),
  };
}

function DashboardView({ id, utc }: { id: string; utc: boolean }) {
  const setParams = useParamSetter();
  const [loaded, setLoaded] = useState<{ id: string; d: Dashboard } | null>(null);
  const [err, setErr] = useState('');
  const [tick, setTick] = useState(0);
  const [anchor, setAnchor] = useState(() => Date.now());
  // Layout edits are a draft until "Save" (nothing changes for other viewers before that).
  const [draft, setDraft] = useState<Widget[] | null>(null);
  const [renaming, setRenaming] = useState(false);
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    api.dashboard(id).then(
      (d) => setLoaded({ id, d }),
      (e: Error) => setErr(e.message),
    );
  }, [id]);
  const d = loaded && loaded.id === id ? loaded.d : null;
  const view = useDashboardView(d);

  // One "now" for every widget of a refresh, so they agree on the range.
  const rangeKey = view.range ? rangeToParam(view.range) : '';
  const bounds = useMemo(
    () => (rangeKey ? resolveRange(rangeFromParam(rangeKey), anchor) : { start: 0, end: 0 }),
    [rangeKey, anchor],
  );
  const refreshAll = useCallback(() => {
    setAnchor(Date.now());
    setTick((t) => t + 1);
  }, []);
  useEffect(() => {
    const ms = REFRESH[view.refresh];
    if (!ms) return;
    const t = setInterval(refreshAll, ms);
    return () => clearInterval(t);
  }, [view.refresh, refreshAll]);

  /** An explicit save: the draft layout, the name, and the view's range and refresh as the defaults. */
  const save = async (patch: Partial<Dashboard> = {}): Promise<void> => {
    if (!d || !view.range) return;
    setSaving(true);
    try {
      const next = await api.updateDashboard(d.id, {
        range: view.range,
        refresh: view.refresh,
        ...(draft ? { widgets: draft } : {}),
        ...patch,
      });
      setLoaded({ id, d: next });
      setDraft(null);
      view.reset();
      setErr('');
    } catch (e) {
      setErr((e as Error).message);
    } finally {
      setSaving(false);
    }
  };

  if (err && !d)
    return (
      <div className="page-error" role="alert">
        {err}
      </div>
    );
  if (!d || !view.range)
    return (
      <div className="empty">
        <span className="spinner" /> Loading dashboard…
      </div>
    );
  const widgets = draft ?? d.widgets;
  const editing = draft !== null;
  const unsaved = editing || view.changed;
  const groups = [...new Set(widgets.flatMap((w) => w.logGroups))];

  const exportJson = async (): Promise<void> => {
    const body = await api.exportDashboard(d.id);
    const url = URL.createObjectURL(new Blob([JSON.stringify(body, null, 2)], { type: 'application/json' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `${d.name.replace(/[^\w-]+/g, '_')}.cloudwatch.json`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };

  return (
    <div className="dashboard" data-testid="dashboard">
      <div className="dash-head">
        <h1>{d.name}</h1>
        <span className="spacer" />
        <TimeRangePicker
          value={view.range}
          onChange={(r: RangeSpec) => {
            setAnchor(Date.now());
            view.setRange(r);
          }}
          utc={utc}
          onUtcChange={(u) => setParams({ utc: u ? '1' : undefined })}
        />
      </div>
      <div className="dash-bar">
        <button type="button" className="btn" onClick={refreshAll} data-testid="dash-refresh">
          ↻ Refresh
        </button>
        <label className="inline-select">
          <select
            value={view.refresh}
            onChange={(e) => view.setRefresh(e.target.value as Refresh)}
            aria-label="Auto-refresh"
            data-testid="dash-autorefresh"
          >
            {(Object.keys(REFRESH) as Refresh[]).map((k) => (
              <option key={k} value={k}>
                {k === 'off' ? 'Auto-refresh: off' : `Auto-refresh: ${k}`}
              </option>
            ))}
          </select>
        </label>
        {unsaved && (
          <span className="unsaved" data-testid="dash-unsaved">
            {editing ? 'Layout changed' : 'Range differs from the saved one'}: not saved
            <button
              type="button"
              className="btn primary"
              disabled={saving}
              onClick={() => void save()}
              data-testid="dash-save"
            >
              Save dashboard
            </button>
            <button
              type="button"
              className="btn"
              onClick={() => {
                setDraft(null);
                view.reset();
              }}
              data-testid="dash-discard"
            >
              {editing ? 'Discard' : 'Back to saved'}
            </button>
          </span>
        )}
        <span className="spacer" />
        {editing && (
          <label className="inline-select">
            <select
              value=""
              aria-label="Add a built-in widget"
              data-testid="add-builtin-widget"
              onChange={(e) => {
                const w = BUILTIN_WIDGETS.find((x) => x.id === e.target.value);
                // A fresh id: the same built-in widget may be on a dashboard twice.
                if (w) setDraft([...widgets, { ...w, id: `${w.id}-${Date.now().toString(36)}` }]);
              }}
            >
              <option value="">Add a built-in widget…</option>
              {BUILTIN_WIDGETS.map((w) => (
                <option key={w.id} value={w.id}>
                  {w.title}
                </option>
              ))}
            </select>
          </label>
        )}
        <button
          type="button"
          className={`btn${editing ? ' primary' : ''}`}
          onClick={() => setDraft(editing ? null : d.widgets)}
          data-testid="edit-layout"
          title={editing ? 'Leave the layout as saved' : 'Rearrange and resize widgets, then Save'}
        >
          {editing ? 'Cancel editing' : 'Edit layout'}
        </button>
        <button type="button" className="btn" onClick={() => setRenaming(true)}>
          Rename
        </button>
        <button type="button" className="btn" onClick={() => void exportJson()} data-testid="export-dashboard">
          Export CloudWatch JSON
        </button>
        {!d.builtin && (
          <button
            type="button"
            className="btn danger-outline"
            onClick={async () => {
              if (!window.confirm(`Delete the dashboard "${d.name}"?`)) return;
              await api.deleteDashboard(d.id);
              navigate('/dashboards');
            }}
          >
            Delete
          </button>
        )}
      </div>
      {err && (
        <div className="alert error" role="alert">
          {err}
        </div>
      )}
      {d.totals && <TotalsHeader logGroups={groups} start={bounds.start} end={bounds.end} tick={tick} />}
      {widgets.length === 0 && (
        <div className="empty">
          This dashboard has no widgets yet. Run a query in Logs Insights and choose “Add to dashboard”.
        </div>
      )}
      <div className="widget-grid">
        {widgets.map((w, i) => (
          <DashboardWidget
            key={w.id}
            widget={w}
            start={bounds.start}
            end={bounds.end}
            tick={tick}
            utc={utc}
            rangeParam={rangeKey}
            editing={editing}
            onChange={(nw) => setDraft(widgets.map((x) => (x.id === w.id ? nw : x)))}
            onRemove={() => setDraft(widgets.filter((x) => x.id !== w.id))}
            onMove={(delta) => {
              const j = i + delta;
              if (j < 0 || j >= widgets.length) return;
              const ws = [...widgets];
              [ws[i], ws[j]] = [ws[j], ws[i]];
              setDraft(ws);
            }}
          />
        ))}
      </div>
      {renaming && (
        <PromptModal
          title="Rename dashboard"
          label="Name"
          initial={d.name}
          confirm="Rename"
          onClose={() => setRenaming(false)}
          onSubmit={async (v) => {
            setRenaming(false);
            // Renaming saves the name only: the view and a layout draft stay as they are.
            try {
              const next = await api.updateDashboard(d.id, { name: v });
              setLoaded({ id, d: next });
            } catch (e) {
              setErr((e as Error).message);
            }
          }}
        />
      )}
    </div>
  );
}

function DashboardList() {
  const [list, setList] = useState<Dashboard[] | null>(null);
  const [err, setErr] = useState('');
  const [creating, setCreating] = useState(false);
  const [importing, setImporting] = useState(false);
  useEffect(() => {
    api.dashboards().then(setList, (e: Error) => setErr(e.message));
  }, []);
  return (
    <div className="dashboard-list">
      <div className="dash-head">
        <h1>Dashboards</h1>
        <span className="spacer" />
        <button type="button" className="btn" onClick={() => setImporting(true)} data-testid="import-dashboard">
          Import CloudWatch JSON
        </button>
        <button type="button" className="btn primary" onClick={() => setCreating(true)}>
          New dashboard
        </button>
      </div>
      {err && (
        <div className="alert error" role="alert">
          {err}
        </div>
      )}
      {!list && !err && (
        <div className="empty">
          <span className="spinner" /> Loading…
        </div>
      )}
      <div className="cards">
        {list?.map((d) => (
          <a
            key={d.id}
            className="card"
            href={`/dashboards/${encodeURIComponent(d.id)}`}
            onClick={(e) => {
              e.preventDefault();
              navigate(`/dashboards/${encodeURIComponent(d.id)}`);
            }}
            data-testid="dashboard-card"
          >
            <div className="card-title">
              {d.name}
              {d.builtin && <span className="badge">default</span>}
            </div>
            <div className="muted">
              {d.widgets.length} widgets ·{' '}
              {d.range.kind === 'relative' ? relativeLabel(d.range.value).toLowerCase() : 'fixed range'}
            </div>
            <div className="card-widgets">
              {d.widgets.slice(0, 4).map((w) => (
                <span key={w.id}>{w.title}</span>
              ))}
            </div>
          </a>
        ))}
      </div>
      {creating && (
        <PromptModal
          title="New dashboard"
          label="Name"
          initial=""
          confirm="Create"
          onClose={() => setCreating(false)}
          onSubmit={async (name) => {
            const d = await api.createDashboard({
              name,
              range: { kind: 'relative', value: '1d' },
              refresh: 'off',
              totals: true,
              widgets: [],
            });
            navigate(`/dashboards/${encodeURIComponent(d.id)}`);
          }}
        />
      )}
      {importing && <ImportModal onClose={() => setImporting(false)} />}
    </div>
  );
}

function ImportModal(props: { onClose: () => void }) {
  const [err, setErr] = useState('');
  const [skipped, setSkipped] = useState<string[]>([]);
  return (
    <Modal title="Import a CloudWatch dashboard" onClose={props.onClose}>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          const f = new FormData(e.currentTarget);
          try {
            const r = await api.importDashboard(formText(f, 'name').trim(), formText(f, 'body'));
            if (r.skipped.length) setSkipped(r.skipped);
            else navigate(`/dashboards/${encodeURIComponent(r.dashboard.id)}`);
          } catch (x) {
            setErr((x as Error).message);
          }
        }}
      >
        <label className="field">
          Name
          <input name="name" autoFocus required />
        </label>
        <label className="field">
          Dashboard body (JSON, as in <code>aws cloudwatch get-dashboard</code>)
          <textarea
            name="body"
            rows={10}
            spellCheck={false}
            placeholder='{"widgets":[{"type":"log","properties":{"query":"SOURCE &apos;/aws/bedrock/modelinvocations&apos; | stats count(*) by bin(1h)","view":"timeSeries"}}]}'
          />
        </label>
        <label className="field">
          …or a file
          <input
            type="file"
            accept="application/json,.json"
            onChange={async (e) => {
              const file = e.target.files?.[0];
              if (file)
                (e.currentTarget.form!.elements.namedItem('body') as HTMLTextAreaElement).value = await file.text();
            }}
          />
        </label>
        {err && <div className="error-text">{err}</div>}
        {skipped.length > 0 && (
          <div className="alert warning">
            Imported; these widgets were skipped: {skipped.join('; ')}. <a href="/dashboards">Open the list</a>
          </div>
        )}
        <div className="row end">
          <button type="button" className="btn" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" className="btn primary">
            Import
          </button>
        </div>
      </form>
    </Modal>
  );
}

/** The list of dashboards, or one dashboard (`id`, from the route /dashboards/:id). */
export function DashboardsPage(props: { id?: string }) {
  const loc = useLocation();
  const utc = loc.params.get('utc') === '1';
  if (props.id !== undefined) return <DashboardView id={props.id} utc={utc} />;
  return <DashboardList />;
}
