/**
 * The `guide` preset: a small data set on which the user's queries reproduce the tables of the
 * guide (mission.md) exactly. Q2 splits input vs output tokens per application, Q4 sums
 * input + output per (application, environment), Q7 per (cost center, team): the integer totals
 * below satisfy all three at once, and each group's totals are split over its records exactly.
 * Every record carries every metadata key, so no null group distorts the tables.
 */
import { Prng, splitInteger } from '../prng.js';
import { buildRecord, type GeneratedRecord, type Operation } from '../record.js';
import { DEMO_ACCOUNT } from '../world.js';

export interface GuideGroup {
  application: string;
  applicationId: string;
  environment: string;
  team: string;
  costCenter: string;
  requests: number;
  inputTokens: number;
  outputTokens: number;
}

/**
 * The groups. Per application they sum to Q2's row (CustomerServiceApp 15000/8500 over 250,
 * SalesAssistantApp 8200/4100 over 120, DeveloperToolsApp 4500/2800 over 80); the first group
 * of each application is Q4's shown row (20000/220, 10000/110, 5000/60) and the largest one.
 */
export const GUIDE_GROUPS: readonly GuideGroup[] = [
  {
    application: 'CustomerServiceApp',
    applicationId: 'app-cs-001',
    environment: 'production',
    team: 'customer-support',
    costCenter: 'CS-123',
    requests: 220,
    inputTokens: 12800,
    outputTokens: 7200,
  },
  {
    application: 'CustomerServiceApp',
    applicationId: 'app-cs-001',
    environment: 'staging',
    team: 'customer-support',
    costCenter: 'CS-123',
    requests: 20,
    inputTokens: 1600,
    outputTokens: 900,
  },
  {
    application: 'CustomerServiceApp',
    applicationId: 'app-cs-001',
    environment: 'development',
    team: 'customer-support',
    costCenter: 'CS-123',
    requests: 10,
    inputTokens: 600,
    outputTokens: 400,
  },
  {
    application: 'SalesAssistantApp',
    applicationId: 'app-sales-002',
    environment: 'production',
    team: 'sales',
    costCenter: 'SALES-456',
    requests: 110,
    inputTokens: 6700,
    outputTokens: 3300,
  },
  {
    application: 'SalesAssistantApp',
    applicationId: 'app-sales-002',
    environment: 'staging',
    team: 'sales',
    costCenter: 'SALES-456',
    requests: 10,
    inputTokens: 1500,
    outputTokens: 800,
  },
  {
    application: 'DeveloperToolsApp',
    applicationId: 'app-dev-003',
    environment: 'development',
    team: 'engineering',
    costCenter: 'ENG-789',
    requests: 60,
    inputTokens: 3100,
    outputTokens: 1900,
  },
  {
    application: 'DeveloperToolsApp',
    applicationId: 'app-dev-003',
    environment: 'staging',
    team: 'engineering',
    costCenter: 'ENG-789',
    requests: 12,
    inputTokens: 900,
    outputTokens: 600,
  },
  {
    application: 'DeveloperToolsApp',
    applicationId: 'app-dev-003',
    environment: 'production',
    team: 'engineering',
    costCenter: 'ENG-789',
    requests: 8,
    inputTokens: 500,
    outputTokens: 300,
  },
];

export const GUIDE_RECORDS = GUIDE_GROUPS.reduce((s, g) => s + g.requests, 0);
export const GUIDE_DEFAULT_DAYS = 1;

interface AppStyle {
  tenants: readonly string[];
  users: readonly string[];
  route: { modelId: string; modelName: string; family: 'anthropic' | 'nova'; inferenceRegion?: string }[];
  role: string;
  prompt: string;
  reply: string;
}

const STYLE: Readonly<Record<string, AppStyle>> = {
  CustomerServiceApp: {
    tenants: ['tenant-acme', 'tenant-globex', 'tenant-initech', 'tenant-umbrella', 'tenant-hooli'],
    users: [
      'u-10231',
      'u-10477',
      'u-11802',
      'u-12090',
      'u-13355',
      'u-14021',
      'u-15517',
      'u-16608',
      'u-17243',
      'u-18819',
    ],
    route: [
      {
        modelId: 'us.anthropic.claude-haiku-4-5-20251001-v1:0',
        modelName: 'claude-haiku-4-5-20251001',
        family: 'anthropic',
        inferenceRegion: 'us-east-2',
      },
      { modelId: 'anthropic.claude-3-haiku-20240307-v1:0', modelName: 'claude-3-haiku-20240307', family: 'anthropic' },
    ],
    role: 'CustomerServiceAppRole',
    prompt: 'Where is my order?',
    reply: 'Your order is on its way.',
  },
  SalesAssistantApp: {
    tenants: ['sales-na', 'sales-emea'],
    users: ['u-20114', 'u-20589', 'u-21370', 'u-22846', 'u-23901'],
    route: [
      {
        modelId: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
        modelName: 'claude-sonnet-4-5-20250929',
        family: 'anthropic',
        inferenceRegion: 'us-west-2',
      },
    ],
    role: 'SalesAssistantAppRole',
    prompt: 'Draft a follow-up e-mail.',
    reply: 'Thank you for your time today.',
  },
  DeveloperToolsApp: {
    tenants: ['internal-eng'],
    users: ['u-30062', 'u-31495', 'u-32718', 'u-33250'],
    route: [
      { modelId: 'us.amazon.nova-pro-v1:0', modelName: 'nova-pro', family: 'nova', inferenceRegion: 'us-east-1' },
    ],
    role: 'DeveloperToolsAppRole',
    prompt: 'Write a unit test.',
    reply: 'Here is a test.',
  },
};

export interface GuideParams {
  days: number;
  endMs: number;
  seed: string;
  bodies: boolean;
}

/** The guide data set, in time order. It is small (450 records), so it is built in memory and sorted. */
export function* guideRecords(p: GuideParams): Generator<GeneratedRecord> {
  const rng = new Prng(`guide|${p.seed}`);
  const ids = new Prng(`ids|guide|${p.seed}|${p.days}|${p.endMs}`);
  // The window's first hour stays empty: `end` defaults to the current hour, so a query over the
  // "last N days" run within that hour (now - N days >= end - N days) still sees every record and
  // the guide's tables come out whole.
  const spanSeconds = p.days * 86_400 - 3600;
  const startMs = p.endMs - spanSeconds * 1000;
  const items: { timeMs: number; make: (requestId: string, messageId: string) => GeneratedRecord }[] = [];
  for (const g of GUIDE_GROUPS) {
    const style = STYLE[g.application];
    const weights = () => Array.from({ length: g.requests }, () => Math.exp(0.4 * rng.normal()));
    const inputs = splitInteger(g.inputTokens, weights());
    const outputs = splitInteger(g.outputTokens, weights());
    for (let i = 0; i < g.requests; i++) {
      const timeMs = startMs + rng.int(0, spanSeconds - 1) * 1000;
      const route = rng.pick(style.route);
      const operation: Operation = rng.chance(0.7) ? 'Converse' : 'ConverseStream';
      const tenant = rng.pick(style.tenants);
      const user = rng.pick(style.users);
      const role = g.environment === 'production' ? style.role : `${style.role}-${g.environment}`;
      // Long-lived sessions (one per task), as services assume their role: Q13 then groups by role.
      const session = `${g.application.toLowerCase()}-task-${rng.int(1, 2)}`;
      const latencyMs = 200 + outputs[i] * 10 + rng.int(0, 300);
      const inputTokens = inputs[i];
      const outputTokens = outputs[i];
      items.push({
        timeMs,
        make: (requestId, messageId) =>
          buildRecord({
            timeMs,
            accountId: DEMO_ACCOUNT,
            region: 'us-east-1',
            requestId,
            operation,
            modelId: route.modelId,
            family: route.family,
            modelName: route.modelName,
            caches: false,
            identityArn: `arn:aws:sts::${DEMO_ACCOUNT}:assumed-role/${role}/${session}`,
            inferenceRegion: route.inferenceRegion,
            requestMetadata: {
              application_name: g.application,
              application_id: g.applicationId,
              environment: g.environment,
              tenant_id: tenant,
              user_id: user,
              team: g.team,
              cost_center: g.costCenter,
            },
            inputTokens,
            outputTokens,
            cacheReadTokens: 0,
            cacheWriteTokens: 0,
            latencyMs,
            prompt: style.prompt,
            reply: style.reply,
            maxTokens: 1024,
            messageId,
            bodies: p.bodies,
          }),
      });
    }
  }
  items.sort((a, b) => a.timeMs - b.timeMs);
  for (const it of items) yield it.make(ids.uuid(), `msg_bdrk_01${ids.hex(22)}`);
}
