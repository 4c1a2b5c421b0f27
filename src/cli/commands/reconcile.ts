import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { readBill } from '../../reports/bill.js';
import { buildChargeback, parseUntaggedRule } from '../../reports/chargeback.js';
import { parseMonth, parsePeriod, type Period } from '../../reports/period.js';
import { allocateBill, reconcile } from '../../reports/reconcile.js';
import { renderReconciliation, type ReconFormat } from '../../reports/recon-render.js';
import { BiError } from '../../util/errors.js';
import { EXIT, setExitCode } from '../exit.js';
import { dbOption, formatOption, logGroupsOption } from '../options.js';
import { out } from '../output.js';
import { withReportContext } from '../report-context.js';

interface Flags {
  bill: string;
  month?: string;
  period?: string;
  allocate?: boolean;
  by?: string;
  untagged?: string;
  format: ReconFormat;
  daily?: boolean;
  map?: string;
  db?: string;
  out?: string;
  logGroup?: string[];
  strict?: boolean;
}

function billPeriod(days: string[]): Period {
  if (days.length === 0)
    throw new BiError('BILL_EMPTY', 'The bill has no Amazon Bedrock lines; pass --month to reconcile a month anyway.');
  const months = [...new Set(days.map((d) => d.slice(0, 7)))].sort();
  if (months.length > 1)
    throw new BiError(
      'INVALID_ARGUMENT',
      `The bill covers ${months.join(', ')}; choose one with --month (or a quarter with --period).`,
    );
  return parseMonth(months[0]);
}

function modelMap(file: string | undefined): Record<string, string> | undefined {
  if (!file) return undefined;
  try {
    const m = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    if (!m || typeof m !== 'object' || Array.isArray(m) || Object.values(m).some((v) => typeof v !== 'string'))
      throw new Error('expected {"<bill usage type or model name>": "<model id>"}');
    return m as Record<string, string>;
  } catch (e) {
    throw new BiError('INVALID_ARGUMENT', `--map ${file}: ${(e as Error).message}`);
  }
}

export function registerReconcile(program: Command): void {
  program
    .command('reconcile')
    .description(
      'Compare the real bill (Cost Explorer CSV export, or CUR 2.0 Bedrock line items as CSV or Parquet) with the cost computed from the logs, per day and model.',
    )
    .requiredOption('--bill <file>', 'the bill: Cost Explorer CSV, or CUR 2.0 .csv/.parquet')
    .option('--month <yyyy-mm>', 'the UTC month (default: the month the bill covers)')
    .option('--period <period>', 'a month or a quarter (2026-Q3) instead of --month')
    .option('--allocate', 'distribute the billed amount to owners in proportion to their computed cost')
    .option('--by <key>', 'owner key for --allocate (default cost_center)', 'cost_center')
    .option('--untagged <rule>', 'untagged spend for --allocate: own, proportional or owner:NAME', 'own')
    .option(
      '--map <file>',
      'JSON {"<bill usage type or model name>": "<model id>"} for bill lines the automatic mapping misses',
    )
    .option('--daily', 'list every day and model (table format)')
    .addOption(formatOption(['table', 'csv', 'json']))
    .option('--out <file>', 'write to a file instead of standard output')
    .addOption(logGroupsOption())
    .addOption(dbOption('write'))
    .option('--strict', 'exit 1 when the store has no logged invocation in the period')
    .addHelpText(
      'after',
      `
The variance (billed - computed) is split into what explains it: credits/discounts/tax, billed days
and models with no logged invocations, logged ones not on the bill, and days/models with unpriced
invocations. What is left is the unexplained remainder.
Examples:
  npx bedrock-insights reconcile --bill cur-2026-10.parquet
  npx bedrock-insights reconcile --bill costexplorer.csv --month 2026-10 --allocate --by tenant_id`,
    )
    .action(async (flags: Flags) => {
      const map = modelMap(flags.map);
      await withReportContext(flags, async (ctx) => {
        const bill = await readBill(ctx.store, flags.bill);
        const period = flags.period
          ? parsePeriod(flags.period)
          : flags.month
            ? parseMonth(flags.month)
            : billPeriod(bill.lines.map((l) => l.day));
        const lg = flags.logGroup ? { logGroups: flags.logGroup } : {};
        const rec = await reconcile(ctx.engine, bill, { period, ...lg, ...(map ? { modelMap: map } : {}) });
        if (rec.periodCoverage.state === 'empty') {
          process.stderr.write(
            `warning: no logged invocations in ${period.label}; ${rec.periodCoverage.label.replace(/^no data[^:]*: /, '')}. Check --db and --month.\n`,
          );
          if (flags.strict) setExitCode(EXIT.FAILED);
        }
        const allocation = flags.allocate
          ? allocateBill(
              rec,
              await buildChargeback(ctx.engine, {
                by: flags.by ?? 'cost_center',
                period,
                untagged: parseUntaggedRule(flags.untagged),
                ...lg,
              }),
            )
          : undefined;
        const text = renderReconciliation(rec, flags.format, allocation, { daily: Boolean(flags.daily) });
        if (flags.out) writeFileSync(flags.out, text);
        else out(text);
      });
    });
}
