import { Command, CommanderError, Help } from 'commander';
import { BiError, errorMessage } from '../util/errors.js';
import { COMMANDS, namedCommand } from './commands.js';
import { EXIT, requestedExitCode, resetExitCode } from './exit.js';
import { WAIT_DEFAULT_SECONDS, setStoreWait } from './store-wait.js';
import { clientCommand } from '../control/context.js';
import { RanThroughServer, setCommandRunner } from './self.js';
import { packageVersion } from './package-info.js';
import { didYouMean } from './suggest.js';

/** The code every bad argument is reported with, commander's own usage errors included. */
const BAD_ARGUMENT = 'INVALID_ARGUMENT';

/**
 * commander's Command with our "did you mean" for unknown options (also for subcommands, which
 * commander creates through createCommand).
 */
class CliCommand extends Command {
  override createCommand(name?: string): Command {
    return new CliCommand(name);
  }

  /** Called by commander for an option no command declares. */
  unknownOption(flag: string): void {
    if ((this as unknown as { _allowUnknownOption?: boolean })._allowUnknownOption) return;
    const flags: string[] = [];
    const collect = (c: Command | null): void => {
      if (!c) return;
      for (const o of c.createHelp().visibleOptions(c)) if (o.long) flags.push(o.long);
      collect(c.parent);
    };
    collect(this);
    this.error(`error: unknown option '${flag}'${flag.startsWith('--') ? didYouMean(flag, flags) : ''}`, {
      code: 'commander.unknownOption',
    });
  }
}

/**
 * Stand-ins for the commands that are not loaded: enough for the top-level help and for
 * commander's "unknown command … did you mean" (their modules are imported only to run them).
 */
function addStandIns(program: Command): void {
  for (const c of COMMANDS) program.command(c.name).description(c.summary).allowUnknownOption();
  const terms = new Map(COMMANDS.map((c) => [c.name, c.term]));
  program.configureHelp({
    sortSubcommands: false,
    subcommandTerm: (cmd) => {
      const term = terms.get(cmd.name());
      return term ? `${cmd.name()} ${term}` : new Help().subcommandTerm(cmd);
    },
  });
}

/**
 * The CLI: a thin layer over the modules. Each command lives in ./commands/<name>.ts and exports
 * register<Name>(program). Commands set an exit status through `setExitCode` (exit.ts), or throw
 * a BiError whose message is printed without a stack. Only the command named in `argv` is
 * loaded; without one (top-level help, --version, a typo) none is.
 */
export async function buildProgram(argv: string[] = []): Promise<Command> {
  const program = new CliCommand();
  program
    .name('bedrock-insights')
    .description(
      'Analytics for Amazon Bedrock model invocation logs: ingest them into a local store, query them with the CloudWatch Logs Insights language, price them.',
    )
    .version(packageVersion(), '-V, --version', 'print the version')
    .showHelpAfterError('(run with --help for usage)')
    // Set before the commands are added, so they inherit it: usage errors come back as a
    // CommanderError instead of exiting the process (tests run main() in-process).
    .exitOverride()
    .configureOutput({
      // commander's usage errors ("unknown option", "missing required argument", a --format
      // outside its choices) carry the same code as ours.
      outputError: (text, write) => write(text.replace(/^error: /, `error [${BAD_ARGUMENT}]: `)),
    })
    .configureHelp({ sortSubcommands: false })
    .option(
      '--wait <seconds>',
      `when another process that is not a server (an ingest) has the store open, wait this long for it (default ${WAIT_DEFAULT_SECONDS}; 0 fails at once). A store a running serve or demo holds is used through that server.`,
    )
    .addHelpText(
      'after',
      `
Run \`npx bedrock-insights <command> --help\` for a command's options (in this package's folder; after
\`npm install -g .\` there, \`bedrock-insights\` works anywhere). Start with \`npx bedrock-insights demo\`.
Exit status: 0 done, 1 a check failed, 2 a usage or runtime error, 130 cancelled (Ctrl-C).`,
    );
  // One place decides where a command runs: here, or in the server that holds its store (forward.ts).
  program.hook('preAction', async (_program, action) => {
    const wait = program.opts<{ wait?: string }>().wait;
    if (wait !== undefined) {
      const n = Number(wait);
      if (!(n >= 0) || !Number.isFinite(n))
        throw new BiError(BAD_ARGUMENT, `--wait must be a number of seconds (got "${wait}").`);
      setStoreWait(n);
    }
    const { runThroughServerIfHeld } = await import('./forward.js');
    await runThroughServerIfHeld(action, argv);
  });
  const named = namedCommand(argv.slice(2));
  if (named) (await named.load())(program);
  else addStandIns(program);
  return program;
}

/**
 * The AWS SDK prints a 7-line NodeVersionSupportWarning on every run under Node.js 20 (it will
 * need 22 from January 2027). The README states the supported versions (22 and 24; 20 works while
 * machines have it); the warning would only bury the command's output, so it is switched off
 * through the SDK's own variable, read when a client is made. Newer Node never warns.
 */
function quietAwsSdkNodeWarning(): void {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}

export async function main(argv: string[]): Promise<number> {
  resetExitCode();
  // `bedrock-insights query … | head` closes the pipe early: that is the reader's choice, not an error.
  // (A command a server runs for a client writes to the client: the server's streams are its own.)
  if (!clientCommand())
    for (const stream of [process.stdout, process.stderr]) {
      stream.on('error', (e: NodeJS.ErrnoException) => {
        if (e.code === 'EPIPE') process.exit(requestedExitCode());
        throw e;
      });
    }
  quietAwsSdkNodeWarning();
  try {
    const program = await buildProgram(argv);
    await program.parseAsync(argv);
    return requestedExitCode();
  } catch (e) {
    if (e instanceof RanThroughServer) return e.code;
    if (e instanceof CommanderError) {
      // Help and version are "errors" to commander with status 0; the rest are usage errors.
      return e.exitCode === 0 ? EXIT.OK : EXIT.ERROR;
    }
    if (e instanceof BiError) {
      process.stderr.write(`error [${e.code}]: ${e.message}\n`);
      return EXIT.ERROR;
    }
    process.stderr.write(`error: ${errorMessage(e)}\n`);
    if (process.env.BEDROCK_INSIGHTS_DEBUG) process.stderr.write(`${(e as Error).stack ?? ''}\n`);
    return EXIT.ERROR;
  }
}

// A server started by `serve` or `demo` runs its clients' command lines through main() too.
setCommandRunner((args) => main(['node', 'bedrock-insights', ...args]));
