import type { Command } from 'commander';
import { describeLayout } from '../../engines/trino/layout.js';
import { DEFAULT_ATHENA_ARCHIVE, athenaArchiveDdl, describeArchive } from '../../engines/trino/archive-table.js';
import { DEFAULT_ATHENA_TABLE, athenaDdl, parseTableName } from '../../engines/trino/table.js';
import { BiError } from '../../util/errors.js';
import { addLayoutOptions, layoutOptions, type LayoutFlags } from './layoutFlags.js';

interface DdlFlags extends Omit<LayoutFlags, 'location'> {
  location?: string;
  archive?: string;
  table?: string;
}

export function registerAthena(program: Command): void {
  const athena = program
    .command('athena')
    .description('Amazon Athena over the S3 delivery bucket or the Parquet archive.');
  const ddl = athena
    .command('ddl')
    .description(
      'Print the CREATE EXTERNAL TABLE statements to paste into Athena: the invocation logs read in place from the S3 delivery layout (a typed table for SQL by hand, and the lines table `query --engine athena` reads), partitioned by account, region and hour with partition projection (no crawler, no MSCK REPAIR); or, with --archive, the tables over the Parquet archive of `export`. The same tables `trino setup` creates.',
    )
    .option('--location <s3-url>', 's3://BUCKET/PREFIX that holds AWSLogs/ (Bedrock’s bucket and key prefix)')
    .option('--archive <s3-url>', 's3://BUCKET/PREFIX of an archive written by `export` (instead of --location)')
    .option(
      '--table <database.table>',
      `the table to create (default ${DEFAULT_ATHENA_TABLE}, or ${DEFAULT_ATHENA_ARCHIVE} with --archive)`,
    );
  addLayoutOptions(ddl);
  ddl
    .addHelpText(
      'after',
      `
Without --accounts and --log-regions the location is listed (AWS credentials needed) to find the
account and region folders; with both, and --from, nothing is read from AWS. The statements are
separated by ";": Athena's console runs one at a time.

Examples:
  npx bedrock-insights athena ddl --location s3://my-bedrock-logs/
  npx bedrock-insights athena ddl --location s3://my-bedrock-logs/team-a --accounts 111122223333 --log-regions us-east-1,us-west-2 --from 2025-01-01
  npx bedrock-insights athena ddl --archive s3://my-archive/bedrock --from 2025-01-01`,
    )
    .action(async (flags: DdlFlags) => {
      if ((flags.location === undefined) === (flags.archive === undefined))
        throw new BiError(
          'INVALID_ARGUMENT',
          'Give either --location (the delivery layout) or --archive (an export), not both.',
        );
      const table = flags.table ?? (flags.archive ? DEFAULT_ATHENA_ARCHIVE : DEFAULT_ATHENA_TABLE);
      const { schema } = parseTableName(table, 2);
      let text: string;
      if (flags.archive !== undefined) {
        const a = await describeArchive(flags.archive, {
          ...(flags.from ? { from: flags.from } : {}),
          aws: { region: flags.region, endpointUrl: flags.endpointUrl },
        });
        text = athenaArchiveDdl(a, table);
      } else {
        const layout = await describeLayout(
          flags.location ?? '',
          layoutOptions({ ...flags, location: flags.location ?? '' }),
        );
        text = `${athenaDdl(layout, table)};\n\n${athenaDdl(layout, table, 'lines')}`;
      }
      process.stderr.write(`-- Run first, once: CREATE DATABASE IF NOT EXISTS ${schema}\n`);
      process.stdout.write(`${text}\n`);
    });
}
