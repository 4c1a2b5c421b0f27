import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parsePeriod } from '../../reports/period.js';
import { htmlToPdf } from '../../reports/pdf.js';
import { buildReport } from '../../reports/report.js';
import { renderReportHtml } from '../../reports/report-render.js';
import { formatPct, formatUsd, formatWithUnpriced } from '../../contracts/money.js';
import { EXIT, setExitCode } from '../exit.js';
import { dbOption, logGroupsOption } from '../options.js';
import { withReportContext } from '../report-context.js';

interface Flags {
  period: string;
  out: string;
  pdf?: boolean | string;
  db?: string;
  logGroup?: string[];
  json?: string;
  strict?: boolean;
}

export function registerReport(program: Command): void {
  program
    .command('report')
    .description(
      'An executive report for a month or quarter as one self-contained HTML file (charts inline; opens with no server), optionally printed to PDF.',
    )
    .requiredOption('--period <period>', 'a UTC month (2026-10) or quarter (2026-Q3)')
    .option('--out <file>', 'the HTML file to write', 'report.html')
    .option('--pdf [file]', 'also print it to PDF with Chromium (default: the --out name with .pdf)')
    .option('--json <file>', 'also write the figures as JSON')
    .addOption(logGroupsOption())
    .addOption(dbOption('write'))
    .option('--strict', 'exit 1 when the period has no data (for scheduled runs)')
    .addHelpText(
      'after',
      `
The report has totals and the change against the previous period, monthly, weekly and daily trends,
top applications, tenants, cost centers and models, prompt-cache savings, anomalies and price coverage.
Examples:
  npx bedrock-insights report --period 2026-10 --out oct.html
  npx bedrock-insights report --period 2026-Q3 --out q3.html --pdf`,
    )
    .action(async (flags: Flags) => {
      const period = parsePeriod(flags.period);
      await withReportContext(flags, async (ctx) => {
        const data = await buildReport(ctx.engine, {
          period,
          ...(flags.logGroup ? { logGroups: flags.logGroup } : {}),
        });
        const html = renderReportHtml(data);
        writeFileSync(flags.out, html);
        if (flags.json) writeFileSync(flags.json, `${JSON.stringify(data, null, 2)}\n`);
        const pc = data.periodCoverage;
        if (pc.state === 'empty') {
          process.stderr.write(
            `warning: no invocations in ${period.label}; ${pc.label.replace(/^no data[^:]*: /, '')}.\n`,
          );
          if (flags.strict) setExitCode(EXIT.FAILED);
        } else if (pc.state === 'partial') process.stderr.write(`note: ${period.label} is ${pc.label}.\n`);
        if (data.book.stale) process.stderr.write(`warning: ${data.book.warning}\n`);
        process.stderr.write(
          `Wrote ${flags.out}: ${period.label}, cost ${formatWithUnpriced(formatUsd(data.totals.cost), data.totals.unpricedTokens)}, ${data.totals.requests.toLocaleString('en-US')} requests, price coverage ${formatPct(data.coverage.share)}, ${data.anomalies.length} anomalies.\n`,
        );
      });
      if (flags.pdf) {
        const pdf = typeof flags.pdf === 'string' ? flags.pdf : flags.out.replace(/\.html?$/i, '') + '.pdf';
        await htmlToPdf(flags.out, pdf);
        process.stderr.write(`Wrote ${pdf}\n`);
      }
    });
}
