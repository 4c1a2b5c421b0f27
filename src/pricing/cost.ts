import type { Resolution } from './resolve.js';
import type { TokenPrices } from './types.js';

/** Token counts of one invocation, as logged (absent counts are 0). */
export interface InvocationUsage {
  inputTokens?: number | null;
  outputTokens?: number | null;
  cacheReadTokens?: number | null;
  /** All cache writes (5-minute and 1-hour together, as `cacheWriteInputTokenCount` logs them). */
  cacheWriteTokens?: number | null;
  /** The part of cacheWriteTokens written with a 1-hour TTL, when the body says so. */
  cacheWrite1hTokens?: number | null;
  errorCode?: string | null;
}

/** The token classes of an invocation that can lack a price (input and output always have one). */
export type UnpricedPart = 'cacheRead' | 'cacheWrite';

/** USD. Field names follow the derived `cost.*` fields. */
export interface InvocationCost {
  input: number;
  output: number;
  /** null: the invocation read the cache and the model has no cache-read price (that part is unpriced). */
  cacheRead: number | null;
  /** null: the invocation wrote the cache and the model has no cache-write price. */
  cacheWrite: number | null;
  /** The priced classes only; `unpricedTokens` says what is left out. */
  total: number;
  priceVersion: string;
  /** The long-context tier priced this request. */
  longContext: boolean;
  /** Token classes used without a price (empty when fully priced). */
  unpriced: UnpricedPart[];
  /** Tokens of those classes. */
  unpricedTokens: number;
}

export type CostResult = { priced: true; cost: InvocationCost } | { priced: false; reason: string };

const PER = 1_000_000;

export function isFailed(errorCode: string | null | undefined): boolean {
  return errorCode !== null && errorCode !== undefined && errorCode !== '';
}

/**
 * The cost of one invocation:
 *   input·in + cacheRead·cr + cacheWrite·cw (5-minute rate; the 1-hour part at the 1-hour rate
 *   when the split is known) + output·out,
 * all at the long-context tier when the prompt (input + cache read + cache write) exceeds the
 * model's threshold. A failed invocation (errorCode) costs 0 whatever its model. A model without
 * any price leaves the invocation unpriced; a model priced for input and output but not for a
 * cache class the invocation used prices the rest and leaves that class unpriced (its cost null,
 * its tokens in `unpricedTokens`): never $0, and the known part is not lost either.
 *
 * src/pricing/store.ts computes exactly this in SQL; keep the two in step.
 */
export function costOfInvocation(usage: InvocationUsage, resolution: Resolution): CostResult {
  if (isFailed(usage.errorCode)) {
    return {
      priced: true,
      cost: {
        input: 0,
        output: 0,
        cacheRead: 0,
        cacheWrite: 0,
        total: 0,
        priceVersion: resolution.version,
        longContext: false,
        unpriced: [],
        unpricedTokens: 0,
      },
    };
  }
  if (!resolution.priced) return { priced: false, reason: resolution.reason };
  const tin = usage.inputTokens ?? 0;
  const tout = usage.outputTokens ?? 0;
  const tcr = usage.cacheReadTokens ?? 0;
  const tcw = usage.cacheWriteTokens ?? 0;
  const tcw1h = Math.min(usage.cacheWrite1hTokens ?? 0, tcw);
  const lc = resolution.longContext;
  const longContext = lc !== null && tin + tcr + tcw > lc.thresholdTokens;
  const p: TokenPrices = longContext ? lc : resolution.prices;
  const unpriced: UnpricedPart[] = [];
  let cacheRead: number | null = (tcr * (p.cacheRead ?? 0)) / PER;
  if (tcr > 0 && p.cacheRead === null) {
    cacheRead = null;
    unpriced.push('cacheRead');
  }
  // Without its own 1-hour rate, a model's 1-hour writes fall back to the 5-minute rate.
  const cw1h = p.cacheWrite1h ?? p.cacheWrite5m ?? 0;
  let cacheWrite: number | null =
    tcw1h > 0
      ? ((tcw - tcw1h) * (p.cacheWrite5m ?? 0)) / PER + (tcw1h * cw1h) / PER
      : (tcw * (p.cacheWrite5m ?? 0)) / PER;
  if (tcw > 0 && p.cacheWrite5m === null) {
    cacheWrite = null;
    unpriced.push('cacheWrite');
  }
  const input = (tin * p.input) / PER;
  const output = (tout * p.output) / PER;
  return {
    priced: true,
    cost: {
      input,
      output,
      cacheRead,
      cacheWrite,
      total: input + (cacheRead ?? 0) + (cacheWrite ?? 0) + output,
      priceVersion: resolution.version,
      longContext,
      unpriced,
      unpricedTokens: (cacheRead === null ? tcr : 0) + (cacheWrite === null ? tcw : 0),
    },
  };
}
