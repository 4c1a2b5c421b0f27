import type { Command } from 'commander';
import type { LayoutOptions } from '../../engines/trino/layout.js';

/** The options `athena ddl` and `trino setup` share: what the projection enumerates, and S3 access to find it. */
export interface LayoutFlags {
  location: string;
  accounts?: string;
  logRegions?: string;
  from?: string;
  region?: string;
  endpointUrl?: string;
}

export function addLayoutOptions(cmd: Command): Command {
  return cmd
    .option('--accounts <ids>', 'account folders to include, comma-separated (default: those under AWSLogs/)')
    .option(
      '--log-regions <regions>',
      'region folders to include, comma-separated (default: those under BedrockModelInvocationLogs/)',
    )
    .option('--from <YYYY-MM-DD>', 'first day of the partition projection (default: the first hour folder found)')
    .option('--region <region>', 'AWS region of the bucket, to list an s3:// location')
    .option('--endpoint-url <url>', 'an S3-compatible endpoint, to list an s3:// location');
}

function list(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

export function layoutOptions(f: LayoutFlags): LayoutOptions {
  return {
    accounts: list(f.accounts),
    regions: list(f.logRegions),
    from: f.from,
    aws: { region: f.region, endpointUrl: f.endpointUrl },
  };
}
