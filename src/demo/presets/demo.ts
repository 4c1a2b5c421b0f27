/**
 * The `demo` preset: a month (by default) of a realistic fleet's invocations, streamed in time
 * order with O(1) memory per record. Hour by hour: the hour's record count comes from the daily
 * and weekly rhythm (exact total by cumulative rounding), its timestamps are drawn already sorted,
 * and each record is either normal traffic or one of the planted anomalies (planted.ts).
 */
import { Prng, SortedUniforms, splitInteger } from '../prng.js';
import { buildRecord, type GeneratedRecord, type InvocationSpec, type Operation } from '../record.js';
import {
  ACTORS,
  DEMO_ACCOUNT,
  ERROR_CODES,
  ERROR_RATE,
  INFERENCE_REGIONS,
  type Actor,
  type ModelRoute,
} from '../world.js';
import { PLANTED, PLANT_MIN_RECORDS, plantedWindows, type TimeWindow } from '../planted.js';

const HOUR = 3_600_000;

export interface DemoParams {
  records: number;
  days: number;
  /** Exclusive end of the data set, epoch ms, on a whole hour. */
  endMs: number;
  seed: string;
  bodies: boolean;
}

/** Relative activity of local hours 0-23 for office-hours traffic (lunch dip at 12). */
const BUSINESS_CURVE = [
  0.08, 0.06, 0.05, 0.05, 0.06, 0.1, 0.2, 0.4, 0.75, 0.95, 1, 1, 0.85, 0.95, 1, 0.95, 0.85, 0.65, 0.45, 0.35, 0.28, 0.2,
  0.14, 0.1,
];

function rhythm(a: Actor, hourStartMs: number): number {
  const local = new Date(hourStartMs + a.utcOffset * HOUR);
  const dow = local.getUTCDay();
  const weekend = dow === 0 || dow === 6 ? a.weekendFactor : 1;
  if (a.rhythm === 'batch') {
    const h = local.getUTCHours();
    return (h >= 1 && h <= 4 ? 1 : 0.35) * weekend;
  }
  return BUSINESS_CURVE[local.getUTCHours()] * weekend;
}

function zipf(n: number, s = 1.1): number[] {
  return Array.from({ length: n }, (_, i) => 1 / Math.pow(i + 1, s));
}

/** Per-actor tables drawn from often; computed once. */
interface ActorTables {
  actor: Actor;
  routeW: number[];
  opW: number[];
  envW: number[];
  tenantW: number[];
  userW: number[];
  /** CustomerServiceApp: weights over one tenant's slice of the user list. */
  tenantUserW: number[];
}

const TABLES: ActorTables[] = ACTORS.map((actor) => ({
  actor,
  routeW: actor.routes.map((r) => r.weight),
  opW: actor.operations.map((o) => o[1]),
  envW: actor.environments.map((e) => e[1]),
  tenantW: zipf(actor.tenants.length),
  userW: zipf(actor.users.length, 0.9),
  tenantUserW: zipf(actor.tenants.length > 0 ? Math.floor(actor.users.length / actor.tenants.length) : 0, 0.9),
}));
const ERROR_W = ERROR_CODES.map((e) => e[1]);

const enum Kind {
  Normal,
  Spike,
  Oversized,
  Alarm,
  Misspelled,
}
const KINDS = 5;

interface Overrides {
  tenant?: string;
  user?: string;
  environment?: string;
  operation?: Operation;
  route?: ModelRoute;
  inputTokens?: number;
  outputTokens?: number;
  noError?: boolean;
  tagged?: boolean;
}

class RecordFactory {
  constructor(
    private readonly rng: Prng,
    private readonly ids: Prng,
    private readonly bodies: boolean,
  ) {}

  make(t: ActorTables, timeMs: number, o: Overrides = {}): GeneratedRecord {
    const rng = this.rng;
    const a = t.actor;
    const route = o.route ?? a.routes[rng.weightedIndex(t.routeW)];
    const operation = o.operation ?? a.operations[rng.weightedIndex(t.opW)][0];
    const converse = operation === 'Converse' || operation === 'ConverseStream';
    const tagged = o.tagged ?? (a.tagged && (converse || rng.chance(a.invokeTaggedShare)));
    const environment = o.environment ?? a.environments[rng.weightedIndex(t.envW)][0];

    let tenant = '';
    let user = '';
    if (a.tenants.length > 0) {
      const ti = rng.weightedIndex(t.tenantW);
      tenant = o.tenant ?? a.tenants[ti];
      if (a.name === 'CustomerServiceApp') {
        // End users belong to one tenant: each tenant owns a slice of the user list.
        const slice = a.tenants.indexOf(tenant) * t.tenantUserW.length;
        user = a.users[slice + rng.weightedIndex(t.tenantUserW)];
      } else {
        user = a.users[rng.weightedIndex(t.userW)];
      }
    }
    if (o.user !== undefined) user = o.user;

    const tk = a.tokens;
    const inputTokens = o.inputTokens ?? rng.lognormalInt(tk.inMedian, tk.inSigma, 1, 4800);
    const outputTokens = o.outputTokens ?? rng.lognormalInt(tk.outMedian, tk.outSigma, 1, 4800);
    let cacheRead = 0;
    let cacheWrite = 0;
    if (route.caches) {
      if (rng.chance(tk.cacheReadP)) cacheRead = rng.lognormalInt(tk.cacheReadMedian, 0.3, 64, 190_000);
      if (rng.chance(tk.cacheWriteP)) cacheWrite = rng.lognormalInt(tk.cacheWriteMedian, 0.3, 64, 190_000);
    }
    const failed = !o.noError && rng.chance(ERROR_RATE);
    const errorCode = failed ? ERROR_CODES[rng.weightedIndex(ERROR_W)][0] : undefined;

    let inferenceRegion: string | undefined;
    if (route.geo !== undefined) {
      const geo =
        route.geo === 'global'
          ? rng.chance(0.7)
            ? geoOf(route.region)
            : rng.pick(['us', 'eu', 'apac'] as const)
          : route.geo;
      inferenceRegion = rng.pick(INFERENCE_REGIONS[geo]);
    }

    let identityArn: string;
    if (a.iamUsers) {
      identityArn = `arn:aws:iam::${DEMO_ACCOUNT}:user/${rng.pick(a.iamUsers)}`;
    } else {
      const role = environment.startsWith('prod') ? a.roleName : `${a.roleName}-${environment}`;
      identityArn = `arn:aws:sts::${DEMO_ACCOUNT}:assumed-role/${role}/${rng.pick(a.sessions ?? ['session'])}`;
    }

    let requestMetadata: Record<string, string> | undefined;
    if (tagged) {
      const m: Record<string, string> = {
        application_name: a.name,
        application_id: a.applicationId,
        environment,
        tenant_id: tenant,
        user_id: user,
        team: a.team,
        cost_center: a.costCenter,
      };
      for (const k of a.omitKeys ?? []) delete m[k];
      requestMetadata = m;
    }

    const latencyMs = Math.round((250 + outputTokens * 12) * Math.exp(0.3 * rng.normal()));
    const spec: InvocationSpec = {
      timeMs,
      accountId: DEMO_ACCOUNT,
      region: route.region,
      requestId: this.ids.uuid(),
      operation,
      modelId: route.modelId,
      family: route.family,
      modelName: route.modelName,
      caches: route.caches,
      identityArn,
      inferenceRegion,
      errorCode,
      requestMetadata,
      inputTokens,
      outputTokens,
      cacheReadTokens: cacheRead,
      cacheWriteTokens: cacheWrite,
      latencyMs,
      system: a.system,
      prompt: rng.pick(a.prompts),
      reply: rng.pick(a.replies),
      maxTokens: a.maxTokens,
      messageId: `msg_bdrk_01${this.ids.hex(22)}`,
      bodies: this.bodies,
    };
    return buildRecord(spec);
  }
}

function geoOf(region: string): 'us' | 'eu' | 'apac' {
  if (region.startsWith('eu-')) return 'eu';
  if (region.startsWith('ap-')) return 'apac';
  return 'us';
}

/** Planted record counts per hour index (only hours that have any). */
function plantCounts(
  p: DemoParams,
  startMs: number,
  hourWeights: Float64Array,
  totalWeight: number,
  shares: readonly number[],
): Map<number, number[]> {
  const out = new Map<number, number[]>();
  if (p.records < PLANT_MIN_RECORDS) return out;
  const windows = plantedWindows(p.endMs, p.days);
  if (!windows) return out;
  const hourIndex = (ms: number) => Math.floor((ms - startMs) / HOUR);
  const add = (h: number, kind: Kind, n: number) => {
    if (h < 0 || h >= hourWeights.length || n <= 0) return;
    const c = out.get(h) ?? new Array<number>(KINDS).fill(0);
    c[kind] += n;
    out.set(h, c);
  };
  const spread = (w: TimeWindow, kind: Kind, total: number) => {
    const h0 = hourIndex(w.startMs);
    const n = (w.endMs - w.startMs) / HOUR;
    splitInteger(total, new Array<number>(n).fill(1)).forEach((c, i) => add(h0 + i, kind, c));
  };

  // The spike multiplies the tenant's expected requests in each spike hour by the factor.
  const cs = TABLES.find((t) => t.actor.name === PLANTED.tenantSpike.application)!;
  const csIndex = TABLES.indexOf(cs);
  const tenantShare =
    cs.tenantW[cs.actor.tenants.indexOf(PLANTED.tenantSpike.tenant)] / cs.tenantW.reduce((s, w) => s + w, 0);
  const taggedShare =
    cs.actor.operations.reduce(
      (s, [op, w]) => s + w * (op.startsWith('Converse') ? 1 : cs.actor.invokeTaggedShare),
      0,
    ) / cs.actor.operations.reduce((s, [, w]) => s + w, 0);
  const spikeH0 = hourIndex(windows.tenantSpike.startMs);
  for (let i = 0; i < PLANTED.tenantSpike.hours; i++) {
    const h = spikeH0 + i;
    if (h < 0 || h >= hourWeights.length) continue;
    const hourStart = startMs + h * HOUR;
    const csWeight = shares[csIndex] * rhythm(ACTORS[csIndex], hourStart);
    const expected =
      ((p.records * hourWeights[h]) / totalWeight) * (csWeight / hourWeights[h]) * tenantShare * taggedShare;
    add(h, Kind.Spike, Math.round((PLANTED.tenantSpike.factor - 1) * expected));
  }
  spread(windows.oversizedRequests, Kind.Oversized, Math.min(2000, Math.max(12, Math.round(p.records * 0.0004))));
  add(hourIndex(windows.hourlyTokenAlarm.startMs), Kind.Alarm, PLANTED.hourlyTokenAlarm.records);
  spread(windows.misspelledEnvironment, Kind.Misspelled, Math.min(300, Math.max(6, Math.round(p.records * 0.0001))));
  return out;
}

/**
 * Actor shares for this data set: an actor with `maxPerDay` keeps at most that many records a day
 * on average however large the data set (a small internal app stays small), the rest keep their share.
 */
function effectiveShares(p: DemoParams): number[] {
  const total = ACTORS.reduce((s, a) => s + a.share, 0);
  return ACTORS.map((a) => {
    if (a.maxPerDay === undefined || p.records === 0) return a.share;
    return Math.min(a.share, (a.maxPerDay * p.days * total) / p.records);
  });
}

export function* demoRecords(p: DemoParams): Generator<GeneratedRecord> {
  const rng = new Prng(`demo|${p.seed}`);
  // Request ids also depend on the data set's shape, so two different demo data sets never share
  // ids (ingest would silently take one for a duplicate of the other).
  const ids = new Prng(`ids|demo|${p.seed}|${p.records}|${p.days}|${p.endMs}`);
  const factory = new RecordFactory(rng, ids, p.bodies);
  const hours = p.days * 24;
  const startMs = p.endMs - hours * HOUR;

  const shares = effectiveShares(p);
  const hourWeights = new Float64Array(hours);
  let totalWeight = 0;
  for (let h = 0; h < hours; h++) {
    const hs = startMs + h * HOUR;
    let w = 0;
    for (let i = 0; i < ACTORS.length; i++) w += shares[i] * rhythm(ACTORS[i], hs);
    hourWeights[h] = w;
    totalWeight += w;
  }
  const plants = plantCounts(p, startMs, hourWeights, totalWeight, shares);
  let planted = 0;
  for (const c of plants.values()) planted += c.reduce((s, n) => s + n, 0);
  if (planted > p.records) {
    plants.clear();
    planted = 0;
  }
  const normalBudget = p.records - planted;

  const spikeT = TABLES.find((t) => t.actor.name === PLANTED.tenantSpike.application)!;
  const salesT = TABLES.find((t) => t.actor.name === PLANTED.oversizedRequests.application)!;
  const oversizedRoute = salesT.actor.routes.find((r) => r.modelId.startsWith('eu.anthropic'))!;
  const alarmT = TABLES.find((t) => t.actor.name === PLANTED.hourlyTokenAlarm.application)!;
  const misspelledT = TABLES.find((t) => t.actor.name === PLANTED.misspelledEnvironment.application)!;

  const actorW = new Array<number>(TABLES.length);
  let cum = 0;
  let emittedNormal = 0;
  for (let h = 0; h < hours; h++) {
    const hourStart = startMs + h * HOUR;
    cum += hourWeights[h];
    const target = Math.round((normalBudget * cum) / totalWeight);
    const normal = target - emittedNormal;
    emittedNormal = target;
    const left = (plants.get(h) ?? new Array<number>(KINDS).fill(0)).slice();
    left[Kind.Normal] = normal;
    let k = left.reduce((s, n) => s + n, 0);
    if (k === 0) continue;
    for (let i = 0; i < TABLES.length; i++) actorW[i] = shares[i] * rhythm(TABLES[i].actor, hourStart);
    const times = new SortedUniforms(rng, k);
    for (; k > 0; k--) {
      // min(): a draw rounding to exactly 1.0 must not spill into the next hour's partition.
      const timeMs = hourStart + Math.min(3599, Math.floor(times.next() * 3600)) * 1000;
      const kind = rng.weightedIndex(left, k) as Kind;
      left[kind]--;
      switch (kind) {
        case Kind.Normal:
          yield factory.make(TABLES[rng.weightedIndex(actorW)], timeMs);
          break;
        case Kind.Spike:
          yield factory.make(spikeT, timeMs, {
            tenant: PLANTED.tenantSpike.tenant,
            operation: 'Converse',
            tagged: true,
          });
          break;
        case Kind.Oversized: {
          const o = PLANTED.oversizedRequests;
          yield factory.make(salesT, timeMs, {
            user: o.user,
            tenant: o.tenant,
            environment: o.environment,
            operation: 'Converse',
            route: oversizedRoute,
            tagged: true,
            noError: true,
            inputTokens: rng.lognormalInt(8000, 0.35, o.minInputTokens, 30_000),
            outputTokens: rng.lognormalInt(600, 0.4, 50, 3000),
          });
          break;
        }
        case Kind.Alarm:
          yield factory.make(alarmT, timeMs, {
            environment: 'production',
            operation: 'Converse',
            tagged: true,
            noError: true,
            inputTokens: rng.int(700, 900),
            outputTokens: rng.int(150, 250),
          });
          break;
        case Kind.Misspelled:
          yield factory.make(misspelledT, timeMs, {
            environment: PLANTED.misspelledEnvironment.value,
            operation: 'Converse',
            tagged: true,
          });
          break;
      }
    }
  }
}
