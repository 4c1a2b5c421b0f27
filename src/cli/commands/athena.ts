import type { Command } from 'commander';
import { describeLayout } from '../../engines/trino/layout.js';
import { DEFAULT_ATHENA_TABLE, athenaDdl, parseTableName } from '../../engines/trino/table.js';
import { addLayoutOptions, layoutOptions, type LayoutFlags } from './layoutFlags.js';

interface DdlFlags extends LayoutFlags {
  table: string;
}

export function registerAthena(program: Command): void {
  const athena = program.command('athena').description('Amazon Athena over the S3 delivery bucket.');
  const ddl = athena
    .command('ddl')
    .description(
      'Print the CREATE EXTERNAL TABLE statement to paste into Athena: the invocation logs read in place from the S3 delivery layout, partitioned by account, region and hour with partition projection (no crawler, no MSCK REPAIR). The same table `trino setup` creates.',
    )
    .requiredOption('--location <s3-url>', 's3://BUCKET/PREFIX that holds AWSLogs/ (Bedrock’s bucket and key prefix)')
    .option('--table <database.table>', 'the table to create', DEFAULT_ATHENA_TABLE);
  addLayoutOptions(ddl);
  ddl
    .addHelpText(
      'after',
      `
Without --accounts and --log-regions the location is listed (AWS credentials needed) to find the
account and region folders; with both, and --from, nothing is read from AWS.

Examples:
  npx bedrock-insights athena ddl --location s3://my-bedrock-logs/
  npx bedrock-insights athena ddl --location s3://my-bedrock-logs/team-a --accounts 111122223333 --log-regions us-east-1,us-west-2 --from 2025-01-01`,
    )
    .action(async (flags: DdlFlags) => {
      const { schema } = parseTableName(flags.table, 2);
      const layout = await describeLayout(flags.location, layoutOptions(flags));
      const ddl = athenaDdl(layout, flags.table);
      process.stderr.write(`-- Run first, once: CREATE DATABASE IF NOT EXISTS ${schema}\n`);
      process.stdout.write(`${ddl}\n`);
    });
}
