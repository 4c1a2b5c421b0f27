import { z } from 'zod';
import { isFieldReference, parseFilterPattern } from '../cloudwatch/filterPattern.js';
import { BiError } from '../util/errors.js';

/**
 * Alarm definitions: plain JSON files (`npx bedrock-insights alarms create -f FILE`), validated here.
 * Field names follow PutMetricAlarm (camelCased) so a CloudWatch user recognises them.
 */

export const COMPARISON_OPERATORS = [
  'GreaterThanThreshold',
  'GreaterThanOrEqualToThreshold',
  'LessThanThreshold',
  'LessThanOrEqualToThreshold',
  // Anomaly bands only.
  'LessThanLowerOrGreaterThanUpperThreshold',
  'LessThanLowerThreshold',
  'GreaterThanUpperThreshold',
] as const;
export type ComparisonOperator = (typeof COMPARISON_OPERATORS)[number];
export const BAND_OPERATORS: readonly ComparisonOperator[] = [
  'LessThanLowerOrGreaterThanUpperThreshold',
  'LessThanLowerThreshold',
  'GreaterThanUpperThreshold',
];

export const TREAT_MISSING = ['missing', 'notBreaching', 'breaching', 'ignore'] as const;
export type TreatMissingData = (typeof TREAT_MISSING)[number];

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

const statistic = z
  .string()
  .regex(
    /^(Sum|Average|SampleCount|Minimum|Maximum|p\d{1,2}(\.\d+)?)$/,
    'statistic must be Sum, Average, SampleCount, Minimum, Maximum or pNN (p50, p99, p99.9)',
  );

const fieldRef = z
  .string()
  .refine((s) => isFieldReference(s), 'must be a field reference such as $.requestMetadata.application_name');

/** A metric filter written inline in the alarm file (the same fields as PutMetricFilter). */
export const InlineMetricFilter = z
  .object({
    filterName: z.string().min(1).optional(),
    /** Absent: every log group. */
    logGroupName: z.string().min(1).optional(),
    filterPattern: z
      .string()
      .max(1024)
      .refine((p) => {
        try {
          parseFilterPattern(p);
          return true;
        } catch {
          return false;
        }
      }, 'is not a valid filter pattern'),
    metricValue: z
      .string()
      .min(1)
      .max(100)
      .refine(
        (v) => Number.isFinite(Number(v)) || isFieldReference(v),
        'must be a number or a field reference such as $.input.inputTokenCount',
      ),
    defaultValue: z.number().optional(),
    dimensions: z.record(z.string().min(1), fieldRef).optional(),
  })
  .strict();
export type InlineMetricFilter = z.infer<typeof InlineMetricFilter>;

const EmailTarget = z
  .object({
    type: z.literal('email'),
    to: z.array(z.string().email()).min(1),
    from: z.string().optional(),
    /** smtp://user:pass@host:port or smtps://…; else $BEDROCK_INSIGHTS_SMTP_URL. */
    smtpUrl: z.string().optional(),
    /** STARTTLS required (smtp:// URLs); smtps:// is TLS from the start. */
    requireTls: z.boolean().optional(),
    /** Accept self-signed certificates (test servers only). */
    tlsInsecure: z.boolean().optional(),
  })
  .strict();
const WebhookTarget = z
  .object({
    type: z.literal('webhook'),
    url: z.string().url(),
    /** The HMAC SHA-256 key; else $BEDROCK_INSIGHTS_WEBHOOK_SECRET. Unsigned when neither is set. */
    secret: z.string().optional(),
    headers: z.record(z.string(), z.string()).optional(),
  })
  .strict();
const SlackTarget = z.object({ type: z.literal('slack'), url: z.string().url() }).strict();
const SnsTarget = z
  .object({
    type: z.literal('sns'),
    topicArn: z
      .string()
      .regex(
        /^arn:aws[\w-]*:sns:[\w-]+:\d{12}:[\w-]+$/,
        'must be an SNS topic ARN such as arn:aws:sns:us-east-1:123456789012:alerts',
      ),
    region: z.string().optional(),
    /** Endpoint override (LocalStack, tests). */
    endpoint: z.string().url().optional(),
  })
  .strict();
export const NotifyTarget = z.discriminatedUnion('type', [EmailTarget, WebhookTarget, SlackTarget, SnsTarget]);
export type NotifyTarget = z.infer<typeof NotifyTarget>;

const base = {
  name: z
    .string()
    .min(1)
    .max(255)
    .regex(/^[^\s/][^/]*$/, 'name must not start with a space or contain /'),
  description: z.string().max(1024).optional(),
  enabled: z.boolean().default(true),
  /** Seconds: 10, 20, 30 or a multiple of 60. */
  period: z
    .number()
    .int()
    .refine(
      (p) => p === 10 || p === 20 || p === 30 || (p >= 60 && p % 60 === 0),
      'period must be 10, 20, 30 or a multiple of 60 seconds',
    )
    .default(3600),
  evaluationPeriods: z.number().int().min(1).default(1),
  datapointsToAlarm: z.number().int().min(1).optional(),
  comparisonOperator: z.enum(COMPARISON_OPERATORS).default('GreaterThanThreshold'),
  threshold: z.number().optional(),
  treatMissingData: z.enum(TREAT_MISSING).default('missing'),
  /** Seconds the newest data is given to arrive (log delivery delay); the guide says 2-5 minutes. */
  evaluationDelay: z.number().int().min(0).default(300),
  notify: z.array(NotifyTarget).default([]),
  /** Which new states notify. */
  notifyOn: z.array(z.enum(['ALARM', 'OK', 'INSUFFICIENT_DATA'])).default(['ALARM', 'OK']),
  /** Seconds between reminders while a series stays in ALARM; absent: no reminders. */
  reminderEvery: z.number().int().min(60).optional(),
  /** Base of the console links in notifications (default $BEDROCK_INSIGHTS_CONSOLE_URL or http://127.0.0.1:8080). */
  consoleUrl: z.string().url().optional(),
};

export const MetricAlarm = z
  .object({
    ...base,
    kind: z.literal('metric'),
    metric: z
      .object({
        namespace: z.string().min(1),
        name: z.string().min(1),
        statistic: statistic.default('Sum'),
        /** One dimension set (must match the metric's dimensions exactly, as in CloudWatch). */
        dimensions: z.record(z.string(), z.string()).optional(),
        /** Watch each value of these dimensions separately (one state per value). */
        perDimension: z.array(z.string()).min(1).optional(),
        /** Filters defined here in addition to the stored ones (PutMetricFilter) emitting this metric. */
        filters: z.array(InlineMetricFilter).default([]),
      })
      .strict(),
  })
  .strict();

export const QueryAlarm = z
  .object({
    ...base,
    kind: z.literal('query'),
    query: z
      .object({
        queryString: z.string().min(1),
        logGroups: z.array(z.string()).default([]),
        /** Seconds of data each evaluation reads, ending at the period's end (default: the period). */
        window: z.number().int().min(1).optional(),
        /** The result column compared with the threshold. */
        column: z.string().min(1),
        /** Columns naming a row (default: every other column). */
        keyColumns: z.array(z.string()).optional(),
      })
      .strict(),
  })
  .strict();

export const BudgetAlarm = z
  .object({
    ...base,
    kind: z.literal('budget'),
    budget: z
      .object({
        /** Who owns the spend: a requestMetadata key (`requestMetadata.cost_center`) or a hot field (`modelId`). */
        owner: z.string().min(1),
        /** USD per calendar month and owner. */
        budgets: z.record(z.string(), z.number().positive()).default({}),
        /** The budget of owners not listed. Absent: unlisted owners are not watched. */
        defaultBudget: z.number().positive().optional(),
        /** Percentages of the budget that alarm, each separately. */
        thresholds: z.array(z.number().positive()).min(1).default([50, 80, 100]),
        /** Also alarm when the month-end forecast exceeds the budget. */
        forecast: z.boolean().default(true),
        logGroups: z.array(z.string()).default([]),
      })
      .strict(),
  })
  .strict();

export const AnomalyAlarm = z
  .object({
    ...base,
    kind: z.literal('anomaly'),
    anomaly: z
      .object({
        metric: z.enum(['tokens', 'inputTokens', 'outputTokens', 'requests', 'cost']).default('tokens'),
        /** One band per value of this field (`requestMetadata.tenant_id`); absent: one band overall. */
        groupBy: z.string().optional(),
        /** Band width in robust standard deviations (wider than CloudWatch's 2: hourly Bedrock counts are sparse and spiky). */
        band: z.number().positive().default(6),
        /** Days of history the band learns from. */
        trainingDays: z.number().int().min(3).max(90).default(14),
        /** Values below this never alarm (small counts are noisy). */
        minValue: z.number().min(0).default(0),
        logGroups: z.array(z.string()).default([]),
      })
      .strict(),
  })
  .strict();

export const AlarmDefinition = z.discriminatedUnion('kind', [MetricAlarm, QueryAlarm, BudgetAlarm, AnomalyAlarm]);
export type AlarmDefinition = z.infer<typeof AlarmDefinition>;
export type MetricAlarmDef = z.infer<typeof MetricAlarm>;
export type QueryAlarmDef = z.infer<typeof QueryAlarm>;
export type BudgetAlarmDef = z.infer<typeof BudgetAlarm>;
export type AnomalyAlarmDef = z.infer<typeof AnomalyAlarm>;

/** M of "M out of N" (defaults to N). */
export function datapointsToAlarm(d: AlarmDefinition): number {
  return d.datapointsToAlarm ?? d.evaluationPeriods;
}

/** One problem of a definition: the field's path (`query.queryString`, `threshold`; '' for the whole) and what is wrong. */
export interface FieldProblem {
  path: string;
  message: string;
}

function invalid(source: string, fields: FieldProblem[]): BiError {
  const problems = fields.map((f) => `${f.path || '(top level)'}: ${f.message}`);
  // `problems` (text) for the CLI, `fields` for forms that show each problem beside its field.
  return new BiError('ALARM_INVALID', `${source} is not valid:\n  ${problems.join('\n  ')}`, { problems, fields });
}

/** Validates a definition (parsed JSON); throws BiError('ALARM_INVALID') naming every problem and its field. */
export function parseAlarmDefinition(input: unknown, source = 'the alarm definition'): AlarmDefinition {
  const r = AlarmDefinition.safeParse(input);
  if (!r.success)
    throw invalid(
      source,
      r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    );
  const d = r.data;
  const problems: FieldProblem[] = [];
  const add = (path: string, message: string): number => problems.push({ path, message });
  if (d.datapointsToAlarm !== undefined && d.datapointsToAlarm > d.evaluationPeriods)
    add('datapointsToAlarm', 'datapointsToAlarm must not exceed evaluationPeriods');
  if (d.period * d.evaluationPeriods > 604_800)
    add('evaluationPeriods', 'period × evaluationPeriods must be at most 7 days (604,800 s)');
  const band = BAND_OPERATORS.includes(d.comparisonOperator);
  if (d.kind === 'anomaly' && !band)
    add('comparisonOperator', `an anomaly alarm compares with its band: use ${BAND_OPERATORS.join(', ')}`);
  if (d.kind !== 'anomaly' && band) add('comparisonOperator', `${d.comparisonOperator} is for anomaly alarms only`);
  if ((d.kind === 'metric' || d.kind === 'query') && d.threshold === undefined)
    add('threshold', 'threshold is required');
  if (d.kind === 'metric' && d.metric.dimensions && d.metric.perDimension)
    add(
      'metric.perDimension',
      'metric.dimensions and metric.perDimension are exclusive: watch one dimension set or each value',
    );
  if (d.kind === 'metric') {
    for (const [i, f] of d.metric.filters.entries()) {
      if (f.defaultValue !== undefined && f.dimensions)
        add(
          `metric.filters.${i}.defaultValue`,
          `metric.filters.${i}: dimensions and defaultValue are mutually exclusive (as in CloudWatch)`,
        );
      if (f.dimensions && Object.keys(f.dimensions).length > 3)
        add(`metric.filters.${i}.dimensions`, `metric.filters.${i}: at most 3 dimensions`);
    }
  }
  if (d.kind === 'budget' && Object.keys(d.budget.budgets).length === 0 && d.budget.defaultBudget === undefined)
    add('budget.budgets', 'budget.budgets or budget.defaultBudget is required');
  if (problems.length) throw invalid(source, problems);
  return d;
}

/** The guide's alarm (mission.md section 10), shipped inactive until enabled with a recipient. */
export const BUILTIN_TOKEN_USAGE_ALARM = {
  name: 'BedrockTokenUsageHourly',
  description: "One application's hourly token usage (input + output) exceeds 10,000.",
  kind: 'metric',
  enabled: false,
  metric: {
    namespace: 'Bedrock/Usage',
    name: 'BedrockTokenUsageHourly',
    statistic: 'Sum',
    perDimension: ['ApplicationName'],
    filters: [
      {
        filterName: 'BedrockInputTokens',
        filterPattern: '{ $.input.inputTokenCount >= 0 }',
        metricValue: '$.input.inputTokenCount',
        dimensions: { ApplicationName: '$.requestMetadata.application_name' },
      },
      {
        filterName: 'BedrockOutputTokens',
        filterPattern: '{ $.output.outputTokenCount >= 0 }',
        metricValue: '$.output.outputTokenCount',
        dimensions: { ApplicationName: '$.requestMetadata.application_name' },
      },
    ],
  },
  period: 3600,
  evaluationPeriods: 1,
  comparisonOperator: 'GreaterThanThreshold',
  threshold: 10000,
  treatMissingData: 'notBreaching',
  evaluationDelay: 300,
  notify: [],
} as const;

export function builtinAlarms(): AlarmDefinition[] {
  return [parseAlarmDefinition(BUILTIN_TOKEN_USAGE_ALARM, 'the built-in BedrockTokenUsageHourly')];
}
