import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { BiError } from '../../util/errors.js';
import { compileQuery, type CatalogInfo } from '../../insights/compile.js';
import { renderDiagnostic, type Diagnostic } from '../../insights/diagnostics.js';
import { DB_ENV } from '../../store/db-env.js';
import { EXIT, setExitCode } from '../exit.js';
import { dbOption, formatOption, logGroupsOption } from '../options.js';
import { packageFile } from '../package-info.js';

/**
 * `check`: the CI linter for saved queries. It loads only the front end (src/insights/compile.ts)
 * at start-up: the store, DuckDB and the engine are imported only when a store is given (--db or
 * $BEDROCK_INSIGHTS_DB), so checking a folder of queries costs one Node start and milliseconds a
 * query. Without a store the query's syntax and semantics are checked and log groups it names draw
 * a warning (they cannot be seen), not an error.
 */

interface CheckOpts {
  file: string[];
  db?: string;
  logGroup?: string[];
  format: 'text' | 'json';
}

/** One query to check: where it came from (a file path, `-`, or the argument) and its text. */
interface Input {
  name: string;
  text: string;
}

interface Checked {
  name: string;
  text: string;
  diagnostics: Diagnostic[];
}

/** Runs the front end over each text: through the engine when a store is given, else directly. */
type Checker = (text: string) => Promise<{ text: string; diagnostics: Diagnostic[] }>;

/** A catalog that knows no log group: they are unknown, not absent. */
const NO_STORE: CatalogInfo = { logGroups: [], fieldsByGroup: new Map(), logGroupsKnown: false };

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function registerCheck(program: Command): void {
  program
    .command('check')
    .description(
      'Parse and analyse Logs Insights queries without running them: print each problem with its code, line, column and a caret.',
    )
    .argument('[query]', 'the query text (or use -f)')
    .option(
      '-f, --file <path>',
      'a query file, a folder (every *.insights file in it, recursively) or - for standard input; repeat for more',
      collect,
      [],
    )
    .addOption(dbOption('optional'))
    .addOption(logGroupsOption('log groups the queries will read (for field warnings)'))
    .addOption(formatOption(['text', 'json']))
    .addHelpText(
      'after',
      () => `
With a store (--db or $BEDROCK_INSIGHTS_DB), named log groups must exist in it and fields it has
never seen are warned about.
Examples:
  npx bedrock-insights check 'stats count(*) by bin(5m)'
  npx bedrock-insights check -f queries/ -f more.insights            # lint in CI: one process for all
  npx bedrock-insights check -f ${packageFile('queries/bedrock/q13-iam-role-and-metadata.insights')} --db store.duckdb

Without a store the queries' syntax and semantics are checked; log groups they name are warned
about (they cannot be seen). --format json prints {valid, diagnostics} for one query and
{valid, files: [{file, valid, diagnostics}]} for several.

Exit status: 0 when every query is valid (warnings allowed), 1 when one is not.`,
    )
    .action(async (queryArg: string | undefined, o: CheckOpts) => {
      const inputs = readInputs(queryArg, o.file);
      const several = inputs.length > 1 || o.file.some(isFolder);
      const results = await withChecker(o, async (check) => {
        const out: Checked[] = [];
        for (const input of inputs) out.push({ name: input.name, ...(await check(input.text)) });
        return out;
      });
      const valid = (r: Checked) => !r.diagnostics.some((d) => d.severity === 'error');
      const allValid = results.every(valid);
      if (o.format === 'json') {
        const doc = several
          ? {
              valid: allValid,
              files: results.map((r) => ({ file: r.name, valid: valid(r), diagnostics: r.diagnostics })),
            }
          : { valid: allValid, diagnostics: results[0]?.diagnostics ?? [] };
        process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
      } else {
        for (const r of results) printText(r, several ? r.name : undefined);
        if (several) {
          const bad = results.filter((r) => !valid(r)).length;
          process.stdout.write(
            `${results.length} quer${results.length === 1 ? 'y' : 'ies'}: ${results.length - bad} valid, ${bad} not valid\n`,
          );
        }
      }
      setExitCode(allValid ? EXIT.OK : EXIT.FAILED);
    });
}

function printText(r: Checked, header: string | undefined): void {
  if (header !== undefined) process.stdout.write(`${header}\n`);
  for (const d of r.diagnostics) process.stdout.write(renderDiagnostic(r.text, d) + '\n');
  const errors = r.diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = r.diagnostics.length - errors;
  process.stdout.write(
    errors === 0
      ? `valid${warnings ? ` (${warnings} warning${warnings === 1 ? '' : 's'})` : ''}\n`
      : `not valid: ${errors} error${errors === 1 ? '' : 's'}\n`,
  );
}

/**
 * Checks with the store's engine when one is given (so the log groups and fields are the
 * store's), else with the front end alone over a catalog that knows no log group.
 */
async function withChecker<T>(o: CheckOpts, f: (check: Checker) => Promise<T>): Promise<T> {
  const logGroups = o.logGroup?.length ? o.logGroup : undefined;
  if (o.db === undefined && !process.env[DB_ENV]) {
    return f(async (text) => {
      const c = compileQuery(text, {
        catalog: NO_STORE,
        rangeAtRunTime: true,
        ...(logGroups ? { request: { logGroups } } : {}),
      });
      return { text: c.text, diagnostics: c.diagnostics };
    });
  }
  // Loaded only here: DuckDB's native binding is most of the CLI's start-up time. A store that
  // was named must exist (STORE_MISSING otherwise), as for every command that reads one.
  const { withStore } = await import('../store.js');
  const { createEngine } = await import('../../engines/factory.js');
  return withStore(o, 'read', async (store) => {
    const engine = createEngine(store);
    return f(async (text) => {
      // The spans refer to the text as written, which compileQuery keeps as given.
      return { text, diagnostics: await engine.check(text, logGroups) };
    });
  });
}

function isFolder(path: string): boolean {
  try {
    return path !== '-' && statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The queries to check: the argument, or every -f file (folders expanded, sorted). */
function readInputs(arg: string | undefined, files: string[]): Input[] {
  if (arg !== undefined && files.length > 0)
    throw new BiError('INVALID_ARGUMENT', 'Give the query either as an argument or with -f, not both.');
  if (files.length === 0) {
    if (arg === undefined || arg.trim() === '')
      throw new BiError(
        'INVALID_ARGUMENT',
        'Give a query, e.g. bedrock-insights check "stats count(*) by modelId", or -f FILE.',
      );
    return [{ name: '(argument)', text: arg }];
  }
  const inputs: Input[] = [];
  for (const f of files) {
    if (isFolder(f)) {
      const found = queryFiles(f);
      if (found.length === 0) throw new BiError('QUERY_FILE', `The folder ${f} holds no *.insights file.`);
      for (const path of found) inputs.push({ name: path, text: readQuery(path) });
    } else {
      inputs.push({ name: f, text: readQuery(f) });
    }
  }
  return inputs;
}

function queryFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...queryFiles(path));
    else if (entry.name.endsWith('.insights')) out.push(path);
  }
  return out;
}

function readQuery(file: string): string {
  try {
    return readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (e) {
    throw new BiError('QUERY_FILE', `Cannot read the query file ${file}: ${(e as Error).message}`);
  }
}
