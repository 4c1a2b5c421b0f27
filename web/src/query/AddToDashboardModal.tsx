import { useEffect, useState } from 'react';
import { api, type Dashboard, type WidgetView } from '../api';
import { Modal } from '../components/Modal';
import { formText } from '../format';
import { navigate } from '../url';

const WIDGET_VIEWS: { v: WidgetView; label: string }[] = [
  { v: 'line', label: 'Line' },
  { v: 'stackedArea', label: 'Stacked area' },
  { v: 'bar', label: 'Bar' },
  { v: 'pie', label: 'Pie' },
  { v: 'table', label: 'Table' },
  { v: 'number', label: 'Single number' },
];

function isWidgetView(v: string): v is WidgetView {
  return WIDGET_VIEWS.some((w) => w.v === v);
}

/** The dashboard to add to; choosable only once the list is there (a choice made earlier would be reset when it arrives). */
function DashboardChoice({ dashboards }: { dashboards: Dashboard[] | null }) {
  return (
    <label className="field">
      Dashboard
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
  );
}

/** Put the query on a dashboard (a new one or an existing one): an explicit save of that dashboard. */
export function AddToDashboardModal(props: {
  queryString: string;
  logGroups: string[];
  /** The engine the query runs on ('' the store's): the widget keeps it. */
  engine: string;
  suggested: WidgetView;
  onClose: () => void;
}) {
  const [dashboards, setDashboards] = useState<Dashboard[] | null>(null);
  const [err, setErr] = useState('');
  useEffect(() => {
    api.dashboards().then(setDashboards, (e: Error) => setErr(e.message));
  }, []);
  const submit = async (f: FormData): Promise<void> => {
    const target = formText(f, 'dashboard');
    const view = formText(f, 'view');
    const widget = {
      id: `w${Date.now().toString(36)}`,
      title: formText(f, 'title').trim() || 'Query result',
      queryString: props.queryString,
      logGroups: props.logGroups,
      view: isWidgetView(view) ? view : 'table',
      width: Number(f.get('width')),
      height: 7,
      ...(props.engine ? { engine: props.engine } : {}),
    };
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
      const cur = dashboards?.find((x) => x.id === target);
      if (!cur) return setErr('Choose a dashboard.');
      d = await api.updateDashboard(cur.id, { widgets: [...cur.widgets, widget] });
    }
    navigate(`/dashboards/${encodeURIComponent(d.id)}`);
  };
  return (
    <Modal title="Add to dashboard" onClose={props.onClose} testId="add-widget-modal">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          submit(new FormData(e.currentTarget)).catch((x: Error) => setErr(x.message));
        }}
      >
        <DashboardChoice dashboards={dashboards} />
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
