import { useEffect, useRef, useState, type ReactElement } from 'react';
import { errorText, runToEnd, type QueryView, type Widget as WidgetT, type WidgetView } from '../api';
import { EngineSelect } from '../components/EngineSelect';
import { Chart } from '../components/Chart';
import { ResultsTable } from '../components/ResultsTable';
import { analyseResult, defaultMetric, type ChartView } from '../chart';
import { compactNumber, formatNumber } from '../format';
import { navigate } from '../url';
import { rangeToParam } from '../../../src/contracts/range';
import { entityColumns, linkableValue } from '../../../src/contracts/entity';
import { openEntity, type EntityLinks } from '../entity/links';

export interface WidgetProps {
  widget: WidgetT;
  start: number;
  end: number;
  /** Changes whenever the dashboard refreshes (a new value re-runs the query). */
  tick: number;
  utc: boolean;
  /** The range being viewed as a URL `r` (a drill-down link keeps it); absolute start–end without it. */
  rangeParam?: string;
  /** "Open in query page" as words beside the icon (the drill-down page shows every panel's query). */
  openLabel?: string;
  editing: boolean;
  onChange: (w: WidgetT) => void;
  onRemove: () => void;
  onMove: (delta: number) => void;
}

const VIEWS: { v: WidgetView; label: string }[] = [
  { v: 'line', label: 'Line' },
  { v: 'stackedArea', label: 'Stacked area' },
  { v: 'bar', label: 'Bar' },
  { v: 'pie', label: 'Pie' },
  { v: 'table', label: 'Table' },
  { v: 'number', label: 'Number' },
];
const ROW_PX = 46;

function SingleNumber({ result }: { result: QueryView }) {
  const shape = analyseResult(result.columns, result.rows);
  const col = shape.numericColumns[0];
  const v = col ? result.rows[0]?.[col] : undefined;
  if (v === undefined) return <div className="widget-msg">No numeric value in the result.</div>;
  return (
    <div className="single-number" data-value={String(v)}>
      <div className="big">{compactNumber(Number(v))}</div>
      <div className="muted">
        {col} · {formatNumber(Number(v))}
      </div>
    </div>
  );
}

/** One dashboard widget: runs its query for the dashboard's range, shows why when it fails. */
export function DashboardWidget(p: WidgetProps) {
  const w = p.widget;
  const [result, setResult] = useState<QueryView | null>(null);
  const [error, setError] = useState('');
  const [loading, setLoading] = useState(true);
  const [liveTick, setLiveTick] = useState(0);
  const seq = useRef(0);

  useEffect(() => {
    if (!w.live) return;
    const t = setInterval(() => setLiveTick((x) => x + 1), 10_000);
    return () => clearInterval(t);
  }, [w.live]);

  useEffect(() => {
    const my = ++seq.current;
    const ctrl = new AbortController();
    setLoading(true);
    // A live widget follows the clock: its range ends now.
    const end = w.live && liveTick > 0 ? Date.now() : p.end;
    const start = w.live && liveTick > 0 ? end - (p.end - p.start) : p.start;
    runToEnd(
      {
        queryString: w.queryString,
        logGroups: w.logGroups,
        startTime: start,
        endTime: end,
        history: false,
        waitMs: 20_000,
        ...(w.engine ? { engine: w.engine } : {}),
      },
      () => undefined,
      ctrl.signal,
    )
      .then((v) => {
        if (my !== seq.current) return;
        if (v.status === 'Failed' || v.error) {
          setError(v.error ? errorText(v.error) : 'The query failed.');
          setResult(null);
        } else {
          setError('');
          setResult(v);
        }
      })
      .catch((e: Error) => {
        if (my !== seq.current || e.name === 'AbortError') return;
        setError(errorText(e));
        setResult(null);
      })
      .finally(() => {
        if (my === seq.current) setLoading(false);
      });
    return () => ctrl.abort();
  }, [w.queryString, w.logGroups.join(','), w.engine, p.start, p.end, p.tick, liveTick]);

  const rangeParam = p.rangeParam || rangeToParam({ kind: 'absolute', start: p.start, end: p.end });
  const links: EntityLinks | undefined = result
    ? { columns: entityColumns(result.columns, w.queryString), r: rangeParam }
    : undefined;
  const height = w.height * ROW_PX;
  const bodyHeight = height - 44;
  const state = error ? 'error' : result ? 'ready' : 'loading';
  let body: ReactElement;
  if (error) {
    body = (
      <div className="widget-error" role="alert">
        <b>This widget's query failed.</b>
        <span>{error}</span>
      </div>
    );
  } else if (!result) {
    body = (
      <div className="widget-msg">
        <span className="spinner" /> Loading…
      </div>
    );
  } else if (result.rows.length === 0) {
    body = <div className="widget-msg">No data in this time range.</div>;
  } else if (w.view === 'table') {
    body = (
      <ResultsTable
        columns={result.columns}
        rows={result.rows}
        aggregated={result.aggregated}
        utc={p.utc}
        compact
        {...(links ? { links } : {})}
      />
    );
  } else if (w.view === 'number') {
    body = <SingleNumber result={result} />;
  } else {
    const shape = analyseResult(result.columns, result.rows);
    const chartView: ChartView = (w.view === 'line' || w.view === 'stackedArea') && !shape.timeColumn ? 'bar' : w.view;
    const timeOnly = (chartView === 'line' || chartView === 'stackedArea') && shape.keyColumns.length === 0;
    // One key column that is a dimension: a click on its bar, slice or line opens its page.
    const key = shape.keyColumns.length === 1 ? shape.keyColumns[0] : undefined;
    const dim = key ? links?.columns.get(key) : undefined;
    const onPick = dim
      ? (v: string): void => {
          if (linkableValue(v)) openEntity(dim, v, rangeParam);
        }
      : undefined;
    body = (
      <Chart
        view={chartView}
        columns={result.columns}
        rows={result.rows}
        // A time chart without group keys draws every value column (p50, p95 and p99 together).
        {...(timeOnly ? {} : { metric: defaultMetric(shape, w.queryString) })}
        utc={p.utc}
        height={bodyHeight - 8}
        {...(onPick ? { onPick } : {})}
      />
    );
  }

  const openInQuery = (): void => {
    navigate('/query', {
      q: w.queryString,
      g: w.logGroups.join(','),
      r: rangeToParam({ kind: 'absolute', start: p.start, end: p.end }),
      tab: w.view === 'table' ? undefined : 'viz',
      engine: w.engine,
    });
  };

  return (
    <div
      className="widget"
      style={{ gridColumn: `span ${Math.min(24, w.width)}`, height }}
      data-testid="widget"
      data-state={state}
      data-widget-id={w.id}
      data-view={w.view}
      data-narrow={w.width <= 6 ? 'true' : undefined}
    >
      <div className="widget-head">
        <span className="widget-title">{w.title || 'Untitled'}</span>
        {w.live && (
          <span className="live-badge" title="Refreshed every 10 seconds">
            ● Live
          </span>
        )}
        {loading && result && <span className="spinner small" />}
        <span className="spacer" />
        {p.editing ? (
          <span className="widget-tools">
            <EngineSelect
              compact
              value={w.engine ?? ''}
              onChange={(e) => p.onChange({ ...w, engine: e || undefined })}
            />
            <select
              value={w.view}
              onChange={(e) => p.onChange({ ...w, view: e.target.value as WidgetView })}
              aria-label="Visualization"
            >
              {VIEWS.map((v) => (
                <option key={v.v} value={v.v}>
                  {v.label}
                </option>
              ))}
            </select>
            <button
              type="button"
              className="icon-btn"
              title="Narrower"
              onClick={() => p.onChange({ ...w, width: Math.max(4, w.width - 4) })}
            >
              ⇠
            </button>
            <button
              type="button"
              className="icon-btn"
              title="Wider"
              onClick={() => p.onChange({ ...w, width: Math.min(24, w.width + 4) })}
            >
              ⇢
            </button>
            <button
              type="button"
              className="icon-btn"
              title="Shorter"
              onClick={() => p.onChange({ ...w, height: Math.max(3, w.height - 1) })}
            >
              ⇡
            </button>
            <button
              type="button"
              className="icon-btn"
              title="Taller"
              onClick={() => p.onChange({ ...w, height: Math.min(20, w.height + 1) })}
            >
              ⇣
            </button>
            <button type="button" className="icon-btn" title="Move earlier" onClick={() => p.onMove(-1)}>
              ◀
            </button>
            <button type="button" className="icon-btn" title="Move later" onClick={() => p.onMove(1)}>
              ▶
            </button>
            <button type="button" className="icon-btn" title="Remove widget" onClick={p.onRemove}>
              ✕
            </button>
          </span>
        ) : (
          <button
            type="button"
            className={p.openLabel ? 'btn small' : 'icon-btn'}
            title="Open in Logs Insights"
            onClick={openInQuery}
            data-testid="open-in-query"
          >
            {p.openLabel ? `${p.openLabel} ↗` : '↗'}
          </button>
        )}
      </div>
      <div className="widget-body" style={{ height: bodyHeight }}>
        {body}
      </div>
    </div>
  );
}
