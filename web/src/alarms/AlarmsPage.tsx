import { useCallback, useEffect, useMemo, useState } from 'react';
import { axisStyle, baseOption, useEChart, type EChartsCoreOption } from '../components/echarts';
import type { ChartColors } from '../theme';
import { api } from '../api';
import type {
  AlarmDetail,
  AlarmState,
  AlarmSummary,
  AlarmSeriesChart as SeriesChart,
} from '../../../src/contracts/wire';
import { compactNumber, formatNumber } from '../format';
import { navigate, useLocation, useParamSetter } from '../url';
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

/** The watched value of one series over time with the threshold line and the ALARM changes marked. */
function WatchedValueChart(props: { chart: SeriesChart; series: string }) {
  const { chart, series } = props;
  const build = useCallback(
    (c: ChartColors): EChartsCoreOption => {
      const points = chart.values[series] ?? [];
      const threshold = chart.threshold;
      const alarms = chart.transitions.filter((t) => t.series === series && t.to === 'ALARM');
      const axis = axisStyle(c);
      const base = baseOption(c);
      return {
        ...base,
        tooltip: {
          ...(base.tooltip as object),
          trigger: 'axis',
          valueFormatter: (v: unknown) => (typeof v === 'number' ? formatNumber(v) : String(v)),
        },
        grid: { left: 8, right: 24, top: 20, bottom: 12, containLabel: true },
        xAxis: { type: 'time', min: chart.since, max: chart.until, ...axis, splitLine: { show: false } },
        yAxis: { type: 'value', ...axis, axisLabel: { color: c.muted, formatter: (v: number) => compactNumber(v) } },
        series: [
          {
            name: 'value',
            type: 'line',
            data: points,
            showSymbol: points.length < 80,
            symbolSize: 4,
            lineStyle: { width: 1.6 },
            color: c.palette[0],
            markLine: {
              symbol: 'none',
              silent: true,
              data: [
                ...(threshold !== null
                  ? [
                      {
                        yAxis: threshold,
                        name: 'threshold',
                        lineStyle: { color: '#d1453b', type: 'dashed' },
                        label: {
                          formatter: `threshold ${formatNumber(threshold)}`,
                          position: 'insideEndTop',
                          color: c.text,
                        },
                      },
                    ]
                  : []),
                ...alarms.map((t) => ({
                  xAxis: t.at,
                  lineStyle: { color: '#e07b00', type: 'dotted' },
                  label: { formatter: 'ALARM', position: 'insideEndTop', color: c.text },
                })),
              ],
            },
          },
        ],
      };
    },
    [chart, series],
  );
  const el = useEChart(build);
  return <div ref={el} className="alarm-chart" data-testid="alarm-chart" />;
}

function AlarmDetailView(props: { name: string; range: string; series?: string; onChanged: () => void }) {
  const setParams = useParamSetter();
  const [detail, setDetail] = useState<AlarmDetail | null>(null);
  const [chart, setChart] = useState<SeriesChart | null>(null);
  const [error, setError] = useState('');
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [recipient, setRecipient] = useState('');
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
            >
              Enable
            </button>
          </span>
        )}
      </div>
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

export function AlarmsPage() {
  const loc = useLocation();
  const name = loc.params.get('name') ?? undefined;
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
        <h1>Alarms</h1>
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
            No alarms. Create one with <code>bedrock-insights alarms create -f FILE</code>.
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
        {name ? (
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
