import type { Command } from 'commander';
import { TrinoClient } from '../../engines/trino/client.js';
import { describeLayout } from '../../engines/trino/layout.js';
import {
  localTrinoStatus,
  releaseLocalTrino,
  startLocalTrino,
  stopLocalTrino,
  trinoHome,
} from '../../engines/trino/local.js';
import { DEFAULT_TRINO_ARCHIVE, describeArchive } from '../../engines/trino/archive-table.js';
import { setupTrinoArchive, setupTrinoTable } from '../../engines/trino/setup.js';
import { BiError } from '../../util/errors.js';
import { DEFAULT_TRINO_TABLE } from '../../engines/trino/table.js';
import { EXIT, setExitCode } from '../exit.js';
import { addLayoutOptions, layoutOptions, type LayoutFlags } from './layoutFlags.js';

interface SetupFlags extends Omit<LayoutFlags, 'location'> {
  trinoUrl: string;
  location?: string;
  archive?: string;
  table?: string;
}

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

export function registerTrino(program: Command): void {
  const trino = program
    .command('trino')
    .description('A local Trino to try queries on, and the table over the S3 delivery layout on any Trino.');

  // Test helpers and CI pass their own pid: the server then stops when the last of them releases it.
  const holderOf = (): number | undefined => {
    const holder = Number(process.env.BEDROCK_INSIGHTS_TRINO_HOLDER ?? '');
    return Number.isInteger(holder) && holder > 0 ? holder : undefined;
  };

  trino
    .command('start')
    .description(
      'Start a local single-node Trino on 127.0.0.1 (fetched with Maven on first use, about 430 MB; needs Java 24+), or reuse the running one. Prints TRINO_URL=… once it accepts queries.',
    )
    .action(async () => {
      const r = await startLocalTrino({ log, holder: holderOf() });
      if (r.install?.downloaded)
        log(`Fetched Trino (${(r.install.downloadBytes / 1e6).toFixed(0)} MB) in ${r.install.seconds.toFixed(0)} s.`);
      log(r.reused ? `Reusing Trino (pid ${r.pid}).` : `Trino (pid ${r.pid}) ready in ${r.seconds.toFixed(1)} s.`);
      process.stdout.write(`TRINO_URL=${r.url}\n`);
    });

  trino
    .command('stop')
    .description(
      'Stop the local Trino started by `trino start`; refused while test runs hold it, unless --force. With BEDROCK_INSIGHTS_TRINO_HOLDER set (as for start), lets go of that hold instead: the server stops when it was started for holders and none is left.',
    )
    .option('--force', 'stop it even while test runs hold it')
    .action(async (flags: { force?: boolean }) => {
      const holder = holderOf();
      if (holder !== undefined && !flags.force) {
        const r = await releaseLocalTrino(holder);
        log(r.stopped ? 'Stopped Trino: no other process held it.' : 'Released; Trino stays for its other users.');
        return;
      }
      const r = await stopLocalTrino({ force: flags.force === true });
      log(r.stopped ? `Stopped Trino (pid ${r.pid}).` : 'No local Trino was running.');
    });

  trino
    .command('status')
    .description('Print TRINO_URL=… of the running local Trino (exit status 1 when none runs).')
    .action(async () => {
      const s = await localTrinoStatus();
      if (s) process.stdout.write(`TRINO_URL=${s.url}\n`);
      else {
        log(`No local Trino is running (cache: ${trinoHome()}).`);
        setExitCode(EXIT.FAILED);
      }
    });

  const setup = trino
    .command('setup')
    .description(
      'Create the schema and the tables over the S3 delivery layout (AWSLogs/<account>/BedrockModelInvocationLogs/<region>/YYYY/MM/DD/HH/*.json.gz), read in place with partition projection: a typed table for SQL by hand and <table>_lines, which `query --engine trino` reads; or, with --archive, the tables over the Parquet archive of `export`. The same tables `athena ddl` prints. Running it again replaces the definitions; the files are never touched.',
    )
    .requiredOption('--trino-url <url>', 'the Trino coordinator, e.g. http://127.0.0.1:8080 (see `trino start`)')
    .option('--location <dir-or-s3-url>', 'the folder or s3://BUCKET/PREFIX that holds AWSLogs/')
    .option('--archive <dir-or-s3-url>', 'an archive written by `export` (instead of --location)')
    .option(
      '--table <catalog.schema.table>',
      `the table to create (default ${DEFAULT_TRINO_TABLE}, or ${DEFAULT_TRINO_ARCHIVE} with --archive)`,
    );
  addLayoutOptions(setup);
  setup
    .addHelpText(
      'after',
      `
Examples:
  npx bedrock-insights generate --out ./demo-logs
  eval "$(bedrock-insights trino start)"
  npx bedrock-insights trino setup --trino-url "$TRINO_URL" --location ./demo-logs
  npx bedrock-insights query -f queries/bedrock/q02-tokens-by-application.insights --engine trino --trino-url "$TRINO_URL"
  npx bedrock-insights export --out ./archive && npx bedrock-insights trino setup --trino-url "$TRINO_URL" --archive ./archive

A local folder is given to Trino as local:///absolute/path (the local Trino's catalog reads the
local file system); an s3:// location needs a Trino whose hive catalog reads S3.`,
    )
    .action(async (flags: SetupFlags) => {
      if ((flags.location === undefined) === (flags.archive === undefined))
        throw new BiError(
          'INVALID_ARGUMENT',
          'Give either --location (the delivery layout) or --archive (an export), not both.',
        );
      const client = new TrinoClient({ url: flags.trinoUrl });
      if (flags.archive !== undefined) {
        const a = await describeArchive(flags.archive, {
          ...(flags.from ? { from: flags.from } : {}),
          aws: { region: flags.region, endpointUrl: flags.endpointUrl },
        });
        const r = await setupTrinoArchive(client, a, flags.table ?? DEFAULT_TRINO_ARCHIVE);
        process.stdout.write(
          `${r.replaced ? 'Replaced' : 'Created'} ${r.table} (with ${r.table}_fields, ${r.table}_log_groups) over the archive ${a.root}: days from ${a.firstDay} to now.\n`,
        );
        return;
      }
      const layout = await describeLayout(
        flags.location ?? '',
        layoutOptions({ ...flags, location: flags.location ?? '' }),
      );
      const r = await setupTrinoTable(client, layout, flags.table ?? DEFAULT_TRINO_TABLE);
      process.stdout.write(
        `${r.replaced ? 'Replaced' : 'Created'} ${r.table} over ${layout.root}: accounts ${layout.accounts.join(', ')}; regions ${layout.regions.join(', ')}; hours from ${layout.firstHour} to now.\n`,
      );
    });
}
