import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { buildChargeback, parseUntaggedRule, type Statement } from '../../reports/chargeback.js';
import { currentMonthLabel, parseMonth } from '../../reports/period.js';
import { renderStatement, type StatementFormat } from '../../reports/statement-render.js';
import { EXIT, setExitCode } from '../exit.js';
import { dbOption, formatOption, logGroupsOption } from '../options.js';
import { withReportContext } from '../report-context.js';

interface Flags {
  by: string;
  month?: string;
  format: StatementFormat;
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
    .addOption(formatOption(['table', 'csv', 'html', 'json']))
    .option('--out <file>', 'write the statement to a file instead of standard output')
    .addOption(logGroupsOption())
    .addOption(dbOption('write'))
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
  npx bedrock-insights chargeback --by cost_center --month 2026-10
  npx bedrock-insights chargeback --by tenant_id --month 2026-10 --untagged proportional --format csv > oct.csv
  npx bedrock-insights chargeback --by team --month 2026-10 --untagged owner:platform --format html --out oct.html`,
    )
    .action(async (flags: Flags) => {
      const period = parseMonth(flags.month ?? currentMonthLabel());
      const rule = parseUntaggedRule(flags.untagged);
      await withReportContext(flags, async (ctx) => {
        const s = await buildChargeback(ctx.engine, {
          by: flags.by,
          period,
          untagged: rule,
          knownFields: await ctx.knownFields(flags.logGroup),
          ...(flags.logGroup ? { logGroups: flags.logGroup } : {}),
        });
        const warnings = statementWarnings(s);
        for (const w of warnings.lines) process.stderr.write(`${w}\n`);
        if (warnings.fatal && flags.strict) setExitCode(EXIT.FAILED);
        const text = renderStatement(s, flags.format, { wide: flags.wide === true });
        if (flags.out) {
          writeFileSync(flags.out, text);
          process.stderr.write(
            `Wrote the ${s.period.label} statement by ${s.by} (${s.owners.length} owners) to ${flags.out}\n`,
          );
        } else process.stdout.write(text);
      });
    });
}
