import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { dataExtent } from '../../reports/extent.js';
import { DAY_MS } from '../../reports/period.js';
import { renderUsageTable } from '../../reports/usage-render.js';
import { buildUsageTable, type UsageUnit } from '../../reports/usage-table.js';
import { BiError } from '../../util/errors.js';
import { dbOption, logGroupsOption, sinceOption, untilOption } from '../options.js';
import { out } from '../output.js';
import { withReportContext } from '../report-context.js';
import { parseRange } from '../time-range.js';

interface Flags {
  since?: string;
  until?: string;
  by?: string;
  json?: boolean;
  wide?: boolean;
  db?: string;
  out?: string;
  logGroup?: string[];
}

/**
 * The range of daily/monthly (time-range.ts reads the options): --since a duration back from now
 * (30d, 2w, 12h) or a time; --until a time, a bare date meaning the end of that UTC day
 * (`--since 2026-11-01 --until 2026-11-30` is all of November). End exclusive, as the usage table
 * wants it.
 */
export function usageRange(
  flags: Pick<Flags, 'since' | 'until'>,
  unit: UsageUnit,
  now = Date.now(),
): { start: number; end: number } {
  const r = parseRange({ since: flags.since, until: flags.until }, now);
  const end = flags.until === undefined || r.end === undefined ? now : r.end + 1;
  const start = r.start ?? (unit === 'day' ? end - 30 * DAY_MS : 0);
  if (start >= end)
    throw new BiError(
      'INVALID_ARGUMENT',
      `The range ${flags.since ?? ''} .. ${flags.until ?? 'now'} is empty: --since must be before --until.`,
    );
  return { start, end };
}

function register(program: Command, unit: UsageUnit): void {
  const name = unit === 'day' ? 'daily' : 'monthly';
  program
    .command(name)
    .description(
      `Usage and cost per UTC ${unit}: tokens by kind (input, output, cache read, cache write), cost, cache savings and unpriced tokens, with a totals row.`,
    )
    .addOption(
      sinceOption(
        `start: a duration back from now (30d, 2w, 12h) or a time (2026-11-01, ISO-8601, epoch ms); default ${unit === 'day' ? '30d' : 'all the data'}`,
      ),
    )
    .addOption(untilOption())
    .option(
      '--by <key>',
      'one row per day and model, application, team, tenant, user, region or any request-metadata key',
    )
    .option('--json', 'the figures as JSON (full precision)')
    .option('--wide', 'full model ids and exact token counts')
    .option('--out <file>', 'write to a file instead of standard output')
    .addOption(logGroupsOption())
    .addOption(dbOption('write'))
    .addHelpText(
      'after',
      `
Every figure is a Logs Insights query over the store (stats … by bin(1d)); the COST total is
\`stats sum(cost.total)\` over the same range. Unpriced tokens are shown, never counted as $0.
Examples:
  npx bedrock-insights ${name}
  npx bedrock-insights ${name} --since ${unit === 'day' ? '7d' : '2026-09-01'} --by model
  npx bedrock-insights ${name} --since 2026-11-01 --until 2026-11-30 --by application --json`,
    )
    .action(async (flags: Flags) => {
      let range = usageRange(flags, unit);
      await withReportContext(flags, async (ctx) => {
        if (unit === 'month' && flags.since === undefined) {
          // "All the data": from the first month the store has, not from 1970.
          const extent = await dataExtent(ctx.engine, flags.logGroup);
          const d = new Date(extent?.first ?? range.end);
          range = { start: Math.min(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1), range.end - 1), end: range.end };
        }
        const t = await buildUsageTable(ctx.engine, {
          unit,
          ...range,
          ...(flags.by ? { by: flags.by } : {}),
          ...(flags.logGroup ? { logGroups: flags.logGroup } : {}),
        });
        const text = renderUsageTable(t, flags.json ? 'json' : 'table', { wide: flags.wide === true });
        if (flags.out) writeFileSync(flags.out, text);
        else out(text);
      });
    });
}

export function registerDaily(program: Command): void {
  register(program, 'day');
}

export function registerMonthly(program: Command): void {
  register(program, 'month');
}
