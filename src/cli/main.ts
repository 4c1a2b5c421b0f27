import { Command, CommanderError } from 'commander';
import { BiError, errorMessage } from '../util/errors.js';
import { requestedExitCode, resetExitCode } from './exit.js';
type Register = (program: Command) => void;

/**
 * The commands, in help order. Each module is imported only when its command runs (or for the
 * top-level help): the report, alarm and AWS modules pull in large libraries, and `query` should
 * not pay for them at start-up.
 */
const COMMANDS: ReadonlyArray<readonly [string, () => Promise<Register>]> = [
  ['demo', async () => (await import('./commands/demo.js')).registerDemo],
  ['serve', async () => (await import('./commands/serve.js')).registerServe],
  ['ingest', async () => (await import('./commands/ingest.js')).registerIngest],
  ['generate', async () => (await import('./commands/generate.js')).registerGenerate],
  ['query', async () => (await import('./commands/query.js')).registerQuery],
  ['check', async () => (await import('./commands/check.js')).registerCheck],
  ['prices', async () => (await import('./commands/prices.js')).registerPrices],
  ['alarms', async () => (await import('./commands/alarms.js')).registerAlarms],
  ['chargeback', async () => (await import('./commands/chargeback.js')).registerChargeback],
  ['reconcile', async () => (await import('./commands/reconcile.js')).registerReconcile],
  ['report', async () => (await import('./commands/report.js')).registerReport],
  ['daily', async () => (await import('./commands/usage.js')).registerDaily],
  ['monthly', async () => (await import('./commands/usage.js')).registerMonthly],
  ['sync', async () => (await import('./commands/sync.js')).registerSync],
  ['doctor', async () => (await import('./commands/doctor.js')).registerDoctor],
  ['trino', async () => (await import('./commands/trino.js')).registerTrino],
  ['athena', async () => (await import('./commands/athena.js')).registerAthena],
  ['export', async () => (await import('./commands/export.js')).registerExport],
];

/**
 * The CLI: a thin layer over the modules. Each command lives in ./commands/<name>.ts and
 * exports register<Name>(program). Commands return an exit code through `setExitCode` (exit.ts), or throw
 * a BiError whose message is printed without a stack.
 * With `argv`, only the command named in it is loaded (all of them when none is recognised).
 */
export async function buildProgram(argv?: string[]): Promise<Command> {
  const program = new Command();
  program
    .name('bedrock-insights')
    .description(
      'Analytics for Amazon Bedrock model invocation logs: ingest them into a local store, query them with the CloudWatch Logs Insights language, price them.',
    )
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp({ sortSubcommands: false });
  const named = argv?.slice(2).find((a) => !a.startsWith('-'));
  const only = COMMANDS.filter(([name]) => name === named);
  for (const [, load] of only.length === 1 ? only : COMMANDS) (await load())(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  resetExitCode();
  // `bedrock-insights query … | head` closes the pipe early: that is the reader's choice, not an error.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(requestedExitCode());
      throw e;
    });
  }
  const program = await buildProgram(argv);
  program.exitOverride();
  try {
    await program.parseAsync(argv);
    return requestedExitCode();
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and version are "errors" to commander; their exit code is already right.
      return e.exitCode;
    }
    if (e instanceof BiError) {
      process.stderr.write(`error [${e.code}]: ${e.message}\n`);
      return 2;
    }
    process.stderr.write(`error: ${errorMessage(e)}\n`);
    if (process.env.BEDROCK_INSIGHTS_DEBUG) process.stderr.write(`${(e as Error).stack ?? ''}\n`);
    return 2;
  }
}
