import { csvLine } from './html.js';
import { centsDecimal, formatCents, formatInt, formatUsd } from '../contracts/money.js';
import type { Allocation, Reconciliation } from './reconcile.js';
import { abbreviateModelId } from '../contracts/model-names.js';
import { table } from '../util/text-table.js';

export type ReconFormat = 'table' | 'csv' | 'json';

/** Display currency: cents, or 4 decimals below a cent (CSV and JSON keep the full figures). */
const usd4 = formatUsd;

export function renderReconciliation(
  r: Reconciliation,
  format: ReconFormat,
  allocation?: Allocation,
  opts: { daily?: boolean } = {},
): string {
  if (format === 'json') return `${JSON.stringify({ ...r, ...(allocation ? { allocation } : {}) }, null, 2)}\n`;
  if (format === 'csv') {
    const out = [
      csvLine([
        'day',
        'model',
        'status',
        'billed_usd',
        'computed_usd',
        'variance_usd',
        'requests',
        'unpriced_requests',
        'unpriced_tokens',
        'bill_labels',
      ]),
    ];
    for (const l of r.lines)
      out.push(
        csvLine([
          l.day,
          l.model,
          l.status,
          l.billed.toFixed(6),
          l.computed.toFixed(6),
          l.variance.toFixed(6),
          l.requests,
          l.unpricedRequests,
          l.unpricedTokens,
          l.billLabels.join(' '),
        ]),
      );
    for (const a of r.adjustments)
      out.push(
        csvLine(['', a.label, `adjustment:${a.lineType}`, a.cost.toFixed(6), '0', a.cost.toFixed(6), '', '', '', '']),
      );
    if (allocation) {
      out.push('', csvLine(['owner', 'computed_usd', 'share', 'allocated_billed_usd']));
      for (const o of allocation.owners)
        out.push(
          csvLine([o.owner, centsDecimal(o.computedCents), o.weight.toFixed(6), centsDecimal(o.allocatedCents)]),
        );
      out.push(csvLine(['TOTAL', '', '', centsDecimal(allocation.billedCents)]));
    }
    return `${out.join('\n')}\n`;
  }
  const t = r.totals;
  const e = t.explained;
  const pc = r.periodCoverage;
  const out = [
    ...(pc.state === 'empty'
      ? [
          `NO LOGGED DATA in ${r.period.label}: ${pc.label.replace(/^no data[^:]*: /, '')}; the whole bill shows as "billed, no logged invocations".`,
          '',
        ]
      : pc.state === 'partial'
        ? [`Partial period: ${pc.label.replace(/^partial: /, '')}.`, '']
        : []),
    `Reconciliation ${r.period.label}: ${r.bill.file} (${r.bill.format}, ${formatInt(r.bill.lines)} Bedrock lines${r.bill.skippedOtherServices ? `, ${formatInt(r.bill.skippedOtherServices)} lines of other services ignored` : ''})`,
    '',
    `Billed:            ${usd4(t.billed)}  (usage ${usd4(t.billedUsage)}, credits/discounts/tax ${usd4(t.adjustments)})`,
    `Computed from logs: ${usd4(t.computed)}${t.unpricedTokens ? ` + ${formatInt(t.unpricedTokens)} unpriced tokens (no price in the book: not in this figure)` : ''}`,
    `Variance:          ${usd4(t.variance)}  (billed - computed)`,
    `  credits, discounts, tax:             ${usd4(e.adjustments)}`,
    `  billed, no logged invocations:       ${usd4(e.billedOnly)}  (logging off, other regions/accounts, or unmapped bill lines)`,
    `  logged, not on the bill:             ${usd4(e.loggedOnly)}`,
    `  cells with unpriced invocations:     ${usd4(e.unpriced)}  (the book has no price for some of their tokens)`,
    `  UNEXPLAINED remainder:               ${usd4(t.unexplained)}  (matched, fully priced days and models)`,
    '',
    'Per model:',
    table(
      ['MODEL', 'BILLED', 'COMPUTED', 'VARIANCE', 'STATUS'],
      r.byModel.map((m) => [abbreviateModelId(m.model), usd4(m.billed), usd4(m.computed), usd4(m.variance), m.status]),
      [false, true, true, true, false],
    ),
  ];
  if (opts.daily) {
    out.push(
      '',
      'Per day and model:',
      table(
        ['DAY', 'MODEL', 'BILLED', 'COMPUTED', 'VARIANCE', 'STATUS'],
        r.lines.map((l) => [
          l.day,
          abbreviateModelId(l.model),
          usd4(l.billed),
          usd4(l.computed),
          usd4(l.variance),
          l.status,
        ]),
        [false, false, true, true, true, false],
      ),
    );
  } else {
    const worst = [...r.lines]
      .filter((l) => l.status === 'matched')
      .sort((a, b) => Math.abs(b.variance) - Math.abs(a.variance))
      .slice(0, 5)
      .filter((l) => Math.abs(l.variance) >= 0.005);
    if (worst.length)
      out.push(
        '',
        'Largest unexplained day/model variances (all of them: --daily):',
        table(
          ['DAY', 'MODEL', 'BILLED', 'COMPUTED', 'VARIANCE'],
          worst.map((l) => [l.day, abbreviateModelId(l.model), usd4(l.billed), usd4(l.computed), usd4(l.variance)]),
          [false, false, true, true, true],
        ),
      );
  }
  if (r.unmappedLabels.length)
    out.push(
      '',
      `Bill lines with no logged model (map them with --map FILE, {"<usage type>": "<model id>"}): ${r.unmappedLabels.join(', ')}`,
    );
  if (allocation) {
    out.push(
      '',
      `Billed amount ${formatCents(allocation.billedCents)} allocated by ${allocation.by} in proportion to computed cost:`,
      table(
        ['OWNER', 'COMPUTED', 'SHARE', 'ALLOCATED'],
        [
          ...allocation.owners.map((o) => [
            o.owner,
            formatCents(o.computedCents),
            `${(o.weight * 100).toFixed(2)}%`,
            formatCents(o.allocatedCents),
          ]),
          ['TOTAL', '', '', formatCents(allocation.billedCents)],
        ],
        [false, true, true, true],
      ),
    );
  }
  return `${out.join('\n')}\n`;
}
