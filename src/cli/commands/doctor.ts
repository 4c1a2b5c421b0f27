import type { Command } from 'commander';
import { renderText, runDoctor } from '../../doctor/index.js';
import { DB_ENV, Store, defaultDbPath } from '../../store/store.js';
import { BiError } from '../../util/errors.js';
import { setExitCode } from '../exit.js';

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('Why do I not see what I expect? Checks Bedrock logging in AWS and metadata hygiene in the data')
    .option('--db <file>', `the store (default: $${DB_ENV}, else ~/.bedrock-insights/store.duckdb)`)
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
    .option('--format <format>', 'text or json', 'text')
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
Exit status 1 when a finding is an error.

Examples:
  bedrock-insights doctor
  bedrock-insights doctor --region us-east-1,eu-central-1 --format json
  bedrock-insights doctor --no-aws --db demo.duckdb`,
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
        format: string;
      }) => {
        if (o.format !== 'text' && o.format !== 'json')
          throw new BiError('INVALID_ARGUMENT', `--format must be text or json, not "${o.format}".`);
        const path = defaultDbPath(o.db);
        // The doctor only reads: a read-only open works beside a running ingest-free reader.
        let store: Store | null = null;
        try {
          store = await Store.open(path, { readOnly: true });
        } catch (e) {
          if (!(e instanceof BiError) || e.code !== 'STORE_OPEN_FAILED') throw e;
          process.stderr.write(`no store at ${path}: only the AWS checks run\n`);
        }
        try {
          const report = await runDoctor(store, {
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
          if (report.findings.some((f) => f.severity === 'error')) setExitCode(1);
        } finally {
          store?.close();
        }
      },
    );
}
