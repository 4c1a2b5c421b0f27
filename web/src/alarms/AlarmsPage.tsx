import { useCallback, useEffect, useMemo, useState } from 'react';
import { api, errorText, type ApiError } from '../api';
import type {
  AlarmDetail,
  AlarmState,
  AlarmSummary,
  AlarmSeriesChart as SeriesChart,
} from '../../../src/contracts/wire';
import { Modal } from '../components/Modal';
import { formatNumber } from '../format';
import { navigate, useLocation, useParamSetter } from '../url';
import { AlarmForm } from './AlarmForm';
import { WatchedValueChart } from './WatchedValueChart';
import './alarms.css';

const RANGES: Record<string, number> = { '1d': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000 };
const iso = (t: number | null): string =>
  t === null
    ? '-'
    : new Date(t)
        .toISOString()
        .replace('T', ' ')
        .replace(/:\d\d\.\d{3}Z$/, ' UTC');
const labelText = (l: Record<string, string>): string =>
  Object.entries(l)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ') || '(all)';
const num = (v: number | null): string => (v === null ? '-' : formatNumber(Math.round(v * 100) / 100));

function StateBadge(props: { state: AlarmState }) {
  return (
    <span className={`alarm-state alarm-state-${props.state.toLowerCase()}`} data-testid="alarm-state">
      {props.state === 'INSUFFICIENT_DATA' ? 'Insufficient data' : props.state}
    </span>
  );
}

function AlarmDetailView(props: { name: string; range: string; series?: string; onChanged: () => void }) {
  const setParams = useParamSetter();
  const [detail, setDetail] = useState<AlarmDetail | null>(null);
  const [chart, setChart] = useState<SeriesChart | null>(null);
  const [error, setError] = useState('');
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [recipient, setRecipient] = useState('');
  const [confirmDelete, setConfirmDelete] = useState(false);
  const load = useCallback(() => {
    setError('');
    api.alarms.get(props.name).then(setDetail, (e: Error) => setError(e.message));
    const until = Date.now();
    api.alarms
      .series(props.name, until - (RANGES[props.range] ?? RANGES['7d']), until)
      .then(setChart, (e: Error) => setError(e.message));
  }, [props.name, props.range]);
  useEffect(load, [load]);

  const seriesKeys = useMemo(() => {
    const keys = new Set<string>([
      ...(detail?.states ?? []).filter((s) => s.state === 'ALARM').map((s) => s.series),
      ...Object.keys(chart?.values ?? {}),
    ]);
    return [...keys];
  }, [detail, chart]);
  const shown = props.series !== undefined && seriesKeys.includes(props.series) ? props.series : seriesKeys[0];

  const act = async (what: string, fn: () => Promise<string>): Promise<void> => {
    setBusy(true);
    setNote('');
    try {
      setNote(await fn());
      load();
      props.onChanged();
    } catch (e) {
      setNote(`${what} failed: ${(e as Error).message}`);
    } finally {
      setBusy(false);
    }
  };

  if (error)
    return (
      <div className="alarm-error" role="alert">
        {error}
      </div>
    );
  if (!detail)
    return (
      <div className="empty">
        <span className="spinner" /> Loading…
      </div>
    );
  const d = detail.definition;
  const overall: AlarmState = detail.states.some((s) => s.state === 'ALARM')
    ? 'ALARM'
    : detail.states.length && detail.states.every((s) => s.state === 'OK')
      ? 'OK'
      : 'INSUFFICIENT_DATA';
  return (
    <div className="alarm-detail" data-testid="alarm-detail">
      <div className="alarm-head">
        <h2>{d.name}</h2>
        <StateBadge state={overall} />
        {!detail.enabled && <span className="alarm-tag">inactive</span>}
        <span className="spacer" />
        <button
          type="button"
          className="btn"
          onClick={() => navigate('/alarms', { name: d.name, edit: '1' })}
          data-testid="alarm-edit"
        >
          Edit
        </button>
        <button
          type="button"
          className="btn danger-outline"
          disabled={busy}
          onClick={() => setConfirmDelete(true)}
          data-testid="alarm-delete"
        >
          Delete
        </button>
        <button
          type="button"
          className="btn"
          disabled={busy}
          onClick={() =>
            void act('Evaluation', async () => {
              await api.alarms.evaluate();
              return 'Evaluated.';
            })
          }
          data-testid="alarm-evaluate"
        >
          Evaluate now
        </button>
        <button
          type="button"
          className="btn"
          disabled={busy || d.targets.length === 0}
          onClick={() =>
            void act('Test notification', async () => {
              const r = await api.alarms.testNotify(d.name);
              return r.deliveries
                .map((x) => `${x.ok ? 'Sent to' : 'Failed:'} ${x.target}${x.error ? ` (${x.error})` : ''}`)
                .join('; ');
            })
          }
          data-testid="alarm-test-notify"
        >
          Send test notification
        </button>
        {detail.enabled ? (
          <button
            type="button"
            className="btn"
            disabled={busy}
            onClick={() =>
              void act('Disable', async () => {
                await api.alarms.disable(d.name);
                return 'Disabled.';
              })
            }
            data-testid="alarm-disable"
          >
            Disable
          </button>
        ) : (
          <span className="alarm-enable">
            <input
              placeholder="team@example.com or webhook URL"
              value={recipient}
              onChange={(e) => setRecipient(e.target.value)}
              aria-label="Recipient"
            />
            <button
              type="button"
              className="btn primary"
              disabled={busy || (d.targets.length === 0 && !recipient.trim())}
              onClick={() =>
                void act('Enable', async () => {
                  const r = await api.alarms.enable(d.name, recipient.trim() ? [recipient.trim()] : []);
                  setRecipient('');
                  return `Enabled; notifies ${r.targets.join(', ')}.`;
                })
              }
              data-testid="alarm-enable"
            >
              Enable
            </button>
          </span>
        )}
      </div>
      {confirmDelete && (
        <Modal
          title={`Delete ${d.name}?`}
          onClose={() => setConfirmDelete(false)}
          testId="alarm-delete-confirm"
          footer={
            <>
              <button type="button" className="btn" onClick={() => setConfirmDelete(false)}>
                Cancel
              </button>
              <button
                type="button"
                className="btn danger"
                data-testid="alarm-delete-yes"
                onClick={() => {
                  setConfirmDelete(false);
                  void api.alarms.remove(d.name).then(
                    () => {
                      props.onChanged();
                      navigate('/alarms');
                    },
                    (e: ApiError) => setNote(`Delete failed: ${errorText(e)}`),
                  );
                }}
              >
                Delete
              </button>
            </>
          }
        >
          <p>
            The alarm, its current state and its history are deleted. Notifications already sent are not recalled.
            {detail.builtin ? ' It is built in: it does not come back.' : ''}
          </p>
        </Modal>
      )}
      {d.description && <p className="alarm-desc">{d.description}</p>}
      <p className="alarm-rule">
        {d.kind} alarm · {d.comparisonOperator}
        {d.threshold !== undefined ? ` ${formatNumber(d.threshold)}` : ''} · period{' '}
        {d.period >= 3600 ? `${d.period / 3600} h` : `${d.period / 60} min`} ·{' '}
        {d.datapointsToAlarm ?? d.evaluationPeriods} of {d.evaluationPeriods} · missing data: {d.treatMissingData} ·
        notifies {d.targets.join(', ') || 'nobody'}
      </p>
      {note && (
        <div className="alarm-note" role="status">
          {note}
        </div>
      )}

      <section className="alarm-section">
        <div className="alarm-section-head">
          <h3>Watched value</h3>
          {seriesKeys.length > 1 && (
            <select
              value={shown}
              onChange={(e) => setParams({ series: e.target.value })}
              aria-label="Series"
              data-testid="alarm-series"
            >
              {seriesKeys.map((k) => (
                <option key={k} value={k}>
                  {k || '(all)'}
                </option>
              ))}
            </select>
          )}
          <div className="btn-group">
            {Object.keys(RANGES).map((r) => (
              <button
                key={r}
                type="button"
                className={`btn ${r === props.range ? 'on' : ''}`}
                onClick={() => setParams({ range: r })}
              >
                {r}
              </button>
            ))}
          </div>
        </div>
        {!chart ? (
          <div className="empty">
            <span className="spinner" /> Computing…
          </div>
        ) : shown === undefined ? (
          <div className="empty">No data in this range.</div>
        ) : (
          <WatchedValueChart chart={chart} series={shown} />
        )}
      </section>

      <section className="alarm-section">
        <h3>Current state</h3>
        <table className="alarm-table" data-testid="alarm-states">
          <thead>
            <tr>
              <th>Series</th>
              <th>State</th>
              <th>Value</th>
              <th>Since</th>
              <th>Reason</th>
            </tr>
          </thead>
          <tbody>
            {detail.states.length === 0 && (
              <tr>
                <td colSpan={5} className="muted">
                  Not evaluated yet.
                </td>
              </tr>
            )}
            {detail.states.map((s) => (
              <tr key={s.series}>
                <td>{labelText(s.labels)}</td>
                <td>
                  <StateBadge state={s.state} />
                </td>
                <td className="num">{num(s.value)}</td>
                <td>{iso(s.stateTs)}</td>
                <td>{s.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section className="alarm-section">
        <h3>History</h3>
        <table className="alarm-table" data-testid="alarm-history">
          <thead>
            <tr>
              <th>Time</th>
              <th>Series</th>
              <th>Change</th>
              <th>Value</th>
              <th>Threshold</th>
              <th>Reason</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {detail.history.length === 0 && (
              <tr>
                <td colSpan={7} className="muted">
                  No state changes yet.
                </td>
              </tr>
            )}
            {detail.history.map((h) => (
              <tr key={h.id}>
                <td>{iso(h.ts)}</td>
                <td>{labelText(h.labels)}</td>
                <td>
                  {h.oldState} → <StateBadge state={h.newState} />
                </td>
                <td className="num">{num(h.value)}</td>
                <td className="num">{num(h.threshold)}</td>
                <td>
                  {h.reason}
                  {h.explanation?.drivers?.length ? (
                    <div className="alarm-drivers">
                      {h.explanation.drivers
                        .map(
                          (dr) =>
                            `${dr.dimension}: ${dr.items.map((i) => `${i.value} ${formatNumber(Math.round(i.current))} (was ${formatNumber(Math.round(i.previous))})`).join(', ')}`,
                        )
                        .join(' · ')}
                    </div>
                  ) : null}
                </td>
                <td>
                  {h.explanation?.consoleUrl ? (
                    <a
                      href={`/query${new URL(h.explanation.consoleUrl).search}`}
                      onClick={(e) => {
                        e.preventDefault();
                        const u = new URL(h.explanation!.consoleUrl!);
                        navigate('/query', Object.fromEntries(u.searchParams.entries()));
                      }}
                    >
                      Query
                    </a>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section className="alarm-section">
        <h3>Last notifications</h3>
        <table className="alarm-table" data-testid="alarm-notifications">
          <thead>
            <tr>
              <th>Time</th>
              <th>Kind</th>
              <th>Series</th>
              <th>Target</th>
              <th>Status</th>
              <th>Attempts</th>
              <th>Error</th>
            </tr>
          </thead>
          <tbody>
            {detail.notifications.length === 0 && (
              <tr>
                <td colSpan={7} className="muted">
                  None sent.
                </td>
              </tr>
            )}
            {detail.notifications.map((n) => (
              <tr key={n.id}>
                <td>{iso(n.created)}</td>
                <td>
                  {n.kind}
                  {n.state ? ` (${n.state})` : ''}
                </td>
                <td>{n.series || '(all)'}</td>
                <td>{n.target}</td>
                <td className={`alarm-delivery-${n.status}`}>{n.status}</td>
                <td className="num">{n.attempts}</td>
                <td>{n.error ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}

/** The form on a stored alarm's definition (as the API sends it: secrets redacted, kept by the server on save). */
function AlarmEditor(props: { name: string; onSaved: () => void }) {
  const [def, setDef] = useState<Record<string, unknown> | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    api.alarms.get(props.name).then(
      (d) => setDef(d.definition as unknown as Record<string, unknown>),
      (e: ApiError) => setError(errorText(e)),
    );
  }, [props.name]);
  if (error)
    return (
      <div className="alarm-error" role="alert">
        {error}
      </div>
    );
  if (!def)
    return (
      <div className="empty">
        <span className="spinner" /> Loading…
      </div>
    );
  return <AlarmForm initial={def} onSaved={props.onSaved} onCancel={() => navigate('/alarms', { name: props.name })} />;
}

export function AlarmsPage() {
  const loc = useLocation();
  const name = loc.params.get('name') ?? undefined;
  const editing = loc.params.get('edit') === '1';
  const creating = loc.params.get('new') === '1';
  const [list, setList] = useState<AlarmSummary[] | null>(null);
  const [error, setError] = useState('');
  const [tick, setTick] = useState(0);
  useEffect(() => {
    api.alarms.list().then(
      (r) => setList(r.alarms),
      (e: Error) => setError(e.message),
    );
  }, [tick]);
  return (
    <div className="alarms-page">
      <aside className="alarm-list" data-testid="alarm-list">
        <div className="alarm-list-head">
          <h1>Alarms</h1>
          <button
            type="button"
            className="btn primary"
            onClick={() => navigate('/alarms', { new: '1' })}
            data-testid="alarm-new"
          >
            New alarm
          </button>
        </div>
        {error && (
          <div className="alarm-error" role="alert">
            {error}
          </div>
        )}
        {!list && !error && (
          <div className="empty">
            <span className="spinner" />
          </div>
        )}
        {list?.length === 0 && (
          <div className="muted">
            No alarms yet: create one with New alarm (or <code>bedrock-insights alarms create -f FILE</code>).
          </div>
        )}
        {list?.map((a) => (
          <a
            key={a.name}
            href={`/alarms?name=${encodeURIComponent(a.name)}`}
            className={`alarm-item ${a.name === name ? 'active' : ''}`}
            data-testid="alarm-item"
            onClick={(e) => {
              e.preventDefault();
              navigate('/alarms', { name: a.name });
            }}
          >
            <span className="alarm-item-name">{a.name}</span>
            <StateBadge state={a.state} />
            <span className="alarm-item-meta">
              {a.kind}
              {a.enabled ? '' : ' · inactive'}
              {a.series
                .filter((s) => s.state === 'ALARM')
                .map((s) => ` · ${labelText(s.labels)}`)
                .join('')}
            </span>
          </a>
        ))}
      </aside>
      <main className="alarm-main">
        {creating ? (
          <AlarmForm
            initial={null}
            onSaved={(n) => {
              setTick((t) => t + 1);
              navigate('/alarms', { name: n });
            }}
            onCancel={() => navigate('/alarms')}
          />
        ) : name && editing ? (
          <AlarmEditor
            key={name}
            name={name}
            onSaved={() => {
              setTick((t) => t + 1);
              navigate('/alarms', { name });
            }}
          />
        ) : name ? (
          <AlarmDetailView
            key={name}
            name={name}
            range={loc.params.get('range') ?? '7d'}
            {...(loc.params.get('series') !== null ? { series: loc.params.get('series')! } : {})}
            onChanged={() => setTick((t) => t + 1)}
          />
        ) : (
          <div className="empty">
            Choose an alarm to see its state, the watched value against its threshold, its history and notifications.
          </div>
        )}
      </main>
    </div>
  );
}
