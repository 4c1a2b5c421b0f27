import {
  BedrockClient,
  GetModelInvocationLoggingConfigurationCommand,
  type BedrockClientConfig,
  type LoggingConfig,
} from '@aws-sdk/client-bedrock';
import {
  CloudWatchLogsClient,
  DescribeLogGroupsCommand,
  FilterLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { errorMessage } from '../util/errors.js';
import type { Finding } from './types.js';

export interface AwsCheckOptions {
  regions: string[];
  /** Bedrock control-plane endpoint (tests, VPC endpoints); also used for CloudWatch Logs unless logsEndpointUrl. */
  endpointUrl?: string;
  logsEndpointUrl?: string;
  /** Default: the SDK's provider chain (environment, profile, SSO, instance role). */
  credentials?: BedrockClientConfig['credentials'];
  /** How far back to look for delivered events (ms; default 24 h). */
  lookbackMs?: number;
  now?: () => number;
}

export interface AwsCheckResult {
  ran: boolean;
  skipped?: string;
  findings: Finding[];
}

const CRED_ERROR = /CredentialsProviderError|Could not load credentials|Unable to locate credentials/i;

/** Percentile of a sorted list. */
function pctl(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

const mins = (ms: number): string => (ms < 60_000 ? `${Math.round(ms / 1000)} s` : `${(ms / 60_000).toFixed(1)} min`);

/**
 * The checks that need AWS: per region, Bedrock's model invocation logging configuration, and for
 * a CloudWatch destination whether the group exists, receives events, and how late they arrive.
 * Without credentials nothing runs and the result says so (the data checks still run).
 */
export async function awsFindings(o: AwsCheckOptions): Promise<AwsCheckResult> {
  const findings: Finding[] = [];
  const now = o.now ?? Date.now;
  for (const region of o.regions) {
    const bedrock = new BedrockClient({
      region,
      maxAttempts: 2,
      ...(o.endpointUrl ? { endpoint: o.endpointUrl } : {}),
      ...(o.credentials ? { credentials: o.credentials } : {}),
    });
    let cfg: LoggingConfig | undefined;
    try {
      cfg = (await bedrock.send(new GetModelInvocationLoggingConfigurationCommand({}))).loggingConfig;
    } catch (e) {
      const name = (e as { name?: string }).name ?? '';
      if (CRED_ERROR.test(`${name} ${errorMessage(e)}`)) {
        return {
          ran: false,
          skipped: 'no AWS credentials found (environment, profile, SSO or instance role); only the data checks ran',
          findings,
        };
      }
      findings.push({
        check: 'logging.unreadable',
        severity: 'error',
        title: `${region}: cannot read Bedrock's logging configuration`,
        detail: `GetModelInvocationLoggingConfiguration failed: ${name ? `${name}: ` : ''}${errorMessage(e)}.`,
        nextStep: /AccessDenied/i.test(name)
          ? 'Grant bedrock:GetModelInvocationLoggingConfiguration to these credentials, or run: aws bedrock get-model-invocation-logging-configuration --region ' +
            region
          : `Check the region name and network access, then run: aws bedrock get-model-invocation-logging-configuration --region ${region}`,
        data: { region },
      });
      continue;
    } finally {
      bedrock.destroy();
    }
    if (!cfg || (!cfg.cloudWatchConfig && !cfg.s3Config)) {
      findings.push({
        check: 'logging.disabled',
        severity: 'error',
        title: `${region}: model invocation logging is off`,
        detail: `Bedrock writes no invocation logs in ${region} (GetModelInvocationLoggingConfiguration returned no configuration): calls made there are invisible to bedrock-insights and to CloudWatch Logs Insights.`,
        nextStep: `Turn it on (Bedrock console → Settings → Model invocation logging, or aws bedrock put-model-invocation-logging-configuration --region ${region} --logging-config '{"cloudWatchConfig":{"logGroupName":"/aws/bedrock/modelinvocations","roleArn":"arn:aws:iam::<account>:role/<role Bedrock may assume>"},"textDataDeliveryEnabled":true}').`,
        data: { region },
      });
      continue;
    }
    const dest = [
      cfg.cloudWatchConfig ? `CloudWatch Logs group ${cfg.cloudWatchConfig.logGroupName}` : null,
      cfg.s3Config ? `S3 s3://${cfg.s3Config.bucketName}/${cfg.s3Config.keyPrefix ?? ''}` : null,
    ]
      .filter(Boolean)
      .join(' and ');
    findings.push({
      check: 'logging.enabled',
      severity: 'ok',
      title: `${region}: model invocation logging is on`,
      detail: `Delivered to ${dest}; text data ${cfg.textDataDeliveryEnabled ? 'included' : 'not included'}${cfg.cloudWatchConfig?.largeDataDeliveryS3Config ? `; large bodies to s3://${cfg.cloudWatchConfig.largeDataDeliveryS3Config.bucketName}/${cfg.cloudWatchConfig.largeDataDeliveryS3Config.keyPrefix ?? ''}` : ''}.`,
      nextStep: '',
      data: { region, loggingConfig: cfg },
    });
    if (!cfg.textDataDeliveryEnabled) {
      findings.push({
        check: 'logging.textDelivery',
        severity: 'info',
        title: `${region}: text data delivery is off`,
        detail:
          'Records carry token counts and metadata but no prompts or responses. Costs and tags are complete; the 1-hour cache-write split (read from response bodies) is not, so those writes are priced at the 5-minute rate.',
        nextStep:
          'Nothing to do if you keep prompts out of logs on purpose; otherwise set "textDataDeliveryEnabled": true in the logging configuration.',
        data: { region },
      });
    }
    if (cfg.cloudWatchConfig && !cfg.cloudWatchConfig.largeDataDeliveryS3Config && !cfg.s3Config) {
      findings.push({
        check: 'logging.largeData',
        severity: 'info',
        title: `${region}: no large-data bucket for CloudWatch delivery`,
        detail:
          'Bodies too large for a CloudWatch event (and binary data) are dropped: such records have neither the body nor an S3 path.',
        nextStep:
          'Set cloudWatchConfig.largeDataDeliveryS3Config {"bucketName": "…", "keyPrefix": "…"} if you need full bodies.',
        data: { region },
      });
    }
    if (cfg.cloudWatchConfig?.logGroupName)
      findings.push(...(await logGroupFindings(region, cfg.cloudWatchConfig.logGroupName, o, now())));
  }
  return { ran: true, findings };
}

async function logGroupFindings(region: string, group: string, o: AwsCheckOptions, nowMs: number): Promise<Finding[]> {
  const endpoint = o.logsEndpointUrl ?? o.endpointUrl;
  const logs = new CloudWatchLogsClient({
    region,
    maxAttempts: 2,
    ...(endpoint ? { endpoint } : {}),
    ...(o.credentials ? { credentials: o.credentials } : {}),
  });
  try {
    let exists = false;
    let token: string | undefined;
    do {
      const r = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: group, nextToken: token }));
      exists ||= (r.logGroups ?? []).some((g) => g.logGroupName === group);
      token = exists ? undefined : r.nextToken;
    } while (token);
    if (!exists) {
      return [
        {
          check: 'cloudwatch.missingGroup',
          severity: 'error',
          title: `${region}: the log group ${group} does not exist`,
          detail: 'Bedrock is configured to deliver to it, but the group is not there, so delivery fails.',
          nextStep: `aws logs create-log-group --region ${region} --log-group-name ${group}; and check that the logging role may logs:CreateLogStream and logs:PutLogEvents on it.`,
          data: { region, logGroup: group },
        },
      ];
    }
    const lookback = o.lookbackMs ?? 24 * 3600 * 1000;
    const r = await logs.send(
      new FilterLogEventsCommand({ logGroupName: group, startTime: nowMs - lookback, limit: 1000 }),
    );
    const events = r.events ?? [];
    if (events.length === 0) {
      return [
        {
          check: 'cloudwatch.noEvents',
          severity: 'warning',
          title: `${region}: no events in ${group} in the last ${Math.round(lookback / 3600_000)} h`,
          detail:
            'Logging is configured and the group exists, but nothing arrived: either no bedrock-runtime calls were made in this region, or delivery fails.',
          nextStep: `Make one call in ${region}, wait 5 minutes and run the doctor again; if still nothing, check the logging role (trusted by bedrock.amazonaws.com, logs:CreateLogStream and logs:PutLogEvents on ${group}) and the CloudWatch metric AWS/Bedrock ModelInvocationLogsCloudWatchDeliveryFailure.`,
          data: { region, logGroup: group },
        },
      ];
    }
    // Delay: the record's own timestamp (when Bedrock handled the call) to CloudWatch's ingestion.
    const delays = events
      .map((e) => {
        let t = e.timestamp ?? 0;
        try {
          const rec = JSON.parse(e.message ?? '') as { timestamp?: unknown };
          if (typeof rec.timestamp === 'string' && !Number.isNaN(Date.parse(rec.timestamp)))
            t = Date.parse(rec.timestamp);
        } catch {
          /* not a record: keep the event time */
        }
        return Math.max(0, (e.ingestionTime ?? t) - t);
      })
      .sort((a, b) => a - b);
    const p50 = pctl(delays, 0.5);
    const max = delays[delays.length - 1];
    return [
      {
        check: 'cloudwatch.delivery',
        severity: max > 15 * 60_000 ? 'warning' : 'ok',
        title: `${region}: ${group} receives events`,
        detail: `${events.length}${r.nextToken ? '+' : ''} events in the last ${Math.round(lookback / 3600_000)} h; delivery delay (record timestamp to ingestion) median ${mins(p50)}, max ${mins(max)}.`,
        nextStep:
          max > 15 * 60_000
            ? 'Delays this long miss the sync overlap window: raise it (sync sources read 15 minutes back by default) and expect recent figures to fill in late.'
            : '',
        data: { region, logGroup: group, events: events.length, delayMsP50: p50, delayMsMax: max },
      },
    ];
  } catch (e) {
    const name = (e as { name?: string }).name ?? '';
    return [
      {
        check: 'cloudwatch.unreadable',
        severity: 'warning',
        title: `${region}: cannot read the log group ${group}`,
        detail: `${name ? `${name}: ` : ''}${errorMessage(e)}.`,
        nextStep:
          'Grant these credentials logs:DescribeLogGroups and logs:FilterLogEvents on the group to let the doctor measure delivery.',
        data: { region, logGroup: group },
      },
    ];
  } finally {
    logs.destroy();
  }
}
