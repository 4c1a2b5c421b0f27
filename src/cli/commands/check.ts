import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { BiError } from '../../util/errors.js';
import { Store, defaultDbPath } from '../../store/store.js';
import { createEngine } from '../../engines/factory.js';
import { renderDiagnostic } from '../../insights/diagnostics.js';
import { setExitCode } from '../exit.js';
import { readQueryText } from './query.js';

interface CheckOpts {
  file?: string;
  db?: string;
  logGroup?: string[];
  format: string;
}

export function registerCheck(program: Command): void {
  program
    .command('check')
    .description(
      'Parse and analyse a Logs Insights query without running it: print each problem with its code, line, column and a caret.',
    )
    .argument('[query]', 'the query text (or use -f FILE)')
    .option('-f, --file <file>', 'read the query from a file (- for standard input)')
    .option('--db <file>', 'a store whose field catalog is used for "field never seen" warnings (optional)')
    .option('--log-group <name...>', 'log groups the query will read (for field warnings)')
    .option('--format <format>', 'text or json', 'text')
    .addHelpText(
      'after',
      `
Examples:
  bedrock-insights check 'stats count(*) by bin(5m)'
  bedrock-insights check -f queries/bedrock/q13-iam-role-and-metadata.insights --db store.duckdb
  for f in queries/**/*.insights; do bedrock-insights check -f "$f" || exit 1; done   # lint in CI

Exit status: 0 when the query is valid (warnings allowed), 1 when it is not.`,
    )
    .action(async (queryArg: string | undefined, o: CheckOpts) => {
      const text = readQueryText(queryArg, o.file);
      if (o.format !== 'text' && o.format !== 'json')
        throw new BiError('BAD_ARGS', `--format ${o.format}: use text or json.`);
      const path = o.db !== undefined || process.env.BEDROCK_INSIGHTS_DB ? defaultDbPath(o.db) : undefined;
      // Without a store the query is still checked; only the field-catalog warnings are skipped.
      const store =
        path && existsSync(path) ? await Store.open(path, { readOnly: true }) : await Store.open(':memory:');
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
        setExitCode(valid ? 0 : 1);
      } finally {
        store.close();
      }
    });
}
