/**
 * The fictional fleet behind the `demo` preset: one AWS account, its applications (each owned by
 * one team and cost center), tenants, users, IAM roles and model routes. Everything here is fixed
 * (not seed-dependent), so tests and later features can name it.
 */
import type { BodyFamily, Operation } from './record.js';
import { Prng } from './prng.js';

export const DEMO_ACCOUNT = '111122223333';

export type Geo = 'us' | 'eu' | 'apac' | 'global';

export interface ModelRoute {
  /** The bedrock-runtime endpoint region called (the record's `region`). */
  region: string;
  modelId: string;
  family: BodyFamily;
  modelName: string;
  caches: boolean;
  /** Set for cross-region profiles: the record then has an inferenceRegion from this geography. */
  geo?: Geo;
  weight: number;
}

export interface TokenProfile {
  inMedian: number;
  inSigma: number;
  outMedian: number;
  outSigma: number;
  /** Prompt caching on models that cache: probability of a cache read / write, and their sizes. */
  cacheReadP: number;
  cacheReadMedian: number;
  cacheWriteP: number;
  cacheWriteMedian: number;
}

/** One source of traffic: a tagged application, or an untagged caller (batch job, developers). */
export interface Actor {
  name: string;
  /** Tagged actors send requestMetadata on Converse calls (and sometimes on InvokeModel, by header). */
  tagged: boolean;
  applicationId: string;
  team: string;
  costCenter: string;
  /** Share of all traffic (normalised over actors). */
  share: number;
  /** Cap on the average records per day, whatever the data set's size (see effectiveShares). */
  maxPerDay?: number;
  /** UTC offset of the users, for the business-hours rhythm; 'batch' runs at night. */
  utcOffset: number;
  rhythm: 'business' | 'batch';
  weekendFactor: number;
  environments: ReadonlyArray<readonly [string, number]>;
  tenants: readonly string[];
  users: readonly string[];
  /** Metadata keys this application does not send (coverage gaps, as in real fleets). */
  omitKeys?: readonly string[];
  operations: ReadonlyArray<readonly [Operation, number]>;
  /** Share of this actor's InvokeModel* calls that carry metadata (the request-metadata header). */
  invokeTaggedShare: number;
  routes: readonly ModelRoute[];
  tokens: TokenProfile;
  /** Identity: assumed-role sessions (role name -> sessions) or IAM user names. */
  roleName?: string;
  sessions?: readonly string[];
  iamUsers?: readonly string[];
  system?: string;
  prompts: readonly string[];
  replies: readonly string[];
  maxTokens: number;
}

export const INFERENCE_REGIONS: Readonly<Record<Exclude<Geo, 'global'>, readonly string[]>> = {
  us: ['us-east-1', 'us-east-2', 'us-west-2'],
  eu: ['eu-central-1', 'eu-west-1', 'eu-west-3', 'eu-north-1'],
  apac: ['ap-northeast-1', 'ap-northeast-3', 'ap-southeast-1', 'ap-southeast-2'],
};

const CLAUDE_HAIKU_45 = 'anthropic.claude-haiku-4-5-20251001-v1:0';
const CLAUDE_SONNET_45 = 'anthropic.claude-sonnet-4-5-20250929-v1:0';
const CLAUDE_OPUS_46 = 'anthropic.claude-opus-4-6-v1';
const CLAUDE_3_HAIKU = 'anthropic.claude-3-haiku-20240307-v1:0';

/** The one application inference profile of the fleet; deliberately absent from any model mapping. */
export const DEMO_APPLICATION_PROFILE_ARN = `arn:aws:bedrock:us-east-1:${DEMO_ACCOUNT}:application-inference-profile/k3m9x2p7q1ab`;

/** Deterministic user ids for the fictional fleet ("u-" and five digits), distinct across actors. */
const worldRng = new Prng('bedrock-insights demo world v1');
const usedUsers = new Set<string>(['u-48213']); // reserved for the oversized-request plant
function users(n: number): string[] {
  const out: string[] = [];
  while (out.length < n) {
    const u = `u-${worldRng.int(10000, 99999)}`;
    if (!usedUsers.has(u)) {
      usedUsers.add(u);
      out.push(u);
    }
  }
  return out;
}
function sessions(kind: 'ecs' | 'ec2' | 'lambda', n: number, prefix = ''): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    if (kind === 'ecs') out.push(worldRng.hex(32));
    else if (kind === 'ec2') out.push(`i-0${worldRng.hex(16)}`);
    else out.push(`${prefix}${i + 1}`);
  }
  return out;
}

const CS_TENANTS = [
  'tenant-acme',
  'tenant-globex',
  'tenant-initech',
  'tenant-umbrella',
  'tenant-hooli',
  'tenant-stark',
  'tenant-wayne',
  'tenant-wonka',
];

export const ACTORS: readonly Actor[] = [
  {
    name: 'CustomerServiceApp',
    tagged: true,
    applicationId: 'app-cs-001',
    team: 'customer-support',
    costCenter: 'CS-123',
    share: 0.34,
    utcOffset: -5,
    rhythm: 'business',
    weekendFactor: 0.6,
    environments: [
      ['production', 0.82],
      ['staging', 0.11],
      ['development', 0.07],
    ],
    tenants: CS_TENANTS,
    users: users(160),
    operations: [
      ['Converse', 0.6],
      ['ConverseStream', 0.35],
      ['InvokeModel', 0.05],
    ],
    invokeTaggedShare: 0.3,
    routes: [
      {
        region: 'us-east-1',
        modelId: `us.${CLAUDE_HAIKU_45}`,
        family: 'anthropic',
        modelName: 'claude-haiku-4-5-20251001',
        caches: true,
        geo: 'us',
        weight: 0.55,
      },
      {
        region: 'us-east-1',
        modelId: CLAUDE_3_HAIKU,
        family: 'anthropic',
        modelName: 'claude-3-haiku-20240307',
        caches: false,
        weight: 0.25,
      },
      {
        region: 'us-east-1',
        modelId: 'us.amazon.nova-lite-v1:0',
        family: 'nova',
        modelName: 'nova-lite',
        caches: true,
        geo: 'us',
        weight: 0.2,
      },
    ],
    tokens: {
      inMedian: 350,
      inSigma: 0.6,
      outMedian: 140,
      outSigma: 0.5,
      cacheReadP: 0.6,
      cacheReadMedian: 1200,
      cacheWriteP: 0.05,
      cacheWriteMedian: 1200,
    },
    roleName: 'CustomerServiceAppRole',
    sessions: sessions('ecs', 4),
    system: 'You are a helpful support agent for a retail company. Answer briefly.',
    prompts: [
      'Where is my order? It was due yesterday.',
      'How do I reset my password?',
      'I want to return a damaged item.',
      'Can I change the delivery address of my order?',
      'Why was I charged twice this month?',
    ],
    replies: [
      'I am sorry for the delay. Your order is on its way and should arrive within two days.',
      'You can reset it from the sign-in page with the link "Forgot password".',
      'I have started a return for you; a prepaid label is in your inbox.',
      'Yes, the address can be changed until the order ships.',
    ],
    maxTokens: 1024,
  },
  {
    name: 'SalesAssistantApp',
    tagged: true,
    applicationId: 'app-sales-002',
    team: 'sales',
    costCenter: 'SALES-456',
    share: 0.18,
    utcOffset: -2,
    rhythm: 'business',
    weekendFactor: 0.25,
    environments: [
      ['production', 0.85],
      ['staging', 0.1],
      ['development', 0.05],
    ],
    tenants: ['sales-na', 'sales-emea', 'sales-latam'],
    users: users(40),
    operations: [
      ['Converse', 0.7],
      ['ConverseStream', 0.3],
    ],
    invokeTaggedShare: 0,
    routes: [
      {
        region: 'us-east-1',
        modelId: `us.${CLAUDE_SONNET_45}`,
        family: 'anthropic',
        modelName: 'claude-sonnet-4-5-20250929',
        caches: true,
        geo: 'us',
        weight: 0.45,
      },
      {
        region: 'eu-central-1',
        modelId: `eu.${CLAUDE_SONNET_45}`,
        family: 'anthropic',
        modelName: 'claude-sonnet-4-5-20250929',
        caches: true,
        geo: 'eu',
        weight: 0.3,
      },
      {
        region: 'us-east-1',
        modelId: `global.${CLAUDE_SONNET_45}`,
        family: 'anthropic',
        modelName: 'claude-sonnet-4-5-20250929',
        caches: true,
        geo: 'global',
        weight: 0.15,
      },
      {
        region: 'eu-central-1',
        modelId: 'eu.amazon.nova-pro-v1:0',
        family: 'nova',
        modelName: 'nova-pro',
        caches: true,
        geo: 'eu',
        weight: 0.1,
      },
    ],
    tokens: {
      inMedian: 700,
      inSigma: 0.6,
      outMedian: 300,
      outSigma: 0.5,
      cacheReadP: 0.4,
      cacheReadMedian: 2000,
      cacheWriteP: 0.05,
      cacheWriteMedian: 2000,
    },
    roleName: 'SalesAssistantAppRole',
    sessions: sessions('lambda', 3, 'sales-assistant-fn-'),
    system: 'You help account executives prepare customer meetings.',
    prompts: [
      'Summarise the last three calls with this account.',
      'Draft a follow-up e-mail after the product demo.',
      'List open opportunities above 50k in this region.',
      'Suggest talking points for the renewal meeting.',
    ],
    replies: [
      'Here is a short summary of the recent calls and the open questions.',
      'Subject: Thank you for your time today. Dear customer, ...',
      'There are four open opportunities matching your filter.',
    ],
    maxTokens: 2048,
  },
  {
    name: 'DeveloperToolsApp',
    tagged: true,
    applicationId: 'app-dev-003',
    team: 'engineering',
    costCenter: 'ENG-789',
    share: 0.15,
    utcOffset: -8,
    rhythm: 'business',
    weekendFactor: 0.2,
    environments: [
      ['development', 0.55],
      ['staging', 0.25],
      ['production', 0.2],
    ],
    tenants: ['internal-eng'],
    users: users(30),
    operations: [
      ['ConverseStream', 0.55],
      ['InvokeModelWithResponseStream', 0.35],
      ['Converse', 0.1],
    ],
    invokeTaggedShare: 0.4,
    routes: [
      {
        region: 'us-west-2',
        modelId: `arn:aws:bedrock:us-west-2:${DEMO_ACCOUNT}:inference-profile/global.${CLAUDE_OPUS_46}`,
        family: 'anthropic',
        modelName: 'claude-opus-4-6',
        caches: true,
        geo: 'global',
        weight: 0.3,
      },
      {
        region: 'us-west-2',
        modelId: `us.${CLAUDE_SONNET_45}`,
        family: 'anthropic',
        modelName: 'claude-sonnet-4-5-20250929',
        caches: true,
        geo: 'us',
        weight: 0.45,
      },
      {
        region: 'us-west-2',
        modelId: `global.${CLAUDE_HAIKU_45}`,
        family: 'anthropic',
        modelName: 'claude-haiku-4-5-20251001',
        caches: true,
        geo: 'global',
        weight: 0.25,
      },
    ],
    tokens: {
      inMedian: 900,
      inSigma: 0.7,
      outMedian: 450,
      outSigma: 0.6,
      cacheReadP: 0.75,
      cacheReadMedian: 12000,
      cacheWriteP: 0.15,
      cacheWriteMedian: 6000,
    },
    roleName: 'DeveloperToolsAppRole',
    sessions: sessions('ec2', 3),
    system: 'You are a coding assistant. Reply with code and short explanations.',
    prompts: [
      'Write a unit test for the parser module.',
      'Explain this stack trace and suggest a fix.',
      'Refactor this function to avoid the nested loops.',
      'Generate a SQL migration that adds an index.',
    ],
    replies: [
      'Here is a test that covers the empty input and the error path.',
      'The error comes from a null reference; check the value before use.',
      'CREATE INDEX idx_events_ts ON events(ts);',
    ],
    maxTokens: 4096,
  },
  {
    name: 'MarketingContentApp',
    tagged: true,
    applicationId: 'app-mkt-004',
    team: 'marketing',
    costCenter: 'MKT-321',
    share: 0.08,
    utcOffset: 1,
    rhythm: 'business',
    weekendFactor: 0.15,
    environments: [
      ['production', 0.75],
      ['staging', 0.25],
    ],
    tenants: ['internal-mkt'],
    users: users(12),
    operations: [
      ['Converse', 0.8],
      ['InvokeModel', 0.2],
    ],
    invokeTaggedShare: 0.5,
    routes: [
      {
        region: 'us-east-1',
        modelId: `global.${CLAUDE_SONNET_45}`,
        family: 'anthropic',
        modelName: 'claude-sonnet-4-5-20250929',
        caches: true,
        geo: 'global',
        weight: 0.5,
      },
      {
        region: 'us-east-1',
        modelId: 'us.amazon.nova-pro-v1:0',
        family: 'nova',
        modelName: 'nova-pro',
        caches: true,
        geo: 'us',
        weight: 0.3,
      },
      {
        region: 'us-east-1',
        modelId: 'amazon.titan-text-express-v1',
        family: 'titan',
        modelName: 'titan-text-express',
        caches: false,
        weight: 0.2,
      },
    ],
    tokens: {
      inMedian: 450,
      inSigma: 0.5,
      outMedian: 700,
      outSigma: 0.5,
      cacheReadP: 0,
      cacheReadMedian: 0,
      cacheWriteP: 0,
      cacheWriteMedian: 0,
    },
    roleName: 'MarketingContentAppRole',
    sessions: sessions('lambda', 2, 'mkt-content-fn-'),
    prompts: [
      'Write a product announcement for the spring release.',
      'Give five subject lines for the newsletter.',
      'Rewrite this paragraph in a friendlier tone.',
    ],
    replies: [
      'Introducing our spring release: faster, simpler, and ready today.',
      '1. Spring is here 2. New features inside 3. Faster than ever',
    ],
    maxTokens: 2048,
  },
  {
    name: 'KnowledgeBaseApp',
    tagged: true,
    applicationId: 'app-kb-005',
    team: 'operations',
    costCenter: 'OPS-654',
    share: 0.08,
    utcOffset: 9,
    rhythm: 'business',
    weekendFactor: 0.2,
    environments: [
      ['production', 0.9],
      ['development', 0.1],
    ],
    tenants: ['internal'],
    users: users(50),
    operations: [
      ['Converse', 0.85],
      ['InvokeModel', 0.15],
    ],
    invokeTaggedShare: 0.2,
    routes: [
      {
        region: 'us-east-1',
        modelId: DEMO_APPLICATION_PROFILE_ARN,
        family: 'anthropic',
        modelName: 'claude-haiku-4-5-20251001',
        caches: true,
        geo: 'us',
        weight: 0.35,
      },
      {
        region: 'ap-northeast-1',
        modelId: 'apac.amazon.nova-micro-v1:0',
        family: 'nova',
        modelName: 'nova-micro',
        caches: true,
        geo: 'apac',
        weight: 0.35,
      },
      {
        region: 'us-east-1',
        modelId: 'amazon.nova-micro-v1:0',
        family: 'nova',
        modelName: 'nova-micro',
        caches: true,
        weight: 0.3,
      },
    ],
    tokens: {
      inMedian: 1500,
      inSigma: 0.45,
      outMedian: 250,
      outSigma: 0.5,
      cacheReadP: 0.2,
      cacheReadMedian: 800,
      cacheWriteP: 0.02,
      cacheWriteMedian: 800,
    },
    roleName: 'KnowledgeBaseAppRole',
    sessions: sessions('ecs', 2),
    system: 'Answer from the retrieved passages only. Cite the passage numbers.',
    prompts: [
      'What is the on-call escalation policy?',
      'How do I request a new laptop?',
      'Which regions does the disaster recovery plan cover?',
    ],
    replies: [
      'According to passage 2, page the secondary after 15 minutes.',
      'Open a ticket in the IT portal (passage 1).',
    ],
    maxTokens: 1024,
  },
  {
    name: 'HRPortalApp',
    tagged: true,
    applicationId: 'app-hr-006',
    team: 'people-ops',
    costCenter: 'HR-987',
    // Capped so that its ordinary hours stay far below the guide's 10,000-token alarm at any size.
    share: 0.015,
    maxPerDay: 80,
    utcOffset: -5,
    rhythm: 'business',
    weekendFactor: 0.1,
    environments: [
      ['production', 0.95],
      ['staging', 0.05],
    ],
    tenants: ['internal'],
    users: users(200),
    omitKeys: ['tenant_id'],
    operations: [['Converse', 1]],
    invokeTaggedShare: 0,
    routes: [
      {
        region: 'us-east-1',
        modelId: CLAUDE_3_HAIKU,
        family: 'anthropic',
        modelName: 'claude-3-haiku-20240307',
        caches: false,
        weight: 0.6,
      },
      {
        region: 'us-east-1',
        modelId: 'amazon.nova-micro-v1:0',
        family: 'nova',
        modelName: 'nova-micro',
        caches: true,
        weight: 0.4,
      },
    ],
    tokens: {
      inMedian: 180,
      inSigma: 0.4,
      outMedian: 90,
      outSigma: 0.4,
      cacheReadP: 0,
      cacheReadMedian: 0,
      cacheWriteP: 0,
      cacheWriteMedian: 0,
    },
    roleName: 'HRPortalAppRole',
    sessions: sessions('lambda', 1, 'hr-portal-fn-'),
    prompts: ['How many vacation days do I have left?', 'When is the benefits enrollment deadline?'],
    replies: ['You have 12 days left this year.', 'Enrollment closes on the last Friday of the month.'],
    maxTokens: 512,
  },
  {
    name: 'DataPipelineBatch',
    tagged: false,
    applicationId: '',
    team: '',
    costCenter: '',
    share: 0.1,
    utcOffset: 0,
    rhythm: 'batch',
    weekendFactor: 1,
    environments: [['production', 1]],
    tenants: [],
    users: [],
    operations: [['InvokeModel', 1]],
    invokeTaggedShare: 0,
    routes: [
      {
        region: 'us-east-1',
        modelId: 'amazon.titan-text-express-v1',
        family: 'titan',
        modelName: 'titan-text-express',
        caches: false,
        weight: 0.3,
      },
      {
        region: 'us-east-1',
        modelId: 'us.meta.llama3-3-70b-instruct-v1:0',
        family: 'llama',
        modelName: 'llama3-3-70b',
        caches: false,
        geo: 'us',
        weight: 0.4,
      },
      {
        region: 'us-east-1',
        modelId: 'mistral.mistral-large-2407-v1:0',
        family: 'mistral',
        modelName: 'mistral-large-2407',
        caches: false,
        weight: 0.3,
      },
    ],
    tokens: {
      inMedian: 1200,
      inSigma: 0.5,
      outMedian: 200,
      outSigma: 0.5,
      cacheReadP: 0,
      cacheReadMedian: 0,
      cacheWriteP: 0,
      cacheWriteMedian: 0,
    },
    roleName: 'DataPipelineBedrockRole',
    sessions: sessions('lambda', 3, 'glue-summarize-job-run-'),
    prompts: ['Summarise the following support ticket in one sentence.', 'Classify the sentiment of this review.'],
    replies: ['The customer reports a late delivery and asks for a refund.', 'negative'],
    maxTokens: 512,
  },
  {
    name: 'DeveloperSandbox',
    tagged: false,
    applicationId: '',
    team: '',
    costCenter: '',
    share: 0.065,
    utcOffset: -8,
    rhythm: 'business',
    weekendFactor: 0.15,
    environments: [['development', 1]],
    tenants: [],
    users: [],
    operations: [
      ['InvokeModelWithResponseStream', 0.8],
      ['InvokeModel', 0.2],
    ],
    invokeTaggedShare: 0,
    routes: [
      {
        region: 'us-west-2',
        modelId: `arn:aws:bedrock:us-west-2:${DEMO_ACCOUNT}:inference-profile/us.${CLAUDE_SONNET_45}`,
        family: 'anthropic',
        modelName: 'claude-sonnet-4-5-20250929',
        caches: true,
        geo: 'us',
        weight: 0.6,
      },
      {
        region: 'us-west-2',
        modelId: `global.${CLAUDE_OPUS_46}`,
        family: 'anthropic',
        modelName: 'claude-opus-4-6',
        caches: true,
        geo: 'global',
        weight: 0.4,
      },
    ],
    tokens: {
      inMedian: 40,
      inSigma: 1.0,
      outMedian: 300,
      outSigma: 0.7,
      cacheReadP: 0.8,
      cacheReadMedian: 30000,
      cacheWriteP: 0.2,
      cacheWriteMedian: 5000,
    },
    iamUsers: ['alice.dev', 'bob.dev', 'carol.ml', 'dave.sre', 'erin.dev'],
    prompts: ['Fix the failing test in the CI pipeline.', 'Explain what this function does.'],
    replies: [
      'The test fails because the fixture path is relative; use an absolute path.',
      'It parses the config and caches the result.',
    ],
    maxTokens: 8192,
  },
];

/** Error codes of failed invocations, with their relative frequency. */
export const ERROR_CODES: ReadonlyArray<readonly [string, number]> = [
  ['ThrottlingException', 0.5],
  ['ValidationException', 0.22],
  ['ModelTimeoutException', 0.1],
  ['ServiceUnavailableException', 0.1],
  ['AccessDeniedException', 0.05],
  ['ResourceNotFoundException', 0.03],
];
export const ERROR_RATE = 0.006;
