import { BiError, errorMessage } from '../util/errors.js';
import type { RejectedRecord } from './chunk-writer.js';
import type { SourceConfig } from './source.js';

/** What the AWS sources (s3://, cloudwatch://) share: client settings, options, and how their failures read. */

export interface AwsClientOptions {
  /** AWS region; default: the SDK's resolution (AWS_REGION, profile…). */
  region?: string;
  /** An S3-compatible (or test) endpoint; path-style addressing is used with it. */
  endpointUrl?: string;
  /** Explicit credentials (tests); default: the SDK's provider chain (env, profile, SSO, instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

/** The client settings every AWS source takes from its options (each SDK client's config accepts them). */
export function awsClientConfig(o: AwsClientOptions): {
  region?: string;
  endpoint?: string;
  credentials?: AwsClientOptions['credentials'];
} {
  const cfg: { region?: string; endpoint?: string; credentials?: AwsClientOptions['credentials'] } = {};
  if (o.region) cfg.region = o.region;
  if (o.endpointUrl) cfg.endpoint = o.endpointUrl;
  if (o.credentials) cfg.credentials = o.credentials;
  return cfg;
}

/** What s3:// and cloudwatch:// ingest options share. */
export interface AwsIngestOptions extends AwsClientOptions {
  /** Local log group to store into. */
  logGroup?: string;
  keepBodies?: boolean;
  strict?: boolean;
  /** Called with every rejection as it happens (the summary keeps only the first 1000). */
  onReject?: (r: RejectedRecord) => void;
}

/** The options a configured AWS source (sources.json, the ingest command's flags) opens with. */
export function awsIngestOptionsOf(cfg: SourceConfig): AwsIngestOptions {
  return {
    ...(cfg.region ? { region: cfg.region } : {}),
    ...(cfg.endpointUrl ? { endpointUrl: cfg.endpointUrl } : {}),
    ...(cfg.logGroup ? { logGroup: cfg.logGroup } : {}),
    keepBodies: cfg.keepBodies ?? false,
  };
}

/** An AWS SDK failure as a BiError that says what to check. */
export function awsError(e: unknown, what: string): BiError {
  if (e instanceof BiError) return e;
  const name = (e as { name?: string }).name ?? '';
  const msg = errorMessage(e);
  let hint = '';
  if (/Credentials|credential/i.test(name + msg))
    hint =
      ' Configure AWS credentials (AWS_PROFILE, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, aws sso login, or an instance role).';
  else if (/Region is missing/i.test(msg)) hint = ' Pass --region or set AWS_REGION.';
  else if (/AccessDenied|Forbidden|UnauthorizedOperation/i.test(name + msg))
    hint =
      ' The credentials lack permission (for S3: s3:ListBucket and s3:GetObject; for CloudWatch Logs: logs:FilterLogEvents).';
  else if (/NoSuchBucket|ResourceNotFound/i.test(name + msg)) hint = ' Check the name and the region.';
  return new BiError('AWS_REQUEST_FAILED', `Cannot ${what}: ${name ? `${name}: ` : ''}${msg}.${hint}`, {
    awsError: name,
  });
}
