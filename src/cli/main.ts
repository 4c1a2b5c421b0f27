import { Command, CommanderError } from 'commander';
import { BiError, errorMessage } from '../util/errors.js';
import { registerIngest } from './commands/ingest.js';
import { registerGenerate } from './commands/generate.js';
import { registerDemo } from './commands/demo.js';
import { registerQuery } from './commands/query.js';
import { registerCheck } from './commands/check.js';
import { registerPrices } from './commands/prices.js';
import { registerServe } from './commands/serve.js';
import { registerAlarms } from './commands/alarms.js';
import { registerChargeback } from './commands/chargeback.js';
import { registerReconcile } from './commands/reconcile.js';
import { registerReport } from './commands/report.js';
import { registerSync } from './commands/sync.js';
import { registerDoctor } from './commands/doctor.js';

/**
 * The CLI: a thin layer over the modules. Each command lives in ./commands/<name>.ts and
 * exports register<Name>(program). Commands return an exit code through `setExitCode`, or throw
 * a BiError whose message is printed without a stack.
 */
export function buildProgram(): Command {
  const program = new Command();
  program
    .name('bedrock-insights')
    .description('Analytics for Amazon Bedrock model invocation logs: ingest them into a local store, query them with the CloudWatch Logs Insights language, price them.')
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp({ sortSubcommands: false });
  registerDemo(program);
  registerServe(program);
  registerIngest(program);
  registerGenerate(program);
  registerQuery(program);
  registerCheck(program);
  registerPrices(program);
  registerAlarms(program);
  registerChargeback(program);
  registerReconcile(program);
  registerReport(program);
  registerSync(program);
  registerDoctor(program);
  return program;
}

let exitCode = 0;
/** Commands set a non-zero exit status through this (for example: records rejected under --strict). */
export function setExitCode(code: number): void {
  exitCode = code;
}

export async function main(argv: string[]): Promise<number> {
  exitCode = 0;
  // `bedrock-insights query … | head` closes the pipe early: that is the reader's choice, not an error.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(exitCode);
      throw e;
    });
  }
  const program = buildProgram();
  program.exitOverride();
  try {
    await program.parseAsync(argv);
    return exitCode;
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
