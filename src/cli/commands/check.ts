import type { Command } from 'commander';
import { Store } from '../../store/store.js';
import { createEngine } from '../../engines/factory.js';
import { renderDiagnostic } from '../../insights/diagnostics.js';
import { EXIT, setExitCode } from '../exit.js';
import { dbOption, formatOption, logGroupsOption } from '../options.js';
import { packageFile } from '../package-info.js';
import { withOptionalStore } from '../store.js';
import { readQueryText } from './query.js';

interface CheckOpts {
  file?: string;
  db?: string;
  logGroup?: string[];
  format: 'text' | 'json';
}

export function registerCheck(program: Command): void {
  program
    .command('check')
    .description(
      'Parse and analyse a Logs Insights query without running it: print each problem with its code, line, column and a caret.',
    )
    .argument('[query]', 'the query text (or use -f FILE)')
    .option('-f, --file <file>', 'read the query from a file (- for standard input)')
    .addOption(dbOption('optional'))
    .addOption(logGroupsOption('log groups the query will read (for field warnings)'))
    .addOption(formatOption(['text', 'json']))
    .addHelpText(
      'after',
      () => `
With a store (--db or $BEDROCK_INSIGHTS_DB), fields the store has never seen are warned about.
Examples:
  npx bedrock-insights check 'stats count(*) by bin(5m)'
  npx bedrock-insights check -f ${packageFile('queries/bedrock/q13-iam-role-and-metadata.insights')} --db store.duckdb
  for f in queries/**/*.insights; do npx bedrock-insights check -f "$f" || exit 1; done   # lint in CI

Exit status: 0 when the query is valid (warnings allowed), 1 when it is not.`,
    )
    .action(async (queryArg: string | undefined, o: CheckOpts) => {
      const text = readQueryText(queryArg, o.file);
      // Without a store the query is still checked; only the field-catalog warnings are skipped.
      await withOptionalStore(o, false, async (named) => {
        const store = named ?? (await Store.open(':memory:'));
        try {
          const engine = createEngine(store);
          const prepared = await engine.prepare({
            queryString: text,
            ...(o.logGroup?.length ? { logGroups: o.logGroup } : {}),
          });
          const valid = !prepared.diagnostics.some((d) => d.severity === 'error');
          if (o.format === 'json') {
            process.stdout.write(JSON.stringify({ valid, diagnostics: prepared.diagnostics }, null, 2) + '\n');
          } else {
            for (const d of prepared.diagnostics) process.stdout.write(renderDiagnostic(prepared.text, d) + '\n');
            const errors = prepared.diagnostics.filter((d) => d.severity === 'error').length;
            const warnings = prepared.diagnostics.length - errors;
            process.stdout.write(
              valid
                ? `valid${warnings ? ` (${warnings} warning${warnings === 1 ? '' : 's'})` : ''}\n`
                : `not valid: ${errors} error${errors === 1 ? '' : 's'}\n`,
            );
          }
          setExitCode(valid ? EXIT.OK : EXIT.FAILED);
        } finally {
          if (!named) store.close();
        }
      });
    });
}
