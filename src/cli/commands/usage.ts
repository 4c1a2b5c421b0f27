import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { openReportContext } from '../../reports/context.js';
import { dataExtent } from '../../reports/extent.js';
import { DAY_MS } from '../../reports/period.js';
import { renderUsageTable } from '../../reports/usage-render.js';
import { buildUsageTable, type UsageUnit } from '../../reports/usage-table.js';
import { BiError } from '../../util/errors.js';
import { parseSince, parseTime } from './query.js';

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

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * --since / --until with query's parsers: --since takes a period back from now (30d, 2w, 12h) or
 * a time (ISO-8601 or epoch ms); --until a time, a bare date meaning the end of that UTC day
 * (`--since 2026-11-01 --until 2026-11-30` is all of November).
 */
export function usageRange(
  flags: Pick<Flags, 'since' | 'until'>,
  unit: UsageUnit,
  now = Date.now(),
): { start: number; end: number } {
  const end =
    flags.until === undefined
      ? now
      : DATE_ONLY.test(flags.until.trim())
        ? parseTime(flags.until, '--until') + DAY_MS
        : parseTime(flags.until, '--until') + 1;
  let start: number;
  if (flags.since === undefined) start = unit === 'day' ? end - 30 * DAY_MS : 0;
  else if (/^\d+\s*(ms|s|m|h|d|w)$/i.test(flags.since.trim())) start = now - parseSince(flags.since);
  else start = parseTime(flags.since, '--since');
  if (start >= end)
    throw new BiError(
      'BAD_TIME',
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
    .option(
      '--since <when>',
      `start: a period back from now (30d, 2w, 12h) or a time (2026-11-01, ISO-8601, epoch ms); default ${unit === 'day' ? '30d' : 'all the data'}`,
    )
    .option('--until <when>', 'end: a time; a date alone means the end of that UTC day (default: now)')
    .option(
      '--by <key>',
      'one row per day and model, application, team, tenant, user, region or any request-metadata key',
    )
    .option('--json', 'the figures as JSON (full precision)')
    .option('--wide', 'full model ids and exact token counts')
    .option('--out <file>', 'write to a file instead of standard output')
    .option('--log-group <name...>', 'only these log groups (default: all)')
    .option('--db <file>', 'the store (default: $BEDROCK_INSIGHTS_DB or ~/.bedrock-insights/store.duckdb)')
    .addHelpText(
      'after',
      `
Every figure is a Logs Insights query over the store (stats … by bin(1d)); the COST total is
\`stats sum(cost.total)\` over the same range. Unpriced tokens are shown, never counted as $0.
Examples:
  bedrock-insights ${name}
  bedrock-insights ${name} --since ${unit === 'day' ? '7d' : '2026-09-01'} --by model
  bedrock-insights ${name} --since 2026-11-01 --until 2026-11-30 --by application --json`,
    )
    .action(async (flags: Flags) => {
      let range = usageRange(flags, unit);
      const ctx = await openReportContext(flags.db);
      try {
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
        else process.stdout.write(text);
      } finally {
        await ctx.close();
      }
    });
}

export function registerDaily(program: Command): void {
  register(program, 'day');
}

export function registerMonthly(program: Command): void {
  register(program, 'month');
}
