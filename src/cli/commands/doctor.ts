import type { Command } from 'commander';
import { renderText, runDoctor } from '../../doctor/index.js';
import { defaultDbPath } from '../../store/store.js';
import { EXIT, setExitCode } from '../exit.js';
import { dbOption, formatOption } from '../options.js';
import { withOptionalStore } from '../store.js';

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('Why do I not see what I expect? Checks Bedrock logging in AWS and metadata hygiene in the data.')
    .addOption(dbOption('optional'))
    .option('--region <regions>', 'AWS regions to check, comma-separated (default: the regions in the data)')
    .option(
      '--endpoint-url <url>',
      'Bedrock control-plane endpoint (also used for CloudWatch Logs unless --logs-endpoint-url)',
    )
    .option('--logs-endpoint-url <url>', 'CloudWatch Logs endpoint')
    .option('--no-aws', 'only the checks on the data')
    .option('--log-group <name>', 'only this log group of the store')
    .option(
      '--app-key <key>',
      'the requestMetadata key naming the application (default: application_name, application, app…)',
    )
    .addOption(formatOption(['text', 'json']))
    .addHelpText(
      'after',
      `
With AWS credentials (environment, profile, SSO, instance role), per region: whether model invocation
logging is on (GetModelInvocationLoggingConfiguration), its destinations, text delivery, the
large-data bucket, whether the log group exists and receives events, and the delivery delay.
Always, on the data: invocations without requestMetadata by operation and caller (with the fix for
each: the requestMetadata field on Converse, the X-Amzn-Bedrock-Request-Metadata header on
InvokeModel), coverage of each metadata key per application, values that look misspelled,
keys with a value per call, application-inference-profile ARNs with no model, models with no price.
Without a store (none named and no default one) only the AWS checks run.
Exit status 1 when a finding is an error.

Examples:
  npx bedrock-insights doctor
  npx bedrock-insights doctor --region us-east-1,eu-central-1 --format json
  npx bedrock-insights doctor --no-aws --db demo.duckdb`,
    )
    .action(
      async (o: {
        db?: string;
        region?: string;
        endpointUrl?: string;
        logsEndpointUrl?: string;
        aws: boolean;
        logGroup?: string;
        appKey?: string;
        format: 'text' | 'json';
      }) => {
        // The doctor only reads: a read-only open works beside a running ingest-free reader.
        await withOptionalStore(o, true, async (store) => {
          if (!store) process.stderr.write(`no store at ${defaultDbPath(o.db)}: only the AWS checks run\n`);
          const report = await runDoctor(store ?? null, {
            aws: o.aws,
            ...(o.region
              ? {
                  regions: o.region
                    .split(',')
                    .map((s) => s.trim())
                    .filter(Boolean),
                }
              : {}),
            ...(o.endpointUrl ? { endpointUrl: o.endpointUrl } : {}),
            ...(o.logsEndpointUrl ? { logsEndpointUrl: o.logsEndpointUrl } : {}),
            ...(o.logGroup ? { logGroup: o.logGroup } : {}),
            ...(o.appKey ? { applicationKey: o.appKey } : {}),
          });
          process.stdout.write(o.format === 'json' ? JSON.stringify(report, null, 2) + '\n' : renderText(report));
          if (report.findings.some((f) => f.severity === 'error')) setExitCode(EXIT.FAILED);
        });
      },
    );
}
