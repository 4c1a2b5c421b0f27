import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { buildChargeback, parseUntaggedRule } from '../../reports/chargeback.js';
import { openReportContext } from '../../reports/context.js';
import { currentMonthLabel, parseMonth } from '../../reports/period.js';
import { renderStatement, type StatementFormat } from '../../reports/statement-render.js';
import { BiError } from '../../util/errors.js';

interface Flags {
  by: string;
  month?: string;
  format?: string;
  untagged?: string;
  db?: string;
  out?: string;
  logGroup?: string[];
}

export function statementFormat(f: string | undefined): StatementFormat {
  const v = f ?? 'table';
  if (v === 'table' || v === 'csv' || v === 'html' || v === 'json') return v;
  throw new BiError('INVALID_ARGUMENT', `--format must be table, csv, html or json, not "${f}".`);
}

export function registerChargeback(program: Command): void {
  program
    .command('chargeback')
    .description(
      "A chargeback/showback statement for a month: tokens, requests and cost per owner and model, adding up exactly to the month's total.",
    )
    .requiredOption(
      '--by <key>',
      'owner key: cost_center, tenant_id, application_name, team, identity.arn or any request-metadata key',
    )
    .option('--month <yyyy-mm>', 'the UTC month (default: the current month)')
    .option('--untagged <rule>', 'spend without the key: own (its own line), proportional, or owner:NAME', 'own')
    .option('--format <format>', 'table, csv, html or json', 'table')
    .option('--out <file>', 'write the statement to a file instead of standard output')
    .option('--log-group <name...>', 'only these log groups (default: all)')
    .option('--db <file>', 'the store (default: $BEDROCK_INSIGHTS_DB or ~/.bedrock-insights/store.duckdb)')
    .addHelpText(
      'after',
      `
Amounts are rounded to cents with the largest-remainder rule: owners and their models add up exactly
to the month's total. Tokens of models without a price are listed as unpriced, never as $0.
Examples:
  bedrock-insights chargeback --by cost_center --month 2026-10
  bedrock-insights chargeback --by tenant_id --month 2026-10 --untagged proportional --format csv > oct.csv
  bedrock-insights chargeback --by team --month 2026-10 --untagged owner:platform --format html --out oct.html`,
    )
    .action(async (flags: Flags) => {
      const format = statementFormat(flags.format);
      const period = parseMonth(flags.month ?? currentMonthLabel());
      const rule = parseUntaggedRule(flags.untagged);
      const ctx = await openReportContext(flags.db);
      try {
        const s = await buildChargeback(ctx.engine, {
          by: flags.by,
          period,
          untagged: rule,
          ...(flags.logGroup ? { logGroups: flags.logGroup } : {}),
        });
        const text = renderStatement(s, format);
        if (flags.out) {
          writeFileSync(flags.out, text);
          process.stderr.write(
            `Wrote the ${s.period.label} statement by ${s.by} (${s.owners.length} owners) to ${flags.out}\n`,
          );
        } else process.stdout.write(text);
      } finally {
        await ctx.close();
      }
    });
}
