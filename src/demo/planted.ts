/**
 * Anomalies planted in the `demo` preset, for the features that must find them (anomaly alarms,
 * the guide's hourly alarm, Q11, the doctor). Times are given relative to the data set's end so
 * that they fall inside any window of at least PLANT_MIN_DAYS days; `plantedWindows` turns them
 * into absolute times for one data set.
 */
import { DEMO_ACCOUNT, DEMO_APPLICATION_PROFILE_ARN } from './world.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Plants are only laid down in data sets of at least this many records and days. */
export const PLANT_MIN_RECORDS = 2000;
export const PLANT_MIN_DAYS = 10;

export const PLANTED = {
  /** One customer-service tenant at about 10x its normal request rate (and so tokens) for a few hours. */
  tenantSpike: {
    application: 'CustomerServiceApp',
    tenant: 'tenant-globex',
    factor: 10,
    daysBeforeEnd: 4,
    startHourUtc: 14,
    hours: 4,
  },
  /** One user sending inputs over 5000 tokens for a few hours (Q11 finds them); no other request exceeds 5000 input or output tokens. */
  oversizedRequests: {
    application: 'SalesAssistantApp',
    user: 'u-48213',
    tenant: 'sales-emea',
    environment: 'production',
    minInputTokens: 5200,
    daysBeforeEnd: 6,
    startHourUtc: 13,
    hours: 6,
  },
  /** The guide's alarm scenario: this application crosses 10,000 tokens (input + output) in exactly one hour. */
  hourlyTokenAlarm: {
    application: 'HRPortalApp',
    threshold: 10_000,
    daysBeforeEnd: 2,
    startHourUtc: 15,
    hours: 1,
    records: 14,
  },
  /** A misspelled environment value on a few records of one application (a bad deploy). */
  misspelledEnvironment: {
    application: 'SalesAssistantApp',
    value: 'producton',
    intended: 'production',
    daysBeforeEnd: 8,
    startHourUtc: 16,
    hours: 3,
  },
  /** Callers that never send requestMetadata: a batch job's role and developers' IAM users (all InvokeModel*). */
  untaggedInvokeModel: {
    roleArnPrefix: `arn:aws:sts::${DEMO_ACCOUNT}:assumed-role/DataPipelineBedrockRole/`,
    userArnPrefix: `arn:aws:iam::${DEMO_ACCOUNT}:user/`,
    operations: ['InvokeModel', 'InvokeModelWithResponseStream'] as const,
  },
  /** An application-inference-profile ARN used as modelId, with no model mapping anywhere. */
  unmappedApplicationProfile: { application: 'KnowledgeBaseApp', modelId: DEMO_APPLICATION_PROFILE_ARN },
} as const;

export interface TimeWindow {
  startMs: number;
  endMs: number;
}

export interface PlantedWindows {
  tenantSpike: TimeWindow;
  oversizedRequests: TimeWindow;
  hourlyTokenAlarm: TimeWindow;
  misspelledEnvironment: TimeWindow;
}

/**
 * The absolute windows of the time-bound plants for a data set ending at `endMs` (exclusive) and
 * spanning `days`, or null when the data set is too short to hold them.
 */
export function plantedWindows(endMs: number, days: number): PlantedWindows | null {
  if (days < PLANT_MIN_DAYS) return null;
  const dayStart = endMs - (endMs % DAY);
  const w = (p: { daysBeforeEnd: number; startHourUtc: number; hours: number }): TimeWindow => {
    const startMs = dayStart - p.daysBeforeEnd * DAY + p.startHourUtc * HOUR;
    return { startMs, endMs: startMs + p.hours * HOUR };
  };
  return {
    tenantSpike: w(PLANTED.tenantSpike),
    oversizedRequests: w(PLANTED.oversizedRequests),
    hourlyTokenAlarm: w(PLANTED.hourlyTokenAlarm),
    misspelledEnvironment: w(PLANTED.misspelledEnvironment),
  };
}
