import { useEffect, useMemo, useState } from 'react';
import { rangeFromParam, rangeToParam, resolveRange, type RangeSpec } from '../../../src/api/range';
import { api } from '../api';
import { Chart } from '../components/Chart';
import { TimeRangePicker } from '../components/TimeRangePicker';
import { compactNumber, formatNumber } from '../format';
import { useLocation, useParamSetter } from '../url';
import { chargebackUrl, fetchCostSummary, type CostParams, type CostSummary, type Ranked } from './costApi';
import './cost.css';

const KEYS = [
  'cost_center',
  'tenant_id',
  'application_name',
  'team',
  'environment',
  'user_id',
  'identity.arn',
  'modelId',
];

function usd(n: number): string {
  const a = Math.abs(n);
  const s =
    a !== 0 && a < 0.01
      ? a.toFixed(4)
      : a.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return `${n < 0 ? '-' : ''}$${s}`;
}
function cents(c: number): string {
  return usd(c / 100);
}
function pct(x: number, d = 1): string {
  return `${(x * 100).toFixed(d)}%`;
}
function tokens(u: {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
}): number {
  return u.inputTokens + u.outputTokens + u.cacheReadTokens + u.cacheWriteTokens;
}

function Kpi(props: { label: string; value: string; sub?: string; cls?: string; testId: string }) {
  return (
    <div className="total-card" data-testid={props.testId}>
      <div className="total-label">{props.label}</div>
      <div className="total-value">{props.value}</div>
      <div className={`total-change ${props.cls ?? ''}`}>{props.sub ?? '\u00a0'}</div>
    </div>
  );
}

function RankTable(props: { rows: Ranked[]; nameHeader: string; testId: string }) {
  return (
    <table data-testid={props.testId}>
      <thead>
        <tr>
          <th>{props.nameHeader}</th>
          <th className="n">Cost</th>
          <th className="n">Share</th>
          <th className="n">Requests</th>
          <th className="n">Tokens</th>
        </tr>
      </thead>
      <tbody>
        {props.rows.map((r) => (
          <tr key={r.name} className={r.untagged ? 'untagged' : ''}>
            <td className="cost-name" title={r.name}>
              {r.name}
            </td>
            <td className="n">
              {r.requests > 0 && r.pricedRequests === 0 ? <span className="cost-warn">unpriced</span> : usd(r.cost)}
            </td>
            <td className="n">{pct(r.share)}</td>
            <td className="n">{formatNumber(r.requests)}</td>
            <td className="n" title={formatNumber(tokens(r))}>
              {compactNumber(tokens(r))}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Cost for the selected range: totals, a breakdown by any metadata key, price coverage, the chargeback statement. */
export function CostPage() {
  const loc = useLocation();
  const setParams = useParamSetter();
  const p = loc.params;
  const range: RangeSpec = rangeFromParam(p.get('r'), { kind: 'relative', value: '4w' });
  const by = p.get('by') || 'cost_center';
  const untagged = p.get('untagged') || 'own';
  const utc = p.get('utc') === '1';
  const [keyDraft, setKeyDraft] = useState(by);
  const [metaKeys, setMetaKeys] = useState<string[]>([]);
  const [data, setData] = useState<CostSummary | null>(null);
  const [err, setErr] = useState('');
  const [loading, setLoading] = useState(false);
  const [tick, setTick] = useState(0);

  useEffect(() => setKeyDraft(by), [by]);
  useEffect(() => {
    api.fields([]).then(
      (fs) =>
        setMetaKeys(
          fs
            .map((f) => f.field)
            .filter((f) => f.startsWith('requestMetadata.'))
            .map((f) => f.slice('requestMetadata.'.length)),
        ),
      () => undefined,
    );
  }, []);

  // A relative range is resolved once per load (and on refresh), so the downloads match what is shown.
  const bounds = useMemo(() => resolveRange(range), [rangeToParam(range), tick]);
  const params: CostParams = { start: bounds.start, end: bounds.end, by, untagged };

  useEffect(() => {
    const ctrl = new AbortController();
    setLoading(true);
    fetchCostSummary(params, ctrl.signal)
      .then((d) => {
        setData(d);
        setErr('');
      })
      .catch((e: Error) => {
        if (e.name !== 'AbortError') setErr(e.message);
      })
      .finally(() => setLoading(false));
    return () => ctrl.abort();
  }, [bounds.start, bounds.end, by, untagged]);

  const keys = [...new Set([...KEYS, ...metaKeys])];
  const applyKey = (): void => {
    if (keyDraft.trim() && keyDraft.trim() !== by) setParams({ by: keyDraft.trim() }, false);
  };
  const d = data;
  const change = d?.change.cost.ratio;
  const seriesCol = d ? `bin(${d.seriesUnit})` : 'bin(1d)';

  return (
    <div className="cost-page" data-testid="cost-page">
      <div className="cost-head">
        <h1>Cost</h1>
        {loading && <span className="spinner" aria-label="Loading" />}
        <span className="spacer" />
        <TimeRangePicker
          value={range}
          onChange={(r) => setParams({ r: rangeToParam(r) }, false)}
          utc={utc}
          onUtcChange={(u) => setParams({ utc: u ? '1' : undefined })}
        />
        <button type="button" className="btn" onClick={() => setTick((t) => t + 1)} data-testid="cost-refresh">
          ↻
        </button>
      </div>
      <div className="cost-bar">
        <label className="inline-select">
          Break down by
          <input
            list="cost-keys"
            value={keyDraft}
            onChange={(e) => setKeyDraft(e.target.value)}
            onBlur={applyKey}
            onKeyDown={(e) => {
              if (e.key === 'Enter') applyKey();
            }}
            data-testid="cost-by"
            aria-label="Break down by"
          />
          <datalist id="cost-keys">
            {keys.map((k) => (
              <option key={k} value={k} />
            ))}
          </datalist>
        </label>
        <label className="inline-select">
          Untagged spend
          <select
            value={untagged.startsWith('owner:') ? 'owner' : untagged}
            data-testid="cost-untagged"
            onChange={(e) =>
              setParams(
                {
                  untagged:
                    e.target.value === 'owner'
                      ? `owner:${window.prompt('Default owner for untagged spend', 'shared') || 'shared'}`
                      : e.target.value,
                },
                false,
              )
            }
          >
            <option value="own">its own line</option>
            <option value="proportional">split proportionally</option>
            <option value="owner">
              {untagged.startsWith('owner:') ? `to ${untagged.slice(6)}` : 'to a default owner…'}
            </option>
          </select>
        </label>
        <span className="spacer" />
        <a className="btn" href={chargebackUrl(params, 'csv')} download data-testid="download-csv">
          Statement CSV
        </a>
        <a className="btn" href={chargebackUrl(params, 'html')} download data-testid="download-html">
          Statement HTML
        </a>
      </div>
      {err && (
        <div className="alert" role="alert">
          {err}
        </div>
      )}
      {d && (
        <>
          <div className="cost-kpis">
            <Kpi
              testId="kpi-cost"
              label="Cost"
              value={usd(d.totals.cost)}
              sub={
                change === null || change === undefined
                  ? 'no data in the previous period'
                  : `${change > 0 ? '▲' : '▼'} ${pct(Math.abs(change))} vs ${usd(d.previousTotals.cost)}`
              }
              cls={change ? (change > 0 ? 'up' : 'down') : ''}
            />
            <Kpi
              testId="kpi-requests"
              label="Requests"
              value={compactNumber(d.totals.requests)}
              sub={formatNumber(d.totals.requests)}
            />
            <Kpi
              testId="kpi-tokens"
              label="Tokens"
              value={compactNumber(tokens(d.totals))}
              sub={`${compactNumber(d.totals.inputTokens)} in · ${compactNumber(d.totals.outputTokens)} out · ${compactNumber(d.totals.cacheReadTokens)} cache read`}
            />
            <Kpi
              testId="kpi-untagged"
              label={`Untagged (${d.by})`}
              value={cents(d.statement.untaggedCents)}
              sub={`${pct(d.statement.untaggedShare)} of cost`}
            />
            <Kpi
              testId="kpi-coverage"
              label="Price coverage"
              value={pct(d.coverage.share)}
              sub={
                d.coverage.unpricedTokens
                  ? `${compactNumber(d.coverage.unpricedTokens)} tokens unpriced`
                  : 'every token priced'
              }
              cls={d.coverage.unpricedTokens ? 'up' : ''}
            />
            <Kpi
              testId="kpi-cache"
              label="Saved by caching"
              value={usd(d.cache.savings)}
              sub={`net of write premium ${usd(d.cache.net)}`}
            />
          </div>
          <div className="cost-grid">
            <div className="cost-panel">
              <h2>Cost per {d.seriesUnit === '1h' ? 'hour' : 'day'}</h2>
              <Chart
                view="line"
                columns={[seriesCol, 'cost']}
                rows={d.series.map((s) => ({ [seriesCol]: s.bin, cost: String(s.cost) }))}
                utc={utc}
                height={240}
              />
            </div>
            <div className="cost-panel">
              <h2>Cost by {d.by}</h2>
              <Chart
                view="bar"
                columns={[d.by, 'cost']}
                rows={d.breakdown.slice(0, 15).map((r) => ({ [d.by]: r.name, cost: String(r.cost) }))}
                metric="cost"
                utc={utc}
                height={240}
              />
            </div>
          </div>
          <div className="cost-grid">
            <div className="cost-panel">
              <h2>
                By {d.by} <span className="muted small">({d.field})</span>
              </h2>
              <RankTable rows={d.breakdown} nameHeader={d.by} testId="breakdown-table" />
            </div>
            <div className="cost-panel">
              <h2>
                Chargeback statement{' '}
                <span className="muted small">(cents, largest remainder; adds up to the total)</span>
              </h2>
              <table data-testid="statement-table">
                <thead>
                  <tr>
                    <th>Owner</th>
                    <th className="n">Amount</th>
                    <th className="n">of which untagged</th>
                  </tr>
                </thead>
                <tbody>
                  {d.statement.owners.map((o) => (
                    <tr key={o.owner} className={o.kind === 'untagged' ? 'untagged' : ''}>
                      <td className="cost-name">{o.owner}</td>
                      <td className="n">{cents(o.totalCents)}</td>
                      <td className="n">{o.untaggedCents ? cents(o.untaggedCents) : ''}</td>
                    </tr>
                  ))}
                  <tr className="total">
                    <td>Total</td>
                    <td className="n" data-testid="statement-total">
                      {cents(d.statement.totalCents)}
                    </td>
                    <td />
                  </tr>
                </tbody>
              </table>
            </div>
          </div>
          <div className="cost-grid">
            <div className="cost-panel">
              <h2>By model</h2>
              <RankTable rows={d.models} nameHeader="modelId" testId="models-table" />
            </div>
            <div className="cost-panel" data-testid="coverage-panel">
              <h2>Price coverage</h2>
              <p>
                {pct(d.coverage.share, 2)} of {formatNumber(d.coverage.tokens)} tokens priced.
              </p>
              {d.coverage.unpriced.length > 0 && (
                <>
                  <p className="cost-warn">
                    These models have no price, so no amount on this page includes them (they are not free). Add a price
                    (a prices file) and run <code>bedrock-insights prices reprice</code>.
                  </p>
                  <table>
                    <thead>
                      <tr>
                        <th>Model</th>
                        <th className="n">Requests</th>
                        <th className="n">Tokens</th>
                      </tr>
                    </thead>
                    <tbody>
                      {d.coverage.unpriced.map((u) => (
                        <tr key={u.model}>
                          <td className="cost-name" title={u.model}>
                            {u.model}
                          </td>
                          <td className="n">{formatNumber(u.requests)}</td>
                          <td className="n">{formatNumber(u.tokens)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </>
              )}
            </div>
          </div>
        </>
      )}
    </div>
  );
}
