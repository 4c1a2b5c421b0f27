import { barChart, dailyChart, rankingChart } from './charts.js';
import { esc, htmlDocument } from './html.js';
import { abbreviateModelId } from '../contracts/model-names.js';
import { formatCompact, formatInt, formatPct, formatUsd } from '../contracts/money.js';
import { iso, isoDay } from './period.js';
import type { Anomaly } from './anomalies.js';
import { cacheKpi, changeText } from '../contracts/kpi-text.js';
import type { Change, Ranked, ReportData } from './report.js';
import { tokensOf } from './query.js';

/** The executive report as one self-contained HTML file: inline CSS and inline SVG charts, no scripts. */

/** The change against the previous period, or why there is none (no data, or only part of it covered). */
function delta(c: Change, money: boolean): string {
  const t = changeText(c, money ? formatUsd : formatInt, (x) => formatPct(x));
  return `<div class="d${t.cls === 'up' || t.cls === 'down' ? ` ${t.cls}` : ''}" data-basis="${c.basis}">${esc(t.text)}</div>`;
}

/** A cost cell that never shows an unpriced line as $0.00 alone. */
function costCell(r: { cost: number; requests: number; pricedRequests: number; unpricedTokens: number }): string {
  const amount = r.requests > 0 && r.pricedRequests === 0 ? '<span class="warn">unpriced</span>' : formatUsd(r.cost);
  const extra =
    r.unpricedTokens > 0 ? `<div class="warn small">+${formatCompact(r.unpricedTokens)} tokens unpriced</div>` : '';
  return `<td class="n">${amount}${extra}</td>`;
}

function rankTable(title: string, rows: Ranked[], models = false): string {
  if (!rows.length) return `<h3>${esc(title)}</h3><p class="note">No data.</p>`;
  const name = (r: Ranked): string =>
    models && !r.untagged
      ? `<td title="${esc(r.name)}">${esc(abbreviateModelId(r.name))}</td>`
      : `<td>${esc(r.name)}</td>`;
  return `<h3>${esc(title)}</h3><table data-table="${esc(title)}"><tr><th>Name</th><th class="n">Cost</th><th class="n">Share</th><th class="n">Requests</th><th class="n">Tokens</th></tr>
${rows.map((r) => `<tr${r.untagged ? ' class="minor"' : ''}>${name(r)}${costCell(r)}<td class="n">${formatPct(r.share)}</td><td class="n">${formatInt(r.requests)}</td><td class="n" title="${formatInt(tokensOf(r))}">${formatCompact(tokensOf(r))}</td></tr>`).join('\n')}</table>`;
}

function when(a: Anomaly): string {
  if (a.kind === 'day') return isoDay(a.start);
  return `${iso(a.start).slice(0, 16).replace('T', ' ')}–${iso(a.end).slice(11, 16)} UTC`;
}

function anomalyRows(list: Anomaly[]): string {
  if (!list.length) return '<p>No anomalies: no day and no tenant hour went far above its trailing baseline.</p>';
  return `<table><tr><th>When</th><th>What</th><th class="n">Observed</th><th class="n">Baseline</th><th class="n">Factor</th><th class="n">Cost (baseline)</th></tr>
${list
  .slice(0, 12)
  .map(
    (
      a,
    ) => `<tr><td>${esc(when(a))}</td><td>${a.kind === 'day' ? 'Daily cost' : `${esc(a.dimension)} <b>${esc(a.subject)}</b>`}</td>
<td class="n">${a.kind === 'day' ? formatUsd(a.observed) : `${formatInt(a.observed)} req`}</td><td class="n">${a.kind === 'day' ? formatUsd(a.expected) : `${a.expected.toFixed(1)} req`}</td>
<td class="n">${Number.isFinite(a.factor) ? `${a.factor.toFixed(1)}×` : 'new'}</td><td class="n">${formatUsd(a.cost)} (${formatUsd(a.expectedCost)})</td></tr>`,
  )
  .join('\n')}</table>`;
}

export function renderReportHtml(d: ReportData): string {
  const t = d.totals;
  const tokens = tokensOf(t);
  const marked = new Set(d.anomalies.filter((a) => a.kind === 'day').map((a) => isoDay(a.start)));
  const spikeDays = new Set(d.anomalies.filter((a) => a.kind === 'owner-hours').map((a) => isoDay(a.start)));
  for (const s of spikeDays) marked.add(s);
  const charts = [
    barChart(
      'Cost per month',
      d.monthly.map((m) => ({ name: m.label, value: m.cost, highlight: m.inPeriod })),
    ),
    barChart(
      `Cost per week (${d.period.label})`,
      d.weekly.map((w) => ({ name: w.label, value: w.cost })),
    ),
  ];
  const daily = dailyChart(`Cost per day (${d.period.label}; red: days with an anomaly)`, d.daily, marked);
  const rankings = [
    rankingChart(
      'Top models by cost',
      d.top.models.filter((r) => !r.untagged).map((r) => ({ name: r.name, value: r.cost })),
    ),
    rankingChart(
      'Top applications by cost',
      d.top.applications.map((r) => ({ name: r.name, value: r.cost })),
    ),
  ];
  const cov = d.coverage;
  const c = d.cache;
  const ck = cacheKpi(c, formatUsd);
  const pc = d.periodCoverage;
  const notices = [
    pc.state === 'empty'
      ? `<p class="warn" data-notice="empty"><b>No invocations in ${esc(d.period.label)}</b>: ${esc(pc.label.replace(/^no data[^:]*: /, ''))}. Every figure below is empty.</p>`
      : '',
    pc.state === 'partial'
      ? `<p class="warn" data-notice="partial"><b>Partial period</b>: ${esc(pc.label.replace(/^partial: /, ''))}.</p>`
      : '',
    d.book.stale ? `<p class="warn" data-notice="stale-book">${esc(d.book.warning)}</p>` : '',
  ].join('\n');
  const title = `${d.period.label}${pc.state === 'partial' ? ' (partial)' : pc.state === 'empty' ? ' (no data)' : ''}`;
  const body = `<h1>Amazon Bedrock usage and cost: ${esc(title)}</h1>
<p class="sub">${esc(iso(d.period.start))} to ${esc(iso(d.period.end))} (UTC), compared with ${esc(d.previous.label)} · computed from model invocation logs by bedrock-insights · price book ${esc(d.priceVersions.join(', ') || d.book.version)} (prices of ${esc(d.book.retrieved)})</p>
${notices}
<div class="kpis">
<div class="kpi" data-kpi="cost"><div class="l">Cost</div><div class="v">${formatUsd(t.cost)}</div>${t.unpricedTokens ? `<div class="d warn">+ ${formatInt(t.unpricedTokens)} unpriced tokens</div>` : ''}${delta(d.change.cost, true)}</div>
<div class="kpi" data-kpi="requests"><div class="l">Requests</div><div class="v">${formatInt(t.requests)}</div>${delta(d.change.requests, false)}</div>
<div class="kpi" data-kpi="tokens"><div class="l">Tokens (all classes)</div><div class="v">${formatInt(tokens)}</div><div class="d">${formatCompact(t.inputTokens)} in · ${formatCompact(t.outputTokens)} out · ${formatCompact(t.cacheReadTokens)} cache read · ${formatCompact(t.cacheWriteTokens)} cache write</div>${delta(d.change.tokens, false)}</div>
<div class="kpi" data-kpi="cache"><div class="l">Saved by prompt caching</div><div class="v">${ck.value}</div><div class="d">${esc(ck.sub)}</div></div>
<div class="kpi" data-kpi="coverage"><div class="l">Price coverage</div><div class="v">${formatPct(cov.share)}</div><div class="d${cov.unpricedTokens ? ' warn' : ''}">${formatInt(cov.unpricedTokens)} tokens unpriced</div></div>
</div>
${cov.unpricedTokens && cov.share !== null ? `<p class="warn">${formatPct(1 - cov.share)} of tokens (${formatInt(cov.unpricedRequests)} requests) have no price in the book; the costs in this report leave them out rather than counting them as free. See "Price coverage" below.</p>` : ''}
<h2>Trend</h2>
<div class="charts">${charts.map((s) => `<div class="chart">${s}</div>`).join('')}</div>
<div class="chart">${daily}</div>
<h2>Where the money goes</h2>
<div class="charts">${rankings.map((s) => `<div class="chart">${s}</div>`).join('')}</div>
<div class="charts"><div class="chart">${rankTable('Applications', d.top.applications)}</div><div class="chart">${rankTable('Tenants', d.top.tenants)}</div></div>
<div class="charts"><div class="chart">${rankTable('Cost centers', d.top.costCenters)}</div><div class="chart">${rankTable('Models', d.top.models, true)}</div></div>
<h2>Prompt caching</h2>
<p>Cache reads: ${formatInt(c.readTokens)} tokens cost ${formatUsd(c.readCost)}; as plain input they would have cost ${formatUsd(c.readAtInput)}, so caching <b>saved ${formatUsd(c.savings)}</b>.
Cache writes: ${formatInt(c.writeTokens)} tokens cost ${formatUsd(c.writeCost)}, a premium of ${formatUsd(c.writePremium)} over the input price. Net: <b>${formatUsd(c.net)}</b>.</p>
${
  c.byModel.length
    ? `<table><tr><th>Model</th><th class="n">Cache-read tokens</th><th class="n">Saved</th><th class="n">Cache-write tokens</th><th class="n">Write premium</th></tr>
${c.byModel
  .slice(0, 10)
  .map(
    (m) =>
      `<tr><td title="${esc(m.model)}">${esc(abbreviateModelId(m.model))}</td><td class="n">${formatInt(m.readTokens)}</td><td class="n">${formatUsd(m.readAtInput - m.readCost)}</td><td class="n">${formatInt(m.writeTokens)}</td><td class="n">${formatUsd(m.writeCost - m.writeAtInput)}</td></tr>`,
  )
  .join('\n')}</table>`
    : ''
}
<h2>Anomalies</h2>
${anomalyRows(d.anomalies)}
<p class="note">Detector: a tenant hour is flagged at ≥5× the tenant's mean requests in the same hour of day over the 7 days before (and ≥10 requests); a day at ≥2× the median daily cost of the 7 days before it (and ≥$1 above it).</p>
<h2>Price coverage</h2>
<p>${cov.share === null ? 'The period has no tokens to price.' : `${formatPct(cov.share, 2)} of the period's ${formatInt(cov.tokens)} tokens were priced.`}</p>
${
  cov.unpriced.length
    ? `<table><tr><th>Model (invocations with an unpriced part)</th><th class="n">Requests</th><th class="n">Unpriced tokens</th></tr>${cov.unpriced.map((u) => `<tr><td>${esc(u.model)}</td><td class="n">${formatInt(u.requests)}</td><td class="n">${formatInt(u.tokens)}</td></tr>`).join('')}</table>
<p class="note">Give these models a price (a prices file; application-inference-profile ARNs need a mapping to their model) and run <code>npx bedrock-insights prices reprice</code>.</p>`
    : ''
}
<p class="note">Generated ${esc(iso(d.generatedAt))}. Costs are list prices computed per invocation from the logs; they are not the bill (use <code>bedrock-insights reconcile</code> to compare with it).</p>`;
  return htmlDocument(`Bedrock usage and cost ${d.period.label}`, body);
}
