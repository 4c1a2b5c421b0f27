import { useEffect, useMemo, useState } from 'react';
import { errorText, runToEnd, type Widget } from '../api';
import { rangeFromParam, rangeToParam, resolveRange, type RangeSpec } from '../../../src/contracts/range';
import {
  ENTITY_LABELS,
  entityPanels,
  entitySummaryQuery,
  isEntityDimension,
  type EntityDimension,
} from '../../../src/contracts/entity';
import { abbreviateModelId } from '../../../src/contracts/model-names';
import { TimeRangePicker } from '../components/TimeRangePicker';
import { DashboardWidget } from '../dashboard/Widget';
import { compactNumber, formatNumber } from '../format';
import { navigate, useLocation, useParamSetter } from '../url';
import './entity.css';

const LOG_GROUPS = ['/aws/bedrock/modelinvocations'];
const PANEL_ROWS = 7;

interface Summary {
  Invocations: number;
  Tokens: number;
  CostUSD: number;
  Errors: number;
}

function usd(v: number): string {
  return `$${v.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: v < 1 ? 4 : 2 })}`;
}

/** The figures at the top of the page: invocations, tokens, cost and errors in the range. */
function SummaryCards(props: { dim: EntityDimension; name: string; start: number; end: number; tick: number }) {
  const [s, setS] = useState<Summary | null>(null);
  const [err, setErr] = useState('');
  const q = entitySummaryQuery(props.dim, props.name);
  useEffect(() => {
    const ctrl = new AbortController();
    setS(null);
    runToEnd(
      { queryString: q, logGroups: LOG_GROUPS, startTime: props.start, endTime: props.end, history: false },
      () => undefined,
      ctrl.signal,
    )
      .then((v) => {
        if (v.error) throw new Error(errorText(v.error));
        const r = v.rows[0] ?? {};
        const n = (k: string): number => Number(r[k] ?? 0) || 0;
        setS({ Invocations: n('Invocations'), Tokens: n('Tokens'), CostUSD: n('CostUSD'), Errors: n('Errors') });
        setErr('');
      })
      .catch((e: Error) => {
        if (e.name !== 'AbortError') setErr(errorText(e));
      });
    return () => ctrl.abort();
  }, [q, props.start, props.end, props.tick]);
  if (err)
    return (
      <div className="alert" role="alert">
        {err}
      </div>
    );
  const card = (key: keyof Summary, label: string, text: (v: number) => string, sub?: (v: Summary) => string) => (
    <div className="total-card" data-testid={`entity-kpi-${key}`} data-value={s ? String(s[key]) : undefined}>
      <div className="total-label">{label}</div>
      <div className="total-value" title={s ? formatNumber(s[key]) : ''}>
        {s ? text(s[key]) : '—'}
      </div>
      <div className="total-change flat">{s && sub ? sub(s) : ''}</div>
    </div>
  );
  return (
    <div className="entity-kpis" data-testid="entity-summary" data-state={s ? 'ready' : 'loading'}>
      {card('Invocations', 'Invocations', compactNumber, (v) => formatNumber(v.Invocations))}
      {card('Tokens', 'Tokens (in + out)', compactNumber, (v) => formatNumber(v.Tokens))}
      {card('CostUSD', 'Cost', usd)}
      {card('Errors', 'Errors', formatNumber, (v) =>
        v.Invocations ? `${((v.Errors * 100) / v.Invocations).toFixed(2)}% of invocations` : '',
      )}
    </div>
  );
}

/**
 * One application's, tenant's, user's, team's or model's page (`/entity/<dim>/<name>?r=…`): usage,
 * cost, latency and errors over time, the top callers, and for each panel the query behind it.
 */
export function EntityPage(props: { dim: string; name: string }) {
  const loc = useLocation();
  const setParams = useParamSetter();
  const range: RangeSpec = rangeFromParam(loc.params.get('r'), { kind: 'relative', value: '1w' });
  const rangeKey = rangeToParam(range);
  const utc = loc.params.get('utc') === '1';
  const [tick, setTick] = useState(0);
  const bounds = useMemo(() => resolveRange(range), [rangeKey, tick]);
  const { dim, name } = props;
  if (!isEntityDimension(dim))
    return (
      <div className="page-error" role="alert" data-testid="not-found">
        <h2>No such kind of page</h2>
        <p>
          <code>{dim}</code> is not one of application, tenant, user, team or model.
        </p>
      </div>
    );
  const panels = entityPanels(dim, name, bounds.end - bounds.start);
  const shown = dim === 'model' ? abbreviateModelId(name) : name;
  return (
    <div className="entity-page" data-testid="entity-page" data-dim={dim} data-name={name}>
      <div className="dash-head">
        <button type="button" className="btn" onClick={() => window.history.back()} title="Back">
          ←
        </button>
        <h1>
          <span className="muted">{ENTITY_LABELS[dim]}</span>{' '}
          <span data-testid="entity-name" title={name}>
            {shown}
          </span>
        </h1>
        <span className="spacer" />
        <TimeRangePicker
          value={range}
          onChange={(r) => setParams({ r: rangeToParam(r) }, false)}
          utc={utc}
          onUtcChange={(u) => setParams({ utc: u ? '1' : undefined })}
        />
        <button type="button" className="btn" onClick={() => setTick((t) => t + 1)} title="Refresh">
          ↻
        </button>
        <button
          type="button"
          className="btn"
          data-testid="entity-summary-query"
          onClick={() =>
            navigate('/query', {
              q: entitySummaryQuery(dim, name),
              g: LOG_GROUPS.join(','),
              r: rangeToParam({ kind: 'absolute', start: bounds.start, end: bounds.end }),
            })
          }
        >
          Open totals in query page ↗
        </button>
      </div>
      <SummaryCards dim={dim} name={name} start={bounds.start} end={bounds.end} tick={tick} />
      <div className="widget-grid">
        {panels.map((p) => {
          const w: Widget = {
            id: p.id,
            title: p.title,
            queryString: p.queryString,
            logGroups: LOG_GROUPS,
            view: p.view,
            width: p.width,
            height: PANEL_ROWS,
          };
          return (
            <DashboardWidget
              key={`${dim}/${name}/${p.id}`}
              widget={w}
              start={bounds.start}
              end={bounds.end}
              tick={tick}
              utc={utc}
              rangeParam={rangeKey}
              openLabel="Query"
              editing={false}
              onChange={() => undefined}
              onRemove={() => undefined}
              onMove={() => undefined}
            />
          );
        })}
      </div>
    </div>
  );
}
