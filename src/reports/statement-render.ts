import { describeRule, type OwnerStatement, type Statement } from './chargeback.js';
import { csvLine, esc, htmlDocument } from './html.js';
import { centsDecimal, formatCents, formatInt, formatPct } from './money.js';
import { iso } from './period.js';

/** Chargeback statements as text (table), CSV and a self-contained HTML page. */

export type StatementFormat = 'table' | 'csv' | 'html' | 'json';

export function renderStatement(s: Statement, format: StatementFormat): string {
  if (format === 'csv') return statementCsv(s);
  if (format === 'html') return statementHtml(s);
  if (format === 'json') return `${JSON.stringify(s, null, 2)}\n`;
  return statementTable(s);
}

function table(header: string[], rows: string[][], numeric: boolean[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function unpricedNote(requests: number, tokens: number): string {
  return requests > 0 ? `${formatInt(tokens)} tokens unpriced` : '';
}

/** A line whose every invocation is unpriced says so instead of showing $0.00. */
function lineCost(m: { cents: number; requests: number; unpricedRequests: number }): string {
  return m.unpricedRequests > 0 && m.unpricedRequests === m.requests && m.cents === 0
    ? 'unpriced'
    : formatCents(m.cents);
}

function ownerTitle(o: OwnerStatement): string {
  if (o.kind === 'untagged') return `${o.owner} (no tag)`;
  if (o.kind === 'default') return `${o.owner} (default owner; no tagged spend)`;
  return o.owner;
}

function headerLines(s: Statement): string[] {
  return [
    `Chargeback statement ${s.period.label} by ${s.by} (${s.field})`,
    `Period: ${iso(s.period.start)} .. ${iso(s.period.end)} (UTC)   Rule: ${describeRule(s.rule)}`,
    `Total: ${formatCents(s.totalCents)}   Requests: ${formatInt(s.usage.requests)}   Untagged spend: ${formatCents(s.untagged.cents)} (${formatPct(s.untagged.share)} of cost, ${formatInt(s.untagged.usage.requests)} requests)`,
    `Price coverage: ${formatPct(s.coverage.share, 2)} of tokens priced${s.coverage.unpricedTokens ? `; UNPRICED: ${formatInt(s.coverage.unpricedTokens)} tokens in ${formatInt(s.coverage.unpricedRequests)} requests are not in any amount below (no price known)` : ''}`,
  ];
}

export function statementTable(s: Statement): string {
  const rows: string[][] = [];
  for (const o of s.owners) {
    rows.push([
      ownerTitle(o),
      '',
      formatInt(o.usage.requests),
      formatInt(o.usage.inputTokens),
      formatInt(o.usage.outputTokens),
      formatInt(o.usage.cacheReadTokens),
      formatInt(o.usage.cacheWriteTokens),
      formatCents(o.totalCents),
      unpricedNote(o.unpricedRequests, o.unpricedTokens),
    ]);
    for (const m of o.models) {
      rows.push([
        '',
        m.model,
        formatInt(m.requests),
        formatInt(m.inputTokens),
        formatInt(m.outputTokens),
        formatInt(m.cacheReadTokens),
        formatInt(m.cacheWriteTokens),
        lineCost(m),
        m.unpricedRequests ? `unpriced: ${formatInt(m.unpricedTokens)} tokens` : '',
      ]);
    }
    if (o.untaggedCents !== 0 || (s.rule.kind !== 'own' && o.kind === 'default')) {
      rows.push([
        '',
        s.rule.kind === 'proportional' ? 'share of untagged spend (proportional)' : 'untagged spend (default owner)',
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
    formatInt(s.usage.inputTokens),
    formatInt(s.usage.outputTokens),
    formatInt(s.usage.cacheReadTokens),
    formatInt(s.usage.cacheWriteTokens),
    formatCents(s.totalCents),
    unpricedNote(s.coverage.unpricedRequests, s.coverage.unpricedTokens),
  ]);
  const out = [
    ...headerLines(s),
    '',
    table(['OWNER', 'MODEL', 'REQUESTS', 'INPUT', 'OUTPUT', 'CACHE READ', 'CACHE WRITE', 'COST', 'NOTE'], rows, [
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
    out.push('', 'Unpriced (no price in the book; add one with a prices file, see `bedrock-insights prices check`):');
    for (const u of s.coverage.unpriced)
      out.push(`  ${u.model}: ${formatInt(u.requests)} requests, ${formatInt(u.tokens)} tokens`);
  }
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
  const rows: string[] = [];
  for (const o of s.owners) {
    rows.push(
      `<tr class="owner"><td colspan="2">${esc(ownerTitle(o))}</td>${num(o.usage.requests)}${num(o.usage.inputTokens)}${num(o.usage.outputTokens)}${num(o.usage.cacheReadTokens)}${num(o.usage.cacheWriteTokens)}<td class="n">${formatCents(o.totalCents)}</td><td>${esc(unpricedNote(o.unpricedRequests, o.unpricedTokens))}</td></tr>`,
    );
    for (const m of o.models) {
      rows.push(
        `<tr><td></td><td>${esc(m.model)}</td>${num(m.requests)}${num(m.inputTokens)}${num(m.outputTokens)}${num(m.cacheReadTokens)}${num(m.cacheWriteTokens)}<td class="n">${lineCost(m)}</td><td class="warn">${m.unpricedRequests ? `unpriced: ${formatInt(m.unpricedTokens)} tokens` : ''}</td></tr>`,
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
    `<tr class="total"><td colspan="2">Total</td>${num(u.requests)}${num(u.inputTokens)}${num(u.outputTokens)}${num(u.cacheReadTokens)}${num(u.cacheWriteTokens)}<td class="n" data-total-cents="${s.totalCents}">${formatCents(s.totalCents)}</td><td>${esc(unpricedNote(s.coverage.unpricedRequests, s.coverage.unpricedTokens))}</td></tr>`,
  );
  const unpriced = s.coverage.unpriced.length
    ? `<h2>Unpriced usage</h2><p class="warn">These tokens have no price in the book, so no amount above includes them (they are not free). Add prices with a prices file; <code>bedrock-insights prices check</code> lists them.</p>
<table><tr><th>Model</th><th class="n">Requests</th><th class="n">Tokens</th></tr>${s.coverage.unpriced.map((x) => `<tr><td>${esc(x.model)}</td>${num(x.requests)}${num(x.tokens)}</tr>`).join('')}</table>`
    : '';
  const untaggedDetail = s.untagged.models.length
    ? `<h2>Untagged spend</h2><p>${formatCents(s.untagged.cents)} (${formatPct(s.untagged.share)} of cost, ${formatInt(s.untagged.usage.requests)} requests) had no <code>${esc(s.field)}</code>. Rule: ${esc(describeRule(s.rule))}.</p>
<table><tr><th>Model</th><th class="n">Requests</th><th class="n">Tokens in/out</th><th class="n">Cost</th></tr>${s.untagged.models.map((m) => `<tr><td>${esc(m.model)}</td>${num(m.requests)}<td class="n">${formatInt(m.inputTokens)} / ${formatInt(m.outputTokens)}</td><td class="n">${formatCents(m.cents)}</td></tr>`).join('')}</table>`
    : '';
  const body = `<h1>Chargeback statement ${esc(s.period.label)}</h1>
<p class="sub">By <b>${esc(s.by)}</b> (<code>${esc(s.field)}</code>) · ${esc(iso(s.period.start))} to ${esc(iso(s.period.end))} UTC · ${esc(describeRule(s.rule))}</p>
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
