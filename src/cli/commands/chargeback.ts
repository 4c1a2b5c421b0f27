import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { buildChargeback, parseUntaggedRule, type Statement } from '../../reports/chargeback.js';
import { openReportContext } from '../../reports/context.js';
import { currentMonthLabel, parseMonth } from '../../reports/period.js';
import { renderStatement, type StatementFormat } from '../../reports/statement-render.js';
import { BiError } from '../../util/errors.js';
import { setExitCode } from '../exit.js';

interface Flags {
  by: string;
  month?: string;
  format?: string;
  untagged?: string;
  db?: string;
  out?: string;
  logGroup?: string[];
  strict?: boolean;
  wide?: boolean;
}

/**
 * What a FinOps run left unattended must not miss, on standard error: a period without data, a
 * partial period, an owner key no invocation has. With --strict the first and the last make the
 * exit status 1, so a scheduled job fails instead of mailing a $0 or a 100%-untagged statement.
 */
export function statementWarnings(s: Statement): { lines: string[]; fatal: boolean } {
  const lines: string[] = [];
  let fatal = false;
  const pc = s.periodCoverage;
  if (pc.state === 'empty') {
    lines.push(`warning: no invocations in ${s.period.label}; ${pc.label.replace(/^no data[^:]*: /, '')}.`);
    fatal = true;
  } else if (pc.state === 'partial') lines.push(`note: ${s.period.label} is ${pc.label}.`);
  if (s.ownerKey?.warning) {
    lines.push(`warning: ${s.ownerKey.warning}`);
    fatal = true;
  }
  return { lines, fatal };
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
    .option('--strict', 'exit 1 when the month has no data or no invocation has the --by key (for scheduled runs)')
    .option('--wide', 'table: full model ids and exact token counts (CSV and JSON always have them)')
    .addHelpText(
      'after',
      `
Amounts are rounded to cents with the largest-remainder rule: owners and their models add up exactly
to the month's total. Tokens of models without a price are listed as unpriced, never as $0.
A month without data, or a --by key no invocation has (with the keys that exist and a did-you-mean),
is reported on standard error; --strict makes either one exit 1.
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
          knownFields: await ctx.knownFields(flags.logGroup),
          ...(flags.logGroup ? { logGroups: flags.logGroup } : {}),
        });
        const warnings = statementWarnings(s);
        for (const w of warnings.lines) process.stderr.write(`${w}\n`);
        if (warnings.fatal && flags.strict) setExitCode(1);
        const text = renderStatement(s, format, { wide: flags.wide === true });
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
