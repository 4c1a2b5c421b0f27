import { describeRule, type OwnerStatement, type Statement } from './chargeback.js';
import { csvLine, esc, htmlDocument } from './html.js';
import { shortModelNames } from '../contracts/model-names.js';
import { centsDecimal, formatCents, formatCompact, formatInt, formatPct } from '../contracts/money.js';
import { iso } from './period.js';
import { table } from '../util/text-table.js';

/** Chargeback statements as text (table), CSV and a self-contained HTML page. */

export type StatementFormat = 'table' | 'csv' | 'html' | 'json';

export interface RenderOptions {
  /** Table: full model ids and exact token counts (wider than a terminal). */
  wide?: boolean;
}

export function renderStatement(s: Statement, format: StatementFormat, opts: RenderOptions = {}): string {
  if (format === 'csv') return statementCsv(s);
  if (format === 'html') return statementHtml(s);
  if (format === 'json') return `${JSON.stringify(s, null, 2)}\n`;
  return statementTable(s, opts);
}

/** What a line's amount leaves out: "+8.4M tokens unpriced" (the statement's amounts never include them). */
function unpricedNote(u: { unpricedRequests: number; unpricedTokens: number }, exact = false): string {
  if (u.unpricedRequests === 0) return '';
  return `+${exact ? formatInt(u.unpricedTokens) : formatCompact(u.unpricedTokens)} tokens unpriced`;
}

/** A line whose every invocation is unpriced says so instead of showing $0.00. */
function lineCost(m: { cents: number; requests: number; pricedRequests: number }): string {
  return m.requests > 0 && m.pricedRequests === 0 && m.cents === 0 ? 'unpriced' : formatCents(m.cents);
}

function ownerTitle(o: OwnerStatement): string {
  if (o.kind === 'default') return `${o.owner} (default owner; no tagged spend)`;
  return o.owner;
}

function headerLines(s: Statement): string[] {
  const pc = s.periodCoverage;
  const lines = [
    `Chargeback statement ${s.period.label} by ${s.by} (${s.field})`,
    `Period: ${iso(s.period.start)} .. ${iso(s.period.end)} (UTC)${pc.state === 'partial' ? `; ${pc.label}` : ''}`,
    `Rule: ${describeRule(s.rule)}`,
  ];
  if (pc.state === 'empty')
    lines.push(`NO DATA: no invocations in ${s.period.label}; ${pc.label.replace(/^no data[^:]*: /, '')}.`);
  if (s.ownerKey?.warning) lines.push(`WARNING: ${s.ownerKey.warning}`);
  else if (s.ownerKey && s.usage.requests > 0)
    lines.push(`Owner key: ${s.field} is set on ${formatPct(s.ownerKey.share)} of the period's invocations.`);
  lines.push(
    `Total: ${formatCents(s.totalCents)}   Requests: ${formatInt(s.usage.requests)}   Untagged spend: ${formatCents(s.untagged.cents)} (${formatPct(s.untagged.share)} of cost, ${formatInt(s.untagged.usage.requests)} requests)`,
    `Price coverage: ${formatPct(s.coverage.share, 2)} of tokens priced${s.coverage.unpricedTokens ? `; UNPRICED: ${formatInt(s.coverage.unpricedTokens)} tokens in ${formatInt(s.coverage.unpricedRequests)} requests are not in any amount below (no price known)` : ''}`,
  );
  return lines;
}

/**
 * The statement as a terminal table: abbreviated model ids and compact token counts so that it
 * fits 120 columns (`wide`: full ids and exact counts; CSV and JSON always have them).
 */
export function statementTable(s: Statement, opts: RenderOptions = {}): string {
  const wide = opts.wide === true;
  const names = wide
    ? new Map<string, string>()
    : shortModelNames(s.owners.flatMap((o) => o.models.map((m) => m.model)));
  const model = (id: string): string => names.get(id) ?? id;
  const tok = wide ? formatInt : formatCompact;
  const rows: string[][] = [];
  for (const o of s.owners) {
    rows.push([
      ownerTitle(o),
      '',
      formatInt(o.usage.requests),
      tok(o.usage.inputTokens),
      tok(o.usage.outputTokens),
      tok(o.usage.cacheReadTokens),
      tok(o.usage.cacheWriteTokens),
      formatCents(o.totalCents),
      unpricedNote(o, wide),
    ]);
    for (const m of o.models) {
      rows.push([
        '',
        model(m.model),
        formatInt(m.requests),
        tok(m.inputTokens),
        tok(m.outputTokens),
        tok(m.cacheReadTokens),
        tok(m.cacheWriteTokens),
        lineCost(m),
        unpricedNote(m, wide),
      ]);
    }
    if (o.untaggedCents !== 0 || (s.rule.kind !== 'own' && o.kind === 'default')) {
      rows.push([
        '',
        s.rule.kind === 'proportional' ? 'share of untagged (proportional)' : 'untagged spend (default owner)',
        '',
        '',
        '',
        '',
        '',
        formatCents(o.untaggedCents),
        '',
      ]);
    }
  }
  rows.push([
    'TOTAL',
    '',
    formatInt(s.usage.requests),
    tok(s.usage.inputTokens),
    tok(s.usage.outputTokens),
    tok(s.usage.cacheReadTokens),
    tok(s.usage.cacheWriteTokens),
    formatCents(s.totalCents),
    unpricedNote(s.coverage, wide),
  ]);
  const out = [
    ...headerLines(s),
    '',
    table(['OWNER', 'MODEL', 'REQUESTS', 'INPUT', 'OUTPUT', 'CACHE RD', 'CACHE WR', 'COST', 'NOTE'], rows, [
      false,
      false,
      true,
      true,
      true,
      true,
      true,
      true,
      false,
    ]),
  ];
  if (s.coverage.unpriced.length) {
    out.push(
      '',
      'Unpriced (no price in the book; add one with a prices file, see `npx bedrock-insights prices check`):',
    );
    for (const u of s.coverage.unpriced)
      out.push(`  ${u.model}: ${formatInt(u.requests)} requests, ${formatInt(u.tokens)} tokens`);
  }
  if (!wide && [...names].some(([id, short]) => id !== short))
    out.push(
      '',
      'Model ids are abbreviated (provider, date and version left out); --wide, CSV and JSON show them in full.',
    );
  return `${out.join('\n')}\n`;
}

/**
 * One row per owner x model line (plus untagged-share rows), then a TOTAL row; cost_usd columns
 * add up exactly to the TOTAL. Header comment lines are avoided so spreadsheets read it as is.
 */
export function statementCsv(s: Statement): string {
  const lines = [
    csvLine([
      'period',
      'owner_key',
      'owner',
      'owner_kind',
      'line',
      'model',
      'requests',
      'input_tokens',
      'output_tokens',
      'cache_read_tokens',
      'cache_write_tokens',
      'unpriced_requests',
      'unpriced_tokens',
      'cost_usd',
    ]),
  ];
  for (const o of s.owners) {
    for (const m of o.models) {
      lines.push(
        csvLine([
          s.period.label,
          s.by,
          o.owner,
          o.kind,
          'usage',
          m.model,
          m.requests,
          m.inputTokens,
          m.outputTokens,
          m.cacheReadTokens,
          m.cacheWriteTokens,
          m.unpricedRequests,
          m.unpricedTokens,
          centsDecimal(m.cents),
        ]),
      );
    }
    if (o.untaggedCents !== 0 || (o.kind === 'default' && o.models.length === 0)) {
      lines.push(
        csvLine([
          s.period.label,
          s.by,
          o.owner,
          o.kind,
          s.rule.kind === 'proportional' ? 'untagged-share' : 'untagged-default-owner',
          '',
          '',
          '',
          '',
          '',
          '',
          '',
          '',
          centsDecimal(o.untaggedCents),
        ]),
      );
    }
  }
  const u = s.usage;
  lines.push(
    csvLine([
      s.period.label,
      s.by,
      'TOTAL',
      'total',
      'total',
      '',
      u.requests,
      u.inputTokens,
      u.outputTokens,
      u.cacheReadTokens,
      u.cacheWriteTokens,
      s.coverage.unpricedRequests,
      s.coverage.unpricedTokens,
      centsDecimal(s.totalCents),
    ]),
  );
  return `${lines.join('\n')}\n`;
}

export function statementHtml(s: Statement): string {
  const num = (n: number): string => `<td class="n">${formatInt(n)}</td>`;
  const names = shortModelNames(s.owners.flatMap((o) => o.models.map((m) => m.model)));
  const modelCell = (id: string): string => `<td class="model" title="${esc(id)}">${esc(names.get(id) ?? id)}</td>`;
  const rows: string[] = [];
  for (const o of s.owners) {
    rows.push(
      `<tr class="owner"><td colspan="2">${esc(ownerTitle(o))}</td>${num(o.usage.requests)}${num(o.usage.inputTokens)}${num(o.usage.outputTokens)}${num(o.usage.cacheReadTokens)}${num(o.usage.cacheWriteTokens)}<td class="n">${formatCents(o.totalCents)}</td><td class="warn">${esc(unpricedNote(o, true))}</td></tr>`,
    );
    for (const m of o.models) {
      rows.push(
        `<tr><td></td>${modelCell(m.model)}${num(m.requests)}${num(m.inputTokens)}${num(m.outputTokens)}${num(m.cacheReadTokens)}${num(m.cacheWriteTokens)}<td class="n">${lineCost(m)}</td><td class="warn">${esc(unpricedNote(m, true))}</td></tr>`,
      );
    }
    if (o.untaggedCents !== 0 || (o.kind === 'default' && o.models.length === 0)) {
      rows.push(
        `<tr class="minor"><td></td><td>${s.rule.kind === 'proportional' ? 'share of untagged spend (proportional)' : 'untagged spend (default owner)'}</td><td colspan="5"></td><td class="n">${formatCents(o.untaggedCents)}</td><td></td></tr>`,
      );
    }
  }
  const u = s.usage;
  rows.push(
    `<tr class="total"><td colspan="2">Total</td>${num(u.requests)}${num(u.inputTokens)}${num(u.outputTokens)}${num(u.cacheReadTokens)}${num(u.cacheWriteTokens)}<td class="n" data-total-cents="${s.totalCents}">${formatCents(s.totalCents)}</td><td class="warn">${esc(unpricedNote(s.coverage, true))}</td></tr>`,
  );
  const unpriced = s.coverage.unpriced.length
    ? `<h2>Unpriced usage</h2><p class="warn">These tokens have no price in the book, so no amount above includes them (they are not free). Add prices with a prices file; <code>npx bedrock-insights prices check</code> lists them.</p>
<table><tr><th>Model</th><th class="n">Requests</th><th class="n">Tokens</th></tr>${s.coverage.unpriced.map((x) => `<tr><td>${esc(x.model)}</td>${num(x.requests)}${num(x.tokens)}</tr>`).join('')}</table>`
    : '';
  const untaggedDetail = s.untagged.models.length
    ? `<h2>Untagged spend</h2><p>${formatCents(s.untagged.cents)} (${formatPct(s.untagged.share)} of cost, ${formatInt(s.untagged.usage.requests)} requests) had no <code>${esc(s.field)}</code>. Rule: ${esc(describeRule(s.rule))}.</p>
<table><tr><th>Model</th><th class="n">Requests</th><th class="n">Tokens in/out</th><th class="n">Cost</th></tr>${s.untagged.models.map((m) => `<tr>${modelCell(m.model)}${num(m.requests)}<td class="n">${formatInt(m.inputTokens)} / ${formatInt(m.outputTokens)}</td><td class="n">${lineCost(m)}</td></tr>`).join('')}</table>`
    : '';
  const pc = s.periodCoverage;
  const notices = [
    pc.state === 'empty'
      ? `<p class="warn" data-notice="empty">No invocations in ${esc(s.period.label)}: ${esc(pc.label.replace(/^no data[^:]*: /, ''))}.</p>`
      : '',
    pc.state === 'partial'
      ? `<p class="warn" data-notice="partial">Partial period: ${esc(pc.label.replace(/^partial: /, ''))}.</p>`
      : '',
    s.ownerKey?.warning ? `<p class="warn" data-notice="owner-key">${esc(s.ownerKey.warning)}</p>` : '',
  ].join('');
  const body = `<h1>Chargeback statement ${esc(s.period.label)}</h1>
<p class="sub">By <b>${esc(s.by)}</b> (<code>${esc(s.field)}</code>) · ${esc(iso(s.period.start))} to ${esc(iso(s.period.end))} UTC · ${esc(describeRule(s.rule))}</p>
${notices}
<div class="kpis">
<div class="kpi"><div class="l">Total cost</div><div class="v">${formatCents(s.totalCents)}</div></div>
<div class="kpi"><div class="l">Requests</div><div class="v">${formatInt(s.usage.requests)}</div></div>
<div class="kpi"><div class="l">Untagged spend</div><div class="v">${formatCents(s.untagged.cents)}</div><div class="d">${formatPct(s.untagged.share)} of cost</div></div>
<div class="kpi"><div class="l">Price coverage</div><div class="v">${formatPct(s.coverage.share, 1)}</div><div class="d">${formatInt(s.coverage.unpricedTokens)} tokens unpriced</div></div>
</div>
<table><tr><th>Owner</th><th>Model</th><th class="n">Requests</th><th class="n">Input</th><th class="n">Output</th><th class="n">Cache read</th><th class="n">Cache write</th><th class="n">Cost</th><th>Note</th></tr>
${rows.join('\n')}</table>
<p class="note">Amounts are rounded to cents with the largest-remainder rule, so owners and models add up exactly to the total. Generated ${esc(iso(s.generatedAt))} by bedrock-insights.</p>
${untaggedDetail}
${unpriced}`;
  return htmlDocument(`Chargeback ${s.period.label} by ${s.by}`, body);
}
