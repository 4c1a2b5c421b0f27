import type { Command } from 'commander';

type Register = (program: Command) => void;

/**
 * The commands, in help order, with what the top-level help shows of them. The top-level help
 * (and `--version`, and an unknown command) is printed from this table alone: a command's module
 * (which pulls in DuckDB, the AWS SDK, the report renderer …) is imported only when that command
 * runs or its own help is asked for. Keep `summary` equal to the command's `.description()`
 * (test/cli/help.test.ts checks it).
 */
export interface CommandEntry {
  name: string;
  /** The arguments as help shows them after the name, e.g. `[options] <path...>`. */
  term: string;
  summary: string;
  load: () => Promise<Register>;
}

export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'demo',
    term: '[options]',
    summary: 'Generate the demo data set (once), ingest it into the store, print a summary and serve the console.',
    load: async () => (await import('./commands/demo.js')).registerDemo,
  },
  {
    name: 'serve',
    term: '[options]',
    summary: 'Serve the web console and its API (127.0.0.1:8080 by default).',
    load: async () => (await import('./commands/serve.js')).registerServe,
  },
  {
    name: 'ingest',
    term: '[options] <path...>',
    summary: 'Ingest Bedrock model invocation logs (files, folders, s3://, cloudwatch://) into the local store.',
    load: async () => (await import('./commands/ingest.js')).registerIngest,
  },
  {
    name: 'generate',
    term: '[options]',
    summary:
      'Generate realistic, deterministic Bedrock invocation logs (demo data) as the S3 delivery layout or one .jsonl file.',
    load: async () => (await import('./commands/generate.js')).registerGenerate,
  },
  {
    name: 'query',
    term: '[options] [query]',
    summary:
      'Run a CloudWatch Logs Insights query over the local store, or on Trino, Athena or CloudWatch Logs (--engine).',
    load: async () => (await import('./commands/query.js')).registerQuery,
  },
  {
    name: 'check',
    term: '[options] [query]',
    summary:
      'Parse and analyse Logs Insights queries without running them: print each problem with its code, line, column and a caret.',
    load: async () => (await import('./commands/check.js')).registerCheck,
  },
  {
    name: 'prices',
    term: '[options] [command]',
    summary:
      'The price book: list prices, find models without a price, re-price stored invocations, resolve application inference profiles.',
    load: async () => (await import('./commands/prices.js')).registerPrices,
  },
  {
    name: 'alarms',
    term: '[options] [command]',
    summary:
      'Alarms with CloudWatch semantics over the local store: metric filters, queries, budgets, anomalies; e-mail, webhook, Slack and SNS notifications.',
    load: async () => (await import('./commands/alarms.js')).registerAlarms,
  },
  {
    name: 'chargeback',
    term: '[options]',
    summary:
      "A chargeback/showback statement for a month: tokens, requests and cost per owner and model, adding up exactly to the month's total.",
    load: async () => (await import('./commands/chargeback.js')).registerChargeback,
  },
  {
    name: 'reconcile',
    term: '[options]',
    summary:
      'Compare the real bill (Cost Explorer CSV export, or CUR 2.0 Bedrock line items as CSV or Parquet) with the cost computed from the logs, per day and model.',
    load: async () => (await import('./commands/reconcile.js')).registerReconcile,
  },
  {
    name: 'report',
    term: '[options]',
    summary:
      'An executive report for a month or quarter as one self-contained HTML file (charts inline; opens with no server), optionally printed to PDF.',
    load: async () => (await import('./commands/report.js')).registerReport,
  },
  {
    name: 'daily',
    term: '[options]',
    summary:
      'Usage and cost per UTC day: tokens by kind (input, output, cache read, cache write), cost, cache savings and unpriced tokens, with a totals row.',
    load: async () => (await import('./commands/usage.js')).registerDaily,
  },
  {
    name: 'monthly',
    term: '[options]',
    summary:
      'Usage and cost per UTC month: tokens by kind (input, output, cache read, cache write), cost, cache savings and unpriced tokens, with a totals row.',
    load: async () => (await import('./commands/usage.js')).registerMonthly,
  },
  {
    name: 'sync',
    term: '[options] [command]',
    summary: 'Keep the store current from configured S3 / CloudWatch / local folder sources (polls; Ctrl-C stops).',
    load: async () => (await import('./commands/sync.js')).registerSync,
  },
  {
    name: 'doctor',
    term: '[options]',
    summary: 'Why do I not see what I expect? Checks Bedrock logging in AWS and metadata hygiene in the data.',
    load: async () => (await import('./commands/doctor.js')).registerDoctor,
  },
  {
    name: 'trino',
    term: '[options] [command]',
    summary: 'A local Trino to try queries on, and the table over the S3 delivery layout on any Trino.',
    load: async () => (await import('./commands/trino.js')).registerTrino,
  },
  {
    name: 'athena',
    term: '[options] [command]',
    summary: 'Amazon Athena over the S3 delivery bucket or the Parquet archive.',
    load: async () => (await import('./commands/athena.js')).registerAthena,
  },
  {
    name: 'export',
    term: '[options]',
    summary:
      'Write the columnar archive: Parquet files partitioned by day (events/day=YYYY-MM-DD/), with the field catalog, from the store or straight from an S3 delivery layout. Trino and Athena query it with the same results (trino setup --archive, athena ddl --archive, query --archive).',
    load: async () => (await import('./commands/export.js')).registerExport,
  },
];

/** Options of the program itself that take a value (main.ts declares them). */
const GLOBAL_VALUE_OPTIONS = ['--wait'];

/**
 * The command the arguments name (`help NAME` names NAME), if it is one of ours. Options come
 * after the command name, so the first word that is not an option is the command.
 */
export function namedCommand(args: readonly string[]): CommandEntry | undefined {
  // A global option's value (`--wait 5 query …`) is not a command name.
  const words = args.filter((a, i) => !a.startsWith('-') && !GLOBAL_VALUE_OPTIONS.includes(args[i - 1] ?? ''));
  const name = words[0] === 'help' ? words[1] : words[0];
  return COMMANDS.find((c) => c.name === name);
}
