import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { BiError } from '../../util/errors.js';
import { Store, defaultDbPath } from '../../store/store.js';
import { createEngine } from '../../engines/factory.js';
import type { QueryRequest, QueryResult, ResultRow } from '../../engines/engine.js';
import { renderDiagnostic, type Diagnostic } from '../../insights/diagnostics.js';
import { cellMap, csvHeader, csvRows, jsonRow } from '../../engines/resultText.js';
import { setExitCode } from '../exit.js';
import { addEngineOptions, engineSettings, type EngineFlags } from './engineFlags.js';

export type OutputFormat = 'table' | 'csv' | 'json';

const SINCE_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `1h`, `3h`, `1d`, `30m`, `2w` -> milliseconds (`flag` names the option in the error). */
export function parseSince(text: string, flag = '--since'): number {
  const m = /^(\d+)\s*(ms|s|m|h|d|w)$/i.exec(text.trim());
  if (!m) throw new BiError('BAD_TIME', `${flag} ${text}: use a number and a unit, like 15m, 1h, 3h, 1d or 2w.`);
  return Number(m[1]) * SINCE_UNITS[m[2].toLowerCase()];
}

/** ISO-8601 or epoch milliseconds. */
export function parseTime(text: string, flag: string): number {
  const t = text.trim();
  if (/^\d+$/.test(t)) return Number(t);
  const ms = Date.parse(t);
  if (!Number.isFinite(ms))
    throw new BiError(
      'BAD_TIME',
      `${flag} ${text}: use an ISO-8601 time (2026-01-31T12:00:00Z) or epoch milliseconds.`,
    );
  return ms;
}

/** The query text from the argument or -f FILE (`-` reads standard input). */
export function readQueryText(arg: string | undefined, file: string | undefined): string {
  if (arg !== undefined && file !== undefined)
    throw new BiError('BAD_ARGS', 'Give the query either as an argument or with -f FILE, not both.');
  if (file !== undefined) {
    try {
      return readFileSync(file === '-' ? 0 : file, 'utf8');
    } catch (e) {
      throw new BiError('QUERY_FILE', `Cannot read the query file ${file}: ${(e as Error).message}`);
    }
  }
  if (arg === undefined || arg.trim() === '')
    throw new BiError('BAD_ARGS', 'Give a query, e.g. bedrock-insights query "stats count(*) by modelId", or -f FILE.');
  return arg;
}

export function printDiagnostics(text: string, diags: Diagnostic[], out: NodeJS.WritableStream = process.stderr): void {
  for (const d of diags) out.write(renderDiagnostic(text, d) + '\n');
}

// ------------------------------------------------------------------ output formats

/** An aligned table like the console's (missing values blank). */
export function formatTable(columns: string[], rows: ResultRow[]): string {
  const cells = rows.map((r) => {
    const m = cellMap(r);
    return columns.map((c) => (m.get(c) ?? '').replace(/\r?\n/g, '\\n').replace(/\t/g, '\\t'));
  });
  const widths = columns.map((c, i) => Math.min(120, Math.max(c.length, ...cells.map((r) => r[i].length))));
  const fit = (s: string, w: number) => (s.length > w ? s.slice(0, w - 1) + '…' : s.padEnd(w));
  const line = (vals: string[]) =>
    vals
      .map((v, i) => fit(v, widths[i]))
      .join(' | ')
      .trimEnd();
  const out = [line(columns), widths.map((w) => '-'.repeat(w)).join('-|-')];
  for (const r of cells) out.push(line(r));
  return out.join('\n') + '\n';
}

function summary(r: QueryResult, streamed?: number): string {
  const s = r.statistics;
  const n = streamed ?? r.rows.length;
  return `${n} row${n === 1 ? '' : 's'}; ${s.recordsMatched} records matched, ${s.recordsScanned} scanned, ${s.bytesScanned} bytes, ${s.logGroupsScanned} log group${s.logGroupsScanned === 1 ? '' : 's'}`;
}

interface QueryOpts extends EngineFlags {
  file?: string;
  db?: string;
  logGroup?: string[];
  since?: string;
  start?: string;
  end?: string;
  format: string;
  rowCap: boolean;
  quiet?: boolean;
}

export function registerQuery(program: Command): void {
  const cmd = program
    .command('query')
    .description(
      'Run a CloudWatch Logs Insights query over the local store, or on Trino, Athena or CloudWatch Logs (--engine).',
    )
    .argument('[query]', 'the query text (or use -f FILE)')
    .option('-f, --file <file>', 'read the query from a file (- for standard input)')
    .option('--db <file>', 'the store (default: $BEDROCK_INSIGHTS_DB or ~/.bedrock-insights/store.duckdb)')
    .option('--log-group <name...>', "log groups to query (default: all, or the query's SOURCE)")
    .option('--since <period>', 'only events of the last period: 15m, 1h, 3h, 1d, 2w …')
    .option('--start <time>', 'range start: ISO-8601 or epoch ms (inclusive)')
    .option('--end <time>', 'range end: ISO-8601 or epoch ms (inclusive)')
    .option('--format <format>', 'table, csv or json', 'table')
    .option('--no-row-cap', "return every row instead of CloudWatch's 10,000 (csv/json stream them)")
    .option('-q, --quiet', 'no summary line on standard error');
  addEngineOptions(cmd)
    .addHelpText(
      'after',
      `
Examples:
  bedrock-insights query 'stats sum(input.inputTokenCount) as tokens by modelId | sort tokens desc'
  bedrock-insights query -f queries/bedrock/q02-tokens-by-application.insights --since 1d
  bedrock-insights query 'fields @timestamp, modelId | limit 20' --format json
  bedrock-insights query -f q.insights --start 2026-01-01T00:00:00Z --end 2026-01-31T23:59:59Z --format csv --no-row-cap > all.csv
  bedrock-insights query -f q.insights --since 1d --engine trino --trino-url http://127.0.0.1:8080
  bedrock-insights query -f q.insights --since 7d --engine athena --workgroup primary --output-location s3://my-results/
  bedrock-insights query 'stats count(*) by modelId' --since 1h --engine cloudwatch --region us-east-1 --log-group /aws/bedrock/modelinvocations

--engine trino and athena read the S3 delivery layout in place (tables from \`trino setup\` or
\`athena ddl\`), or with --archive the Parquet archive of \`export\`; cloudwatch runs the query on
CloudWatch Logs. The output is the same as the embedded store's for the same data.

Warnings (unknown fields, row cap reached) go to standard error. Ctrl-C cancels the query (exit 130).
Exit status: 0 done, 1 the query is not valid, 2 other errors.`,
    )
    .action(async (queryArg: string | undefined, o: QueryOpts) => {
      const text = readQueryText(queryArg, o.file);
      const format = o.format as OutputFormat;
      if (!['table', 'csv', 'json'].includes(format))
        throw new BiError('BAD_ARGS', `--format ${o.format}: use table, csv or json.`);
      const req: QueryRequest = { queryString: text };
      if (o.logGroup && o.logGroup.length) req.logGroups = o.logGroup;
      if (o.since !== undefined) {
        if (o.start !== undefined || o.end !== undefined)
          throw new BiError('BAD_ARGS', 'Use either --since or --start/--end, not both.');
        const now = Date.now();
        req.startTime = now - parseSince(o.since);
        req.endTime = now;
      }
      if (o.start !== undefined) req.startTime = parseTime(o.start, '--start');
      if (o.end !== undefined) req.endTime = parseTime(o.end, '--end');
      if (req.startTime !== undefined && req.endTime !== undefined && req.startTime > req.endTime) {
        throw new BiError('BAD_TIME', 'The range start is after its end.');
      }
      if (!o.rowCap) req.noRowCap = true;
      const settings = engineSettings(o);
      if (settings.engine !== 'duckdb' && o.db !== undefined)
        throw new BiError('BAD_OPTION', `--db does not apply to --engine ${settings.engine}: it queries the store.`);
      let store: Store | undefined;
      if (settings.engine === 'duckdb') {
        const path = defaultDbPath(o.db);
        if (!existsSync(path))
          throw new BiError(
            'STORE_MISSING',
            `There is no store at ${path}. Ingest logs first (bedrock-insights ingest PATH), or pass --db FILE.`,
          );
        store = await Store.open(path, { readOnly: true });
      }
      const engine = createEngine(store, settings);
      let cancelled = false;
      const out = process.stdout;
      // Installed before the query is prepared, so Ctrl-C at any moment ends it cleanly (exit 130).
      const onSigint = () => {
        cancelled = true;
        void engine.close();
      };
      process.once('SIGINT', onSigint);
      try {
        // Parsed and analysed once: the prepared query is what runs.
        const prepared = await engine.prepare(req);
        if (cancelled) {
          process.stderr.write('query cancelled\n');
          setExitCode(130);
          return;
        }
        if (!prepared.plan) {
          printDiagnostics(prepared.text, prepared.diagnostics);
          setExitCode(1);
          return;
        }
        const columns = prepared.columns;
        let result: QueryResult;
        // Streamed rows are written as they come and not kept in the result.
        let streamed: number | undefined;
        if (!o.rowCap && format !== 'table') {
          let first = true;
          if (format === 'csv') out.write(csvHeader(columns));
          else out.write('[');
          streamed = 0;
          result = await engine.run(prepared, {
            onRows: async (rows) => {
              streamed = (streamed ?? 0) + rows.length;
              let chunk = format === 'csv' ? csvRows(columns, rows) : '';
              if (format === 'json')
                for (const r of rows) {
                  chunk += (first ? '\n' : ',\n') + jsonRow(columns, r);
                  first = false;
                }
              if (!out.write(chunk)) await new Promise<void>((res) => out.once('drain', () => res()));
            },
          });
          if (format === 'json') out.write(first ? ']\n' : '\n]\n');
        } else {
          result = await engine.run(prepared);
          if (result.status === 'Complete') {
            if (format === 'table') out.write(formatTable(columns, result.rows));
            else if (format === 'csv') out.write(csvHeader(columns) + csvRows(columns, result.rows));
            else
              out.write(
                '[' +
                  result.rows.map((r) => '\n' + jsonRow(columns, r)).join(',') +
                  (result.rows.length ? '\n' : '') +
                  ']\n',
              );
          }
        }
        if (cancelled || result.status === 'Cancelled') {
          process.stderr.write('query cancelled\n');
          setExitCode(130);
          return;
        }
        if (result.status === 'Failed') {
          throw new BiError(result.error?.code ?? 'QUERY_FAILED', result.error?.message ?? 'The query failed.');
        }
        printDiagnostics(prepared.text, result.warnings);
        if (!o.quiet) process.stderr.write(summary(result, streamed) + '\n');
      } finally {
        process.removeListener('SIGINT', onSigint);
        await engine.close();
        store?.close();
      }
    });
}
