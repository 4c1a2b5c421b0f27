import { useEffect, useMemo, useState } from 'react';
import { rangeFromParam, rangeToParam, resolveRange, type RangeSpec } from '../../../src/contracts/range';
import { cacheKpi, changeText } from '../../../src/contracts/kpi-text';
import { abbreviateModelId } from '../../../src/contracts/model-names';
import { formatUsd, formatPct } from '../../../src/contracts/money';
import { Chart } from '../components/Chart';
import { TimeRangePicker } from '../components/TimeRangePicker';
import { compactNumber, formatNumber } from '../format';
import { useLocation, useParamSetter } from '../url';
import { api, chargebackUrl } from '../api';
import type { CostParams, CostSummary, Ranked } from '../../../src/contracts/wire';
import { dimensionOfField, linkableValue, type EntityDimension } from '../../../src/contracts/entity';
import { EntityLink, openEntity } from '../entity/links';
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

/** Display currency (cents; 4 decimals below a cent): the CLI and the report use the same function. */
const usd = formatUsd;
function cents(c: number): string {
  return usd(c / 100);
}
const pct = (x: number | null, d = 1): string => formatPct(x, d);
function tokens(u: {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
}): number {
  return u.inputTokens + u.outputTokens + u.cacheReadTokens + u.cacheWriteTokens;
}

function Kpi(props: { label: string; value: string; sub?: string; sub2?: string; cls?: string; testId: string }) {
  return (
    <div className="total-card" data-testid={props.testId}>
      <div className="total-label">{props.label}</div>
      <div className="total-value">{props.value}</div>
      {props.sub2 && <div className="total-change cost-warn">{props.sub2}</div>}
      <div className={`total-change ${props.cls ?? ''}`}>{props.sub ?? '\u00a0'}</div>
    </div>
  );
}

/** A cost that never reads as $0.00 when part of it has no price: "$0.24" and "+6.3K unpriced tokens". */
function CostCell(props: {
  r: { cost: number; requests: number; pricedRequests: number; unpricedTokens: number; unpricedRequests: number };
}) {
  const r = props.r;
  const whollyUnpriced = r.requests > 0 && r.pricedRequests === 0;
  return (
    <td className="n" data-unpriced-tokens={r.unpricedTokens || undefined}>
      {whollyUnpriced ? <span className="cost-warn">unpriced</span> : usd(r.cost)}
      {r.unpricedTokens > 0 && (
        <div
          className="cost-warn small"
          title={`${formatNumber(r.unpricedRequests)} requests have no price for ${formatNumber(r.unpricedTokens)} tokens: they are not in this amount (and not free)`}
        >
          +{compactNumber(r.unpricedTokens)} unpriced tokens
        </div>
      )}
    </td>
  );
}

function RankTable(props: {
  rows: Ranked[];
  nameHeader: string;
  testId: string;
  models?: boolean;
  /** The rows are this dimension's values: each name opens its page (with the range `r`). */
  link?: { dim: EntityDimension; r: string };
}) {
  return (
    <table data-testid={props.testId} className="cost-table">
      <colgroup>
        <col />
        <col className="c-cost" />
        <col className="c-share" />
        <col className="c-req" />
        <col className="c-tok" />
      </colgroup>
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
          <tr key={r.name} className={r.untagged ? 'untagged' : ''} data-name={r.name}>
            <td className="cost-name" title={r.name}>
              {props.link && !r.untagged && linkableValue(r.name) ? (
                <EntityLink dim={props.link.dim} name={r.name} r={props.link.r}>
                  {props.models ? abbreviateModelId(r.name) : r.name}
                </EntityLink>
              ) : props.models && !r.untagged ? (
                abbreviateModelId(r.name)
              ) : (
                r.name
              )}
            </td>
            <CostCell r={r} />
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
    api
      .costSummary(params, ctrl.signal)
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
  const costChange = d ? changeText(d.change.cost, usd, (x) => pct(x)) : null;
  const cache = d ? cacheKpi(d.cache, usd) : null;
  const seriesCol = d ? `bin(${d.seriesUnit})` : 'bin(1d)';
  const pc = d?.periodCoverage;
  // The breakdown's rows link to their pages when its field is a drill-down dimension.
  const byDim = d ? dimensionOfField(d.field) : undefined;
  const rangeParam = rangeToParam(range);

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
      {d && d.book.stale && (
        <div className="alert warning" role="status" data-testid="stale-book">
          {d.book.warning}
        </div>
      )}
      {d && d.ownerKey.warning && (
        <div className="alert error" role="alert" data-testid="owner-key-warning">
          <div>{d.ownerKey.warning}</div>
          {d.ownerKey.suggestion && (
            <button
              type="button"
              className="btn"
              data-testid="owner-key-suggestion"
              onClick={() => setParams({ by: d.ownerKey.suggestion ?? undefined }, false)}
            >
              Break down by {d.ownerKey.suggestion}
            </button>
          )}
        </div>
      )}
      {pc && pc.state !== 'full' && (
        <div className="alert warning" role="status" data-testid="period-coverage" data-state={pc.state}>
          {pc.state === 'empty' ? 'No invocations in this range: ' : 'Partial range: '}
          {pc.label.replace(/^(no data[^:]*|partial): /, '')}.
          {pc.state === 'empty' && pc.storeFirst !== null && pc.storeLast !== null && (
            <button
              type="button"
              className="btn"
              data-testid="show-data-range"
              onClick={() => setParams({ r: `${pc.storeFirst}-${pc.storeLast}` }, false)}
            >
              Show the range with data
            </button>
          )}
        </div>
      )}
      {d && (
        <>
          <div className="cost-kpis">
            <Kpi
              testId="kpi-cost"
              label="Cost"
              value={usd(d.totals.cost)}
              {...(d.totals.unpricedTokens
                ? { sub2: `+ ${compactNumber(d.totals.unpricedTokens)} unpriced tokens (not in this amount)` }
                : {})}
              sub={costChange?.text ?? ''}
              cls={costChange?.cls ?? ''}
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
              sub={`${compactNumber(d.totals.inputTokens)} in · ${compactNumber(d.totals.outputTokens)} out · ${compactNumber(d.totals.cacheReadTokens)} cache read · ${compactNumber(d.totals.cacheWriteTokens)} cache write`}
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
                d.coverage.share === null
                  ? 'no tokens in this range'
                  : d.coverage.unpricedTokens
                    ? `${compactNumber(d.coverage.unpricedTokens)} tokens unpriced`
                    : 'every token priced'
              }
              cls={d.coverage.unpricedTokens ? 'up' : ''}
            />
            <Kpi testId="kpi-cache" label="Saved by caching" value={cache?.value ?? ''} sub={cache?.sub ?? ''} />
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
                {...(byDim
                  ? {
                      onPick: (v: string) => {
                        if (linkableValue(v)) openEntity(byDim, v, rangeParam);
                      },
                    }
                  : {})}
              />
            </div>
          </div>
          <div className="cost-grid">
            <div className="cost-panel">
              <h2>
                By {d.by} <span className="muted small">({d.field})</span>
              </h2>
              <RankTable
                rows={d.breakdown}
                nameHeader={d.by}
                testId="breakdown-table"
                models={d.field === 'modelId'}
                {...(byDim ? { link: { dim: byDim, r: rangeParam } } : {})}
              />
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
                      <td className="cost-name" title={o.owner}>
                        {o.owner}
                      </td>
                      <td className="n">
                        {cents(o.totalCents)}
                        {o.unpricedTokens > 0 && (
                          <div className="cost-warn small">+{compactNumber(o.unpricedTokens)} unpriced tokens</div>
                        )}
                      </td>
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
              <RankTable
                rows={d.models}
                nameHeader="modelId"
                testId="models-table"
                models
                link={{ dim: 'model', r: rangeParam }}
              />
            </div>
            <div className="cost-panel" data-testid="coverage-panel">
              <h2>Price coverage</h2>
              <p>
                {d.coverage.share === null
                  ? 'No tokens in this range.'
                  : `${pct(d.coverage.share, 2)} of ${formatNumber(d.coverage.tokens)} tokens priced.`}
              </p>
              {d.coverage.unpriced.length > 0 && (
                <>
                  <p className="cost-warn">
                    These tokens have no price, so no amount on this page includes them (they are not free). Add a price
                    (a prices file) and run <code>bedrock-insights prices reprice</code>.
                  </p>
                  <table>
                    <thead>
                      <tr>
                        <th>Model</th>
                        <th className="n">Requests</th>
                        <th className="n">Unpriced tokens</th>
                      </tr>
                    </thead>
                    <tbody>
                      {d.coverage.unpriced.map((u) => (
                        <tr key={u.model}>
                          <td className="cost-name" title={u.model}>
                            {abbreviateModelId(u.model)}
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
