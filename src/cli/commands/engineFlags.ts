import type { Command } from 'commander';
import { ENGINE_NAMES, isEngineName, type EngineSettings } from '../../engines/factory.js';
import { BiError } from '../../util/errors.js';

/** The options that choose where a query runs (`query`, `check`). */
export interface EngineFlags {
  engine?: string;
  trinoUrl?: string;
  table?: string;
  archive?: boolean;
  workgroup?: string;
  outputLocation?: string;
  region?: string;
  endpointUrl?: string;
  timeout?: string;
}

export function addEngineOptions(cmd: Command): Command {
  return cmd
    .option('--engine <name>', `where the query runs: ${ENGINE_NAMES.join(', ')}`, 'duckdb')
    .option('--trino-url <url>', 'trino: the coordinator, e.g. http://127.0.0.1:8080 (see `trino start`)')
    .option(
      '--table <name>',
      'trino/athena: the table `trino setup` / `athena ddl` created (default hive.bedrock.invocations / bedrock.invocations)',
    )
    .option('--archive', 'trino/athena: --table is the Parquet archive (`export`), not the delivery layout')
    .option('--workgroup <name>', 'athena: the workgroup')
    .option('--output-location <s3-url>', "athena: where results go (default: the workgroup's)")
    .option('--region <region>', 'athena/cloudwatch: the AWS region (default: the SDK chain)')
    .option('--endpoint-url <url>', 'athena/cloudwatch: another endpoint (a VPC endpoint, a compatible server)')
    .option(
      '--timeout <seconds>',
      'trino/athena/cloudwatch: stop the remote query after this long (default 300, cloudwatch 900)',
    );
}

function seconds(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0)
    throw new BiError('BAD_OPTION', `--timeout must be a number of seconds (got "${text}").`);
  return Math.round(n * 1000);
}

/** The engine settings of the flags; a flag of another engine is refused rather than ignored. */
export function engineSettings(f: EngineFlags): EngineSettings {
  const engine = f.engine ?? 'duckdb';
  if (!isEngineName(engine))
    throw new BiError('BAD_OPTION', `--engine ${engine}: use one of ${ENGINE_NAMES.join(', ')}.`);
  const timeoutMs = seconds(f.timeout);
  const used: Record<string, readonly string[]> = {
    duckdb: [],
    trino: ['trinoUrl', 'table', 'archive', 'timeout'],
    athena: ['workgroup', 'outputLocation', 'region', 'endpointUrl', 'table', 'archive', 'timeout'],
    cloudwatch: ['region', 'endpointUrl', 'timeout'],
  };
  const flagName = (k: string) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  for (const k of [
    'trinoUrl',
    'table',
    'archive',
    'workgroup',
    'outputLocation',
    'region',
    'endpointUrl',
    'timeout',
  ] as const)
    if (f[k] !== undefined && !used[engine].includes(k))
      throw new BiError('BAD_OPTION', `${flagName(k)} does not apply to --engine ${engine}.`);
  switch (engine) {
    case 'duckdb':
      return { engine };
    case 'trino':
      if (!f.trinoUrl)
        throw new BiError('BAD_OPTION', '--engine trino needs --trino-url (see `bedrock-insights trino start`).');
      return {
        engine,
        trino: {
          url: f.trinoUrl,
          ...(f.table ? { table: f.table } : {}),
          ...(f.archive ? { archive: true } : {}),
          ...(timeoutMs ? { timeoutMs } : {}),
        },
      };
    case 'athena':
      if (!f.workgroup) throw new BiError('BAD_OPTION', '--engine athena needs --workgroup.');
      if (f.outputLocation !== undefined && !f.outputLocation.startsWith('s3://'))
        throw new BiError('BAD_OPTION', `--output-location must be an s3:// URL (got "${f.outputLocation}").`);
      return {
        engine,
        athena: {
          workgroup: f.workgroup,
          ...(f.outputLocation ? { outputLocation: f.outputLocation } : {}),
          ...(f.region ? { region: f.region } : {}),
          ...(f.endpointUrl ? { endpointUrl: f.endpointUrl } : {}),
          ...(f.table ? { table: f.table } : {}),
          ...(f.archive ? { archive: true } : {}),
          ...(timeoutMs ? { timeoutMs } : {}),
        },
      };
    case 'cloudwatch':
      return {
        engine,
        cloudwatch: {
          ...(f.region ? { region: f.region } : {}),
          ...(f.endpointUrl ? { endpointUrl: f.endpointUrl } : {}),
          ...(timeoutMs ? { timeoutMs } : {}),
        },
      };
  }
}
