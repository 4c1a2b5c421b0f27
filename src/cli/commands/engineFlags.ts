import type { Command } from 'commander';
import { ENGINE_NAMES } from '../../engines/factory.js';

export { engineSettings, type EngineFlags } from '../../engines/connections.js';

export function addEngineOptions(cmd: Command): Command {
  return cmd
    .option('--engine <name>', `where the query runs: ${ENGINE_NAMES.join(', ')}`, 'duckdb')
    .option('--trino-url <url>', 'trino: the coordinator, e.g. http://127.0.0.1:8080 (see `trino start`)')
    .option(
      '--table <name>',
      'trino/athena: the table `trino setup` / `athena ddl` created (default hive.bedrock.invocations / bedrock.invocations)',
    )
    .option('--archive', 'trino/athena: --table is the Parquet archive (`export`), not the delivery layout')
    .option(
      '--keep-bodies',
      "trino/athena: read the delivery layout's request and response bodies whole (prompts!); default what a store keeps",
    )
    .option('--workgroup <name>', 'athena: the workgroup')
    .option('--output-location <s3-url>', "athena: where results go (default: the workgroup's)")
    .option('--region <region>', 'athena/cloudwatch: the AWS region (default: the SDK chain)')
    .option('--endpoint-url <url>', 'athena/cloudwatch: another endpoint (a VPC endpoint, a compatible server)')
    .option(
      '--timeout <seconds>',
      'trino/athena/cloudwatch: stop the remote query after this long (default 300, cloudwatch 900)',
    );
}
