import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { BiError } from '../../util/errors.js';
import { createEngine } from '../../engines/factory.js';
import type { PreparedQuery, QueryEngine, QueryRequest, QueryResult } from '../../engines/engine.js';
import { answerText } from '../../contracts/answer-text.js';
import { renderDiagnostic, type Diagnostic } from '../../insights/diagnostics.js';
import { EXIT, setExitCode } from '../exit.js';
import { dbOption, endOption, formatOption, logGroupsOption, sinceOption, startOption } from '../options.js';
import { RowStream, rowsText, type RowFormat } from '../output.js';
import { packageFile } from '../package-info.js';
import { onInterrupt } from '../signals.js';
import { withStore } from '../store.js';
import { parseRange, type RangeFlags } from '../time-range.js';
import { addEngineOptions, engineSettings, type EngineFlags } from './engineFlags.js';

/** The query text from the argument or -f FILE (`-` reads standard input). */
export function readQueryText(arg: string | undefined, file: string | undefined): string {
  if (arg !== undefined && file !== undefined)
    throw new BiError('INVALID_ARGUMENT', 'Give the query either as an argument or with -f FILE, not both.');
  if (file !== undefined) {
    try {
      return readFileSync(file === '-' ? 0 : file, 'utf8');
    } catch (e) {
      throw new BiError('QUERY_FILE', `Cannot read the query file ${file}: ${(e as Error).message}`);
    }
  }
  if (arg === undefined || arg.trim() === '')
    throw new BiError(
      'INVALID_ARGUMENT',
      'Give a query, e.g. npx bedrock-insights query "stats count(*) by modelId", or -f FILE.',
    );
  return arg;
}

export function printDiagnostics(text: string, diags: Diagnostic[], out: NodeJS.WritableStream = process.stderr): void {
  for (const d of diags) out.write(renderDiagnostic(text, d) + '\n');
}

function summary(r: QueryResult, streamed?: number): string {
  const s = r.statistics;
  const n = streamed ?? r.rows.length;
  return `${n} row${n === 1 ? '' : 's'}; ${s.recordsMatched} records matched, ${s.recordsScanned} scanned, ${s.bytesScanned} bytes, ${s.logGroupsScanned} log group${s.logGroupsScanned === 1 ? '' : 's'}`;
}

/** `--explain`: the plan's commands, which relation answered (src/insights/sql/rollup.ts) and the statistics. */
function explainText(prepared: PreparedQuery, r: QueryResult, engine: string): string {
  const stages = (prepared.plan?.stages ?? []).map((st) =>
    st.op === 'aggregate'
      ? `stats (${st.items.length} aggregate${st.items.length === 1 ? '' : 's'}, ${st.keys.length} key${st.keys.length === 1 ? '' : 's'})`
      : st.op,
  );
  const answered = r.answeredBy ? answerText(r.answeredBy) : `events (the ${engine} engine reads no roll-up)`;
  return [
    `plan: ${stages.length ? stages.join(' | ') : 'read events'}`,
    `answered by: ${answered}`,
    summary(r),
    '',
  ].join('\n');
}

interface QueryOpts extends RangeFlags, EngineFlags {
  file?: string;
  db?: string;
  logGroup?: string[];
  format: RowFormat;
  rowCap: boolean;
  quiet?: boolean;
  explain?: boolean;
}

export function registerQuery(program: Command): void {
  const cmd = program
    .command('query')
    .description(
      'Run a CloudWatch Logs Insights query over the local store, or on Trino, Athena or CloudWatch Logs (--engine).',
    )
    .argument('[query]', 'the query text (or use -f FILE)')
    .option('-f, --file <file>', 'read the query from a file (- for standard input)')
    .addOption(dbOption('read'))
    .addOption(logGroupsOption("log groups to query (default: all, or the query's SOURCE)"))
    .addOption(sinceOption())
    .addOption(startOption())
    .addOption(endOption())
    .addOption(formatOption(['table', 'csv', 'json']))
    .option('--no-row-cap', "return every row instead of CloudWatch's 10,000 (csv/json stream them)")
    .option('-q, --quiet', 'no summary line on standard error')
    .option(
      '--explain',
      'run the query and print how it was answered instead of its rows: its commands, the hourly roll-up or the events (and why), the statistics',
    );
  addEngineOptions(cmd)
    .addHelpText(
      'after',
      () => `
Examples:
  npx bedrock-insights query 'stats sum(input.inputTokenCount) as tokens by modelId | sort tokens desc'
  npx bedrock-insights query -f ${packageFile('queries/bedrock/q02-tokens-by-application.insights')} --since 1d
  npx bedrock-insights query 'fields @timestamp, modelId | limit 20' --format json
  npx bedrock-insights query -f q.insights --start 2026-01-01 --end 2026-01-31 --format csv --no-row-cap > all.csv
  npx bedrock-insights query -f q.insights --since 1d --engine trino --trino-url http://127.0.0.1:8080
  npx bedrock-insights query -f q.insights --since 7d --engine athena --workgroup primary --output-location s3://my-results/
  npx bedrock-insights query 'stats count(*) by modelId' --since 1h --engine cloudwatch --region us-east-1 --log-group /aws/bedrock/modelinvocations

--engine trino and athena read the S3 delivery layout in place (tables from \`trino setup\` or
\`athena ddl\`), or with --archive the Parquet archive of \`export\`; cloudwatch runs the query on
CloudWatch Logs. The output is the same as the embedded store's for the same data.

The table rounds numbers for reading (six decimals); csv and json keep every digit.
Warnings (unknown fields, row cap reached) go to standard error. Ctrl-C cancels the query (exit 130).
Exit status: 0 done, 1 the query is not valid, 2 other errors.`,
    )
    .action(async (queryArg: string | undefined, o: QueryOpts) => {
      const text = readQueryText(queryArg, o.file);
      const req: QueryRequest = { queryString: text };
      if (o.logGroup && o.logGroup.length) req.logGroups = o.logGroup;
      const range = parseRange(o);
      if (range.start !== undefined) req.startTime = range.start;
      if (range.end !== undefined) req.endTime = range.end;
      if (!o.rowCap) req.noRowCap = true;
      const settings = engineSettings(o);
      if (settings.engine !== 'duckdb' && o.db !== undefined)
        throw new BiError(
          'INVALID_ARGUMENT',
          `--db does not apply to --engine ${settings.engine}: it queries the store.`,
        );
      if (settings.engine === 'duckdb')
        await withStore(o, 'read', (store) => runWith(createEngine(store, settings), req, o));
      else await runWith(createEngine(undefined, settings), req, o);
    });
}

/** Runs the query on `engine` and closes it; Ctrl-C at any moment ends it cleanly (exit 130). */
async function runWith(engine: QueryEngine, req: QueryRequest, o: QueryOpts): Promise<void> {
  let cancelled = false;
  // Installed before the query is prepared.
  const release = onInterrupt(() => {
    cancelled = true;
    void engine.close();
  });
  try {
    await runQuery(engine, req, o, () => cancelled);
  } finally {
    release();
    await engine.close();
  }
}

async function runQuery(engine: QueryEngine, req: QueryRequest, o: QueryOpts, cancelled: () => boolean): Promise<void> {
  // Parsed and analysed once: the prepared query is what runs.
  const prepared = await engine.prepare(req);
  if (cancelled()) {
    process.stderr.write('query cancelled\n');
    setExitCode(EXIT.CANCELLED);
    return;
  }
  if (!prepared.plan) {
    printDiagnostics(prepared.text, prepared.diagnostics);
    setExitCode(EXIT.FAILED);
    return;
  }
  const columns = prepared.columns;
  let result: QueryResult;
  // Streamed rows are written as they come and not kept in the result.
  let streamed: number | undefined;
  if (!o.rowCap && o.format !== 'table' && !o.explain) {
    const stream = new RowStream(o.format, columns);
    result = await engine.run(prepared, { onRows: (rows) => stream.write(rows) });
    stream.end();
    streamed = stream.count;
  } else {
    result = await engine.run(prepared);
    if (result.status === 'Complete')
      process.stdout.write(
        o.explain ? explainText(prepared, result, engine.name) : rowsText(o.format, columns, result.rows),
      );
  }
  if (cancelled() || result.status === 'Cancelled') {
    process.stderr.write('query cancelled\n');
    setExitCode(EXIT.CANCELLED);
    return;
  }
  if (result.status === 'Failed') {
    throw new BiError(result.error?.code ?? 'QUERY_FAILED', result.error?.message ?? 'The query failed.');
  }
  printDiagnostics(prepared.text, result.warnings);
  if (!o.quiet && !o.explain) process.stderr.write(summary(result, streamed) + '\n');
}
