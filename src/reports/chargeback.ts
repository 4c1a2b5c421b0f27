import type { QueryEngine } from '../engines/engine.js';
import { BiError } from '../util/errors.js';
import { largestRemainder, toCents } from './money.js';
import type { Period } from './period.js';
import {
  BEDROCK_ONLY,
  UNPRICED_ONLY,
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

export const UNTAGGED_LABEL = '(untagged)';

export function parseUntaggedRule(text: string | undefined): UntaggedRule {
  const t = (text ?? 'own').trim();
  if (t === 'own') return { kind: 'own' };
  if (t === 'proportional') return { kind: 'proportional' };
  const m = /^owner:(.+)$/.exec(t);
  if (m && m[1]!.trim()) return { kind: 'owner', owner: m[1]!.trim() };
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
  /** Invocations of this model without a price, and their tokens (they are in the usage too, at no cost). */
  unpricedRequests: number;
  unpricedTokens: number;
  /** The line's share of its owner's cents. */
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
    share: number;
    unpriced: { model: string; requests: number; tokens: number }[];
  };
  generatedAt: number;
}

interface Cell {
  owner: string | null;
  model: string;
  usage: Usage;
  unpricedRequests: number;
  unpricedTokens: number;
}

export interface ChargebackOptions {
  by: string;
  period: Period;
  untagged?: UntaggedRule;
  logGroups?: string[];
}

/**
 * Two Logs Insights queries through the engine:
 *   stats <usage> by <owner>, modelId                          (every invocation)
 *   filter not ispresent(cost.total) | stats … by <owner>, modelId   (the unpriced bucket)
 */
export async function buildChargeback(engine: QueryEngine, opts: ChargebackOptions): Promise<Statement> {
  const field = ownerField(opts.by);
  const rule = opts.untagged ?? { kind: 'own' };
  const by = `${q(field)}, modelId`;
  const all = await runQuery(engine, `${BEDROCK_ONLY} | stats ${USAGE_STATS} by ${by}`, opts.period, opts.logGroups);
  const unpriced = await runQuery(
    engine,
    `${UNPRICED_ONLY} | stats count(*) as requests, sum(input.inputTokenCount) as inputTokens, sum(output.outputTokenCount) as outputTokens, sum(input.cacheReadInputTokenCount) as cacheReadTokens, sum(input.cacheWriteInputTokenCount) as cacheWriteTokens by ${by}`,
    opts.period,
    opts.logGroups,
  );
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
    else cells.set(k, { owner, model, usage: u, unpricedRequests: 0, unpricedTokens: 0 });
  }
  for (const r of unpriced) {
    const c = cells.get(key(ownerOf(r[field]), r.modelId ?? '(no model id)'));
    if (!c) continue;
    const u = usageOf(r);
    c.unpricedRequests += u.requests;
    c.unpricedTokens += tokensOf(u);
  }
  return apportion([...cells.values()], { by: opts.by, field, period: opts.period, rule });
}

/** The cents arithmetic alone (pure; unit-tested with awkward numbers). */
export function apportion(
  cells: Cell[],
  meta: { by: string; field: string; period: Period; rule: UntaggedRule },
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
  const untaggedCents = level1[tagged.length]!;

  const modelLines = (list: Cell[], cents: number): ModelLine[] => {
    const sorted = [...list].sort(
      (a, b) => b.usage.cost - a.usage.cost || b.usage.requests - a.usage.requests || a.model.localeCompare(b.model),
    );
    const parts = largestRemainder(
      cents,
      sorted.map((c) => c.usage.cost),
    );
    return sorted.map((c, i) => ({
      model: c.model,
      ...c.usage,
      unpricedRequests: c.unpricedRequests,
      unpricedTokens: c.unpricedTokens,
      cents: parts[i]!,
    }));
  };
  const owners: OwnerStatement[] = tagged.map((t, i) => {
    const models = modelLines(t.list, level1[i]!);
    return {
      owner: t.owner,
      kind: 'tagged',
      usage: t.usage,
      unpricedRequests: models.reduce((a, m) => a + m.unpricedRequests, 0),
      unpricedTokens: models.reduce((a, m) => a + m.unpricedTokens, 0),
      models,
      directCents: level1[i]!,
      untaggedCents: 0,
      totalCents: level1[i]!,
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
    if (c.unpricedRequests === 0) continue;
    const u = unpricedByModel.get(c.model) ?? { requests: 0, tokens: 0 };
    u.requests += c.unpricedRequests;
    u.tokens += c.unpricedTokens;
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
      share: tokens > 0 ? (tokens - unpricedTokens) / tokens : 1,
      unpriced: [...unpricedByModel.entries()]
        .map(([model, u]) => ({ model, ...u }))
        .sort((a, b) => b.tokens - a.tokens),
    },
    generatedAt: Date.now(),
  };
}

export type { Cell as ChargebackCell };
