import { UNTAGGED_LABEL, type OwnerKeyCheck, type PeriodCoverage } from '../contracts/wire.js';
import type { QueryEngine } from '../engines/engine.js';
import { BiError } from '../util/errors.js';
import { dataExtent, periodCoverage } from './extent.js';
import { largestRemainder, toCents } from '../contracts/money.js';
import { checkOwnerKey } from './owner-key.js';
import type { Period } from './period.js';
import {
  BEDROCK_ONLY,
  USAGE_STATS,
  addUsage,
  emptyUsage,
  ownerField,
  q,
  runQuery,
  tokensOf,
  usageOf,
  type Usage,
} from './query.js';

/**
 * Chargeback/showback statements: who used what, per model, in a period, summing EXACTLY to the
 * period's total in cents. Cents are apportioned top-down with the largest-remainder rule (total
 * -> owners -> each owner's models), so every level adds up to the level above.
 */

/** What happens to spend with no owner tag. */
export type UntaggedRule = { kind: 'own' } | { kind: 'proportional' } | { kind: 'owner'; owner: string };

export { UNTAGGED_LABEL };

export function parseUntaggedRule(text: string | undefined): UntaggedRule {
  const t = (text ?? 'own').trim();
  if (t === 'own') return { kind: 'own' };
  if (t === 'proportional') return { kind: 'proportional' };
  const m = /^owner:(.+)$/.exec(t);
  if (m && m[1].trim()) return { kind: 'owner', owner: m[1].trim() };
  throw new BiError(
    'INVALID_ARGUMENT',
    `--untagged must be own, proportional or owner:NAME (a default owner), not "${text}".`,
  );
}

export function describeRule(r: UntaggedRule): string {
  if (r.kind === 'own') return 'untagged spend is its own line';
  if (r.kind === 'proportional') return 'untagged spend is split over the owners in proportion to their tagged cost';
  return `untagged spend is charged to the default owner "${r.owner}"`;
}

export interface ModelLine extends Usage {
  model: string;
  /** The line's share of its owner's cents. (unpricedRequests / unpricedTokens: what these cents leave out.) */
  cents: number;
}

export interface OwnerStatement {
  owner: string;
  /** tagged: a value of the key; untagged: the untagged line (rule `own`); default: the default owner that had no tagged spend. */
  kind: 'tagged' | 'untagged' | 'default';
  usage: Usage;
  unpricedRequests: number;
  unpricedTokens: number;
  models: ModelLine[];
  /** Cents of this owner's own usage (sum of its model lines). */
  directCents: number;
  /** Cents of untagged spend charged to this owner by the rule (proportional / default owner). */
  untaggedCents: number;
  totalCents: number;
}

export interface Statement {
  by: string;
  field: string;
  period: Period;
  rule: UntaggedRule;
  owners: OwnerStatement[];
  usage: Usage;
  /** The period's total in cents: round(sum of every invocation's cost). Owners add up to it exactly. */
  totalCents: number;
  /** Spend without the owner tag, before the rule moves it. */
  untagged: { usage: Usage; cents: number; share: number; models: ModelLine[] };
  coverage: {
    tokens: number;
    pricedTokens: number;
    unpricedTokens: number;
    unpricedRequests: number;
    /** null when the period has no tokens: "n/a", never "100% priced". */
    share: number | null;
    unpriced: { model: string; requests: number; tokens: number }[];
  };
  /** Whether the store has data for the period (empty, partial with the dates, full). */
  periodCoverage: PeriodCoverage;
  /** The owner key's coverage and a did-you-mean (null when the caller gave no field catalog). */
  ownerKey: OwnerKeyCheck | null;
  generatedAt: number;
}

interface Cell {
  owner: string | null;
  model: string;
  usage: Usage;
}

export interface ChargebackOptions {
  by: string;
  period: Period;
  untagged?: UntaggedRule;
  logGroups?: string[];
  /** The store's field catalog (listFields): enables the owner-key check (coverage, did-you-mean). */
  knownFields?: string[];
}

/**
 * Logs Insights queries through the engine: `stats <usage> by <owner>, modelId` (every
 * invocation; the usage carries the unpriced requests and tokens), the store's data extent (is
 * the period empty or partial?) and, with a field catalog, the owner key's coverage.
 */
export async function buildChargeback(engine: QueryEngine, opts: ChargebackOptions): Promise<Statement> {
  const field = ownerField(opts.by);
  const rule = opts.untagged ?? { kind: 'own' };
  const by = `${q(field)}, modelId`;
  const all = await runQuery(engine, `${BEDROCK_ONLY} | stats ${USAGE_STATS} by ${by}`, opts.period, opts.logGroups);
  const key = (owner: string | null, model: string): string => JSON.stringify([owner, model]);
  const ownerOf = (v: string | undefined): string | null => (v === undefined || v.trim() === '' ? null : v);
  const cells = new Map<string, Cell>();
  for (const r of all) {
    const owner = ownerOf(r[field]);
    const model = r.modelId ?? '(no model id)';
    const k = key(owner, model);
    const prev = cells.get(k);
    const u = usageOf(r);
    if (prev)
      prev.usage = addUsage(prev.usage, u); // '' and missing both mean untagged
    else cells.set(k, { owner, model, usage: u });
  }
  const requests = all.reduce((n, r) => n + usageOf(r).requests, 0);
  const coverage = periodCoverage(opts.period, await dataExtent(engine, opts.logGroups), requests);
  const ownerKey = opts.knownFields
    ? await checkOwnerKey(engine, {
        by: opts.by,
        period: opts.period,
        knownFields: opts.knownFields,
        ...(opts.logGroups ? { logGroups: opts.logGroups } : {}),
      })
    : null;
  return apportion([...cells.values()], {
    by: opts.by,
    field,
    period: opts.period,
    rule,
    periodCoverage: coverage,
    ownerKey,
  });
}

/** The cents arithmetic alone (pure; unit-tested with awkward numbers). */
export function apportion(
  cells: Cell[],
  meta: {
    by: string;
    field: string;
    period: Period;
    rule: UntaggedRule;
    periodCoverage?: PeriodCoverage;
    ownerKey?: OwnerKeyCheck | null;
  },
): Statement {
  const { rule } = meta;
  // Owners in the order of their cost (largest first), untagged last.
  const byOwner = new Map<string | null, Cell[]>();
  for (const c of cells) {
    const list = byOwner.get(c.owner) ?? [];
    list.push(c);
    byOwner.set(c.owner, list);
  }
  const sumUsage = (list: Cell[]): Usage => list.reduce((a, c) => addUsage(a, c.usage), emptyUsage());
  const tagged = [...byOwner.entries()]
    .filter(([o]) => o !== null)
    .map(([o, list]) => ({ owner: o as string, list, usage: sumUsage(list) }));
  tagged.sort(
    (a, b) => b.usage.cost - a.usage.cost || b.usage.requests - a.usage.requests || a.owner.localeCompare(b.owner),
  );
  const untaggedCells = byOwner.get(null) ?? [];
  const untaggedUsage = sumUsage(untaggedCells);
  const usage = addUsage(sumUsage(tagged.flatMap((t) => t.list)), untaggedUsage);
  const totalCents = toCents(usage.cost);

  // Level 1: the total over the tagged owners and the untagged spend, by exact cost.
  const level1 = largestRemainder(totalCents, [...tagged.map((t) => t.usage.cost), untaggedUsage.cost]);
  const untaggedCents = level1[tagged.length];

  const modelLines = (list: Cell[], cents: number): ModelLine[] => {
    const sorted = [...list].sort(
      (a, b) => b.usage.cost - a.usage.cost || b.usage.requests - a.usage.requests || a.model.localeCompare(b.model),
    );
    const parts = largestRemainder(
      cents,
      sorted.map((c) => c.usage.cost),
    );
    return sorted.map((c, i) => ({ model: c.model, ...c.usage, cents: parts[i] }));
  };
  const owners: OwnerStatement[] = tagged.map((t, i) => {
    const models = modelLines(t.list, level1[i]);
    return {
      owner: t.owner,
      kind: 'tagged',
      usage: t.usage,
      unpricedRequests: models.reduce((a, m) => a + m.unpricedRequests, 0),
      unpricedTokens: models.reduce((a, m) => a + m.unpricedTokens, 0),
      models,
      directCents: level1[i],
      untaggedCents: 0,
      totalCents: level1[i],
    };
  });
  const untaggedModels = modelLines(untaggedCells, untaggedCents);
  const untaggedUnpricedReq = untaggedModels.reduce((a, m) => a + m.unpricedRequests, 0);
  const untaggedUnpricedTok = untaggedModels.reduce((a, m) => a + m.unpricedTokens, 0);
  const hasUntagged = untaggedCells.length > 0;

  if (rule.kind === 'proportional' && owners.length > 0) {
    // Level 2: the untagged cents over the owners by their exact tagged cost.
    const shares = largestRemainder(
      untaggedCents,
      tagged.map((t) => t.usage.cost),
    );
    owners.forEach((o, i) => {
      o.untaggedCents = shares[i]!;
      o.totalCents = o.directCents + o.untaggedCents;
    });
  } else if (rule.kind === 'owner' && hasUntagged) {
    let target = owners.find((o) => o.owner === rule.owner);
    if (!target) {
      target = {
        owner: rule.owner,
        kind: 'default',
        usage: emptyUsage(),
        unpricedRequests: 0,
        unpricedTokens: 0,
        models: [],
        directCents: 0,
        untaggedCents: 0,
        totalCents: 0,
      };
      owners.push(target);
    }
    target.untaggedCents = untaggedCents;
    target.totalCents = target.directCents + untaggedCents;
  } else if (hasUntagged) {
    // Rule `own`, or proportional with no tagged owner at all: the untagged line stands alone.
    owners.push({
      owner: UNTAGGED_LABEL,
      kind: 'untagged',
      usage: untaggedUsage,
      unpricedRequests: untaggedUnpricedReq,
      unpricedTokens: untaggedUnpricedTok,
      models: untaggedModels,
      directCents: untaggedCents,
      untaggedCents: 0,
      totalCents: untaggedCents,
    });
  }

  const tokens = tokensOf(usage);
  const unpricedByModel = new Map<string, { requests: number; tokens: number }>();
  for (const c of cells) {
    if (c.usage.unpricedRequests === 0) continue;
    const u = unpricedByModel.get(c.model) ?? { requests: 0, tokens: 0 };
    u.requests += c.usage.unpricedRequests;
    u.tokens += c.usage.unpricedTokens;
    unpricedByModel.set(c.model, u);
  }
  const unpricedTokens = [...unpricedByModel.values()].reduce((a, u) => a + u.tokens, 0);
  const unpricedRequests = [...unpricedByModel.values()].reduce((a, u) => a + u.requests, 0);
  return {
    by: meta.by,
    field: meta.field,
    period: meta.period,
    rule,
    owners,
    usage,
    totalCents,
    untagged: {
      usage: untaggedUsage,
      cents: untaggedCents,
      share: usage.cost > 0 ? untaggedUsage.cost / usage.cost : 0,
      models: untaggedModels,
    },
    coverage: {
      tokens,
      pricedTokens: tokens - unpricedTokens,
      unpricedTokens,
      unpricedRequests,
      share: tokens > 0 ? (tokens - unpricedTokens) / tokens : null,
      unpriced: [...unpricedByModel.entries()]
        .map(([model, u]) => ({ model, ...u }))
        .sort((a, b) => b.tokens - a.tokens),
    },
    periodCoverage: meta.periodCoverage ?? {
      state: usage.requests > 0 ? 'full' : 'empty',
      storeFirst: null,
      storeLast: null,
      label: '',
    },
    ownerKey: meta.ownerKey ?? null,
    generatedAt: Date.now(),
  };
}

export type { Cell as ChargebackCell };
